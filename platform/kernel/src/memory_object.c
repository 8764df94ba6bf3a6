/* Memory objects (kernel/memory_object.h). */
#include <kernel/memory_object.h>

#include <kernel/buddy.h>
#include <kernel/kmalloc.h>
#include <kernel/page_alloc.h>

static void memory_destroy(struct kobject *o)
{
	struct memory_object *m = memory_object_of(o);

	if (m->contiguous) {
		if (m->base)
			page_free(m->base);
	} else if (m->frames) {
		for (uint64_t i = 0; i < m->pages; i++) {
			if (m->frames[i])
				page_free(m->frames[i]);
		}
		kfree(m->frames);
	}
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

	if (size == 0 || size > MEMORY_OBJECT_MAX || (flags & ~VIPER_MEMORY_CONTIGUOUS))
		return VIPER_E_INVAL;
	if ((flags & VIPER_MEMORY_CONTIGUOUS) &&
	    buddy_order_for(pages * PAGE_SIZE) > BUDDY_MAX_ORDER)
		return VIPER_E_RANGE;
	return VIPER_OK;
}

/* Gives `m` its pages: one block when contiguous, else a page at a time. */
static err_t allocate_pages(struct memory_object *m, unsigned order)
{
	if (m->contiguous) {
		m->base = page_alloc(order);
		return m->base ? VIPER_OK : VIPER_E_NOMEM;
	}
	m->frames = kmalloc(m->pages * sizeof(uint64_t));
	if (!m->frames)
		return VIPER_E_NOMEM;
	for (uint64_t i = 0; i < m->pages; i++) {
		m->frames[i] = page_alloc(0);
		if (!m->frames[i])
			return VIPER_E_NOMEM;
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
	err = mem_charge(account, charge);
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
	m->contiguous = contiguous;
	err = allocate_pages(m, order);
	if (err) {
		memory_destroy(&m->obj);
		return err;
	}
	*out = m;
	return VIPER_OK;
}

uint64_t memory_object_frame(const struct memory_object *m, uint64_t offset)
{
	if (m->contiguous)
		return m->base + (offset & ~(PAGE_SIZE - 1));
	return m->frames[offset / PAGE_SIZE];
}
