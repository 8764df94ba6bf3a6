/*
 * virtio_check: devices named by kind and DMA, checked with QEMU's
 * virtio-rng and virtio-blk (see README.md). Prints "virtio_check: N
 * passed, M failed".
 */
#include <viper/component.h>

#include "tally.viper.h"
#include "virtio_check_slots.h"

/* virtio-mmio registers (virtio 1.1, 4.2.2 and legacy 4.2.4). */
enum {
	REG_MAGIC = 0x000,
	REG_VERSION = 0x004,
	REG_DEVICE_ID = 0x008,
	REG_GUEST_FEATURES = 0x020,
	REG_GUEST_PAGE_SIZE = 0x028,
	REG_QUEUE_SEL = 0x030,
	REG_QUEUE_NUM_MAX = 0x034,
	REG_QUEUE_NUM = 0x038,
	REG_QUEUE_ALIGN = 0x03c,
	REG_QUEUE_PFN = 0x040,
	REG_QUEUE_NOTIFY = 0x050,
	REG_INTERRUPT_STATUS = 0x060,
	REG_INTERRUPT_ACK = 0x064,
	REG_STATUS = 0x070,
	REG_CONFIG = 0x100,
};

#define MAGIC	     0x74726976u
#define ID_BLK	     2u
#define ID_RNG	     4u
#define STATUS_READY 0x7u /* ACKNOWLEDGE | DRIVER | DRIVER_OK */
#define SLOT0_BASE   0x0a000000ull
#define SLOT0_IRQ    48u
#define PAGE	     VIPER_PAGE_SIZE
#define QUEUE_SIZE   8u
#define PART	     256u /* bytes in each of the two descriptors */
#define DESC_NEXT    1u
#define DESC_WRITE   2u
#define MS	     1000000ll

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

/* The legacy layout of a queue of QUEUE_SIZE: descriptors, available ring, then used ring on the
 * next page. */
struct vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[QUEUE_SIZE];
};

struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct {
		uint32_t id;
		uint32_t len;
	} ring[QUEUE_SIZE];
};

struct virtio_check {
	struct viper_slot *report;
	const struct viper_device *rng, *disk;
	const struct viper_dma *ring, *buffers;
	unsigned passed, failed;
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

static void set_reg(const struct viper_device *d, uint32_t offset, uint32_t value)
{
	((volatile uint32_t *)d->regs)[offset / 4] = value;
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

	if (d->regs == NULL || reg(d, REG_MAGIC) != MAGIC)
		return false;
	version = reg(d, REG_VERSION);
	return (version == 1 || version == 2) && reg(d, REG_DEVICE_ID) == id;
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
	check(c, reg(c->disk, REG_CONFIG) == 2048 && reg(c->disk, REG_CONFIG + 4) == 0,
	      "the disk is the 1 MiB scratch image (2048 sectors)");
	vc_log("virtio_check: rng in virtio%u, disk in virtio%u", slot_of(c->rng),
	       slot_of(c->disk));
}

/* Sets the legacy queue 0 of the rng up in the ring region; false if the device refuses. */
static bool rng_setup(struct virtio_check *c)
{
	const struct viper_device *d = c->rng;

	if (reg(d, REG_VERSION) != 1)
		return false; /* this check speaks the legacy interface, QEMU's default */
	set_reg(d, REG_STATUS, 0);
	set_reg(d, REG_STATUS, 1);
	set_reg(d, REG_STATUS, 3);
	set_reg(d, REG_GUEST_FEATURES, 0);
	set_reg(d, REG_GUEST_PAGE_SIZE, PAGE);
	set_reg(d, REG_QUEUE_SEL, 0);
	if (reg(d, REG_QUEUE_NUM_MAX) < QUEUE_SIZE)
		return false;
	set_reg(d, REG_QUEUE_NUM, QUEUE_SIZE);
	set_reg(d, REG_QUEUE_ALIGN, PAGE);
	set_reg(d, REG_QUEUE_PFN, (uint32_t)(c->ring->phys / PAGE));
	set_reg(d, REG_STATUS, STATUS_READY);
	return true;
}

/* Descriptor `i` for PART bytes at `offset` of the buffers, by its physical address. */
static bool describe(struct virtio_check *c, volatile struct vring_desc *desc, unsigned i,
		     uint64_t offset, bool more)
{
	uint64_t phys;

	if (vc_dma_phys(c->buffers, offset, &phys) != VIPER_OK ||
	    vc_dma_span(c->buffers, offset) < PART)
		return false;
	desc[i].addr = phys;
	desc[i].len = PART;
	desc[i].flags = (uint16_t)(DESC_WRITE | (more ? DESC_NEXT : 0));
	desc[i].next = (uint16_t)(more ? i + 1 : 0);
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

static void check_dma(struct virtio_check *c)
{
	volatile struct vring_desc *desc = c->ring->virt;
	volatile struct vring_avail *avail =
		(volatile struct vring_avail *)((uint8_t *)c->ring->virt + QUEUE_SIZE * 16);
	volatile struct vring_used *used =
		(volatile struct vring_used *)((uint8_t *)c->ring->virt + PAGE);
	const volatile uint8_t *bytes = c->buffers->virt;
	int32_t waited = VIPER_E_TIMEOUT;

	check(c, rng_setup(c), "the rng takes a legacy queue in the contiguous ring");
	/* 256 bytes at the end of page 0 and 256 at the start of page 1, each by its own address.
	 */
	check(c, describe(c, desc, 0, PAGE - PART, true) && describe(c, desc, 1, PAGE, false),
	      "each part of the buffer has a physical address");
	avail->ring[0] = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	avail->idx = 1;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	set_reg(c->rng, REG_QUEUE_NOTIFY, 0);
	/*
	 * The device may have finished before the wait: the line's interrupt
	 * stays pending until acknowledged, so the first wait sees it anyway.
	 */
	for (int tries = 0; tries < 100 && waited != VIPER_OK; tries++) {
		waited = vc_irq_wait(c->rng->irq, 10 * MS);
		set_reg(c->rng, REG_INTERRUPT_ACK, reg(c->rng, REG_INTERRUPT_STATUS));
		if (waited == VIPER_OK)
			vc_irq_ack(c->rng->irq);
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	check(c, waited == VIPER_OK, "the rng's interrupt comes on the granted IRQ line");
	check(c, used->idx == 1 && used->ring[0].id == 0 && used->ring[0].len == 2 * PART,
	      "the rng used the buffer: both descriptors, 512 bytes");
	check(c, any_nonzero(bytes + PAGE - PART, PART) && any_nonzero(bytes + PAGE, PART),
	      "random bytes landed in both pages through their physical addresses");
	check(c, !any_nonzero(bytes, PAGE - PART) && !any_nonzero(bytes + PAGE + PART, PAGE - PART),
	      "and nowhere else");
	set_reg(c->rng, REG_STATUS, 0); /* reset: the device lets go of the queue */
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
