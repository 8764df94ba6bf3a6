/* The process host's and the kernel host's common core (host_core.h). */
#include "host_core.h"

void host_plan_entry_locks(const struct host_placement *placement,
			   const viper_manifest_Instance *const *records,
			   const struct viper_component *const *components, unsigned count,
			   struct entry_threads *entered)
{
	uint32_t calls[32] = {0};
	uint32_t runs[32] = {0};

	for (unsigned i = 0; i < count && i < 32; i++) {
		const viper_manifest_Instance *r = records[i];

		for (pb_size_t s = 0; s < r->slots_count && s < VIPER_COMPONENT_MAX_SLOTS; s++) {
			uint32_t local = r->slots[s].local; /* checked by the manifest's decoder */
			if (!r->slots[s].grant && local >= 1 && local <= count)
				calls[i] |= 1u << (local - 1);
		}
		runs[i] = components[i]->run ? placement->run_thread(i) : 0;
		entered[i].thread = placement->serving_thread(i, r);
		entered[i].several = placement->serves_on_several(r);
	}
	entry_threads_solve(count, calls, runs, entered);
}

int32_t host_bind_direct(const struct host_placement *placement, struct viper_slot *slot,
			 const struct host_peer *peer, uint32_t interface_id, uint32_t connection)
{
	const struct viper_provided *p = viper_component_provided(peer->component, interface_id);

	if (!p)
		return VIPER_E_CORRUPT;
	slot->interface = p->interface;
	slot->peer_ops = p->ops;
	slot->peer = peer->state;
	slot->peer_lock = peer->lock;
	slot->peer_ctx.connection = connection;
	slot->peer_ctx.sessions = peer->sessions;
	if (!p->interface->bulk_bytes)
		return VIPER_OK;
	/* Whole pages, as a shared memory object would have. */
	uint32_t size = (p->interface->bulk_bytes + 4095u) & ~4095u;
	void *at = NULL;
	int32_t err = placement->bulk_buffer(size, &at);
	if (err < 0)
		return err;
	slot->bulk = slot->peer_ctx.bulk = at;
	slot->bulk_size = slot->peer_ctx.bulk_size = size;
	return VIPER_OK;
}
