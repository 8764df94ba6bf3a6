/* Threads: create, exit, wait, priority, yield. */
#include "decode.h"

#include "exit_wait.h"

#include <kernel/thread.h>

int64_t sys_thread_create(const uint64_t *a)
{
	struct process *p = self();
	struct thread *t;
	viper_handle_t h;
	err_t err;

	if (a[0] >= VIPER_USER_TOP || a[1] >= VIPER_USER_TOP || (a[1] & 15))
		return VIPER_E_INVAL;
	if (a[3] > VIPER_PRIORITY_MAX)
		return VIPER_E_INVAL;
	if (p->live_threads >= p->limits.threads)
		return VIPER_E_LIMIT;
	err = thread_create(p, a[0], a[1], a[2], (unsigned)a[3], &t);
	if (err)
		return err;
	err = handle_create(&p->handles, &t->obj, VIPER_RIGHTS_ALL & ~VIPER_RIGHT_DMA, &h);
	if (err) {
		thread_discard(t);
		return err;
	}
	process_add_thread(p, t);
	thread_start(t);
	return h;
}

int64_t sys_thread_exit(const uint64_t *a)
{
	thread_exit_current((int64_t)a[0]);
}

static bool thread_has_ended(const struct kobject *o)
{
	return thread_ended(container_of(o, struct thread, obj));
}

static int64_t thread_status(const struct kobject *o)
{
	return container_of(o, struct thread, obj)->exit_status;
}

static const struct exit_kind thread_exit_kind = {VIPER_OBJ_THREAD, thread_has_ended,
						  thread_status};

int64_t sys_thread_wait(const uint64_t *a)
{
	return wait_exit(&thread_exit_kind, a[0], a[1], (int64_t)a[2]);
}

int64_t sys_thread_set_priority(const uint64_t *a)
{
	struct thread *t;
	struct cap *c;
	err_t err = lookup(a[0], VIPER_OBJ_THREAD, VIPER_RIGHT_WRITE, &c);

	if (err)
		return err;
	if (a[1] > VIPER_PRIORITY_MAX)
		return VIPER_E_INVAL;
	t = container_of(c->object, struct thread, obj);
	if (thread_ended(t))
		return VIPER_E_PEERCLOSED;
	thread_set_priority(t, (unsigned)a[1]);
	return VIPER_OK;
}

int64_t sys_yield(const uint64_t *a)
{
	(void)a;
	sched_yield();
	return VIPER_OK;
}

int64_t sys_thread_set_affinity(const uint64_t *a)
{
	struct thread *t;
	struct cap *c;
	err_t err = lookup(a[0], VIPER_OBJ_THREAD, VIPER_RIGHT_WRITE, &c);

	if (err)
		return err;
	if (a[1] > UINT32_MAX || (a[1] && !(a[1] & sched_cpus_online_mask())))
		return VIPER_E_INVAL; /* no CPU that is online */
	t = container_of(c->object, struct thread, obj);
	if (thread_ended(t))
		return VIPER_E_PEERCLOSED;
	thread_set_affinity(t, (uint32_t)a[1]);
	return VIPER_OK;
}
