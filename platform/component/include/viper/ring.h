/*
 * Shared-memory rings: single-producer single-consumer queues of
 * fixed-size descriptors in a memory object both ends map, for streams
 * between drivers and their clients (seL4 sDDF's queues, Genode's packet
 * stream). Descriptors name data elsewhere (an offset and a length in a
 * shared data object, say); the ring never copies the data.
 *
 * A push or pop is a few loads and stores in shared memory; the kernel is
 * involved only on the edges: a consumer that finds the ring empty says it
 * waits and sleeps on its notification channel, and the producer notifies
 * it once after the push that makes it non-empty; the same for a producer
 * that finds it full. The same code in a process, in the kernel and on
 * the host.
 *
 * A ring's memory is shared with a peer that may be hostile: the indexes
 * are read once per operation and checked (VIPER_E_CORRUPT when they say
 * more than the ring holds), descriptors are copied out before use, and
 * the capacity and entry size are the local end's, never the header's.
 * Declare a descriptor in an interface with option (viper.ring_entry) on
 * its message; see docs/interfaces.md.
 */
#ifndef VIPER_RING_H
#define VIPER_RING_H

#include <stdbool.h>
#include <stdint.h>

#include <viper/abi.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VIPER_RING_MAGIC     0x676e6972u /* "ring" */
#define VIPER_RING_ENTRY_MAX 64u
#define VIPER_RING_HEADER    256u /* bytes before the entries */

/* The shared header: each end writes only its own half (its own cache lines). */
struct viper_ring_header {
	uint32_t magic;
	uint32_t entry_size;
	uint32_t capacity; /* a power of two */
	uint32_t reserved[13];
	uint32_t head;		   /* byte 64: entries pushed, free-running: the producer's */
	uint32_t producer_waiting; /* the producer sleeps until the ring has room */
	uint32_t producer_pad[14];
	uint32_t tail;		   /* byte 128: entries popped, free-running: the consumer's */
	uint32_t consumer_waiting; /* the consumer sleeps until an entry comes */
	uint32_t consumer_pad[14];
};

/* One end of a ring, in its own memory. */
struct viper_ring {
	struct viper_ring_header *shared;
	uint8_t *entries;
	uint32_t capacity;
	uint32_t entry_size;
	bool producer;		  /* which end this is */
	viper_handle_t wake_peer; /* send end of the other end's notification channel */
	viper_handle_t wake_me;	  /* receive end this end sleeps on */
	uint32_t kicks;		  /* notifications sent: only on edges */
};

/* Bytes of a ring memory holding `capacity` entries of `entry_size`. */
static inline uint64_t viper_ring_bytes(uint32_t capacity, uint32_t entry_size)
{
	return VIPER_RING_HEADER + (uint64_t)capacity * entry_size;
}

/*
 * Formats `mem` (`size` bytes, mapped) as an empty ring of `capacity`
 * entries (a power of two) of `entry_size` bytes (1..VIPER_RING_ENTRY_MAX)
 * and makes `ring` one end of it. VIPER_E_INVAL for a bad capacity, entry
 * size, alignment or a memory too small.
 */
int32_t viper_ring_format(struct viper_ring *ring, void *mem, uint64_t size, uint32_t capacity,
			  uint32_t entry_size, bool producer);

/*
 * Makes `ring` an end of the ring the peer formatted in `mem`, with the
 * capacity and entry size this end expects: VIPER_E_CORRUPT when the
 * header disagrees or does not fit `size`.
 */
int32_t viper_ring_attach(struct viper_ring *ring, void *mem, uint64_t size, uint32_t capacity,
			  uint32_t entry_size, bool producer);

/* The notification channels of the two ends: whom to wake, where to sleep. */
void viper_ring_set_wake(struct viper_ring *ring, viper_handle_t wake_peer, viper_handle_t wake_me);

/*
 * Producer: copies `entry` in; VIPER_OK, VIPER_E_WOULDBLOCK when full,
 * VIPER_E_CORRUPT when the peer's index is impossible. Wakes a waiting
 * consumer.
 */
int32_t viper_ring_push(struct viper_ring *ring, const void *entry);

/* Consumer: copies the oldest entry out; VIPER_E_WOULDBLOCK when empty, VIPER_E_CORRUPT. */
int32_t viper_ring_pop(struct viper_ring *ring, void *entry);

/*
 * For an end that sleeps on several rings at once (all sharing its
 * notification channel): VIPER_OK when the ring can go on now,
 * VIPER_E_WOULDBLOCK when it cannot and the peer has been asked to notify
 * `wake_me` once it can, VIPER_E_CORRUPT. Arm every ring, then sleep with
 * vc_notified_wait only if all said VIPER_E_WOULDBLOCK.
 */
int32_t viper_ring_arm(struct viper_ring *ring);
/*
 * Sleeps until the ring has an entry (consumer) or room (producer), or
 * `timeout_ns` passes: VIPER_OK, VIPER_E_TIMEOUT, the notification's
 * errors (VIPER_E_PEERCLOSED when the peer is gone), VIPER_E_CORRUPT.
 */
int32_t viper_ring_wait(struct viper_ring *ring, int64_t timeout_ns);

#ifdef __cplusplus
}
#endif

#endif
