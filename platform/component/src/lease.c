/*
 * Leases: a request lends the provider bytes of a memory object for that
 * call only (Hubris's leases). Across address spaces the client's stub
 * derives a handle with only the lease's rights, which moves with the
 * request; the provider's dispatch checks the range and hands the method a
 * view (ctx->leases), which maps just the pages the lease covers when the
 * method asks (vc_lease_map; read-only for a read lease, so the kernel
 * enforces it); when the call ends the dispatch unmaps them and closes the
 * handle. A direct call does the same with the client's own handle. The
 * same code in every environment.
 */
#include <viper/component.h>
#include <viper/rpc_codec.h>

static uint32_t rights_of(uint32_t prot)
{
	/* Derive too: a provider may lend it on, with these rights at most. */
	uint32_t rights =
		VIPER_RIGHT_READ | VIPER_RIGHT_MAP | VIPER_RIGHT_TRANSFER | VIPER_RIGHT_DERIVE;

	return prot & VIPER_PROT_WRITE ? rights | VIPER_RIGHT_WRITE : rights;
}

int32_t viper_lease_lend(uint32_t *field, uint64_t offset, uint64_t length, uint32_t prot)
{
	uint64_t size;
	viper_handle_t lent;
	int32_t r;

	if (*field == VIPER_HANDLE_INVALID)
		return VIPER_E_INVAL;
	r = vc_memory_size(*field, &size);
	if (r < 0)
		return r;
	if (offset > size || length > size - offset)
		return VIPER_E_RANGE;
	r = vc_handle_derive(*field, rights_of(prot), &lent);
	if (r < 0)
		return r;
	*field = lent;
	return VIPER_OK;
}

int32_t viper_lease_open(uint32_t handle, uint64_t offset, uint64_t length, uint32_t prot,
			 struct viper_lease_view *view)
{
	uint64_t size;
	int32_t r;

	*view = (struct viper_lease_view){
		.length = length, .memory = handle, .offset = offset, .prot = prot};
	if (handle == VIPER_HANDLE_INVALID)
		return VIPER_E_INVAL;
	r = vc_memory_size(handle, &size);
	if (r < 0)
		return r;
	return offset > size || length > size - offset ? VIPER_E_RANGE : VIPER_OK;
}

int32_t vc_lease_map(struct viper_lease_view *view, uint8_t **p)
{
	void *at = NULL;
	int32_t r;

	if (view->mapped || view->length == 0) {
		*p = view->data;
		return VIPER_OK;
	}
	r = vc_memory_map_range(view->memory, view->offset, view->length, view->prot, &at);
	if (r < 0) {
		*p = NULL;
		return r;
	}
	view->data = at;
	view->mapped = true;
	*p = view->data;
	return VIPER_OK;
}

void viper_lease_close(struct viper_lease_view *views, uint32_t count, bool close_handles)
{
	for (uint32_t i = 0; i < count; i++) {
		if (views[i].mapped)
			(void)vc_memory_unmap_range(views[i].data, views[i].length);
		views[i].mapped = false;
		if (close_handles && views[i].memory != VIPER_HANDLE_INVALID)
			(void)vc_handle_close(views[i].memory);
	}
}
