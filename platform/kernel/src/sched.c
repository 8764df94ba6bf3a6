/* The scheduler: run queue, switching, waits and the tick (kernel/sched.h). */
#include <kernel/sched.h>

#include <arch/gic.h>
#include <arch/mmu.h>
#include <arch/sysreg.h>
#include <arch/timer.h>
#include <kernel/aspace.h>
#include <kernel/channel.h>
#include <kernel/clock.h>
#include <kernel/deadline_wheel.h>
#include <kernel/handle.h>
#include <kernel/irq_table.h>
#include <kernel/kmalloc.h>
#include <kernel/lock.h>
#include <kernel/panic.h>
#include <kernel/process.h>
#include <kernel/timer_object.h>

struct cpu cpus[MAX_CPUS];

struct spinlock big_lock;
volatile int big_lock_owner = -1;

static struct deadline_wheel timeouts;
static unsigned cpus_online;
static uint32_t online_mask;

bool sched_running(void)
{
	return this_cpu()->idle != NULL;
}

uint32_t sched_cpus_online_mask(void)
{
	return online_mask;
}

/* Run queues and placement. */

static struct thread *thread_of(struct rq_link *l)
{
	return container_of(l, struct thread, rq);
}

/* True when `t` may run on `c`: it is online and in t's affinity (0: any CPU). */
static bool allowed_on(const struct thread *t, const struct cpu *c)
{
	return c->online && (!t->affinity || (t->affinity & (1u << c->index)));
}

/*
 * How busy `c` is: the threads queued there and the one it runs, unless
 * that one is blocking (a waker that waits next leaves its CPU free).
 */
static unsigned load_of(const struct cpu *c)
{
	return c->rq.count + (c->current != c->idle && c->current->state == THREAD_RUNNING);
}

/* Queues `t` (runnable) on `c`. */
static void enqueue_on(struct cpu *c, struct thread *t)
{
	t->cpu = c->index;
	run_queue_push(&c->rq, &t->rq, t->priority);
}

static void dequeue(struct thread *t)
{
	if (t->rq.queued)
		run_queue_remove(&cpus[t->cpu].rq, &t->rq);
}

/*
 * Where a thread that becomes runnable goes: the calling CPU (which woke
 * it) unless that CPU is busier than the one it ran on last, so partners
 * that hand work back and forth stay together and their caches warm; else
 * that one; else the least busy CPU it may run on.
 */
static struct cpu *place(const struct thread *t)
{
	struct cpu *self = this_cpu(), *last = &cpus[t->cpu % MAX_CPUS], *best = NULL;

	if (allowed_on(t, self) && (!allowed_on(t, last) || load_of(self) <= load_of(last)))
		return self;
	if (allowed_on(t, last))
		return last;
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		if (allowed_on(t, &cpus[i]) && (!best || load_of(&cpus[i]) < load_of(best)))
			best = &cpus[i];
	}
	return best ? best : self;
}

/* An idle CPU other than `except` that `t` may run on, to take it; NULL when none. */
static struct cpu *idle_cpu_for(const struct thread *t, const struct cpu *except)
{
	if (cpus_online == 1)
		return NULL;
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		struct cpu *c = &cpus[i];
		if (c != except && allowed_on(t, c) && c->current == c->idle && c->rq.count == 0)
			return c;
	}
	return NULL;
}

/* Tells CPU `c` to look at its run queue (need_resched here, an interrupt elsewhere). */
static void poke(struct cpu *c)
{
	if (c == this_cpu())
		c->need_resched = true;
	else
		gic_send_sgi(c->index, SGI_RESCHEDULE);
}

/*
 * Makes runnable thread `t` run somewhere: queued where place() says, the
 * CPU told when it should switch (idle, or running lower work), and an idle
 * CPU told when `t` waits behind other work, so it takes it.
 */
static void make_ready(struct thread *t)
{
	struct cpu *c = place(t), *idle;

	enqueue_on(c, t);
	if (c->current == c->idle || t->priority > c->current->priority)
		poke(c);
	else if ((idle = idle_cpu_for(t, c)))
		poke(idle);
}

/* Timeouts: the deadlines of blocked threads, checked on the tick. */

static void timeout_fire(struct deadline_entry *e, void *ctx)
{
	(void)ctx;
	thread_wake(container_of(e, struct thread, timeout), VIPER_E_TIMEOUT);
}

uint64_t deadline_after(int64_t timeout_ns)
{
	uint64_t now;

	if (timeout_ns < 0)
		return 0;
	now = timer_now_ns();
	if ((uint64_t)timeout_ns > UINT64_MAX - now)
		return UINT64_MAX;
	return now + (uint64_t)timeout_ns + (timeout_ns == 0);
}

