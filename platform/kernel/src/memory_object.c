/* Memory objects: demand-zero pages, contiguous blocks, copy-on-write clones
 * (kernel/memory_object.h). */
#include <kernel/memory_object.h>

#include <kernel/aspace.h>
#include <kernel/buddy.h>
#include <kernel/kmalloc.h>
#include <kernel/page_alloc.h>
#include <kernel/program_cache.h>
#include <kernel/string.h>

static void memory_destroy(struct kobject *o)
{
	struct memory_object *m = memory_object_of(o);

	if (m->contiguous) {
		if (m->base)
			page_free(m->base);
	} else if (m->frames) {
		for (uint64_t i = 0; i < m->pages; i++) {
			if (m->frames[i])
				page_put(m->frames[i]);
		}
		kfree(m->frames);
	}
	page_uncommit(m->committed);
	mem_uncharge(m->account, m->charged);
	mem_account_put(m->account);
	kfree(m);
}

static const struct kobject_ops memory_ops = {NULL, memory_destroy, NULL, NULL};

void memory_object_register(void)
{
	kobject_register(VIPER_OBJ_MEMORY, &memory_ops);
}

err_t memory_object_check(uint64_t size, uint32_t flags)
{
	uint64_t pages = (size + PAGE_SIZE - 1) / PAGE_SIZE;

	const uint32_t dma_kinds = VIPER_MEMORY_CONTIGUOUS | VIPER_MEMORY_PINNED;

	if (size == 0 || size > MEMORY_OBJECT_MAX || (flags & ~dma_kinds) ||
	    (flags & dma_kinds) == dma_kinds)
		return VIPER_E_INVAL;
	if ((flags & VIPER_MEMORY_CONTIGUOUS) &&
	    buddy_order_for(pages * PAGE_SIZE) > BUDDY_MAX_ORDER)
		return VIPER_E_RANGE;
	return VIPER_OK;
}

/* A new object of `pages` pages charged `charge` bytes to `account`; no pages yet. */
static err_t object_alloc(uint64_t pages, uint64_t charge, struct mem_account *account,
			  struct memory_object **out)
{
	struct memory_object *m;
	err_t err = mem_charge(account, charge);

	if (err)
		return err;
	m = kmalloc(sizeof(*m));
	if (!m) {
		mem_uncharge(account, charge);
		return VIPER_E_NOMEM;
	}
	kobject_init(&m->obj, VIPER_OBJ_MEMORY);
	m->pages = pages;
	m->size = pages * PAGE_SIZE;
	m->account = account;
	account->refs++;
	m->charged = charge;
	*out = m;
	return VIPER_OK;
}

/*
 * page_commit, and when the pages are short, again after the program
 * cache has given back the images no process maps. Here rather than in
 * the page allocator: giving images back frees memory objects, which
 * calls kfree, and the allocator also serves kmalloc's own refills, which
 * must not re-enter it. (Kernel allocations are not helped, but the cache
 * holds at most a sixteenth of RAM.)
 */
static err_t commit(uint64_t n)
{
	if (page_commit(n) == VIPER_OK)
		return VIPER_OK;
	if (program_cache_trim() == 0)
		return VIPER_E_NOMEM;
	return page_commit(n);
}

/* page_alloc, the same way. */
static uint64_t alloc_block(unsigned order)
{
	uint64_t pa = page_alloc(order);

	if (pa == 0 && program_cache_trim() > 0)
		pa = page_alloc(order);
	return pa;
}

/*
 * Gives `m` its pages: one block when contiguous, else a promise of them,
 * kept at once when pinned (zeroed pages, wherever they are).
 */
static err_t provide_pages(struct memory_object *m, unsigned order)
{
	if (m->contiguous) {
		m->base = alloc_block(order);
		return m->base ? VIPER_OK : VIPER_E_NOMEM;
	}
	m->frames = kmalloc(m->pages * sizeof(uint64_t));
	if (!m->frames)
		return VIPER_E_NOMEM;
	if (commit(m->pages))
		return VIPER_E_NOMEM;
	m->committed = m->pages;
	for (uint64_t i = 0; m->pinned && i < m->pages; i++) {
		m->frames[i] = page_take_committed();
		m->committed--;
	}
	return VIPER_OK;
}

