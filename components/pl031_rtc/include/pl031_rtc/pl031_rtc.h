/*
 * pl031_rtc: interface rtc over an Arm PrimeCell PL031 real-time clock (on
 * QEMU virt, board device rtc0). The PL031 counts seconds in a 32-bit data
 * register; the component reads it, and turns it into a calendar date with
 * rtc_civil_from_unix. Placeable in the kernel or in a process.
 */
#ifndef PL031_RTC_PL031_RTC_H
#define PL031_RTC_PL031_RTC_H

#include <stdint.h>

#include "rtc.viper.h"

/* Register offsets (PL031 technical reference manual). */
#define PL031_DR	 0x000 /* data: the current count, seconds */
#define PL031_CR	 0x00c /* control: bit 0 starts the counter */
#define PL031_PERIPH_ID0 0xfe0 /* 0x31 */
#define PL031_PERIPH_ID1 0xfe4 /* 0x10 */
#define PL031_CELL_ID0	 0xff0 /* 0x0d, then 0xf0, 0x05, 0xb1 */

struct pl031_rtc {
	volatile uint32_t *regs;
};

/*
 * Fills the calendar fields of `rep` (year .. weekday) for `seconds` since
 * 1970-01-01 00:00:00 UTC, proleptic Gregorian calendar.
 */
void rtc_civil_from_unix(uint64_t seconds, viper_rtc_NowReply *rep);

extern const struct rtc_server pl031_rtc_server;

#endif
