/* Lifetimes and signals of channels, poll sets, timers, memory, devices and IRQ lines. */
#include <kernel/ipc.h>

#include <arch/gic.h>
#include <kernel/irq.h>
#include <kernel/memory.h>
#include <kernel/process.h>
#include <kernel/sched.h>
#include <kernel/string.h>

#define MEMORY_OBJECT_MAX (64ull << 20)
#define NOTIFY_BITS_MASK  0x7fffffffffffffffull /* bits 0-62 */

/* Channels. */

static struct channel *channel_of_send(const struct kobject *o)
{
	return container_of(o, struct channel, send_end);
}

static struct channel *channel_of_recv(const struct kobject *o)
{
	return container_of(o, struct channel, recv_end);
}

void message_free(struct message *m)
{
	for (unsigned i = 0; i < m->handle_count; i++) {
		if (m->caps[i])
			cap_destroy_detached(m->caps[i]);
	}
	if (m->caller) {
		m->caller->call.pending = NULL;
		m->caller->call.result = VIPER_E_PEERCLOSED;
		m->caller->call.done = true;
		thread_wake(m->caller, VIPER_OK);
	}
	if (!m->embedded)
		kfree(m);
}

void call_abandon(struct thread *t)
{
	struct call_wait *cw = &t->call;

	if (cw->pending) {
		if (channel_queue_remove(&cw->channel->queue, &cw->pending->link)) {
			cw->pending->caller = NULL;
			message_free(cw->pending);
			kobject_signal(&cw->channel->send_end);
		}
		cw->pending = NULL;
	}
	if (cw->server) {
		cw->server->replies[cw->token_index].caller = NULL;
		cw->server = NULL;
	}
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
	struct queue_link *l;

	while ((l = channel_queue_pop(&c->queue)))
		message_free(container_of(l, struct message, link));
	kobject_signal(&c->send_end);
}

static void send_destroy(struct kobject *o)
{
	channel_maybe_free(channel_of_send(o));
}

static void recv_destroy(struct kobject *o)
{
	struct channel *c = channel_of_recv(o);
	struct queue_link *l;

	while ((l = channel_queue_pop(&c->queue)))
		message_free(container_of(l, struct message, link));
	channel_maybe_free(c);
}

static uint32_t send_signals(const struct kobject *o)
{
	const struct channel *c = channel_of_send(o);

	if (c->recv_end.handles == 0)
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
	if (c->send_end.handles == 0)
		s |= VIPER_SIGNAL_PEER_CLOSED;
	return s;
}

static const struct kobject_ops send_ops = {send_last_handle, send_destroy, send_signals};
static const struct kobject_ops recv_ops = {recv_last_handle, recv_destroy, recv_signals};

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

err_t channel_notify(struct channel *ch, uint64_t bits)
{
	if (bits == 0 || (bits & ~NOTIFY_BITS_MASK))
		return VIPER_E_INVAL;
	if (ch->recv_end.handles == 0)
		return VIPER_E_PEERCLOSED;
	ch->notify_bits |= bits;
	kobject_signal(&ch->recv_end);
	return VIPER_OK;
}

/* Poll sets. */

static void entry_unlink_from_object(struct poll_entry *e)
{
	struct poll_entry **link = &e->object->observers;

	while (*link && *link != e)
		link = &(*link)->object_next;
	if (*link)
		*link = e->object_next;
}

/* Unlinks the entry at *link from its set and its object, and frees it. */
static void entry_remove(struct poll_set *ps, struct poll_entry **link)
{
	struct poll_entry *e = *link;

	*link = e->set_next;
	entry_unlink_from_object(e);
	ps->count--;
	kobject_unref(e->object);
	kfree(e);
}

static void poll_destroy(struct kobject *o)
{
	struct poll_set *ps = container_of(o, struct poll_set, obj);

	while (ps->entries)
		entry_remove(ps, &ps->entries);
	kfree(ps);
}

err_t poll_set_add(struct poll_set *ps, struct kobject *o, uint32_t signals, uint64_t key)
{
	struct poll_entry *e;

	if (ps->count >= VIPER_POLL_MAX_ENTRIES)
		return VIPER_E_LIMIT;
	for (e = ps->entries; e; e = e->set_next) {
		if (e->object == o)
			return VIPER_E_BUSY;
	}
	e = kmalloc(sizeof(*e));
	if (!e)
		return VIPER_E_NOMEM;
	e->object = o;
	e->set = ps;
	e->signals = signals;
	e->key = key;
	e->set_next = ps->entries;
	ps->entries = e;
	e->object_next = o->observers;
	o->observers = e;
	ps->count++;
	kobject_ref(o);
	return VIPER_OK;
}

