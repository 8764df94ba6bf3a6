/* Threads: creation, start, exit and reaping (kernel/thread.h). */
#include <kernel/thread.h>

#include <kernel/kmalloc.h>
#include <kernel/page_alloc.h>
#include <kernel/panic.h>
#include <kernel/process.h>
#include <kernel/sched.h>

struct thread *thread_reap_list;

static void thread_destroy(struct kobject *o)
{
	struct thread *t = container_of(o, struct thread, obj);

	kfree_charged(t->account, t, sizeof(*t));
}

/* Frees the kernel stack of a thread that ended or never ran. */
static void free_stack(struct thread *t)
{
	if (!t->kstack.bottom)
		return;
	kernel_stack_free(&t->kstack);
	mem_uncharge_kernel(t->account, THREAD_STACK_SIZE);
}

static uint32_t thread_signals(const struct kobject *o)
{
	return thread_ended(container_of(o, struct thread, obj)) ? VIPER_SIGNAL_EXITED : 0;
}

static const struct kobject_ops thread_ops = {NULL, thread_destroy, thread_signals, NULL};

void thread_register(void)
{
	kobject_register(VIPER_OBJ_THREAD, &thread_ops);
}

err_t thread_create(struct process *p, uint64_t entry, uint64_t sp, uint64_t arg, unsigned priority,
		    struct thread **out)
{
	struct mem_account *account = p->as.account;
	struct thread *t;
	uint8_t *top;
	void *mem;
	err_t err = kmalloc_charged(account, sizeof(*t), &mem);

	if (err)
		return err;
	t = mem;
	t->account = account;
	kobject_init(&t->obj, VIPER_OBJ_THREAD);
	err = mem_charge_kernel(account, THREAD_STACK_SIZE);
	if (!err && (err = kernel_stack_alloc(&t->kstack)))
		mem_uncharge_kernel(account, THREAD_STACK_SIZE);
	if (err) {
		kobject_unref(&t->obj);
		return err;
	}
	top = (uint8_t *)(uintptr_t)kernel_stack_top(&t->kstack);
	t->frame = (struct trap_frame *)(top - sizeof(struct trap_frame));
	t->short_words = &t->frame->x[2];
	t->frame->elr = entry;
	t->frame->sp = sp;
	t->frame->spsr = 0; /* EL0t, interrupts unmasked */
	t->frame->x[0] = arg;
	t->ctx.sp = (uint64_t)(uintptr_t)t->frame;
	t->ctx.lr = (uint64_t)(uintptr_t)thread_trampoline;
	t->process = p;
	t->call.msg.embedded = true; /* lives in the thread: never kfree'd */
	t->priority = priority > VIPER_PRIORITY_MAX ? VIPER_PRIORITY_MAX : priority;
	t->state = THREAD_NEW;
	*out = t;
	return VIPER_OK;
}

void thread_start(struct thread *t)
{
	thread_wake(t, VIPER_OK);
}

void thread_discard(struct thread *t)
{
	t->state = THREAD_DEAD;
	free_stack(t);
	kobject_unref(&t->obj);
}

void thread_reap(void)
{
	while (thread_reap_list) {
		struct thread *t = thread_reap_list;
		struct process *p = t->process;

		thread_reap_list = t->reap_next;
		free_stack(t);
		t->process = NULL;
		kobject_signal(&t->obj);
		kobject_unref(&t->obj);
		if (p)
			process_thread_gone(p);
	}
}

void thread_exit_current(int64_t status)
{
	struct thread *t = current_thread();

	t->exit_status = status;
	process_thread_exiting(t->process, t);
	t->state = THREAD_DEAD;
	t->reap_next = thread_reap_list;
	thread_reap_list = t;
	schedule();
	panic("a dead thread ran again");
}

/* The first time a new thread runs (context.S, thread_trampoline). */
void thread_first_run(void);

void thread_first_run(void)
{
	thread_reap();
	trap_return_to_user();
}
