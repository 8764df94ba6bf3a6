/*
 * virtio_blk: interface block over a virtio block device (virtio 1.1,
 * 5.2), through the transport library of //platform/virtio, legacy or
 * modern, in the kernel or in a process.
 *
 * The driver owns one DMA region of VIRTIO_BLK_SLOTS request slots: each a
 * 16-byte request header and a status byte (on the region's first page)
 * and VIRTIO_BLK_SLOT_BYTES of data. A Read or Write of many blocks is cut
 * into one device request per slot, all in flight at once, and completed
 * in whatever order the device finishes them. The lent bytes of a call are
 * copied into and out of the slots: the device reaches only the driver's
 * own DMA memory.
 *
 * The device is trusted with its DMA memory and nothing else: a status
 * byte other than the three the specification names, or a queue it
 * corrupts (viper/virtq.h), makes the driver reset the device and answer
 * VIPER_E_CORRUPT from then on; a request it keeps past VIRTIO_BLK_WAIT_NS
 * does the same with VIPER_E_TIMEOUT. A request it fails (IOERR) is
 * VIPER_E_IO for that call only.
 */
#ifndef VIRTIO_BLK_VIRTIO_BLK_H
#define VIRTIO_BLK_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>

#include <viper/virtq.h>

#include "block.viper.h"

#define VIRTIO_BLK_DEVICE_ID  2u
#define VIRTIO_BLK_QUEUE_SIZE 32u /* three descriptors a request */
#define VIRTIO_BLK_SECTOR     512u
/* Slots, in two sets: a call's requests use the first; the read-ahead either. */
#define VIRTIO_BLK_SET_SLOTS  4u
#define VIRTIO_BLK_SLOTS      (2u * VIRTIO_BLK_SET_SLOTS)
#define VIRTIO_BLK_SLOT_BYTES 131072u
/* The DMA region: the slots' data, 1 MiB (a power of two: no block rounded up). */
#define VIRTIO_BLK_DMA_BYTES (VIRTIO_BLK_SLOTS * VIRTIO_BLK_SLOT_BYTES)
/* The ring region: the queue, and in its last 256 bytes each slot's header and status. */
#define VIRTIO_BLK_RING_BYTES	8192u
#define VIRTIO_BLK_HEADER_BYTES 32u /* a slot's header (16 bytes) and status byte */
#define VIRTIO_BLK_HEADERS_AT	(VIRTIO_BLK_RING_BYTES - VIRTIO_BLK_SLOTS * VIRTIO_BLK_HEADER_BYTES)
/* Blocks a Read or Write may move: every slot of a set once. */
#define VIRTIO_BLK_MAX_BLOCKS (VIRTIO_BLK_SET_SLOTS * VIRTIO_BLK_SLOT_BYTES / VIRTIO_BLK_SECTOR)
#define VIRTIO_BLK_WAIT_NS    10000000000ll /* for one completion */

/* Feature bits (virtio 1.1, 5.2.3) the driver uses. */
#define VIRTIO_BLK_F_RO	   (1ull << 5)
#define VIRTIO_BLK_F_FLUSH (1ull << 9)

/* Sectors read ahead into one set of slots, in flight or done. */
struct virtio_blk_ahead {
	uint64_t sector;
	uint32_t count;
	bool valid;
};

struct virtio_blk {
	struct virtio_device dev;
	struct virtq queue;
	volatile uint8_t *dma; /* VIRTIO_BLK_DMA_BYTES, the device's */
	uint64_t dma_phys;
	volatile uint8_t *headers; /* in the ring region, after the queue */
	uint64_t headers_phys;
	uint64_t capacity; /* in 512-byte sectors, from the configuration */
	bool read_only;
	bool flush; /* the device has a write cache that Flush empties */
	struct virtq_waiter waiter;
	uint16_t slot_head[VIRTIO_BLK_SLOTS];  /* the head of each slot's request in flight */
	uint32_t in_flight;		       /* slots whose requests the device holds */
	int32_t slot_result[VIRTIO_BLK_SLOTS]; /* of each slot's last request */
	uint64_t last_end;		       /* the sector after the last read */
	struct virtio_blk_ahead ahead[2];      /* one a set */
	int32_t failed; /* VIPER_OK, or why the device was given up (reset, no longer used) */
};

/*
 * Starts the device behind `bus`: negotiates RO and FLUSH, reads the
 * capacity, sets up queue 0 in `ring` (VIRTIO_BLK_RING_BYTES: the queue,
 * then the requests' headers at VIRTIO_BLK_HEADERS_AT) and takes `dma`
 * (VIRTIO_BLK_DMA_BYTES, page-aligned, physical below 4 GiB for a legacy
 * device) for its requests' data. Completions are waited for with
 * `waiter`. Errors: virtio_device_init's and virtq_setup's; VIPER_E_INVAL
 * for a region too small.
 */
int32_t virtio_blk_start(struct virtio_blk *blk, const struct virtio_bus *bus,
			 const struct virtq_memory *ring, const struct virtq_memory *dma,
			 const struct virtq_waiter *waiter);

/*
 * Reads (write false) or writes sectors [sector, sector + count) from or
 * to `data`, count * 512 bytes, count at most VIRTIO_BLK_MAX_BLOCKS.
 * Errors as interface block's Read and Write (interfaces/block.proto).
 */
int32_t virtio_blk_transfer(struct virtio_blk *blk, bool write, uint64_t sector, uint32_t count,
			    uint8_t *data);

/* Flushes the device's write cache (VIPER_OK at once when it has none). */
int32_t virtio_blk_flush(struct virtio_blk *blk);

extern const struct block_server virtio_blk_server;

#endif
