/*
 * The buddy allocator for physical pages: blocks of 2^order pages
 * (order 0..BUDDY_MAX_ORDER), split on allocation and merged with their
 * buddy on free. Free-list links live in the free pages themselves, reached
 * through `virt_offset` (virtual = physical + virt_offset); one byte of
 * metadata per page records block heads. Portable: the host tests run it
 * over ordinary memory.
 */
#ifndef KERNEL_BUDDY_H
#define KERNEL_BUDDY_H

#include <stddef.h>
#include <stdint.h>

#include <kernel/err.h>

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1ul << PAGE_SHIFT)
#define BUDDY_MAX_ORDER 10 /* 4 MiB blocks */

struct buddy_link {
	struct buddy_link *next;
	struct buddy_link *prev;
};

struct buddy {
	uint64_t base;	       /* physical address of page 0 */
	size_t pages;	       /* pages spanned, free or not */
	uintptr_t virt_offset; /* where the pages are visible */
	uint8_t *tags;	       /* one per page: see buddy.c */
	struct buddy_link free[BUDDY_MAX_ORDER + 1];
	size_t free_pages;
};

/*
 * Sets up `b` to manage `pages` pages from physical `base` (page-aligned)
 * with every page reserved. `tags` holds `pages` bytes of metadata.
 */
void buddy_init(struct buddy *b, uint64_t base, size_t pages, uint8_t *tags, uintptr_t virt_offset);

/* Frees the whole pages inside [start, start + size) for allocation. */
void buddy_add_range(struct buddy *b, uint64_t start, uint64_t size);

/* Allocates 2^order contiguous pages, aligned to their size. 0 when none. */
uint64_t buddy_alloc(struct buddy *b, unsigned order);

/*
 * Frees the block at `pa` allocated by buddy_alloc. VIPER_E_INVAL when `pa`
 * is not the head of an allocated block (a double or wild free).
 */
MUST_CHECK err_t buddy_free(struct buddy *b, uint64_t pa);

/* The order of the allocated block at `pa`, or -1 when there is none. */
int buddy_block_order(const struct buddy *b, uint64_t pa);

/* The smallest order whose block holds `bytes`. */
unsigned buddy_order_for(size_t bytes);

#endif
