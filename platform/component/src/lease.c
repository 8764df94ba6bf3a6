/*
 * Leases: a request lends the provider bytes of a memory object for that
 * call only (Hubris's leases). Across address spaces the client's stub
 * derives a handle with only the lease's rights, which moves with the
 * request; the provider's dispatch maps just the pages the lease covers
 * (read-only for a read lease, so the kernel enforces it), hands the method
 * a view (ctx->leases) and, when the call ends, unmaps them and closes the
 * handle. A direct call maps the client's own handle the same way. The
 * same code in every environment.
 */
#include <viper/component.h>
#include <viper/rpc_codec.h>

static uint32_t rights_of(uint32_t prot)
{
	uint32_t rights = VIPER_RIGHT_READ | VIPER_RIGHT_MAP | VIPER_RIGHT_TRANSFER;

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
	void *p = NULL;
	int32_t r;

	*view = (struct viper_lease_view){
		.length = length, .memory = handle, .offset = offset, .prot = prot};
	if (handle == VIPER_HANDLE_INVALID)
		return VIPER_E_INVAL;
	if (length == 0) {
		r = vc_memory_size(handle, &size);
		return r < 0 ? r : offset > size ? VIPER_E_RANGE : VIPER_OK;
	}
	r = vc_memory_map_range(handle, offset, length, prot, &p);
	if (r < 0)
		return r;
	view->data = p;
	view->mapped = true;
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
