/*
 * chain_hop: interface chunk, passing each lease on to its slot `next`
 * without mapping it (a filesystem or a cache between a client and a
 * driver, moving no byte itself).
 */
#include <viper/component.h>

#include "chain_hop_slots.h"
#include "chunk.viper.h"

struct chain_hop {
	struct viper_slot *next;
};

static int32_t hop_digest(void *self, struct viper_rpc_context *ctx,
			  const viper_chunk_DigestRequest *req, viper_chunk_DigestReply *rep)
{
	struct chain_hop *h = self;
	viper_chunk_DigestRequest on = *req;

	if (ctx->lease_count != 1)
		return VIPER_E_INVAL;
	on.data = ctx->leases[0].memory; /* lent again: the next hop gets its own handle */
	return chunk_digest(h->next, &on, rep);
}

static int32_t hop_init(void *state, const struct viper_instance_env *env)
{
	struct chain_hop *h = state;

	h->next = env->slots[CHAIN_HOP_SLOT_NEXT];
	return VIPER_OK;
}

static const struct chunk_server chain_hop_server = {.digest = hop_digest};

VIPER_COMPONENT(chain_hop) = {
	.name = "chain_hop",
	.state_size = sizeof(struct chain_hop),
	.provides = {{.interface = &chunk_interface, .ops = &chain_hop_server}},
	.provide_count = 1,
	.slot_count = CHAIN_HOP_SLOT_COUNT,
	.init = hop_init,
};
