/*
 * Spin locks, and the big kernel lock that serialises all kernel work
 * across CPUs (as early seL4 does). A CPU takes the big lock on every entry
 * from user space or an interrupt and gives it up on return; a thread
 * switch inside the kernel hands the lock to the next thread.
 */
#ifndef KERNEL_LOCK_H
#define KERNEL_LOCK_H

#include <stdbool.h>
#include <stdint.h>

struct spinlock {
	uint32_t next;
	uint32_t serving; /* at offset 4: vectors.S's fast_exit_to releases it */
};

_Static_assert(__builtin_offsetof(struct spinlock, serving) == 4, "vectors.S's fast_exit_to");

static inline void spin_lock(struct spinlock *l)
{
	uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->serving, __ATOMIC_ACQUIRE) != ticket)
		__asm__ volatile("yield");
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->serving, l->serving + 1, __ATOMIC_RELEASE);
}

extern struct spinlock big_lock;
extern volatile int big_lock_owner; /* CPU index, -1 when free */

/* The calling CPU's index (TPIDR_EL1 points at its struct cpu, whose first field it is). */
static inline int lock_cpu_index(void)
{
	const unsigned *cpu;

	__asm__ volatile("mrs %0, tpidr_el1" : "=r"(cpu));
	return (int)*cpu;
}

static inline void kernel_lock(void)
{
	spin_lock(&big_lock);
	big_lock_owner = lock_cpu_index();
}

static inline void kernel_unlock(void)
{
	big_lock_owner = -1;
	spin_unlock(&big_lock);
}

/* True when the calling CPU holds the big lock. */
static inline bool kernel_lock_held(void)
{
	return big_lock_owner == lock_cpu_index();
}

#endif