/* Switching. */

void cpu_set_stack(struct cpu *c, uint64_t bottom)
{
	c->stack_limit = bottom + sizeof(struct trap_frame);
}

void cpu_use_aspace(const struct aspace *as)
{
	aspace_install(this_cpu(), as);
}

/*
 * The user state of thread `prev` leaves the CPU: its FP/SIMD registers,
 * saved only if it used them since it was switched in, and its TLS register.
 */
static inline __attribute__((always_inline)) void user_state_out(struct thread *prev)
{
	if (prev->fp_live) {
		fp_save(&prev->fp);
		prev->fp_live = false;
		fp_trap_user(true);
	}
	prev->tpidr_el0 = read_sysreg(tpidr_el0);
}

/* The user state of thread `next` comes in: its TLS register, its FP/SIMD registers if eager. */
static inline __attribute__((always_inline)) void user_state_in(struct thread *next)
{
	write_sysreg(tpidr_el0, next->tpidr_el0);
	if (next->fp_eager) {
		next->fp_eager--;
		fp_trap_user(false);
		fp_restore(&next->fp);
		next->fp_live = true;
	}
}

/* The end of a switch to `next` on CPU `c`, its address space installed: its stack, its state. */
static inline __attribute__((always_inline)) void switch_finish(struct cpu *c, struct thread *next)
{
	cpu_set_stack(c, next->kstack.bottom);
	next->state = THREAD_RUNNING;
	next->cpu = c->index;
	if (next->slice <= 0)
		next->slice = SLICE_TICKS;
	c->current = next;
}

/* Whether `t` runs in user space, so has user state (kernel threads and idle threads have none). */
static inline bool has_user_state(const struct thread *t)
{
	return t->process && !t->kentry;
}

/* Makes `next` the thread of CPU `c` in place of `prev`: its FP/SIMD, TLS, address space, stack. */
static inline __attribute__((always_inline)) void switch_state(struct cpu *c, struct thread *prev,
							       struct thread *next)
{
	c->need_resched = false;
	if (has_user_state(prev))
		user_state_out(prev);
	if (has_user_state(next))
		user_state_in(next);
	aspace_install(c, next->process ? &next->process->as : NULL);
	switch_finish(c, next);
}

static void switch_to(struct thread *next)
{
	struct cpu *c = this_cpu();
	struct thread *prev = c->current;

	if (next == prev) {
		c->need_resched = false;
		next->state = THREAD_RUNNING;
		return;
	}
	switch_state(c, prev, next);
	cpu_switch(&prev->ctx, &next->ctx);
	if (thread_reap_list)
		thread_reap();
}

void fp_trap_user(bool trap)
{
	/* CPACR_EL1.FPEN: 0b01 traps EL0's FP/SIMD use, 0b11 traps nothing. */
	write_sysreg(cpacr_el1, trap ? (1u << 20) : (3u << 20));
	isb();
}

void fp_first_use(void)
{
	struct thread *t = current_thread();

	fp_trap_user(false);
	fp_restore(&t->fp);
	t->fp_live = true;
	/*
	 * A thread that uses FP/SIMD now will likely do so after its next
	 * switches too: restore it at switch-in for a while instead of trapping.
	 * It traps again, and re-arms this, if it still uses it afterwards.
	 */
	t->fp_eager = FP_EAGER_SWITCHES;
}

void schedule(void)
{
	struct cpu *c = this_cpu();
	struct rq_link *l = run_queue_pop(&c->rq);

	switch_to(l ? thread_of(l) : c->idle);
}

/* Takes a blocked or new thread off its wait queue and timeout list. */
/* Blocks thread `t` on `q` (NULL: none) through capability `via` (NULL: none). */
static inline __attribute__((always_inline)) void join_waits(struct thread *t, struct waitq *q,
							     struct cap *via)
{
	t->state = THREAD_BLOCKED;
	t->waiting_on = q;
	t->wq_next = NULL;
	t->wq_prev = q ? q->tail : NULL;
	if (q) {
		if (q->tail)
			q->tail->wq_next = t;
		else
			q->head = t;
		q->tail = t;
	}
	t->wait_cap = via;
	if (via) {
		/* The wait belongs to the capability: its death wakes exactly these. */
		t->cap_prev = NULL;
		t->cap_next = via->waiters;
		if (via->waiters)
			via->waiters->cap_prev = t;
		via->waiters = t;
	}
	t->wake_result = VIPER_OK;
}

