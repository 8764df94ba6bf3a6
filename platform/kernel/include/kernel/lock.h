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
	uint32_t serving;
};

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

void kernel_lock(void);
void kernel_unlock(void);
/* True when the calling CPU holds the big lock. */
bool kernel_lock_held(void);

#endif
