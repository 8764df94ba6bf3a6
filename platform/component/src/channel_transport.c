/*
 * viper_transport_call over a kernel channel, for processes and (through
 * kthread_syscall) kernel-placed components alike. A call whose request and
 * worst-case reply both fit 128 bytes without handles travels in registers
 * (channel_call_short), straight from and into the caller's buffer when
 * request and reply share one; any other uses channel_call.
 */
#include <viper/rpc.h>
#include <viper/syscall.h>

int32_t viper_transport_call_short(viper_handle_t channel, void *buf, uint32_t request_len,
				   uint32_t reply_capacity, uint32_t *reply_len)
{
	int64_t r = viper_channel_call_short(channel, buf, request_len);

	*reply_len = 0;
	if (r < 0)
		return (int32_t)r;
	if ((uint64_t)r > reply_capacity)
		return VIPER_E_RANGE;
	*reply_len = (uint32_t)r;
	return VIPER_OK;
}

int32_t viper_transport_call(viper_handle_t channel, const void *request, uint32_t request_len,
			     const viper_handle_t *handles, uint32_t handle_count, void *reply,
			     uint32_t reply_capacity, uint32_t *reply_len,
			     viper_handle_t *reply_handles, uint32_t reply_handle_capacity,
			     uint32_t *reply_handle_count)
{
	struct viper_call call;
	int64_t r;

	*reply_len = 0;
	*reply_handle_count = 0;
	if (request_len <= VIPER_SHORT_MSG_BYTES && reply_capacity <= VIPER_SHORT_MSG_BYTES &&
	    handle_count == 0 && reply_handle_capacity == 0) {
		_Alignas(8) uint8_t copy[VIPER_MSG_MAX_BYTES];
		bool in_place = request == reply && ((uintptr_t)reply & 7) == 0;
		void *buf = in_place ? reply : copy;

		if (!in_place)
			__builtin_memcpy(copy, request, request_len);
		int32_t err = viper_transport_call_short(channel, buf, request_len, reply_capacity,
							 reply_len);
		if (err == VIPER_OK && !in_place)
			__builtin_memcpy(reply, copy, *reply_len);
		return err;
	}
	call = (struct viper_call){
		.send_bytes = request,
		.send_len = request_len,
		.send_handle_count = handle_count,
		.send_handles = handles,
		.reply_bytes = reply,
		.reply_capacity = reply_capacity,
		.reply_handle_capacity = reply_handle_capacity,
		.reply_handles = reply_handles,
		.timeout_ns = VIPER_TIMEOUT_NONE,
	};
	r = viper_channel_call(channel, &call);
	if (r < 0)
		return (int32_t)r;
	*reply_len = call.info.bytes;
	*reply_handle_count = call.info.handles;
	return VIPER_OK;
}

void viper_transport_drop(viper_handle_t handle)
{
	(void)viper_handle_close(handle);
}

static void close_reply_handles(const struct viper_rpc_out *out)
{
	for (uint32_t i = 0; i < out->handle_count && i < VIPER_MSG_MAX_HANDLES; i++)
		(void)viper_handle_close(out->handles[i]);
}

int32_t viper_transport_reply(uint32_t reply_token, uint32_t request_id, struct viper_rpc_out *out)
{
	int64_t r = viper_channel_reply(reply_token, out->bytes, out->len, out->handles,
					out->handle_count);

	if (r == 0)
		return VIPER_OK;
	close_reply_handles(out); /* they stay with the replier when the reply fails */
	if (r != VIPER_E_PEERCLOSED) {
		/* The token is still good when the reply's checks failed: answer the error. */
		struct viper_rpc_reply_header h = {.status = (int32_t)r, .request_id = request_id};
		(void)viper_channel_reply(reply_token, &h, sizeof(h), 0, 0);
	}
	return (int32_t)r;
}
