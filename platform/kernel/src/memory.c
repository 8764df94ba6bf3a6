#include <kernel/memory.h>

#include <kernel/console.h>
#include <kernel/slab.h>
#include <kernel/string.h>

extern char __kernel_end[];

static struct buddy pages;
static size_t total_pages;
static size_t heap_bytes;

/* kmalloc's size classes; anything larger takes whole pages. */
static const size_t class_sizes[] = {32, 64, 128, 256, 512, 1024, 2016};
#define CLASSES (sizeof(class_sizes) / sizeof(class_sizes[0]))
static struct slab_cache classes[CLASSES];
static const char *const class_names[CLASSES] = {"kmalloc-32",	"kmalloc-64",  "kmalloc-128",
						 "kmalloc-256", "kmalloc-512", "kmalloc-1024",
						 "kmalloc-2016"};

static void *slab_page_alloc(void)
{
	uint64_t pa = page_alloc(0);

	return pa ? phys_to_virt(pa) : NULL;
}

static void slab_page_free(void *page)
{
	page_free(virt_to_phys(page));
}

static const struct slab_page_source slab_pages = {slab_page_alloc, slab_page_free};

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

	slab_set_page_source(&slab_pages);
	for (unsigned i = 0; i < CLASSES; i++) {
		err_t err = slab_cache_init(&classes[i], class_names[i], class_sizes[i]);
		if (err)
			return err;
	}
	return VIPER_OK;
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

void *kmalloc(size_t size)
{
	for (unsigned i = 0; i < CLASSES; i++) {
		if (size <= classes[i].size) {
			void *p = slab_alloc(&classes[i]);
			if (p)
				heap_bytes += classes[i].size;
			return p;
		}
	}
	uint64_t pa = page_alloc(buddy_order_for(size));
	if (!pa)
		return NULL;
	heap_bytes += PAGE_SIZE << buddy_block_order(&pages, pa);
	return phys_to_virt(pa);
}

void kfree(void *ptr)
{
	struct slab_cache *c;

	if (!ptr)
		return;
	c = slab_owner(ptr);
	if (c) {
		if (slab_free(c, ptr) == VIPER_OK)
			heap_bytes -= c->size;
		else
			kprintf("kernel: bad kfree of %p ignored\n", ptr);
		return;
	}
	int order = buddy_block_order(&pages, virt_to_phys(ptr));
	if (order < 0) {
		kprintf("kernel: bad kfree of %p ignored\n", ptr);
		return;
	}
	heap_bytes -= PAGE_SIZE << order;
	page_free(virt_to_phys(ptr));
}

void memory_stats(struct memory_stats *out)
{
	out->total_pages = total_pages;
	out->free_pages = pages.free_pages;
	out->heap_bytes = heap_bytes;
}
