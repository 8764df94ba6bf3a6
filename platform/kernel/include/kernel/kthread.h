/*
 * Kernel threads: the threads of kernel-placed components. They belong to
 * the kernel process (kernel_process in kernel/process.h), run at EL1 with
 * interrupts on and the big kernel lock released, and use the system calls
 * through kthread_syscall exactly as a user thread does through svc: the
 * same checks, the same channels, with kernel pointers for user pointers.
 * They are never preempted in component code; a system call is their
 * preemption point. They never exit.
 */
#ifndef KERNEL_KTHREAD_H
#define KERNEL_KTHREAD_H

#include <stdint.h>

#include <kernel/sched.h>

/* Creates a kernel thread running fn(arg); thread_start runs it. NULL: no memory. */
struct thread *kthread_create(void (*fn)(void *), void *arg, unsigned priority);

/*
 * System call `n` from a kernel thread: args in x0-x5; returns x0. A caller
 * holding the big lock (a kernel-placed instance's init, say) gets
 * VIPER_E_UNSUPPORTED: the call would take the lock again, and it cannot
 * block there anyway.
 */
int64_t kthread_syscall(uint64_t n, const uint64_t args[6]);

/*
 * Short-message call `n` (channel_call_short or channel_reply_recv_short)
 * from a kernel thread: x0 = a0, x1 = *x1 both ways, and the message in
 * `words`, where the kernel reads it and writes the one received (they
 * stand for x2-x17: the thread's short_words during the call).
 */
int64_t kthread_syscall_short(uint64_t n, uint64_t a0, uint64_t *x1, uint64_t words[16]);

#endif