/* Takes blocked thread `t` off its wait queue and its capability's waiters. */
static inline void leave_waits(struct thread *t)
{
	if (t->waiting_on) {
		struct waitq *q = t->waiting_on;
		if (t->wq_prev)
			t->wq_prev->wq_next = t->wq_next;
		else
			q->head = t->wq_next;
		if (t->wq_next)
			t->wq_next->wq_prev = t->wq_prev;
		else
			q->tail = t->wq_prev;
		t->waiting_on = NULL;
		t->wq_next = t->wq_prev = NULL;
	}
	if (t->wait_cap) {
		if (t->cap_prev)
			t->cap_prev->cap_next = t->cap_next;
		else
			t->wait_cap->waiters = t->cap_next;
		if (t->cap_next)
			t->cap_next->cap_prev = t->cap_prev;
		t->cap_next = t->cap_prev = NULL;
		t->wait_cap = NULL;
	}
}

static void unblock(struct thread *t, err_t result)
{
	leave_waits(t);
	if (t->timeout.queued) /* deadline_wheel_remove's own test, without the call */
		deadline_wheel_remove(&timeouts, &t->timeout);
	t->wake_result = result;
	t->state = THREAD_RUNNABLE;
}

void thread_wake(struct thread *t, err_t result)
{
	if (t->state != THREAD_BLOCKED && t->state != THREAD_NEW)
		return;
	unblock(t, result);
	make_ready(t);
}

err_t wait_on_then_run(struct waitq *q, uint64_t deadline, struct cap *via, struct thread *next)
{
	struct thread *t = current_thread();

	if (t->process && t->process->dying) {
		if (next)
			thread_wake(next, VIPER_OK);
		cpu_use_aspace(&t->process->as); /* an IPC fast path may have left another */
		return VIPER_E_CLOSED;
	}
	join_waits(t, q, via);
	if (deadline) {
		t->timeout.deadline = deadline;
		deadline_wheel_add(&timeouts, &t->timeout);
	}
	if (next && next->state == THREAD_BLOCKED && sched_can_hand_to(next)) {
		/* Direct handoff: `next` runs now, without a trip through the run queue. */
		unblock(next, VIPER_OK);
		switch_to(next);
	} else {
		if (next)
			thread_wake(next, VIPER_OK);
		schedule();
	}
	return t->wake_result;
}

/* context.S: where a thread parked by sched_handoff_parked resumes. */
void fast_resume_entry(void);

/* Blocks the calling thread on `q` through `via`, keeping only its frame (see
 * sched_handoff_parked). */
static inline struct thread *park(struct cpu *c, struct waitq *q, struct cap *via, unsigned resume)
{
	struct thread *t = c->current;

	join_waits(t, q, via);
	/* Nothing of this kernel stack is needed again: it resumes from its frame. */
	t->resume = (uint8_t)resume;
	t->ctx.sp = (uint64_t)(uintptr_t)t->frame;
	t->ctx.lr = (uint64_t)(uintptr_t)fast_resume_entry;
	return t;
}

void sched_handoff_parked(struct waitq *q, struct cap *via, struct thread *next, unsigned resume)
{
	struct cpu *c = this_cpu();
	struct thread *t = park(c, q, via, resume);

	unblock(next, VIPER_OK);
	switch_state(c, t, next);
	cpu_load(&next->ctx);
}

void sched_handoff_direct(struct waitq *q, struct cap *via, struct thread *next, unsigned resume)
{
	struct cpu *c = this_cpu();
	struct thread *t = park(c, q, via, resume);
	uint64_t ttbr;

	/* Parked, `next` has no deadline; both are user threads. */
	leave_waits(next);
	next->wake_result = VIPER_OK;
	next->resume = RESUME_CONTEXT;
	c->need_resched = false;
	user_state_out(t);
	user_state_in(next);
	ttbr = aspace_install_on_exit(c, &next->process->as);
	switch_finish(c, next);
	fast_exit_to(next->frame, ttbr);
}

void sched_wait_and_exit_to(struct waitq *q, struct cap *via, struct thread *next)
{
	struct cpu *c = this_cpu();
	struct thread *t = c->current;
	uint64_t ttbr;

	join_waits(t, q, via);
	leave_waits(next);
	next->wake_result = VIPER_OK;
	next->resume = RESUME_CONTEXT;
	c->need_resched = false;
	user_state_in(next); /* a kernel thread has none to save */
	ttbr = aspace_install_on_exit(c, &next->process->as);
	switch_finish(c, next);
	cpu_switch_to_frame(&t->ctx, next->frame, ttbr);
	if (thread_reap_list)
		thread_reap();
}

err_t wait_on(struct waitq *q, uint64_t deadline, struct cap *via)
{
	return wait_on_then_run(q, deadline, via, NULL);
}

void waitq_wake_all(struct waitq *q, err_t result)
{
	while (q->head)
		thread_wake(q->head, result);
}

