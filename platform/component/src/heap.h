/*
 * A small first-fit allocator over a few arenas (regions): the heap behind
 * vc_alloc in a process (process_runtime.c), which adds a region when it
 * runs out. Portable C with no locking; the caller serialises. Blocks are
 * 16-byte aligned; the free list is kept in address order and neighbours
 * merge on free.
 */
#ifndef VIPER_COMPONENT_HEAP_H
#define VIPER_COMPONENT_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HEAP_REGIONS 32

struct heap_block;

struct heap_region {
	uint8_t *base;
	size_t size;
};

struct heap {
	struct heap_region regions[HEAP_REGIONS];
	unsigned region_count;
	size_t size;		 /* bytes in all regions */
	struct heap_block *free; /* address order */
};

/* Makes `size` bytes at `arena` an empty heap; `size` may be 0 (no region yet). */
void heap_init(struct heap *h, void *arena, size_t size);

/*
 * Adds `size` bytes at `region` (not overlapping the heap's other regions)
 * as free memory. False, and nothing added, when the heap already has
 * HEAP_REGIONS regions or the region is too small for a block.
 */
bool heap_add(struct heap *h, void *region, size_t size);

/* `n` bytes (at least one), 16-byte aligned; NULL when nothing fits. */
void *heap_alloc(struct heap *h, size_t n);

/* Returns a block from heap_alloc; NULL and pointers outside the regions are ignored. */
void heap_free(struct heap *h, void *p);

/* Bytes in free blocks, headers included: for tests. */
size_t heap_free_bytes(const struct heap *h);

#endif
