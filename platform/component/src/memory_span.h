/*
 * The pages a ranged mapping covers (vc_memory_map_range), the same in
 * every runtime: checks the range against the object, then gives the
 * page-aligned start and size to map and where byte `offset` lies in them.
 */
#ifndef VIPER_COMPONENT_MEMORY_SPAN_H
#define VIPER_COMPONENT_MEMORY_SPAN_H

#include <viper/component.h>

#define VIPER_SPAN_PAGE 4096u

struct viper_page_span {
	uint64_t start; /* page-aligned offset in the object */
	uint64_t size;	/* whole pages */
	uint64_t skip;	/* offset - start */
};

static inline int32_t viper_page_span_of(viper_handle_t memory, uint64_t offset, uint64_t length,
					 uint32_t prot, struct viper_page_span *span)
{
	uint64_t object;
	int32_t r;

	if (length == 0 || (prot & ~(uint32_t)(VIPER_PROT_READ | VIPER_PROT_WRITE)) ||
	    !(prot & VIPER_PROT_READ))
		return VIPER_E_INVAL;
	r = vc_memory_size(memory, &object);
	if (r < 0)
		return r;
	if (offset > object || length > object - offset)
		return VIPER_E_RANGE;
	span->start = offset & ~(uint64_t)(VIPER_SPAN_PAGE - 1);
	span->skip = offset - span->start;
	span->size = (span->skip + length + VIPER_SPAN_PAGE - 1) & ~(uint64_t)(VIPER_SPAN_PAGE - 1);
	return VIPER_OK;
}

/* vc_memory_unmap_range for every runtime: the mapping starts at p's page. */
static inline int32_t viper_unmap_span(void *p, uint64_t length)
{
	uintptr_t at = (uintptr_t)p;
	uintptr_t base = at & ~(uintptr_t)(VIPER_SPAN_PAGE - 1);
	uint64_t size =
		(at - base + length + VIPER_SPAN_PAGE - 1) & ~(uint64_t)(VIPER_SPAN_PAGE - 1);

	return vc_memory_unmap((void *)base, size);
}

#endif
