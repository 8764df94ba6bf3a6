/*
 * Physical memory: the pages of RAM the device tree names, handed out by
 * one buddy allocator. Memory objects allocate their pages on first touch,
 * so that no fault can ever find none, the pages they may still take are
 * committed when they are made (page_commit) and the kernel's own
 * allocations leave those alone. A memory object's page carries a
 * reference count, so clones share pages until one writes (copy-on-write). The kernel sees all RAM
 * and the device window through its linear map in the upper half: virtual = physical + KERNEL_BASE
 * (TTBR1). Small kernel objects come from kernel/kmalloc.h.
 */
#ifndef KERNEL_PAGE_ALLOC_H
#define KERNEL_PAGE_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kernel/board.h>
#include <kernel/buddy.h>
#include <kernel/err.h>

#define KERNEL_BASE 0xffff000000000000ull

static inline void *phys_to_virt(uint64_t pa)
{
	return (void *)(uintptr_t)(pa + KERNEL_BASE);
}

static inline uint64_t virt_to_phys(const void *va)
{
	return (uint64_t)(uintptr_t)va - KERNEL_BASE;
}

/* Physical address of a kernel image symbol. */
#define KERNEL_PHYS(sym) virt_to_phys(sym)

/*
 * Hands all RAM the device tree names, minus the kernel image, the device
 * tree and anything below the kernel, to the page allocator, then sets up
 * the kmalloc caches on it.
 */
MUST_CHECK err_t memory_init(const struct board_info *board, uint64_t dtb_pa, size_t dtb_size);

/* 2^order zeroed contiguous pages (physical address), or 0; committed pages are never taken. */
uint64_t page_alloc(unsigned order);

/* Promises `n` pages to memory objects: VIPER_E_NOMEM when fewer are free and uncommitted. */
MUST_CHECK err_t page_commit(uint64_t n);
/* Takes back a promise of `n` pages never used. */
void page_uncommit(uint64_t n);
/* A zeroed page out of the committed ones, with one reference; never fails. */
uint64_t page_take_committed(void);
/* The references of a memory-object page (page_take_committed and page_share). */
uint32_t page_refcount(uint64_t pa);
/* One more reference (a clone shares the page); false when the count is full. */
bool page_share(uint64_t pa);
/* Drops a reference; the last one frees the page. */
void page_put(uint64_t pa);
/* Frees a block page_alloc returned; a bad address is reported and ignored. */
void page_free(uint64_t pa);
/* The order of the block page_alloc returned at `pa`, or -1 when it is not one. */
int page_block_order(uint64_t pa);

struct memory_stats {
	size_t total_pages;
	size_t free_pages;
	size_t committed_pages; /* promised to memory objects, of the free ones */
	size_t heap_bytes;	/* kmalloc'd and not freed */
};

void memory_stats(struct memory_stats *out);

#endif
