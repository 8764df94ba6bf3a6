/* Timer objects (kernel/timer_object.h). */
#include <kernel/timer_object.h>

#include <arch/timer.h>
#include <kernel/clock.h>
#include <kernel/kmalloc.h>

/* The armed timers, by deadline. */
static struct deadline_wheel armed;

static void timer_disarm(struct timer_object *t)
{
	deadline_wheel_remove(&armed, &t->when);
	t->deadline = 0;
}

static void timer_destroy(struct kobject *o)
{
	struct timer_object *t = timer_object_of(o);

	timer_disarm(t);
	kfree_charged(t->account, t, sizeof(*t));
}

static void timer_last_handle(struct kobject *o)
{
	timer_disarm(timer_object_of(o));
}

static uint32_t timer_signals(const struct kobject *o)
{
	return timer_object_of(o)->expirations ? VIPER_SIGNAL_TIMER : 0;
}

static const struct kobject_ops timer_ops = {timer_last_handle, timer_destroy, timer_signals, NULL};

void timer_object_register(void)
{
	kobject_register(VIPER_OBJ_TIMER, &timer_ops);
	deadline_wheel_init(&armed, 1000000000ull / CLOCK_HZ, timer_now_ns());
}

err_t timer_object_create(struct mem_account *account, struct timer_object **out)
{
	void *p;
	err_t err = kmalloc_charged(account, sizeof(struct timer_object), &p);

	if (err)
		return err;
	*out = p;
	kobject_init(&(*out)->obj, VIPER_OBJ_TIMER);
	(*out)->account = account;
	return VIPER_OK;
}

void timer_object_set(struct timer_object *t, uint64_t deadline, uint64_t period)
{
	timer_disarm(t);
	t->expirations = 0;
	t->period = period;
	if (deadline) {
		t->deadline = deadline;
		t->when.deadline = deadline;
		deadline_wheel_add(&armed, &t->when);
	}
}

/* A timer's deadline passed: count it, re-arm a periodic one, tell its watchers. */
static void fire(struct deadline_entry *e, void *ctx)
{
	struct timer_object *t = container_of(e, struct timer_object, when);
	uint64_t now = *(const uint64_t *)ctx;

	t->expirations++;
	if (t->period) {
		/* Skip periods that passed unseen; count them. */
		uint64_t late = (now - t->deadline) / t->period;
		t->expirations += late;
		t->deadline += (late + 1) * t->period;
		t->when.deadline = t->deadline;
		deadline_wheel_add(&armed, &t->when);
	} else {
		t->deadline = 0;
	}
	kobject_signal(&t->obj);
}

void timer_object_expire(uint64_t now)
{
	deadline_wheel_expire(&armed, now, fire, &now);
}
