/* Poll sets: create, add, remove, wait. */
#include "decode.h"

#include <kernel/poll_set.h>
#include <kernel/string.h>

int64_t sys_poll_create(const uint64_t *a)
{
	struct poll_set *ps;
	err_t err = poll_set_create(as()->account, &ps);

	(void)a;
	if (err)
		return err;
	return new_handle(&ps->obj, VIPER_RIGHT_READ | VIPER_RIGHT_WRITE | VIPER_RIGHT_TRANSFER |
					    VIPER_RIGHT_DERIVE);
}

int64_t sys_poll_add(const uint64_t *a)
{
	struct cap *pc, *tc;
	err_t err = lookup(a[0], VIPER_OBJ_POLL_SET, VIPER_RIGHT_WRITE, &pc);

	if (err)
		return err;
	err = lookup(a[1], 0, 0, &tc);
	if (err)
		return err;
	if (a[2] == 0 || a[2] > UINT32_MAX || tc->object == pc->object)
		return VIPER_E_INVAL;
	return poll_set_add(poll_set_of(pc->object), tc->object, (uint32_t)a[2], a[3]);
}

int64_t sys_poll_remove(const uint64_t *a)
{
	struct cap *pc, *tc;
	err_t err = lookup(a[0], VIPER_OBJ_POLL_SET, VIPER_RIGHT_WRITE, &pc);

	if (err)
		return err;
	err = lookup(a[1], 0, 0, &tc);
	if (err)
		return err;
	return poll_set_remove(poll_set_of(pc->object), tc->object);
}

int64_t sys_poll_wait(const uint64_t *a)
{
	struct viper_poll_event ev[VIPER_POLL_MAX_EVENTS];
	struct handle_wait w = {a[0], VIPER_OBJ_POLL_SET, VIPER_RIGHT_READ, (int64_t)a[3],
				deadline_after((int64_t)a[3])};
	struct cap *c;
	err_t err = lookup(a[0], VIPER_OBJ_POLL_SET, VIPER_RIGHT_READ, &c);

	if (err)
		return err;
	if (a[2] == 0 || a[2] > VIPER_POLL_MAX_EVENTS)
		return VIPER_E_INVAL;
	/* The events buffer is checked whole first, so a ready entry is never lost. */
	memset(ev, 0, sizeof(ev));
	err = copy_to_user(as(), a[1], ev, a[2] * sizeof(ev[0]));
	if (err)
		return err;
	for (;;) {
		struct poll_set *ps = poll_set_of(c->object);
		unsigned n = poll_set_collect(ps, ev, (unsigned)a[2]);
		if (n) {
			err = copy_to_user(as(), a[1], ev, n * sizeof(ev[0]));
			return err ? err : (int64_t)n;
		}
		err = wait_through(&ps->obj.waiters, &w, &c);
		if (err)
			return err;
	}
}
