/*
 * Channels: create, send, receive, call, reply, notifications. The decode
 * side; the channel object is kernel/channel.h, calls and delivery
 * kernel/call.h.
 */
#include "decode.h"

#include <kernel/call.h>
#include <kernel/channel.h>
#include <kernel/hand_over.h>
#include <kernel/kmalloc.h>
#include <kernel/lock.h>
#include <kernel/string.h>
#include <kernel/syscall.h>
#include <kernel/thread.h>

/* A message as a system call gives it. */
struct message_args {
	bool from_regs;	  /* a short message: the bytes are in the caller's x2-x17 */
	uint64_t bytes;	  /* user address of the bytes */
	uint64_t len;	  /* checked by the caller when from_regs */
	uint64_t handles; /* user address of the handle array */
	uint64_t count;	  /* handles */
};

int64_t sys_channel_create(const uint64_t *a)
{
	struct channel *ch;
	viper_handle_t hs, hr;
	err_t err;

	if (a[2] > VIPER_CHANNEL_MAX_DEPTH)
		return VIPER_E_INVAL;
	if (handle_table_free(handles()) < 2)
		return VIPER_E_LIMIT;
	err = channel_create(a[2] ? (unsigned)a[2] : VIPER_CHANNEL_DEFAULT_DEPTH, as()->account,
			     &ch);
	if (err)
		return err;
	err = handle_create(handles(), &ch->send_end,
			    VIPER_RIGHT_WRITE | VIPER_RIGHT_TRANSFER | VIPER_RIGHT_DERIVE, &hs);
	kobject_unref(&ch->send_end);
	if (err) {
		kobject_unref(&ch->recv_end);
		return err;
	}
	err = handle_create(handles(), &ch->recv_end,
			    VIPER_RIGHT_READ | VIPER_RIGHT_TRANSFER | VIPER_RIGHT_DERIVE, &hr);
	kobject_unref(&ch->recv_end);
	if (err) {
		(void)handle_close(handles(), hs);
		return err;
	}
	err = put_handle(a[0], hs);
	if (!err)
		err = put_handle(a[1], hr);
	if (err) {
		(void)handle_close(handles(), hs);
		(void)handle_close(handles(), hr);
	}
	return err;
}

/*
 * Checks the handles a message will carry: each exists, may be transferred,
 * appears once, and is neither the channel end the message goes through nor
 * that channel's receive end (queued in its own channel, it would keep the
 * channel, the message and itself alive with nobody able to receive).
 */
static err_t check_transfer(const viper_handle_t *hs, unsigned count, const struct cap *via)
{
	const struct kobject *own_recv = via ? &channel_of_send(via->object)->recv_end : NULL;

	for (unsigned i = 0; i < count; i++) {
		struct cap *c;
		err_t err = handle_lookup(handles(), hs[i], 0, VIPER_RIGHT_TRANSFER, &c);
		if (err)
			return err;
		if (c == via || c->object == own_recv)
			return VIPER_E_INVAL;
		for (unsigned j = 0; j < i; j++) {
			if (hs[j] == hs[i])
				return VIPER_E_INVAL;
		}
	}
	return VIPER_OK;
}

/*
 * Reads message `ma` into `m`: its bytes, and its handles into `hs`, checked
 * for transfer (see check_transfer) but not yet moved. `via` is the channel
 * end the message goes through, NULL for a reply.
 */
static err_t load_message(struct message *m, viper_handle_t *hs, const struct message_args *ma,
			  const struct cap *via)
{
	err_t err;

	if (ma->len > VIPER_MSG_MAX_BYTES || ma->count > VIPER_MSG_MAX_HANDLES)
		return VIPER_E_TOOBIG;
	if (ma->count) {
		err = copy_from_user(as(), hs, ma->handles, ma->count * sizeof(viper_handle_t));
		if (!err)
			err = check_transfer(hs, (unsigned)ma->count, via);
		if (err)
			return err;
	}
	if (ma->from_regs)
		memcpy(m->data, short_regs(current_thread()), ma->len);
	else if ((err = copy_from_user(as(), m->data, ma->bytes, ma->len)))
		return err;
	m->bytes = (uint32_t)ma->len;
	m->handle_count = 0;
	return VIPER_OK;
}

