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

static struct thread *runq_head[PRIORITY_LEVELS];
static struct thread *runq_tail[PRIORITY_LEVELS];
static uint32_t runq_bits;
static struct deadline_wheel timeouts;
static unsigned cpus_online;

bool sched_running(void)
{
	return this_cpu()->idle != NULL;
}

/* Run queue. */

static void rq_push(struct thread *t)
{
	unsigned p = t->priority;

	t->rq_next = NULL;
	if (runq_tail[p])
		runq_tail[p]->rq_next = t;
	else
		runq_head[p] = t;
	runq_tail[p] = t;
	runq_bits |= 1u << p;
}

static int rq_top(void)
{
	return runq_bits ? 31 - __builtin_clz(runq_bits) : -1;
}

static struct thread *rq_pop(void)
{
	int p = rq_top();
	struct thread *t;

	if (p < 0)
		return NULL;
	t = runq_head[p];
	runq_head[p] = t->rq_next;
	if (!runq_head[p]) {
		runq_tail[p] = NULL;
		runq_bits &= ~(1u << p);
	}
	t->rq_next = NULL;
	return t;
}

static void rq_remove(struct thread *t)
{
	unsigned p = t->priority;
	struct thread **link = &runq_head[p], *prev = NULL;

	while (*link && *link != t) {
		prev = *link;
		link = &(*link)->rq_next;
	}
	if (!*link)
		return;
	*link = t->rq_next;
	if (runq_tail[p] == t)
		runq_tail[p] = prev;
	if (!runq_head[p])
		runq_bits &= ~(1u << p);
	t->rq_next = NULL;
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

static inline void use_aspace(struct cpu *c, const struct aspace *as)
{
	if (as) {
		if (c->user_root != as->root || c->user_asid != as->asid) {
			mmu_switch_user(as->root, as->asid);
			c->user_root = as->root;
			c->user_asid = as->asid;
		}
	} else if (c->user_root) {
		mmu_switch_user(aspace_empty_root(), 0);
		c->user_root = 0;
		c->user_asid = 0;
	}
	c->user_as = as;
}

void cpu_set_stack(struct cpu *c, uint64_t bottom)
{
	c->stack_limit = bottom + sizeof(struct trap_frame);
}

void cpu_use_aspace(const struct aspace *as)
{
	use_aspace(this_cpu(), as);
}

static void switch_to(struct thread *next)
{
	struct cpu *c = this_cpu();
	struct thread *prev = c->current;

	c->need_resched = false;
	if (next == prev) {
		next->state = THREAD_RUNNING;
		return;
	}
	if (prev->process) {
		/* FP/SIMD state is saved only if the thread used it since it was switched in. */
		if (prev->fp_live) {
			fp_save(&prev->fp);
			prev->fp_live = false;
			fp_trap_user(true);
		}
		prev->tpidr_el0 = read_sysreg(tpidr_el0);
	}
	if (next->process) {
		write_sysreg(tpidr_el0, next->tpidr_el0);
		if (next->fp_eager) {
			next->fp_eager--;
			fp_trap_user(false);
			fp_restore(&next->fp);
			next->fp_live = true;
		}
	}
	use_aspace(c, next->process ? &next->process->as : NULL);
	cpu_set_stack(c, next->kstack.bottom);
	next->state = THREAD_RUNNING;
	next->cpu = c->index;
	if (next->slice <= 0)
		next->slice = SLICE_TICKS;
	c->current = next;
	cpu_switch(&prev->ctx, &next->ctx);
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
	struct thread *next = rq_pop();

	switch_to(next ? next : this_cpu()->idle);
}

/* Asks other CPUs to look at the run queue: an idle one, else one running lower work. */
static void kick(struct thread *t)
{
	struct cpu *self = this_cpu();
	struct cpu *victim = NULL;

	if (self->current == self->idle || t->priority > self->current->priority) {
		self->need_resched = true;
		return;
	}
	if (cpus_online == 1)
		return;
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		struct cpu *c = &cpus[i];
		if (!c->online || c == self)
			continue;
		if (c->current == c->idle) {
			victim = c;
			break;
		}
		if (t->priority > c->current->priority)
			victim = c;
	}
	if (victim)
		gic_send_sgi(victim->index, SGI_RESCHEDULE);
}

/* Takes a blocked or new thread off its wait queue and timeout list. */
static void unblock(struct thread *t, err_t result)
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
	deadline_wheel_remove(&timeouts, &t->timeout);
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
	t->wake_result = result;
	t->state = THREAD_RUNNABLE;
}

void thread_wake(struct thread *t, err_t result)
{
	if (t->state != THREAD_BLOCKED && t->state != THREAD_NEW)
		return;
	unblock(t, result);
	rq_push(t);
	kick(t);
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
	t->state = THREAD_BLOCKED;
	t->waiting_on = q;
	t->wq_next = NULL;
	if (q) {
		t->wq_prev = q->tail;
		if (q->tail)
			q->tail->wq_next = t;
		else
			q->head = t;
		q->tail = t;
	} else {
		t->wq_prev = NULL;
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
	if (deadline) {
		t->timeout.deadline = deadline;
		deadline_wheel_add(&timeouts, &t->timeout);
	}
	if (next && next->state == THREAD_BLOCKED && (int)next->priority >= rq_top()) {
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
	struct thread *t = current_thread();

	t->state = THREAD_RUNNABLE;
	rq_push(t);
	schedule();
}

void sched_preempt_point(void)
{
	struct cpu *c = this_cpu();
	struct thread *t = c->current;
	int top = rq_top();

	if (!c->need_resched || t == c->idle) {
		c->need_resched = false;
		return;
	}
	c->need_resched = false;
	if (top > (int)t->priority || (top == (int)t->priority && t->slice <= 0))
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
	c->idle = idle;
	c->current = idle;
	fp_trap_user(true);
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	cpus_online++;
	if (index == 0) {
		err_t err;
		deadline_wheel_init(&timeouts, 1000000000ull / CLOCK_HZ, timer_now_ns());
		err = irq_set_handler(SGI_RESCHEDULE, resched_irq, NULL);
		if (err)
			return err;
	}
	return gic_enable(SGI_RESCHEDULE);
}

void sched_idle(void)
{
	for (;;) {
		if (runq_bits) {
			schedule();
			continue;
		}
		channel_collect_if_due(); /* a safe point: nothing is half done here */
		if (runq_bits)
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
	if (t->state == THREAD_RUNNABLE) {
		rq_remove(t);
		t->priority = priority;
		rq_push(t);
	} else {
		t->priority = priority;
	}
	this_cpu()->need_resched = true;
}

unsigned sched_cpu_count(void)
{
	return cpus_online;
}
