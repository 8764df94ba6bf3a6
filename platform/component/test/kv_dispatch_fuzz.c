/*
 * libFuzzer target: kv's generated dispatch in front of the real kv_store.
 * Input: one byte giving the number of handles (0..5) and the request
 * bytes. The handles are real memory objects of the host runtime, made
 * afresh for each input and closed as a server loop would. Every reply
 * must be well formed, and no memory object may leak; anything else aborts.
 */
#include <stdlib.h>

#include <kv_store/kv_store.h>

#include "host_memory.h"

/* kv.viper.c's stubs need a transport; the fuzzer never calls them. */
int32_t viper_transport_call(viper_handle_t channel, const void *request, uint32_t request_len,
			     const viper_handle_t *handles, uint32_t handle_count, void *reply,
			     uint32_t reply_capacity, uint32_t *reply_len,
			     viper_handle_t *reply_handles, uint32_t reply_handle_capacity,
			     uint32_t *reply_handle_count)
{
	(void)channel, (void)request, (void)request_len, (void)handles, (void)handle_count;
	(void)reply, (void)reply_capacity, (void)reply_len, (void)reply_handles;
	(void)reply_handle_capacity, (void)reply_handle_count;
	return VIPER_E_UNSUPPORTED;
}

int32_t viper_transport_call_short(viper_handle_t channel, void *buf, uint32_t request_len,
				   uint32_t reply_capacity, uint32_t *reply_len)
{
	(void)channel, (void)buf, (void)request_len, (void)reply_capacity, (void)reply_len;
	return VIPER_E_UNSUPPORTED;
}

void viper_transport_drop(viper_handle_t handle)
{
	(void)handle;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kv_store store;
	static struct viper_rpc_out out;
	viper_handle_t handles[5];
	if (size < 1)
		return 0;
	uint32_t handle_count = data[0] % 6;
	for (uint32_t i = 0; i < handle_count; i++) {
		if (vc_memory_create(4096u * (i + 1), &handles[i]) != VIPER_OK)
			abort();
	}
	struct viper_rpc_in in = {
		.bytes = data + 1,
		.len = (uint32_t)(size - 1),
		.handles = handles,
		.handle_count = handle_count,
	};
	struct viper_rpc_context ctx = {.connection = 1};
	int32_t status = kv_dispatch(&kv_store_server, &store, &ctx, &in, &out);
	uint32_t echoed = (uint32_t)status;
	uint32_t sent = out.bytes[0] | out.bytes[1] << 8 | out.bytes[2] << 16 |
			(uint32_t)out.bytes[3] << 24;
	if (out.len < VIPER_RPC_HEADER_BYTES || out.len > VIPER_MSG_MAX_BYTES ||
	    out.handle_count > VIPER_MSG_MAX_HANDLES || sent != echoed)
		abort();
	if (status < 0 && (out.len != VIPER_RPC_HEADER_BYTES || out.handle_count != 0))
		abort();
	/* The server loop closes what the method did not take... */
	for (uint32_t i = 0; i < handle_count && !out.handles_taken; i++) {
		if (vc_handle_close(handles[i]) != VIPER_OK)
			abort();
	}
	/* ...and the caller owns what the reply carries. */
	for (uint32_t i = 0; i < out.handle_count && status >= 0; i++) {
		if (vc_handle_close(out.handles[i]) != VIPER_OK)
			abort();
	}
	/* What the store keeps is live, and it is all that is left. */
	if (store.attached != VIPER_HANDLE_INVALID && !host_memory_is_live(store.attached))
		abort();
	if (host_memory_objects() != (store.attached != VIPER_HANDLE_INVALID ? 1u : 0u))
		abort();
	return 0;
}
