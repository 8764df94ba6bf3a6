/*
 * The system calls. Every argument from user space is checked here: handles
 * through the handle table (kind and rights), pointers through the copy
 * helpers, sizes against the ABI limits. Each call returns a value >= 0 or a
 * negative enum viper_error, as docs/syscalls.md describes.
 */
#include <kernel/syscall.h>

#include <arch/timer.h>
#include <kernel/console.h>
#include <kernel/ipc.h>
#include <kernel/memory.h>
#include <kernel/process.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <kernel/system.h>

#define DEBUG_WRITE_MAX 4096u

typedef int64_t (*syscall_fn)(const uint64_t *a);

static struct process *self(void)
{
	return current_thread()->process;
}

static struct handle_table *handles(void)
{
	return &self()->handles;
}

static struct aspace *as(void)
{
	return &self()->as;
}

/* Finds a handle and its object in one step. */
static err_t lookup(uint64_t h, uint32_t kind, uint32_t rights, struct cap **cap)
{
	if (h > UINT32_MAX)
		return VIPER_E_BADHANDLE;
	return handle_lookup(handles(), (viper_handle_t)h, kind, rights, cap);
}

static int64_t put_handle(uint64_t user_ptr, viper_handle_t h)
{
	return copy_to_user(as(), user_ptr, &h, sizeof(h));
}

/* A new handle for a fresh object (NULL: its allocation failed). */
static int64_t new_handle(struct kobject *o, uint32_t rights)
{
	viper_handle_t h;
	err_t err;

	if (!o)
		return VIPER_E_NOMEM;
	err = handle_give(handles(), o, rights, &h);
	return err ? err : (int64_t)h;
}

/*
 * Blocks on `q` of the object handle `h` names (*c, looked up with `kind`
 * and `rights`), unless `timeout` is 0 (VIPER_E_WOULDBLOCK). Every blocking
 * call waits through here: after the wait the handle is looked up again,
 * because another thread may have closed it meanwhile (VIPER_E_CLOSED), so
 * *c and its object are valid whenever this returns VIPER_OK.
 */
static err_t wait_through(struct waitq *q, int64_t timeout, uint64_t deadline, uint64_t h,
			  uint32_t kind, uint32_t rights, struct cap **c)
{
	err_t err;

	if (timeout == 0)
		return VIPER_E_WOULDBLOCK;
	err = wait_on(q, deadline, *c);
	if (err)
		return err;
	return lookup(h, kind, rights, c) ? VIPER_E_CLOSED : VIPER_OK;
}

/* Misc. */

static int64_t sys_debug_write(const uint64_t *a)
{
	char buf[256];
	uint64_t ptr = a[0], len = a[1];

	if (len > DEBUG_WRITE_MAX)
		return VIPER_E_TOOBIG;
	for (uint64_t done = 0; done < len;) {
		size_t chunk = len - done > sizeof(buf) ? sizeof(buf) : (size_t)(len - done);
		err_t err = copy_from_user(as(), buf, ptr + done, chunk);
		if (err)
			return err;
		kconsole_write(buf, chunk);
		done += chunk;
	}
	return (int64_t)len;
}

static int64_t sys_yield(const uint64_t *a)
{
	(void)a;
	sched_yield();
	return VIPER_OK;
}

static int64_t sys_clock_now(const uint64_t *a)
{
	(void)a;
	return (int64_t)timer_now_ns();
}

static int64_t sys_sleep(const uint64_t *a)
{
	int64_t ns = (int64_t)a[0];
	err_t err;

	if (ns < 0)
		return VIPER_E_INVAL;
	if (ns == 0)
		return VIPER_OK;
	err = wait_on(NULL, deadline_after(ns), NULL);
	return err == VIPER_E_TIMEOUT ? VIPER_OK : err;
}

/* Handles. */

static int64_t sys_handle_close(const uint64_t *a)
{
	if (a[0] > UINT32_MAX)
		return VIPER_E_BADHANDLE;
	return handle_close(handles(), (viper_handle_t)a[0]);
}

static int64_t sys_handle_derive(const uint64_t *a)
{
	viper_handle_t h;
	err_t err;

	if (a[0] > UINT32_MAX)
		return VIPER_E_BADHANDLE;
	if (a[1] & ~(uint64_t)VIPER_RIGHTS_ALL)
		return VIPER_E_INVAL;
	err = handle_derive(handles(), (viper_handle_t)a[0], (uint32_t)a[1], &h);
	return err ? err : (int64_t)h;
}

static int64_t sys_handle_revoke(const uint64_t *a)
{
	if (a[0] > UINT32_MAX)
		return VIPER_E_BADHANDLE;
	return handle_revoke(handles(), (viper_handle_t)a[0]);
}

static int64_t sys_handle_query(const uint64_t *a)
{
	struct viper_handle_info info = {0};
	struct cap *c;
	struct kobject *o;
	err_t err = lookup(a[0], 0, 0, &c);

	if (err)
		return err;
	o = c->object;
	info.kind = o->kind;
	info.rights = c->rights;
	info.koid = o->koid;
	switch (o->kind) {
	case VIPER_OBJ_MEMORY:
		info.size = container_of(o, struct memory_object, obj)->size;
		break;
	case VIPER_OBJ_DEVICE:
		info.size = container_of(o, struct device_region, obj)->size;
		info.detail = container_of(o, struct device_region, obj)->base;
		break;
	case VIPER_OBJ_IRQ:
		info.detail = container_of(o, struct irq_line, obj)->irq;
		break;
	case VIPER_OBJ_PROCESS:
		info.detail = (uint64_t)container_of(o, struct process, obj)->exit_status;
		break;
	case VIPER_OBJ_THREAD:
		info.detail = (uint64_t)container_of(o, struct thread, obj)->exit_status;
		break;
	default:
		break;
	}
	return copy_to_user(as(), a[1], &info, sizeof(info));
}

/* Processes and threads. */

