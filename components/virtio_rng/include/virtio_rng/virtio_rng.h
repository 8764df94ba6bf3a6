/*
 * virtio_rng: interface entropy over a virtio entropy device (virtio 1.1,
 * 5.4; device ID 4), legacy or modern, driven through the virtio transport
 * library (//platform/virtio). One queue of eight descriptors in the `ring`
 * DMA region; the device writes into the `buffer` region. A Read is served
 * from a pool of VIRTIO_RNG_POOL bytes taken from the device ahead, each
 * byte given once and wiped from the pool as it goes; a Read the pool
 * cannot cover refills it first. So most Reads make no device request,
 * and the device's bytes are still all that is given. Placeable in the
 * kernel or in a process.
 */
#ifndef VIRTIO_RNG_VIRTIO_RNG_H
#define VIRTIO_RNG_VIRTIO_RNG_H

#include <stdbool.h>
#include <stdint.h>

#include <viper/virtq.h>

#include "entropy.viper.h"

#define VIRTIO_RNG_DEVICE_ID	4u
#define VIRTIO_RNG_QUEUE_SIZE	8u
#define VIRTIO_RNG_MAX_READ	64u  /* bytes a Read gives at most (the reply's bound) */
#define VIRTIO_RNG_POOL		256u /* bytes taken from the device ahead */
#define VIRTIO_RNG_MAX_REQUESTS 8u   /* device requests one fill may take */

struct virtio_rng {
	struct virtio_device dev;
	struct virtq queue;
	volatile uint8_t *buffer; /* where the device writes: DMA memory */
	uint64_t buffer_phys;
	struct virtq_waiter waiter;
	int32_t failed; /* VIPER_OK, or why the device was given up (reset, no longer used) */
	uint8_t pool[VIRTIO_RNG_POOL]; /* the device's bytes not given yet: the first `pooled` */
	uint32_t pooled;
	uint32_t refills; /* pool refills since start */
};

/*
 * Starts the device behind `bus` with its queue in `ring` and the buffer
 * at `buffer` (physical `buffer_phys`, VIRTIO_RNG_POOL bytes at least),
 * waiting for completions with `waiter`. VIPER_E_NOTFOUND when
 * `bus` holds no virtio entropy device, else the transport's errors.
 */
int32_t virtio_rng_start(struct virtio_rng *rng, const struct virtio_bus *bus,
			 const struct virtq_memory *ring, volatile uint8_t *buffer,
			 uint64_t buffer_phys, const struct virtq_waiter *waiter);

/*
 * Fills `out` with `len` (1..VIRTIO_RNG_POOL) bytes from the device,
 * asking again when it gives fewer: VIPER_E_RANGE for a bad length,
 * VIPER_E_TIMEOUT when VIRTIO_RNG_MAX_REQUESTS requests did not give them
 * all. When the device misbehaves (VIPER_E_CORRUPT) or keeps a request
 * past the waiter's deadline (VIPER_E_TIMEOUT), it is reset and never used
 * again: every later call gets the same error.
 */
int32_t virtio_rng_fill(struct virtio_rng *rng, uint8_t *out, uint32_t len);

/*
 * Gives `len` (1..VIRTIO_RNG_MAX_READ) bytes from the pool, refilling it
 * from the device first when it holds fewer (virtio_rng_fill's errors
 * then; the pool is empty after a failed refill). VIPER_E_RANGE for a bad
 * length. Once the device is given up, nothing more is given.
 */
int32_t virtio_rng_take(struct virtio_rng *rng, uint8_t *out, uint32_t len);

extern const struct entropy_server virtio_rng_server;

#endif
