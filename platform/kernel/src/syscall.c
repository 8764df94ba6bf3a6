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

#define DEBUG_WRITE_MAX	 4096u
#define NOTIFY_BITS_MASK 0x7fffffffffffffffull

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
		console_write(buf, chunk);
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
	struct waitq q = {NULL, NULL};
	int64_t ns = (int64_t)a[0];
	err_t err;

	if (ns < 0)
		return VIPER_E_INVAL;
	if (ns == 0)
		return VIPER_OK;
	err = wait_on(&q, deadline_after(ns), NULL);
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
	if (err)
		return err;
	name[args.image_len] = 0;
	if (handle_table_free(handles()) == 0)
		return VIPER_E_LIMIT;
	err = process_spawn(name, args.priority, handles(), hs, args.handle_count, args.argument,
			    &p);
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
 * appears once, and is not the channel end the message goes through.
 */
static err_t check_transfer(const viper_handle_t *hs, unsigned count, const struct cap *via)
{
	for (unsigned i = 0; i < count; i++) {
		struct cap *c;
		err_t err = handle_lookup(handles(), hs[i], 0, VIPER_RIGHT_TRANSFER, &c);
		if (err)
			return err;
		if (c == via)
			return VIPER_E_INVAL;
		for (unsigned j = 0; j < i; j++) {
			if (hs[j] == hs[i])
				return VIPER_E_INVAL;
		}
	}
	return VIPER_OK;
}

/*
 * Builds a message from user memory: bytes, then handles (validated, then
 * detached, so either all move or none). Blocks for room in the queue first.
 */
/*
 * Builds a message for the send end named by handle `h`: bytes, then
 * handles (validated, then detached, so either all move or none). Blocks for
 * room in the queue first; after every wait the handle is looked up again,
 * since another thread may have closed it (VIPER_E_CLOSED then). On success
 * *ch is the channel, with a reference the caller drops.
 */
static err_t build_message(uint64_t h, uint64_t bytes, uint64_t len, uint64_t handle_ptr,
			   uint64_t count, int64_t timeout, struct message **out,
			   struct channel **ch_out)
{
	uint64_t deadline = deadline_after(timeout);
	viper_handle_t hs[VIPER_MSG_MAX_HANDLES];
	struct channel *ch;
	struct message *m;
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
	err = copy_from_user(as(), hs, handle_ptr, count * sizeof(viper_handle_t));
	if (!err)
		err = check_transfer(hs, (unsigned)count, via);
	if (err)
		return err;
	m = kmalloc(sizeof(*m));
	if (!m)
		return VIPER_E_NOMEM;
	err = copy_from_user(as(), m->data, bytes, len);
	if (err) {
		kfree(m);
		return err;
	}
	m->bytes = (uint32_t)len;
	m->handle_count = (uint32_t)count;
	for (unsigned i = 0; i < count; i++)
		(void)handle_detach(handles(), hs[i], &m->caps[i]); /* checked above */
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
	err = build_message(a[0], a[1], a[2], a[3], a[4],
			    (a[5] & VIPER_MSG_NONBLOCK) ? 0 : VIPER_TIMEOUT_NONE, &m, &ch);
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
}

static int free_reply_slot(struct process *p)
{
	for (int i = 0; i < PROCESS_MAX_REPLIES; i++) {
		if (!p->replies[i].used)
			return i;
	}
	return -1;
}