/* Moves the `count` handles load_message checked into `m`; this cannot fail. */
static void detach_handles(struct message *m, const viper_handle_t *hs, uint64_t count)
{
	for (unsigned i = 0; i < count; i++)
		(void)handle_detach(handles(), hs[i], &m->caps[i]);
	m->handle_count = (uint32_t)count;
}

/*
 * Builds message `ma` for the send end named by handle `h` in `m` (NULL: a
 * new allocation). Blocks for room in the queue first; after every wait the
 * handle is looked up again, since another thread may have closed it
 * (VIPER_E_CLOSED then). On success *ch is the channel, with a reference the
 * caller drops.
 */
static err_t build_message(uint64_t h, const struct message_args *ma, int64_t timeout,
			   struct message *m, struct message **out, struct channel **ch_out)
{
	struct handle_wait w = {h, VIPER_OBJ_CHANNEL_SEND, VIPER_RIGHT_WRITE, timeout,
				deadline_after(timeout)};
	viper_handle_t hs[VIPER_MSG_MAX_HANDLES] = {0};
	struct channel *ch;
	struct cap *via;
	err_t err = lookup(h, VIPER_OBJ_CHANNEL_SEND, VIPER_RIGHT_WRITE, &via);

	if (err)
		return err;
	if (ma->len > VIPER_MSG_MAX_BYTES || ma->count > VIPER_MSG_MAX_HANDLES)
		return VIPER_E_TOOBIG;
	for (;;) {
		ch = channel_of_send(via->object);
		if (channel_receiver_gone(ch))
			return VIPER_E_PEERCLOSED;
		if (!channel_queue_full(&ch->queue))
			break;
		err = wait_through(&ch->send_end.waiters, &w, &via);
		if (err)
			return err;
	}
	if (!m && (err = message_alloc(as()->account, &m)))
		return err;
	m->caller = NULL;
	m->handle_count = 0;
	err = load_message(m, hs, ma, via);
	if (err) {
		message_free(m); /* nothing in it yet */
		return err;
	}
	detach_handles(m, hs, ma->count);
	kobject_ref(&ch->send_end);
	*out = m;
	*ch_out = ch;
	return VIPER_OK;
}

int64_t sys_channel_send(const uint64_t *a)
{
	struct message_args ma = {false, a[1], a[2], a[3], a[4]};
	struct channel *ch;
	struct message *m;
	err_t err;

	if (a[5] & ~(uint64_t)VIPER_MSG_NONBLOCK)
		return VIPER_E_INVAL;
	err = build_message(a[0], &ma, (a[5] & VIPER_MSG_NONBLOCK) ? 0 : VIPER_TIMEOUT_NONE, NULL,
			    &m, &ch);
	if (err)
		return err;
	channel_enqueue(ch, m);
	kobject_unref(&ch->send_end);
	return VIPER_OK;
}

/*
 * Takes the next message from the receive end named by handle `h` and
 * delivers it as `rq` asks (see struct recv_request). Waits unless
 * rq->nonblock; a thread that waits is parked, so the call fast path can
 * deliver to it directly. `*next` (a caller the reply just answered, or
 * NULL) runs at once if this waits, and is cleared then. `c` is h's
 * capability when the caller looked it up already, else NULL. Returns the
 * length.
 */
static int64_t receive(uint64_t h, struct cap *c, const struct recv_request *rq,
		       struct thread **next)
{
	struct thread *t = current_thread();
	struct channel *ch;
	struct message *m;
	int slot;
	err_t err = c ? VIPER_OK : lookup(h, VIPER_OBJ_CHANNEL_RECV, VIPER_RIGHT_READ, &c);

