/*
 * Memory objects (VIPER_OBJ_MEMORY): pages that map into any number of
 * address spaces and travel between processes by handle. A contiguous one
 * is one block of physical pages and may reveal its physical address (the
 * DMA right); any other is a page at a time. Its pages are charged to the
 * memory account of the process that made it until the object is freed.
 * Under the big kernel lock.
 */
#ifndef KERNEL_MEMORY_OBJECT_H
#define KERNEL_MEMORY_OBJECT_H

#include <stdbool.h>
#include <stdint.h>

#include <kernel/err.h>
#include <kernel/object.h>
#include <kernel/quota.h>

#define MEMORY_OBJECT_MAX (64ull << 20)

struct memory_object {
	struct kobject obj;
	uint64_t size;
	uint64_t pages;
	bool contiguous;
	uint64_t base;		     /* contiguous: physical base */
	uint64_t *frames;	     /* otherwise: one physical page each */
	struct mem_account *account; /* who pays for the pages (holds a reference) */
	uint64_t charged;	     /* bytes charged to it */
};

/* Registers the kind with the object layer (at boot). */
void memory_object_register(void);

/*
 * Checks a request for a memory object: VIPER_E_INVAL for size 0, over
 * MEMORY_OBJECT_MAX or unknown flags; VIPER_E_RANGE for a contiguous size
 * the page allocator has no block for.
 */
MUST_CHECK err_t memory_object_check(uint64_t size, uint32_t flags);

/*
 * A memory object of `size` bytes (checked) whose pages are charged to
 * `account`: VIPER_E_LIMIT when they do not fit its limit, VIPER_E_NOMEM
 * without memory. The charge goes back when the object is freed.
 */
MUST_CHECK err_t memory_object_create(uint64_t size, uint32_t flags, struct mem_account *account,
				      struct memory_object **out);

/* The physical page backing byte `offset`. */
uint64_t memory_object_frame(const struct memory_object *m, uint64_t offset);

static inline struct memory_object *memory_object_of(const struct kobject *o)
{
	return container_of(o, struct memory_object, obj);
}

#endif