static int64_t sys_channel_recv(const uint64_t *a)
{
	struct process *p = self();
	struct viper_msg_info info = {0};
	viper_handle_t hs[VIPER_MSG_MAX_HANDLES];
	struct channel *ch;
	struct message *m;
	struct cap *c;
	int slot = -1;
	err_t err = lookup(a[0], VIPER_OBJ_CHANNEL_RECV, VIPER_RIGHT_READ, &c);

	if (err)
		return err;
	if (a[5] & ~(uint64_t)VIPER_MSG_NONBLOCK)
		return VIPER_E_INVAL;
	ch = container_of(c->object, struct channel, recv_end);
	for (;;) {
		struct queue_link *l = channel_queue_peek(&ch->queue);
		if (l) {
			m = container_of(l, struct message, link);
			break;
		}
		if (ch->send_end.handles == 0)
			return VIPER_E_PEERCLOSED;
		err = wait_through(&ch->recv_end.waiters,
				   (a[5] & VIPER_MSG_NONBLOCK) ? 0 : VIPER_TIMEOUT_NONE, 0, a[0],
				   VIPER_OBJ_CHANNEL_RECV, VIPER_RIGHT_READ, &c);
		if (err)
			return err;
		ch = container_of(c->object, struct channel, recv_end);
	}
	/* Check everything before taking the message, so a failure loses nothing. */
	info.bytes = m->bytes;
	info.handles = m->handle_count;
	err = copy_to_user(as(), a[4], &info, sizeof(info));
	if (err)
		return err;
	if (m->bytes > a[2])
		return VIPER_E_RANGE;
	if (m->handle_count && handle_table_free(&p->handles) < m->handle_count)
		return VIPER_E_LIMIT;
	if (m->caller) {
		slot = free_reply_slot(p);
		if (slot < 0)
			return VIPER_E_LIMIT;
	}
	/* Probe the buffers with the final writes' sizes; nothing can fail after this. */
	err = copy_to_user(as(), a[1], m->data, m->bytes);
	if (!err)
		err = copy_to_user(as(), a[3], hs, m->handle_count * sizeof(viper_handle_t));
	if (err)
		return err;
	(void)channel_queue_pop(&ch->queue);
	attach_caps(&p->handles, m, hs);
	(void)copy_to_user(as(), a[3], hs, m->handle_count * sizeof(viper_handle_t));
	if (m->caller) {
		struct reply_slot *r = &p->replies[slot];
		struct thread *caller = m->caller;
		r->used = true;
		r->caller = caller;
		r->gen = (r->gen + 1) & 0xffffff;
		if (r->gen == 0)
			r->gen = 1;
		caller->call.pending = NULL;
		caller->call.server = p;
		caller->call.token_index = (unsigned)slot;
		info.reply = (uint32_t)(slot + 1) | (r->gen << 8);
		m->caller = NULL;
	}
	(void)copy_to_user(as(), a[4], &info, sizeof(info));
	m->handle_count = 0;
	message_free(m);
	kobject_signal(&ch->send_end);
	return info.bytes;
}

static int64_t sys_channel_call(const uint64_t *a)
{
	struct thread *t = current_thread();
	struct viper_call call;
	struct waitq q = {NULL, NULL};
	struct channel *ch;
	struct message *m;
	uint64_t deadline;
	err_t err = copy_from_user(as(), &call, a[1], sizeof(call));
	if (err)
		return err;
	if (call.reply_handle_capacity > VIPER_MSG_MAX_HANDLES)
		call.reply_handle_capacity = VIPER_MSG_MAX_HANDLES;
	deadline = deadline_after(call.timeout_ns);
	err = build_message(a[0], (uint64_t)(uintptr_t)call.send_bytes, call.send_len,
			    (uint64_t)(uintptr_t)call.send_handles, call.send_handle_count,
			    call.timeout_ns, &m, &ch);
	if (err)
		return err;
	m->caller = t;
	t->call = (struct call_wait){
		.pending = m,
		.reply_bytes = (uint64_t)(uintptr_t)call.reply_bytes,
		.reply_capacity = call.reply_capacity,
		.reply_handles = (uint64_t)(uintptr_t)call.reply_handles,
		.reply_handle_capacity = call.reply_handle_capacity,
	};
	enqueue(ch, m);
	/* The reference from build_message keeps the channel while we wait, even if
	 * the handle is closed meanwhile. */
	while (!t->call.done) {
		err = wait_on(&q, deadline, NULL);
		if (err && !t->call.done) {
			/* Give up: withdraw the request, or forget the reply token. */
			if (t->call.pending) {
				if (channel_queue_remove(&ch->queue, &t->call.pending->link)) {
					t->call.pending->caller = NULL;
					message_free(t->call.pending);
					kobject_signal(&ch->send_end);
				}
				t->call.pending = NULL;
			}
			if (t->call.server) {
				t->call.server->replies[t->call.token_index].caller = NULL;
				t->call.server = NULL;
			}
			kobject_unref(&ch->send_end);
			return err;
		}
	}
	kobject_unref(&ch->send_end);
	if (t->call.result)
		return t->call.result;
	call.info = (struct viper_msg_info){t->call.got_bytes, t->call.got_handles, 0, 0};
	err = copy_to_user(as(), a[1] + offsetof(struct viper_call, info), &call.info,
			   sizeof(call.info));
	return err ? err : (int64_t)t->call.got_bytes;
}

