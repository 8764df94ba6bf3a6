/*
 * Calls, replies and message delivery (kernel/call.h): reply tokens, the
 * receive side of every channel message, and the call and reply fast paths.
 */
#include <kernel/call.h>

#include <kernel/hand_over.h>
#include <kernel/process.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <kernel/syscall.h>
#include <kernel/thread.h>
#include <kernel/user_copy.h>

static struct process *self(void)
{
	return current_thread()->process;
}

static struct aspace *as(void)
{
	return &self()->as;
}

uint8_t *short_regs(struct thread *t)
{
	return (uint8_t *)t->short_words;
}

/* Copies `n` aligned words, two at a time (ldp/stp), not unrolled: messages are a few words. */
static inline void copy_words(uint64_t *dst, const uint64_t *src, uint32_t n)
{
	const uint64_t *pairs_end = src + (n & ~1u);

#pragma clang loop unroll(disable)
	while (src < pairs_end) {
		uint64_t a = src[0], b = src[1];

		dst[0] = a;
		dst[1] = b;
		dst += 2;
		src += 2;
	}
	if (n & 1)
		*dst = *src;
}

/*
 * A message of `len` bytes (at most 128) from one set of message registers
 * to another: the words it covers, the bytes past `len` in the last one
 * zeroed (little-endian), so no byte of the sender's other register
 * contents reaches the receiver.
 */
static inline __attribute__((always_inline)) void copy_reg_words(uint64_t *d, const uint64_t *s,
								 uint32_t len)
{
	uint32_t words = (len + 7) / 8;
	unsigned drop = (-len & 7) * 8; /* keeps the low len % 8 bytes (all for 0) */

	if (!words)
		return;
	copy_words(d, s, words - 1);
	d[words - 1] = s[words - 1] << drop >> drop;
}

/*
 * Copies a message of `len` bytes for a fast path: whole words when both
 * ends are saved registers (the bytes past `len` in the last one zeroed),
 * else exactly `len` bytes.
 */
static inline __attribute__((always_inline)) void
copy_message(void *dst, bool dst_regs, const void *src, bool src_regs, uint32_t len)
{
	if (dst_regs && src_regs)
		copy_reg_words(dst, src, len);
	else if (len <= VIPER_SHORT_MSG_BYTES && !(((uintptr_t)dst | (uintptr_t)src | len) & 7)) {
		copy_words(dst, src, len / 8); /* the common small message, inline */
	} else if (len) {
		memcpy(dst, src, len);
	}
}

/* Moves the caps of a message into `t`'s table; their handles go to `out`. */
static void attach_caps(struct handle_table *t, struct message *m, viper_handle_t *out)
{
	for (unsigned i = 0; i < m->handle_count; i++) {
		out[i] = VIPER_HANDLE_INVALID;
		if (m->caps[i]->object && handle_attach(t, m->caps[i], &out[i]) == VIPER_OK) {
			m->caps[i] = NULL;
			continue;
		}
		cap_destroy_detached(m->caps[i]); /* revoked on the way */
		m->caps[i] = NULL;
	}
	m->handle_count = 0;
}

/* Reply tokens. */

static inline __attribute__((always_inline)) int free_reply_slot(const struct process *p)
{
	for (int i = 0; i < PROCESS_MAX_REPLIES; i++) {
		if (!p->replies[i].used)
			return i;
	}
	return -1;
}

/* The next generation of reply slot `r` (never 0, so no token is 0). */
static uint32_t next_gen(const struct reply_slot *r)
{
	uint32_t gen = (r->gen + 1) & 0xffffff;

	return gen ? gen : 1;
}

/* The reply token for slot `r` of `p` once its generation moves on (next_gen). */
static uint32_t reply_token(const struct process *p, const struct reply_slot *r)
{
	return (uint32_t)(r - p->replies + 1) | (next_gen(r) << 8);
}

/* Gives slot `r` (its generation moving on) to the call of `caller`. */
static void claim_reply_slot(struct process *p, struct reply_slot *r, struct thread *caller)
{
	r->gen = next_gen(r);
	r->used = true;
	r->caller = caller;
	caller->call.pending = NULL;
	caller->call.server = p;
	caller->call.token_index = (unsigned)(r - p->replies);
}

