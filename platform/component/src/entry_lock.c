/*
 * The entry lock (see entry_lock.h) of processes and the kernel: a counter
 * for the uncontended case, and a channel of wake-up messages for threads
 * that must wait, so a waiter blocks in the kernel instead of spinning.
 */
#include "entry_lock.h"

#include <viper/syscall.h>

/* More waiters than this make an unlocking thread wait for queue room: harmless. */
#define ENTRY_LOCK_WAKEUPS 8

int32_t entry_lock_init(struct viper_entry_lock *lock)
{
	lock->holders = 0;
	return (int32_t)viper_channel_create(&lock->wake_send, &lock->wake_recv,
					     ENTRY_LOCK_WAKEUPS);
}

void viper_entry_lock(struct viper_entry_lock *lock)
{
	uint8_t token;
	struct viper_msg_info info;

	if (__atomic_fetch_add(&lock->holders, 1, __ATOMIC_ACQUIRE) == 0)
		return;
	/* Someone is inside: its unlock sends one wake-up, which is ours. */
	while (viper_channel_recv(lock->wake_recv, &token, sizeof(token), NULL, &info, 0) < 0)
		(void)viper_yield();
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
}

void viper_entry_unlock(struct viper_entry_lock *lock)
{
	uint8_t token = 1;

	if (__atomic_fetch_sub(&lock->holders, 1, __ATOMIC_RELEASE) == 1)
		return;
	/* A thread waits or is about to: hand it the lock. */
	while (viper_channel_send(lock->wake_send, &token, sizeof(token), NULL, 0, 0) < 0)
		(void)viper_yield();
}
