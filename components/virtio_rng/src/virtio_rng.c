/* virtio_rng: see include/virtio_rng/virtio_rng.h. */
#include <virtio_rng/virtio_rng.h>

#include <viper/component.h>

#include "virtio_rng_slots.h"

#define WAIT_NS 1000000000ll /* for one completion */

int32_t virtio_rng_start(struct virtio_rng *rng, const struct virtio_bus *bus,
			 const struct virtq_memory *ring, volatile uint8_t *buffer,
			 uint64_t buffer_phys, const struct virtq_waiter *waiter)
{
	int32_t err = virtio_device_init(&rng->dev, bus, VIRTIO_RNG_DEVICE_ID, 0, 0);

	if (err)
		return err;
	err = virtq_setup(&rng->queue, &rng->dev, 0, VIRTIO_RNG_QUEUE_SIZE, ring);
	if (err) {
		virtio_device_fail(&rng->dev);
		return err;
	}
	rng->buffer = buffer;
	rng->buffer_phys = buffer_phys;
	rng->waiter = *waiter;
	rng->failed = VIPER_OK;
	rng->pooled = 0;
	rng->refills = 0;
	virtio_device_ready(&rng->dev);
	return VIPER_OK;
}

/*
 * Gives up on the device, which misbehaved or kept a request past its
 * deadline: it is reset, so it stops writing into the buffer, and every
 * later Read gets `err` too.
 */
static int32_t give_up(struct virtio_rng *rng, int32_t err)
{
	rng->failed = err;
	virtio_device_reset(&rng->dev);
	vc_memset(rng->pool, 0, sizeof(rng->pool));
	rng->pooled = 0;
	return err;
}

int32_t virtio_rng_fill(struct virtio_rng *rng, uint8_t *out, uint32_t len)
{
	uint32_t got = 0;

	if (len == 0 || len > VIRTIO_RNG_POOL)
		return VIPER_E_RANGE;
	if (rng->failed)
		return rng->failed;
	for (unsigned n = 0; n < VIRTIO_RNG_MAX_REQUESTS && got < len; n++) {
		struct virtq_part part = {rng->buffer_phys, len - got, true};
		uint16_t head, done;
		uint32_t written;
		int32_t err = virtq_submit(&rng->queue, &part, 1, &head);

		if (err == VIPER_OK) {
			virtq_kick(&rng->queue);
			err = virtq_wait_used(&rng->queue, &rng->waiter, &done, &written);
		}
		if (err == VIPER_OK && done != head)
			err = VIPER_E_CORRUPT; /* the only request in flight is this one */
		if (err)
			return give_up(rng, err == VIPER_E_CORRUPT ? err : VIPER_E_TIMEOUT);
		/* At most what the request let it write: the queue checked the length. */
		for (uint32_t i = 0; i < written; i++) {
			out[got + i] = rng->buffer[i];
			rng->buffer[i] = 0; /* no second copy of what is given */
		}
		got += written;
	}
	return got == len ? VIPER_OK : VIPER_E_TIMEOUT; /* the device is fine, just slow */
}

int32_t virtio_rng_take(struct virtio_rng *rng, uint8_t *out, uint32_t len)
{
	int32_t err;

	if (len == 0 || len > VIRTIO_RNG_MAX_READ)
		return VIPER_E_RANGE;
	if (rng->failed)
		return rng->failed;
	if (rng->pooled < len) {
		rng->pooled = 0;
		err = virtio_rng_fill(rng, rng->pool, VIRTIO_RNG_POOL);
		if (err) {
			vc_memset(rng->pool, 0, sizeof(rng->pool));
			return err;
		}
		rng->pooled = VIRTIO_RNG_POOL;
		rng->refills++;
	}
	rng->pooled -= len;
	vc_memcpy(out, rng->pool + rng->pooled, len);
	vc_memset(rng->pool + rng->pooled, 0, len); /* given once */
	return VIPER_OK;
}

static int32_t read_entropy(void *self, struct viper_rpc_context *ctx,
			    const viper_entropy_ReadRequest *req, viper_entropy_ReadReply *rep)
{
	struct virtio_rng *rng = self;
	int32_t err;

	(void)ctx;
	err = virtio_rng_take(rng, rep->data.bytes, req->length);
	if (err)
		return err;
	rep->data.size = (pb_size_t)req->length;
	return VIPER_OK;
}

const struct entropy_server virtio_rng_server = {
	.read = read_entropy,
};

/* The component's interrupt wait, over its device grant. */

static int32_t irq_wait(void *context)
{
	return vc_irq_wait(((const struct viper_device *)context)->irq, WAIT_NS);
}

static int32_t irq_ack(void *context)
{
	return vc_irq_ack(((const struct viper_device *)context)->irq);
}

static int32_t virtio_rng_init(void *state, const struct viper_instance_env *env)
{
	struct virtio_rng *rng = state;
	const struct viper_device *d = &env->devices[VIRTIO_RNG_DEVICE_RNG];
	const struct viper_dma *ring = &env->dma[VIRTIO_RNG_DMA_RING];
	const struct viper_dma *buffer = &env->dma[VIRTIO_RNG_DMA_BUFFER];

	if (env->device_count != VIRTIO_RNG_DEVICE_COUNT ||
	    env->dma_count != VIRTIO_RNG_DMA_COUNT || d->regs == NULL || d->size < 0x200 ||
	    d->irq == VIPER_HANDLE_INVALID || ring->virt == NULL || !ring->contiguous ||
	    buffer->virt == NULL || !buffer->contiguous || buffer->size < VIRTIO_RNG_POOL)
		return VIPER_E_INVAL;
	const struct virtio_bus bus = virtio_mmio_bus(d->regs);
	const struct virtq_memory mem = {ring->virt, ring->phys, ring->size};
	const struct virtq_waiter waiter = {irq_wait, irq_ack, (void *)d};
	int32_t err = virtio_rng_start(rng, &bus, &mem, buffer->virt, buffer->phys, &waiter);
	if (err)
		vc_log("%s: the virtio entropy device does not start: %d", env->name, err);
	return err;
}

VIPER_COMPONENT(virtio_rng) = {
	.name = "virtio_rng",
	.state_size = sizeof(struct virtio_rng),
	.init = virtio_rng_init,
	.provides = {{.interface = &entropy_interface, .ops = &virtio_rng_server}},
	.provide_count = 1,
};
