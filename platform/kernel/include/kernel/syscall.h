/* System-call dispatch: the table that docs/syscalls.md and viper/abi.h are checked against. */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

#include <stdint.h>

#include <arch/trap.h>

/*
 * The call a frame makes: the svc immediate, or for svc #0 the number in x8.
 * The short-message calls are svc #38 and #39, since their message fills x8
 * (a kernel thread's frame holds the immediate in esr the same way).
 */
static inline uint64_t syscall_number(const struct trap_frame *frame)
{
	uint64_t imm = frame->esr & 0xffff;

	return imm ? imm : frame->x[8];
}

/* Runs the call syscall_number(frame) with arguments x0-x5; returns the value for x0. */
int64_t syscall_dispatch(struct trap_frame *frame);

/*
 * A system call from user space, the big lock held: runs it, its value
 * into x0, then returns to user space (which drops the lock).
 */
void syscall_run(struct trap_frame *frame);
/* The end of a system call: `value` into x0, then back to user space (dropping the lock). */
void syscall_return(struct trap_frame *frame, int64_t value);

/*
 * The entry of channel_call, channel_reply_recv, their short forms and any
 * other svc with an immediate (vectors.S's svc_fast, whose frame holds every
 * register), `call` being syscall_number(frame): the IPC fast path when it
 * applies (kernel/call.h), else syscall_run.
 */
void syscall_fast_entry(struct trap_frame *frame, uint64_t call);

/*
 * Finishes the call (resume RESUME_CALL) or receive (RESUME_RECV) of thread
 * `t`, which a hand-over blocked and which runs again: its result.
 */
struct thread;
int64_t syscall_finish_handed_over(struct thread *t, unsigned resume);

#endif
