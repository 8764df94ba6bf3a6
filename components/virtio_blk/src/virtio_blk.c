/* virtio_blk: see include/virtio_blk/virtio_blk.h. */
#include <virtio_blk/virtio_blk.h>

#include <viper/block_request.h>
#include <viper/component.h>

#include "virtio_blk_slots.h"

/* Request types and status values (virtio 1.1, 5.2.6). */
#define BLK_T_IN      0u
#define BLK_T_OUT     1u
#define BLK_T_FLUSH   4u
#define BLK_S_OK      0u
#define BLK_S_IOERR   1u
#define BLK_S_UNSUPP  2u
#define STATUS_UNSET  0xffu /* what the driver leaves before the device answers */
#define STATUS_OFFSET 16u
#define SLOT_SECTORS  (VIRTIO_BLK_SLOT_BYTES / VIRTIO_BLK_SECTOR)
/* The slots of set `k` (0 or 1). */
#define SET_SLOTS(k) (((1u << VIRTIO_BLK_SET_SLOTS) - 1u) << ((k)*VIRTIO_BLK_SET_SLOTS))
#define AHEAD_MIN    128u /* sectors a read moves at least for the next to be read ahead */
#define AHEAD_GAP    64u  /* sectors a read may skip after the last and still be sequential */

int32_t virtio_blk_start(struct virtio_blk *blk, const struct virtio_bus *bus,
			 const struct virtq_memory *ring, const struct virtq_memory *dma,
			 const struct virtq_waiter *waiter)
{
	uint64_t capacity;
	int32_t err;

	if (dma->size < VIRTIO_BLK_DMA_BYTES || dma->phys % 4096 != 0 ||
	    ring->size < VIRTIO_BLK_RING_BYTES ||
	    virtq_memory_bytes(VIRTIO_BLK_QUEUE_SIZE) > VIRTIO_BLK_HEADERS_AT)
		return VIPER_E_INVAL;
	err = virtio_device_init(&blk->dev, bus, VIRTIO_BLK_DEVICE_ID,
				 VIRTIO_BLK_F_RO | VIRTIO_BLK_F_FLUSH, 0);
	if (err)
		return err;
	err = virtio_config_read(&blk->dev, 0, 8, &capacity);
	if (err == VIPER_OK)
		err = virtq_setup(&blk->queue, &blk->dev, 0, VIRTIO_BLK_QUEUE_SIZE, ring);
	if (err) {
		virtio_device_fail(&blk->dev);
		return err;
	}
	blk->dma = dma->virt;
	blk->dma_phys = dma->phys;
	blk->headers = (volatile uint8_t *)ring->virt + VIRTIO_BLK_HEADERS_AT;
	blk->headers_phys = ring->phys + VIRTIO_BLK_HEADERS_AT;
	blk->capacity = capacity;
	blk->read_only = (blk->dev.features & VIRTIO_BLK_F_RO) != 0;
	blk->flush = (blk->dev.features & VIRTIO_BLK_F_FLUSH) != 0;
	blk->waiter = *waiter;
	blk->failed = VIPER_OK;
	blk->in_flight = 0;
	blk->ahead[0] = blk->ahead[1] = (struct virtio_blk_ahead){0};
	blk->last_end = UINT64_MAX; /* no read yet to follow */
	virtio_device_ready(&blk->dev);
	return VIPER_OK;
}

/*
 * Gives up on the device, which misbehaved or kept a request past its
 * deadline: it is reset, so it stops using the DMA memory, and every later
 * call gets `err` too.
 */
static int32_t give_up(struct virtio_blk *blk, int32_t err)
{
	blk->failed = err;
	blk->in_flight = 0;
	blk->ahead[0].valid = blk->ahead[1].valid = false;
	virtio_device_reset(&blk->dev);
	return err;
}

static volatile uint8_t *slot_data(const struct virtio_blk *blk, unsigned slot)
{
	return blk->dma + slot * VIRTIO_BLK_SLOT_BYTES;
}

