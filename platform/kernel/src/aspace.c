/* Address spaces and their mappings (kernel/aspace.h). */
#include <kernel/aspace.h>

#include <arch/mmu.h>
#include <kernel/device_region.h>
#include <kernel/memory_object.h>
#include <kernel/page_alloc.h>
#include <kernel/string.h>
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

/* The mapping slots. */

static struct mapping *free_slot(struct aspace *as)
{
	for (unsigned i = 0; i < ASPACE_MAX_MAPPINGS; i++) {
		if (!as->maps[i].object)
			return &as->maps[i];
	}
	return NULL;
}

/* The mapping of `as` that covers `va`, or NULL. */
static struct mapping *mapping_at(struct aspace *as, uint64_t va)
{
	for (unsigned i = 0; i < ASPACE_MAX_MAPPINGS; i++) {
		struct mapping *m = &as->maps[i];
		if (m->object && va >= m->va && va - m->va < m->size)
			return m;
	}
	return NULL;
}

static bool range_free(const struct aspace *as, uint64_t va, uint64_t size)
{
	for (unsigned i = 0; i < ASPACE_MAX_MAPPINGS; i++) {
		const struct mapping *m = &as->maps[i];
		if (m->object && va < m->va + m->size && m->va < va + size)
			return false;
	}
	return true;
}

static struct memory_object *memory_of(const struct mapping *mp)
{
	return mp->object->kind == VIPER_OBJ_MEMORY ? memory_object_of(mp->object) : NULL;
}

/* Fills slot `mp` and lists it with its memory object; takes a reference to the object. */
static void mapping_add(struct aspace *as, struct mapping *mp, const struct map_request *rq,
			uint64_t va)
{
	struct memory_object *m;

	*mp = (struct mapping){va, rq->size, rq->offset, rq->object, rq->prot,
			       as, NULL,     NULL,	 rq->charge};
	kobject_ref(rq->object);
	as->map_count++;
	m = memory_of(mp);
	if (!m)
		return;
	mp->obj_next = m->mappings;
	if (m->mappings)
		m->mappings->obj_prev = mp;
	m->mappings = mp;
}

/* Empties slot `mp` (its pages are unmapped already) and drops its reference. */
static void mapping_remove(struct aspace *as, struct mapping *mp)
{
	struct memory_object *m = memory_of(mp);
	struct kobject *o = mp->object;

	mem_uncharge(as->account, mp->charged);
	if (m) {
		if (mp->obj_prev)
			mp->obj_prev->obj_next = mp->obj_next;
		else
			m->mappings = mp->obj_next;
		if (mp->obj_next)
			mp->obj_next->obj_prev = mp->obj_prev;
	}
	*mp = (struct mapping){0};
	as->map_count--;
	kobject_unref(o);
}

static void unmap_pages(struct aspace *as, uint64_t va, uint64_t size)
{
	if (as->kernel)
		mmu_unmap_kernel_range(va, size);
	else
		mmu_unmap_range(as->root, va, size, as->asid);
}

