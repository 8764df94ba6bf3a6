/*
 * Threads, CPUs and the scheduler: 16 priority levels with round-robin time
 * slices inside a level, one run queue shared by all CPUs under the big
 * kernel lock, wait queues with deadlines, and a reaper for dead threads.
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include <arch/boot.h>
#include <arch/trap.h>
#include <kernel/err.h>
#include <kernel/ipc.h>
#include <kernel/object.h>

#define THREAD_STACK_ORDER 2 /* 16 KiB kernel stacks */
#define SLICE_TICKS	   2 /* 20 ms at 100 Hz */
#define PRIORITY_LEVELS	   (VIPER_PRIORITY_MAX + 1)
#define SGI_RESCHEDULE	   1
#define FP_EAGER_SWITCHES  8 /* see fp_first_use */

struct process;
struct cap;
struct aspace;

/* Callee-saved state kept across cpu_switch (context.S). */
struct cpu_context {
	uint64_t x19_x28[10];
	uint64_t fp; /* x29 */
	uint64_t lr; /* x30 */
	uint64_t sp;
};

/* FP/SIMD registers, saved eagerly on every switch between threads. */
struct fp_state {
	uint64_t q[64];
	uint64_t fpcr;
	uint64_t fpsr;
};

enum thread_state {
	THREAD_NEW,
	THREAD_RUNNABLE,
	THREAD_RUNNING,
	THREAD_BLOCKED,
	THREAD_DEAD,
};

/*
 * A thread's channel_call. Its request travels in `msg` (no allocation per
 * call); once the server took it, the reply comes back in the same `msg`.
 */
struct call_wait {
	struct message msg;
	struct channel *channel; /* where the request went; referenced during the call */
	struct message *pending; /* &msg while queued and not yet received */
	struct process *server;	 /* holds our reply token */
	unsigned token_index;
	uint64_t reply_bytes; /* user buffers for the reply, in our address space */
	uint32_t reply_capacity;
	uint64_t reply_handles;
	uint32_t reply_handle_capacity;
	uint64_t call_ptr; /* the struct viper_call, for its info */
	bool in_regs;	   /* channel_call_short: the reply goes to registers x2-x7 */
	err_t result;	   /* VIPER_OK: the reply is in msg, or was delivered */
	int64_t delivered; /* >= 0: the fast path wrote a reply of this length */
	bool done;
};

/*
 * A thread parked in channel receive: where a message the call fast path
 * hands it straight goes (see receive in syscall.c).
 */
struct recv_wait {
	struct channel *channel; /* NULL when not parked */
	uint64_t buf;
	uint64_t capacity;
	uint64_t out; /* the receipt: info, preceded by reply_result when with_result */
	bool with_result;
	bool in_regs; /* a short receive: the message goes to registers x1-x7 */
	err_t reply_result;
	int64_t delivered; /* >= 0: a request of this length was delivered */
};

struct thread {
	struct kobject obj;
	struct cpu_context ctx;
	struct fp_state fp;
	bool fp_live;	  /* the CPU's FP/SIMD registers hold this thread's state */
	uint8_t fp_eager; /* switch-ins left that restore them without a trap */
	uint64_t tpidr_el0;
	struct process *process;  /* NULL for idle threads */
	uint64_t kstack;	  /* physical, 2^THREAD_STACK_ORDER pages */
	struct trap_frame *frame; /* user state, top of the kernel stack */
	enum thread_state state;
	unsigned priority;
	unsigned cpu; /* where it runs or ran last */
	int slice;

	struct thread *rq_next; /* run queue */

	struct waitq *waiting_on; /* wait queue links */
	struct thread *wq_next;
	struct thread *wq_prev;
	err_t wake_result;
	uint64_t deadline; /* ns; 0 when the wait has none */
	struct thread *timeout_next;
	bool on_timeout_list;
	struct cap *wait_cap; /* the handle the wait came through */

	struct thread *process_next; /* threads of one process */
	struct thread *all_next;     /* every thread */
	struct thread *reap_next;
	int64_t exit_status;
	struct call_wait call;
	struct recv_wait recv;
	void (*kentry)(void *); /* kernel threads: what they run */
	void *karg;
};

struct cpu {
	unsigned index;
	struct thread *current;
	struct thread *idle;
	bool need_resched;
	bool online;
	uint64_t user_root; /* TTBR0 root currently installed */
	uint16_t user_asid;
	const struct aspace *user_as; /* whose it is; NULL for none */
};

extern struct cpu cpus[MAX_CPUS];

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

/*
 * A new thread of `p` that will enter user space at `entry` with stack `sp`
 * and x0 = `arg`, made runnable by thread_start. NULL without memory.
 */
struct thread *thread_create(struct process *p, uint64_t entry, uint64_t sp, uint64_t arg,
			     unsigned priority);
void thread_start(struct thread *t);
/* Makes a blocked or new thread runnable. */
void thread_wake(struct thread *t, err_t result);
/* Gives up the CPU; the caller stays runnable. */
void sched_yield(void);
/* Switches away when a higher-priority thread waits or the slice ended. */
void sched_preempt_point(void);
/* Ends the calling thread; never returns. */
_Noreturn void thread_exit_current(int64_t status);
/* Drops a thread that never ran from the scheduler's lists (a failed spawn). */
void thread_forget(struct thread *t);
/* CPUs running the scheduler. */
unsigned sched_cpu_count(void);
/* Changes a thread's priority, moving it in the run queue. */
void thread_set_priority(struct thread *t, unsigned priority);

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
/* Wakes every thread on `q` with `result`. */
void waitq_wake_all(struct waitq *q, err_t result);
/* Wakes the threads blocked through `cap` with VIPER_E_CLOSED. */
void sched_cancel_waits(struct cap *cap);

/* Absolute deadline for a relative timeout (VIPER_TIMEOUT_NONE -> 0 = none). */
uint64_t deadline_after(int64_t timeout_ns);

#endif
