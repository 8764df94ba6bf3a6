/*
 * Physical memory: the pages of RAM the device tree names, handed out by
 * one buddy allocator. The kernel sees all RAM and the device window
 * through its linear map in the upper half: virtual = physical +
 * KERNEL_BASE (TTBR1). Small kernel objects come from kernel/kmalloc.h.
 */
#ifndef KERNEL_PAGE_ALLOC_H
#define KERNEL_PAGE_ALLOC_H

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

/* 2^order zeroed contiguous pages (physical address), or 0. */
uint64_t page_alloc(unsigned order);
/* Frees a block page_alloc returned; a bad address is reported and ignored. */
void page_free(uint64_t pa);
/* The order of the block page_alloc returned at `pa`, or -1 when it is not one. */
int page_block_order(uint64_t pa);

struct memory_stats {
	size_t total_pages;
	size_t free_pages;
	size_t heap_bytes; /* kmalloc'd and not freed */
};

void memory_stats(struct memory_stats *out);

#endif