/* Makes slot `slot`'s request available: `bytes` of data (0 for a flush) at `sector`. */
static int32_t submit(struct virtio_blk *blk, unsigned slot, uint32_t type, uint64_t sector,
		      uint32_t bytes)
{
	volatile uint8_t *header = blk->headers + slot * VIRTIO_BLK_HEADER_BYTES;
	uint64_t header_phys = blk->headers_phys + slot * VIRTIO_BLK_HEADER_BYTES;
	struct virtq_part parts[3];
	unsigned n = 0;

	*(volatile uint32_t *)header = type;
	*(volatile uint32_t *)(header + 4) = 0;
	*(volatile uint64_t *)(header + 8) = sector;
	header[STATUS_OFFSET] = STATUS_UNSET;
	parts[n++] = (struct virtq_part){header_phys, 16, false};
	if (bytes)
		parts[n++] = (struct virtq_part){blk->dma_phys + slot * VIRTIO_BLK_SLOT_BYTES,
						 bytes, type == BLK_T_IN};
	parts[n++] = (struct virtq_part){header_phys + STATUS_OFFSET, 1, true};
	int32_t err = virtq_submit(&blk->queue, parts, n, &blk->slot_head[slot]);
	if (err == VIPER_OK)
		blk->in_flight |= 1u << slot;
	return err;
}

/* Which slot of the `pending` ones heads request `head`; VIRTIO_BLK_SLOTS for none. */
static unsigned slot_of(const struct virtio_blk *blk, uint32_t pending, uint16_t head)
{
	for (unsigned slot = 0; slot < VIRTIO_BLK_SLOTS; slot++)
		if ((pending & (1u << slot)) && blk->slot_head[slot] == head)
			return slot;
	return VIRTIO_BLK_SLOTS;
}

/* Takes one completion: its slot leaves in_flight with its request's result. */
static int32_t complete_one(struct virtio_blk *blk)
{
	uint16_t head;
	uint32_t written;
	int32_t err = virtq_wait_used(&blk->queue, &blk->waiter, &head, &written);
	unsigned slot;

	if (err)
		return give_up(blk, err == VIPER_E_CORRUPT ? err : VIPER_E_TIMEOUT);
	slot = slot_of(blk, blk->in_flight, head);
	if (slot == VIRTIO_BLK_SLOTS)
		return give_up(blk, VIPER_E_CORRUPT); /* not in flight */
	blk->in_flight &= ~(1u << slot);
	switch (blk->headers[slot * VIRTIO_BLK_HEADER_BYTES + STATUS_OFFSET]) {
	case BLK_S_OK:
		blk->slot_result[slot] = VIPER_OK;
		return VIPER_OK;
	case BLK_S_IOERR:
		blk->slot_result[slot] = VIPER_E_IO;
		return VIPER_OK;
	case BLK_S_UNSUPP:
		blk->slot_result[slot] = VIPER_E_UNSUPPORTED;
		return VIPER_OK;
	default: /* no status it may give, or none at all */
		return give_up(blk, VIPER_E_CORRUPT);
	}
}

/*
 * Waits until the requests of the slots in `slots` are complete, in any
 * order (completions of other slots in flight are kept for them), and
 * returns VIPER_OK, VIPER_E_IO when the device failed one,
 * VIPER_E_UNSUPPORTED when it did not know one, or the error it was given
 * up with.
 */
static int32_t collect(struct virtio_blk *blk, uint32_t slots)
{
	int32_t result = VIPER_OK;

	while (blk->in_flight & slots) {
		int32_t err = complete_one(blk);
		if (err)
			return err;
	}
	for (unsigned slot = 0; slot < VIRTIO_BLK_SLOTS; slot++) {
		if (!(slots & (1u << slot)))
			continue;
		if (blk->slot_result[slot] == VIPER_E_IO)
			result = VIPER_E_IO;
		else if (blk->slot_result[slot] && result == VIPER_OK)
			result = blk->slot_result[slot];
	}
	return result;
}

