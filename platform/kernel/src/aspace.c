/* Address spaces and their mappings (kernel/aspace.h). */
#include <kernel/aspace.h>

#include <arch/mmu.h>
#include <kernel/device_region.h>
#include <kernel/memory_object.h>
#include <kernel/page_alloc.h>
#include <viper/abi.h>

static uint64_t empty_root;
static uint64_t asid_used[65536 / 64];
static unsigned asid_hint; /* no word below it has a free ASID */
static unsigned asid_count;

uint64_t aspace_empty_root(void)
{
	return empty_root;
}

err_t aspace_init_system(void)
{
	empty_root = page_alloc(0);
	if (!empty_root)
		return VIPER_E_NOMEM;
	asid_count = mmu_asid_count();
	return VIPER_OK;
}

/*
 * ASIDs: a bitmap searched a word at a time from the lowest word that may
 * have a free one, so allocation does not walk every ASID in use.
 */
static uint16_t asid_alloc(void)
{
	for (unsigned w = asid_hint; w < asid_count / 64; w++) {
		uint64_t free = ~asid_used[w] & (w == 0 ? ~1ull : ~0ull); /* ASID 0 is no one's */
		if (free) {
			unsigned bit = (unsigned)__builtin_ctzll(free);
			asid_used[w] |= 1ull << bit;
			asid_hint = w;
			return (uint16_t)(w * 64 + bit);
		}
	}
	return 0;
}

static void asid_free(uint16_t a)
{
	asid_used[a / 64] &= ~(1ull << (a % 64));
	if (a / 64 < asid_hint)
		asid_hint = a / 64;
}

err_t aspace_init(struct aspace *as, struct mem_account *account)
{
	err_t err;

	as->account = account;
	as->table_pages = 0;
	as->map_count = 0;
	err = mem_charge(account, PAGE_SIZE);
	if (err)
		return err;
	as->root = page_alloc(0);
	if (!as->root) {
		mem_uncharge(account, PAGE_SIZE);
		return VIPER_E_NOMEM;
	}
	as->table_pages = 1;
	as->asid = asid_alloc();
	if (!as->asid) {
		page_free(as->root);
		as->root = 0;
		as->table_pages = 0;
		mem_uncharge(account, PAGE_SIZE);
		return VIPER_E_LIMIT;
	}
	return VIPER_OK;
}

static void unmap_pages(struct aspace *as, uint64_t va, uint64_t size)
{
	for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
		if (as->kernel)
			mmu_unmap_kernel_page(va + off);
		else
			mmu_unmap_page(as->root, va + off, as->asid);
	}
}

void aspace_destroy(struct aspace *as)
{
	if (!as->root)
		return;
	while (as->map_count) {
		struct mapping *m = &as->maps[--as->map_count];
		kobject_unref(m->object);
	}
	mmu_free_tables(as->root);
	mmu_flush_asid(as->asid);
	asid_free(as->asid);
	mem_uncharge(as->account, as->table_pages * PAGE_SIZE);
	as->table_pages = 0;
	as->root = 0;
}

static uint64_t object_size(const struct kobject *o)
{
	if (o->kind == VIPER_OBJ_MEMORY)
		return container_of(o, struct memory_object, obj)->size;
	return container_of(o, struct device_region, obj)->size;
}

static uint64_t object_frame(const struct kobject *o, uint64_t offset)
{
	if (o->kind == VIPER_OBJ_MEMORY)
		return memory_object_frame(container_of(o, struct memory_object, obj), offset);
	return container_of(o, struct device_region, obj)->base + offset;
}

static bool range_free(const struct aspace *as, uint64_t va, uint64_t size)
{
	for (unsigned i = 0; i < as->map_count; i++) {
		const struct mapping *m = &as->maps[i];
		if (va < m->va + m->size && m->va < va + size)
			return false;
	}
	return true;
}

/*
 * The kernel process's mappings (kernel-placed components): memory objects
 * mapped into the kernel window (KERNEL_WINDOW_BASE, arch/mmu.h), a part
 * of the kernel's own table that every CPU shares. The pages are kernel
 * read/write or read-only, never executable and never reachable from EL0.
 * Placement is first fit with a guard page after each mapping, so the holes
 * that unmapping leaves are reused and the window's tables stay few.
 * Devices are refused: the kernel reaches them through its device window.
 */
