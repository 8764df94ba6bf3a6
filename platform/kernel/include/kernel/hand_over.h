/*
 * The hand-over after an IPC fast path (seL4's fastpath; syscall_fast_entry
 * in syscalls/channel.c decodes, kernel/call.h delivers): once call_fast
 * gave a request to a waiting server, or reply_fast a reply to a waiting
 * caller, the calling thread blocks keeping nothing of its kernel stack (its
 * entry saved every register in its frame) and this CPU switches to the
 * partner at once, with no run-queue trip. A partner that blocked the same
 * way has its system call finished there and then (its result in its
 * frame) and goes straight back to user space. A thread blocked so resumes,
 * however it is woken, in fast_resume, which finishes its call (the general
 * path does the rest when it was woken for another reason). Inline: the
 * round trip is counted in instructions. Under the big lock.
 */
#ifndef KERNEL_HAND_OVER_H
#define KERNEL_HAND_OVER_H

#include <kernel/call.h>
#include <kernel/channel.h>
#include <kernel/process.h>
#include <kernel/sched.h>
#include <kernel/thread.h>

/*
 * The calling thread waits for the reply to the request it gave `srv`,
 * which runs here now (the caller checked sched_can_hand_to). Never returns.
 */
static inline __attribute__((always_inline, noreturn)) void hand_over_call(struct thread *srv)
{
	if (srv->resume == RESUME_RECV && !srv->process->dying) {
		/* It blocked in a reply hand-over: its receive is finished now. */
		srv->frame->x[0] = (uint64_t)srv->recv.delivered;
		sched_handoff_direct(NULL, NULL, srv, RESUME_CALL);
	}
	sched_handoff_parked(NULL, NULL, srv, RESUME_CALL); /* fast_resume goes on */
}

/*
 * After the calling thread answered `caller`, which runs here now (checked
 * as above): the calling thread waits on `c`, a receive end of `ch` whose
 * queue is empty, for the next message, to be delivered as its recv.rq
 * says. Never returns.
 */
static inline __attribute__((always_inline, noreturn)) void
hand_over_reply(struct cap *c, struct channel *ch, struct thread *caller)
{
	struct recv_wait *rw = &current_thread()->recv;

	rw->delivered = -1;
	rw->channel = ch;
	if (caller->resume == RESUME_CALL && !caller->process->dying) {
		/* It blocked in a call hand-over: its call is finished now. */
		caller->frame->x[0] = (uint64_t)caller->call.delivered;
		sched_handoff_direct(&ch->recv_end.waiters, c, caller, RESUME_RECV);
	}
	sched_handoff_parked(&ch->recv_end.waiters, c, caller, RESUME_RECV);
}

/*
 * Where a thread blocked by a hand-over resumes (vectors.S): finishes its
 * call (syscalls/channel.c), puts the result in its frame and returns to
 * user space like any system call. Holds the big lock on entry.
 */
void fast_resume(void);

#endif
