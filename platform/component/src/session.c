/*
 * Sessions in processes and the kernel: vc_session_open makes a channel,
 * gives its receive end to the instance's serve_set (served like a
 * manifest channel, with the session's own context) and its send end to
 * the caller. Limits come from the manifest (Instance.sessions_max and
 * sessions_per_client); the counts change under the instance's entry lock,
 * which every method and serve_set's session_closed run under.
 */
#include <viper/component.h>
#include <viper/syscall.h>

#include "serve.h"

/* The session's serve loop: the instance's answer on a channel of its own. */
static struct serve_loop *session_loop(struct viper_session_host *h,
				       const struct viper_provided *provided, void *session,
				       uint32_t origin, viper_handle_t recv)
{
	struct serve_loop *loop = vc_alloc(sizeof(*loop));

	if (!loop)
		return NULL;
	*loop = (struct serve_loop){
		.channel = recv,
		.provided = provided,
		.state = h->state,
		.lock = h->lock,
		.ctx = {.connection = h->next_connection++, .session = session, .sessions = h},
		.origin = origin,
	};
	return loop;
}

int32_t vc_session_open(struct viper_rpc_context *ctx, const struct viper_provided *provided,
			void *session, viper_handle_t *client_end)
{
	struct viper_session_host *h = ctx ? ctx->sessions : NULL;
	viper_handle_t send, recv;
	int32_t err;

	if (!h || !h->set || !provided || !provided->interface || !provided->interface->dispatch)
		return VIPER_E_UNSUPPORTED;
	uint32_t *count = session_client_count(h->clients, SESSION_CLIENTS_MAX, ctx->connection);
	if (h->open >= h->max || !count || *count >= h->per_client)
		return VIPER_E_LIMIT;
	err = vc_channel_create(&send, &recv);
	if (err < 0)
		return err;
	struct serve_loop *loop = session_loop(h, provided, session, ctx->connection, recv);
	err = loop ? serve_set_add(h->set, loop) : VIPER_E_NOMEM;
	if (err < 0) {
		vc_free(loop);
		(void)vc_handle_close(send);
		(void)vc_handle_close(recv);
		return err;
	}
	(*count)++;
	h->open++;
	*client_end = send;
	return VIPER_OK;
}

void vc_slot_bind(struct viper_slot *slot, const struct viper_interface *interface,
		  viper_handle_t channel)
{
	__builtin_memset(slot, 0, sizeof(*slot));
	slot->interface = interface;
	slot->channel = channel;
}

int32_t vc_slot_close(struct viper_slot *slot)
{
	int32_t r = vc_handle_close(slot->channel);

	slot->channel = VIPER_HANDLE_INVALID;
	return r;
}
