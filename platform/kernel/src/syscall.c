/*
 * The system-call table and dispatch. Each handler, sys_<call>, lives in
 * the decode file of its object (src/syscalls/<object>.c): it checks every
 * argument from user space (handles through the handle table, with kind and
 * rights; pointers through the copy helpers; sizes against the ABI limits)
 * and then has the object perform the call. Each call returns a value >= 0
 * or a negative enum viper_error, as docs/syscalls.md describes.
 */
#include <kernel/syscall.h>

#include <arch/boot.h>
#include <arch/trap.h>
#include <kernel/channel.h>
#include <kernel/lock.h>

#include "syscalls/decode.h"

typedef int64_t (*syscall_fn)(const uint64_t *a);

/* The table: docs/syscalls.md and viper/abi.h are checked against these lines. */
static const syscall_fn syscall_table[VIPER_SYS_COUNT] = {
	[VIPER_SYS_DEBUG_WRITE] = sys_debug_write,
	[VIPER_SYS_YIELD] = sys_yield,
	[VIPER_SYS_CLOCK_NOW] = sys_clock_now,
	[VIPER_SYS_SLEEP] = sys_sleep,
	[VIPER_SYS_HANDLE_CLOSE] = sys_handle_close,
	[VIPER_SYS_HANDLE_DERIVE] = sys_handle_derive,
	[VIPER_SYS_HANDLE_REVOKE] = sys_handle_revoke,
	[VIPER_SYS_HANDLE_QUERY] = sys_handle_query,
	[VIPER_SYS_PROCESS_SPAWN] = sys_process_spawn,
	[VIPER_SYS_PROCESS_EXIT] = sys_process_exit,
	[VIPER_SYS_PROCESS_WAIT] = sys_process_wait,
	[VIPER_SYS_PROCESS_KILL] = sys_process_kill,
	[VIPER_SYS_THREAD_CREATE] = sys_thread_create,
	[VIPER_SYS_THREAD_EXIT] = sys_thread_exit,
	[VIPER_SYS_THREAD_WAIT] = sys_thread_wait,
	[VIPER_SYS_THREAD_SET_PRIORITY] = sys_thread_set_priority,
	[VIPER_SYS_CHANNEL_CREATE] = sys_channel_create,
	[VIPER_SYS_CHANNEL_SEND] = sys_channel_send,
	[VIPER_SYS_CHANNEL_RECV] = sys_channel_recv,
	[VIPER_SYS_CHANNEL_CALL] = sys_channel_call,
	[VIPER_SYS_CHANNEL_REPLY] = sys_channel_reply,
	[VIPER_SYS_CHANNEL_NOTIFY] = sys_channel_notify,
	[VIPER_SYS_CHANNEL_TAKE_NOTIFICATIONS] = sys_channel_take_notifications,
	[VIPER_SYS_POLL_CREATE] = sys_poll_create,
	[VIPER_SYS_POLL_ADD] = sys_poll_add,
	[VIPER_SYS_POLL_REMOVE] = sys_poll_remove,
	[VIPER_SYS_POLL_WAIT] = sys_poll_wait,
	[VIPER_SYS_MEMORY_CREATE] = sys_memory_create,
	[VIPER_SYS_MEMORY_MAP] = sys_memory_map,
	[VIPER_SYS_MEMORY_UNMAP] = sys_memory_unmap,
	[VIPER_SYS_MEMORY_PHYSICAL] = sys_memory_physical,
	[VIPER_SYS_DEVICE_MAP] = sys_device_map,
	[VIPER_SYS_IRQ_WAIT] = sys_irq_wait,
	[VIPER_SYS_IRQ_ACK] = sys_irq_ack,
	[VIPER_SYS_TIMER_CREATE] = sys_timer_create,
	[VIPER_SYS_TIMER_SET] = sys_timer_set,
	[VIPER_SYS_TIMER_CANCEL] = sys_timer_cancel,
	[VIPER_SYS_CHANNEL_REPLY_RECV] = sys_channel_reply_recv,
	[VIPER_SYS_CHANNEL_CALL_SHORT] = sys_channel_call_short,
	[VIPER_SYS_CHANNEL_REPLY_RECV_SHORT] = sys_channel_reply_recv_short,
	[VIPER_SYS_PROCESS_USAGE] = sys_process_usage,
	[VIPER_SYS_HANDLE_LIST] = sys_handle_list,
	[VIPER_SYS_SYSTEM_INFO] = sys_system_info,
	[VIPER_SYS_SYSTEM_PROCESSES] = sys_system_processes,
	[VIPER_SYS_SYSTEM_HANDLES] = sys_system_handles,
	[VIPER_SYS_SYSTEM_KILL] = sys_system_kill,
	[VIPER_SYS_PROCESS_SET_PARENT] = sys_process_set_parent,
	[VIPER_SYS_MEMORY_CLONE] = sys_memory_clone,
	[VIPER_SYS_THREAD_SET_AFFINITY] = sys_thread_set_affinity,
	[VIPER_SYS_PROCESS_SPAWN_IMAGE] = sys_process_spawn_image,
};

/* Runs call `n` with the frame's arguments x0-x5. */
static int64_t syscall_call(struct trap_frame *frame, uint64_t n)
{
	if (n >= VIPER_SYS_COUNT || !syscall_table[n])
		return VIPER_E_NOSYS;
	return syscall_table[n](frame->x);
}

int64_t syscall_dispatch(struct trap_frame *frame)
{
	return syscall_call(frame, syscall_number(frame));
}

void syscall_return(struct trap_frame *frame, int64_t value)
{
	frame->x[0] = (uint64_t)value;
	channel_collect_if_due();
	trap_return_to_user();
}

void syscall_run(struct trap_frame *frame)
{
	syscall_return(frame, syscall_dispatch(frame));
}

/* svc #0 (vectors.S's svc_common): the call is x8's. */
void svc_entry(struct trap_frame *frame)
{
	kernel_lock();
	syscall_return(frame, syscall_call(frame, frame->x[8]));
}