	if (err)
		return err;
	ch = channel_of_recv(c->object);
	while (!(m = channel_head(ch))) {
		if (channel_sender_gone(ch))
			return VIPER_E_PEERCLOSED;
		if (rq->nonblock)
			return VIPER_E_WOULDBLOCK;
		t->recv.rq = *rq;
		t->recv.delivered = -1;
		t->recv.channel = ch;
		err = wait_on_then_run(&ch->recv_end.waiters, 0, c, *next);
		*next = NULL;
		t->recv.channel = NULL;
		if (t->recv.delivered >= 0)
			return t->recv.delivered; /* the call fast path did it all */
		if (err)
			return err;
		/* Another thread may have closed the handle meanwhile. */
		if (lookup(h, VIPER_OBJ_CHANNEL_RECV, VIPER_RIGHT_READ, &c))
			return VIPER_E_CLOSED;
		ch = channel_of_recv(c->object);
	}
	/* Check everything before taking the message, so a failure loses nothing. */
	err = receive_check(m, rq, &slot);
	if (err)
		return err;
	return receive_take(ch, rq, slot);
}

/* receive, then wakes `next` if receive did not run it. */
static int64_t receive_then_wake(uint64_t h, struct cap *c, const struct recv_request *rq,
				 struct thread *next)
{
	int64_t n = receive(h, c, rq, &next);

	if (next)
		thread_wake(next, VIPER_OK);
	return n;
}

int64_t sys_channel_recv(const uint64_t *a)
{
	struct recv_request rq = {
		a[1], a[2], a[3], a[4], false, false, a[5] & VIPER_MSG_NONBLOCK, VIPER_OK};

	if (a[5] & ~(uint64_t)VIPER_MSG_NONBLOCK)
		return VIPER_E_INVAL;
	return receive_then_wake(a[0], NULL, &rq, NULL);
}

/* Fills t->call for a call that waits for its reply as `call` says. */
static void prepare_call(struct thread *t, const struct viper_call *call, uint64_t call_ptr,
			 bool in_regs)
{
	struct call_wait *cw = &t->call;

	cw->reply_bytes = (uint64_t)(uintptr_t)call->reply_bytes;
	cw->reply_capacity = call->reply_capacity;
	cw->reply_handles = (uint64_t)(uintptr_t)call->reply_handles;
	cw->reply_handle_capacity = call->reply_handle_capacity > VIPER_MSG_MAX_HANDLES
					    ? VIPER_MSG_MAX_HANDLES
					    : call->reply_handle_capacity;
	cw->call_ptr = call_ptr;
	cw->in_regs = in_regs;
	cw->result = VIPER_OK;
	cw->delivered = -1;
	cw->done = false;
}

/* Waits for the reply to t's call, running `server` first; returns the call's result. */
static int64_t await_reply(struct thread *t, struct thread *server, uint64_t deadline)
{
	struct call_wait *cw = &t->call;
	struct channel *ch = cw->channel;
	err_t err = VIPER_OK;

	while (!cw->done) {
		err = wait_on_then_run(NULL, deadline, NULL, server);
		server = NULL;
		if (err && !cw->done) {
			call_abandon(t);
			break;
		}
	}
	if (ch)
		kobject_unref(&ch->send_end);
	if (!cw->done)
		return err;
	if (cw->result)
		return cw->result;
	if (cw->delivered >= 0)
		return cw->delivered; /* the reply fast path wrote everything */
	return call_take_reply(t);
}

/*
 * channel_call and channel_call_short: sends `call`'s request on send handle
 * `h` and waits for the reply. For a short call (`in_regs`) the request is
 * in the caller's registers, not at send_bytes.
 */