static int64_t sys_channel_reply(const uint64_t *a)
{
	struct process *p = self();
	uint32_t token = (uint32_t)a[0];
	unsigned index = (token & 0xff) - 1;
	struct reply_slot *r;
	struct thread *caller;
	struct call_wait *cw;
	viper_handle_t hs[VIPER_MSG_MAX_HANDLES];
	struct message m;
	err_t err;

	if (a[0] > UINT32_MAX || index >= PROCESS_MAX_REPLIES)
		return VIPER_E_BADHANDLE;
	r = &p->replies[index];
	if (!r->used || r->gen != token >> 8)
		return VIPER_E_BADHANDLE;
	if (a[2] > VIPER_MSG_MAX_BYTES || a[4] > VIPER_MSG_MAX_HANDLES)
		return VIPER_E_TOOBIG;
	err = copy_from_user(as(), m.data, a[1], a[2]);
	if (!err)
		err = copy_from_user(as(), hs, a[3], a[4] * sizeof(viper_handle_t));
	if (!err)
		err = check_transfer(hs, (unsigned)a[4], NULL);
	if (err)
		return err;
	caller = r->caller;
	r->used = false;
	r->caller = NULL;
	if (!caller)
		return VIPER_E_PEERCLOSED; /* the caller gave up or died */
	cw = &caller->call;
	cw->server = NULL;
	cw->done = true;
	if (a[2] > cw->reply_capacity || a[4] > cw->reply_handle_capacity) {
		cw->result = VIPER_E_RANGE;
	} else if (a[4] && handle_table_free(&caller->process->handles) < a[4]) {
		cw->result = VIPER_E_LIMIT;
	} else {
		const struct aspace *cas = &caller->process->as;
		cw->result = copy_to_user(cas, cw->reply_bytes, m.data, a[2]);
		if (!cw->result)
			cw->result = copy_to_user(cas, cw->reply_handles, hs,
						  a[4] * sizeof(viper_handle_t));
	}
	if (cw->result == VIPER_OK) {
		m.handle_count = (uint32_t)a[4];
		for (unsigned i = 0; i < m.handle_count; i++)
			(void)handle_detach(&p->handles, hs[i], &m.caps[i]);
		attach_caps(&caller->process->handles, &m, hs);
		(void)copy_to_user(&caller->process->as, cw->reply_handles, hs,
				   a[4] * sizeof(viper_handle_t));
		cw->got_bytes = (uint32_t)a[2];
		cw->got_handles = (uint32_t)a[4];
	}
	err = cw->result;
	thread_wake(caller, VIPER_OK);
	return err == VIPER_E_FAULT ? VIPER_OK
				    : err; /* a bad caller buffer is the caller's fault */
}

static int64_t sys_channel_notify(const uint64_t *a)
{
	struct channel *ch;
	struct cap *c;
	err_t err = lookup(a[0], VIPER_OBJ_CHANNEL_SEND, VIPER_RIGHT_WRITE, &c);

	if (err)
		return err;
	if (a[1] == 0 || (a[1] & ~NOTIFY_BITS_MASK))
		return VIPER_E_INVAL;
	ch = container_of(c->object, struct channel, send_end);
	if (ch->recv_end.handles == 0)
		return VIPER_E_PEERCLOSED;
	ch->notify_bits |= a[1];
	kobject_signal(&ch->recv_end);
	return VIPER_OK;
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
	err = memory_object_create(a[0], (uint32_t)a[1], &m);
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
};

int64_t syscall_dispatch(struct trap_frame *frame)
{
	uint64_t n = frame->x[8];

	if (n >= VIPER_SYS_COUNT || !syscall_table[n])
		return VIPER_E_NOSYS;
	return syscall_table[n](frame->x);
}
