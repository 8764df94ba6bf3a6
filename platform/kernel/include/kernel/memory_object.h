/*
 * Memory objects (VIPER_OBJ_MEMORY): pages that map into any number of
 * address spaces and travel between processes by handle. A contiguous one
 * is one block of physical pages, allocated when it is made, which may
 * reveal its physical address (the DMA right). Any other is demand-zero:
 * a page is allocated, zeroed, the first time anything touches it (a user
 * access faults it in, a kernel copy or a kernel-window mapping asks for
 * it), and clones share pages until one of them writes (copy-on-write).
 *
 * Nothing fails later for want of memory: the object's size is charged to
 * the memory account of the process that made it when it is made, and the
 * pages it may still need are committed in the page allocator then
 * (kernel/page_alloc.h): `committed` is always at least the number of its
 * pages that are absent or shared. Under the big kernel lock.
 */
#ifndef KERNEL_MEMORY_OBJECT_H
#define KERNEL_MEMORY_OBJECT_H

#include <stdbool.h>
#include <stdint.h>

#include <kernel/err.h>
#include <kernel/object.h>
#include <kernel/quota.h>

#define MEMORY_OBJECT_MAX (64ull << 20)

struct mapping;

struct memory_object {
	struct kobject obj;
	uint64_t size;
	uint64_t pages;
	bool contiguous;
	bool pinned;		     /* not contiguous, but every frame present for good */
	uint64_t base;		     /* contiguous: physical base */
	uint64_t *frames;	     /* otherwise: one physical page each, 0 while absent */
	uint64_t committed;	     /* pages it may still take from the page allocator */
	struct mem_account *account; /* who pays for the pages (holds a reference) */
	uint64_t charged;	     /* bytes charged to it */
	struct mapping *mappings;    /* where it is mapped (kernel/aspace.h) */
};

/* Registers the kind with the object layer (at boot). */
void memory_object_register(void);

/*
 * Checks a request for a memory object: VIPER_E_INVAL for size 0, over
 * MEMORY_OBJECT_MAX, unknown flags or both VIPER_MEMORY_CONTIGUOUS and
 * VIPER_MEMORY_PINNED; VIPER_E_RANGE for a contiguous size the page
 * allocator has no block for.
 */
MUST_CHECK err_t memory_object_check(uint64_t size, uint32_t flags);

/*
 * A memory object of `size` bytes (checked) whose pages are charged to
 * `account`: VIPER_E_LIMIT when they do not fit its limit, VIPER_E_NOMEM
 * when the page allocator cannot promise them. The charge goes back when
 * the object is freed.
 */
MUST_CHECK err_t memory_object_create(uint64_t size, uint32_t flags, struct mem_account *account,
				      struct memory_object **out);

/* Whether a device may be given the object's physical addresses (contiguous or pinned). */
static inline bool memory_object_dma_capable(const struct memory_object *m)
{
	return m->contiguous || m->pinned;
}

/*
 * The physical address of byte `offset` of `m` for a device's DMA: VIPER_OK
 * and *pa, VIPER_E_RANGE when `offset` is not below its size,
 * VIPER_E_UNSUPPORTED when it is neither contiguous nor pinned (its pages
 * may be absent or replaced).
 */
MUST_CHECK err_t memory_object_dma_address(const struct memory_object *m, uint64_t offset,
					   uint64_t *pa);

/*
 * Checks that `src` may be cloned: VIPER_E_UNSUPPORTED for a contiguous or
 * pinned object (a device may be writing to it), VIPER_E_BUSY while a
 * kernel-placed component has it mapped writable (the kernel writes it
 * without faulting, so its pages cannot be shared).
 */
MUST_CHECK err_t memory_object_check_clone(const struct memory_object *src);

/*
 * A copy-on-write clone of `src` (checked) charged to `account`: it holds
 * the same bytes now, and from now on neither sees the other's writes. No
 * page is copied until one of the two writes it. VIPER_E_LIMIT when the
 * clone's size does not fit `account`, VIPER_E_NOMEM when the page
 * allocator cannot promise the copies that writes may need.
 */
MUST_CHECK err_t memory_object_clone(struct memory_object *src, struct mem_account *account,
				     struct memory_object **out);

/*
 * The physical page of page `index` for an access (`write` or not), making
 * it present: an absent page is allocated zeroed, and for a write a shared
 * page is copied first (and the other mappings of this object that showed
 * the old page let go of it). Never fails. *exclusive tells whether the
 * object is the page's only holder (a mapping may then be writable).
 */
uint64_t memory_object_page(struct memory_object *m, uint64_t index, bool write, bool *exclusive);

/* The physical page of page `index` if it is present (0 when absent); no allocation. */
uint64_t memory_object_present(const struct memory_object *m, uint64_t index);

static inline struct memory_object *memory_object_of(const struct kobject *o)
{
	return container_of(o, struct memory_object, obj);
}

#endif
