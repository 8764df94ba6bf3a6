/*
 * How a kernel-placed component makes a system call: straight into the
 * kernel's dispatcher on its kernel thread (kthread_syscall in
 * platform/kernel/src/kthread.c), with the same arguments and results as svc
 * from a process. Replaces platform/user's header of the same name in
 * kernel builds, so viper/syscall.h serves both.
 */
#ifndef VIPER_SYSCALL_TRAP_H
#define VIPER_SYSCALL_TRAP_H

#include <stdint.h>

int64_t kthread_syscall(uint64_t n, const uint64_t args[6]);
int64_t kthread_syscall_short(uint64_t n, uint64_t a0, uint64_t *x1, uint64_t words[16]);

static inline int64_t viper_syscall6(uint64_t n, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
				     uint64_t a4, uint64_t a5)
{
	const uint64_t args[6] = {a0, a1, a2, a3, a4, a5};

	return kthread_syscall(n, args);
}

/* The IPC fast path's calls with buffers (svc #19 and #37 in a process). */
#define viper_syscall_fast(n, a0, a1, a2) viper_syscall6(n, a0, a1, a2, 0, 0, 0)

/* The short-message calls: x1 and the message's words (x2-x17) in and out. */
#define viper_syscall_short(n, a0, a1, m) viper_syscall_short_##n(a0, a1, m)

_Static_assert(VIPER_SHORT_MSG_BYTES == 16 * 8, "x2-x17");

static inline int64_t viper_syscall_short_VIPER_SYS_CHANNEL_CALL_SHORT(uint64_t a0, uint64_t *a1,
								       struct viper_short_msg *m)
{
	return kthread_syscall_short(VIPER_SYS_CHANNEL_CALL_SHORT, a0, a1, m->words);
}

static inline int64_t
viper_syscall_short_VIPER_SYS_CHANNEL_REPLY_RECV_SHORT(uint64_t a0, uint64_t *a1,
						       struct viper_short_msg *m)
{
	return kthread_syscall_short(VIPER_SYS_CHANNEL_REPLY_RECV_SHORT, a0, a1, m->words);
}

#endif
