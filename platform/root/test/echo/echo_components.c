/*
 * Two test components for the root task's QEMU test: echo_server provides
 * the echo interface (echo.h); echo_client is active and calls it through
 * slot 0 (another process) and slot 1 (a co-located instance), then asks
 * the remote server to crash and checks that the call fails and that the
 * restarted server answers the next one; then crashes it until its restarts
 * run out and checks that a call fails instead of waiting.
 */
#include <string.h>

#include "echo.h"

struct echo_server_state {
	uint32_t calls;
};

struct echo_server_ops {
	int dummy;
};

static const struct echo_server_ops echo_ops;

static int32_t echo_dispatch(const void *ops, void *self, struct viper_rpc_context *ctx,
			     const struct viper_rpc_in *in, struct viper_rpc_out *out)
{
	struct echo_server_state *s = self;
	struct viper_rpc_request_header req;
	struct viper_rpc_reply_header rep = {.status = VIPER_OK};
	uint32_t body = 0;

	(void)ops;
	(void)ctx;
	if (in->len < VIPER_RPC_HEADER_BYTES || in->handle_count != 0) {
		rep.status = VIPER_E_INVAL;
	} else {
		memcpy(&req, in->bytes, sizeof(req));
		rep.request_id = req.request_id;
		s->calls++;
		if (req.method == ECHO_METHOD_CRASH) {
			vc_log("echo_server: crashing on purpose");
			*(volatile uint32_t *)8 = 1;
		} else if (req.method == ECHO_METHOD_ECHO) {
			body = in->len - VIPER_RPC_HEADER_BYTES;
			memcpy(out->bytes + VIPER_RPC_HEADER_BYTES,
			       in->bytes + VIPER_RPC_HEADER_BYTES, body);
		} else {
			rep.status = VIPER_E_NOTFOUND;
		}
	}
	memcpy(out->bytes, &rep, sizeof(rep));
	out->len = VIPER_RPC_HEADER_BYTES + body;
	out->handle_count = 0;
	return rep.status;
}

const struct viper_interface echo_interface = {
	.name = "echo",
	.id = ECHO_INTERFACE_ID,
	.dispatch = echo_dispatch,
	.max_request = VIPER_MSG_MAX_BYTES,
	.max_reply = VIPER_MSG_MAX_BYTES,
};

static int32_t echo_server_init(void *state, const struct viper_instance_env *env)
{
	(void)state;
	vc_log("echo_server: instance %s ready", env->name);
	return VIPER_OK;
}

VIPER_COMPONENT(echo_server) = {
	.name = "echo_server",
	.state_size = sizeof(struct echo_server_state),
	.provides = {{.interface = &echo_interface, .ops = &echo_ops}},
	.provide_count = 1,
	.init = echo_server_init,
};

struct echo_client_state {
	const struct viper_instance_env *env;
};

/* One call through `slot`: a channel or a direct call into a local instance. */
static int32_t call(struct viper_slot *slot, uint16_t method, const char *text, char *answer,
		    uint32_t capacity)
{
	uint8_t req[64];
	struct viper_rpc_request_header h = {
		.interface_id = ECHO_INTERFACE_ID,
		.method = method,
		.request_id = ++slot->next_request,
	};
	uint32_t len = (uint32_t)strlen(text), reply_len = 0;
	struct viper_rpc_reply_header rep;
	int32_t r;

	memset(answer, 0, VIPER_RPC_HEADER_BYTES + 1);
	memcpy(req, &h, sizeof(h));
	memcpy(req + sizeof(h), text, len);
	len += sizeof(h);
	if (slot->peer_ops) {
		static struct viper_rpc_out out;
		struct viper_rpc_in in = {.bytes = req, .len = len};

		slot->interface->dispatch(slot->peer_ops, slot->peer, &slot->peer_ctx, &in, &out);
		memcpy(answer, out.bytes, out.len);
		reply_len = out.len;
	} else {
		uint32_t handles = 0;

		r = viper_transport_call(slot->channel, req, len, NULL, 0, answer, capacity,
					 &reply_len, NULL, 0, &handles);
		if (r < 0)
			return r;
	}
	if (reply_len < sizeof(rep))
		return VIPER_E_CORRUPT;
	memcpy(&rep, answer, sizeof(rep));
	if (rep.request_id != h.request_id)
		return VIPER_E_CORRUPT;
	answer[reply_len] = '\0';
	return rep.status;
}

static int32_t echo_client_init(void *state, const struct viper_instance_env *env)
{
	struct echo_client_state *s = state;

	s->env = env;
	return VIPER_OK;
}

static int32_t echo_client_run(void *state)
{
	struct echo_client_state *s = state;
	struct viper_slot *remote = s->env->slots[0], *local = s->env->slots[1];
	char answer[VIPER_MSG_MAX_BYTES + 1];
	int32_t r;

	r = call(remote, ECHO_METHOD_ECHO, "hello", answer, 40);
	vc_log("echo_client: remote short call: %d %s", r, answer + 8);
	r = call(remote, ECHO_METHOD_ECHO, "a longer message that does not fit in registers",
		 answer, VIPER_MSG_MAX_BYTES);
	vc_log("echo_client: remote long call: %d %s", r, answer + 8);
	r = call(local, ECHO_METHOD_ECHO, "nearby", answer, VIPER_MSG_MAX_BYTES);
	vc_log("echo_client: local call: %d %s", r, answer + 8);
	r = call(remote, ECHO_METHOD_CRASH, "", answer, 40);
	vc_log("echo_client: crash call: %d", r);
	if (r != VIPER_E_PEERCLOSED)
		return 1;
	r = call(remote, ECHO_METHOD_ECHO, "again", answer, 40);
	vc_log("echo_client: after the restart: %d %s", r, answer + 8);
	if (r != VIPER_OK)
		return 1;
	/*
	 * Three more crashes use up the server's restarts (at most 3); after
	 * the last the root retires it, and a call must fail, not hang.
	 */
	for (int i = 0; i < 3; i++) {
		r = call(remote, ECHO_METHOD_CRASH, "", answer, 40);
		if (r != VIPER_E_PEERCLOSED)
			return 1;
	}
	r = call(remote, ECHO_METHOD_ECHO, "anyone?", answer, 40);
	vc_log("echo_client: after the last restart: %d", r);
	return r == VIPER_E_PEERCLOSED ? 0 : 1;
}

VIPER_COMPONENT(echo_client) = {
	.name = "echo_client",
	.state_size = sizeof(struct echo_client_state),
	.slot_count = 2,
	.init = echo_client_init,
	.run = echo_client_run,
};