static int64_t do_call(uint64_t h, const struct viper_call *call, uint64_t call_ptr, bool in_regs)
{
	struct thread *t = current_thread();
	struct call_wait *cw = &t->call;
	struct message_args ma = {in_regs, (uint64_t)(uintptr_t)call->send_bytes, call->send_len,
				  (uint64_t)(uintptr_t)call->send_handles, call->send_handle_count};
	struct thread *server = NULL;
	struct channel *ch;
	struct message *m;
	struct user_view own = USER_VIEW_NONE;
	struct cap *via;
	uint64_t deadline = call->timeout_ns < 0 ? 0 : deadline_after(call->timeout_ns);
	err_t err = lookup(h, VIPER_OBJ_CHANNEL_SEND, VIPER_RIGHT_WRITE, &via);

	if (err)
		return err;
	ch = channel_of_send(via->object);
	prepare_call(t, call, call_ptr, in_regs);
	if (!call->send_handle_count)
		server = call_fast(ch, ma.bytes, call->send_len, &own);
	if (!server) {
		err = build_message(h, &ma, call->timeout_ns, &cw->msg, &m, &ch);
		if (err)
			return err;
		m->caller = t;
		cw->pending = m;
		cw->server = NULL;
		channel_enqueue(ch, m);
		/* build_message's reference on the send end keeps the channel while the
		 * request is queued, even if the handle is closed meanwhile. */
		cw->channel = ch;
	} else {
		cw->channel = NULL; /* the server took the request: nothing to withdraw */
	}
	return await_reply(t, server, deadline);
}

int64_t sys_channel_call(const uint64_t *a)
{
	struct viper_call call;
	err_t err = copy_from_user(as(), &call, a[1], offsetof(struct viper_call, info));

	if (err)
		return err;
	return do_call(a[0], &call, a[1], false);
}

/* The arguments of a channel_call_short but its length: no user buffers, the bytes in registers. */
static const struct viper_call short_call = {.reply_capacity = VIPER_SHORT_MSG_BYTES,
					     .timeout_ns = VIPER_TIMEOUT_NONE};

int64_t sys_channel_call_short(const uint64_t *a)
{
	struct viper_call call;

	if (a[1] > VIPER_SHORT_MSG_BYTES)
		return VIPER_E_TOOBIG;
	call = short_call;
	call.send_len = (uint32_t)a[1];
	return do_call(a[0], &call, 0, true);
}

/* A reply as a system call gives it: the token answered and the message. */
struct reply_args {
	uint64_t token;
	struct message_args msg;
};

/*
 * Answers reply token ra->token with ra->msg. The return value concerns the
 * server's own arguments (a bad token, buffer or handle: then nothing
 * happened and a valid token stays valid); *outcome tells what the caller
 * got: VIPER_OK, VIPER_E_PEERCLOSED (it gave up or died), VIPER_E_RANGE (the
 * reply exceeds its buffers) or VIPER_E_LIMIT (no room in its handle
 * table). *woken is the caller to wake (NULL: none).
 */
static err_t reply(const struct reply_args *ra, err_t *outcome, struct thread **woken)
{
	viper_handle_t hs[VIPER_MSG_MAX_HANDLES] = {0};
	struct message scratch;
	struct reply_slot *r;
	struct thread *caller;
	struct message *m;
	err_t err = call_find(ra->token, &r, &caller);

	if (err)
		return err;
	*outcome = call_reply_outcome(caller, ra->msg.len, ra->msg.count);
	/* The caller's request was taken, so its message is free for the reply. The
	 * server's arguments are checked even when the caller cannot have them. */
	m = *outcome == VIPER_OK ? &caller->call.msg : &scratch;
	err = load_message(m, hs, &ra->msg, NULL);
	if (err)
		return err;
	if (*outcome == VIPER_OK)
		detach_handles(m, hs, ra->msg.count);
	call_finish(r, caller, *outcome);
	*woken = caller;
	return VIPER_OK;
}

int64_t sys_channel_reply(const uint64_t *a)
{
	struct reply_args ra = {a[0], {false, a[1], a[2], a[3], a[4]}};
	struct thread *caller;
	err_t outcome;
	err_t err = reply(&ra, &outcome, &caller);

	if (err)
		return err;
	if (caller)
		thread_wake(caller, VIPER_OK);
	return outcome;
}

/*
 * The reply half of channel_reply_recv and its short form: answers
 * ra->token (0: nothing to do), on the fast path when receive handle `h`
 * will wait next. *c is h's capability if it was looked up (else NULL:
 * receive looks it up and reports any error), *caller the answered caller
 * for receive to run or wake, *outcome what that caller got. An error means
 * nothing happened.
 */
