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

/*
 * Copies the words a message of `len` bytes covers (at most 16: x2-x17),
 * two at a time: a whole pair past an odd word stays within the sixteen.
 */
static void copy_message_words(uint64_t *dst, const uint64_t *src, uint64_t len)
{
	unsigned pairs = len >= VIPER_SHORT_MSG_BYTES ? 8 : (unsigned)(len + 15) / 16;

#pragma clang loop unroll(disable)
	for (unsigned i = 0; i < pairs; i++) {
		uint64_t a = src[2 * i], b = src[2 * i + 1];

		dst[2 * i] = a;
		dst[2 * i + 1] = b;
	}
}

int64_t kthread_syscall_short(uint64_t n, uint64_t a0, uint64_t *x1, uint64_t words[16],
			      uint64_t in_len)
{
	struct trap_frame *f = enter();
	int64_t r;

	if (!f)
		return VIPER_E_UNSUPPORTED;
	f->x[0] = a0;
	f->x[1] = *x1;
	f->esr = n; /* the immediate of a process's svc #n (kernel/syscall.h) */
	r = KTHREAD_FAST_DECLINED;
	if (n == VIPER_SYS_CHANNEL_REPLY_RECV_SHORT)
		r = kthread_reply_recv_short_fast(f, words); /* the reply goes from `words` */
	if (r == KTHREAD_FAST_DECLINED) {
		copy_message_words(&f->x[2], words, in_len);
		r = syscall_dispatch(f);
	}
	/* The thread may have switched CPUs while it waited: read the frame again. */
	f = current_thread()->frame;
	if (r >= 0) {
		*x1 = f->x[1];
		copy_message_words(words, &f->x[2], (uint64_t)r);
	}
	leave();
	return r;
}
