/*
 * Channels: the two ends, the queue, notifications, message lifetime and
 * the collector of unreachable cycles (kernel/channel.h).
 */
#include <kernel/channel.h>

#include <kernel/call.h>
#include <kernel/kmalloc.h>

/* What an allocated message costs its sender: itself and the caps it may carry. */
#define MESSAGE_CAP_CHARGE (VIPER_MSG_MAX_HANDLES * 64u)

/* The collector's state. */
enum { GC_NONE = 0, GC_CANDIDATE = 1, GC_LIVE = 2 };

static struct channel *inflight_list; /* channels with receive-end caps in queues */
static unsigned inflight_channels;
unsigned channel_gc_events; /* since the last run */
static unsigned gc_live;    /* channels left in flight by the last run */

/* A receive end went into a queue or lost a handle while others may be in flight. */
static void gc_event(void)
{
	channel_gc_events++;
}

static void inflight_add(struct channel *ch)
{
	if (ch->inflight++ != 0)
		return;
	ch->inflight_prev = NULL;
	ch->inflight_next = inflight_list;
	if (inflight_list)
		inflight_list->inflight_prev = ch;
	inflight_list = ch;
	inflight_channels++;
}

static void inflight_remove(struct channel *ch)
{
	if (--ch->inflight != 0)
		return;
	if (ch->inflight_prev)
		ch->inflight_prev->inflight_next = ch->inflight_next;
	else
		inflight_list = ch->inflight_next;
	if (ch->inflight_next)
		ch->inflight_next->inflight_prev = ch->inflight_prev;
	ch->inflight_next = ch->inflight_prev = NULL;
	inflight_channels--;
}

/* The channel whose receive end cap `c` names, or NULL for any other cap. */
static struct channel *receive_end_of(const struct cap *c)
{
	return c->object && c->object->kind == VIPER_OBJ_CHANNEL_RECV ? channel_of_recv(c->object)
								      : NULL;
}

/* Message `m` went into a queue: its receive-end caps are in flight. */
static void message_queued(struct message *m)
{
	for (unsigned i = 0; i < m->handle_count; i++) {
		struct channel *ch = receive_end_of(m->caps[i]);
		m->caps[i]->queued = true;
		if (ch) {
			inflight_add(ch);
			gc_event();
		}
	}
}

/* Message `m` left its queue. */
static void message_unqueued(struct message *m)
{
	for (unsigned i = 0; i < m->handle_count; i++) {
		struct cap *c = m->caps[i];
		struct channel *ch;
		if (!c || !c->queued)
			continue;
		c->queued = false;
		ch = receive_end_of(c);
		if (ch)
			inflight_remove(ch);
	}
}

err_t message_alloc(struct mem_account *account, struct message **out)
{
	void *p;
	err_t err = mem_charge_kernel(account, MESSAGE_CAP_CHARGE);

	if (err)
		return err;
	err = kmalloc_charged(account, sizeof(struct message), &p);
	if (err) {
		mem_uncharge_kernel(account, MESSAGE_CAP_CHARGE);
		return err;
	}
	*out = p;
	(*out)->embedded = false;
	(*out)->account = account;
	return VIPER_OK;
}

void message_free(struct message *m)
{
	for (unsigned i = 0; i < m->handle_count; i++) {
		if (m->caps[i])
			cap_destroy_detached(m->caps[i]);
	}
	m->handle_count = 0;
	if (m->caller)
		call_end_unanswered(m->caller);
	if (!m->embedded) {
		struct mem_account *account = m->account;
		mem_uncharge_kernel(account, MESSAGE_CAP_CHARGE);
		kfree_charged(account, m, sizeof(*m));
	}
}

struct message *channel_head(const struct channel *ch)
{
	struct queue_link *l = channel_queue_peek(&ch->queue);

	return l ? container_of(l, struct message, link) : NULL;
}

