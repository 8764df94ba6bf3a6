/*
 * rtc_check: asks the rtc provider in its slot for the time twice, a little
 * over a second apart, and checks the answers: a plausible year, calendar
 * fields in range and agreeing with the seconds, and a clock that moves.
 * Prints "rtc_check: N passed, M failed".
 */
#include <viper/component.h>

#include "rtc.viper.h"
#include "rtc_check_slots.h"

struct rtc_check {
	struct viper_slot *rtc;
	unsigned passed, failed;
};

static void check(struct rtc_check *c, bool ok, const char *what)
{
	if (ok) {
		c->passed++;
	} else {
		c->failed++;
		vc_log("rtc_check: FAIL %s", what);
	}
}

static int32_t rtc_check_init(void *state, const struct viper_instance_env *env)
{
	struct rtc_check *c = state;

	if (env->slot_count != RTC_CHECK_SLOT_COUNT)
		return VIPER_E_INVAL;
	c->rtc = env->slots[RTC_CHECK_SLOT_RTC];
	return VIPER_OK;
}

static int32_t rtc_check_run(void *state)
{
	struct rtc_check *c = state;
	viper_rtc_NowRequest req = viper_rtc_NowRequest_init_default;
	viper_rtc_NowReply first, second;

	check(c, rtc_now(c->rtc, &req, &first) == VIPER_OK, "Now answers");
	vc_log("rtc_check: %04u-%02u-%02u %02u:%02u:%02u UTC (%llu)", first.year, first.month,
	       first.day, first.hour, first.minute, first.second,
	       (unsigned long long)first.unix_seconds);
	check(c, first.year >= 2024 && first.year < 2106, "the year is plausible");
	check(c,
	      first.month >= 1 && first.month <= 12 && first.day >= 1 && first.day <= 31 &&
		      first.hour < 24 && first.minute < 60 && first.second < 60 &&
		      first.weekday < 7,
	      "the calendar fields are in range");
	check(c,
	      first.unix_seconds % 60 == first.second &&
		      first.unix_seconds / 60 % 60 == first.minute &&
		      first.unix_seconds / 3600 % 24 == first.hour,
	      "the time of day agrees with the seconds");
	uint64_t until = vc_now_ns() + 1200ull * 1000 * 1000;
	while (vc_now_ns() < until)
		vc_yield();
	check(c, rtc_now(c->rtc, &req, &second) == VIPER_OK, "Now answers again");
	check(c,
	      second.unix_seconds >= first.unix_seconds + 1 &&
		      second.unix_seconds <= first.unix_seconds + 3,
	      "the clock moves with time");
	vc_log("rtc_check: %u passed, %u failed", c->passed, c->failed);
	return c->failed == 0 ? VIPER_OK : VIPER_E_CORRUPT;
}

VIPER_COMPONENT(rtc_check) = {
	.name = "rtc_check",
	.state_size = sizeof(struct rtc_check),
	.slot_count = RTC_CHECK_SLOT_COUNT,
	.init = rtc_check_init,
	.run = rtc_check_run,
};
