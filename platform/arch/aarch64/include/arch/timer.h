/* The ARM generic timer: the EL1 virtual timer drives the kernel tick. */
#ifndef ARCH_TIMER_H
#define ARCH_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#include <kernel/err.h>

/*
 * Starts a periodic interrupt at `hz` on the virtual timer (`irq` is its GIC
 * id) calling `on_tick` from interrupt context each period. VIPER_E_INVAL
 * for hz of 0 or above the counter frequency.
 */
MUST_CHECK err_t timer_start(uint32_t irq, uint32_t hz, void (*on_tick)(void));

/* Starts the same tick on the calling secondary CPU. */
MUST_CHECK err_t timer_start_cpu(void);

/* Brings this CPU's next tick forward to now: the timer's condition holds at once. */
void timer_fire_now(void);

/* True when this CPU's timer condition holds (CNTV_CTL_EL0.ISTATUS). */
bool timer_condition_met(void);

/* Counter frequency in Hz (CNTFRQ_EL0). */
uint64_t timer_frequency(void);

/* Nanoseconds since the counter started (at power-on under QEMU). */
uint64_t timer_now_ns(void);

#endif
