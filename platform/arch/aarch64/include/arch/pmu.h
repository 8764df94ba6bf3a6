/*
 * The performance monitors, for benchmarks: counter 0 counts retired
 * instructions (event 0x08, exact under QEMU -icount shift=0) and the cycle
 * counter runs; user space may read both only when the kernel was booted
 * with "pmu=user" in its command line (it leaks timing otherwise).
 */
#ifndef ARCH_PMU_H
#define ARCH_PMU_H

#include <stdint.h>

/* Starts the counters on the calling CPU and lets EL0 read them. */
void pmu_enable_user_counters(void);

/* Counter 0: instructions retired on this CPU since pmu_enable_user_counters. */
uint64_t pmu_instructions(void);

/* Closes the PMU to EL0 (its reset state is UNKNOWN): the default. */
void pmu_deny_user_counters(void);

#endif
