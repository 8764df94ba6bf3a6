#include "serve.h"

#include <viper/syscall.h>

#define SET_EVENTS 16u
#define STOP_KEY   UINT64_MAX

static void close_handles(const viper_handle_t *h, uint32_t count)
{
	for (uint32_t i = 0; i < count && i < VIPER_MSG_MAX_HANDLES; i++) {
		if (h[i] != VIPER_HANDLE_INVALID)
			(void)viper_handle_close(h[i]);
	}
}

void serve_request(struct serve_loop *loop, uint32_t token, const uint8_t *bytes, uint32_t len,
		   const viper_handle_t *handles, uint32_t handle_count, struct viper_rpc_out *out)
{
	const struct viper_rpc_in in = {
		.bytes = bytes,
		.len = len,
		.handles = handles,
		.handle_count = handle_count,
	};

	/* Every generated dispatch starts with viper_rpc_begin, which resets the rest of `out`. */
	out->deferred = false;
	loop->call = (struct viper_call_state){.reply_token = token};
	loop->ctx.call = &loop->call;
	if (loop->lock)
		viper_entry_lock(loop->lock);
	(void)loop->provided->interface->dispatch(loop->provided->ops, loop->state, &loop->ctx, &in,
						  out);
	if (loop->lock)
		viper_entry_unlock(loop->lock);
	loop->ctx.call = NULL;
	if (!out->handles_taken)
		close_handles(handles, handle_count);
}

void serve_reply_error(uint32_t token, int32_t status, struct viper_rpc_out *out)
{
	struct viper_rpc_reply_header h = {.status = status};

	if (out->len >= VIPER_RPC_HEADER_BYTES)
		__builtin_memcpy(&h.request_id, out->bytes + 4, sizeof(h.request_id));
	(void)viper_channel_reply(token, &h, sizeof(h), 0, 0);
	close_handles(out->handles, out->handle_count);
}

/* Sends the reply in `out` unless the method kept the call; a reply that cannot go becomes an
 * error. */
static void answer(uint32_t token, struct viper_rpc_out *out)
{
	if (out->deferred)
		return; /* answered later, through the kept token */
	int64_t r =
		viper_channel_reply(token, out->bytes, out->len, out->handles, out->handle_count);
	if (r < 0 && r != VIPER_E_PEERCLOSED)
		serve_reply_error(token, (int32_t)r, out);
}

/*
 * Takes one message from `loop`'s channel with channel_recv (`flags`), and
 * serves and answers it: 0, or the receive's error (VIPER_E_WOULDBLOCK,
 * VIPER_E_PEERCLOSED, ...), which the caller handles.
 */
static int64_t serve_one(struct serve_loop *loop, uint32_t flags)
{
	_Alignas(8) uint8_t request[VIPER_MSG_MAX_BYTES];
	viper_handle_t handles[VIPER_MSG_MAX_HANDLES];
	struct viper_msg_info info = {0};
	struct viper_rpc_out out;
	int64_t r =
		viper_channel_recv(loop->channel, request, sizeof(request), handles, &info, flags);

	if (r < 0)
		return r;
	if (!info.reply) {
		close_handles(handles, info.handles); /* not a call: nothing sends those */
		return 0;
	}
	serve_request(loop, info.reply, request, info.bytes, handles, info.handles, &out);
	answer(info.reply, &out);
	return 0;
}

/*
 * Serves `loop`'s channel. Requests and replies of at most 128 bytes without
 * handles (most calls) travel in registers: channel_reply_recv_short
 * answers the last call and takes the next one in one system call. A
 * request that does not fit is left queued by it (VIPER_E_RANGE) and taken
 * with channel_recv; a reply that does not fit goes with channel_reply.
 */
int64_t serve_forever(struct serve_loop *loop)
{
	struct viper_rpc_out out;
	/* Requests arrive in out.bytes and replies are built there (dispatch reads the request
	 * first): no copies. */
	struct viper_short_msg *m = (struct viper_short_msg *)(void *)out.bytes;
	uint32_t token = 0; /* the call to answer with m's first reply_len bytes; 0: none */
	uint64_t reply_len = 0;

	for (;;) {
		int64_t n =
			viper_channel_reply_recv_short(loop->channel, &token, reply_len, m, NULL);

		reply_len = 0;
		if (n == VIPER_E_RANGE) {
			/* The reply went; the next request needs a buffer. */
			token = 0;
			n = serve_one(loop, 0);
			if (n < 0)
				return n;
			continue;
		}
		if (n < 0)
			return n;
		if (token == 0)
			continue; /* not a call: nothing in the protocol sends those */
		serve_request(loop, token, out.bytes, (uint32_t)n, NULL, 0, &out);
		if (!out.deferred && out.len <= VIPER_SHORT_MSG_BYTES && out.handle_count == 0) {
			reply_len = out.len;
			continue; /* answered by the next channel_reply_recv_short, from out.bytes
				   */
		}
		answer(token, &out);
		token = 0;
	}
}

