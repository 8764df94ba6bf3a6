/* The kernel tick: a periodic timer interrupt counted since boot. */
#ifndef KERNEL_CLOCK_H
#define KERNEL_CLOCK_H

#include <stdint.h>

#include <kernel/err.h>

#define CLOCK_HZ 100

/* Starts the tick on the virtual timer interrupt `irq`. */
MUST_CHECK err_t clock_start(uint32_t irq);

/* Ticks since clock_start. */
uint64_t clock_ticks(void);

/*
 * Waits (with interrupts on) until at least `ticks` ticks have passed since
 * boot. VIPER_E_UNSUPPORTED when the counter shows a second passed without
 * a tick arriving (the timer interrupt is not being delivered).
 */
MUST_CHECK err_t clock_wait_ticks(uint64_t ticks);

#endif
