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

/* How the tick's interrupt path failed, if it did (clock_check_interrupt). */
enum clock_fault {
	CLOCK_OK = 0,
	CLOCK_NO_CONDITION, /* the timer never signalled its condition */
	CLOCK_NOT_PENDING,  /* the interrupt controller never saw the interrupt raised */
	CLOCK_NOT_TAKEN,    /* the CPU never took it */
};

/*
 * Proves the tick's interrupt path end to end without waiting for a tick:
 * brings the timer's next tick forward to now, sees its condition hold, sees
 * the interrupt controller hold interrupt `irq` pending, then unmasks
 * interrupts and sees the tick handler run (tick 1). Each step waits at
 * most a millisecond of the free-running counter. Called on the boot CPU
 * with interrupts masked; returns with them masked.
 */
enum clock_fault clock_check_interrupt(uint32_t irq);

/* What a fault means, in words. */
const char *clock_fault_name(enum clock_fault f);

#endif
