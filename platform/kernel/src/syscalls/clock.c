/* The monotonic clock: clock_now and sleep. */
#include "decode.h"

#include <arch/timer.h>

int64_t sys_clock_now(const uint64_t *a)
{
	(void)a;
	return (int64_t)timer_now_ns();
}

int64_t sys_sleep(const uint64_t *a)
{
	int64_t ns = (int64_t)a[0];
	err_t err;

	if (ns < 0)
		return VIPER_E_INVAL;
	if (ns == 0)
		return VIPER_OK;
	err = wait_on(NULL, deadline_after(ns), NULL);
	return err == VIPER_E_TIMEOUT ? VIPER_OK : err;
}
