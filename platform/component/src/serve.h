/*
 * The server loop every host runs for a provided interface: receive a
 * request on a channel, let the interface's generated dispatch decode it
 * and call the instance, reply. The same code serves in a process and, over
 * kthread_syscall, in the kernel.
 */
#ifndef VIPER_COMPONENT_SERVE_H
#define VIPER_COMPONENT_SERVE_H

#include <viper/component.h>

struct serve_loop {
	viper_handle_t channel; /* receive end */
	const struct viper_provided *provided;
	void *state; /* the instance's */
	struct viper_rpc_context ctx;
};

/*
 * Serves requests until the channel fails for good (every client end and
 * every copy of the receive end gone). Returns that error.
 */
int64_t serve_forever(struct serve_loop *loop);

/*
 * Handles one received request: dispatch, then close the request's handles
 * unless the method took them. The reply is in *out.
 */
void serve_one(struct serve_loop *loop, const uint8_t *bytes, uint32_t len,
	       const viper_handle_t *handles, uint32_t handle_count, struct viper_rpc_out *out);

#endif