void channel_enqueue(struct channel *ch, struct message *m)
{
	(void)channel_queue_push(&ch->queue, &m->link);
	message_queued(m);
	kobject_signal(&ch->recv_end);
}

void channel_dequeue(struct channel *ch)
{
	struct queue_link *l = channel_queue_pop(&ch->queue);

	message_unqueued(container_of(l, struct message, link));
	kobject_signal(&ch->send_end);
}

bool channel_withdraw(struct channel *ch, struct message *m)
{
	if (!channel_queue_remove(&ch->queue, &m->link))
		return false;
	message_unqueued(m);
	kobject_signal(&ch->send_end);
	return true;
}

/* Frees every queued message. */
static void drain(struct channel *c)
{
	struct queue_link *l;

	while ((l = channel_queue_pop(&c->queue))) {
		struct message *m = container_of(l, struct message, link);
		message_unqueued(m);
		message_free(m);
	}
}

static void channel_maybe_free(struct channel *c)
{
	if (c->send_end.refs == 0 && c->recv_end.refs == 0)
		kfree_charged(c->account, c, sizeof(*c));
}

static void send_last_handle(struct kobject *o)
{
	kobject_signal(&channel_of_send(o)->recv_end);
}

static void recv_last_handle(struct kobject *o)
{
	struct channel *c = channel_of_recv(o);

	drain(c);
	kobject_signal(&c->send_end);
}

/* A capability to a receive end dies: if it was in a queue, it is no longer in flight. */
static void recv_handle_dropped(struct kobject *o, struct cap *c)
{
	struct channel *ch = channel_of_recv(o);

	if (c->queued) {
		c->queued = false; /* revoked while in a queued message */
		inflight_remove(ch);
	}
	if (ch->inflight)
		gc_event(); /* maybe every handle left is in flight now */
}

static void send_destroy(struct kobject *o)
{
	channel_maybe_free(channel_of_send(o));
}

static void recv_destroy(struct kobject *o)
{
	struct channel *c = channel_of_recv(o);

	drain(c);
	channel_maybe_free(c);
}

static uint32_t send_signals(const struct kobject *o)
{
	const struct channel *c = channel_of_send(o);

	if (channel_receiver_gone(c))
		return VIPER_SIGNAL_PEER_CLOSED;
	return channel_queue_full(&c->queue) ? 0 : VIPER_SIGNAL_WRITABLE;
}

static uint32_t recv_signals(const struct kobject *o)
{
	const struct channel *c = channel_of_recv(o);
	uint32_t s = 0;

	if (!channel_queue_empty(&c->queue))
		s |= VIPER_SIGNAL_READABLE;
	if (c->notify_bits)
		s |= VIPER_SIGNAL_NOTIFIED;
	if (channel_sender_gone(c))
		s |= VIPER_SIGNAL_PEER_CLOSED;
	return s;
}

static const struct kobject_ops send_ops = {send_last_handle, send_destroy, send_signals, NULL};
static const struct kobject_ops recv_ops = {recv_last_handle, recv_destroy, recv_signals,
					    recv_handle_dropped};

void channel_register(void)
{
	kobject_register(VIPER_OBJ_CHANNEL_SEND, &send_ops);
	kobject_register(VIPER_OBJ_CHANNEL_RECV, &recv_ops);
}

err_t channel_create(unsigned depth, struct mem_account *account, struct channel **out)
{
	struct channel *c;
	void *p;
	err_t err;

	if (depth == 0 || depth > VIPER_CHANNEL_MAX_DEPTH)
		return VIPER_E_INVAL;
	err = kmalloc_charged(account, sizeof(*c), &p);
	if (err)
		return err;
	c = p;
	(void)channel_queue_init(&c->queue, depth);
	c->account = account;
	kobject_init(&c->send_end, VIPER_OBJ_CHANNEL_SEND);
	kobject_init(&c->recv_end, VIPER_OBJ_CHANNEL_RECV);
	*out = c;
	return VIPER_OK;
}