err_t poll_set_remove(struct poll_set *ps, struct kobject *o)
{
	for (struct poll_entry **link = &ps->entries; *link; link = &(*link)->set_next) {
		if ((*link)->object == o) {
			entry_remove(ps, link);
			return VIPER_OK;
		}
	}
	return VIPER_E_NOTFOUND;
}

static const struct kobject_ops poll_ops = {NULL, poll_destroy, NULL};

struct poll_set *poll_set_create(void)
{
	struct poll_set *ps = kmalloc(sizeof(*ps));

	if (ps)
		kobject_init(&ps->obj, VIPER_OBJ_POLL_SET);
	return ps;
}

/* Timers. */

static struct ktimer *armed;

static void timer_disarm(struct ktimer *t)
{
	struct ktimer **link = &armed;

	while (*link && *link != t)
		link = &(*link)->armed_next;
	if (*link)
		*link = t->armed_next;
	t->deadline = 0;
}

static void timer_destroy(struct kobject *o)
{
	struct ktimer *t = container_of(o, struct ktimer, obj);

	timer_disarm(t);
	kfree(t);
}

static void timer_last_handle(struct kobject *o)
{
	timer_disarm(container_of(o, struct ktimer, obj));
}

static uint32_t timer_signals(const struct kobject *o)
{
	return container_of(o, struct ktimer, obj)->expirations ? VIPER_SIGNAL_TIMER : 0;
}

static const struct kobject_ops timer_ops = {timer_last_handle, timer_destroy, timer_signals};

struct ktimer *ktimer_create(void)
{
	struct ktimer *t = kmalloc(sizeof(*t));

	if (t)
		kobject_init(&t->obj, VIPER_OBJ_TIMER);
	return t;
}

void ktimer_set(struct ktimer *t, uint64_t deadline, uint64_t period)
{
	timer_disarm(t);
	t->expirations = 0;
	t->period = period;
	if (deadline) {
		t->deadline = deadline;
		t->armed_next = armed;
		armed = t;
	}
}

void ktimer_expire(uint64_t now)
{
	struct ktimer **link = &armed;

	while (*link) {
		struct ktimer *t = *link;
		if (t->deadline > now) {
			link = &t->armed_next;
			continue;
		}
		t->expirations++;
		if (t->period) {
			/* Skip periods that passed unseen; count them. */
			uint64_t late = (now - t->deadline) / t->period;
			t->expirations += late;
			t->deadline += (late + 1) * t->period;
			link = &t->armed_next;
		} else {
			t->deadline = 0;
			*link = t->armed_next;
		}
		kobject_signal(&t->obj);
	}
}

/* Memory objects. */

struct mem_account *mem_account_create(uint64_t limit)
{
	struct mem_account *a = kmalloc(sizeof(*a));

	if (a) {
		a->refs = 1;
		a->limit = limit;
		a->used = 0;
	}
	return a;
}

void mem_account_put(struct mem_account *a)
{
	if (--a->refs == 0)
		kfree(a);
}

static void memory_destroy(struct kobject *o)
{
	struct memory_object *m = container_of(o, struct memory_object, obj);

	if (m->contiguous) {
		page_free(m->base);
	} else if (m->frames) {
		for (uint64_t i = 0; i < m->pages; i++) {
			if (m->frames[i])
				page_free(m->frames[i]);
		}
		kfree(m->frames);
	}
	mem_uncharge(m->account, m->charged);
	mem_account_put(m->account);
	kfree(m);
}

static const struct kobject_ops memory_ops = {NULL, memory_destroy, NULL};

err_t memory_object_create(uint64_t size, uint32_t flags, struct mem_account *account,
			   struct memory_object **out)
{
	struct memory_object *m;
	uint64_t pages = (size + PAGE_SIZE - 1) / PAGE_SIZE, charge = pages * PAGE_SIZE;
	unsigned order = 0;
	err_t err;