static int64_t sys_process_spawn(const uint64_t *a)
{
	struct viper_spawn args;
	struct viper_quota quota;
	struct quota_limits limits;
	viper_handle_t hs[VIPER_STARTUP_MAX_HANDLES];
	char name[VIPER_IMAGE_NAME_MAX];
	struct process *p;
	err_t err = copy_from_user(as(), &args, a[0], sizeof(args));

	if (err)
		return err;
	if (args.image_len == 0 || args.image_len >= sizeof(name))
		return VIPER_E_INVAL;
	if (args.handle_count > VIPER_STARTUP_MAX_HANDLES)
		return VIPER_E_TOOBIG;
	if (args.priority > VIPER_PRIORITY_MAX)
		return VIPER_E_INVAL;
	err = copy_from_user(as(), name, (uint64_t)(uintptr_t)args.image, args.image_len);
	if (!err)
		err = copy_from_user(as(), hs, (uint64_t)(uintptr_t)args.handles,
				     args.handle_count * sizeof(viper_handle_t));
	if (!err && args.quota)
		err = copy_from_user(as(), &quota, (uint64_t)(uintptr_t)args.quota, sizeof(quota));
	if (err)
		return err;
	err = quota_resolve(&self()->limits, args.quota ? &quota : NULL, &limits);
	if (err)
		return err;
	name[args.image_len] = 0;
	if (handle_table_free(handles()) == 0)
		return VIPER_E_LIMIT;
	err = process_spawn(name, args.priority, &limits, self(), handles(), hs, args.handle_count,
			    args.argument, &p);
	if (err)
		return err;
	return new_handle(&p->obj, VIPER_RIGHT_READ | VIPER_RIGHT_WRITE | VIPER_RIGHT_DERIVE |
					   VIPER_RIGHT_TRANSFER);
}

static int64_t sys_process_exit(const uint64_t *a)
{
	process_kill(self(), (int64_t)a[0]);
	thread_exit_current((int64_t)a[0]);
}

/* Waits for the process or thread `h` names to end; its status goes to user memory. */
static int64_t wait_exit(uint64_t h, uint32_t kind, bool (*ended)(const struct kobject *),
			 int64_t (*status)(const struct kobject *), uint64_t status_ptr,
			 int64_t timeout)
{
	uint64_t deadline = deadline_after(timeout);
	struct cap *c;
	err_t err = lookup(h, kind, VIPER_RIGHT_READ, &c);

	if (err)
		return err;
	if (c->object == &current_thread()->obj)
		return VIPER_E_INVAL; /* a thread waiting for itself */
	while (!ended(c->object)) {
		err = wait_through(&c->object->waiters, timeout, deadline, h, kind,
				   VIPER_RIGHT_READ, &c);
		if (err)
			return err;
	}
	int64_t s = status(c->object);
	return status_ptr ? copy_to_user(as(), status_ptr, &s, sizeof(s)) : VIPER_OK;
}

static bool process_ended(const struct kobject *o)
{
	return container_of(o, struct process, obj)->exited;
}

static int64_t process_status(const struct kobject *o)
{
	return container_of(o, struct process, obj)->exit_status;
}

static bool thread_ended(const struct kobject *o)
{
	return container_of(o, struct thread, obj)->state == THREAD_DEAD;
}

static int64_t thread_status(const struct kobject *o)
{
	return container_of(o, struct thread, obj)->exit_status;
}

static int64_t sys_process_wait(const uint64_t *a)
{
	return wait_exit(a[0], VIPER_OBJ_PROCESS, process_ended, process_status, a[1],
			 (int64_t)a[2]);
}

static int64_t sys_process_kill(const uint64_t *a)
{
	struct cap *c;
	err_t err = lookup(a[0], VIPER_OBJ_PROCESS, VIPER_RIGHT_WRITE, &c);

	if (err)
		return err;
	process_kill(container_of(c->object, struct process, obj),
		     a[1] ? (int64_t)a[1] : VIPER_EXIT_KILLED);
	return VIPER_OK;
}

static int64_t sys_process_usage(const uint64_t *a)
{
	struct viper_usage u = {0};
	struct cap *c;
	err_t err = lookup(a[0], VIPER_OBJ_PROCESS, VIPER_RIGHT_READ, &c);

	if (err)
		return err;
	process_usage(container_of(c->object, struct process, obj), &u);
	return copy_to_user(as(), a[1], &u, sizeof(u));
}

static int64_t sys_thread_create(const uint64_t *a)
{
	struct process *p = self();
	struct thread *t;
	viper_handle_t h;
	err_t err;

	if (a[0] >= VIPER_USER_TOP || a[1] >= VIPER_USER_TOP || (a[1] & 15))
		return VIPER_E_INVAL;
	if (a[3] > VIPER_PRIORITY_MAX)
		return VIPER_E_INVAL;
	if (p->live_threads >= p->limits.threads)
		return VIPER_E_LIMIT;
	t = thread_create(p, a[0], a[1], a[2], (unsigned)a[3]);
	if (!t)
		return VIPER_E_NOMEM;
	err = handle_create(&p->handles, &t->obj, VIPER_RIGHTS_ALL & ~VIPER_RIGHT_DMA, &h);
	if (err) {
		page_free(t->kstack);
		thread_forget(t);
		kobject_unref(&t->obj);
		return err;
	}
	t->tpidr_el0 = 0;
	t->process_next = p->threads;
	p->threads = t;
	p->live_threads++;
	kobject_ref(&p->obj); /* the thread's reference to its process */
	thread_start(t);
	return h;
}

static int64_t sys_thread_exit(const uint64_t *a)
{
	thread_exit_current((int64_t)a[0]);
}

static int64_t sys_thread_wait(const uint64_t *a)
{
	return wait_exit(a[0], VIPER_OBJ_THREAD, thread_ended, thread_status, a[1], (int64_t)a[2]);
}

static int64_t sys_thread_set_priority(const uint64_t *a)
{
	struct cap *c;
	err_t err = lookup(a[0], VIPER_OBJ_THREAD, VIPER_RIGHT_WRITE, &c);

	if (err)
		return err;
	if (a[1] > VIPER_PRIORITY_MAX)
		return VIPER_E_INVAL;
	if (container_of(c->object, struct thread, obj)->state == THREAD_DEAD)
		return VIPER_E_PEERCLOSED;
	thread_set_priority(container_of(c->object, struct thread, obj), (unsigned)a[1]);
	return VIPER_OK;
}

/* Channels. */