int32_t serve_set_init(struct serve_set *set, viper_handle_t poll, uint32_t capacity)
{
	set->poll = poll;
	set->capacity = capacity;
	set->live = 0;
	set->entries = vc_alloc(capacity * sizeof(*set->entries));
	if (set->entries == NULL) {
		(void)viper_handle_close(set->poll);
		return VIPER_E_NOMEM;
	}
	__builtin_memset(set->entries, 0, capacity * sizeof(*set->entries));
	return VIPER_OK;
}

int32_t serve_set_add(struct serve_set *set, struct serve_loop *loop)
{
	for (uint32_t i = 0; i < set->capacity; i++) {
		struct serve_loop *none = NULL;

		if (!__atomic_compare_exchange_n(&set->entries[i], &none, loop, false,
						 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			continue;
		int64_t r = viper_poll_add(set->poll, loop->channel,
					   VIPER_SIGNAL_READABLE | VIPER_SIGNAL_PEER_CLOSED, i);
		if (r < 0) {
			__atomic_store_n(&set->entries[i], NULL, __ATOMIC_RELEASE);
			return (int32_t)r;
		}
		__atomic_add_fetch(&set->live, 1, __ATOMIC_ACQ_REL);
		return VIPER_OK;
	}
	return VIPER_E_LIMIT;
}

/* Entry `key` is gone: a session ends (the provider is told), a channel just stops. */
static void drop_entry(struct serve_set *set, uint32_t key, struct serve_loop *loop)
{
	(void)viper_poll_remove(set->poll, loop->channel);
	__atomic_store_n(&set->entries[key], NULL, __ATOMIC_RELEASE);
	__atomic_sub_fetch(&set->live, 1, __ATOMIC_ACQ_REL);
	loop->closed = true;
	if (loop->origin == 0)
		return;
	struct viper_session_host *h = loop->ctx.sessions;
	(void)viper_handle_close(loop->channel);
	if (loop->lock)
		viper_entry_lock(loop->lock);
	if (loop->provided->session_closed)
		loop->provided->session_closed(loop->state, loop->ctx.session);
	uint32_t *count =
		h ? session_client_count(h->clients, SESSION_CLIENTS_MAX, loop->origin) : NULL;
	if (count)
		(*count)--;
	if (h)
		h->open--;
	if (loop->lock)
		viper_entry_unlock(loop->lock);
	vc_free(loop);
}

/* Serves what entry `key` has ready; returns < 0 only when a system call fails for good. */
static int64_t serve_entry(struct serve_set *set, uint32_t key, struct serve_loop *loop)
{
	int64_t r = serve_one(loop, VIPER_MSG_NONBLOCK);

	if (r == VIPER_E_WOULDBLOCK)
		return 0;
	if (r == VIPER_E_PEERCLOSED) {
		drop_entry(set, key, loop);
		return 0;
	}
	return r;
}

int32_t serve_set_stop_on(struct serve_set *set, viper_handle_t recv)
{
	return (int32_t)viper_poll_add(set->poll, recv, VIPER_SIGNAL_NOTIFIED, STOP_KEY);
}

int64_t serve_set_run(struct serve_set *set, bool wait_when_empty)
{
	struct viper_poll_event events[SET_EVENTS];

	while (wait_when_empty || __atomic_load_n(&set->live, __ATOMIC_ACQUIRE) > 0) {
		int64_t n = viper_poll_wait(set->poll, events, SET_EVENTS, VIPER_TIMEOUT_NONE);

		if (n < 0)
			return n;
		for (int64_t e = 0; e < n; e++) {
			if (events[e].key == STOP_KEY)
				return VIPER_OK;
			uint32_t key = (uint32_t)events[e].key;
			struct serve_loop *loop =
				key < set->capacity
					? __atomic_load_n(&set->entries[key], __ATOMIC_ACQUIRE)
					: NULL;
			int64_t r;

			if (loop == NULL || loop->closed)
				continue;
			r = serve_entry(set, key, loop);
			if (r < 0)
				return r;
		}
	}
	return VIPER_OK;
}
