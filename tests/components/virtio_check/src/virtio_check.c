/*
 * virtio_check: devices named by kind and DMA, checked with QEMU's
 * virtio-rng and virtio-blk (see README.md); the rng is driven through the
 * virtio transport library (//platform/virtio), so this also checks it
 * against a real device. Prints "virtio_check: N passed, M failed".
 */
#include <viper/component.h>
#include <viper/virtq.h>

#include "tally.viper.h"
#include "virtio_check_slots.h"

#define ID_BLK	   2u
#define ID_RNG	   4u
#define SLOT0_BASE 0x0a000000ull
#define SLOT0_IRQ  48u
#define PAGE	   VIPER_PAGE_SIZE
#define QUEUE_SIZE 8u
#define PART	   256u /* bytes in each of the two parts */
#define MS	   1000000ll

struct virtio_check {
	struct viper_slot *report;
	const struct viper_device *rng, *disk;
	const struct viper_dma *ring, *buffers;
	unsigned passed, failed;
	struct virtio_device rng_dev; /* driven through //platform/virtio */
	struct virtq rng_queue;
};

static void check(struct virtio_check *c, bool ok, const char *what)
{
	if (ok) {
		c->passed++;
	} else {
		c->failed++;
		vc_log("virtio_check: FAIL %s", what);
	}
}

static uint32_t reg(const struct viper_device *d, uint32_t offset)
{
	return ((volatile const uint32_t *)d->regs)[offset / 4];
}

static int32_t virtio_check_init(void *state, const struct viper_instance_env *env)
{
	struct virtio_check *c = state;

	if (env->slot_count != VIRTIO_CHECK_SLOT_COUNT ||
	    env->device_count != VIRTIO_CHECK_DEVICE_COUNT ||
	    env->dma_count != VIRTIO_CHECK_DMA_COUNT)
		return VIPER_E_INVAL;
	c->report = env->slots[VIRTIO_CHECK_SLOT_REPORT];
	c->rng = &env->devices[VIRTIO_CHECK_DEVICE_RNG];
	c->disk = &env->devices[VIRTIO_CHECK_DEVICE_DISK];
	c->ring = &env->dma[VIRTIO_CHECK_DMA_RING];
	c->buffers = &env->dma[VIRTIO_CHECK_DMA_BUFFERS];
	return VIPER_OK;
}

static unsigned slot_of(const struct viper_device *d)
{
	return (unsigned)((d->phys - SLOT0_BASE) / 0x200);
}

static bool holds(const struct viper_device *d, uint32_t id)
{
	uint32_t version;

	if (d->regs == NULL || reg(d, VIRTIO_MMIO_MAGIC) != VIRTIO_MMIO_MAGIC_VALUE)
		return false;
	version = reg(d, VIRTIO_MMIO_VERSION);
	return (version == 1 || version == 2) && reg(d, VIRTIO_MMIO_DEVICE_ID) == id;
}

static void check_slots(struct virtio_check *c)
{
	check(c, holds(c->rng, ID_RNG), "the rng slot holds a virtio-rng (device ID 4)");
	check(c, holds(c->disk, ID_BLK), "the disk slot holds a virtio-blk (device ID 2)");
	check(c, c->rng->phys != c->disk->phys, "the two are in different slots");
	check(c,
	      c->rng->irq != VIPER_HANDLE_INVALID &&
		      c->rng->irq_line == SLOT0_IRQ + slot_of(c->rng) &&
		      c->disk->irq != VIPER_HANDLE_INVALID &&
		      c->disk->irq_line == SLOT0_IRQ + slot_of(c->disk),
	      "each comes with its slot's IRQ line");
	/* Legacy config space: le64 capacity in 512-byte sectors; the scratch image is 1 MiB. */
	check(c,
	      reg(c->disk, VIRTIO_MMIO_CONFIG) == 2048 && reg(c->disk, VIRTIO_MMIO_CONFIG + 4) == 0,
	      "the disk is the 1 MiB scratch image (2048 sectors)");
	vc_log("virtio_check: rng in virtio%u, disk in virtio%u", slot_of(c->rng),
	       slot_of(c->disk));
}

