/*
 * Threads (VIPER_OBJ_THREAD): a kernel stack with the user state saved on
 * it, the callee-saved state kept across a switch, FP/SIMD state, and the
 * state of the call or receive it is in. A thread belongs to one process
 * (kernel threads to the kernel process, idle threads to none); it ends
 * when it exits or its process dies, and its stack is freed by the next
 * thread to run on that CPU (the reaper). The scheduler is kernel/sched.h.
 * Under the big kernel lock.
 */
#ifndef KERNEL_THREAD_H
#define KERNEL_THREAD_H

#include <stdbool.h>
#include <stdint.h>

#include <arch/trap.h>
#include <kernel/call.h>
#include <kernel/deadline_wheel.h>
#include <kernel/err.h>
#include <kernel/kernel_stack.h>
#include <kernel/object.h>
#include <kernel/quota.h>
#include <kernel/run_queue.h>

#define THREAD_STACK_SIZE KSTACK_SIZE /* 16 KiB kernel stacks, each above a guard */
#define FP_EAGER_SWITCHES 8	      /* see fp_first_use */

struct process;
struct cap;

/* Callee-saved state kept across cpu_switch (context.S). */
struct cpu_context {
	uint64_t x19_x28[10];
	uint64_t fp; /* x29 */
	uint64_t lr; /* x30 */
	uint64_t sp;
};

/* FP/SIMD registers, saved at a switch when the thread used them (see fp_first_use). */
struct fp_state {
	uint64_t q[64];
	uint64_t fpcr;
	uint64_t fpsr;
};

/* How a blocked thread resumes (see kernel/call.h, the IPC fast path). */
enum thread_resume {
	RESUME_CONTEXT = 0, /* its saved context: where it called cpu_switch */
	RESUME_CALL = 1,    /* from its frame alone, finishing its call (channel_call[_short]) */
	RESUME_RECV = 2,    /* from its frame alone, finishing channel_reply_recv[_short] */
};

enum thread_state {
	THREAD_NEW,
	THREAD_RUNNABLE,
	THREAD_RUNNING,
	THREAD_BLOCKED,
	THREAD_DEAD,
};

struct thread {
	struct kobject obj;
	struct cpu_context ctx;
	struct fp_state fp;
	bool fp_live;	  /* the CPU's FP/SIMD registers hold this thread's state */
	uint8_t fp_eager; /* switch-ins left that restore them without a trap */
	uint64_t tpidr_el0;
	struct process *process;    /* NULL for idle threads */
	struct kernel_stack kstack; /* an idle thread's is its CPU's boot stack */
	struct trap_frame *frame;   /* user state, top of the kernel stack */
	/*
	 * Where the thread's short messages are (kernel/call.h, short_regs):
	 * its frame's x2-x17, or during a kernel thread's short-message call
	 * the words it passed (kthread_syscall_short), so none are copied.
	 */
	uint64_t *short_words;
	enum thread_state state;
	uint8_t resume; /* enum thread_resume, while blocked */
	unsigned priority;
	unsigned cpu; /* where it runs or ran last */
	int slice;

	struct rq_link rq; /* in its CPU's run queue while runnable */
	uint32_t affinity; /* CPUs it may run on, a bit each; 0: any */

	struct waitq *waiting_on; /* wait queue links */
	struct thread *wq_next;
	struct thread *wq_prev;
	err_t wake_result;
	struct deadline_entry timeout; /* queued while the wait has a deadline */
	struct cap *wait_cap;	       /* the handle the wait came through */
	struct thread *cap_next;       /* the other threads waiting through it */
	struct thread *cap_prev;

	struct thread *process_next; /* threads of one process */
	struct thread *reap_next;
	int64_t exit_status;
	struct call_wait call;
	struct recv_wait recv;
	void (*kentry)(void *); /* kernel threads: what they run */
	void *karg;
	struct mem_account *account; /* pays for the thread and its kernel stack */
};

/* Registers the thread kind with the object layer (at boot). */
void thread_register(void);

/*
 * A new thread of `p` that will enter user space at `entry` with stack `sp`
 * and x0 = `arg`, made runnable by thread_start. It and its kernel stack
 * are charged to p's memory account: VIPER_E_LIMIT when they do not fit,
 * VIPER_E_NOMEM without memory. The caller links it into its process
 * (process_add_thread) or frees it (thread_discard).
 */
MUST_CHECK err_t thread_create(struct process *p, uint64_t entry, uint64_t sp, uint64_t arg,
			       unsigned priority, struct thread **out);
/* Makes a new thread runnable. */
void thread_start(struct thread *t);
/* Frees a thread that never ran (a failed spawn or thread_create call). */
void thread_discard(struct thread *t);
/* Ends the calling thread; never returns. */
_Noreturn void thread_exit_current(int64_t status);
/* Frees the stacks of threads that ended (called after every switch that finds some). */
void thread_reap(void);
extern struct thread *thread_reap_list; /* the ended threads thread_reap frees */
/* True once the thread has ended. */
static inline bool thread_ended(const struct thread *t)
{
	return t->state == THREAD_DEAD;
}

#endif
