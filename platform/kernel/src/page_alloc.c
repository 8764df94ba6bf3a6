/* The page allocator over the device tree's RAM (see kernel/page_alloc.h). */
#include <kernel/page_alloc.h>

#include <kernel/console.h>
#include <kernel/kmalloc.h>
#include <kernel/panic.h>
#include <kernel/string.h>

extern char __kernel_end[];

static struct buddy pages;
static size_t total_pages;
static size_t committed;    /* pages promised to memory objects, not yet taken */
static uint16_t *page_refs; /* per page of the span: references of a memory-object page */

err_t memory_init(const struct board_info *board, uint64_t dtb_pa, size_t dtb_size)
{
	uint64_t lo = UINT64_MAX, hi = 0, kernel_end = KERNEL_PHYS(__kernel_end);
	uint64_t tags_pa = 0;
	size_t span, tag_bytes;

	for (unsigned i = 0; i < board->memory_count; i++) {
		const struct mem_range *r = &board->memory[i];
		if (r->base < lo)
			lo = r->base;
		if (r->base + r->size > hi)
			hi = r->base + r->size;
	}
	if (lo >= hi)
		return VIPER_E_NOTFOUND;
	lo &= ~(uint64_t)(PAGE_SIZE - 1);
	span = (size_t)((hi - lo) >> PAGE_SHIFT);
	/* The buddy tags, then the page reference counts, in whole pages. */
	tag_bytes = (span + span * sizeof(uint16_t) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);

	/* The tags go just past the kernel image, in the range that holds it. */
	for (unsigned i = 0; i < board->memory_count; i++) {
		const struct mem_range *r = &board->memory[i];
		if (kernel_end >= r->base && kernel_end + tag_bytes <= r->base + r->size)
			tags_pa = kernel_end;
	}
	if (!tags_pa)
		return VIPER_E_NOMEM;
	buddy_init(&pages, lo, span, phys_to_virt(tags_pa), (uintptr_t)KERNEL_BASE);
	page_refs = (uint16_t *)((uint8_t *)phys_to_virt(tags_pa) + span);
	memset(page_refs, 0, span * sizeof(uint16_t));
	for (unsigned i = 0; i < board->memory_count; i++) {
		const struct mem_range *r = &board->memory[i];
		uint64_t start = r->base, end = r->base + r->size;

		/* Everything up to the end of the tags stays reserved. */
		if (start < tags_pa + tag_bytes && end > start) {
			if (end <= tags_pa + tag_bytes)
				continue;
			start = tags_pa + tag_bytes;
		}
		/* So does the device tree when it lies elsewhere. */
		if (dtb_pa + dtb_size > start && dtb_pa < end) {
			if (dtb_pa > start)
				buddy_add_range(&pages, start, dtb_pa - start);
			start = dtb_pa + dtb_size;
		}
		if (end > start)
			buddy_add_range(&pages, start, end - start);
	}
	total_pages = pages.free_pages;
	return kmalloc_init();
}

uint64_t page_alloc(unsigned order)
{
	uint64_t pa;

	/* What is promised to memory objects is not the kernel's to take. */
	if (pages.free_pages < committed + ((size_t)1 << order))
		return 0;
	pa = buddy_alloc(&pages, order);
	if (pa)
		memset(phys_to_virt(pa), 0, PAGE_SIZE << order);
	return pa;
}

err_t page_commit(uint64_t n)
{
	if (pages.free_pages < committed || n > pages.free_pages - committed)
		return VIPER_E_NOMEM;
	committed += n;
	return VIPER_OK;
}

void page_uncommit(uint64_t n)
{
	committed = n > committed ? 0 : committed - n;
}

uint64_t page_take_committed(void)
{
	uint64_t pa = buddy_alloc(&pages, 0);

	if (!pa)
		panic("a committed page was not there (%llu committed, %llu free)",
		      (unsigned long long)committed, (unsigned long long)pages.free_pages);
	committed--;
	memset(phys_to_virt(pa), 0, PAGE_SIZE);
	page_refs[(pa - pages.base) >> PAGE_SHIFT] = 1;
	return pa;
}

uint32_t page_refcount(uint64_t pa)
{
	return page_refs[(pa - pages.base) >> PAGE_SHIFT];
}

bool page_share(uint64_t pa)
{
	uint16_t *r = &page_refs[(pa - pages.base) >> PAGE_SHIFT];

	if (*r == UINT16_MAX)
		return false;
	(*r)++;
	return true;
}

void page_put(uint64_t pa)
{
	uint16_t *r = &page_refs[(pa - pages.base) >> PAGE_SHIFT];

	if (*r == 0) {
		kprintf("kernel: bad page free at 0x%llx ignored\n", (unsigned long long)pa);
		return;
	}
	if (--*r == 0)
		page_free(pa);
}

void page_free(uint64_t pa)
{
	if (buddy_free(&pages, pa))
		kprintf("kernel: bad page free at 0x%llx ignored\n", (unsigned long long)pa);
}

int page_block_order(uint64_t pa)
{
	return buddy_block_order(&pages, pa);
}

void memory_stats(struct memory_stats *out)
{
	out->total_pages = total_pages;
	out->free_pages = pages.free_pages;
	out->committed_pages = committed;
	out->heap_bytes = kmalloc_bytes();
}
