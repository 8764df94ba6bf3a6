/*
 * The scheduler: 16 priority levels with round-robin time slices inside a
 * level, a run queue per CPU (kernel/run_queue.h), wait queues with
 * deadlines, and thread switching (address space, TLS register, lazy
 * FP/SIMD state). A woken thread is queued on the waker's CPU unless that
 * CPU is busier than the one it ran on last (IPC partners stay together);
 * an idle CPU takes work queued on a busy one; a thread may be pinned to a
 * set of CPUs (thread_set_affinity). All of it under the big kernel lock;
 * nothing here walks every thread. Threads themselves are kernel/thread.h.
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <arch/boot.h>
#include <kernel/err.h>
#include <kernel/object.h>
#include <kernel/run_queue.h>
#include <kernel/thread.h>

#define SLICE_TICKS	2 /* 20 ms at 100 Hz */
#define PRIORITY_LEVELS (VIPER_PRIORITY_MAX + 1)
#define SGI_RESCHEDULE	1

struct cap;
struct aspace;

struct cpu {
	unsigned index;
	uint64_t stack_limit;  /* CPU_STACK_LIMIT: current stack's bottom + a trap frame */
	uint64_t emergency_sp; /* CPU_EMERGENCY_SP: for reporting an overflow */
	struct thread *current;
	struct thread *idle;
	struct run_queue rq; /* its runnable threads */
	bool need_resched;
	bool online;
	uint64_t user_root; /* TTBR0 root currently installed */
	uint16_t user_asid;
	const struct aspace *user_as; /* whose it is; NULL for none */
};

extern struct cpu cpus[MAX_CPUS];

_Static_assert(offsetof(struct cpu, stack_limit) == CPU_STACK_LIMIT, "vectors.S reads it");
_Static_assert(offsetof(struct cpu, emergency_sp) == CPU_EMERGENCY_SP, "vectors.S reads it");

/* Where the vectors find an overflow: a trap frame must fit above `bottom`. */
void cpu_set_stack(struct cpu *c, uint64_t bottom);

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;

	__asm__ volatile("mrs %0, tpidr_el1" : "=r"(c));
	return c;
}

static inline struct thread *current_thread(void)
{
	return this_cpu()->current;
}

/*
 * Installs `as` (NULL: none) as this CPU's lower half. Switching threads does
 * this; an IPC fast path does it early to reach the next thread's memory,
 * and must put back the current thread's if it does not switch after all.
 */
void cpu_use_aspace(const struct aspace *as);

/* context.S */
void cpu_switch(struct cpu_context *from, struct cpu_context *to);
void cpu_load(const struct cpu_context *to) __attribute__((noreturn));
void fp_save(struct fp_state *s);
void fp_restore(const struct fp_state *s);
void thread_trampoline(void);

/*
 * Lazy FP/SIMD switching: a thread's registers are restored on its first FP
 * use after a switch (an EL0 trap calls fp_first_use) and saved at the next
 * switch only if it used them.
 */
void fp_trap_user(bool trap);
void fp_first_use(void);

/* Makes the calling CPU schedulable with the boot stack as its idle thread. */
MUST_CHECK err_t sched_init_cpu(unsigned index);
/* The idle loop: runs threads for ever. */
_Noreturn void sched_idle(void);
/* The tick, from the timer interrupt on every CPU. */
void sched_tick(void);
/* True once sched_init_cpu ran on this CPU. */
bool sched_running(void);
/* CPUs running the scheduler. */
unsigned sched_cpu_count(void);

/* Makes a blocked or new thread runnable. */
void thread_wake(struct thread *t, err_t result);
/* Gives up the CPU; the caller stays runnable. */
void sched_yield(void);
/* Switches away when a higher-priority thread waits or the slice ended. */
void sched_preempt_point(void);
/* Switches to the next runnable thread; the caller queued, blocked or ended the current one. */
void schedule(void);
/* Changes a thread's priority, moving it in its run queue. */
void thread_set_priority(struct thread *t, unsigned priority);
/* The CPUs online, a bit each. */
uint32_t sched_cpus_online_mask(void);
/*
 * Pins `t` to the CPUs of `mask` (0: any; some must be online, checked by
 * the caller): a queued thread moves at once, a running one at its next
 * exit from the kernel.
 */
