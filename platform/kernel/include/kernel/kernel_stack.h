/*
 * Kernel stacks: each thread's 16 KiB stack, mapped page by page in the
 * kernel stack area (arch/mmu.h) above 16 KiB of unmapped guard, so that
 * running off its bottom faults at once instead of writing over whatever
 * lies below; the exception vectors see the stack pointer below the
 * stack's limit and report the overflow (kernel_stack_overflow in trap.c).
 * The pages need not be contiguous. Under the big kernel lock.
 */
#ifndef KERNEL_KERNEL_STACK_H
#define KERNEL_KERNEL_STACK_H

#include <stdint.h>

#include <kernel/err.h>

#define KSTACK_PAGES 4
#define KSTACK_SIZE  (KSTACK_PAGES * 4096ul)
#define KSTACK_SLOT  (2 * KSTACK_SIZE) /* the guard, then the stack */
#define KSTACK_SLOTS 65536u

struct kernel_stack {
	uint64_t bottom; /* lowest mapped address; 0 when there is none */
	uint64_t pages[KSTACK_PAGES];
	uint32_t slot;
};

/* A mapped stack with its guard: VIPER_E_NOMEM without pages, tables or a free slot. */
MUST_CHECK err_t kernel_stack_alloc(struct kernel_stack *s);
/* Unmaps (on every CPU) and frees a stack kernel_stack_alloc gave; nothing for none. */
void kernel_stack_free(struct kernel_stack *s);

/* The address just above the stack (its initial stack pointer). */
static inline uint64_t kernel_stack_top(const struct kernel_stack *s)
{
	return s->bottom + KSTACK_SIZE;
}

#endif