static void copy_to_device(volatile uint8_t *dst, const uint8_t *src, uint32_t n)
{
	vc_memcpy((void *)dst, src, n);
}

static void copy_from_device(uint8_t *dst, const volatile uint8_t *src, uint32_t n)
{
	vc_memcpy(dst, (const void *)src, n);
}

/*
 * Makes the request for sectors [sector, sector + count) in the slots from
 * `first` on, one a slot, copying a write's `data` in, and notifies the
 * device; *slots says which.
 */
static int32_t start_set(struct virtio_blk *blk, unsigned first, uint32_t type, uint64_t sector,
			 uint32_t count, const uint8_t *data, uint32_t *slots)
{
	*slots = 0;
	for (unsigned k = 0; k * SLOT_SECTORS < count; k++) {
		uint32_t at = k * SLOT_SECTORS;
		uint32_t n = count - at < SLOT_SECTORS ? count - at : SLOT_SECTORS;
		if (data)
			copy_to_device(slot_data(blk, first + k), data + at * VIRTIO_BLK_SECTOR,
				       n * VIRTIO_BLK_SECTOR);
		if (submit(blk, first + k, type, sector + at, n * VIRTIO_BLK_SECTOR))
			return give_up(
				blk, VIPER_E_CORRUPT); /* it has room: only a broken one refuses */
		*slots |= 1u << (first + k);
	}
	virtq_kick(&blk->queue);
	return VIPER_OK;
}

static void copy_set_out(const struct virtio_blk *blk, unsigned first, uint32_t count,
			 uint8_t *data)
{
	for (unsigned k = 0; k * SLOT_SECTORS < count; k++) {
		uint32_t at = k * SLOT_SECTORS;
		uint32_t n = count - at < SLOT_SECTORS ? count - at : SLOT_SECTORS;
		copy_from_device(data + at * VIRTIO_BLK_SECTOR, slot_data(blk, first + k),
				 n * VIRTIO_BLK_SECTOR);
	}
}

/* Ends the read-ahead: waits for what of it is in flight, and forgets it. */
static int32_t drop_ahead(struct virtio_blk *blk)
{
	for (unsigned k = 0; k < 2; k++) {
		if (blk->ahead[k].valid)
			(void)collect(blk, SET_SLOTS(k)); /* its own errors are nobody's */
		blk->ahead[k].valid = false;
	}
	return blk->failed;
}

/* The set reading ahead from `sector`, else a free set, else 2 for none. */
static unsigned ahead_set(const struct virtio_blk *blk, uint64_t sector)
{
	for (unsigned k = 0; k < 2; k++)
		if (blk->ahead[k].valid && blk->ahead[k].sector == sector)
			return k;
	return !blk->ahead[0].valid ? 0 : !blk->ahead[1].valid ? 1 : 2;
}

/*
 * Keeps both sets reading ahead, `count` sectors each, from `next` on:
 * a set already reading the range that comes next stays; a free one
 * starts on the range after the last. Nothing is waited for.
 */
static void read_ahead(struct virtio_blk *blk, uint64_t next, uint32_t count)
{
	for (unsigned round = 0; round < 2 && next < blk->capacity; round++) {
		unsigned k = ahead_set(blk, next);
		uint32_t n =
			count < blk->capacity - next ? count : (uint32_t)(blk->capacity - next);
		uint32_t slots;
		if (k == 2)
			return; /* both busy with other ranges */
		if (!blk->ahead[k].valid) {
			if (start_set(blk, k * VIRTIO_BLK_SET_SLOTS, BLK_T_IN, next, n, NULL,
				      &slots))
				return;
			blk->ahead[k] = (struct virtio_blk_ahead){next, n, true};
		}
		next = blk->ahead[k].sector + blk->ahead[k].count;
	}
}

