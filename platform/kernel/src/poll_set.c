/* Poll sets (kernel/poll_set.h). */
#include <kernel/poll_set.h>

#include <kernel/kmalloc.h>
#include <kernel/timer_object.h>

static void entry_unlink_from_object(struct poll_entry *e)
{
	if (e->object_prev)
		e->object_prev->object_next = e->object_next;
	else
		e->object->observers = e->object_next;
	if (e->object_next)
		e->object_next->object_prev = e->object_prev;
}

/* Unlinks the entry at *link from its set and its object, and frees it. */
static void entry_remove(struct poll_set *ps, struct poll_entry **link)
{
	struct poll_entry *e = *link;
	struct kobject *o = e->object;

	*link = e->set_next;
	entry_unlink_from_object(e);
	ps->count--;
	kfree_charged(ps->account, e, sizeof(*e));
	kobject_unref(o);
}

static void remove_all(struct poll_set *ps)
{
	while (ps->entries)
		entry_remove(ps, &ps->entries);
}

/*
 * Nobody can wait on a set without a handle, so its entries go with the
 * last one: two sets watching each other then free each other.
 */
static void poll_last_handle(struct kobject *o)
{
	remove_all(poll_set_of(o));
}

static void poll_destroy(struct kobject *o)
{
	struct poll_set *ps = poll_set_of(o);

	remove_all(ps);
	kfree_charged(ps->account, ps, sizeof(*ps));
}

static const struct kobject_ops poll_ops = {poll_last_handle, poll_destroy, NULL, NULL};

void poll_set_register(void)
{
	kobject_register(VIPER_OBJ_POLL_SET, &poll_ops);
}

err_t poll_set_create(struct mem_account *account, struct poll_set **out)
{
	void *p;
	err_t err = kmalloc_charged(account, sizeof(struct poll_set), &p);

	if (err)
		return err;
	*out = p;
	kobject_init(&(*out)->obj, VIPER_OBJ_POLL_SET);
	(*out)->account = account;
	return VIPER_OK;
}

err_t poll_set_add(struct poll_set *ps, struct kobject *o, uint32_t signals, uint64_t key)
{
	struct poll_entry *e;
	void *p;
	err_t err;

	if (ps->count >= VIPER_POLL_MAX_ENTRIES)
		return VIPER_E_LIMIT;
	for (e = ps->entries; e; e = e->set_next) {
		if (e->object == o)
			return VIPER_E_BUSY;
	}
	err = kmalloc_charged(ps->account, sizeof(*e), &p);
	if (err)
		return err;
	e = p;
	e->object = o;
	e->set = ps;
	e->signals = signals;
	e->key = key;
	e->set_next = ps->entries;
	ps->entries = e;
	e->object_prev = NULL;
	e->object_next = o->observers;
	if (o->observers)
		o->observers->object_prev = e;
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

/*
 * Makes the entry after `last` the first, keeping the order around: the
 * next collect starts where this one stopped, so when more entries are
 * ready than a wait reports, none waits behind the others for ever.
 */
static void rotate_after(struct poll_set *ps, struct poll_entry *last)
{
	struct poll_entry *tail = last;

	if (!last->set_next)
		return;
	while (tail->set_next)
		tail = tail->set_next;
	tail->set_next = ps->entries;
	ps->entries = last->set_next;
	last->set_next = NULL;
}

unsigned poll_set_collect(struct poll_set *ps, struct viper_poll_event *ev, unsigned max)
{
	struct poll_entry *e = ps->entries;
	unsigned n = 0;

	for (; e && n < max; e = e->set_next) {
		uint32_t ready = kobject_signals(e->object) & e->signals;
		if (!ready)
			continue;
		ev[n].key = e->key;
		ev[n].ready = ready;
		n++;
		if ((ready & VIPER_SIGNAL_TIMER) && e->object->kind == VIPER_OBJ_TIMER)
			timer_object_of(e->object)->expirations = 0;
		if (n == max)
			break;
	}
	if (n == max && e)
		rotate_after(ps, e);
	return n;
}