err_t call_find(uint64_t token, struct reply_slot **slot, struct thread **caller)
{
	struct process *p = self();
	unsigned index = (unsigned)(token & 0xff) - 1;
	struct reply_slot *r;

	if (token > UINT32_MAX || index >= PROCESS_MAX_REPLIES)
		return VIPER_E_BADHANDLE;
	r = &p->replies[index];
	if (!r->used || r->gen != token >> 8)
		return VIPER_E_BADHANDLE;
	*slot = r;
	*caller = r->caller;
	return VIPER_OK;
}

void call_finish(struct reply_slot *r, struct thread *caller, err_t outcome)
{
	r->used = false;
	r->caller = NULL;
	if (caller) {
		caller->call.server = NULL;
		caller->call.result = outcome;
		caller->call.done = true;
	}
}

err_t call_reply_outcome(const struct thread *caller, uint64_t len, uint64_t count)
{
	if (!caller)
		return VIPER_E_PEERCLOSED; /* the caller gave up or died */
	if (len > caller->call.reply_capacity || count > caller->call.reply_handle_capacity)
		return VIPER_E_RANGE;
	if (count && handle_table_free(&caller->process->handles) < count)
		return VIPER_E_LIMIT;
	return VIPER_OK;
}

void call_end_unanswered(struct thread *caller)
{
	caller->call.pending = NULL;
	caller->call.result = VIPER_E_PEERCLOSED;
	caller->call.done = true;
	thread_wake(caller, VIPER_OK);
}

void call_abandon(struct thread *t)
{
	struct call_wait *cw = &t->call;

	if (cw->pending) {
		if (channel_withdraw(cw->channel, cw->pending)) {
			cw->pending->caller = NULL;
			message_free(cw->pending);
		}
		cw->pending = NULL;
	}
	if (cw->server) {
		cw->server->replies[cw->token_index].caller = NULL;
		cw->server = NULL;
	}
}

void call_release_tokens(struct process *p)
{
	for (unsigned i = 0; i < PROCESS_MAX_REPLIES; i++) {
		struct thread *caller = p->replies[i].caller;
		if (!p->replies[i].used)
			continue;
		p->replies[i].used = false;
		p->replies[i].caller = NULL;
		if (caller) {
			caller->call.server = NULL;
			caller->call.result = VIPER_E_PEERCLOSED;
			caller->call.done = true;
			thread_wake(caller, VIPER_OK);
		}
	}
}

/* Receiving. */

/*
 * What receive writes back: the message's struct viper_msg_info, preceded
 * for channel_reply_recv by what the caller of the reply got.
 */
struct receipt {
	int32_t reply_result;
	uint32_t reserved;
	struct viper_msg_info info;
};
_Static_assert(offsetof(struct viper_reply_recv, info) -
			       offsetof(struct viper_reply_recv, reply_result) ==
		       offsetof(struct receipt, info),
	       "struct viper_reply_recv ends like struct receipt");

/* The part of `rc` a receive writes: all of it for channel_reply_recv, else the info. */
static const void *receipt_part(const struct receipt *rc, bool with_result, size_t *size)
{
	*size = with_result ? sizeof(*rc) : sizeof(rc->info);
	return with_result ? (const void *)rc : (const void *)&rc->info;
}

/* What a short receive returns in x1: the reply token, and reply_result above it. */
static uint64_t short_receipt(uint32_t token, err_t reply_result)
{
	return token | (uint64_t)(uint32_t)reply_result << 32;
}

