/*
 * User-space system-call stubs: one inline function per call in
 * viper/abi.h, named viper_<call>. Each returns the kernel's x0: a value
 * >= 0 or a negative enum viper_error. Generated shape, hand-kept: the ABI
 * check test (platform/abi/check_syscalls.py) verifies every call has one.
 * The same stubs serve kernel-placed components (see viper/syscall_trap.h).
 */
#ifndef VIPER_SYSCALL_H
#define VIPER_SYSCALL_H

#include <stdint.h>

#include <viper/abi.h>

/* A short message: up to VIPER_SHORT_MSG_BYTES bytes, carried in registers x2-x17. */
struct viper_short_msg {
	uint64_t words[VIPER_SHORT_MSG_BYTES / 8];
};

/*
 * viper_syscall6 and viper_syscall_short: how a system call is made. In a
 * process that is svc (platform/user); for kernel-placed components the
 * kernel's header of the same name enters the kernel directly.
 */
#include <viper/syscall_trap.h>

static inline int64_t viper_debug_write(const void *buf, uint64_t len)
{
	return viper_syscall6(VIPER_SYS_DEBUG_WRITE, (uint64_t)(uintptr_t)buf, len, 0, 0, 0, 0);
}

static inline int64_t viper_yield(void)
{
	return viper_syscall6(VIPER_SYS_YIELD, 0, 0, 0, 0, 0, 0);
}

static inline int64_t viper_clock_now(void)
{
	return viper_syscall6(VIPER_SYS_CLOCK_NOW, 0, 0, 0, 0, 0, 0);
}

static inline int64_t viper_sleep(int64_t ns)
{
	return viper_syscall6(VIPER_SYS_SLEEP, (uint64_t)ns, 0, 0, 0, 0, 0);
}

static inline int64_t viper_handle_close(viper_handle_t h)
{
	return viper_syscall6(VIPER_SYS_HANDLE_CLOSE, h, 0, 0, 0, 0, 0);
}

static inline int64_t viper_handle_derive(viper_handle_t h, uint32_t rights)
{
	return viper_syscall6(VIPER_SYS_HANDLE_DERIVE, h, rights, 0, 0, 0, 0);
}

static inline int64_t viper_handle_revoke(viper_handle_t h)
{
	return viper_syscall6(VIPER_SYS_HANDLE_REVOKE, h, 0, 0, 0, 0, 0);
}

static inline int64_t viper_handle_query(viper_handle_t h, struct viper_handle_info *info)
{
	return viper_syscall6(VIPER_SYS_HANDLE_QUERY, h, (uint64_t)(uintptr_t)info, 0, 0, 0, 0);
}

static inline int64_t viper_process_spawn(viper_handle_t spawn, const struct viper_spawn *args)
{
	return viper_syscall6(VIPER_SYS_PROCESS_SPAWN, spawn, (uint64_t)(uintptr_t)args, 0, 0, 0,
			      0);
}

static inline int64_t viper_process_exit(int64_t status)
{
	return viper_syscall6(VIPER_SYS_PROCESS_EXIT, (uint64_t)status, 0, 0, 0, 0, 0);
}

static inline int64_t viper_process_wait(viper_handle_t h, int64_t *status, int64_t timeout_ns)
{
	return viper_syscall6(VIPER_SYS_PROCESS_WAIT, h, (uint64_t)(uintptr_t)status,
			      (uint64_t)timeout_ns, 0, 0, 0);
}

static inline int64_t viper_process_kill(viper_handle_t h, int64_t status)
{
	return viper_syscall6(VIPER_SYS_PROCESS_KILL, h, (uint64_t)status, 0, 0, 0, 0);
}

static inline int64_t viper_thread_create(uint64_t entry, uint64_t stack_top, uint64_t arg,
					  uint32_t priority)
{
	return viper_syscall6(VIPER_SYS_THREAD_CREATE, entry, stack_top, arg, priority, 0, 0);
}

static inline int64_t viper_thread_exit(int64_t status)
{
	return viper_syscall6(VIPER_SYS_THREAD_EXIT, (uint64_t)status, 0, 0, 0, 0, 0);
}

static inline int64_t viper_thread_wait(viper_handle_t h, int64_t *status, int64_t timeout_ns)
{
	return viper_syscall6(VIPER_SYS_THREAD_WAIT, h, (uint64_t)(uintptr_t)status,
			      (uint64_t)timeout_ns, 0, 0, 0);
}

static inline int64_t viper_thread_set_priority(viper_handle_t h, uint32_t priority)
{
	return viper_syscall6(VIPER_SYS_THREAD_SET_PRIORITY, h, priority, 0, 0, 0, 0);
}

static inline int64_t viper_channel_create(viper_handle_t *send, viper_handle_t *recv,
					   uint32_t depth)
{
	return viper_syscall6(VIPER_SYS_CHANNEL_CREATE, (uint64_t)(uintptr_t)send,
			      (uint64_t)(uintptr_t)recv, depth, 0, 0, 0);
}