void aspace_destroy(struct aspace *as)
{
	if (!as->root)
		return;
	for (unsigned i = 0; i < ASPACE_MAX_MAPPINGS; i++) {
		if (as->maps[i].object)
			mapping_remove(as, &as->maps[i]);
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
		return memory_object_of(o)->size;
	return device_region_of(o)->size;
}

/* The leaf attributes of a page of `mp`: writable only when the page is the object's own. */
static uint64_t page_attrs(const struct mapping *mp, bool exclusive)
{
	unsigned prot = mp->prot;

	if (!exclusive)
		prot &= ~(unsigned)VIPER_PROT_WRITE;
	return mmu_user_attrs(prot, mp->object->kind == VIPER_OBJ_DEVICE);
}

/* Maps page `index` of the object (relative to the mapping's start) in a process's table. */
static void map_user_page(struct mapping *mp, uint64_t pa, bool exclusive, uint64_t page)
{
	struct aspace *as = mp->as;
	uint64_t va = mp->va + page * PAGE_SIZE;

	mmu_unmap_page(as->root, va, as->asid); /* break before make: an upgrade */
	(void)mmu_map_page(as->root, va, pa, page_attrs(mp, exclusive)); /* tables exist */
}

/*
 * The kernel process's mappings (kernel-placed components): memory objects
 * mapped into the kernel window (KERNEL_WINDOW_BASE, arch/mmu.h), a part
 * of the kernel's own table that every CPU shares. The pages are kernel
 * read/write or read-only, never executable and never reachable from EL0,
 * and all of them are brought in now: the kernel takes no faults.
 * Placement is first fit with a guard page after each mapping, so the holes
 * that unmapping leaves are reused and the window's tables stay few.
 * Devices are refused: the kernel reaches them through its device window.
 */
static uint64_t window_place(const struct aspace *as, uint64_t size)
{
	uint64_t end = KERNEL_WINDOW_BASE + KERNEL_WINDOW_SIZE, at = 0;

	for (unsigned i = 0; i <= ASPACE_MAX_MAPPINGS; i++) {
		/* Candidates: the window's start and one guard page past each mapping. */
		uint64_t c;
		if (i < ASPACE_MAX_MAPPINGS && !as->maps[i].object)
			continue;
		c = i == ASPACE_MAX_MAPPINGS ? KERNEL_WINDOW_BASE
					     : as->maps[i].va + as->maps[i].size + PAGE_SIZE;
		if (c < end && size + PAGE_SIZE <= end - c && (at == 0 || c < at) &&
		    range_free(as, c, size + PAGE_SIZE))
			at = c;
	}
	return at;
}

static err_t kernel_window_map(struct aspace *as, const struct map_request *rq, uint64_t *out_va)
{
	bool write = rq->prot & VIPER_PROT_WRITE, exclusive;
	uint64_t attrs = write ? PTE_KERNEL_RW : PTE_KERNEL_RO, at;
	struct memory_object *m;
	struct mapping *mp;

	if (rq->object->kind != VIPER_OBJ_MEMORY || (rq->prot & VIPER_PROT_EXEC))
		return VIPER_E_UNSUPPORTED;
	if (rq->va != 0) /* the kernel chooses */
		return VIPER_E_INVAL;
	at = window_place(as, rq->size);
	if (at == 0)
		return VIPER_E_NOMEM;
	m = memory_object_of(rq->object);
	for (uint64_t off = 0; off < rq->size; off += PAGE_SIZE) {
		uint64_t pa =
			memory_object_page(m, (rq->offset + off) / PAGE_SIZE, write, &exclusive);
		err_t err = mmu_map_kernel_page(at + off, pa, attrs);
		if (err) {
			unmap_pages(as, at, off);
			return err;
		}
	}
	mp = free_slot(as);
	mapping_add(as, mp, rq, at);
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
	if (as->kernel && rq->charge)
		return VIPER_E_INVAL; /* the kernel's account pays for everything anyway */
	if (as->map_count == ASPACE_MAX_MAPPINGS)
		return VIPER_E_LIMIT;
	return VIPER_OK;
}

/* Where a mapping without an address goes: past the last one above USER_MAP_BASE. */
static uint64_t free_place(const struct aspace *as)
{
	uint64_t va = USER_MAP_BASE;

	for (unsigned i = 0; i < ASPACE_MAX_MAPPINGS; i++) {
		const struct mapping *m = &as->maps[i];
		if (m->object && m->va >= USER_MAP_BASE &&
		    m->va < USER_STACK_TOP - USER_STACK_SIZE && m->va + m->size + PAGE_SIZE > va)
			va = m->va + m->size + PAGE_SIZE; /* leave a guard page */
	}
	return va;
}

/* Shows in `mp` the pages present now: a device's all, a memory object's present ones. */
static void map_present(struct mapping *mp)
{
	struct memory_object *m = memory_of(mp);

	for (uint64_t page = 0; page * PAGE_SIZE < mp->size; page++) {
		uint64_t pa, index = mp->offset / PAGE_SIZE + page;
		if (!m) {
			map_user_page(mp, device_region_of(mp->object)->base + index * PAGE_SIZE,
				      true, page);
			continue;
		}
		pa = memory_object_present(m, index);
		if (pa)
			map_user_page(mp, pa, m->contiguous || page_refcount(pa) == 1, page);
	}
}

/* Maps the checked request at `va` in a process's table, making its tables now. */
static err_t user_map(struct aspace *as, const struct map_request *rq, uint64_t va)
{
	/* The tables this mapping adds are charged first; they stay until the space dies. */
	uint64_t tables = mmu_tables_missing(as->root, va, rq->size), made;
	struct mapping *mp;
	err_t err = mem_charge(as->account, tables * PAGE_SIZE + rq->charge);

	if (err)
		return err;
	err = mmu_prepare_tables(as->root, va, rq->size);
	made = tables - mmu_tables_missing(as->root, va, rq->size);
	as->table_pages += made;
	if (err) {
		/* Give back the charge of the tables that were not made, and the mapping's. */
		mem_uncharge(as->account, (tables - made) * PAGE_SIZE + rq->charge);
		return err;
	}
	mp = free_slot(as);
	mapping_add(as, mp, rq, va);
	map_present(mp);
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
	for (unsigned i = 0; i < ASPACE_MAX_MAPPINGS; i++) {
		struct mapping *m = &as->maps[i];
		if (!m->object || m->va != va)
			continue;
		if (m->size != size)
			return VIPER_E_INVAL;
		unmap_pages(as, va, size);
		mapping_remove(as, m);
		return VIPER_OK;
	}
	return VIPER_E_NOTFOUND;
}

/* Faults and sharing. */

static bool allows(unsigned prot, enum aspace_access access)
{
	switch (access) {
	case ACCESS_READ:
		return prot & (VIPER_PROT_READ | VIPER_PROT_WRITE | VIPER_PROT_EXEC);
	case ACCESS_WRITE:
		return prot & VIPER_PROT_WRITE;
	case ACCESS_EXEC:
		return prot & VIPER_PROT_EXEC;
	}
	return false;
}

err_t aspace_fault(struct aspace *as, uint64_t va, enum aspace_access access)
{
	struct mapping *mp = as->kernel ? NULL : mapping_at(as, va);
	struct memory_object *m = mp ? memory_of(mp) : NULL;
	uint64_t page, pa;
	bool exclusive;

	if (!m || !allows(mp->prot, access))
		return VIPER_E_FAULT;
	page = (va - mp->va) / PAGE_SIZE;
	pa = memory_object_page(m, mp->offset / PAGE_SIZE + page, access == ACCESS_WRITE,
				&exclusive);
	map_user_page(mp, pa, exclusive, page);
	return VIPER_OK;
}

/* Calls fn(mp, page) for each page of `m` at `index` that a mapping shows. */
static void for_each_view(struct memory_object *m, uint64_t index,
			  void (*fn)(struct mapping *mp, uint64_t page))
{
	for (struct mapping *mp = m->mappings; mp; mp = mp->obj_next) {
		uint64_t first = mp->offset / PAGE_SIZE, count = mp->size / PAGE_SIZE;
		if (index >= first && index - first < count)
			fn(mp, index - first);
	}
}

/* A view of a page let go of: a process refaults; the kernel's is shown the new page. */
static void drop_view(struct mapping *mp, uint64_t page)
{
	struct memory_object *m = memory_of(mp);
	uint64_t va = mp->va + page * PAGE_SIZE;
	bool exclusive;

	if (!mp->as->kernel) {
		mmu_unmap_page(mp->as->root, va, mp->as->asid);
		return;
	}
	mmu_unmap_kernel_page(va);
	(void)mmu_map_kernel_page(
		va, memory_object_page(m, mp->offset / PAGE_SIZE + page, false, &exclusive),
		PTE_KERNEL_RO); /* only read-only kernel views can share */
}

void aspace_object_page_replaced(struct memory_object *m, uint64_t index)
{
	for_each_view(m, index, drop_view);
}

void aspace_object_shared(struct memory_object *m)
{
	for (struct mapping *mp = m->mappings; mp; mp = mp->obj_next) {
		if (mp->as->kernel || !(mp->prot & VIPER_PROT_WRITE))
			continue;
		/* Writable views go: the next write faults and copies. */
		unmap_pages(mp->as, mp->va, mp->size);
	}
}

bool aspace_kernel_maps_writable(const struct memory_object *m)
{
	for (const struct mapping *mp = m->mappings; mp; mp = mp->obj_next) {
		if (mp->as->kernel && (mp->prot & VIPER_PROT_WRITE))
			return true;
	}
	return false;
}
