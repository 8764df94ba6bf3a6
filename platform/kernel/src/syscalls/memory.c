/* Memory objects and mappings: create, map, unmap, physical; device_map. */
#include "decode.h"

#include <kernel/memory_object.h>

#define MEMORY_RIGHTS                                                                              \
	(VIPER_RIGHT_READ | VIPER_RIGHT_WRITE | VIPER_RIGHT_MAP | VIPER_RIGHT_EXEC |               \
	 VIPER_RIGHT_TRANSFER | VIPER_RIGHT_DERIVE)

int64_t sys_memory_create(const uint64_t *a)
{
	struct memory_object *m;
	uint32_t rights = MEMORY_RIGHTS;
	err_t err;

	if (a[1] > UINT32_MAX)
		return VIPER_E_INVAL;
	if (handle_table_free(handles()) == 0)
		return VIPER_E_LIMIT;
	err = memory_object_check(a[0], (uint32_t)a[1]);
	if (err)
		return err;
	err = memory_object_create(a[0], (uint32_t)a[1], as()->account, &m);
	if (err)
		return err;
	if (memory_object_dma_capable(m))
		rights |= VIPER_RIGHT_DMA;
	return new_handle(&m->obj, rights);
}

static uint32_t rights_for_prot(uint64_t prot)
{
	return ((prot & VIPER_PROT_READ) ? VIPER_RIGHT_READ : 0) |
	       ((prot & VIPER_PROT_WRITE) ? VIPER_RIGHT_WRITE : 0) |
	       ((prot & VIPER_PROT_EXEC) ? VIPER_RIGHT_EXEC : 0);
}

/* Maps the object handle `h` names (of `kind`, with `right` and the prot's rights). */
static int64_t map_object(uint64_t h, uint32_t kind, uint32_t right, struct map_request *rq)
{
	uint64_t out;
	struct cap *c;
	err_t err;

	if (rq->prot > 7)
		return VIPER_E_INVAL;
	err = lookup(h, kind, right | rights_for_prot(rq->prot), &c);
	if (err)
		return err;
	rq->object = c->object;
	err = aspace_map(as(), rq, &out);
	return err ? err : (int64_t)out;
}

int64_t sys_memory_map(const uint64_t *a)
{
	struct map_request rq = {NULL, a[1], a[2], (unsigned)a[3], a[4], 0};

	if (a[3] > 7)
		return VIPER_E_INVAL;
	return map_object(a[0], VIPER_OBJ_MEMORY, VIPER_RIGHT_MAP, &rq);
}

int64_t sys_memory_unmap(const uint64_t *a)
{
	return aspace_unmap(as(), a[0], a[1]);
}

int64_t sys_memory_physical(const uint64_t *a)
{
	struct cap *c;
	uint64_t pa;
	err_t err = lookup(a[0], VIPER_OBJ_MEMORY, VIPER_RIGHT_DMA, &c);

	if (!err)
		err = memory_object_dma_address(memory_object_of(c->object), a[1], &pa);
	return err ? err : (int64_t)pa;
}

int64_t sys_device_map(const uint64_t *a)
{
	struct map_request rq = {NULL, a[1], a[2], (unsigned)a[3], 0, 0};

	if (a[3] > 7)
		return VIPER_E_INVAL;
	return map_object(a[0], VIPER_OBJ_DEVICE, VIPER_RIGHT_DEVICE, &rq);
}

int64_t sys_memory_clone(const uint64_t *a)
{
	struct memory_object *src, *m;
	struct cap *c;
	err_t err = lookup(a[0], VIPER_OBJ_MEMORY, VIPER_RIGHT_READ, &c);

	if (err)
		return err;
	src = memory_object_of(c->object);
	if (handle_table_free(handles()) == 0)
		return VIPER_E_LIMIT;
	err = memory_object_check_clone(src);
	if (err)
		return err;
	err = memory_object_clone(src, as()->account, &m);
	if (err)
		return err;
	return new_handle(&m->obj, MEMORY_RIGHTS);
}
