/*
 * blob_worker: interface blob over the connection's bulk buffer (see
 * include/blob_worker/blob_worker.h). The buffer is shared with the client,
 * which may change its contents at any time: the worker takes no bound from
 * the contents, only from the request, checked against the buffer's size
 * before anything is touched.
 */
#include <blob_worker/blob_worker.h>

#include <viper/component.h>

uint32_t blob_worker_crc32(const uint8_t *p, uint32_t n)
{
	uint32_t crc = 0xffffffffu;

	for (uint32_t i = 0; i < n; i++) {
		crc ^= p[i];
		for (unsigned bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

/*
 * The range [offset, offset + length) of ctx's bulk buffer, or an error:
 * VIPER_E_UNSUPPORTED without a buffer, VIPER_E_RANGE when the range does
 * not lie within it (written so that offset + length cannot wrap).
 */
static int32_t range_of(struct blob_worker *w, const struct viper_rpc_context *ctx, uint32_t offset,
			uint32_t length, uint8_t **out)
{
	w->calls++;
	if (ctx->bulk == NULL) {
		w->refused++;
		return VIPER_E_UNSUPPORTED;
	}
	if (offset > ctx->bulk_size || length > ctx->bulk_size - offset) {
		w->refused++;
		return VIPER_E_RANGE;
	}
	*out = (uint8_t *)ctx->bulk + offset;
	return VIPER_OK;
}

static int32_t worker_checksum(void *self, struct viper_rpc_context *ctx,
			       const viper_blob_ChecksumRequest *req, viper_blob_ChecksumReply *rep)
{
	uint8_t *p;
	int32_t r = range_of(self, ctx, req->offset, req->length, &p);

	if (r < 0)
		return r;
	rep->crc32 = req->length ? blob_worker_crc32(p, req->length) : 0;
	return VIPER_OK;
}

static int32_t worker_reverse(void *self, struct viper_rpc_context *ctx,
			      const viper_blob_ReverseRequest *req, viper_blob_ReverseReply *rep)
{
	uint8_t *p;
	int32_t r = range_of(self, ctx, req->offset, req->length, &p);

	(void)rep;
	if (r < 0)
		return r;
	for (uint32_t i = 0, j = req->length; i + 1 < j; i++, j--) {
		uint8_t t = p[i];
		p[i] = p[j - 1];
		p[j - 1] = t;
	}
	return VIPER_OK;
}

const struct blob_server blob_worker_server = {
	.checksum = worker_checksum,
	.reverse = worker_reverse,
};

VIPER_COMPONENT(blob_worker) = {
	.name = "blob_worker",
	.state_size = sizeof(struct blob_worker),
	.provides = {{.interface = &blob_interface, .ops = &blob_worker_server}},
	.provide_count = 1,
};
