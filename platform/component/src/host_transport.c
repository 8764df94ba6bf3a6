/*
 * The in-process channel transport of the host simulation (see
 * viper/host_transport.h). Each call copies the request and the reply as a
 * kernel channel would, so neither side ever sees the other's buffers, and
 * moves the memory handles they carry as the kernel moves handles.
 */
#define _GNU_SOURCE /* PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP */
#include <viper/host_transport.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <viper/component.h>

#include "host_memory.h"
#include "session_clients.h"

/* Fake channel handles: recognisable, never 0. */
#define HOST_HANDLE_BASE 0x40000000u

struct host_channel {
	bool open;
	bool served;
	const struct viper_interface *interface;
	const void *ops;
	void *self;
	struct viper_rpc_context ctx;
	/* A session's: what it serves and the connection that opened it (0: not a session). */
	const struct viper_provided *provided;
	uint32_t origin;
};

/* The host's record of an instance that may open sessions (viper_host_sessions). */
struct viper_session_host {
	void *self;
	uint32_t max, per_client, open;
	uint32_t next_connection;
	struct session_client clients[VIPER_HOST_MAX_CHANNELS];
};

/* A remote call whose method deferred it: the caller waits for its reply here. */
struct host_pending {
	bool used, done;
	struct viper_rpc_out out;
};

static struct host_channel channels[VIPER_HOST_MAX_CHANNELS];
static struct viper_session_host session_hosts[VIPER_HOST_MAX_SESSION_HOSTS];
static struct host_pending pending[VIPER_HOST_MAX_CHANNELS];
static pthread_mutex_t transport_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t reply_came = PTHREAD_COND_INITIALIZER;
/*
 * Held around every remote dispatch and session_closed: one thread at a
 * time inside the providers, as an entry lock gives on the target;
 * recursive, for a provider that calls another.
 */
static pthread_mutex_t provider_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

/* How deep this thread holds provider_lock: a wait for a kept answer lets go of all of it. */
static _Thread_local unsigned provider_depth;

static void providers_enter(void)
{
	pthread_mutex_lock(&provider_lock);
	provider_depth++;
}

static void providers_leave(void)
{
	provider_depth--;
	pthread_mutex_unlock(&provider_lock);
}

static uint32_t dropped_handles;

/* As on the target: the interface's bulk_bytes rounded up to whole pages. */
static uint32_t bulk_size_of(const struct viper_interface *interface)
{
	return (interface->bulk_bytes + 4095u) & ~4095u;
}

static struct host_channel *lookup(viper_handle_t channel)
{
	if (channel < HOST_HANDLE_BASE || channel >= HOST_HANDLE_BASE + VIPER_HOST_MAX_CHANNELS)
		return NULL;
	struct host_channel *c = &channels[channel - HOST_HANDLE_BASE];
	return c->served ? c : NULL;
}

static struct viper_session_host *sessions_of(void *self)
{
	for (uint32_t i = 0; i < VIPER_HOST_MAX_SESSION_HOSTS; i++) {
		if (session_hosts[i].self == self && self != NULL)
			return &session_hosts[i];
	}
	return NULL;
}

int32_t viper_host_sessions(void *self, uint32_t max, uint32_t per_client)
{
	pthread_mutex_lock(&transport_lock);
	struct viper_session_host *h = sessions_of(self);
	for (uint32_t i = 0; i < VIPER_HOST_MAX_SESSION_HOSTS && h == NULL; i++) {
		if (session_hosts[i].self == NULL)
			h = &session_hosts[i];
	}
	if (h != NULL) {
		memset(h, 0, sizeof(*h));
		*h = (struct viper_session_host){.self = self,
						 .max = max,
						 .per_client = per_client,
						 .next_connection = 0x10000};
	}
	pthread_mutex_unlock(&transport_lock);
	return h != NULL ? VIPER_OK : VIPER_E_LIMIT;
}

uint32_t viper_host_sessions_open(void *self)
{
	pthread_mutex_lock(&transport_lock);
	struct viper_session_host *h = sessions_of(self);
	uint32_t open = h ? h->open : 0;
	pthread_mutex_unlock(&transport_lock);
	return open;
}

/* A free channel set up to serve `ops` for `self`; its index, or -1. Under transport_lock. */
static int channel_alloc(const struct viper_interface *interface, const void *ops, void *self)
{
	for (uint32_t i = 0; i < VIPER_HOST_MAX_CHANNELS; i++) {
		struct host_channel *c = &channels[i];
		if (c->served)
			continue;
		memset(c, 0, sizeof(*c));
		c->open = true;
		c->served = true;
		c->interface = interface;
		c->ops = ops;
		c->self = self;
		c->ctx.connection = i + 1;
		c->ctx.sessions = sessions_of(self);
		return (int)i;
	}
	return -1;
}

