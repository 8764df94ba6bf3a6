/*
 * A small first-fit allocator over one fixed arena: the heap behind
 * vc_alloc in a process (process_runtime.c). Portable C with no locking;
 * the caller serialises. Blocks are 16-byte aligned; the free list is kept
 * in address order and neighbours merge on free.
 */
#ifndef VIPER_COMPONENT_HEAP_H
#define VIPER_COMPONENT_HEAP_H

#include <stddef.h>
#include <stdint.h>

struct heap_block;

struct heap {
	uint8_t *base;
	size_t size;
	struct heap_block *free; /* address order */
};

/* Makes `size` bytes at `arena` an empty heap. */
void heap_init(struct heap *h, void *arena, size_t size);

/* `n` bytes (at least one), 16-byte aligned; NULL when nothing fits. */
void *heap_alloc(struct heap *h, size_t n);

/* Returns a block from heap_alloc; NULL and pointers outside the arena are ignored. */
void heap_free(struct heap *h, void *p);

/* Bytes in free blocks, headers included: for tests. */
size_t heap_free_bytes(const struct heap *h);

#endif
