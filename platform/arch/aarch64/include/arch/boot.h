/* Boot-time constants shared by entry.S and C. */
#ifndef ARCH_BOOT_H
#define ARCH_BOOT_H

#define MAX_CPUS	8
#define BOOT_STACK_SIZE 16384
/* Each boot stack has an unmapped guard page below it: one slot per CPU. */
#define BOOT_STACK_GUARD  4096
#define BOOT_STACK_STRIDE (BOOT_STACK_GUARD + BOOT_STACK_SIZE)
/* A stack of its own per CPU for reporting a kernel stack overflow. */
#define EMERGENCY_STACK_SIZE 4096

/*
 * Offsets in struct cpu (kernel/sched.h) that the exception vectors read:
 * the lowest stack pointer that still leaves room for a trap frame on the
 * current thread's kernel stack, and the top of the CPU's emergency stack.
 */
#define CPU_STACK_LIMIT	 8
#define CPU_EMERGENCY_SP 16

#ifndef __ASSEMBLER__
#include <stdint.h>

/* One boot stack per CPU, above its guard page; the boot CPU uses slot 0. */
struct boot_stack {
	uint8_t guard[BOOT_STACK_GUARD];
	uint8_t stack[BOOT_STACK_SIZE];
};
extern struct boot_stack boot_stacks[MAX_CPUS];

/* The exception vector table in vectors.S. */
extern char exception_vectors[];
#endif

#endif
