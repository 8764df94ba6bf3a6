/* Boot-time constants shared by entry.S and C. */
#ifndef ARCH_BOOT_H
#define ARCH_BOOT_H

#define MAX_CPUS	8
#define BOOT_STACK_SIZE 16384

#ifndef __ASSEMBLER__
#include <stdint.h>

/* One boot stack per CPU; the boot CPU uses boot_stacks[0]. */
extern uint8_t boot_stacks[MAX_CPUS][BOOT_STACK_SIZE];

/* The exception vector table in vectors.S. */
extern char exception_vectors[];
#endif

#endif
