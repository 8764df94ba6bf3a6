/* Timer objects (kernel/timer_object.h). */
#include <kernel/timer_object.h>

#include <kernel/kmalloc.h>

static struct timer_object *armed;

static void timer_disarm(struct timer_object *t)
{
	struct timer_object **link = &armed;

	while (*link && *link != t)
		link = &(*link)->armed_next;
	if (*link)
		*link = t->armed_next;
	t->deadline = 0;
}

static void timer_destroy(struct kobject *o)
{
	struct timer_object *t = timer_object_of(o);

	timer_disarm(t);
	kfree(t);
}

static void timer_last_handle(struct kobject *o)
{
	timer_disarm(timer_object_of(o));
}

static uint32_t timer_signals(const struct kobject *o)
{
	return timer_object_of(o)->expirations ? VIPER_SIGNAL_TIMER : 0;
}

static const struct kobject_ops timer_ops = {timer_last_handle, timer_destroy, timer_signals};

void timer_object_register(void)
{
	kobject_register(VIPER_OBJ_TIMER, &timer_ops);
}

struct timer_object *timer_object_create(void)
{
	struct timer_object *t = kmalloc(sizeof(*t));

	if (t)
		kobject_init(&t->obj, VIPER_OBJ_TIMER);
	return t;
}

void timer_object_set(struct timer_object *t, uint64_t deadline, uint64_t period)
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

void timer_object_expire(uint64_t now)
{
	struct timer_object **link = &armed;

	while (*link) {
		struct timer_object *t = *link;
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
