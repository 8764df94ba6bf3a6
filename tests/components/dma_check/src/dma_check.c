/*
 * dma_check: the DMA regions an instance is granted, checked in the
 * placement it runs in (see README.md). Prints "dma_check: N passed, M
 * failed".
 */
#include <viper/component.h>

#include "dma_check_slots.h"
#include "tally.viper.h"

#define PAGE	     VIPER_PAGE_SIZE
#define RING_BYTES   16384u
#define BUFFER_BYTES 65536u
/* QEMU virt's RAM starts at 1 GiB; the tests give the machine at most 1 GiB of it. */
#define RAM_BASE 0x40000000ull
#define RAM_END	 0x80000000ull
#define LISTED	 64

struct dma_check {
	struct viper_slot *report;
	const struct viper_dma *ring, *buffers;
	unsigned dma_count;
	unsigned passed, failed;
	struct viper_handle_entry listed[LISTED];
};

static void check(struct dma_check *c, bool ok, const char *what)
{
	if (ok) {
		c->passed++;
	} else {
		c->failed++;
		vc_log("dma_check: FAIL %s", what);
	}
}

static int32_t dma_check_init(void *state, const struct viper_instance_env *env)
{
	struct dma_check *c = state;

	if (env->slot_count != DMA_CHECK_SLOT_COUNT)
		return VIPER_E_INVAL;
	c->report = env->slots[DMA_CHECK_SLOT_REPORT];
	c->ring = &env->dma[DMA_CHECK_DMA_RING];
	c->buffers = &env->dma[DMA_CHECK_DMA_BUFFERS];
	c->dma_count = env->dma_count;
	return VIPER_OK;
}

static bool all_zero(const struct viper_dma *d)
{
	const volatile uint8_t *p = d->virt;

	for (uint64_t i = 0; i < d->size; i++) {
		if (p[i] != 0)
			return false;
	}
	return true;
}

static bool in_ram(uint64_t phys, uint64_t size)
{
	return phys >= RAM_BASE && phys < RAM_END && size <= RAM_END - phys;
}

/* Every page of `d`: vc_dma_phys agrees with the kernel, mid-page too, and lies in RAM. */
static bool agrees_with_kernel(const struct viper_dma *d)
{
	uint64_t mine, kernels;

	for (uint64_t off = 0; off < d->size; off += PAGE) {
		for (uint64_t at = off; at < off + PAGE; at += PAGE - 1) {
			if (vc_dma_phys(d, at, &mine) != VIPER_OK ||
			    vc_memory_physical(d->memory, at, &kernels) != VIPER_OK ||
			    mine != kernels || !in_ram(mine, 1))
				return false;
		}
	}
	return vc_dma_phys(d, d->size, &mine) == VIPER_E_RANGE &&
	       vc_memory_physical(d->memory, d->size, &kernels) == VIPER_E_RANGE;
}

static void check_shapes(struct dma_check *c)
{
	const struct viper_dma *r = c->ring, *b = c->buffers;

	check(c, c->dma_count == DMA_CHECK_DMA_COUNT, "two DMA regions, in need order");
	check(c, r->virt != NULL && r->size == RING_BYTES && r->contiguous && r->pages == NULL,
	      "the ring: mapped, 16 KiB, contiguous");
	check(c, b->virt != NULL && b->size == BUFFER_BYTES && !b->contiguous && b->pages != NULL,
	      "the buffers: mapped, 64 KiB, scatter-gather with a page list");
	check(c, r->virt != NULL && all_zero(r) && b->virt != NULL && all_zero(b),
	      "both are zeroed at the first start");
}

