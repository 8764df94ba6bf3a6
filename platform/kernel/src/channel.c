/* Channels: the two ends, the queue, notifications and message lifetime (kernel/channel.h). */
#include <kernel/channel.h>

#include <kernel/call.h>
#include <kernel/kmalloc.h>

struct message *message_alloc(void)
{
	struct message *m = kmalloc(sizeof(*m));

	if (m)
		m->embedded = false;
	return m;
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
	if (!m->embedded)
		kfree(m);
}

struct message *channel_head(const struct channel *ch)
{
	struct queue_link *l = channel_queue_peek(&ch->queue);

	return l ? container_of(l, struct message, link) : NULL;
}

void channel_enqueue(struct channel *ch, struct message *m)
{
	(void)channel_queue_push(&ch->queue, &m->link);
	kobject_signal(&ch->recv_end);
}

void channel_dequeue(struct channel *ch)
{
	(void)channel_queue_pop(&ch->queue);
	kobject_signal(&ch->send_end);
}

bool channel_withdraw(struct channel *ch, struct message *m)
{
	if (!channel_queue_remove(&ch->queue, &m->link))
		return false;
	kobject_signal(&ch->send_end);
	return true;
}

/* Frees every queued message. */
static void drain(struct channel *c)
{
	struct queue_link *l;

	while ((l = channel_queue_pop(&c->queue)))
		message_free(container_of(l, struct message, link));
}

static void channel_maybe_free(struct channel *c)
{
	if (c->send_end.refs == 0 && c->recv_end.refs == 0)
		kfree(c);
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

static const struct kobject_ops send_ops = {send_last_handle, send_destroy, send_signals};
static const struct kobject_ops recv_ops = {recv_last_handle, recv_destroy, recv_signals};

void channel_register(void)
{
	kobject_register(VIPER_OBJ_CHANNEL_SEND, &send_ops);
	kobject_register(VIPER_OBJ_CHANNEL_RECV, &recv_ops);
}

err_t channel_create(unsigned depth, struct channel **out)
{
	struct channel *c;
	err_t err;

	c = kmalloc(sizeof(*c));
	if (!c)
		return VIPER_E_NOMEM;
	err = channel_queue_init(&c->queue, depth);
	if (err) {
		kfree(c);
		return err;
	}
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