err_t receive_check(const struct message *m, const struct recv_request *rq, int *slot)
{
	const struct process *p = self();
	struct receipt rc = {rq->reply_result, 0, {m->bytes, m->handle_count, 0, 0}};
	viper_handle_t zeros[VIPER_MSG_MAX_HANDLES] = {0};
	size_t rc_size;
	const void *rc_part = receipt_part(&rc, rq->with_result, &rc_size);
	err_t err;

	*slot = -1;
	if (m->bytes > rq->capacity) {
		/* The receipt tells the size needed (no reply token yet). */
		if (!rq->in_regs && (err = copy_to_user(as(), rq->receipt, rc_part, rc_size)))
			return err;
		return VIPER_E_RANGE;
	}
	if (m->handle_count && handle_table_free(&p->handles) < m->handle_count)
		return VIPER_E_LIMIT;
	if (m->caller) {
		*slot = free_reply_slot(p);
		if (*slot < 0)
			return VIPER_E_LIMIT;
		rc.info.reply = reply_token(p, &p->replies[*slot]);
	}
	if (rq->in_regs)
		return m->handle_count ? VIPER_E_RANGE : VIPER_OK; /* left for channel_recv */
	/* Write (or probe) every buffer with its final size; nothing can fail after this. */
	err = copy_to_user(as(), rq->receipt, rc_part, rc_size);
	if (!err)
		err = copy_to_user(as(), rq->buf, m->data, m->bytes);
	if (!err && m->handle_count)
		err = copy_to_user(as(), rq->handles_out, zeros,
				   m->handle_count * sizeof(viper_handle_t));
	return err;
}

int64_t receive_take(struct channel *ch, const struct recv_request *rq, int slot)
{
	struct thread *t = current_thread();
	struct process *p = t->process;
	struct message *m = channel_head(ch);
	uint32_t bytes = m->bytes;

	channel_dequeue(ch);
	if (rq->in_regs) {
		memcpy(short_regs(t), m->data, m->bytes);
		t->frame->x[1] = short_receipt(slot < 0 ? 0 : reply_token(p, &p->replies[slot]),
					       rq->reply_result);
	}
	if (m->handle_count) {
		viper_handle_t hs[VIPER_MSG_MAX_HANDLES];
		unsigned n = m->handle_count;
		attach_caps(&p->handles, m, hs);
		(void)copy_to_user(as(), rq->handles_out, hs, n * sizeof(viper_handle_t));
	}
	if (slot >= 0) {
		claim_reply_slot(p, &p->replies[slot], m->caller);
		m->caller = NULL;
	}
	message_free(m);
	return bytes;
}

/* The fast paths. */

struct thread *call_fast(struct channel *ch, uint64_t bytes, uint32_t len, struct user_view *own)
{
	struct thread *t = current_thread();
	struct thread *srv = ch->recv_end.waiters.head;
	_Alignas(8) struct receipt rc; /* copied out as words */
	struct recv_wait *rw;
	struct process *sp;
	const void *src = NULL;
	void *dst = NULL, *out = NULL;
	size_t rc_size;
	const void *rc_part = NULL;
	int slot;

	if (!srv || len > VIPER_MSG_MAX_BYTES || !channel_queue_empty(&ch->queue))
		return NULL;
	rw = &srv->recv;
	sp = srv->process;
	if (rw->channel != ch || len > rw->rq.capacity || sp->dying)
		return NULL;
	slot = free_reply_slot(sp);
	if (slot < 0)
		return NULL;
	if (t->call.in_regs) {
		src = short_regs(t);
	} else if (len) {
		src = user_pointer_in(own, as(), bytes, len, false);
		if (!src)
			return NULL;
	}
	if (rw->rq.in_regs) {
		dst = short_regs(srv);
	} else {
		struct user_view view = USER_VIEW_NONE;

		/* Reach the server's memory through its own table; it runs next anyway. */
		aspace_install(this_cpu(), &sp->as);
		if (len)
			dst = user_pointer_in(&view, &sp->as, rw->rq.buf, len, true);
		rc_part = receipt_part(&rc, rw->rq.with_result, &rc_size);
		out = user_pointer_in(&view, &sp->as, rw->rq.receipt, rc_size, true);
		if ((len && !dst) || !out) {
			cpu_use_aspace(as());
			return NULL;
		}
	}
	copy_message(dst, rw->rq.in_regs, src, t->call.in_regs, len);
	if (rw->rq.in_regs) {
		srv->frame->x[1] =
			short_receipt(reply_token(sp, &sp->replies[slot]), rw->rq.reply_result);
	} else {
		rc = (struct receipt){
			rw->rq.reply_result, 0, {len, 0, reply_token(sp, &sp->replies[slot]), 0}};
		if ((uintptr_t)out & 7)
			memcpy(out, rc_part, rc_size);
		else
			copy_words(out, (const uint64_t *)rc_part, (uint32_t)rc_size / 8);
	}
	claim_reply_slot(sp, &sp->replies[slot], t);
	rw->delivered = len;
	rw->channel = NULL;
	return srv;
}