viper_handle_t viper_host_serve(const struct viper_interface *interface, const void *ops,
				void *self)
{
	pthread_mutex_lock(&transport_lock);
	int i = channel_alloc(interface, ops, self);
	pthread_mutex_unlock(&transport_lock);
	if (i < 0)
		return VIPER_HANDLE_INVALID;
	struct host_channel *c = &channels[i];
	if (interface->bulk_bytes > 0) {
		c->ctx.bulk_size = bulk_size_of(interface);
		c->ctx.bulk = calloc(1, c->ctx.bulk_size);
	}
	return HOST_HANDLE_BASE + (uint32_t)i;
}

int32_t vc_session_open(struct viper_rpc_context *ctx, const struct viper_provided *provided,
			void *session, viper_handle_t *client_end)
{
	struct viper_session_host *h = ctx ? ctx->sessions : NULL;
	int32_t err = VIPER_OK;

	if (h == NULL || provided == NULL || provided->interface == NULL)
		return VIPER_E_UNSUPPORTED;
	pthread_mutex_lock(&transport_lock);
	uint32_t *count =
		session_client_count(h->clients, VIPER_HOST_MAX_CHANNELS, ctx->connection);
	int i = -1;
	if (h->open >= h->max || count == NULL || *count >= h->per_client)
		err = VIPER_E_LIMIT;
	else if ((i = channel_alloc(provided->interface, provided->ops, h->self)) < 0)
		err = VIPER_E_LIMIT;
	if (err == VIPER_OK) {
		struct host_channel *c = &channels[i];
		c->provided = provided;
		c->origin = ctx->connection;
		c->ctx.connection = h->next_connection++;
		c->ctx.session = session;
		(*count)++;
		h->open++;
		*client_end = HOST_HANDLE_BASE + (uint32_t)i;
	}
	pthread_mutex_unlock(&transport_lock);
	return err;
}

int32_t host_channel_close(viper_handle_t channel)
{
	pthread_mutex_lock(&transport_lock);
	struct host_channel *c = lookup(channel);
	if (c == NULL || !c->open) {
		pthread_mutex_unlock(&transport_lock);
		return VIPER_E_BADHANDLE;
	}
	c->open = false;
	struct viper_session_host *h = c->origin ? c->ctx.sessions : NULL;
	if (h != NULL) {
		uint32_t *count =
			session_client_count(h->clients, VIPER_HOST_MAX_CHANNELS, c->origin);
		if (count != NULL && *count > 0)
			(*count)--;
		h->open--;
	}
	pthread_mutex_unlock(&transport_lock);
	if (h != NULL && c->provided->session_closed != NULL) {
		providers_enter();
		c->provided->session_closed(c->self, c->ctx.session);
		providers_leave();
	}
	if (h != NULL) {
		pthread_mutex_lock(&transport_lock);
		c->served = false; /* a session's channel is free again */
		pthread_mutex_unlock(&transport_lock);
	}
	return VIPER_OK;
}

void vc_slot_bind(struct viper_slot *slot, const struct viper_interface *interface,
		  viper_handle_t channel)
{
	viper_host_bind_remote(slot, interface, channel);
}

int32_t vc_slot_close(struct viper_slot *slot)
{
	int32_t r = vc_handle_close(slot->channel);

	slot->channel = VIPER_HANDLE_INVALID;
	return r;
}

void viper_host_close(viper_handle_t channel)
{
	struct host_channel *c = lookup(channel);
	if (c != NULL)
		c->open = false;
}

void viper_host_reset(void)
{
	for (uint32_t i = 0; i < VIPER_HOST_MAX_CHANNELS; i++) {
		free(channels[i].ctx.bulk);
		memset(&channels[i], 0, sizeof(channels[i]));
		memset(&pending[i], 0, sizeof(pending[i]));
	}
	memset(session_hosts, 0, sizeof(session_hosts));
	dropped_handles = 0;
	host_memory_reset();
	host_notify_reset();
}

unsigned viper_host_memory_objects(void)
{
	return host_memory_objects();
}