static inline int64_t viper_channel_send(viper_handle_t h, const void *bytes, uint64_t len,
					 const viper_handle_t *handles, uint64_t count,
					 uint32_t flags)
{
	return viper_syscall6(VIPER_SYS_CHANNEL_SEND, h, (uint64_t)(uintptr_t)bytes, len,
			      (uint64_t)(uintptr_t)handles, count, flags);
}

static inline int64_t viper_channel_recv(viper_handle_t h, void *buf, uint64_t capacity,
					 viper_handle_t *handles, struct viper_msg_info *info,
					 uint32_t flags)
{
	return viper_syscall6(VIPER_SYS_CHANNEL_RECV, h, (uint64_t)(uintptr_t)buf, capacity,
			      (uint64_t)(uintptr_t)handles, (uint64_t)(uintptr_t)info, flags);
}

static inline int64_t viper_channel_call(viper_handle_t h, struct viper_call *call)
{
	return viper_syscall_fast(VIPER_SYS_CHANNEL_CALL, h, (uint64_t)(uintptr_t)call, 0);
}

static inline int64_t viper_channel_reply(uint32_t token, const void *bytes, uint64_t len,
					  const viper_handle_t *handles, uint64_t count)
{
	return viper_syscall6(VIPER_SYS_CHANNEL_REPLY, token, (uint64_t)(uintptr_t)bytes, len,
			      (uint64_t)(uintptr_t)handles, count, 0);
}

static inline int64_t viper_channel_reply_recv(viper_handle_t h, struct viper_reply_recv *rr,
					       uint32_t flags)
{
	return viper_syscall_fast(VIPER_SYS_CHANNEL_REPLY_RECV, h, (uint64_t)(uintptr_t)rr, flags);
}

/*
 * channel_call with a short message: sends the first `len` bytes of `m`
 * (at most VIPER_SHORT_MSG_BYTES, no handles) and waits without a timeout
 * for the reply, which replaces them. Returns the reply's length.
 */
static inline int64_t viper_channel_call_short(viper_handle_t h, struct viper_short_msg *m,
					       uint64_t len)
{
	return viper_syscall_short(VIPER_SYS_CHANNEL_CALL_SHORT, h, &len, m);
}

/*
 * channel_reply_recv with short messages: answers the call `*token` (0: no
 * reply) with the first `reply_len` bytes of `m`, then waits for the next
 * message, which replaces them. On success *token is the new message's
 * reply token (0: not a call) and *reply_result (if not NULL) what the
 * answered caller got. Returns the new message's length.
 */
static inline int64_t viper_channel_reply_recv_short(viper_handle_t h, uint32_t *token,
						     uint64_t reply_len, struct viper_short_msg *m,
						     int32_t *reply_result)
{
	uint64_t x1 = *token | reply_len << 32;
	int64_t n = viper_syscall_short(VIPER_SYS_CHANNEL_REPLY_RECV_SHORT, h, &x1, m);

	if (n >= 0) {
		*token = (uint32_t)x1;
		if (reply_result)
			*reply_result = (int32_t)(x1 >> 32);
	}
	return n;
}

static inline int64_t viper_channel_notify(viper_handle_t h, uint64_t bits)
{
	return viper_syscall6(VIPER_SYS_CHANNEL_NOTIFY, h, bits, 0, 0, 0, 0);
}

static inline int64_t viper_channel_take_notifications(viper_handle_t h)
{
	return viper_syscall6(VIPER_SYS_CHANNEL_TAKE_NOTIFICATIONS, h, 0, 0, 0, 0, 0);
}

static inline int64_t viper_poll_create(void)
{
	return viper_syscall6(VIPER_SYS_POLL_CREATE, 0, 0, 0, 0, 0, 0);
}

static inline int64_t viper_poll_add(viper_handle_t set, viper_handle_t h, uint32_t signals,
				     uint64_t key)
{
	return viper_syscall6(VIPER_SYS_POLL_ADD, set, h, signals, key, 0, 0);
}

static inline int64_t viper_poll_remove(viper_handle_t set, viper_handle_t h)
{
	return viper_syscall6(VIPER_SYS_POLL_REMOVE, set, h, 0, 0, 0, 0);
}

static inline int64_t viper_poll_wait(viper_handle_t set, struct viper_poll_event *events,
				      uint64_t max, int64_t timeout_ns)
{
	return viper_syscall6(VIPER_SYS_POLL_WAIT, set, (uint64_t)(uintptr_t)events, max,
			      (uint64_t)timeout_ns, 0, 0);
}

static inline int64_t viper_memory_create(uint64_t size, uint32_t flags)
{
	return viper_syscall6(VIPER_SYS_MEMORY_CREATE, size, flags, 0, 0, 0, 0);
}