void sched_cancel_waits(struct cap *cap)
{
	while (cap->waiters)
		thread_wake(cap->waiters, VIPER_E_CLOSED);
}

void sched_yield(void)
{
	struct cpu *c = this_cpu();
	struct thread *t = c->current;

	t->state = THREAD_RUNNABLE;
	if (allowed_on(t, c)) {
		enqueue_on(c, t); /* behind the others of its level here */
	} else {
		struct cpu *to = place(t); /* pinned elsewhere since it started running */
		enqueue_on(to, t);
		poke(to);
	}
	schedule();
}

void sched_preempt_point(void)
{
	struct cpu *c = this_cpu();
	struct thread *t = c->current;
	int top = run_queue_top(&c->rq);

	if (!c->need_resched || t == c->idle) {
		c->need_resched = false;
		return;
	}
	c->need_resched = false;
	if (top > (int)t->priority || (top == (int)t->priority && t->slice <= 0) ||
	    !allowed_on(t, c))
		sched_yield();
}

void sched_tick(void)
{
	struct cpu *c = this_cpu();
	uint64_t now;

	if (!sched_running())
		return;
	now = timer_now_ns();
	deadline_wheel_expire(&timeouts, now, timeout_fire, NULL);
	timer_object_expire(now);
	if (c->current != c->idle && --c->current->slice <= 0)
		c->need_resched = true;
}

static void resched_irq(void *ctx)
{
	(void)ctx;
	this_cpu()->need_resched = true;
}

err_t sched_init_cpu(unsigned index)
{
	struct cpu *c = &cpus[index];
	struct thread *idle = kmalloc(sizeof(*idle));

	if (!idle)
		return VIPER_E_NOMEM;
	kobject_init(&idle->obj, VIPER_OBJ_THREAD);
	idle->kstack.bottom = (uint64_t)(uintptr_t)boot_stacks[index].stack;
	idle->state = THREAD_RUNNING;
	idle->cpu = index;
	run_queue_init(&c->rq);
	c->idle = idle;
	c->current = idle;
	fp_trap_user(true);
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	cpus_online++;
	online_mask |= 1u << index;
	if (index == 0) {
		err_t err;
		deadline_wheel_init(&timeouts, 1000000000ull / CLOCK_HZ, timer_now_ns());
		err = irq_set_handler(SGI_RESCHEDULE, resched_irq, NULL);
		if (err)
			return err;
	}
	return gic_enable(SGI_RESCHEDULE);
}

static bool runs_here(const struct rq_link *l, const void *cpu)
{
	return allowed_on(container_of(l, struct thread, rq), cpu);
}

/*
 * An idle CPU's work from elsewhere: the most urgent thread waiting on the
 * busiest other CPU that may run here (the first of each level is looked
 * at, so this costs at most a pass over the CPUs and the levels).
 */
static struct thread *steal(struct cpu *self)
{
	struct cpu *busiest = NULL;
	struct rq_link *l;

	for (unsigned i = 0; i < MAX_CPUS; i++) {
		struct cpu *c = &cpus[i];
		if (c != self && c->online && c->rq.count &&
		    (!busiest || c->rq.count > busiest->rq.count))
			busiest = c;
	}
	if (!busiest || !(l = run_queue_first_fit(&busiest->rq, runs_here, self)))
		return NULL;
	run_queue_remove(&busiest->rq, l);
	return thread_of(l);
}

void sched_idle(void)
{
	struct cpu *c = this_cpu();

	for (;;) {
		struct thread *t;
		if (c->rq.count) {
			schedule();
			continue;
		}
		if ((t = steal(c))) {
			switch_to(t);
			continue;
		}
		channel_collect_if_due(); /* a safe point: nothing is half done here */
		if (c->rq.count)
			continue;
		kernel_unlock();
		irq_enable_local();
		wfi();
		irq_disable_local();
		kernel_lock();
	}
}

void thread_set_priority(struct thread *t, unsigned priority)
{
	if (t->rq.queued) {
		struct cpu *c = &cpus[t->cpu];
		run_queue_remove(&c->rq, &t->rq);
		t->priority = priority;
		enqueue_on(c, t);
	} else {
		t->priority = priority;
	}
	this_cpu()->need_resched = true;
}

void thread_set_affinity(struct thread *t, uint32_t mask)
{
	t->affinity = mask;
	if (t->rq.queued && !allowed_on(t, &cpus[t->cpu])) {
		dequeue(t);
		make_ready(t);
	} else if (t->state == THREAD_RUNNING && !allowed_on(t, &cpus[t->cpu])) {
		poke(&cpus[t->cpu]); /* it moves at its next exit from the kernel */
	}
}

unsigned sched_cpu_count(void)
{
	return cpus_online;
}