void thread_set_affinity(struct thread *t, uint32_t mask);

/*
 * Blocks the calling thread on `q` (NULL: none, for a thread woken only by
 * name) until woken, the deadline (absolute ns,
 * 0 = none) passes (VIPER_E_TIMEOUT), `via` is closed (VIPER_E_CLOSED) or its
 * process is killed (VIPER_E_CLOSED). Returns the wake result.
 */
err_t wait_on(struct waitq *q, uint64_t deadline, struct cap *via);
/*
 * The same, and `next` (a blocked thread, or NULL) is woken with VIPER_OK.
 * When nothing of higher priority is runnable, this CPU switches straight to
 * it: the IPC fast path hands the CPU from caller to server and back.
 */
err_t wait_on_then_run(struct waitq *q, uint64_t deadline, struct cap *via, struct thread *next);
/*
 * The IPC fast path's hand-over: true when `next` may run on this CPU at
 * once (its affinity allows it and nothing queued here outranks it).
 */
static inline __attribute__((always_inline)) bool sched_can_hand_to(const struct thread *next)
{
	struct cpu *c = this_cpu(); /* online: it runs this */

	return (!next->affinity || (next->affinity & (1u << c->index))) &&
	       (int)next->priority >= run_queue_top(&c->rq);
}

/*
 * The IPC fast path's hand-over: blocks the calling thread on `q` through
 * `via` (as wait_on, without a deadline; its process is not dying, the
 * caller checked) and runs `next`, a blocked thread that sched_can_hand_to
 * accepted, on this CPU at once. The caller keeps no kernel context, only
 * its frame (which holds every register), and resumes by finishing its call
 * in fast_resume, `resume` (enum thread_resume) telling which. Never returns.
 */
_Noreturn void sched_handoff_parked(struct waitq *q, struct cap *via, struct thread *next,
				    unsigned resume);
/*
 * The same when `next` blocked in a hand-over too (a user thread, whose
 * process is not dying) and its call is finished, its result in its frame:
 * this CPU returns to user space as `next` straight away (fast_exit_to in
 * vectors.S), without going through fast_resume.
 */
_Noreturn void sched_handoff_direct(struct waitq *q, struct cap *via, struct thread *next,
				    unsigned resume);
/*
 * A kernel thread's half of a hand-over: it blocks on `q` through `via` (no
 * deadline) and `next`, as for sched_handoff_direct, returns to user space
 * straight away. Returns when the kernel thread is woken (the big lock
 * held), like wait_on.
 */
void sched_wait_and_exit_to(struct waitq *q, struct cap *via, struct thread *next);

/*
 * context.S: saves the calling thread's context in `from` (cpu_switch's
 * first half), then leaves through `frame` as fast_exit_to does. Returns
 * when that context is loaded again.
 */
void cpu_switch_to_frame(struct cpu_context *from, struct trap_frame *frame, uint64_t ttbr);

/*
 * vectors.S: leaves the kernel through `frame` (every register), giving
 * the big lock back and then, unless 0, writing `ttbr` to TTBR0_EL1.
 */
void fast_exit_to(struct trap_frame *frame, uint64_t ttbr) __attribute__((noreturn));

/* Wakes every thread on `q` with `result`. */
void waitq_wake_all(struct waitq *q, err_t result);
/*
 * Wakes the threads blocked through `cap` with VIPER_E_CLOSED: those on its
 * own list of waiters, so a capability's death costs O(its waiters), never
 * a walk over every thread.
 */
void sched_cancel_waits(struct cap *cap);

/* Absolute deadline for a relative timeout (VIPER_TIMEOUT_NONE -> 0 = none). */
uint64_t deadline_after(int64_t timeout_ns);

#endif
