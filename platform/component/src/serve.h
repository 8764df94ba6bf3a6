/*
 * The server side every host runs for a provided interface: receive a
 * request on a channel, let the interface's generated dispatch decode it
 * and call the instance, reply. The same code serves in a process
 * (process_host.c) and, over kthread_syscall, in the kernel (kernel_host.c).
 */
#ifndef VIPER_COMPONENT_SERVE_H
#define VIPER_COMPONENT_SERVE_H

#include <viper/component.h>

struct serve_loop {
	viper_handle_t channel; /* receive end */
	const struct viper_provided *provided;
	void *state;		       /* the instance's */
	struct viper_entry_lock *lock; /* the instance's, NULL when it needs none */
	struct viper_rpc_context ctx;
};

/*
 * Handles one received request: dispatch, then close the request's handles
 * unless the method took them. The reply is in *out.
 */
void serve_request(struct serve_loop *loop, const uint8_t *bytes, uint32_t len,
		   const viper_handle_t *handles, uint32_t handle_count, struct viper_rpc_out *out);

/*
 * Answers call `token` with `status` alone, for a request whose real reply
 * could not go (its handles could not move, say), and closes the reply's
 * handles: the caller gets an error, not a hang.
 */
void serve_reply_error(uint32_t token, const uint8_t *request, uint32_t request_len, int32_t status,
		       struct viper_rpc_out *out);

/*
 * Serves `loop`'s channel with channel_reply_recv until it fails for good.
 * Returns VIPER_E_PEERCLOSED when every client end and every copy of the
 * receive end is gone, or the error that stopped it.
 */
int64_t serve_forever(struct serve_loop *loop);

#endif