struct thread *reply_fast(uint64_t token, uint64_t bytes, uint32_t len, bool in_regs,
			  struct channel *ch, struct user_view *own)
{
	_Alignas(8) struct viper_msg_info info = {len, 0, 0, 0}; /* copied out as words */
	struct reply_slot *r;
	struct thread *caller;
	struct call_wait *cw;
	const void *src = NULL;
	void *dst = NULL, *out = NULL;

	if (len > VIPER_MSG_MAX_BYTES || !channel_queue_empty(&ch->queue) ||
	    channel_sender_gone(ch) || call_find(token, &r, &caller) || !caller ||
	    caller->state != THREAD_BLOCKED)
		return NULL;
	cw = &caller->call;
	if (len > cw->reply_capacity)
		return NULL;
	if (in_regs) {
		src = short_regs(current_thread());
	} else if (len) {
		src = user_pointer_in(own, as(), bytes, len, false);
		if (!src)
			return NULL;
	}
	if (cw->in_regs) {
		dst = short_regs(caller);
	} else {
		struct aspace *cas = &caller->process->as;
		struct user_view view = USER_VIEW_NONE;

		aspace_install(this_cpu(), cas);
		if (len)
			dst = user_pointer_in(&view, cas, cw->reply_bytes, len, true);
		out = user_pointer_in(&view, cas, cw->call_ptr + offsetof(struct viper_call, info),
				      sizeof(info), true);
		if ((len && !dst) || !out) {
			cpu_use_aspace(as());
			return NULL;
		}
		if ((uintptr_t)out & 7)
			memcpy(out, &info, sizeof(info));
		else
			copy_words(out, (const uint64_t *)(const void *)&info, sizeof(info) / 8);
	}
	copy_message(dst, cw->in_regs, src, in_regs, len);
	cw->delivered = len;
	call_finish(r, caller, VIPER_OK);
	return caller;
}

int64_t call_take_reply(struct thread *t)
{
	struct call_wait *cw = &t->call;
	struct message *m = &cw->msg;
	struct viper_msg_info info = {m->bytes, m->handle_count, 0, 0};
	viper_handle_t hs[VIPER_MSG_MAX_HANDLES] = {0};
	struct handle_table *handles = &t->process->handles;
	err_t err;

	if (cw->in_regs) {
		memcpy(short_regs(t), m->data, m->bytes); /* fits: see reply */
		return m->bytes;
	}
	err = copy_to_user(as(), cw->reply_bytes, m->data, m->bytes);
	if (!err && m->handle_count) {
		/* reply checked the room; another of our threads may have taken it since. */
		if (handle_table_free(handles) < m->handle_count)
			err = VIPER_E_LIMIT;
		else
			err = copy_to_user(as(), cw->reply_handles, hs,
					   m->handle_count * sizeof(viper_handle_t));
	}
	if (!err)
		err = copy_to_user(as(), cw->call_ptr + offsetof(struct viper_call, info), &info,
				   sizeof(info));
	if (err) {
		message_free(m);
		return err;
	}
	if (m->handle_count) {
		attach_caps(handles, m, hs);
		(void)copy_to_user(as(), cw->reply_handles, hs,
				   info.handles * sizeof(viper_handle_t));
	}
	return info.bytes;
}

/* The short-message fast paths. */

/* A short message of `len` bytes from one thread's message registers (short_words) to another's. */
static inline __attribute__((always_inline)) void
copy_short_regs(struct thread *to, const struct thread *from, uint32_t len)
{
	copy_reg_words(to->short_words, from->short_words, len);
}

