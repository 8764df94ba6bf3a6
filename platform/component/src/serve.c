#include "serve.h"

#include <viper/syscall.h>

static void close_handles(const viper_handle_t *h, uint32_t count)
{
	for (uint32_t i = 0; i < count && i < VIPER_MSG_MAX_HANDLES; i++) {
		if (h[i] != VIPER_HANDLE_INVALID)
			(void)viper_handle_close(h[i]);
	}
}

void serve_request(struct serve_loop *loop, const uint8_t *bytes, uint32_t len,
		   const viper_handle_t *handles, uint32_t handle_count, struct viper_rpc_out *out)
{
	const struct viper_rpc_in in = {
		.bytes = bytes,
		.len = len,
		.handles = handles,
		.handle_count = handle_count,
	};

	out->len = 0;
	out->handle_count = 0;
	out->handles_taken = false;
	if (loop->lock)
		viper_entry_lock(loop->lock);
	(void)loop->provided->interface->dispatch(loop->provided->ops, loop->state, &loop->ctx, &in,
						  out);
	if (loop->lock)
		viper_entry_unlock(loop->lock);
	if (!out->handles_taken)
		close_handles(handles, handle_count);
}

void serve_reply_error(uint32_t token, const uint8_t *request, uint32_t request_len, int32_t status,
		       struct viper_rpc_out *out)
{
	struct viper_rpc_reply_header h = {.status = status};

	if (request_len >= VIPER_RPC_HEADER_BYTES)
		__builtin_memcpy(&h.request_id, request + 4, sizeof(h.request_id));
	(void)viper_channel_reply(token, &h, sizeof(h), 0, 0);
	close_handles(out->handles, out->handle_count);
}

int64_t serve_forever(struct serve_loop *loop)
{
	_Alignas(8) uint8_t request[VIPER_MSG_MAX_BYTES];
	viper_handle_t handles[VIPER_MSG_MAX_HANDLES];
	struct viper_rpc_out out;
	struct viper_reply_recv rr = {
		.recv_capacity = sizeof(request),
		.recv_bytes = request,
		.recv_handles = handles,
	};
	uint32_t last_len = 0;

	for (;;) {
		int64_t r = viper_channel_reply_recv(loop->channel, &rr, 0);

		if (r < 0 && rr.reply) {
			/* The reply may not have gone: answer with the error alone. */
			serve_reply_error(rr.reply, request, last_len, (int32_t)r, &out);
			rr.reply = 0;
			continue;
		}
		if (r < 0)
			return r;
		rr.reply = 0;
		if (!rr.info.reply) {
			/* Not a call: nothing in the protocol sends those. */
			close_handles(handles, rr.info.handles);
			continue;
		}
		serve_request(loop, request, rr.info.bytes, handles, rr.info.handles, &out);
		last_len = rr.info.bytes;
		rr.reply = rr.info.reply;
		rr.reply_len = out.len;
		rr.reply_bytes = out.bytes;
		rr.reply_handles = out.handles;
		rr.reply_handle_count = out.handle_count;
	}
}
