/*
 * The decode side of the system calls (docs/syscalls.md): each sys_<call>
 * copies its arguments in, looks its handles up, checks rights and bounds,
 * and then calls the object's perform function (kernel/<object>.h), which
 * cannot fail on anything checked here. This header holds what every
 * decode file shares, and the handlers the table in ../syscall.c lists.
 * Under the big kernel lock.
 */
#ifndef KERNEL_SYSCALLS_DECODE_H
#define KERNEL_SYSCALLS_DECODE_H

#include <stdint.h>

#include <kernel/err.h>
#include <kernel/handle.h>
#include <kernel/process.h>
#include <kernel/sched.h>
#include <kernel/user_copy.h>

/* The calling process, its handle table and its address space. */
static inline struct process *self(void)
{
	return current_thread()->process;
}

static inline struct handle_table *handles(void)
{
	return &self()->handles;
}

static inline struct aspace *as(void)
{
	return &self()->as;
}

/* Finds handle `h` of the calling process (see handle_lookup); any h above 32 bits is bad. */
static inline err_t lookup(uint64_t h, uint32_t kind, uint32_t rights, struct cap **cap)
{
	if (h > UINT32_MAX)
		return VIPER_E_BADHANDLE;
	return handle_lookup(handles(), (viper_handle_t)h, kind, rights, cap);
}

/* Writes handle `h` to user address `user_ptr`. */
static inline err_t put_handle(uint64_t user_ptr, viper_handle_t h)
{
	return copy_to_user(as(), user_ptr, &h, sizeof(h));
}

/* A new handle with `rights` for a fresh object (NULL: its allocation failed). */
int64_t new_handle(struct kobject *o, uint32_t rights);

/*
 * Blocks on `q` of the object handle `h` names (*c, looked up with `kind`
 * and `rights`), unless `timeout` is 0 (VIPER_E_WOULDBLOCK). Every blocking
 * call waits through here: after the wait the handle is looked up again,
 * because another thread may have closed it meanwhile (VIPER_E_CLOSED), so
 * *c and its object are valid whenever this returns VIPER_OK.
 */
struct handle_wait {
	uint64_t handle;
	uint32_t kind;
	uint32_t rights;
	int64_t timeout;   /* as the call gave it */
	uint64_t deadline; /* deadline_after(timeout) */
};

MUST_CHECK err_t wait_through(struct waitq *q, const struct handle_wait *w, struct cap **c);

/* The handlers, one per call, named after it (the table is in ../syscall.c). */
int64_t sys_debug_write(const uint64_t *a);
int64_t sys_yield(const uint64_t *a);
int64_t sys_clock_now(const uint64_t *a);
int64_t sys_sleep(const uint64_t *a);
int64_t sys_handle_close(const uint64_t *a);
int64_t sys_handle_derive(const uint64_t *a);
int64_t sys_handle_revoke(const uint64_t *a);
int64_t sys_handle_query(const uint64_t *a);
int64_t sys_handle_list(const uint64_t *a);
int64_t sys_process_spawn(const uint64_t *a);
int64_t sys_process_exit(const uint64_t *a);
int64_t sys_process_wait(const uint64_t *a);
int64_t sys_process_kill(const uint64_t *a);
int64_t sys_process_usage(const uint64_t *a);
int64_t sys_thread_create(const uint64_t *a);
int64_t sys_thread_exit(const uint64_t *a);
int64_t sys_thread_wait(const uint64_t *a);
int64_t sys_thread_set_priority(const uint64_t *a);
int64_t sys_channel_create(const uint64_t *a);
int64_t sys_channel_send(const uint64_t *a);
int64_t sys_channel_recv(const uint64_t *a);
int64_t sys_channel_call(const uint64_t *a);
int64_t sys_channel_reply(const uint64_t *a);
int64_t sys_channel_notify(const uint64_t *a);
int64_t sys_channel_take_notifications(const uint64_t *a);
int64_t sys_channel_reply_recv(const uint64_t *a);
int64_t sys_channel_call_short(const uint64_t *a);
int64_t sys_channel_reply_recv_short(const uint64_t *a);
int64_t sys_poll_create(const uint64_t *a);
int64_t sys_poll_add(const uint64_t *a);
int64_t sys_poll_remove(const uint64_t *a);
int64_t sys_poll_wait(const uint64_t *a);
int64_t sys_memory_create(const uint64_t *a);
int64_t sys_memory_map(const uint64_t *a);
int64_t sys_memory_unmap(const uint64_t *a);
int64_t sys_memory_physical(const uint64_t *a);
int64_t sys_device_map(const uint64_t *a);
int64_t sys_irq_wait(const uint64_t *a);
int64_t sys_irq_ack(const uint64_t *a);
int64_t sys_timer_create(const uint64_t *a);
int64_t sys_timer_set(const uint64_t *a);
int64_t sys_timer_cancel(const uint64_t *a);
int64_t sys_system_info(const uint64_t *a);
int64_t sys_system_processes(const uint64_t *a);
int64_t sys_system_handles(const uint64_t *a);
int64_t sys_system_kill(const uint64_t *a);
int64_t sys_process_set_parent(const uint64_t *a);
int64_t sys_memory_clone(const uint64_t *a);
int64_t sys_thread_set_affinity(const uint64_t *a);
int64_t sys_process_spawn_image(const uint64_t *a);

#endif