err_t memory_object_create(uint64_t size, uint32_t flags, struct mem_account *account,
			   struct memory_object **out)
{
	struct memory_object *m;
	uint64_t pages = (size + PAGE_SIZE - 1) / PAGE_SIZE, charge = pages * PAGE_SIZE;
	bool contiguous = flags & VIPER_MEMORY_CONTIGUOUS;
	unsigned order = contiguous ? buddy_order_for(pages * PAGE_SIZE) : 0;
	err_t err;

	if (contiguous)
		charge = (uint64_t)PAGE_SIZE << order; /* the whole block it takes */
	err = object_alloc(pages, charge, account, &m);
	if (err)
		return err;
	m->contiguous = contiguous;
	m->pinned = flags & VIPER_MEMORY_PINNED;
	err = provide_pages(m, order);
	if (err) {
		memory_destroy(&m->obj);
		return err;
	}
	*out = m;
	return VIPER_OK;
}

err_t memory_object_dma_address(const struct memory_object *m, uint64_t offset, uint64_t *pa)
{
	if (!memory_object_dma_capable(m))
		return VIPER_E_UNSUPPORTED;
	if (offset >= m->size)
		return VIPER_E_RANGE;
	if (m->contiguous)
		*pa = m->base + offset;
	else
		*pa = m->frames[offset / PAGE_SIZE] + offset % PAGE_SIZE;
	return VIPER_OK;
}

err_t memory_object_check_clone(const struct memory_object *src)
{
	if (memory_object_dma_capable(src))
		return VIPER_E_UNSUPPORTED;
	if (aspace_kernel_maps_writable(src))
		return VIPER_E_BUSY;
	return VIPER_OK;
}

/*
 * The promises `m` lacks once it shares every present page: then each of
 * its pages is absent or shared, and needs one. What it has already
 * covers its absent and shared pages, and pages that were shared once
 * and are its own again (their clone died) keep theirs, so cloning the
 * same object again and again promises nothing more.
 */
static uint64_t promises_lacking(const struct memory_object *m)
{
	return m->committed < m->pages ? m->pages - m->committed : 0;
}

/* True when every present page of `m` can take one more reference. */
static bool shareable(const struct memory_object *m)
{
	for (uint64_t i = 0; i < m->pages; i++) {
		if (m->frames[i] && page_refcount(m->frames[i]) >= UINT16_MAX)
			return false;
	}
	return true;
}

err_t memory_object_clone(struct memory_object *src, struct mem_account *account,
			  struct memory_object **out)
{
	uint64_t extra = promises_lacking(src);
	struct memory_object *c;
	err_t err;

	if (!shareable(src))
		return VIPER_E_LIMIT;
	err = object_alloc(src->pages, src->size, account, &c);
	if (err)
		return err;
	err = provide_pages(c, 0);
	if (!err && commit(extra))
		err = VIPER_E_NOMEM;
	if (err) {
		memory_destroy(&c->obj);
		return err;
	}
	/* Every present page is now shared: each side may have to copy it once. */
	src->committed += extra;
	for (uint64_t i = 0; i < src->pages; i++) {
		if (src->frames[i]) {
			(void)page_share(src->frames[i]);
			c->frames[i] = src->frames[i];
		}
	}
	aspace_object_shared(src);
	*out = c;
	return VIPER_OK;
}

uint64_t memory_object_present(const struct memory_object *m, uint64_t index)
{
	if (m->contiguous)
		return m->base + index * PAGE_SIZE;
	return m->frames[index];
}

uint64_t memory_object_page(struct memory_object *m, uint64_t index, bool write, bool *exclusive)
{
	uint64_t pa, copy;

	*exclusive = true;
	if (m->contiguous)
		return m->base + index * PAGE_SIZE;
	pa = m->frames[index];
	if (!pa) {
		m->committed--;
		m->frames[index] = page_take_committed();
		return m->frames[index];
	}
	if (page_refcount(pa) == 1)
		return pa;
	if (!write) {
		*exclusive = false;
		return pa;
	}
	/* Copy on write: this object gets a page of its own; the others keep the old one. */
	m->committed--;
	copy = page_take_committed();
	memcpy(phys_to_virt(copy), phys_to_virt(pa), PAGE_SIZE);
	m->frames[index] = copy;
	page_put(pa);
	aspace_object_page_replaced(m, index);
	return copy;
}