static err_t reply_before_receive(uint64_t h, const struct reply_args *ra, bool nonblock,
				  struct cap **c, struct thread **caller, err_t *outcome)
{
	struct user_view own = USER_VIEW_NONE;

	*c = NULL;
	*caller = NULL;
	*outcome = VIPER_OK;
	if (!ra->token)
		return VIPER_OK;
	if (!nonblock && !ra->msg.count && !lookup(h, VIPER_OBJ_CHANNEL_RECV, VIPER_RIGHT_READ, c))
		*caller = reply_fast(ra->token, ra->msg.bytes, (uint32_t)ra->msg.len,
				     ra->msg.from_regs, channel_of_recv((*c)->object), &own);
	else
		*c = NULL;
	if (*caller)
		return VIPER_OK;
	return reply(ra, outcome, caller);
}

int64_t sys_channel_reply_recv(const uint64_t *a)
{
	struct viper_reply_recv rr;
	struct thread *caller;
	err_t outcome, err;
	bool nonblock = a[2] & VIPER_MSG_NONBLOCK;
	struct cap *c;

	if (a[2] & ~(uint64_t)VIPER_MSG_NONBLOCK)
		return VIPER_E_INVAL;
	err = copy_from_user(as(), &rr, a[1], offsetof(struct viper_reply_recv, reply_result));
	if (err)
		return err;
	struct reply_args ra = {rr.reply,
				{false, (uint64_t)(uintptr_t)rr.reply_bytes, rr.reply_len,
				 (uint64_t)(uintptr_t)rr.reply_handles, rr.reply_handle_count}};
	err = reply_before_receive(a[0], &ra, nonblock, &c, &caller, &outcome);
	if (err)
		return err;
	struct recv_request rq = {(uint64_t)(uintptr_t)rr.recv_bytes,
				  rr.recv_capacity,
				  (uint64_t)(uintptr_t)rr.recv_handles,
				  a[1] + offsetof(struct viper_reply_recv, reply_result),
				  true,
				  false,
				  nonblock,
				  outcome};
	return receive_then_wake(a[0], c, &rq, caller);
}

/*
 * channel_reply_recv_short: x1 holds the reply token (0: none) and, above
 * it, the reply's length; the reply's bytes are in x2-x17. Then receives
 * into the registers (see receive).
 */
int64_t sys_channel_reply_recv_short(const uint64_t *a)
{
	struct reply_args ra = {a[1] & 0xffffffffu, {true, 0, a[1] >> 32, 0, 0}};
	struct thread *caller;
	err_t outcome, err;
	struct cap *c;

	if (ra.msg.len > VIPER_SHORT_MSG_BYTES)
		return VIPER_E_TOOBIG;
	err = reply_before_receive(a[0], &ra, false, &c, &caller, &outcome);
	if (err)
		return err;
	struct recv_request rq = {0, VIPER_SHORT_MSG_BYTES, 0, 0, false, true, false, outcome};
	return receive_then_wake(a[0], c, &rq, caller);
}

int64_t sys_channel_notify(const uint64_t *a)
{
	struct channel *ch;
	struct cap *c;
	err_t err = lookup(a[0], VIPER_OBJ_CHANNEL_SEND, VIPER_RIGHT_WRITE, &c);

	if (err)
		return err;
	ch = channel_of_send(c->object);
	err = channel_notify_check(ch, a[1]);
	if (err)
		return err;
	channel_notify(ch, a[1]);
	return VIPER_OK;
}

int64_t sys_channel_take_notifications(const uint64_t *a)
{
	struct cap *c;
	err_t err = lookup(a[0], VIPER_OBJ_CHANNEL_RECV, VIPER_RIGHT_READ, &c);

	if (err)
		return err;
	return (int64_t)channel_take_notifications(channel_of_recv(c->object));
}

/* The IPC fast path (kernel/call.h). */

