/*
 * What the process host and the kernel's component host share: deciding
 * which instances need an entry lock, and binding a slot to a direct call.
 * Each host brings a small table of what differs between placements
 * (struct host_placement): who its serving threads are, and where a direct
 * call's bulk buffer comes from.
 */
#ifndef VIPER_COMPONENT_HOST_CORE_H
#define VIPER_COMPONENT_HOST_CORE_H

#include <viper/component.h>

#include "entry_lock.h"
#include "platform/manifest/manifest.pb.h"

struct viper_session_host;

struct host_placement {
	/*
	 * The thread that serves instance `i` (record `r`) on its own, 0 for
	 * none, and whether several threads do (the kernel serves each channel
	 * on a thread of its own; a process serves all of them on one).
	 */
	uint32_t (*serving_thread)(unsigned i, const viper_manifest_Instance *r);
	bool (*serves_on_several)(const viper_manifest_Instance *r);
	/* The id of instance i's run thread (distinct from every serving thread's). */
	uint32_t (*run_thread)(unsigned i);
	/* A zeroed bulk buffer of `size` bytes (whole pages) for a direct call: VIPER_OK or an
	 * error. */
	int32_t (*bulk_buffer)(uint32_t size, void **at);
};

/* What a direct call reaches of its provider. */
struct host_peer {
	const struct viper_component *component;
	void *state;
	struct viper_entry_lock *lock;	     /* NULL: one thread reaches it */
	struct viper_session_host *sessions; /* NULL: it opens no sessions */
};

/*
 * For `count` instances of one process (records[i], components[i]): which
 * several threads can reach (entered[i].several), from the threads that
 * serve them, their run threads and their direct calls (entry_threads.c).
 */
void host_plan_entry_locks(const struct host_placement *placement,
			   const viper_manifest_Instance *const *records,
			   const struct viper_component *const *components, unsigned count,
			   struct entry_threads *entered);

/*
 * Binds `slot` straight to interface `interface_id` of `peer` with
 * connection number `connection` (never a channel's), and a bulk buffer of
 * its own when the interface has one. VIPER_E_CORRUPT when the peer does
 * not provide the interface; the bulk buffer's error.
 */
int32_t host_bind_direct(const struct host_placement *placement, struct viper_slot *slot,
			 const struct host_peer *peer, uint32_t interface_id, uint32_t connection);

#endif
