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

/* Puts block `b` on the free list, in address order, merging it with its neighbours. */
static void heap_insert(struct heap *h, struct heap_block *b)
{
	struct heap_block *prev = NULL, *next;

	for (next = h->free; next != NULL && next < b; next = next->next)
		prev = next;
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

void heap_init(struct heap *h, void *arena, size_t size)
{
	h->region_count = 0;
	h->size = 0;
	h->free = NULL;
	if (size)
		heap_add(h, arena, size);
}

bool heap_add(struct heap *h, void *region, size_t size)
{
	uintptr_t start = ((uintptr_t)region + HEAP_ALIGN - 1) & ~(uintptr_t)(HEAP_ALIGN - 1);
	size_t lost = (size_t)(start - (uintptr_t)region);
	struct heap_region *r;
	struct heap_block *b;

	if (h->region_count == HEAP_REGIONS || size <= lost)
		return false;
	size = (size - lost) & ~(size_t)(HEAP_ALIGN - 1);
	if (size < HEAP_MIN)
		return false;
	r = &h->regions[h->region_count++];
	r->base = (uint8_t *)start;
	r->size = size;
	h->size += size;
	b = (struct heap_block *)r->base;
	b->size = size;
	heap_insert(h, b);
	return true;
}

static bool heap_owns(const struct heap *h, const uint8_t *p)
{
	for (unsigned i = 0; i < h->region_count; i++) {
		const struct heap_region *r = &h->regions[i];
		if (p >= r->base + HEAP_HEADER && p < r->base + r->size)
			return true;
	}
	return false;
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

	if (p == NULL || !heap_owns(h, p))
		return;
	b = (struct heap_block *)((uint8_t *)p - HEAP_HEADER);
	for (next = h->free; next != NULL && next < b; next = next->next)
		prev = next;
	/* Already free: the block is, or lies inside, a free block. */
	if (next == b || (prev && (uint8_t *)prev + prev->size > (uint8_t *)b))
		return;
	heap_insert(h, b);
}

size_t heap_free_bytes(const struct heap *h)
{
	size_t total = 0;

	for (const struct heap_block *b = h->free; b != NULL; b = b->next)
		total += b->size;
	return total;
}
