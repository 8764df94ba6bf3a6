/*
 * Timer objects (VIPER_OBJ_TIMER): a deadline on the monotonic clock, once
 * or periodic, whose expirations a poll set reports (VIPER_SIGNAL_TIMER).
 * Not the architecture's timer (arch/timer.h), whose tick checks them.
 * Under the big kernel lock.
 */
#ifndef KERNEL_TIMER_OBJECT_H
#define KERNEL_TIMER_OBJECT_H

#include <stdint.h>

#include <kernel/deadline_wheel.h>
#include <kernel/err.h>
#include <kernel/object.h>
#include <kernel/quota.h>

#define TIMER_MIN_PERIOD_NS 1000000ull /* periods under 1 ms are refused */

struct timer_object {
	struct kobject obj;
	uint64_t deadline; /* 0: not armed */
	uint64_t period;
	uint64_t expirations;
	struct deadline_entry when;  /* in the wheel of armed timers while armed */
	struct mem_account *account; /* pays for it */
};

/* Registers the kind with the object layer (at boot). */
void timer_object_register(void);

/* A disarmed timer charged to `account`: VIPER_E_LIMIT, VIPER_E_NOMEM. */
MUST_CHECK err_t timer_object_create(struct mem_account *account, struct timer_object **out);
/* Arms `t` for `deadline` (0: disarms it), repeating every `period` ns (0: once). */
void timer_object_set(struct timer_object *t, uint64_t deadline, uint64_t period);
/* Fires the timers whose deadline passed (from the tick). */
void timer_object_expire(uint64_t now);

static inline struct timer_object *timer_object_of(const struct kobject *o)
{
	return container_of(o, struct timer_object, obj);
}

#endif
