#include <kernel/buddy.h>

#include <stdbool.h>

/*
 * tags[i] for page i: 0 when the page is inside a block (or reserved);
 * TAG_FREE | order at the head of a free block; TAG_USED | order at the head
 * of an allocated block.
 */
enum {
	TAG_FREE = 0x40,
	TAG_USED = 0x80,
	TAG_ORDER = 0x0f,
};

static void list_init(struct buddy_link *l)
{
	l->next = l;
	l->prev = l;
}

static void list_push(struct buddy_link *head, struct buddy_link *n)
{
	n->next = head->next;
	n->prev = head;
	head->next->prev = n;
	head->next = n;
}

static void list_remove(struct buddy_link *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
}

static struct buddy_link *link_of(const struct buddy *b, size_t page)
{
	return (struct buddy_link *)(uintptr_t)(b->base + (page << PAGE_SHIFT) + b->virt_offset);
}

static size_t page_of_link(const struct buddy *b, const struct buddy_link *l)
{
	return (size_t)(((uintptr_t)l - b->virt_offset - b->base) >> PAGE_SHIFT);
}

void buddy_init(struct buddy *b, uint64_t base, size_t pages, uint8_t *tags, uintptr_t virt_offset)
{
	b->base = base;
	b->pages = pages;
	b->virt_offset = virt_offset;
	b->tags = tags;
	b->free_pages = 0;
	for (size_t i = 0; i < pages; i++)
		tags[i] = 0;
	for (unsigned o = 0; o <= BUDDY_MAX_ORDER; o++)
		list_init(&b->free[o]);
}

/* Puts the block at `page` of `order` on the free lists, merging with free buddies. */
static void release(struct buddy *b, size_t page, unsigned order)
{
	b->free_pages += (size_t)1 << order;
	while (order < BUDDY_MAX_ORDER) {
		size_t buddy = page ^ ((size_t)1 << order);

		if (buddy + ((size_t)1 << order) > b->pages || b->tags[buddy] != (TAG_FREE | order))
			break;
		list_remove(link_of(b, buddy));
		b->tags[buddy] = 0;
		if (buddy < page)
			page = buddy;
		order++;
	}
	b->tags[page] = (uint8_t)(TAG_FREE | order);
	list_push(&b->free[order], link_of(b, page));
}

/* Whether `page` lies inside a free or allocated block (blocks are aligned to their size). */
static bool page_in_block(const struct buddy *b, size_t page)
{
	for (unsigned o = 0; o <= BUDDY_MAX_ORDER; o++) {
		uint8_t tag = b->tags[page & ~(((size_t)1 << o) - 1)];

		if (tag && (size_t)(tag & TAG_ORDER) >= o)
			return true;
	}
	return false;
}

/* Whether a free or allocated block starts in the `count` pages from `page`. */
static bool block_starts_in(const struct buddy *b, size_t page, size_t count)
{
	for (size_t i = page; i < page + count; i++) {
		if (b->tags[i])
			return true;
	}
	return false;
}

void buddy_add_range(struct buddy *b, uint64_t start, uint64_t size)
{
	uint64_t end = start + size;
	uint64_t limit = b->base + ((uint64_t)b->pages << PAGE_SHIFT);

	if (end < start)
		end = limit;
	start = (start + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
	if (start < b->base)
		start = b->base;
	if (end > limit)
		end = limit;
	while (start + PAGE_SIZE <= end) {
		size_t page = (size_t)((start - b->base) >> PAGE_SHIFT);
		unsigned order = 0;

		if (page_in_block(b, page))
			return; /* already free or allocated: refuse to double-add */
		while (order < BUDDY_MAX_ORDER && (page & ((size_t)1 << order)) == 0 &&
		       start + (PAGE_SIZE << (order + 1)) <= end &&
		       !block_starts_in(b, page + ((size_t)1 << order), (size_t)1 << order))
			order++;
		release(b, page, order);
		start += PAGE_SIZE << order;
	}
}

uint64_t buddy_alloc(struct buddy *b, unsigned order)
{
	unsigned o = order;
	size_t page;

	if (order > BUDDY_MAX_ORDER)
		return 0;
	while (o <= BUDDY_MAX_ORDER && b->free[o].next == &b->free[o])
		o++;
	if (o > BUDDY_MAX_ORDER)
		return 0;
	page = page_of_link(b, b->free[o].next);
	list_remove(b->free[o].next);
	b->tags[page] = 0;
	/* Split: the upper halves go back on the free lists. */
	while (o > order) {
		size_t upper;

		o--;
		upper = page + ((size_t)1 << o);
		b->tags[upper] = (uint8_t)(TAG_FREE | o);
		list_push(&b->free[o], link_of(b, upper));
	}
	b->tags[page] = (uint8_t)(TAG_USED | order);
	b->free_pages -= (size_t)1 << order;
	return b->base + ((uint64_t)page << PAGE_SHIFT);
}

int buddy_block_order(const struct buddy *b, uint64_t pa)
{
	size_t page;

	if (pa < b->base || (pa & (PAGE_SIZE - 1)))
		return -1;
	page = (size_t)((pa - b->base) >> PAGE_SHIFT);
	if (page >= b->pages || !(b->tags[page] & TAG_USED))
		return -1;
	return b->tags[page] & TAG_ORDER;
}

err_t buddy_free(struct buddy *b, uint64_t pa)
{
	int order = buddy_block_order(b, pa);
	size_t page;

	if (order < 0)
		return VIPER_E_INVAL;
	page = (size_t)((pa - b->base) >> PAGE_SHIFT);
	b->tags[page] = 0;
	release(b, page, (unsigned)order);
	return VIPER_OK;
}

unsigned buddy_order_for(size_t bytes)
{
	unsigned order = 0;

	while (order < 63 && (PAGE_SIZE << order) < bytes)
		order++;
	return order;
}