void call_short_fast(struct channel *ch, uint32_t len)
{
	struct thread *t = current_thread(), *srv = ch->recv_end.waiters.head;
	struct call_wait *cw = &t->call;
	struct process *sp;
	int slot;

	if (!srv || srv->recv.channel != ch || !srv->recv.rq.in_regs ||
	    !channel_queue_empty(&ch->queue))
		return;
	sp = srv->process;
	if (sp->dying || !sched_can_hand_to(srv))
		return;
	slot = free_reply_slot(sp);
	if (slot < 0)
		return;
	/* Deliver: the bytes, and in x1 the reply token and what the last reply got. */
	copy_short_regs(srv, t, len);
	srv->frame->x[1] =
		short_receipt(reply_token(sp, &sp->replies[slot]), srv->recv.rq.reply_result);
	srv->recv.delivered = len;
	srv->recv.channel = NULL;
	claim_reply_slot(sp, &sp->replies[slot], t);
	cw->channel = NULL;
	cw->reply_capacity = VIPER_SHORT_MSG_BYTES;
	cw->reply_handle_capacity = 0;
	cw->call_ptr = 0;
	cw->in_regs = true;
	cw->result = VIPER_OK;
	cw->delivered = -1;
	cw->done = false;
	hand_over_call(srv);
}

/*
 * The reply half of both short reply fast paths: when the caller behind
 * `token` waits in a short call, nothing is queued on `ch` and the caller
 * can run here, answers it with the calling thread's `len` message bytes
 * and sets up its short receive to wait in. Returns the caller, or NULL
 * having changed nothing.
 */
static inline __attribute__((always_inline)) struct thread *
answer_short(struct channel *ch, uint64_t token, uint32_t len)
{
	struct thread *t = current_thread(), *caller;
	struct recv_request *rq = &t->recv.rq;
	struct reply_slot *r;

	if (!channel_queue_empty(&ch->queue) || channel_sender_gone(ch) ||
	    call_find(token, &r, &caller) || !caller || caller->state != THREAD_BLOCKED ||
	    !caller->call.in_regs || !sched_can_hand_to(caller))
		return NULL;
	/* Answer: the bytes into the caller's registers; it returns their length. */
	copy_short_regs(caller, t, len);
	caller->call.delivered = len;
	call_finish(r, caller, VIPER_OK);
	/* Wait for the next short message here. */
	rq->in_regs = true;
	rq->capacity = VIPER_SHORT_MSG_BYTES;
	rq->with_result = false;
	rq->nonblock = false;
	rq->reply_result = VIPER_OK;
	return caller;
}

void reply_recv_short_fast(struct cap *c, uint64_t token, uint32_t len)
{
	struct channel *ch = channel_of_recv(c->object);
	struct thread *caller = answer_short(ch, token, len);

	if (caller)
		hand_over_reply(c, ch, caller);
}

int64_t reply_recv_short_kthread(struct trap_frame *f)
{
	struct thread *t = current_thread(), *caller;
	struct cap *c = handle_cap_checked(&t->process->handles, f->x[0], VIPER_OBJ_CHANNEL_RECV,
					   VIPER_RIGHT_READ);
	uint64_t token = f->x[1] & 0xffffffffu;
	uint64_t len = f->x[1] >> 32;
	struct recv_wait *rw = &t->recv;
	struct channel *ch;

	if (!c || !token || len > VIPER_SHORT_MSG_BYTES)
		return KTHREAD_FAST_DECLINED;
	ch = channel_of_recv(c->object);
	caller = answer_short(ch, token, (uint32_t)len);
	if (!caller)
		return KTHREAD_FAST_DECLINED;
	rw->delivered = -1;
	rw->channel = ch;
	if (caller->resume != RESUME_CALL || caller->process->dying) {
		/* Not parked by a hand-over: wake it the usual way, and wait. */
		(void)wait_on_then_run(&ch->recv_end.waiters, 0, c, caller);
	} else {
		caller->frame->x[0] = len; /* its call is finished */
		sched_wait_and_exit_to(&ch->recv_end.waiters, c, caller);
	}
	if (rw->delivered >= 0) { /* the call fast path did it all */
		rw->channel = NULL;
		return rw->delivered;
	}
	return syscall_finish_handed_over(t, RESUME_RECV);
}
