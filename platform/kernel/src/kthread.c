/* Kernel threads and their system calls (kernel/kthread.h). */
#include <kernel/kthread.h>

#include <arch/sysreg.h>
#include <kernel/call.h>
#include <kernel/channel.h>
#include <kernel/lock.h>
#include <kernel/panic.h>
#include <kernel/process.h>
#include <kernel/syscall.h>

/* A kernel thread's first run: cpu_switch returns here holding the big lock. */
static void kthread_first_run(void)
{
	struct thread *t;

	thread_reap();
	t = current_thread();
	kernel_unlock();
	irq_enable_local();
	t->kentry(t->karg);
	panic("kernel thread %p returned", (void *)t);
}

struct thread *kthread_create(void (*fn)(void *), void *arg, unsigned priority)
{
	struct thread *t;

	if (thread_create(&kernel_process, 0, 0, 0, priority, &t))
		return NULL;
	t->kentry = fn;
	t->karg = arg;
	t->ctx.lr = (uint64_t)(uintptr_t)kthread_first_run;
	kernel_process.live_threads++; /* kernel threads never end */
	process_count_thread(1);
	return t;
}

/* Enters the kernel for a call from a kernel thread: its frame, or NULL (see kthread_syscall). */
static struct trap_frame *enter(void)
{
	if (kernel_lock_held())
		return NULL;
	irq_disable_local();
	kernel_lock();
	return current_thread()->frame;
}

/* Leaves the kernel after a call: dead channels collected when due, a preemption taken. */
static void leave(void)
{
	channel_collect_if_due();
	if (this_cpu()->need_resched) /* sched_preempt_point's test, without the call */
		sched_preempt_point();
	kernel_unlock();
	irq_enable_local();
}

int64_t kthread_syscall(uint64_t n, const uint64_t args[6])
{
	struct trap_frame *f = enter();
	int64_t r;

	if (!f)
		return VIPER_E_UNSUPPORTED;
	for (unsigned i = 0; i < 6; i++)
		f->x[i] = args[i];
	f->x[8] = n;
	f->esr = 0;
	r = syscall_dispatch(f);
	leave();
	return r;
}

int64_t kthread_syscall_short(uint64_t n, uint64_t a0, uint64_t *x1, uint64_t words[16])
{
	struct trap_frame *f = enter();
	struct thread *t;
	int64_t r;

	if (!f)
		return VIPER_E_UNSUPPORTED;
	t = current_thread();
	f->x[0] = a0;
	f->x[1] = *x1;
	f->esr = n; /* the immediate of a process's svc #n (kernel/syscall.h) */
	t->short_words = words;
	r = KTHREAD_FAST_DECLINED;
	if (n == VIPER_SYS_CHANNEL_REPLY_RECV_SHORT)
		r = reply_recv_short_kthread(f);
	if (r == KTHREAD_FAST_DECLINED)
		r = syscall_dispatch(f);
	t->short_words = &t->frame->x[2];
	if (r >= 0)
		*x1 = t->frame->x[1];
	leave();
	return r;
}