err_t channel_notify_check(const struct channel *ch, uint64_t bits)
{
	if (bits == 0 || (bits & ~CHANNEL_NOTIFY_MASK))
		return VIPER_E_INVAL;
	if (channel_receiver_gone(ch))
		return VIPER_E_PEERCLOSED;
	return VIPER_OK;
}

void channel_notify(struct channel *ch, uint64_t bits)
{
	ch->notify_bits |= bits;
	kobject_signal(&ch->recv_end);
}

uint64_t channel_take_notifications(struct channel *ch)
{
	uint64_t bits = ch->notify_bits;

	ch->notify_bits = 0;
	return bits;
}

/* The collector. */

/* Calls visit(d) for the channel d of each receive-end cap queued in `ch` that is a candidate. */
static void for_each_queued_receive_end(struct channel *ch, void (*visit)(struct channel *d))
{
	for (struct queue_link *l = ch->queue.head; l; l = l->next) {
		struct message *m = container_of(l, struct message, link);
		for (unsigned i = 0; i < m->handle_count; i++) {
			struct channel *d = m->caps[i] ? receive_end_of(m->caps[i]) : NULL;
			if (d && d->gc_mark != GC_NONE)
				visit(d);
		}
	}
}

static struct channel *gc_work_list;

static void count_internal(struct channel *d)
{
	d->gc_refs--;
}

static void mark_live(struct channel *d)
{
	if (d->gc_mark != GC_CANDIDATE)
		return;
	d->gc_mark = GC_LIVE;
	d->gc_work = gc_work_list;
	gc_work_list = d;
}

/* The candidates: channels every one of whose receive-end caps is in a queue. */
static struct channel *find_candidates(void)
{
	struct channel *candidates = NULL;

	for (struct channel *ch = inflight_list; ch; ch = ch->inflight_next) {
		if (ch->recv_end.handles != ch->inflight)
			continue;
		ch->gc_mark = GC_CANDIDATE;
		ch->gc_refs = ch->inflight;
		ch->gc_next = candidates;
		candidates = ch;
	}
	return candidates;
}

/* The collector's run: frees every channel it finds to be garbage (see kernel/channel.h). */
static void channel_collect(void)
{
	struct channel *candidates = find_candidates(), *garbage = NULL, *ch;

	/* References from the candidates' own queues do not make anything reachable. */
	for (ch = candidates; ch; ch = ch->gc_next)
		for_each_queued_receive_end(ch, count_internal);
	/* Whatever is referred to from outside is live, and so is all it reaches. */
	for (ch = candidates; ch; ch = ch->gc_next) {
		if (ch->gc_refs > 0)
			mark_live(ch);
	}
	while (gc_work_list) {
		ch = gc_work_list;
		gc_work_list = ch->gc_work;
		for_each_queued_receive_end(ch, mark_live);
	}
	/* The rest is garbage: held while every queue is freed, then let go. */
	for (ch = candidates; ch; ch = ch->gc_next) {
		if (ch->gc_mark == GC_CANDIDATE) {
			kobject_ref(&ch->recv_end);
			ch->gc_work = garbage;
			garbage = ch;
		}
	}
	for (ch = candidates; ch; ch = ch->gc_next)
		ch->gc_mark = GC_NONE;
	for (ch = garbage; ch; ch = ch->gc_work)
		drain(ch);
	while (garbage) {
		ch = garbage;
		garbage = ch->gc_work;
		kobject_unref(&ch->recv_end);
	}
	channel_gc_events = 0;
	gc_live = inflight_channels;
}

void channel_collect_if_any_due(void)
{
	/*
	 * A run costs about the channels in flight now, which are at most those
	 * the last run left plus one per event since: due once there were as
	 * many events as the smaller of the two, so a run costs O(1) per event.
	 */
	unsigned due = gc_live < inflight_channels ? gc_live : inflight_channels;

	if (channel_gc_events && channel_gc_events >= due)
		channel_collect();
}
