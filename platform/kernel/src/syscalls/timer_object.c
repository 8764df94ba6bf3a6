/* Timer objects: create, set, cancel. */
#include "decode.h"

#include <kernel/timer_object.h>

int64_t sys_timer_create(const uint64_t *a)
{
	struct timer_object *t;
	err_t err = timer_object_create(as()->account, &t);

	(void)a;
	if (err)
		return err;
	return new_handle(&t->obj, VIPER_RIGHT_READ | VIPER_RIGHT_WRITE | VIPER_RIGHT_TRANSFER |
					   VIPER_RIGHT_DERIVE);
}

int64_t sys_timer_set(const uint64_t *a)
{
	struct cap *c;
	err_t err = lookup(a[0], VIPER_OBJ_TIMER, VIPER_RIGHT_WRITE, &c);

	if (err)
		return err;
	if (a[1] == 0 || (int64_t)a[1] < 0 || (int64_t)a[2] < 0 ||
	    (a[2] != 0 && a[2] < TIMER_MIN_PERIOD_NS))
		return VIPER_E_INVAL;
	timer_object_set(timer_object_of(c->object), a[1], a[2]);
	return VIPER_OK;
}

int64_t sys_timer_cancel(const uint64_t *a)
{
	struct cap *c;
	err_t err = lookup(a[0], VIPER_OBJ_TIMER, VIPER_RIGHT_WRITE, &c);

	if (err)
		return err;
	timer_object_set(timer_object_of(c->object), 0, 0);
	return VIPER_OK;
}
