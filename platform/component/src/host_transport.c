/*
 * The in-process channel transport of the host simulation (see
 * viper/host_transport.h). Each call copies the request and the reply as a
 * kernel channel would, so neither side ever sees the other's buffers, and
 * moves the memory handles they carry as the kernel moves handles.
 */
#include <viper/host_transport.h>

#include <stdlib.h>
#include <string.h>

#include <viper/component.h>

#include "host_memory.h"

/* Fake channel handles: recognisable, never 0. */
#define HOST_HANDLE_BASE 0x40000000u

struct host_channel {
	bool open;
	bool served;
	const struct viper_interface *interface;
	const void *ops;
	void *self;
	struct viper_rpc_context ctx;
};

static struct host_channel channels[VIPER_HOST_MAX_CHANNELS];
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

viper_handle_t viper_host_serve(const struct viper_interface *interface, const void *ops,
				void *self)
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
		if (interface->bulk_bytes > 0) {
			c->ctx.bulk_size = bulk_size_of(interface);
			c->ctx.bulk = calloc(1, c->ctx.bulk_size);
		}
		return HOST_HANDLE_BASE + i;
	}
	return VIPER_HANDLE_INVALID;
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
	}
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

/* One thread here: an entry lock only checks nothing re-enters the provider. */
void viper_entry_lock(struct viper_entry_lock *lock)
{
	if (lock->holders++ != 0)
		abort();
}

void viper_entry_unlock(struct viper_entry_lock *lock)
{
	lock->holders--;
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
	c->interface->dispatch(c->ops, c->self, &c->ctx, &in, out);
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
