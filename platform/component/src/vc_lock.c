/*
 * vc_lock (viper/component.h) in processes and the kernel: the entry
 * lock's algorithm, a counter for the uncontended case and a channel of
 * wake-up messages on which waiters sleep.
 */
#include <viper/component.h>

#include "entry_lock.h"

int32_t vc_lock_init(struct vc_lock *lock)
{
	lock->host = NULL;
	lock->entry.holders = 0;
	/* vc_channel_create, not the system call: it works in a kernel-placed init too. */
	return vc_channel_create(&lock->entry.wake_send, &lock->entry.wake_recv);
}

void vc_lock_take(struct vc_lock *lock)
{
	viper_entry_lock(&lock->entry);
}

void vc_lock_give(struct vc_lock *lock)
{
	viper_entry_unlock(&lock->entry);
}