/* The call or receive of a thread a hand-over blocked, finished (kernel/syscall.h). */
int64_t syscall_finish_handed_over(struct thread *t, unsigned resume)
{
	struct recv_wait *rw = &t->recv;
	uint64_t h = t->frame->x[0];
	struct cap *c;

	if (resume == RESUME_CALL) {
		if (!t->call.done && t->wake_result) {
			call_abandon(t); /* woken to give up (its process ends) */
			return t->wake_result;
		}
		return await_reply(t, NULL, 0);
	}
	rw->channel = NULL;
	if (rw->delivered >= 0)
		return rw->delivered; /* the call fast path did it all */
	if (t->wake_result)
		return t->wake_result;
	/* Another thread may have closed the handle meanwhile. */
	if (lookup(h, VIPER_OBJ_CHANNEL_RECV, VIPER_RIGHT_READ, &c))
		return VIPER_E_CLOSED;
	struct recv_request rq = rw->rq;
	return receive_then_wake(h, c, &rq, NULL);
}

void fast_resume(void)
{
	struct thread *t = current_thread();
	unsigned resume = t->resume;

	t->resume = RESUME_CONTEXT;
	if (thread_reap_list)
		thread_reap();
	syscall_return(t->frame, syscall_finish_handed_over(t, resume));
}

/* lookup's test alone, for the fast path: t's cap, or NULL for any refusal. */
static inline struct cap *fast_lookup(struct thread *t, uint64_t h, uint32_t kind, uint32_t rights)
{
	return handle_cap_checked(&t->process->handles, h, kind, rights);
}

/*
 * copy_from_user for the fast path's arguments: `size` bytes (whole words)
 * at `va`, which must be aligned and within one page, each word read once.
 * False when the general path must copy them (it reports any fault).
 */
static inline bool fast_copy_in(struct thread *t, struct user_view *v, void *dst, uint64_t va,
				size_t size)
{
	const volatile uint64_t *src =
		(va & 7) ? NULL : user_pointer(&t->process->as, va, size, false);
	uint64_t *d = dst;

	if (!src)
		return false;
	user_view_set(v, va, (void *)(uintptr_t)src, false);
	for (size_t i = 0; i < size / 8; i++)
		d[i] = src[i];
	return true;
}

_Static_assert(offsetof(struct viper_call, info) % 8 == 0 &&
		       offsetof(struct viper_reply_recv, reply_result) % 8 == 0,
	       "fast_copy_in copies whole words");

/*
 * channel_call (in_regs false) or channel_call_short to a server waiting on
 * the channel, for hand_over_call: the server, or NULL when the general
 * path must do it (it reports any error in the arguments).
 */
static inline __attribute__((always_inline)) struct thread *
fast_call(struct thread *t, const uint64_t *a, bool in_regs)
{
	struct cap *c = fast_lookup(t, a[0], VIPER_OBJ_CHANNEL_SEND, VIPER_RIGHT_WRITE);
	struct user_view own = USER_VIEW_NONE;
	struct viper_call call;
	struct thread *srv;

	if (!c || t->process->dying)
		return NULL;
	if (in_regs) {
		if (a[1] > VIPER_SHORT_MSG_BYTES)
			return NULL;
		call_short_fast(channel_of_send(c->object), (uint32_t)a[1]);
		/* It declined: the server is not in a short receive, say. */
		prepare_call(t, &short_call, 0, true);
		srv = call_fast(channel_of_send(c->object), 0, (uint32_t)a[1], &own);
	} else {
		if (!fast_copy_in(t, &own, &call, a[1], offsetof(struct viper_call, info)) ||
		    call.send_handle_count || call.timeout_ns >= 0)
			return NULL; /* handles or a deadline: the general path */
		prepare_call(t, &call, a[1], false);
		srv = call_fast(channel_of_send(c->object), (uint64_t)(uintptr_t)call.send_bytes,
				call.send_len, &own);
	}
	if (srv)
		t->call.channel = NULL; /* the server took the request */
	return srv;
}

/*
 * The reply half of channel_reply_recv (in_regs false) or its short form
 * when the caller waits and the receive would wait, for hand_over_reply:
 * the caller, with *c the receive end and the receive to wait in in the
 * calling thread's recv.rq; NULL when the general path must do it.
 */
