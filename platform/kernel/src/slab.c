#include <kernel/slab.h>

#include <kernel/buddy.h>
#include <kernel/string.h>

enum { SLAB_MAGIC = 0x51ab51abu };

/* The header at the start of every slab page. */
struct slab_page {
	uint32_t magic;
	uint32_t in_use;
	struct slab_cache *cache;
	struct slab_page *next;
	struct slab_page *prev;
	void *free;	     /* first free object; each free object holds the next */
	uint64_t freemap[4]; /* bit set: object allocated (at most 256 per page) */
};

#define HEADER_SIZE ((sizeof(struct slab_page) + 15) & ~(size_t)15)

static const struct slab_page_source *pages;

void slab_set_page_source(const struct slab_page_source *source)
{
	pages = source;
}

err_t slab_cache_init(struct slab_cache *c, const char *name, size_t size)
{
	size = (size + 15) & ~(size_t)15;
	if (size == 0 || size > PAGE_SIZE - HEADER_SIZE)
		return VIPER_E_RANGE;
	c->name = name;
	c->size = size;
	c->per_page = (unsigned)((PAGE_SIZE - HEADER_SIZE) / size);
	if (c->per_page > 256)
		c->per_page = 256;
	c->partial = NULL;
	c->full = NULL;
	c->pages = 0;
	c->in_use = 0;
	return VIPER_OK;
}

static void unlink(struct slab_page **list, struct slab_page *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		*list = p->next;
	if (p->next)
		p->next->prev = p->prev;
	p->next = p->prev = NULL;
}

static void push(struct slab_page **list, struct slab_page *p)
{
	p->prev = NULL;
	p->next = *list;
	if (*list)
		(*list)->prev = p;
	*list = p;
}

static struct slab_page *grow(struct slab_cache *c)
{
	struct slab_page *p;
	char *obj;

	if (!pages)
		return NULL;
	p = pages->alloc();
	if (!p)
		return NULL;
	memset(p, 0, HEADER_SIZE);
	p->magic = SLAB_MAGIC;
	p->cache = c;
	obj = (char *)p + HEADER_SIZE;
	for (unsigned i = c->per_page; i-- > 0;) {
		void **slot = (void **)(obj + (size_t)i * c->size);
		*slot = p->free;
		p->free = slot;
	}
	c->pages++;
	push(&c->partial, p);
	return p;
}

void *slab_alloc(struct slab_cache *c)
{
	struct slab_page *p = c->partial ? c->partial : grow(c);
	void **obj;
	size_t index;

	if (!p)
		return NULL;
	obj = p->free;
	p->free = *obj;
	p->in_use++;
	index = (size_t)((char *)obj - ((char *)p + HEADER_SIZE)) / c->size;
	p->freemap[index / 64] |= 1ull << (index % 64);
	if (!p->free) {
		unlink(&c->partial, p);
		push(&c->full, p);
	}
	c->in_use++;
	memset(obj, 0, c->size);
	return obj;
}

struct slab_cache *slab_owner(const void *obj)
{
	const struct slab_page *p = (const struct slab_page *)((uintptr_t)obj & ~(PAGE_SIZE - 1));

	if (((uintptr_t)obj & (PAGE_SIZE - 1)) < HEADER_SIZE || p->magic != SLAB_MAGIC)
		return NULL;
	return p->cache;
}

err_t slab_free(struct slab_cache *c, void *obj)
{
	struct slab_page *p = (struct slab_page *)((uintptr_t)obj & ~(PAGE_SIZE - 1));
	size_t offset = (uintptr_t)obj & (PAGE_SIZE - 1);
	size_t index;

	if (!obj || offset < HEADER_SIZE || p->magic != SLAB_MAGIC || p->cache != c ||
	    (offset - HEADER_SIZE) % c->size != 0)
		return VIPER_E_INVAL;
	index = (offset - HEADER_SIZE) / c->size;
	if (index >= c->per_page || !(p->freemap[index / 64] & (1ull << (index % 64))))
		return VIPER_E_INVAL;
	p->freemap[index / 64] &= ~(1ull << (index % 64));
	if (!p->free) {
		unlink(&c->full, p);
		push(&c->partial, p);
	}
	*(void **)obj = p->free;
	p->free = obj;
	p->in_use--;
	c->in_use--;
	if (p->in_use == 0 && (c->partial != p || p->next)) {
		/* Keep one empty page per cache to avoid thrashing; give back the rest. */
		unlink(&c->partial, p);
		p->magic = 0;
		c->pages--;
		pages->free(p);
	}
	return VIPER_OK;
}