static inline int64_t viper_memory_map(viper_handle_t h, uint64_t offset, uint64_t size,
				       uint32_t prot, uint64_t va)
{
	return viper_syscall6(VIPER_SYS_MEMORY_MAP, h, offset, size, prot, va, 0);
}

static inline int64_t viper_memory_unmap(uint64_t va, uint64_t size)
{
	return viper_syscall6(VIPER_SYS_MEMORY_UNMAP, va, size, 0, 0, 0, 0);
}

static inline int64_t viper_memory_physical(viper_handle_t h, uint64_t offset)
{
	return viper_syscall6(VIPER_SYS_MEMORY_PHYSICAL, h, offset, 0, 0, 0, 0);
}

static inline int64_t viper_device_map(viper_handle_t h, uint64_t offset, uint64_t size,
				       uint32_t prot)
{
	return viper_syscall6(VIPER_SYS_DEVICE_MAP, h, offset, size, prot, 0, 0);
}

static inline int64_t viper_irq_wait(viper_handle_t h, int64_t timeout_ns)
{
	return viper_syscall6(VIPER_SYS_IRQ_WAIT, h, (uint64_t)timeout_ns, 0, 0, 0, 0);
}

static inline int64_t viper_irq_ack(viper_handle_t h)
{
	return viper_syscall6(VIPER_SYS_IRQ_ACK, h, 0, 0, 0, 0, 0);
}

static inline int64_t viper_timer_create(void)
{
	return viper_syscall6(VIPER_SYS_TIMER_CREATE, 0, 0, 0, 0, 0, 0);
}

static inline int64_t viper_timer_set(viper_handle_t h, int64_t deadline_ns, int64_t period_ns)
{
	return viper_syscall6(VIPER_SYS_TIMER_SET, h, (uint64_t)deadline_ns, (uint64_t)period_ns, 0,
			      0, 0);
}

static inline int64_t viper_timer_cancel(viper_handle_t h)
{
	return viper_syscall6(VIPER_SYS_TIMER_CANCEL, h, 0, 0, 0, 0, 0);
}

static inline int64_t viper_process_usage(viper_handle_t h, struct viper_usage *usage)
{
	return viper_syscall6(VIPER_SYS_PROCESS_USAGE, h, (uint64_t)(uintptr_t)usage, 0, 0, 0, 0);
}

/* The caller's own handles, in slot order: up to `max` in `out`; returns how many there are. */
static inline int64_t viper_handle_list(struct viper_handle_entry *out, uint32_t max)
{
	return viper_syscall6(VIPER_SYS_HANDLE_LIST, (uint64_t)(uintptr_t)out, max, 0, 0, 0, 0);
}

static inline int64_t viper_system_info(viper_handle_t h, struct viper_system_info *out)
{
	return viper_syscall6(VIPER_SYS_SYSTEM_INFO, h, (uint64_t)(uintptr_t)out, 0, 0, 0, 0);
}

/* Every process, in creation order: up to `max` in `out`; returns how many there are. */
static inline int64_t viper_system_processes(viper_handle_t h, struct viper_process_entry *out,
					     uint32_t max)
{
	return viper_syscall6(VIPER_SYS_SYSTEM_PROCESSES, h, (uint64_t)(uintptr_t)out, max, 0, 0,
			      0);
}

/* The handles of process `koid`: up to `max` in `out`; returns how many there are. */
static inline int64_t viper_system_handles(viper_handle_t h, uint64_t koid,
					   struct viper_handle_entry *out, uint32_t max)
{
	return viper_syscall6(VIPER_SYS_SYSTEM_HANDLES, h, koid, (uint64_t)(uintptr_t)out, max, 0,
			      0);
}

static inline int64_t viper_system_kill(viper_handle_t h, uint64_t koid)
{
	return viper_syscall6(VIPER_SYS_SYSTEM_KILL, h, koid, 0, 0, 0, 0);
}

static inline int64_t viper_process_set_parent(viper_handle_t child, viper_handle_t parent)
{
	return viper_syscall6(VIPER_SYS_PROCESS_SET_PARENT, child, parent, 0, 0, 0, 0);
}

static inline int64_t viper_memory_clone(viper_handle_t h)
{
	return viper_syscall6(VIPER_SYS_MEMORY_CLONE, h, 0, 0, 0, 0, 0);
}

static inline int64_t viper_thread_set_affinity(viper_handle_t thread, uint32_t cpus)
{
	return viper_syscall6(VIPER_SYS_THREAD_SET_AFFINITY, thread, cpus, 0, 0, 0, 0);
}

static inline int64_t viper_process_spawn_image(viper_handle_t spawn,
						const struct viper_image_spawn *args)
{
	return viper_syscall6(VIPER_SYS_PROCESS_SPAWN_IMAGE, spawn, (uint64_t)(uintptr_t)args, 0, 0,
			      0, 0);
}

#endif
