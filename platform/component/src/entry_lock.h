/*
 * Keeping one instance's methods to one thread at a time.
 *
 * A provider's methods may be reached by several threads of its process:
 * the thread serving its channels, the run threads of co-located clients
 * that call it directly, and (in the kernel, which serves each channel on a
 * thread of its own) several serving threads. Component code is written as
 * if single-threaded, so a host gives such an instance an entry lock, taken
 * around every dispatch and every direct call into it; an instance only one
 * thread can reach gets none and pays nothing. A component's own run()
 * thread is not serialized against its methods (docs/components.md).
 */
#ifndef VIPER_COMPONENT_ENTRY_LOCK_H
#define VIPER_COMPONENT_ENTRY_LOCK_H

#include <stdbool.h>
#include <stdint.h>

#include <viper/rpc.h>

/* Who can enter an instance's methods: no thread, one, or several. */
struct entry_threads {
	uint32_t thread; /* the one thread (ids from 1); 0 for none */
	bool several;
};

/*
 * Works out who can enter each of `count` (at most 32) instances, from the
 * threads that enter them on their own (`entered`, the serving threads; on
 * return, everyone), their run threads (`runs`, 0 for none) and their direct
 * calls (bit p of calls[a]: instance a has a slot bound straight to
 * instance p). A caller's threads, run or entering, all reach its callees.
 */
void entry_threads_solve(unsigned count, const uint32_t *calls, const uint32_t *runs,
			 struct entry_threads *entered);

/* Makes `lock` usable: VIPER_OK, or the error creating its wake-up channel. */
int32_t entry_lock_init(struct viper_entry_lock *lock);

#endif
