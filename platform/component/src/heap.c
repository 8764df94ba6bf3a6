/* The first-fit arena allocator of heap.h. */
#include "heap.h"

#define HEAP_ALIGN 16u

/* Every block starts with this header; `next` links free blocks only. */
struct heap_block {
	size_t size; /* the whole block, header included, a multiple of 16 */
	struct heap_block *next;
};

#define HEAP_HEADER sizeof(struct heap_block)
#define HEAP_MIN    (HEAP_HEADER + HEAP_ALIGN)

_Static_assert(sizeof(struct heap_block) % HEAP_ALIGN == 0, "header keeps alignment");

void heap_init(struct heap *h, void *arena, size_t size)
{
	uintptr_t start = ((uintptr_t)arena + HEAP_ALIGN - 1) & ~(uintptr_t)(HEAP_ALIGN - 1);
	size_t lost = (size_t)(start - (uintptr_t)arena);

	h->base = (uint8_t *)start;
	h->size = size > lost ? (size - lost) & ~(size_t)(HEAP_ALIGN - 1) : 0;
	h->free = NULL;
	if (h->size >= HEAP_MIN) {
		h->free = (struct heap_block *)h->base;
		h->free->size = h->size;
		h->free->next = NULL;
	}
}

void *heap_alloc(struct heap *h, size_t n)
{
	struct heap_block **link, *b;
	size_t need;

	if (n > h->size)
		return NULL;
	need = ((n ? n : 1) + HEAP_ALIGN - 1) & ~(size_t)(HEAP_ALIGN - 1);
	need += HEAP_HEADER;
	for (link = &h->free; (b = *link) != NULL; link = &b->next) {
		if (b->size < need)
			continue;
		if (b->size - need >= HEAP_MIN) {
			/* Hand out the tail; the free block stays where it is in the list. */
			b->size -= need;
			b = (struct heap_block *)((uint8_t *)b + b->size);
			b->size = need;
		} else {
			*link = b->next;
		}
		b->next = NULL;
		return (uint8_t *)b + HEAP_HEADER;
	}
	return NULL;
}

void heap_free(struct heap *h, void *p)
{
	struct heap_block *b, *prev = NULL, *next;

	if (p == NULL || (uint8_t *)p < h->base + HEAP_HEADER || (uint8_t *)p >= h->base + h->size)
		return;
	b = (struct heap_block *)((uint8_t *)p - HEAP_HEADER);
	for (next = h->free; next != NULL && next < b; next = next->next)
		prev = next;
	/* Already free: the block is, or lies inside, a free block. */
	if (next == b || (prev && (uint8_t *)prev + prev->size > (uint8_t *)b))
		return;
	b->next = next;
	if (next && (uint8_t *)b + b->size == (uint8_t *)next) {
		b->size += next->size;
		b->next = next->next;
	}
	if (prev) {
		prev->next = b;
		if ((uint8_t *)prev + prev->size == (uint8_t *)b) {
			prev->size += b->size;
			prev->next = b->next;
		}
	} else {
		h->free = b;
	}
}

size_t heap_free_bytes(const struct heap *h)
{
	size_t total = 0;

	for (const struct heap_block *b = h->free; b != NULL; b = b->next)
		total += b->size;
	return total;
}