static err_t kernel_window_map(struct aspace *as, const struct map_request *rq, uint64_t *out_va)
{
	uint64_t attrs = (rq->prot & VIPER_PROT_WRITE) ? PTE_KERNEL_RW : PTE_KERNEL_RO;
	uint64_t end = KERNEL_WINDOW_BASE + KERNEL_WINDOW_SIZE;
	uint64_t at = 0;

	if (rq->object->kind != VIPER_OBJ_MEMORY || (rq->prot & VIPER_PROT_EXEC))
		return VIPER_E_UNSUPPORTED;
	if (rq->va != 0) /* the kernel chooses */
		return VIPER_E_INVAL;
	for (unsigned i = 0; i <= as->map_count; i++) {
		/* Candidates: the window's start and one guard page past each mapping. */
		uint64_t c = i == as->map_count ? KERNEL_WINDOW_BASE
						: as->maps[i].va + as->maps[i].size + PAGE_SIZE;

		if (c < end && rq->size + PAGE_SIZE <= end - c && (at == 0 || c < at) &&
		    range_free(as, c, rq->size + PAGE_SIZE))
			at = c;
	}
	if (at == 0)
		return VIPER_E_NOMEM;
	for (uint64_t off = 0; off < rq->size; off += PAGE_SIZE) {
		err_t err = mmu_map_kernel_page(at + off,
						object_frame(rq->object, rq->offset + off), attrs);
		if (err) {
			unmap_pages(as, at, off);
			return err;
		}
	}
	as->maps[as->map_count++] = (struct mapping){at, rq->size, rq->object, rq->prot};
	kobject_ref(rq->object);
	*out_va = at;
	return VIPER_OK;
}

/* Checks a request's range and protection against its object (see aspace_map). */
static err_t check_request(const struct aspace *as, const struct map_request *rq)
{
	bool device = rq->object->kind == VIPER_OBJ_DEVICE;
	uint64_t total = object_size(rq->object);
	unsigned prot = rq->prot;

	if (rq->size == 0 || (rq->size | rq->offset | rq->va) & (PAGE_SIZE - 1))
		return VIPER_E_INVAL;
	if (rq->offset > total || rq->size > total - rq->offset)
		return VIPER_E_RANGE;
	if ((prot & ~(unsigned)(VIPER_PROT_READ | VIPER_PROT_WRITE | VIPER_PROT_EXEC)) || !prot ||
	    ((prot & VIPER_PROT_WRITE) && (prot & VIPER_PROT_EXEC)) ||
	    (device && (prot & VIPER_PROT_EXEC)))
		return VIPER_E_INVAL;
	if (as->map_count == ASPACE_MAX_MAPPINGS)
		return VIPER_E_LIMIT;
	return VIPER_OK;
}

/* Where a mapping without an address goes: past the last one above USER_MAP_BASE. */
static uint64_t free_place(const struct aspace *as)
{
	uint64_t va = USER_MAP_BASE;

	for (unsigned i = 0; i < as->map_count; i++) {
		const struct mapping *m = &as->maps[i];
		if (m->va >= USER_MAP_BASE && m->va < USER_STACK_TOP - USER_STACK_SIZE &&
		    m->va + m->size + PAGE_SIZE > va)
			va = m->va + m->size + PAGE_SIZE; /* leave a guard page */
	}
	return va;
}

/* Maps the checked request at `va` in a process's table. */
static err_t user_map(struct aspace *as, const struct map_request *rq, uint64_t va)
{
	uint64_t attrs = mmu_user_attrs(rq->prot, rq->object->kind == VIPER_OBJ_DEVICE);
	/* The tables this mapping adds are charged first; they stay until the space dies. */
	uint64_t tables = mmu_tables_missing(as->root, va, rq->size), made;
	err_t err = mem_charge(as->account, tables * PAGE_SIZE);

	if (err)
		return err;
	for (uint64_t off = 0; off < rq->size; off += PAGE_SIZE) {
		err = mmu_map_page(as->root, va + off, object_frame(rq->object, rq->offset + off),
				   attrs);
		if (err) {
			unmap_pages(as, va, off);
			/* Give back the charge of the tables that were not made. */
			made = tables - mmu_tables_missing(as->root, va, rq->size);
			mem_uncharge(as->account, (tables - made) * PAGE_SIZE);
			as->table_pages += made;
			return err;
		}
	}
	as->table_pages += tables;
	as->maps[as->map_count++] = (struct mapping){va, rq->size, rq->object, rq->prot};
	kobject_ref(rq->object);
	return VIPER_OK;
}

err_t aspace_map(struct aspace *as, const struct map_request *rq, uint64_t *out_va)
{
	uint64_t va = rq->va;
	err_t err = check_request(as, rq);

	if (err)
		return err;
	if (as->kernel)
		return kernel_window_map(as, rq, out_va);
	if (va == 0)
		va = free_place(as);
	if (va >= VIPER_USER_TOP || rq->size > VIPER_USER_TOP - va || !range_free(as, va, rq->size))
		return VIPER_E_RANGE;
	err = user_map(as, rq, va);
	if (!err)
		*out_va = va;
	return err;
}

err_t aspace_unmap(struct aspace *as, uint64_t va, uint64_t size)
{
	for (unsigned i = 0; i < as->map_count; i++) {
		struct mapping *m = &as->maps[i];
		if (m->va != va)
			continue;
		if (m->size != size)
			return VIPER_E_INVAL;
		unmap_pages(as, va, size);
		kobject_unref(m->object);
		*m = as->maps[--as->map_count];
		return VIPER_OK;
	}
	return VIPER_E_NOTFOUND;
}