static int64_t sys_channel_create(const uint64_t *a)
{
	struct channel *ch;
	viper_handle_t hs, hr;
	err_t err;

	if (a[2] > VIPER_CHANNEL_MAX_DEPTH)
		return VIPER_E_INVAL;
	if (handle_table_free(handles()) < 2)
		return VIPER_E_LIMIT;
	err = channel_create(a[2] ? (unsigned)a[2] : VIPER_CHANNEL_DEFAULT_DEPTH, &ch);
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
	const struct kobject *own_recv =
		via ? &container_of(via->object, struct channel, send_end)->recv_end : NULL;

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

/* Where a short message's bytes sit in a thread's saved registers: x2-x7. */
static uint8_t *short_regs(struct thread *t)
{
	return (uint8_t *)&t->frame->x[2];
}

/*
 * Copies a message of `len` bytes for a fast path: whole words when both
 * ends are saved registers (bytes past `len` there are the sender's own
 * register contents), else exactly `len` bytes.
 */
static void copy_message(void *dst, bool dst_regs, const void *src, bool src_regs, uint32_t len)
{
	if (dst_regs && src_regs) {
		uint64_t *d = dst;
		const uint64_t *s = src;
		for (uint32_t i = 0; i < len; i += 8)
			*d++ = *s++;
	} else if (len) {
		memcpy(dst, src, len);
	}
}

/*
 * Reads a message into `m`: `len` bytes from user address `bytes` (or, when
 * `from_regs`, from the caller's registers: a short message, len checked
 * already), and `count` handles into `hs`, checked for transfer (see
 * check_transfer) but not yet moved. `via` is the channel end the message
 * goes through, NULL for a reply.
 */
static err_t load_message(struct message *m, viper_handle_t *hs, bool from_regs, uint64_t bytes,
			  uint64_t len, uint64_t handle_ptr, uint64_t count, const struct cap *via)
{
	err_t err;

	if (len > VIPER_MSG_MAX_BYTES || count > VIPER_MSG_MAX_HANDLES)
		return VIPER_E_TOOBIG;
	if (count) {
		err = copy_from_user(as(), hs, handle_ptr, count * sizeof(viper_handle_t));
		if (!err)
			err = check_transfer(hs, (unsigned)count, via);
		if (err)
			return err;
	}
	if (from_regs)
		memcpy(m->data, short_regs(current_thread()), len);
	else if ((err = copy_from_user(as(), m->data, bytes, len)))
		return err;
	m->bytes = (uint32_t)len;
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
 * Builds a message for the send end named by handle `h` in `m` (NULL: a new
 * allocation). Blocks for room in the queue first; after every wait the
 * handle is looked up again, since another thread may have closed it
 * (VIPER_E_CLOSED then). On success *ch is the channel, with a reference the
 * caller drops.
 */
static err_t build_message(uint64_t h, bool from_regs, uint64_t bytes, uint64_t len,
			   uint64_t handle_ptr, uint64_t count, int64_t timeout, struct message *m,
			   struct message **out, struct channel **ch_out)
{
	uint64_t deadline = deadline_after(timeout);
	viper_handle_t hs[VIPER_MSG_MAX_HANDLES] = {0};
	struct channel *ch;
	struct cap *via;
	err_t err = lookup(h, VIPER_OBJ_CHANNEL_SEND, VIPER_RIGHT_WRITE, &via);

	if (err)
		return err;
	if (len > VIPER_MSG_MAX_BYTES || count > VIPER_MSG_MAX_HANDLES)
		return VIPER_E_TOOBIG;
	for (;;) {
		ch = container_of(via->object, struct channel, send_end);
		if (ch->recv_end.handles == 0)
			return VIPER_E_PEERCLOSED;
		if (!channel_queue_full(&ch->queue))
			break;
		err = wait_through(&ch->send_end.waiters, timeout, deadline, h,
				   VIPER_OBJ_CHANNEL_SEND, VIPER_RIGHT_WRITE, &via);
		if (err)
			return err;
	}
	if (!m) {
		m = kmalloc(sizeof(*m));
		if (!m)
			return VIPER_E_NOMEM;
	}
	m->caller = NULL;
	err = load_message(m, hs, from_regs, bytes, len, handle_ptr, count, via);
	if (err) {
		if (!m->embedded)
			kfree(m);
		return err;
	}
	detach_handles(m, hs, count);
	kobject_ref(&ch->send_end);
	*out = m;
	*ch_out = ch;
	return VIPER_OK;
}

/* Queues `m` (room was checked with the lock held since). */
static void enqueue(struct channel *ch, struct message *m)
{
	(void)channel_queue_push(&ch->queue, &m->link);
	kobject_signal(&ch->recv_end);
}

static int64_t sys_channel_send(const uint64_t *a)
{
	struct channel *ch;
	struct message *m;
	err_t err;

	if (a[5] & ~(uint64_t)VIPER_MSG_NONBLOCK)
		return VIPER_E_INVAL;
	err = build_message(a[0], false, a[1], a[2], a[3], a[4],
			    (a[5] & VIPER_MSG_NONBLOCK) ? 0 : VIPER_TIMEOUT_NONE, NULL, &m, &ch);
	if (err)
		return err;
	enqueue(ch, m);
	kobject_unref(&ch->send_end);
	return VIPER_OK;
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

static inline int free_reply_slot(struct process *p)
{
	for (int i = 0; i < PROCESS_MAX_REPLIES; i++) {
		if (!p->replies[i].used)
			return i;
	}
	return -1;
}

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

/* The reply token for slot `r` of `p` after its generation moves to `gen`. */
static uint32_t reply_token(const struct process *p, const struct reply_slot *r, uint32_t gen)
{
	return (uint32_t)(r - p->replies + 1) | (gen << 8);
}

/* The next generation of reply slot `r` (never 0, so no token is 0). */
static uint32_t next_gen(const struct reply_slot *r)
{
	uint32_t gen = (r->gen + 1) & 0xffffff;

	return gen ? gen : 1;
}

/* What a short receive returns in x1: the reply token, and reply_result above it. */
static uint64_t short_receipt(uint32_t token, err_t reply_result)
{
	return token | (uint64_t)(uint32_t)reply_result << 32;
}

/* Gives slot `r` (its generation moved to `gen`) to the call of `caller`. */
static void claim_reply_slot(struct process *p, struct reply_slot *r, uint32_t gen,
			     struct thread *caller)
{
	r->used = true;
	r->caller = caller;
	r->gen = gen;
	caller->call.pending = NULL;
	caller->call.server = p;
	caller->call.token_index = (unsigned)(r - p->replies);
}

/*
 * Takes the next message from the receive end named by handle `h`: its bytes
 * go to `buf` (room for `capacity`), its handles to `hbuf`, and the receipt
 * to `out` (with `reply_result` first when `with_result`, else just the
 * info), or, when `in_regs` (a short receive), the bytes to the caller's
 * registers x2-x7 and the reply token and reply_result to x1 (see
 * short_receipt). Waits unless `nonblock`; a thread that waits is parked, so
 * the call fast path can deliver to it directly. `*next` (a caller the reply just
 * answered, or NULL) runs at once if this waits, and is cleared then. `c` is
 * h's capability when the caller looked it up already, else NULL.
 * Returns the length.
 */
static int64_t receive(uint64_t h, struct cap *c, uint64_t buf, uint64_t capacity, uint64_t hbuf,
		       uint64_t out, bool with_result, bool in_regs, err_t reply_result,
		       bool nonblock, struct thread **next)
{
	struct thread *t = current_thread();
	struct process *p = t->process;
	struct receipt rc = {reply_result, 0, {0, 0, 0, 0}};
	viper_handle_t hs[VIPER_MSG_MAX_HANDLES] = {0};
	struct reply_slot *r = NULL;
	struct channel *ch;
	struct message *m;
	uint32_t gen = 0;
	size_t rc_size;
	const void *rc_part;
	err_t err = c ? VIPER_OK : lookup(h, VIPER_OBJ_CHANNEL_RECV, VIPER_RIGHT_READ, &c);

	if (err)
		return err;
	ch = container_of(c->object, struct channel, recv_end);
	for (;;) {
		struct queue_link *l = channel_queue_peek(&ch->queue);
		if (l) {
			m = container_of(l, struct message, link);
			break;
		}
		if (ch->send_end.handles == 0)
			return VIPER_E_PEERCLOSED;
		if (nonblock)
			return VIPER_E_WOULDBLOCK;
		t->recv = (struct recv_wait){ch,	  buf,	   capacity,	 out,
					     with_result, in_regs, reply_result, -1};
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
		ch = container_of(c->object, struct channel, recv_end);
	}
	/* Check everything before taking the message, so a failure loses nothing. */
	rc_part = receipt_part(&rc, with_result, &rc_size);
	rc.info.bytes = m->bytes;
	rc.info.handles = m->handle_count;
	if (m->bytes > capacity) {
		/* The receipt tells the size needed (no reply token yet). */
		if (!in_regs && (err = copy_to_user(as(), out, rc_part, rc_size)))
			return err;
		return VIPER_E_RANGE;
	}
	if (m->handle_count && handle_table_free(&p->handles) < m->handle_count)
		return VIPER_E_LIMIT;
	if (m->caller) {
		int slot = free_reply_slot(p);
		if (slot < 0)
			return VIPER_E_LIMIT;
		r = &p->replies[slot];
		gen = next_gen(r);
		rc.info.reply = reply_token(p, r, gen);
	}
	/* Write (or probe) every buffer with its final size; nothing can fail after this. */
	if (in_regs) {
		if (m->handle_count)
			return VIPER_E_RANGE; /* left queued for channel_recv */
	} else {
		err = copy_to_user(as(), out, rc_part, rc_size);
		if (!err)
			err = copy_to_user(as(), buf, m->data, m->bytes);
		if (!err && m->handle_count)
			err = copy_to_user(as(), hbuf, hs,
					   m->handle_count * sizeof(viper_handle_t));
		if (err)
			return err;
	}
	(void)channel_queue_pop(&ch->queue);
	if (in_regs) {
		memcpy(short_regs(t), m->data, m->bytes);
		t->frame->x[1] = short_receipt(rc.info.reply, reply_result);
	}
	if (m->handle_count) {
		unsigned n = m->handle_count;
		attach_caps(&p->handles, m, hs);
		(void)copy_to_user(as(), hbuf, hs, n * sizeof(viper_handle_t));
	}
	if (r) {
		claim_reply_slot(p, r, gen, m->caller);
		m->caller = NULL;
	}
	message_free(m);
	kobject_signal(&ch->send_end);
	return rc.info.bytes;
}

/* receive, then wakes `next` if receive did not run it. */
static int64_t receive_then_wake(uint64_t h, struct cap *c, uint64_t buf, uint64_t capacity,
				 uint64_t hbuf, uint64_t out, bool with_result, bool in_regs,
				 err_t reply_result, bool nonblock, struct thread *next)
{
	int64_t n = receive(h, c, buf, capacity, hbuf, out, with_result, in_regs, reply_result,
			    nonblock, &next);

	if (next)
		thread_wake(next, VIPER_OK);
	return n;
}

static int64_t sys_channel_recv(const uint64_t *a)
{
	if (a[5] & ~(uint64_t)VIPER_MSG_NONBLOCK)
		return VIPER_E_INVAL;
	return receive_then_wake(a[0], NULL, a[1], a[2], a[3], a[4], false, false, VIPER_OK,
				 a[5] & VIPER_MSG_NONBLOCK, NULL);
}

/*
 * Completes a call whose reply arrived in t->call.msg: the bytes and handles
 * go to the caller's buffers (or registers). A bad buffer here is the
 * caller's own fault: VIPER_E_FAULT, and the reply's handles are closed.
 */
static int64_t take_reply(struct thread *t)
{
	struct call_wait *cw = &t->call;
	struct message *m = &cw->msg;
	struct viper_msg_info info = {m->bytes, m->handle_count, 0, 0};
	viper_handle_t hs[VIPER_MSG_MAX_HANDLES] = {0};
	err_t err;

	if (cw->in_regs) {
		memcpy(short_regs(t), m->data, m->bytes); /* fits: see reply */
		return m->bytes;
	}
	err = copy_to_user(as(), cw->reply_bytes, m->data, m->bytes);
	if (!err && m->handle_count) {
		/* reply checked the room; another of our threads may have taken it since. */
		if (handle_table_free(handles()) < m->handle_count)
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
		attach_caps(handles(), m, hs);
		(void)copy_to_user(as(), cw->reply_handles, hs,
				   info.handles * sizeof(viper_handle_t));
	}
	return info.bytes;
}

/*
 * The call fast path, for a request without handles when a server thread is
 * parked in receive on channel `ch` with its queue empty: the request goes
 * from the caller's buffer (or registers) straight into the server's, with
 * its receipt, and the server is returned to run next (it finds its receive
 * done). NULL when any condition fails (a buffer that is not within one page
 * included): then nothing changed, and the general path queues the request.
 */
static struct thread *call_fast(struct thread *t, struct channel *ch, const struct viper_call *call)
{
	struct thread *srv = ch->recv_end.waiters.head;
	uint32_t len = call->send_len;
	struct receipt rc;
	struct reply_slot *r;
	struct recv_wait *rw;
	struct process *sp;
	const void *src = NULL;
	void *dst = NULL, *out = NULL;
	size_t rc_size;
	const void *rc_part = NULL;
	uint32_t gen;
	int slot;

	if (!srv || call->send_handle_count || len > VIPER_MSG_MAX_BYTES ||
	    !channel_queue_empty(&ch->queue))
		return NULL;
	rw = &srv->recv;
	sp = srv->process;
	if (rw->channel != ch || len > rw->capacity || sp->dying)
		return NULL;
	slot = free_reply_slot(sp);
	if (slot < 0)
		return NULL;
	if (t->call.in_regs) {
		src = short_regs(t);
	} else if (len) {
		src = user_pointer(as(), (uint64_t)(uintptr_t)call->send_bytes, len, false);
		if (!src)
			return NULL;
	}
	if (rw->in_regs) {
		dst = short_regs(srv);
	} else {
		/* Reach the server's memory through its own table; it runs next anyway. */
		cpu_use_aspace(&sp->as);
		if (len)
			dst = user_pointer(&sp->as, rw->buf, len, true);
		rc_part = receipt_part(&rc, rw->with_result, &rc_size);
		out = user_pointer(&sp->as, rw->out, rc_size, true);
		if ((len && !dst) || !out) {
			cpu_use_aspace(as());
			return NULL;
		}
	}
	r = &sp->replies[slot];
	gen = next_gen(r);
	copy_message(dst, rw->in_regs, src, t->call.in_regs, len);
	if (rw->in_regs) {
		srv->frame->x[1] = short_receipt(reply_token(sp, r, gen), rw->reply_result);
	} else {
		rc = (struct receipt){rw->reply_result, 0, {len, 0, reply_token(sp, r, gen), 0}};
		memcpy(out, rc_part, rc_size);
	}
	claim_reply_slot(sp, r, gen, t);
	rw->delivered = len;
	rw->channel = NULL;
	return srv;
}

/*
 * channel_call and channel_call_short: sends `call`'s request on send handle
 * `h` and waits for the reply. For a short call (t->call.in_regs) the
 * request is in the caller's registers, not at send_bytes.
 */
static int64_t do_call(uint64_t h, const struct viper_call *call, uint64_t call_ptr, bool in_regs)
{
	struct thread *t = current_thread();
	struct call_wait *cw = &t->call;
	struct thread *server;
	struct channel *ch;
	struct message *m;
	struct cap *via;
	uint64_t deadline = call->timeout_ns < 0 ? 0 : deadline_after(call->timeout_ns);
	err_t err = lookup(h, VIPER_OBJ_CHANNEL_SEND, VIPER_RIGHT_WRITE, &via);

	if (err)
		return err;
	ch = container_of(via->object, struct channel, send_end);
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
	server = call_fast(t, ch, call);
	if (!server) {
		err = build_message(h, in_regs, (uint64_t)(uintptr_t)call->send_bytes,
				    call->send_len, (uint64_t)(uintptr_t)call->send_handles,
				    call->send_handle_count, call->timeout_ns, &cw->msg, &m, &ch);
		if (err)
			return err;
		m->caller = t;
		cw->pending = m;
		cw->server = NULL;
		enqueue(ch, m);
		/* build_message's reference on the send end keeps the channel while the
		 * request is queued, even if the handle is closed meanwhile. */
		cw->channel = ch;
	} else {
		cw->channel = NULL; /* the server took the request: nothing to withdraw */
	}
	while (!cw->done) {
		err = wait_on_then_run(NULL, deadline, NULL, server);
		server = NULL;
		if (err && !cw->done) {
			call_abandon(t);
			break;
		}
	}
	if (cw->channel)
		kobject_unref(&ch->send_end);
	if (!cw->done)
		return err;
	if (cw->result)
		return cw->result;
	if (cw->delivered >= 0)
		return cw->delivered; /* the reply fast path wrote everything */
	return take_reply(t);
}

static int64_t sys_channel_call(const uint64_t *a)
{
	struct viper_call call;
	err_t err = copy_from_user(as(), &call, a[1], offsetof(struct viper_call, info));

	if (err)
		return err;
	return do_call(a[0], &call, a[1], false);
}

static int64_t sys_channel_call_short(const uint64_t *a)
{
	struct viper_call call;

	if (a[1] > VIPER_SHORT_MSG_BYTES)
		return VIPER_E_TOOBIG;
	call.send_len = (uint32_t)a[1];
	call.send_handle_count = 0;
	call.reply_capacity = VIPER_SHORT_MSG_BYTES;
	call.reply_handle_capacity = 0;
	call.timeout_ns = VIPER_TIMEOUT_NONE;
	/* No user buffers: the bytes are in registers. */
	call.send_bytes = call.reply_bytes = NULL;
	call.send_handles = call.reply_handles = NULL;
	return do_call(a[0], &call, 0, true);
}

/*
 * Finds the call behind reply token `token` of the calling process: its
 * slot, and in *caller the thread waiting for it (NULL when it gave up or
 * died). VIPER_E_BADHANDLE for a token that is not outstanding.
 */
static err_t find_call(uint64_t token, struct reply_slot **slot, struct thread **caller)
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

/* Ends the call in slot `r` with `outcome` for its caller, who is not woken yet. */
static void finish_call(struct reply_slot *r, struct thread *caller, err_t outcome)
{
	r->used = false;
	r->caller = NULL;
	if (caller) {
		caller->call.server = NULL;
		caller->call.result = outcome;
		caller->call.done = true;
	}
}

/*
 * Answers the call behind reply token `token` of the calling process with
 * `len` bytes and `count` handles. The return value concerns the server's
 * own arguments (a bad token, buffer or handle: then nothing happened and a
 * valid token stays valid); *outcome tells what the caller got: VIPER_OK,
 * VIPER_E_PEERCLOSED (it gave up or died), VIPER_E_RANGE (the reply exceeds
 * its buffers) or VIPER_E_LIMIT (no room in its handle table). *woken is the
 * caller to wake (NULL: none); the caller of reply wakes it.
 */
static err_t reply(uint64_t token, bool from_regs, uint64_t bytes, uint64_t len,
		   uint64_t handle_ptr, uint64_t count, err_t *outcome, struct thread **woken)
{
	viper_handle_t hs[VIPER_MSG_MAX_HANDLES] = {0};
	struct message scratch;
	struct reply_slot *r;
	struct thread *caller;
	struct message *m;
	err_t err = find_call(token, &r, &caller);

	if (err)
		return err;
	if (!caller)
		*outcome = VIPER_E_PEERCLOSED; /* the caller gave up or died */
	else if (len > caller->call.reply_capacity || count > caller->call.reply_handle_capacity)
		*outcome = VIPER_E_RANGE;
	else if (count && handle_table_free(&caller->process->handles) < count)
		*outcome = VIPER_E_LIMIT;
	else
		*outcome = VIPER_OK;
	/* The caller's request was taken, so its message is free for the reply. The
	 * server's arguments are checked even when the caller cannot have them. */
	m = *outcome == VIPER_OK ? &caller->call.msg : &scratch;
	err = load_message(m, hs, from_regs, bytes, len, handle_ptr, count, NULL);
	if (err)
		return err;
	if (*outcome == VIPER_OK)
		detach_handles(m, hs, count);
	finish_call(r, caller, *outcome);
	*woken = caller;
	return VIPER_OK;
}

static int64_t sys_channel_reply(const uint64_t *a)
{
	struct thread *caller;
	err_t outcome;
	err_t err = reply(a[0], false, a[1], a[2], a[3], a[4], &outcome, &caller);

	if (err)
		return err;
	if (caller)
		thread_wake(caller, VIPER_OK);
	return outcome;
}

/*
 * The reply fast path, for a reply without handles that fits the caller's
 * buffers when the server will wait next (its receive queue on `ch` is
 * empty): the reply goes from the server's buffer (or registers, when
 * `in_regs`) straight into the caller's, with the call's info, and the
 * caller is returned to run next. NULL when any condition fails: then
 * nothing changed.
 */
static struct thread *reply_fast(uint64_t token, uint64_t bytes, uint32_t len, uint32_t count,
				 bool in_regs, struct channel *ch)
{
	struct viper_msg_info info = {len, 0, 0, 0};
	struct reply_slot *r;
	struct thread *caller;
	struct call_wait *cw;
	const void *src = NULL;
	void *dst = NULL, *out = NULL;

	if (count || len > VIPER_MSG_MAX_BYTES || !channel_queue_empty(&ch->queue) ||
	    ch->send_end.handles == 0 || find_call(token, &r, &caller) || !caller ||
	    caller->state != THREAD_BLOCKED)
		return NULL;
	cw = &caller->call;
	if (len > cw->reply_capacity)
		return NULL;
	if (in_regs) {
		src = short_regs(current_thread());
	} else if (len) {
		src = user_pointer(as(), bytes, len, false);
		if (!src)
			return NULL;
	}
	if (cw->in_regs) {
		dst = short_regs(caller);
	} else {
		const struct aspace *cas = &caller->process->as;
		cpu_use_aspace(cas);
		if (len)
			dst = user_pointer(cas, cw->reply_bytes, len, true);
		out = user_pointer(cas, cw->call_ptr + offsetof(struct viper_call, info),
				   sizeof(info), true);
		if ((len && !dst) || !out) {
			cpu_use_aspace(as());
			return NULL;
		}
		memcpy(out, &info, sizeof(info));
	}
	copy_message(dst, cw->in_regs, src, in_regs, len);
	cw->delivered = len;
	finish_call(r, caller, VIPER_OK);
	return caller;
}

/*
 * The reply half of channel_reply_recv and its short form: answers `token`
 * (0: nothing to do) with `len` bytes (from registers when `from_regs`) and
 * `count` handles, on the fast path when receive handle `h` will wait next.
 * *c is h's capability if it was looked up (else NULL: receive looks it up
 * and reports any error), *caller the answered caller for receive to run or
 * wake, *outcome what that caller got. An error means nothing happened.
 */
static err_t reply_before_receive(uint64_t h, uint64_t token, bool from_regs, uint64_t bytes,
				  uint64_t len, uint64_t handle_ptr, uint64_t count, bool nonblock,
				  struct cap **c, struct thread **caller, err_t *outcome)
{
	*c = NULL;
	*caller = NULL;
	*outcome = VIPER_OK;
	if (!token)
		return VIPER_OK;
	if (!nonblock && !lookup(h, VIPER_OBJ_CHANNEL_RECV, VIPER_RIGHT_READ, c))
		*caller = reply_fast(token, bytes, (uint32_t)len, (uint32_t)count, from_regs,
				     container_of((*c)->object, struct channel, recv_end));
	else
		*c = NULL;
	if (*caller)
		return VIPER_OK;
	return reply(token, from_regs, bytes, len, handle_ptr, count, outcome, caller);
}

static int64_t sys_channel_reply_recv(const uint64_t *a)
{
	struct viper_reply_recv rr;
	struct thread *caller;
	err_t outcome, err;
	bool nonblock = a[2] & VIPER_MSG_NONBLOCK;
	struct cap *c;

	if (a[2] & ~(uint64_t)VIPER_MSG_NONBLOCK)
		return VIPER_E_INVAL;
	err = copy_from_user(as(), &rr, a[1], offsetof(struct viper_reply_recv, reply_result));
	if (!err)
		err = reply_before_receive(a[0], rr.reply, false,
					   (uint64_t)(uintptr_t)rr.reply_bytes, rr.reply_len,
					   (uint64_t)(uintptr_t)rr.reply_handles,
					   rr.reply_handle_count, nonblock, &c, &caller, &outcome);
	if (err)
		return err;
	return receive_then_wake(a[0], c, (uint64_t)(uintptr_t)rr.recv_bytes, rr.recv_capacity,
				 (uint64_t)(uintptr_t)rr.recv_handles,
				 a[1] + offsetof(struct viper_reply_recv, reply_result), true,
				 false, outcome, nonblock, caller);
}

/*
 * channel_reply_recv_short: x1 holds the reply token (0: none) and, above
 * it, the reply's length; the reply's bytes are in x2-x7. Then receives
 * into the registers (see receive).
 */
static int64_t sys_channel_reply_recv_short(const uint64_t *a)
{
	uint64_t token = a[1] & 0xffffffffu, len = a[1] >> 32;
	struct thread *caller;
	err_t outcome, err;
	struct cap *c;

	if (len > VIPER_SHORT_MSG_BYTES)
		return VIPER_E_TOOBIG;
	err = reply_before_receive(a[0], token, true, 0, len, 0, 0, false, &c, &caller, &outcome);
	if (err)
		return err;
	return receive_then_wake(a[0], c, 0, VIPER_SHORT_MSG_BYTES, 0, 0, false, true, outcome,
				 false, caller);
}

static int64_t sys_channel_notify(const uint64_t *a)
{
	struct cap *c;
	err_t err = lookup(a[0], VIPER_OBJ_CHANNEL_SEND, VIPER_RIGHT_WRITE, &c);

	if (err)
		return err;
	return channel_notify(container_of(c->object, struct channel, send_end), a[1]);
}

static int64_t sys_channel_take_notifications(const uint64_t *a)
{
	struct channel *ch;
	uint64_t bits;
	struct cap *c;
	err_t err = lookup(a[0], VIPER_OBJ_CHANNEL_RECV, VIPER_RIGHT_READ, &c);

	if (err)
		return err;
	ch = container_of(c->object, struct channel, recv_end);
	bits = ch->notify_bits;
	ch->notify_bits = 0;
	return (int64_t)bits;
}

/* Poll sets. */

static int64_t sys_poll_create(const uint64_t *a)
{
	struct poll_set *ps = poll_set_create();

	(void)a;
	return new_handle(ps ? &ps->obj : NULL, VIPER_RIGHT_READ | VIPER_RIGHT_WRITE |
							VIPER_RIGHT_TRANSFER | VIPER_RIGHT_DERIVE);
}

static int64_t sys_poll_add(const uint64_t *a)
{
	struct cap *pc, *tc;
	err_t err = lookup(a[0], VIPER_OBJ_POLL_SET, VIPER_RIGHT_WRITE, &pc);

	if (err)
		return err;
	err = lookup(a[1], 0, 0, &tc);
	if (err)
		return err;
	if (a[2] == 0 || a[2] > UINT32_MAX || tc->object == pc->object)
		return VIPER_E_INVAL;
	return poll_set_add(container_of(pc->object, struct poll_set, obj), tc->object,
			    (uint32_t)a[2], a[3]);
}

static int64_t sys_poll_remove(const uint64_t *a)
{
	struct cap *pc, *tc;
	err_t err = lookup(a[0], VIPER_OBJ_POLL_SET, VIPER_RIGHT_WRITE, &pc);

	if (err)
		return err;
	err = lookup(a[1], 0, 0, &tc);
	if (err)
		return err;
	return poll_set_remove(container_of(pc->object, struct poll_set, obj), tc->object);
}

static int64_t sys_poll_wait(const uint64_t *a)
{
	struct viper_poll_event ev[VIPER_POLL_MAX_ENTRIES];
	int64_t timeout = (int64_t)a[3];
	uint64_t deadline = deadline_after(timeout);
	struct cap *c;
	err_t err = lookup(a[0], VIPER_OBJ_POLL_SET, VIPER_RIGHT_READ, &c);

	if (err)
		return err;
	if (a[2] == 0 || a[2] > VIPER_POLL_MAX_ENTRIES)
		return VIPER_E_INVAL;
	memset(ev, 0, sizeof(ev));
	err = copy_to_user(as(), a[1], ev, a[2] * sizeof(ev[0]));
	if (err)
		return err;
	for (;;) {
		struct poll_set *ps = container_of(c->object, struct poll_set, obj);
		unsigned n = 0;
		for (struct poll_entry *e = ps->entries; e && n < a[2]; e = e->set_next) {
			uint32_t ready = kobject_signals(e->object) & e->signals;
			if (!ready)
				continue;
			ev[n].key = e->key;
			ev[n].ready = ready;
			n++;
			if ((ready & VIPER_SIGNAL_TIMER) && e->object->kind == VIPER_OBJ_TIMER)
				container_of(e->object, struct ktimer, obj)->expirations = 0;
		}
		if (n) {
			err = copy_to_user(as(), a[1], ev, n * sizeof(ev[0]));
			return err ? err : (int64_t)n;
		}
		err = wait_through(&ps->obj.waiters, timeout, deadline, a[0], VIPER_OBJ_POLL_SET,
				   VIPER_RIGHT_READ, &c);
		if (err)
			return err;
	}
}

/* Memory and devices. */

static int64_t sys_memory_create(const uint64_t *a)
{
	struct memory_object *m;
	uint32_t rights = VIPER_RIGHT_READ | VIPER_RIGHT_WRITE | VIPER_RIGHT_MAP |
			  VIPER_RIGHT_EXEC | VIPER_RIGHT_TRANSFER | VIPER_RIGHT_DERIVE;
	err_t err;

	if (a[1] > UINT32_MAX)
		return VIPER_E_INVAL;
	if (handle_table_free(handles()) == 0)
		return VIPER_E_LIMIT;
	err = memory_object_create(a[0], (uint32_t)a[1], as()->account, &m);
	if (err)
		return err;
	if (m->contiguous)
		rights |= VIPER_RIGHT_DMA;
	return new_handle(&m->obj, rights);
}

static uint32_t rights_for_prot(uint64_t prot)
{
	return ((prot & VIPER_PROT_READ) ? VIPER_RIGHT_READ : 0) |
	       ((prot & VIPER_PROT_WRITE) ? VIPER_RIGHT_WRITE : 0) |
	       ((prot & VIPER_PROT_EXEC) ? VIPER_RIGHT_EXEC : 0);
}

static int64_t map_object(uint64_t h, uint32_t kind, uint32_t right, uint64_t offset, uint64_t size,
			  uint64_t prot, uint64_t va)
{
	uint64_t out;
	struct cap *c;
	err_t err;

	if (prot > 7)
		return VIPER_E_INVAL;
	err = lookup(h, kind, right | rights_for_prot(prot), &c);
	if (err)
		return err;
	err = aspace_map(as(), c->object, offset, size, (unsigned)prot, va, &out);
	return err ? err : (int64_t)out;
}

static int64_t sys_memory_map(const uint64_t *a)
{
	return map_object(a[0], VIPER_OBJ_MEMORY, VIPER_RIGHT_MAP, a[1], a[2], a[3], a[4]);
}

static int64_t sys_memory_unmap(const uint64_t *a)
{
	return aspace_unmap(as(), a[0], a[1]);
}

static int64_t sys_memory_physical(const uint64_t *a)
{
	struct memory_object *m;
	struct cap *c;
	err_t err = lookup(a[0], VIPER_OBJ_MEMORY, VIPER_RIGHT_DMA, &c);

	if (err)
		return err;
	m = container_of(c->object, struct memory_object, obj);
	if (!m->contiguous)
		return VIPER_E_UNSUPPORTED;
	return (int64_t)m->base;
}

static int64_t sys_device_map(const uint64_t *a)
{
	return map_object(a[0], VIPER_OBJ_DEVICE, VIPER_RIGHT_DEVICE, a[1], a[2], a[3], 0);
}

static int64_t sys_irq_wait(const uint64_t *a)
{
	int64_t timeout = (int64_t)a[1];
	uint64_t deadline = deadline_after(timeout);
	struct irq_line *l;
	struct cap *c;
	err_t err = lookup(a[0], VIPER_OBJ_IRQ, VIPER_RIGHT_IRQ, &c);

	if (err)
		return err;
	for (;;) {
		l = container_of(c->object, struct irq_line, obj);
		if (l->pending)
			return VIPER_OK;
		irq_line_arm(l);
		err = wait_through(&l->obj.waiters, timeout, deadline, a[0], VIPER_OBJ_IRQ,
				   VIPER_RIGHT_IRQ, &c);
		if (err)
			return err;
	}
}

static int64_t sys_irq_ack(const uint64_t *a)
{
	struct cap *c;
	err_t err = lookup(a[0], VIPER_OBJ_IRQ, VIPER_RIGHT_IRQ, &c);

	if (err)
		return err;
	irq_line_ack(container_of(c->object, struct irq_line, obj));
	return VIPER_OK;
}

/* Timers. */

static int64_t sys_timer_create(const uint64_t *a)
{
	struct ktimer *t = ktimer_create();

	(void)a;
	return new_handle(t ? &t->obj : NULL, VIPER_RIGHT_READ | VIPER_RIGHT_WRITE |
						      VIPER_RIGHT_TRANSFER | VIPER_RIGHT_DERIVE);
}

static int64_t sys_timer_set(const uint64_t *a)
{
	struct cap *c;
	err_t err = lookup(a[0], VIPER_OBJ_TIMER, VIPER_RIGHT_WRITE, &c);

	if (err)
		return err;
	if (a[1] == 0 || (int64_t)a[1] < 0 || (int64_t)a[2] < 0 || (a[2] != 0 && a[2] < 1000000))
		return VIPER_E_INVAL; /* periods under 1 ms are refused */
	ktimer_set(container_of(c->object, struct ktimer, obj), a[1], a[2]);
	return VIPER_OK;
}

static int64_t sys_timer_cancel(const uint64_t *a)
{
	struct cap *c;
	err_t err = lookup(a[0], VIPER_OBJ_TIMER, VIPER_RIGHT_WRITE, &c);

	if (err)
		return err;
	ktimer_set(container_of(c->object, struct ktimer, obj), 0, 0);
	return VIPER_OK;
}

/* The system capability. */

static int64_t sys_handle_list(const uint64_t *a)
{
	if (a[1] > VIPER_HANDLES_MAX)
		return VIPER_E_INVAL;
	return system_list_handles(handles(), as(), a[0], (uint32_t)a[1]);
}

static int64_t sys_system_info(const uint64_t *a)
{
	struct viper_system_info info;
	struct cap *c;
	err_t err = lookup(a[0], VIPER_OBJ_SYSTEM, VIPER_RIGHT_READ, &c);

	if (err)
		return err;
	system_info(&info);
	return copy_to_user(as(), a[1], &info, sizeof(info));
}

static int64_t sys_system_processes(const uint64_t *a)
{
	struct cap *c;
	err_t err = lookup(a[0], VIPER_OBJ_SYSTEM, VIPER_RIGHT_READ, &c);

	if (err)
		return err;
	if (a[2] > UINT32_MAX)
		return VIPER_E_INVAL;
	return system_list_processes(as(), a[1], (uint32_t)a[2]);
}

static int64_t sys_system_handles(const uint64_t *a)
{
	struct process *p;
	struct cap *c;
	err_t err = lookup(a[0], VIPER_OBJ_SYSTEM, VIPER_RIGHT_READ, &c);

	if (err)
		return err;
	if (a[3] > VIPER_HANDLES_MAX)
		return VIPER_E_INVAL;
	p = system_find_process(a[1]);
	if (!p)
		return VIPER_E_NOTFOUND;
	return system_list_handles(&p->handles, as(), a[2], (uint32_t)a[3]);
}

static int64_t sys_system_kill(const uint64_t *a)
{
	struct cap *c;
	err_t err = lookup(a[0], VIPER_OBJ_SYSTEM, VIPER_RIGHT_WRITE, &c);

	if (err)
		return err;
	return system_kill(self(), a[1]);
}

/* The table: docs/syscalls.md and viper/abi.h are checked against these lines. */
static const syscall_fn syscall_table[VIPER_SYS_COUNT] = {
	[VIPER_SYS_DEBUG_WRITE] = sys_debug_write,
	[VIPER_SYS_YIELD] = sys_yield,
	[VIPER_SYS_CLOCK_NOW] = sys_clock_now,
	[VIPER_SYS_SLEEP] = sys_sleep,
	[VIPER_SYS_HANDLE_CLOSE] = sys_handle_close,
	[VIPER_SYS_HANDLE_DERIVE] = sys_handle_derive,
	[VIPER_SYS_HANDLE_REVOKE] = sys_handle_revoke,
	[VIPER_SYS_HANDLE_QUERY] = sys_handle_query,
	[VIPER_SYS_PROCESS_SPAWN] = sys_process_spawn,
	[VIPER_SYS_PROCESS_EXIT] = sys_process_exit,
	[VIPER_SYS_PROCESS_WAIT] = sys_process_wait,
	[VIPER_SYS_PROCESS_KILL] = sys_process_kill,
	[VIPER_SYS_THREAD_CREATE] = sys_thread_create,
	[VIPER_SYS_THREAD_EXIT] = sys_thread_exit,
	[VIPER_SYS_THREAD_WAIT] = sys_thread_wait,
	[VIPER_SYS_THREAD_SET_PRIORITY] = sys_thread_set_priority,
	[VIPER_SYS_CHANNEL_CREATE] = sys_channel_create,
	[VIPER_SYS_CHANNEL_SEND] = sys_channel_send,
	[VIPER_SYS_CHANNEL_RECV] = sys_channel_recv,
	[VIPER_SYS_CHANNEL_CALL] = sys_channel_call,
	[VIPER_SYS_CHANNEL_REPLY] = sys_channel_reply,
	[VIPER_SYS_CHANNEL_NOTIFY] = sys_channel_notify,
	[VIPER_SYS_CHANNEL_TAKE_NOTIFICATIONS] = sys_channel_take_notifications,
	[VIPER_SYS_POLL_CREATE] = sys_poll_create,
	[VIPER_SYS_POLL_ADD] = sys_poll_add,
	[VIPER_SYS_POLL_REMOVE] = sys_poll_remove,
	[VIPER_SYS_POLL_WAIT] = sys_poll_wait,
	[VIPER_SYS_MEMORY_CREATE] = sys_memory_create,
	[VIPER_SYS_MEMORY_MAP] = sys_memory_map,
	[VIPER_SYS_MEMORY_UNMAP] = sys_memory_unmap,
	[VIPER_SYS_MEMORY_PHYSICAL] = sys_memory_physical,
	[VIPER_SYS_DEVICE_MAP] = sys_device_map,
	[VIPER_SYS_IRQ_WAIT] = sys_irq_wait,
	[VIPER_SYS_IRQ_ACK] = sys_irq_ack,
	[VIPER_SYS_TIMER_CREATE] = sys_timer_create,
	[VIPER_SYS_TIMER_SET] = sys_timer_set,
	[VIPER_SYS_TIMER_CANCEL] = sys_timer_cancel,
	[VIPER_SYS_CHANNEL_REPLY_RECV] = sys_channel_reply_recv,
	[VIPER_SYS_CHANNEL_CALL_SHORT] = sys_channel_call_short,
	[VIPER_SYS_CHANNEL_REPLY_RECV_SHORT] = sys_channel_reply_recv_short,
	[VIPER_SYS_PROCESS_USAGE] = sys_process_usage,
	[VIPER_SYS_HANDLE_LIST] = sys_handle_list,
	[VIPER_SYS_SYSTEM_INFO] = sys_system_info,
	[VIPER_SYS_SYSTEM_PROCESSES] = sys_system_processes,
	[VIPER_SYS_SYSTEM_HANDLES] = sys_system_handles,
	[VIPER_SYS_SYSTEM_KILL] = sys_system_kill,
};

int64_t syscall_dispatch(struct trap_frame *frame)
{
	uint64_t n = frame->x[8];

	if (n >= VIPER_SYS_COUNT || !syscall_table[n])
		return VIPER_E_NOSYS;
	return syscall_table[n](frame->x);
}
