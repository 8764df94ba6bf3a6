/*
 * faulty_server: interface faulty (see include/faulty_server/faulty_server.h).
 * Ping and Echo answer; Fault and Exit end the process without answering,
 * which is what the tests of supervision need: the root task sees a fault
 * or an exit status, the caller sees VIPER_E_PEERCLOSED.
 */
#include <faulty_server/faulty_server.h>

#include <stdlib.h>

#include <viper/component.h>

/* No page is mapped at 0: a write here faults in every placement. */
#define BAD_ADDRESS ((uintptr_t)16)

static int32_t server_init(void *state, const struct viper_instance_env *env)
{
	struct faulty_server_state *s = state;

	s->name = env->name;
	s->started_ns = vc_now_ns();
	vc_log("faulty_server %s: ready", s->name);
	return VIPER_OK;
}

static int32_t server_ping(void *self, struct viper_rpc_context *ctx,
			   const viper_faulty_PingRequest *req, viper_faulty_PingReply *rep)
{
	struct faulty_server_state *s = self;
	struct faulty_server_connection *free_entry = NULL;

	(void)req;
	for (unsigned i = 0; i < FAULTY_SERVER_CONNECTIONS; i++) {
		struct faulty_server_connection *c = &s->connections[i];

		if (c->connection == ctx->connection) {
			rep->pings = ++c->pings;
			rep->started_ns = s->started_ns;
			return VIPER_OK;
		}
		if (c->connection == 0 && free_entry == NULL)
			free_entry = c;
	}
	if (free_entry == NULL)
		return VIPER_E_LIMIT;
	free_entry->connection = ctx->connection;
	free_entry->pings = 1;
	rep->pings = 1;
	rep->started_ns = s->started_ns;
	return VIPER_OK;
}

static int32_t server_echo(void *self, struct viper_rpc_context *ctx,
			   const viper_faulty_EchoRequest *req, viper_faulty_EchoReply *rep)
{
	(void)self;
	(void)ctx;
	if (req->data.size > sizeof(rep->data.bytes))
		return VIPER_E_INVAL;
	vc_memcpy(rep->data.bytes, req->data.bytes, req->data.size);
	rep->data.size = req->data.size;
	return VIPER_OK;
}

static int32_t server_fault(void *self, struct viper_rpc_context *ctx,
			    const viper_faulty_FaultRequest *req, viper_faulty_FaultReply *rep)
{
	struct faulty_server_state *s = self;
	uint64_t until;

	(void)ctx;
	(void)rep;
	if (req->delay_ms > FAULTY_SERVER_MAX_DELAY_MS)
		return VIPER_E_INVAL;
	vc_log("faulty_server %s: faulting on purpose in %u ms", s->name, req->delay_ms);
	/* Busy: calls sent meanwhile wait in the channels' queues. */
	until = vc_now_ns() + (uint64_t)req->delay_ms * 1000000u;
	while (vc_now_ns() < until)
		;
	*(volatile uint32_t *)BAD_ADDRESS = 1;
	return VIPER_E_FAULT; /* not reached: the write faults */
}

static int32_t server_exit(void *self, struct viper_rpc_context *ctx,
			   const viper_faulty_ExitRequest *req, viper_faulty_ExitReply *rep)
{
	struct faulty_server_state *s = self;

	(void)ctx;
	(void)rep;
	vc_log("faulty_server %s: exiting with status %d", s->name, (int)req->status);
	exit(req->status);
}

const struct faulty_server faulty_server_methods = {
	.ping = server_ping,
	.echo = server_echo,
	.fault = server_fault,
	.exit = server_exit,
};

VIPER_COMPONENT(faulty_server) = {
	.name = "faulty_server",
	.state_size = sizeof(struct faulty_server_state),
	.provides = {{.interface = &faulty_interface, .ops = &faulty_server_methods}},
	.provide_count = 1,
	.init = server_init,
};
