#include "serve.h"

#include <viper/syscall.h>

void serve_one(struct serve_loop *loop, const uint8_t *bytes, uint32_t len,
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
	(void)loop->provided->interface->dispatch(loop->provided->ops, loop->state, &loop->ctx, &in,
						  out);
	if (!out->handles_taken) {
		for (uint32_t i = 0; i < handle_count; i++)
			(void)viper_handle_close(handles[i]);
	}
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

	for (;;) {
		int64_t r = viper_channel_reply_recv(loop->channel, &rr, 0);

		rr.reply = 0;
		rr.reply_len = 0;
		rr.reply_handle_count = 0;
		if (r == VIPER_E_PEERCLOSED || r == VIPER_E_BADHANDLE || r == VIPER_E_CLOSED)
			return r;
		if (r < 0)
			continue; /* a request too big or with a bad buffer: it was refused */
		serve_one(loop, request, rr.info.bytes, handles, rr.info.handles, &out);
		if (!rr.info.reply) {
			/* A plain send, not a call: nobody waits for the answer. */
			for (uint32_t i = 0; i < out.handle_count; i++)
				(void)viper_handle_close(out.handles[i]);
			continue;
		}
		rr.reply = rr.info.reply;
		rr.reply_len = out.len;
		rr.reply_bytes = out.bytes;
		rr.reply_handles = out.handles;
		rr.reply_handle_count = out.handle_count;
	}
}
