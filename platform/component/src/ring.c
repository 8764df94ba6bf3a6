/*
 * Shared-memory rings (viper/ring.h). The producer owns `head`, the
 * consumer `tail`; each reads the other's with acquire and publishes its
 * own with release. Sleeping follows the flag-then-recheck order on both
 * sides (set waiting, full fence, look again), and the other end clears
 * the flag and notifies after its fence, so a wake-up is never lost and a
 * notification is sent only on an empty-to-non-empty (or full-to-room)
 * edge that someone waits for.
 */
#include <viper/component.h>
#include <viper/ring.h>

static bool power_of_two(uint32_t n)
{
	return n && !(n & (n - 1));
}

static int32_t check_shape(void *mem, uint64_t size, uint32_t capacity, uint32_t entry_size)
{
	if (!mem || ((uintptr_t)mem & 63) || !power_of_two(capacity) || entry_size == 0 ||
	    entry_size > VIPER_RING_ENTRY_MAX || size < viper_ring_bytes(capacity, entry_size))
		return VIPER_E_INVAL;
	return VIPER_OK;
}

static void set_end(struct viper_ring *ring, void *mem, uint32_t capacity, uint32_t entry_size,
		    bool producer)
{
	*ring = (struct viper_ring){
		.shared = mem,
		.entries = (uint8_t *)mem + VIPER_RING_HEADER,
		.capacity = capacity,
		.entry_size = entry_size,
		.producer = producer,
		.wake_peer = VIPER_HANDLE_INVALID,
		.wake_me = VIPER_HANDLE_INVALID,
	};
}

int32_t viper_ring_format(struct viper_ring *ring, void *mem, uint64_t size, uint32_t capacity,
			  uint32_t entry_size, bool producer)
{
	int32_t err = check_shape(mem, size, capacity, entry_size);
	struct viper_ring_header *h = mem;

	if (err)
		return err;
	vc_memset(h, 0, VIPER_RING_HEADER);
	h->entry_size = entry_size;
	h->capacity = capacity;
	__atomic_store_n(&h->magic, VIPER_RING_MAGIC, __ATOMIC_RELEASE);
	set_end(ring, mem, capacity, entry_size, producer);
	return VIPER_OK;
}

int32_t viper_ring_attach(struct viper_ring *ring, void *mem, uint64_t size, uint32_t capacity,
			  uint32_t entry_size, bool producer)
{
	int32_t err = check_shape(mem, size, capacity, entry_size);
	struct viper_ring_header *h = mem;

	if (err)
		return err == VIPER_E_INVAL && mem && size < viper_ring_bytes(capacity, entry_size)
			       ? VIPER_E_CORRUPT
			       : err;
	if (__atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) != VIPER_RING_MAGIC ||
	    h->capacity != capacity || h->entry_size != entry_size)
		return VIPER_E_CORRUPT;
	set_end(ring, mem, capacity, entry_size, producer);
	return VIPER_OK;
}

void viper_ring_set_wake(struct viper_ring *ring, viper_handle_t wake_peer, viper_handle_t wake_me)
{
	ring->wake_peer = wake_peer;
	ring->wake_me = wake_me;
}

/* Entries in the ring, from this end's index and the peer's: -1 when impossible. */
static int64_t used(const struct viper_ring *ring, uint32_t head, uint32_t tail)
{
	uint32_t n = head - tail;

	return n > ring->capacity ? -1 : (int64_t)n;
}

/* Wakes the other end if it said it waits (its flag is `flag`). */
static void wake_peer(struct viper_ring *ring, uint32_t *flag)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(flag, __ATOMIC_RELAXED) &&
	    __atomic_exchange_n(flag, 0, __ATOMIC_ACQ_REL)) {
		ring->kicks++;
		if (ring->wake_peer != VIPER_HANDLE_INVALID)
			(void)vc_notify(ring->wake_peer, 1);
	}
}

int32_t viper_ring_push(struct viper_ring *ring, const void *entry)
{
	struct viper_ring_header *h = ring->shared;
	uint32_t head = __atomic_load_n(&h->head, __ATOMIC_RELAXED);
	uint32_t tail = __atomic_load_n(&h->tail, __ATOMIC_ACQUIRE);
	int64_t n = used(ring, head, tail);

	if (n < 0)
		return VIPER_E_CORRUPT;
	if ((uint32_t)n == ring->capacity)
		return VIPER_E_WOULDBLOCK;
	vc_memcpy(ring->entries + (uint64_t)(head & (ring->capacity - 1)) * ring->entry_size, entry,
		  ring->entry_size);
	__atomic_store_n(&h->head, head + 1, __ATOMIC_RELEASE);
	wake_peer(ring, &h->consumer_waiting);
	return VIPER_OK;
}

int32_t viper_ring_pop(struct viper_ring *ring, void *entry)
{
	struct viper_ring_header *h = ring->shared;
	uint32_t tail = __atomic_load_n(&h->tail, __ATOMIC_RELAXED);
	uint32_t head = __atomic_load_n(&h->head, __ATOMIC_ACQUIRE);
	int64_t n = used(ring, head, tail);

	if (n < 0)
		return VIPER_E_CORRUPT;
	if (n == 0)
		return VIPER_E_WOULDBLOCK;
	vc_memcpy(entry, ring->entries + (uint64_t)(tail & (ring->capacity - 1)) * ring->entry_size,
		  ring->entry_size);
	__atomic_store_n(&h->tail, tail + 1, __ATOMIC_RELEASE);
	wake_peer(ring, &h->producer_waiting);
	return VIPER_OK;
}

/* Whether this end can go on: an entry to pop, or room to push (-1: corrupt). */
static int ready(const struct viper_ring *ring)
{
	const struct viper_ring_header *h = ring->shared;
	int64_t n = used(ring, __atomic_load_n(&h->head, __ATOMIC_ACQUIRE),
			 __atomic_load_n(&h->tail, __ATOMIC_ACQUIRE));

	if (n < 0)
		return -1;
	return ring->producer ? (uint32_t)n < ring->capacity : n > 0;
}

int32_t viper_ring_arm(struct viper_ring *ring)
{
	struct viper_ring_header *h = ring->shared;
	uint32_t *flag = ring->producer ? &h->producer_waiting : &h->consumer_waiting;
	int r = ready(ring);

	if (r != 0)
		return r < 0 ? VIPER_E_CORRUPT : VIPER_OK;
	__atomic_store_n(flag, 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	r = ready(ring);
	if (r == 0)
		return VIPER_E_WOULDBLOCK;
	__atomic_store_n(flag, 0, __ATOMIC_RELAXED);
	return r < 0 ? VIPER_E_CORRUPT : VIPER_OK;
}

int32_t viper_ring_wait(struct viper_ring *ring, int64_t timeout_ns)
{
	for (;;) {
		int32_t r = viper_ring_arm(ring);

		if (r != VIPER_E_WOULDBLOCK)
			return r;
		int64_t woke = vc_notified_wait(ring->wake_me, timeout_ns);
		if (woke < 0)
			return (int32_t)woke;
	}
}
