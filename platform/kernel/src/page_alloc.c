/* The page allocator over the device tree's RAM (see kernel/page_alloc.h). */
#include <kernel/page_alloc.h>

#include <kernel/console.h>
#include <kernel/kmalloc.h>
#include <kernel/string.h>

extern char __kernel_end[];

static struct buddy pages;
static size_t total_pages;

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
	tag_bytes = (span + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);

	/* The tags go just past the kernel image, in the range that holds it. */
	for (unsigned i = 0; i < board->memory_count; i++) {
		const struct mem_range *r = &board->memory[i];
		if (kernel_end >= r->base && kernel_end + tag_bytes <= r->base + r->size)
			tags_pa = kernel_end;
	}
	if (!tags_pa)
		return VIPER_E_NOMEM;
	buddy_init(&pages, lo, span, phys_to_virt(tags_pa), (uintptr_t)KERNEL_BASE);
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
	uint64_t pa = buddy_alloc(&pages, order);

	if (pa)
		memset(phys_to_virt(pa), 0, PAGE_SIZE << order);
	return pa;
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
	out->heap_bytes = kmalloc_bytes();
}