static inline __attribute__((always_inline)) struct thread *
fast_reply(struct thread *t, const uint64_t *a, bool in_regs, struct cap **c)
{
	struct recv_request *rq = &t->recv.rq;
	struct user_view own = USER_VIEW_NONE;
	struct viper_reply_recv rr;

	*c = fast_lookup(t, a[0], VIPER_OBJ_CHANNEL_RECV, VIPER_RIGHT_READ);
	if (!*c || t->process->dying)
		return NULL;
	if (in_regs) {
		if (!(a[1] & 0xffffffffu) || a[1] >> 32 > VIPER_SHORT_MSG_BYTES)
			return NULL;
		reply_recv_short_fast(*c, a[1] & 0xffffffffu, (uint32_t)(a[1] >> 32));
		/* It declined: the caller is not in a short call, say. */
		*rq = (struct recv_request){
			0, VIPER_SHORT_MSG_BYTES, 0, 0, false, true, false, VIPER_OK};
		return reply_fast(a[1] & 0xffffffffu, 0, (uint32_t)(a[1] >> 32), true,
				  channel_of_recv((*c)->object), &own);
	}
	if (a[2] ||
	    !fast_copy_in(t, &own, &rr, a[1], offsetof(struct viper_reply_recv, reply_result)) ||
	    !rr.reply || rr.reply_handle_count)
		return NULL;
	*rq = (struct recv_request){(uint64_t)(uintptr_t)rr.recv_bytes,
				    rr.recv_capacity,
				    (uint64_t)(uintptr_t)rr.recv_handles,
				    a[1] + offsetof(struct viper_reply_recv, reply_result),
				    true,
				    false,
				    false,
				    VIPER_OK};
	return reply_fast(rr.reply, (uint64_t)(uintptr_t)rr.reply_bytes, rr.reply_len, false,
			  channel_of_recv((*c)->object), &own);
}

/* channel_call[_short] on the fast path: false when it declines. */
static inline __attribute__((always_inline)) bool fast_call_entry(struct trap_frame *f,
								  struct thread *t, bool in_regs)
{
	struct thread *srv = fast_call(t, f->x, in_regs);

	if (!srv)
		return false;
	if (sched_can_hand_to(srv))
		hand_over_call(srv);
	syscall_return(f, await_reply(t, srv, 0));
	return true;
}

/* channel_reply_recv[_short] on the fast path: false when it declines. */
static inline __attribute__((always_inline)) bool fast_reply_entry(struct trap_frame *f,
								   struct thread *t, bool in_regs)
{
	struct cap *c;
	struct thread *caller = fast_reply(t, f->x, in_regs, &c);

	if (!caller)
		return false;
	if (sched_can_hand_to(caller))
		hand_over_reply(c, channel_of_recv(c->object), caller);
	struct recv_request rq = t->recv.rq;
	syscall_return(f, receive_then_wake(f->x[0], c, &rq, caller));
	return true;
}

void syscall_fast_entry(struct trap_frame *f, uint64_t call)
{
	struct thread *t;
	bool done;

	kernel_lock();
	t = current_thread();
	_Static_assert(VIPER_SYS_CHANNEL_REPLY_RECV_SHORT == VIPER_SYS_CHANNEL_CALL_SHORT + 1,
		       "one test takes both short calls");
	/* Tests, not a switch: a jump table costs the short calls more. */
	if (call - VIPER_SYS_CHANNEL_CALL_SHORT <= 1)
		done = call == VIPER_SYS_CHANNEL_CALL_SHORT ? fast_call_entry(f, t, true)
							    : fast_reply_entry(f, t, true);
	else if (call == VIPER_SYS_CHANNEL_CALL)
		done = fast_call_entry(f, t, false);
	else if (call == VIPER_SYS_CHANNEL_REPLY_RECV)
		done = fast_reply_entry(f, t, false);
	else
		done = false; /* another call made with an svc immediate */
	if (!done)
		syscall_run(f); /* the fast path declined */
}
