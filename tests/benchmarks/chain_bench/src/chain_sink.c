/*
 * chain_sink: interface chunk, reading data once: a lease lent for a call
 * (the chain's last hop), or the extents a ring names in a data object
 * mapped once (AttachRing, DrainRing). It trusts nothing the client put in
 * shared memory: the ring's header and indexes are checked by viper/ring.h
 * and every extent against the data's size.
 */
#include <viper/component.h>
#include <viper/ring.h>

#include "chunk.viper.h"

#define RING_CAPACITY 64u

struct chain_sink {
	struct viper_ring ring;
	bool attached;
	void *ring_at, *data_at;
	uint64_t ring_size, data_size;
	viper_handle_t ring_mem, data_mem;
};

static uint64_t sum_words(const uint8_t *p, uint64_t length)
{
	const uint64_t *w = (const uint64_t *)(const void *)p;
	uint64_t sum = 0;

	for (uint64_t i = 0; i < length / 8; i++)
		sum += w[i];
	return sum;
}

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
	rep->sum = sum_words(p, req->data_length);
	return VIPER_OK;
}

static void detach(struct chain_sink *s)
{
	if (s->ring_at)
		(void)vc_memory_unmap(s->ring_at, s->ring_size);
	if (s->data_at)
		(void)vc_memory_unmap(s->data_at, s->data_size);
	if (s->ring_mem)
		(void)vc_handle_close(s->ring_mem);
	if (s->data_mem)
		(void)vc_handle_close(s->data_mem);
	*s = (struct chain_sink){0};
}

static int32_t sink_attach_ring(void *self, struct viper_rpc_context *ctx,
				const viper_chunk_AttachRingRequest *req,
				viper_chunk_AttachRingReply *rep)
{
	struct chain_sink *s = self;
	int32_t r;

	(void)ctx;
	(void)rep;
	detach(s);
	s->ring_mem = req->ring;
	s->data_mem = req->data;
	if (!req->ring || !req->data) {
		detach(s);
		return VIPER_E_INVAL;
	}
	r = vc_memory_map(s->ring_mem, &s->ring_at, &s->ring_size);
	if (r == VIPER_OK)
		r = vc_memory_map(s->data_mem, &s->data_at, &s->data_size);
	if (r == VIPER_OK)
		r = chunk_extent_ring_attach(&s->ring, s->ring_at, s->ring_size, RING_CAPACITY,
					     false);
	if (r < 0) {
		detach(s);
		return r;
	}
	s->attached = true;
	return VIPER_OK;
}

static int32_t sink_drain_ring(void *self, struct viper_rpc_context *ctx,
			       const viper_chunk_DrainRingRequest *req,
			       viper_chunk_DigestReply *rep)
{
	struct chain_sink *s = self;
	viper_chunk_Extent e;
	int32_t r;

	(void)ctx;
	(void)req;
	if (!s->attached)
		return VIPER_E_UNSUPPORTED;
	while ((r = chunk_extent_pop(&s->ring, &e)) == VIPER_OK) {
		/* The extent is a copy now: check it once, against our own size. */
		if (e.offset > s->data_size || e.length > s->data_size - e.offset || e.length % 8)
			return VIPER_E_RANGE;
		rep->sum += sum_words((const uint8_t *)s->data_at + e.offset, e.length);
	}
	return r == VIPER_E_WOULDBLOCK ? VIPER_OK : r;
}

static const struct chunk_server chain_sink_server = {
	.digest = sink_digest,
	.attach_ring = sink_attach_ring,
	.drain_ring = sink_drain_ring,
};

VIPER_COMPONENT(chain_sink) = {
	.name = "chain_sink",
	.state_size = sizeof(struct chain_sink),
	.provides = {{.interface = &chunk_interface, .ops = &chain_sink_server}},
	.provide_count = 1,
};