void viper_host_bind_remote(struct viper_slot *slot, const struct viper_interface *interface,
			    viper_handle_t channel)
{
	memset(slot, 0, sizeof(*slot));
	slot->interface = interface;
	slot->channel = channel;
	struct host_channel *c = lookup(channel);
	if (c != NULL) {
		slot->bulk = c->ctx.bulk;
		slot->bulk_size = c->ctx.bulk_size;
	}
}

void viper_host_bind_direct(struct viper_slot *slot, const struct viper_interface *interface,
			    const void *ops, void *self)
{
	memset(slot, 0, sizeof(*slot));
	slot->interface = interface;
	slot->channel = VIPER_HANDLE_INVALID;
	slot->peer_ops = ops;
	slot->peer = self;
	slot->peer_ctx.connection = 1;
	slot->peer_ctx.sessions = sessions_of(self);
	if (interface->bulk_bytes > 0) {
		slot->bulk_size = bulk_size_of(interface);
		slot->bulk = calloc(1, slot->bulk_size);
		slot->peer_ctx.bulk = slot->bulk;
		slot->peer_ctx.bulk_size = slot->bulk_size;
	}
}

viper_handle_t viper_host_bind(struct viper_slot *slot, const struct viper_provided *provided,
			       void *self, bool remote)
{
	if (!remote) {
		viper_host_bind_direct(slot, provided->interface, provided->ops, self);
		return VIPER_HANDLE_INVALID;
	}
	viper_handle_t channel = viper_host_serve(provided->interface, provided->ops, self);
	viper_host_bind_remote(slot, provided->interface, channel);
	return channel;
}

const struct viper_component *viper_host_start(const char *name,
					       const struct viper_instance_env *env, void **state,
					       int32_t *init_status)
{
	const struct viper_component *c = viper_component_find(name);

	*state = NULL;
	*init_status = VIPER_OK;
	if (c == NULL)
		return NULL;
	*state = vc_alloc(c->state_size ? c->state_size : 1);
	if (c->init != NULL)
		*init_status = c->init(*state, env);
	return c;
}

/*
 * On the host every entry lock is the one provider lock: one thread inside
 * the providers at a time, which is stricter than the target's lock per
 * instance, never looser.
 */
void viper_entry_lock(struct viper_entry_lock *lock)
{
	lock->holders++;
	providers_enter();
}

void viper_entry_unlock(struct viper_entry_lock *lock)
{
	lock->holders--;
	providers_leave();
}

void viper_transport_drop(viper_handle_t handle)
{
	dropped_handles++;
	if (host_memory_is_live(handle) || host_notify_is_live(handle))
		(void)vc_handle_close(handle);
}

uint32_t viper_host_dropped_handles(void)
{
	return dropped_handles;
}

/*
 * What the kernel checks before it moves a message's handles: each memory
 * handle is live (VIPER_E_BADHANDLE) and listed once (VIPER_E_INVAL).
 * Other values (tests' made-up handles) pass unchecked.
 */
static int32_t check_handles(const viper_handle_t *handles, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++) {
		if (!host_memory_is_handle(handles[i]))
			continue;
		if (!host_memory_is_live(handles[i]))
			return VIPER_E_BADHANDLE;
		for (uint32_t j = 0; j < i; j++) {
			if (handles[j] == handles[i])
				return VIPER_E_INVAL;
		}
	}
	return VIPER_OK;
}

/* Moves checked handles into `to`: memory handles get new numbers, the old ones die. */
static void move_handles(const viper_handle_t *from, viper_handle_t *to, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++) {
		to[i] = from[i];
		if (host_memory_is_handle(from[i]) && host_memory_move(from[i], &to[i]) < 0)
			to[i] = VIPER_HANDLE_INVALID; /* cannot happen: checked, and a slot frees */
	}
}

/* A pending-reply entry for one call; its index, or -1 when all are in use. */
static int pending_alloc(void)
{
	int found = -1;

	pthread_mutex_lock(&transport_lock);
	for (int i = 0; i < (int)VIPER_HOST_MAX_CHANNELS && found < 0; i++) {
		if (!pending[i].used) {
			pending[i].used = true;
			pending[i].done = false;
			found = i;
		}
	}
	pthread_mutex_unlock(&transport_lock);
	return found;
}

static void pending_free(int token)
{
	pthread_mutex_lock(&transport_lock);
	pending[token].used = false;
	pthread_mutex_unlock(&transport_lock);
}

