// pl031_rtc on the host: against a fake register block, and its calendar
// arithmetic at the edges (epoch, leap days, centuries, the 32-bit end).
#include <gtest/gtest.h>

#include <cstring>

extern "C" {
#include <pl031_rtc/pl031_rtc.h>
#include <viper/host_transport.h>

#include "pl031_rtc_slots.h"
}

namespace
{

struct Civil {
	uint32_t year, month, day, hour, minute, second, weekday;
};

Civil CivilOf(uint64_t seconds)
{
	viper_rtc_NowReply r = {};
	rtc_civil_from_unix(seconds, &r);
	return {r.year, r.month, r.day, r.hour, r.minute, r.second, r.weekday};
}

void ExpectCivil(uint64_t seconds, Civil want)
{
	Civil got = CivilOf(seconds);
	EXPECT_EQ(got.year, want.year) << seconds;
	EXPECT_EQ(got.month, want.month) << seconds;
	EXPECT_EQ(got.day, want.day) << seconds;
	EXPECT_EQ(got.hour, want.hour) << seconds;
	EXPECT_EQ(got.minute, want.minute) << seconds;
	EXPECT_EQ(got.second, want.second) << seconds;
	EXPECT_EQ(got.weekday, want.weekday) << seconds;
}

TEST(RtcCivil, KnownInstants)
{
	ExpectCivil(0, {1970, 1, 1, 0, 0, 0, 4});	   // a Thursday
	ExpectCivil(951782400, {2000, 2, 29, 0, 0, 0, 2}); // leap day of a 400-year
	ExpectCivil(951868799, {2000, 2, 29, 23, 59, 59, 2});
	ExpectCivil(1709251199, {2024, 2, 29, 23, 59, 59, 4});
	ExpectCivil(1735689599, {2024, 12, 31, 23, 59, 59, 2}); // day 366
	ExpectCivil(1795219200, {2026, 11, 21, 0, 0, 0, 6});
	ExpectCivil(4102444800, {2100, 1, 1, 0, 0, 0, 5}); // 2100 is no leap year
	ExpectCivil(4107542400, {2100, 3, 1, 0, 0, 0, 1});
	ExpectCivil(4294967295, {2106, 2, 7, 6, 28, 15, 0}); // the PL031's last second
}

TEST(RtcCivil, EveryDayFollowsTheLast)
{
	// Walk 200 years day by day: dates advance by one, months and years roll over.
	Civil prev = CivilOf(0);
	const uint32_t month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	for (uint64_t d = 1; d < 200 * 366; d++) {
		Civil c = CivilOf(d * 86400 + 43200);
		uint32_t y = prev.year;
		bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
		uint32_t len = month_days[prev.month - 1] + (prev.month == 2 && leap ? 1 : 0);
		if (prev.day < len) {
			ASSERT_EQ(c.day, prev.day + 1) << d;
			ASSERT_EQ(c.month, prev.month) << d;
		} else if (prev.month < 12) {
			ASSERT_EQ(c.day, 1u) << d;
			ASSERT_EQ(c.month, prev.month + 1) << d;
		} else {
			ASSERT_EQ(c.day, 1u) << d;
			ASSERT_EQ(c.month, 1u) << d;
			ASSERT_EQ(c.year, prev.year + 1) << d;
		}
		ASSERT_EQ(c.weekday, (prev.weekday + 1) % 7) << d;
		ASSERT_EQ(c.hour, 12u);
		prev = c;
	}
}

class Pl031Test : public ::testing::Test
{
      protected:
	void SetUp() override
	{
		memset(regs_, 0, sizeof(regs_));
		regs_[PL031_PERIPH_ID0 / 4] = 0x31;
		regs_[PL031_PERIPH_ID1 / 4] = 0x10;
		regs_[PL031_CELL_ID0 / 4] = 0x0d;
		env_.name = "rtc";
		env_.device_count = 1;
		env_.devices[PL031_RTC_DEVICE_RTC].regs = regs_;
		env_.devices[PL031_RTC_DEVICE_RTC].size = sizeof(regs_);
	}
	int32_t Init()
	{
		return viper_component_find("pl031_rtc")->init(&rtc_, &env_);
	}
	uint32_t regs_[0x1000 / 4];
	viper_instance_env env_ = {};
	pl031_rtc rtc_ = {};
};

TEST_F(Pl031Test, ReadsTheCounter)
{
	ASSERT_EQ(Init(), VIPER_OK);
	EXPECT_EQ(regs_[PL031_CR / 4], 1u) << "a stopped counter is started";
	regs_[PL031_DR / 4] = 1795219200u + 3723;
	viper_rtc_NowRequest req = {};
	viper_rtc_NowReply rep = {};
	viper_rpc_context ctx = {};
	ASSERT_EQ(pl031_rtc_server.now(&rtc_, &ctx, &req, &rep), VIPER_OK);
	EXPECT_EQ(rep.unix_seconds, 1795219200u + 3723);
	EXPECT_EQ(rep.month, 11u);
	EXPECT_EQ(rep.day, 21u);
	EXPECT_EQ(rep.year, 2026u);
	EXPECT_EQ(rep.hour, 1u);
	EXPECT_EQ(rep.minute, 2u);
	EXPECT_EQ(rep.second, 3u);
}

TEST_F(Pl031Test, RefusesAnotherDevice)
{
	regs_[PL031_PERIPH_ID0 / 4] = 0x11; // a PL011's
	EXPECT_EQ(Init(), VIPER_E_UNSUPPORTED);
}

TEST_F(Pl031Test, RefusesAMissingOrShortDevice)
{
	env_.devices[PL031_RTC_DEVICE_RTC].size = 0x100;
	EXPECT_EQ(Init(), VIPER_E_INVAL);
	env_.device_count = 0;
	env_.devices[PL031_RTC_DEVICE_RTC].regs = nullptr;
	EXPECT_EQ(Init(), VIPER_E_INVAL);
}

} // namespace