/* Sets the rng's queue 0 up in the ring region with the transport library; false if refused. */
static bool rng_setup(struct virtio_check *c)
{
	const struct virtio_bus bus = virtio_mmio_bus(c->rng->regs);
	const struct virtq_memory ring = {c->ring->virt, c->ring->phys, c->ring->size};

	if (virtio_device_init(&c->rng_dev, &bus, ID_RNG, 0, 0) != VIPER_OK ||
	    virtq_setup(&c->rng_queue, &c->rng_dev, 0, QUEUE_SIZE, &ring) != VIPER_OK)
		return false;
	virtio_device_ready(&c->rng_dev);
	return true;
}

/* Part `i` of the request: PART bytes at `offset` of the buffers, by its physical address. */
static bool describe(struct virtio_check *c, struct virtq_part *part, uint64_t offset)
{
	uint64_t phys;

	if (vc_dma_phys(c->buffers, offset, &phys) != VIPER_OK ||
	    vc_dma_span(c->buffers, offset) < PART)
		return false;
	*part = (struct virtq_part){phys, PART, true};
	return true;
}

static bool any_nonzero(const volatile uint8_t *p, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (p[i] != 0)
			return true;
	}
	return false;
}

/*
 * The rng's interrupt: the device may have finished before the wait, but
 * the line's interrupt stays pending until acknowledged, so a wait sees it
 * anyway; a hundred waits of 10 ms before giving up.
 */
static int32_t rng_wait(void *context)
{
	const struct viper_device *d = context;
	int32_t waited = VIPER_E_TIMEOUT;

	for (int tries = 0; tries < 100 && waited != VIPER_OK; tries++)
		waited = vc_irq_wait(d->irq, 10 * MS);
	return waited;
}

static int32_t rng_ack(void *context)
{
	return vc_irq_ack(((const struct viper_device *)context)->irq);
}

static void check_dma(struct virtio_check *c)
{
	const volatile uint8_t *bytes = c->buffers->virt;
	const struct virtq_waiter waiter = {rng_wait, rng_ack, (void *)c->rng};
	struct virtq_part parts[2];
	uint16_t head = 0, done = VIRTQ_MAX_SIZE;
	uint32_t written = 0;
	int32_t waited = VIPER_E_TIMEOUT;
	bool ready = rng_setup(c);

	check(c, ready, "the rng takes a queue in the contiguous ring");
	/* 256 bytes at the end of page 0 and 256 at the start of page 1, each by its own address.
	 */
	bool described = describe(c, &parts[0], PAGE - PART) && describe(c, &parts[1], PAGE);
	check(c, described, "each part of the buffer has a physical address");
	if (ready && described && virtq_submit(&c->rng_queue, parts, 2, &head) == VIPER_OK) {
		virtq_kick(&c->rng_queue);
		waited = virtq_wait_used(&c->rng_queue, &waiter, &done, &written);
	}
	check(c, waited == VIPER_OK, "the rng's interrupt comes on the granted IRQ line");
	check(c, done == head && written == 2 * PART,
	      "the rng used the buffer: both descriptors, 512 bytes");
	check(c, any_nonzero(bytes + PAGE - PART, PART) && any_nonzero(bytes + PAGE, PART),
	      "random bytes landed in both pages through their physical addresses");
	check(c, !any_nonzero(bytes, PAGE - PART) && !any_nonzero(bytes + PAGE + PART, PAGE - PART),
	      "and nowhere else");
	virtio_device_reset(&c->rng_dev); /* the device lets go of the queue */
}

static int32_t virtio_check_run(void *state)
{
	struct virtio_check *c = state;
	viper_tally_AddRequest add;
	viper_tally_AddReply added;
	viper_tally_DoneRequest done = viper_tally_DoneRequest_init_default;
	viper_tally_DoneReply done_rep;

	check_slots(c);
	if (holds(c->rng, ID_RNG) && c->ring->virt && c->buffers->virt)
		check_dma(c);
	vc_log("virtio_check: %u passed, %u failed", c->passed, c->failed);
	add.amount = c->passed;
	if (tally_add(c->report, &add, &added) != VIPER_OK || added.total < c->passed ||
	    tally_done(c->report, &done, &done_rep) != VIPER_OK)
		vc_log("virtio_check: FAIL reporting to the tally");
	return c->failed == 0 ? VIPER_OK : VIPER_E_CORRUPT;
}

VIPER_COMPONENT(virtio_check) = {
	.name = "virtio_check",
	.state_size = sizeof(struct virtio_check),
	.slot_count = VIRTIO_CHECK_SLOT_COUNT,
	.init = virtio_check_init,
	.run = virtio_check_run,
};