/* Answers a read from the set that read it ahead, if one did and the device did not fail it. */
static bool read_from_ahead(struct virtio_blk *blk, uint64_t sector, uint32_t count, uint8_t *data)
{
	for (unsigned k = 0; k < 2; k++) {
		struct virtio_blk_ahead *a = &blk->ahead[k];
		if (!a->valid || a->sector != sector || count > a->count)
			continue;
		if (collect(blk, SET_SLOTS(k)) != VIPER_OK)
			return false;
		a->valid = false;
		copy_set_out(blk, k * VIRTIO_BLK_SET_SLOTS, count, data);
		return true;
	}
	return false;
}

static int32_t read_sectors(struct virtio_blk *blk, uint64_t sector, uint32_t count, uint8_t *data)
{
	bool sequential = sector >= blk->last_end && sector - blk->last_end <= AHEAD_GAP;
	uint32_t slots;
	int32_t err;

	blk->last_end = sector + count;
	if (read_from_ahead(blk, sector, count, data)) {
		if (count >= AHEAD_MIN)
			read_ahead(blk, sector + count, count);
		return VIPER_OK;
	}
	err = drop_ahead(blk); /* another read's, or failed: this one asks the device itself */
	if (err == VIPER_OK)
		err = start_set(blk, 0, BLK_T_IN, sector, count, NULL, &slots);
	if (err == VIPER_OK)
		err = collect(blk, slots);
	if (err == VIPER_E_UNSUPPORTED)
		err = VIPER_E_IO; /* reads are every device's */
	if (err)
		return err;
	copy_set_out(blk, 0, count, data);
	if (sequential && count >= AHEAD_MIN)
		read_ahead(blk, sector + count, count);
	return VIPER_OK;
}

int32_t virtio_blk_transfer(struct virtio_blk *blk, bool write, uint64_t sector, uint32_t count,
			    uint8_t *data)
{
	uint32_t slots;
	int32_t err = block_request_check(blk->capacity, VIRTIO_BLK_SECTOR, VIRTIO_BLK_MAX_BLOCKS,
					  sector, count, (uint64_t)count * VIRTIO_BLK_SECTOR);

	if (err)
		return err;
	if (blk->failed)
		return blk->failed;
	if (!write)
		return read_sectors(blk, sector, count, data);
	if (blk->read_only)
		return VIPER_E_READONLY;
	err = drop_ahead(blk); /* it may hold what this write replaces */
	if (err == VIPER_OK)
		err = start_set(blk, 0, BLK_T_OUT, sector, count, data, &slots);
	if (err == VIPER_OK)
		err = collect(blk, slots);
	return err == VIPER_E_UNSUPPORTED ? VIPER_E_IO : err; /* writes are every device's */
}

int32_t virtio_blk_flush(struct virtio_blk *blk)
{
	int32_t err;

	if (blk->failed)
		return blk->failed;
	if (!blk->flush)
		return VIPER_OK; /* no write cache: every write is stable when answered */
	err = drop_ahead(blk);	 /* slot 0 may be the read-ahead's */
	if (err)
		return err;
	err = submit(blk, 0, BLK_T_FLUSH, 0, 0);
	if (err)
		return give_up(blk, VIPER_E_CORRUPT);
	virtq_kick(&blk->queue);
	err = collect(blk, 1u);
	return err == VIPER_E_UNSUPPORTED ? VIPER_E_IO : err; /* it offered FLUSH */
}

/* Interface block. */

static int32_t serve_info(void *self, struct viper_rpc_context *ctx,
			  const viper_block_InfoRequest *req, viper_block_InfoReply *rep)
{
	const struct virtio_blk *blk = self;

	(void)ctx;
	(void)req;
	rep->block_count = blk->capacity;
	rep->block_bytes = VIRTIO_BLK_SECTOR;
	rep->max_blocks = VIRTIO_BLK_MAX_BLOCKS;
	rep->read_only = blk->read_only;
	rep->volatile_cache = blk->flush;
	vc_memcpy(rep->model, "virtio-blk", sizeof("virtio-blk"));
	return VIPER_OK;
}

