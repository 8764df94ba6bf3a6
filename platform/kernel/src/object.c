/* Kernel objects: reference counts, handle counts and signals (kernel/object.h). */
#include <kernel/object.h>

#include <kernel/panic.h>
#include <kernel/poll_set.h>
#include <kernel/sched.h>

static const struct kobject_ops *kind_ops[16];
static uint64_t next_koid = 1;

void kobject_register(uint32_t kind, const struct kobject_ops *ops)
{
	kind_ops[kind] = ops;
}

void kobject_init(struct kobject *o, uint32_t kind)
{
	o->kind = kind;
	o->handles = 0;
	o->refs = 1;
	o->koid = next_koid++;
	o->waiters.head = o->waiters.tail = NULL;
	o->observers = NULL;
}

void kobject_ref(struct kobject *o)
{
	o->refs++;
}

void kobject_unref(struct kobject *o)
{
	if (o->refs == 0)
		panic("object %llu (kind %u) released too often", (unsigned long long)o->koid,
		      o->kind);
	if (--o->refs == 0) {
		const struct kobject_ops *ops = kind_ops[o->kind];
		/* No poll entry can remain: each holds a reference. */
		if (ops && ops->destroy)
			ops->destroy(o);
	}
}

void kobject_handle_ref(struct kobject *o)
{
	o->handles++;
	o->refs++;
}

void kobject_handle_drop(struct kobject *o)
{
	const struct kobject_ops *ops = kind_ops[o->kind];

	if (--o->handles == 0 && ops && ops->last_handle) {
		o->refs++; /* keep it alive through the callback */
		ops->last_handle(o);
		kobject_unref(o);
	}
	kobject_unref(o);
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