	if (size == 0 || size > MEMORY_OBJECT_MAX || (flags & ~VIPER_MEMORY_CONTIGUOUS))
		return VIPER_E_INVAL;
	if (flags & VIPER_MEMORY_CONTIGUOUS) {
		order = buddy_order_for(pages * PAGE_SIZE);
		if (order > BUDDY_MAX_ORDER)
			return VIPER_E_RANGE;
		charge = (uint64_t)PAGE_SIZE << order; /* the whole block it takes */
	}
	err = mem_charge(account, charge);
	if (err)
		return err;
	m = kmalloc(sizeof(*m));
	if (!m) {
		mem_uncharge(account, charge);
		return VIPER_E_NOMEM;
	}
	kobject_init(&m->obj, VIPER_OBJ_MEMORY);
	m->pages = pages;
	m->size = pages * PAGE_SIZE;
	m->account = account;
	account->refs++;
	m->charged = charge;
	if (flags & VIPER_MEMORY_CONTIGUOUS) {
		m->base = page_alloc(order);
		if (!m->base) {
			memory_destroy(&m->obj);
			return VIPER_E_NOMEM;
		}
		m->contiguous = true;
	} else {
		m->frames = kmalloc(m->pages * sizeof(uint64_t));
		if (!m->frames) {
			memory_destroy(&m->obj);
			return VIPER_E_NOMEM;
		}
		for (uint64_t i = 0; i < m->pages; i++) {
			m->frames[i] = page_alloc(0);
			if (!m->frames[i]) {
				memory_destroy(&m->obj);
				return VIPER_E_NOMEM;
			}
		}
	}
	*out = m;
	return VIPER_OK;
}

uint64_t memory_object_frame(const struct memory_object *m, uint64_t offset)
{
	if (m->contiguous)
		return m->base + (offset & ~(PAGE_SIZE - 1));
	return m->frames[offset / PAGE_SIZE];
}

/* Device regions and IRQ lines: created once at boot, never destroyed while named. */

static void device_destroy(struct kobject *o)
{
	kfree(container_of(o, struct device_region, obj));
}

static const struct kobject_ops device_ops = {NULL, device_destroy, NULL};

struct device_region *device_region_create(const struct board_device *d)
{
	struct device_region *r = kmalloc(sizeof(*r));

	if (!r)
		return NULL;
	kobject_init(&r->obj, VIPER_OBJ_DEVICE);
	r->base = d->base & ~(uint64_t)(PAGE_SIZE - 1);
	r->size = ((d->base + d->size + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1)) - r->base;
	r->kind = d->kind;
	return r;
}

static void irq_fired(void *ctx)
{
	struct irq_line *l = ctx;

	/* Masked until the owner acknowledges, so a level-triggered line stays quiet. */
	gic_disable(l->irq);
	l->enabled = false;
	l->pending = true;
	kobject_signal(&l->obj);
}

static uint32_t irq_signals(const struct kobject *o)
{
	return container_of(o, struct irq_line, obj)->pending ? VIPER_SIGNAL_IRQ : 0;
}

static void irq_last_handle(struct kobject *o)
{
	struct irq_line *l = container_of(o, struct irq_line, obj);

	gic_disable(l->irq);
	l->enabled = false;
}

static const struct kobject_ops irq_ops = {irq_last_handle, NULL, irq_signals};

struct irq_line *irq_line_create(uint32_t irq)
{
	struct irq_line *l = kmalloc(sizeof(*l));

	if (!l)
		return NULL;
	kobject_init(&l->obj, VIPER_OBJ_IRQ);
	l->irq = irq;
	if (irq_set_handler(irq, irq_fired, l)) {
		kfree(l);
		return NULL;
	}
	l->obj.refs++; /* the interrupt handler's reference: lines live for ever */
	return l;
}

void irq_line_arm(struct irq_line *l)
{
	if (!l->pending && !l->enabled && gic_enable(l->irq) == VIPER_OK)
		l->enabled = true;
}

void irq_line_ack(struct irq_line *l)
{
	l->pending = false;
	irq_line_arm(l);
}

void ipc_init(void)
{
	kobject_register(VIPER_OBJ_CHANNEL_SEND, &send_ops);
	kobject_register(VIPER_OBJ_CHANNEL_RECV, &recv_ops);
	kobject_register(VIPER_OBJ_POLL_SET, &poll_ops);
	kobject_register(VIPER_OBJ_TIMER, &timer_ops);
	kobject_register(VIPER_OBJ_MEMORY, &memory_ops);
	kobject_register(VIPER_OBJ_DEVICE, &device_ops);
	kobject_register(VIPER_OBJ_IRQ, &irq_ops);
}
