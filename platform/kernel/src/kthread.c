/* Kernel threads and their system calls (kernel/kthread.h). */
#include <kernel/kthread.h>

#include <arch/sysreg.h>
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

int64_t kthread_syscall(uint64_t n, const uint64_t args[6], uint64_t regs[7])
{
	struct trap_frame *f;
	int64_t r;

	if (kernel_lock_held())
		return VIPER_E_UNSUPPORTED;
	irq_disable_local();
	kernel_lock();
	f = current_thread()->frame;
	for (unsigned i = 0; i < 6; i++)
		f->x[i] = args[i];
	if (regs) {
		for (unsigned i = 0; i < 7; i++)
			f->x[1 + i] = regs[i];
	}
	f->x[8] = n;
	r = syscall_dispatch(f);
	channel_collect_if_due();
	/* The thread may have switched CPUs while it waited: read the frame again. */
	f = current_thread()->frame;
	if (regs) {
		for (unsigned i = 0; i < 7; i++)
			regs[i] = f->x[1 + i];
	}
	sched_preempt_point();
	kernel_unlock();
	irq_enable_local();
	return r;
}
