/* Kernel objects: reference counts, handle counts and signals (kernel/object.h). */
#include <kernel/object.h>

#include <kernel/panic.h>
#include <kernel/poll_set.h>
#include <kernel/sched.h>

enum {
	DEFER_NONE = 0,
	DEFER_LAST_HANDLE = 1, /* call last_handle, then drop the reference taken for it */
	DEFER_DESTROY = 2,
};

static const struct kobject_ops *kind_ops[16];
static uint64_t next_koid = 1;

/* The release list, worked through in order by the outermost release. */
static struct kobject *release_head, *release_tail;
static bool releasing;

void kobject_register(uint32_t kind, const struct kobject_ops *ops)
{
	kind_ops[kind] = ops;
}

void kobject_init(struct kobject *o, uint32_t kind)
{
	o->kind = kind;
	o->handles = 0;
	o->refs = 1;
	o->deferred = DEFER_NONE;
	o->koid = next_koid++;
	o->waiters.head = o->waiters.tail = NULL;
	o->observers = NULL;
	o->defer_next = NULL;
}

static void defer(struct kobject *o, uint32_t what)
{
	o->deferred = what;
	o->defer_next = NULL;
	if (release_tail)
		release_tail->defer_next = o;
	else
		release_head = o;
	release_tail = o;
}

/* Runs the release list unless an outer call is running it already. */
static void release(void)
{
	if (releasing)
		return;
	releasing = true;
	while (release_head) {
		struct kobject *o = release_head;
		const struct kobject_ops *ops = kind_ops[o->kind];
		uint32_t what = o->deferred;

		release_head = o->defer_next;
		if (!release_head)
			release_tail = NULL;
		o->deferred = DEFER_NONE;
		o->defer_next = NULL;
		if (what == DEFER_LAST_HANDLE) {
			ops->last_handle(o);
			kobject_unref(o); /* the reference held for the callback */
		} else {
			ops->destroy(o);
		}
	}
	releasing = false;
}

void kobject_ref(struct kobject *o)
{
	o->refs++;
}

void kobject_unref(struct kobject *o)
{
	const struct kobject_ops *ops = kind_ops[o->kind];

	if (o->refs == 0)
		panic("object %llu (kind %u) released too often", (unsigned long long)o->koid,
		      o->kind);
	if (--o->refs == 0 && ops && ops->destroy) {
		/* No poll entry can remain: each holds a reference. */
		defer(o, DEFER_DESTROY);
		release();
	}
}

void kobject_handle_ref(struct kobject *o)
{
	o->handles++;
	o->refs++;
}

void kobject_handle_drop(struct kobject *o, struct cap *c)
{
	const struct kobject_ops *ops = kind_ops[o->kind];

	if (ops && ops->handle_dropped)
		ops->handle_dropped(o, c);
	if (--o->handles == 0 && ops && ops->last_handle && o->deferred == DEFER_NONE) {
		o->refs++; /* keeps it alive until the callback ran */
		defer(o, DEFER_LAST_HANDLE);
	}
	kobject_unref(o);
	release();
}

uint32_t kobject_signals(const struct kobject *o)
{
	const struct kobject_ops *ops = kind_ops[o->kind];

	return ops && ops->signals ? ops->signals(o) : 0;
}

void kobject_signal(struct kobject *o)
{
	uint32_t now;

	if (!o->waiters.head && !o->observers)
		return; /* nobody to tell */
	now = kobject_signals(o);
	waitq_wake_all(&o->waiters, VIPER_OK);
	for (struct poll_entry *e = o->observers; e; e = e->object_next) {
		if (now & e->signals)
			waitq_wake_all(&e->set->obj.waiters, VIPER_OK);
	}
}
