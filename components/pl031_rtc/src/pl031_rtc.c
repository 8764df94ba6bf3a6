/* pl031_rtc: see include/pl031_rtc/pl031_rtc.h. */
#include <pl031_rtc/pl031_rtc.h>

#include <viper/component.h>

#include "pl031_rtc_slots.h"

static uint32_t reg(const struct pl031_rtc *rtc, uint32_t offset)
{
	return rtc->regs[offset / 4];
}

void rtc_civil_from_unix(uint64_t seconds, viper_rtc_NowReply *rep)
{
	uint64_t days = seconds / 86400;
	uint32_t in_day = (uint32_t)(seconds % 86400);

	rep->hour = in_day / 3600;
	rep->minute = in_day / 60 % 60;
	rep->second = in_day % 60;
	rep->weekday = (uint32_t)((days + 4) % 7); /* 1970-01-01 was a Thursday */

	/*
	 * Count in 400-year eras of 146,097 days starting on 0000-03-01, so a
	 * leap day ends each year: then the month and day follow from the day
	 * of the year by one formula.
	 */
	uint64_t z = days + 719468; /* days from 0000-03-01 to 1970-01-01 */
	uint64_t era = z / 146097;
	uint32_t of_era = (uint32_t)(z - era * 146097); /* 0..146096 */
	uint32_t year_of_era =
		(of_era - of_era / 1460 + of_era / 36524 - of_era / 146096) / 365; /* 0..399 */
	uint32_t of_year =
		of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100); /* 0..365 */
	uint32_t mp = (5 * of_year + 2) / 153; /* month from March: 0..11 */

	rep->day = of_year - (153 * mp + 2) / 5 + 1;
	rep->month = mp < 10 ? mp + 3 : mp - 9;
	rep->year = (uint32_t)(era * 400 + year_of_era + (rep->month <= 2 ? 1 : 0));
}

static int32_t read_now(void *self, struct viper_rpc_context *ctx, const viper_rtc_NowRequest *req,
			viper_rtc_NowReply *rep)
{
	const struct pl031_rtc *rtc = self;
	(void)ctx;
	(void)req;

	rep->unix_seconds = reg(rtc, PL031_DR);
	rtc_civil_from_unix(rep->unix_seconds, rep);
	return VIPER_OK;
}

const struct rtc_server pl031_rtc_server = {
	.now = read_now,
};

static int32_t pl031_rtc_init(void *state, const struct viper_instance_env *env)
{
	struct pl031_rtc *rtc = state;

	if (env->device_count <= PL031_RTC_DEVICE_RTC ||
	    env->devices[PL031_RTC_DEVICE_RTC].regs == NULL ||
	    env->devices[PL031_RTC_DEVICE_RTC].size < 0x1000)
		return VIPER_E_INVAL;
	rtc->regs = (volatile uint32_t *)env->devices[PL031_RTC_DEVICE_RTC].regs;
	if ((reg(rtc, PL031_PERIPH_ID0) & 0xff) != 0x31 ||
	    (reg(rtc, PL031_PERIPH_ID1) & 0xff) != 0x10 ||
	    (reg(rtc, PL031_CELL_ID0) & 0xff) != 0x0d) {
		vc_log("%s: the device is not a PL031", env->name);
		return VIPER_E_UNSUPPORTED;
	}
	if ((reg(rtc, PL031_CR) & 1) == 0)
		rtc->regs[PL031_CR / 4] = 1; /* start the counter */
	return VIPER_OK;
}

VIPER_COMPONENT(pl031_rtc) = {
	.name = "pl031_rtc",
	.state_size = sizeof(struct pl031_rtc),
	.init = pl031_rtc_init,
	.provides = {{.interface = &rtc_interface, .ops = &pl031_rtc_server}},
	.provide_count = 1,
};
