/* chain_sink: interface chunk, reading the lent bytes once (the chain's last hop). */
#include <viper/component.h>

#include "chunk.viper.h"

static int32_t sink_digest(void *self, struct viper_rpc_context *ctx,
			   const viper_chunk_DigestRequest *req, viper_chunk_DigestReply *rep)
{
	uint8_t *p;
	int32_t r;

	(void)self;
	if (ctx->lease_count != 1 || req->data_length % 8)
		return VIPER_E_INVAL;
	r = vc_lease_map(&ctx->leases[0], &p);
	if (r < 0)
		return r;
	const uint64_t *w = (const uint64_t *)(void *)p;
	uint64_t sum = 0;
	for (uint64_t i = 0; i < req->data_length / 8; i++)
		sum += w[i];
	rep->sum = sum;
	return VIPER_OK;
}

static const struct chunk_server chain_sink_server = {.digest = sink_digest};

VIPER_COMPONENT(chain_sink) = {
	.name = "chain_sink",
	.state_size = 1,
	.provides = {{.interface = &chunk_interface, .ops = &chain_sink_server}},
	.provide_count = 1,
};