static void check_addresses(struct dma_check *c)
{
	const struct viper_dma *r = c->ring, *b = c->buffers;
	bool aligned = (r->phys % PAGE) == 0 && in_ram(r->phys, r->size), apart = true;

	for (uint64_t i = 0; i < b->size / PAGE; i++) {
		aligned = aligned && (b->pages[i] % PAGE) == 0 && in_ram(b->pages[i], PAGE);
		apart = apart &&
			(b->pages[i] + PAGE <= r->phys || b->pages[i] >= r->phys + r->size);
		for (uint64_t j = 0; j < i; j++)
			apart = apart && b->pages[i] != b->pages[j];
	}
	check(c, aligned, "physical addresses are page-aligned and in RAM");
	check(c, apart, "no page of the buffers is another's or inside the ring");
	check(c, agrees_with_kernel(r), "the ring's addresses are what memory_physical says");
	check(c, agrees_with_kernel(b), "each page of the buffers is where memory_physical says");
	check(c,
	      vc_dma_span(r, 100) == r->size - 100 && vc_dma_span(b, 100) >= PAGE - 100 &&
		      vc_dma_span(b, b->size) == 0,
	      "vc_dma_span covers the ring to its end and a buffer page at least to its end");
}

/* Writes through one mapping show through another of the same memory object. */
static bool shared_both_ways(const struct viper_dma *d)
{
	volatile uint8_t *mine = d->virt, *other;
	void *p = NULL;
	uint64_t size = 0;
	bool ok;

	if (vc_memory_map(d->memory, &p, &size) != VIPER_OK || size != d->size)
		return false;
	other = p;
	for (uint64_t i = 0; i < size; i += 1021)
		mine[i] = (uint8_t)(i * 7 + 1);
	ok = true;
	for (uint64_t i = 0; i < size; i += 1021)
		ok = ok && other[i] == (uint8_t)(i * 7 + 1);
	other[size - 1] = 0xa5;
	ok = ok && mine[size - 1] == 0xa5;
	return vc_memory_unmap(p, size) == VIPER_OK && ok;
}

static bool listed_with_dma(struct dma_check *c, const struct viper_dma *d)
{
	uint32_t total = 0;

	if (vc_handle_list(c->listed, LISTED, &total) != VIPER_OK)
		return false;
	for (uint32_t i = 0; i < total && i < LISTED; i++) {
		const struct viper_handle_entry *e = &c->listed[i];
		if (e->handle == d->memory)
			return e->kind == VIPER_OBJ_MEMORY && (e->rights & VIPER_RIGHT_DMA) != 0;
	}
	return false;
}

static void check_memory(struct dma_check *c)
{
	viper_handle_t plain = VIPER_HANDLE_INVALID;
	uint64_t phys = 1;

	check(c, shared_both_ways(c->ring), "the ring's writes show through a second mapping");
	check(c, shared_both_ways(c->buffers), "the buffers' writes show through a second mapping");
	check(c, listed_with_dma(c, c->ring) && listed_with_dma(c, c->buffers),
	      "both handles carry VIPER_RIGHT_DMA");
	check(c,
	      vc_memory_create(PAGE, &plain) == VIPER_OK &&
		      vc_memory_physical(plain, 0, &phys) == VIPER_E_RIGHTS && phys == 0,
	      "memory the instance makes has no physical address to give");
	if (plain != VIPER_HANDLE_INVALID)
		vc_handle_close(plain);
}

static int32_t dma_check_run(void *state)
{
	struct dma_check *c = state;
	viper_tally_AddRequest add;
	viper_tally_AddReply added;
	viper_tally_DoneRequest done = viper_tally_DoneRequest_init_default;
	viper_tally_DoneReply done_rep;

	check_shapes(c);
	if (c->ring->virt && c->buffers->virt) {
		check_addresses(c);
		check_memory(c);
	}
	vc_log("dma_check: ring at 0x%llx, buffers' first page at 0x%llx",
	       (unsigned long long)c->ring->phys,
	       (unsigned long long)(c->buffers->pages ? c->buffers->pages[0] : 0));
	vc_log("dma_check: %u passed, %u failed", c->passed, c->failed);
	add.amount = c->passed;
	if (tally_add(c->report, &add, &added) != VIPER_OK || added.total < c->passed ||
	    tally_done(c->report, &done, &done_rep) != VIPER_OK)
		vc_log("dma_check: FAIL reporting to the tally");
	return c->failed == 0 ? VIPER_OK : VIPER_E_CORRUPT;
}

VIPER_COMPONENT(dma_check) = {
	.name = "dma_check",
	.state_size = sizeof(struct dma_check),
	.slot_count = DMA_CHECK_SLOT_COUNT,
	.init = dma_check_init,
	.run = dma_check_run,
};