/* Checks a Read or Write and maps its lease: VIPER_OK and *data, or the error. */
static int32_t lent_bytes(const struct virtio_blk *blk, struct viper_rpc_context *ctx,
			  uint64_t block, uint32_t count, uint8_t **data)
{
	return block_request_lease(ctx, blk->capacity, VIRTIO_BLK_SECTOR, VIRTIO_BLK_MAX_BLOCKS,
				   block, count, data);
}

static int32_t serve_read(void *self, struct viper_rpc_context *ctx,
			  const viper_block_ReadRequest *req, viper_block_ReadReply *rep)
{
	struct virtio_blk *blk = self;
	uint8_t *data;
	int32_t err = lent_bytes(blk, ctx, req->block, req->count, &data);

	(void)rep;
	return err ? err : virtio_blk_transfer(blk, false, req->block, req->count, data);
}

static int32_t serve_write(void *self, struct viper_rpc_context *ctx,
			   const viper_block_WriteRequest *req, viper_block_WriteReply *rep)
{
	struct virtio_blk *blk = self;
	uint8_t *data;
	int32_t err = lent_bytes(blk, ctx, req->block, req->count, &data);

	(void)rep;
	return err ? err : virtio_blk_transfer(blk, true, req->block, req->count, data);
}

static int32_t serve_flush(void *self, struct viper_rpc_context *ctx,
			   const viper_block_FlushRequest *req, viper_block_FlushReply *rep)
{
	(void)ctx;
	(void)req;
	(void)rep;
	return virtio_blk_flush(self);
}

const struct block_server virtio_blk_server = {
	.info = serve_info,
	.read = serve_read,
	.write = serve_write,
	.flush = serve_flush,
};

/* The component's interrupt wait, over its device grant. */

static int32_t irq_wait(void *context)
{
	return vc_irq_wait(((const struct viper_device *)context)->irq, VIRTIO_BLK_WAIT_NS);
}

static int32_t irq_ack(void *context)
{
	return vc_irq_ack(((const struct viper_device *)context)->irq);
}

static int32_t virtio_blk_init(void *state, const struct viper_instance_env *env)
{
	struct virtio_blk *blk = state;
	const struct viper_device *d = &env->devices[VIRTIO_BLK_DEVICE_DISK];
	const struct viper_dma *ring = &env->dma[VIRTIO_BLK_DMA_RING];
	const struct viper_dma *buffers = &env->dma[VIRTIO_BLK_DMA_BUFFERS];

	if (env->device_count != VIRTIO_BLK_DEVICE_COUNT ||
	    env->dma_count != VIRTIO_BLK_DMA_COUNT || d->regs == NULL || d->size < 0x200 ||
	    d->irq == VIPER_HANDLE_INVALID || ring->virt == NULL || !ring->contiguous ||
	    buffers->virt == NULL || !buffers->contiguous)
		return VIPER_E_INVAL;
	const struct virtio_bus bus = virtio_mmio_bus(d->regs);
	const struct virtq_memory rmem = {ring->virt, ring->phys, ring->size};
	const struct virtq_memory bmem = {buffers->virt, buffers->phys, buffers->size};
	const struct virtq_waiter waiter = {irq_wait, irq_ack, (void *)d};
	int32_t err = virtio_blk_start(blk, &bus, &rmem, &bmem, &waiter);
	if (err)
		vc_log("%s: the virtio block device does not start: %d", env->name, err);
	else
		vc_log("%s: virtio-blk, %llu sectors%s%s", env->name,
		       (unsigned long long)blk->capacity, blk->read_only ? ", read-only" : "",
		       blk->flush ? ", write cache" : "");
	return err;
}

VIPER_COMPONENT(virtio_blk) = {
	.name = "virtio_blk",
	.state_size = sizeof(struct virtio_blk),
	.init = virtio_blk_init,
	.provides = {{.interface = &block_interface, .ops = &virtio_blk_server}},
	.provide_count = 1,
};