static void wait_for_reply(int token, struct viper_rpc_out *out)
{
	/* A provider waiting inside its own method lets the others in meanwhile. */
	unsigned depth = provider_depth;

	for (unsigned i = 0; i < depth; i++)
		providers_leave();
	pthread_mutex_lock(&transport_lock);
	while (!pending[token].done)
		pthread_cond_wait(&reply_came, &transport_lock);
	bool taken = out->handles_taken;
	*out = pending[token].out;
	out->handles_taken = taken;
	pthread_mutex_unlock(&transport_lock);
	for (unsigned i = 0; i < depth; i++)
		providers_enter();
}

int32_t viper_transport_reply(uint32_t reply_token, uint32_t request_id, struct viper_rpc_out *out)
{
	(void)request_id;
	if (reply_token == 0 || reply_token > VIPER_HOST_MAX_CHANNELS)
		return VIPER_E_BADHANDLE;
	pthread_mutex_lock(&transport_lock);
	struct host_pending *p = &pending[reply_token - 1];
	int32_t err = p->used && !p->done ? VIPER_OK : VIPER_E_PEERCLOSED;
	if (err == VIPER_OK) {
		p->out = *out;
		p->done = true;
		pthread_cond_broadcast(&reply_came);
	}
	pthread_mutex_unlock(&transport_lock);
	return err;
}

int32_t viper_transport_call_short(viper_handle_t channel, void *buf, uint32_t request_len,
				   uint32_t reply_capacity, uint32_t *reply_len)
{
	uint32_t handle_count = 0;

	return viper_transport_call(channel, buf, request_len, NULL, 0, buf, reply_capacity,
				    reply_len, NULL, 0, &handle_count);
}

int32_t viper_transport_call(viper_handle_t channel, const void *request, uint32_t request_len,
			     const viper_handle_t *handles, uint32_t handle_count, void *reply,
			     uint32_t reply_capacity, uint32_t *reply_len,
			     viper_handle_t *reply_handles, uint32_t reply_handle_capacity,
			     uint32_t *reply_handle_count)
{
	struct host_channel *c = lookup(channel);
	if (c == NULL)
		return VIPER_E_BADHANDLE;
	if (!c->open)
		return VIPER_E_PEERCLOSED;
	if (request_len > VIPER_MSG_MAX_BYTES || handle_count > VIPER_MSG_MAX_HANDLES)
		return VIPER_E_TOOBIG;
	int32_t err = check_handles(handles, handle_count);
	if (err < 0)
		return err;
	struct viper_rpc_out *out = calloc(1, sizeof(*out));
	if (out == NULL)
		return VIPER_E_NOMEM;
	/* The "kernel" copies the message into the provider's receive buffer. */
	uint8_t received[VIPER_MSG_MAX_BYTES];
	viper_handle_t received_handles[VIPER_MSG_MAX_HANDLES];
	memcpy(received, request, request_len);
	move_handles(handles, received_handles, handle_count);
	struct viper_rpc_in in = {
		.bytes = received,
		.len = request_len,
		.handles = received_handles,
		.handle_count = handle_count,
	};
	int token = pending_alloc();
	if (token < 0) {
		free(out);
		return VIPER_E_LIMIT;
	}
	struct viper_call_state call = {.reply_token = (uint32_t)token + 1};
	struct viper_rpc_context ctx = c->ctx; /* per call: calls on one channel may overlap */
	ctx.call = &call;
	providers_enter();
	c->interface->dispatch(c->ops, c->self, &ctx, &in, out);
	providers_leave();
	if (out->deferred)
		wait_for_reply(token, out); /* another thread answers through the kept token */
	pending_free(token);
	if (!out->handles_taken) {
		/* As the server loop does: close what the provider did not take. */
		dropped_handles += handle_count;
		for (uint32_t i = 0; i < handle_count; i++) {
			if (host_memory_is_handle(received_handles[i]))
				(void)vc_handle_close(received_handles[i]);
		}
	}
	err = check_handles(out->handles, out->handle_count);
	if (err == VIPER_OK &&
	    (out->len > reply_capacity || out->handle_count > reply_handle_capacity))
		err = VIPER_E_TOOBIG;
	if (err < 0) {
		/* The reply does not go: its handles are closed (serve_reply_error). */
		for (uint32_t i = 0; i < out->handle_count; i++) {
			if (host_memory_is_live(out->handles[i]))
				(void)vc_handle_close(out->handles[i]);
		}
		goto out_free;
	}
	memcpy(reply, out->bytes, out->len);
	*reply_len = out->len;
	move_handles(out->handles, reply_handles, out->handle_count);
	*reply_handle_count = out->handle_count;
out_free:
	free(out);
	return err;
}
