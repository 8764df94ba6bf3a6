/*
 * Split virtqueues (virtio 1.1, 2.6) over the virtio-mmio transport
 * (viper/virtio_mmio.h): the descriptor table, the available ring and the
 * used ring in one block of DMA memory the driver gets from the framework
 * (struct viper_dma), requests as chains of parts, and their completion.
 *
 * The rings are shared with the device, so the queue keeps its own record
 * of every chain (its length and how many bytes the device may write) and
 * believes nothing the device writes: a used index that runs ahead of what
 * is in flight, a used element naming a descriptor that is not the head of
 * a chain in flight, or a length beyond what the chain lets the device
 * write marks the queue broken (VIPER_E_CORRUPT from then on). The driver
 * then resets the device before it reuses the memory.
 */
#ifndef VIPER_VIRTQ_H
#define VIPER_VIRTQ_H

#include <stdbool.h>
#include <stdint.h>

#include <viper/virtio_mmio.h>

#define VIRTQ_MAX_SIZE 256u /* descriptors a queue may have (a power of two) */

/* A block of DMA memory: mapped at `virt`, at physical `phys` for the device. */
struct virtq_memory {
	void *virt;
	uint64_t phys;
	uint64_t size;
};

/* One part of a request: `len` bytes at physical `phys`, which the device writes or reads. */
struct virtq_part {
	uint64_t phys;
	uint32_t len;
	bool device_writes;
};

/*
 * How the driver waits for its device's interrupt: `wait` returns VIPER_OK
 * once the line fired, else an error (VIPER_E_TIMEOUT, ...); `ack` (may be
 * NULL) acknowledges the line once the device's causes are taken, so a
 * level-triggered line is not seen again for the same completion.
 */
struct virtq_waiter {
	int32_t (*wait)(void *context);
	int32_t (*ack)(void *context);
	void *context;
};

struct virtq {
	struct virtio_device *dev;
	uint16_t index; /* the queue's number on the device */
	uint16_t size;
	volatile uint8_t *desc;	 /* 16 bytes a descriptor */
	volatile uint8_t *avail; /* flags, idx, ring[size], used_event */
	volatile uint8_t *used;	 /* flags, idx, ring[size] of {id, len}, avail_event */
	uint16_t avail_idx;	 /* the next available index the driver publishes */
	uint16_t last_used;	 /* the next used index the driver takes */
	uint16_t free_head;
	uint16_t free_count;
	bool broken;
	/* The driver's own record: chains link through next[], not the shared table. */
	uint16_t next[VIRTQ_MAX_SIZE];
	uint16_t chain_len[VIRTQ_MAX_SIZE]; /* by head: its descriptors; 0 when not in flight */
	uint32_t writable[VIRTQ_MAX_SIZE];  /* by head: the bytes the device may write */
};

/* The bytes of DMA memory a queue of `size` descriptors needs (its used ring on a page of its
 * own). */
uint64_t virtq_memory_bytes(uint16_t size);

/*
 * Sets up queue `index` of device `d` with `size` descriptors (a power of
 * two up to VIRTQ_MAX_SIZE and the device's maximum) in `mem`, which must
 * be page-aligned, have virtq_memory_bytes(size) and lie below 2^44 for a
 * legacy device. The memory is cleared. VIPER_E_INVAL for a bad size or
 * memory, VIPER_E_UNSUPPORTED for a queue the device does not have or one
 * smaller than `size`, VIPER_E_BUSY for one already in use.
 */
int32_t virtq_setup(struct virtq *q, struct virtio_device *d, uint16_t index, uint16_t size,
		    const struct virtq_memory *mem);

/*
 * Makes a request of `count` parts available to the device (the parts the
 * device reads first, then those it writes) and gives its head, which its
 * completion names. VIPER_E_INVAL for no parts, an empty part or a read
 * part after a written one; VIPER_E_WOULDBLOCK when the queue lacks free
 * descriptors; VIPER_E_CORRUPT once the queue is broken. Call virtq_kick
 * after one or more submissions.
 */
int32_t virtq_submit(struct virtq *q, const struct virtq_part *parts, unsigned count,
		     uint16_t *head);

/* Tells the device the queue has new requests. */
void virtq_kick(struct virtq *q);

/*
 * Takes the next completed request: its head and the bytes the device says
 * it wrote. VIPER_E_WOULDBLOCK when none is complete; VIPER_E_CORRUPT when
 * the device lies (see above), and from then on.
 */
int32_t virtq_take_used(struct virtq *q, uint16_t *head, uint32_t *written);

/*
 * virtq_take_used, waiting for the device's interrupt while nothing is
 * complete: each wait is `w`'s, then the interrupt causes are taken
 * (virtio_interrupt_take) and the line acknowledged. Returns what
 * virtq_take_used does, or the waiter's error.
 */
int32_t virtq_wait_used(struct virtq *q, const struct virtq_waiter *w, uint16_t *head,
			uint32_t *written);

/* Requests made available and not yet taken back. */
unsigned virtq_in_flight(const struct virtq *q);

#endif
