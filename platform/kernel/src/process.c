/*
 * Processes: creation from a boot-image program or an ELF file in a memory
 * object, death and the process list (kernel/process.h).
 */
#include <kernel/process.h>

#include <arch/gic.h>
#include <arch/psci.h>
#include <kernel/console.h>
#include <kernel/device_region.h>
#include <kernel/elf_loader.h>
#include <kernel/irq_line.h>
#include <kernel/kmalloc.h>
#include <kernel/memory_object.h>
#include <kernel/page_alloc.h>
#include <kernel/root_process.h>
#include <kernel/string.h>
#include <kernel/thread.h>

/*
 * Every process whose object exists, in creation order (process_list), and
 * the same processes by koid in a small hash table (process_find), so no
 * call walks every process to find one; the counts system_info reports are
 * kept as processes and threads come and go.
 */
#define KOID_BUCKETS 64

static struct process *list_head;
static struct process *list_last;
static struct process *by_koid[KOID_BUCKETS];
static unsigned process_count;
static unsigned thread_count;

struct process kernel_process;
/* Kernel-placed components' memory and the root's object: no limit, never freed. */
static struct mem_account kernel_account = {1, QUOTA_NO_MEMORY_LIMIT, 0, 0};

static void list_add(struct process *p)
{
	p->list_next = NULL;
	p->list_prev = list_last;
	if (list_last)
		list_last->list_next = p;
	else
		list_head = p;
	list_last = p;
	p->koid_next = by_koid[p->obj.koid % KOID_BUCKETS];
	by_koid[p->obj.koid % KOID_BUCKETS] = p;
	p->listed = true;
	process_count++;
}

static void list_remove(struct process *p)
{
	struct process **link = &by_koid[p->obj.koid % KOID_BUCKETS];

	if (!p->listed)
		return;
	if (p->list_prev)
		p->list_prev->list_next = p->list_next;
	else
		list_head = p->list_next;
	if (p->list_next)
		p->list_next->list_prev = p->list_prev;
	else
		list_last = p->list_prev;
	while (*link != p)
		link = &(*link)->koid_next; /* a bucket holds about count / KOID_BUCKETS */
	*link = p->koid_next;
	p->listed = false;
	process_count--;
}

struct process *process_list(void)
{
	return list_head;
}

struct process *process_find(uint64_t koid)
{
	for (struct process *p = by_koid[koid % KOID_BUCKETS]; p; p = p->koid_next) {
		if (p->obj.koid == koid)
			return p;
	}
	return NULL;
}

unsigned process_count_all(void)
{
	return process_count;
}

unsigned thread_count_all(void)
{
	return thread_count;
}

void process_count_thread(int delta)
{
	thread_count += (unsigned)delta;
}

void process_usage(const struct process *p, struct viper_usage *out)
{
	out->memory_bytes = p->as.account->used;
	out->kernel_bytes = p->as.account->kernel;
	out->handles = p->handles.used;
	out->threads = p->live_threads;
	quota_report(&p->limits, &out->limits);
}

static void process_destroy(struct kobject *o)
{
	struct process *p = container_of(o, struct process, obj);

	list_remove(p);
	mem_account_put(p->as.account);
	kfree_charged(p->payer, p, sizeof(*p));
}

static uint32_t process_signals(const struct kobject *o)
{
	return process_ended(container_of(o, struct process, obj)) ? VIPER_SIGNAL_EXITED : 0;
}

static const struct kobject_ops process_ops = {NULL, process_destroy, process_signals, NULL};

err_t process_init_system(void)
{
	err_t err = aspace_init_system();

	if (err)
		return err;
	kobject_init(&kernel_process.obj, VIPER_OBJ_PROCESS);
	strlcpy(kernel_process.name, "kernel", sizeof(kernel_process.name));
	quota_default(&kernel_process.limits);
	handle_table_init(&kernel_process.handles, kernel_process.limits.handles);
	kernel_process.as.root = aspace_empty_root();
	kernel_process.as.kernel = true;
	kernel_process.as.account = &kernel_account;
	kernel_process.priority = VIPER_PRIORITY_DEFAULT;
	list_add(&kernel_process);
	kobject_register(VIPER_OBJ_PROCESS, &process_ops);
	return VIPER_OK;
}

/* Links `child` under `parent` (NULL: none). */
static void adopt(struct process *parent, struct process *child)
{
	child->parent = parent;
	child->sibling_prev = NULL;
	child->sibling_next = parent ? parent->children : NULL;
	if (!parent)
		return;
	if (parent->children)
		parent->children->sibling_prev = child;
	parent->children = child;
}

/* Takes `child` out of its parent's children. */
static void orphan(struct process *child)
{
	struct process *parent = child->parent;

	if (!parent)
		return;
	if (child->sibling_prev)
		child->sibling_prev->sibling_next = child->sibling_next;
	else
		parent->children = child->sibling_next;
	if (child->sibling_next)
		child->sibling_next->sibling_prev = child->sibling_prev;
	child->sibling_next = child->sibling_prev = NULL;
	child->parent = NULL;
}

/*
 * How many generations `p` is below the root process (or the kernel's):
 * at most VIPER_PROCESS_MAX_DEPTH, which spawning keeps and handing a child
 * up the tree never breaks, so the walk is bounded.
 */
static unsigned depth_of(const struct process *p)
{
	unsigned depth = 0;

	for (const struct process *a = p->parent; a; a = a->parent)
		depth++;
	return depth;
}

err_t process_check_new_parent(const struct process *caller, const struct process *child,
			       const struct process *parent)
{
	const struct process *a;

	if (child->parent != caller)
		return VIPER_E_INVAL;
	if (child->dying || child->exited || parent->dying || parent->exited)
		return VIPER_E_PEERCLOSED;
	/* Up the tree only: the child gets no deeper, and no loop can form. */
	for (a = caller->parent; a && a != parent; a = a->parent)
		;
	return a ? VIPER_OK : VIPER_E_INVAL;
}

void process_set_parent(struct process *child, struct process *parent)
{
	orphan(child);
	adopt(parent, child);
	child->parent_koid = parent->obj.koid;
}

/* Releases what a process holds once its last thread is gone; its children end with it. */
static void process_teardown(struct process *p)
{
	call_release_tokens(p);
	handle_table_clear(&p->handles);
	aspace_destroy(&p->as);
	while (p->children) {
		struct process *child = p->children;
		orphan(child);
		process_kill(child, VIPER_EXIT_PARENT_ENDED);
	}
	orphan(p);
}

err_t process_check_handles(struct handle_table *from, const viper_handle_t *handles,
			    unsigned count)
{
	for (unsigned i = 0; i < count; i++) {
		struct cap *c;
		err_t err = handle_lookup(from, handles[i], 0, VIPER_RIGHT_TRANSFER, &c);
		if (err)
			return err;
		for (unsigned j = 0; j < i; j++) {
			if (handles[j] == handles[i])
				return VIPER_E_INVAL;
		}
	}
	return VIPER_OK;
}

err_t process_check_grants(struct handle_table *from, const struct viper_spawn_grant *grants,
			   unsigned count)
{
	for (unsigned i = 0; i < count; i++) {
		struct cap *c;
		err_t err = handle_lookup(from, grants[i].handle, 0,
					  VIPER_RIGHT_DERIVE | VIPER_RIGHT_TRANSFER, &c);
		if (err)
			return err;
		if (grants[i].rights & ~(uint32_t)VIPER_RIGHTS_ALL)
			return VIPER_E_INVAL;
		if (grants[i].rights & ~c->rights)
			return VIPER_E_RIGHTS; /* never more than the parent has */
		if (c->depth + 1 >= CAP_MAX_DEPTH)
			return VIPER_E_LIMIT;
	}
	return VIPER_OK;
}

/*
 * A new process object for `rq`, with its table and memory account; no
 * address space yet. The object is charged to the parent's account (the
 * kernel's for the root): VIPER_E_LIMIT when it does not fit.
 */
static err_t process_alloc(const struct spawn_request *rq, struct process **out)
{
	struct mem_account *payer = rq->parent ? rq->parent->as.account : &kernel_account;
	struct process *p;
	void *mem;
	err_t err = kmalloc_charged(payer, sizeof(*p), &mem);

	if (err)
		return err;
	p = mem;
	p->payer = payer;
	kobject_init(&p->obj, VIPER_OBJ_PROCESS);
	strlcpy(p->name, rq->image, sizeof(p->name));
	p->parent_koid = rq->parent ? rq->parent->obj.koid : 0;
	p->priority = rq->priority;
	p->limits = rq->limits;
	handle_table_init(&p->handles, rq->limits.handles);
	p->as.account = mem_account_create(rq->limits.memory);
	if (!p->as.account) {
		kfree_charged(payer, p, sizeof(*p));
		return VIPER_E_NOMEM;
	}
	*out = p;
	return VIPER_OK;
}

/* Undoes process_alloc and everything made since, for a spawn that failed. */
static void process_free_failed(struct process *p)
{
	struct mem_account *account = p->as.account;

	aspace_destroy(&p->as);
	mem_account_put(account); /* freed once the objects made for it are gone */
	kfree_charged(p->payer, p, sizeof(*p));
}

/*
 * Loads `prog` (or, when it is NULL, the request's file) into p's new
 * address space with a stack and a startup page (*startup).
 */
static err_t load_program(struct process *p, const struct spawn_request *rq,
			  const struct boot_program *prog, uint64_t *entry,
			  struct memory_object **startup)
{
	struct new_memory stack = {USER_STACK_TOP - USER_STACK_SIZE,
				   USER_STACK_SIZE,
				   VIPER_PROT_READ | VIPER_PROT_WRITE,
				   0,
				   NULL,
				   0};
	uint64_t startup_va;
	err_t err = aspace_init(&p->as, p->as.account);

	if (!err)
		err = prog ? elf_load(&p->as, prog, entry)
			   : elf_load_image(&p->as, rq->file, rq->file_size, entry);
	if (!err)
		err = map_new_memory(&p->as, &stack);
	if (!err)
		err = memory_object_create(PAGE_SIZE, 0, p->as.account, startup);
	if (err)
		return err;
	struct map_request map = {&(*startup)->obj, 0, PAGE_SIZE, VIPER_PROT_READ,
				  USER_STARTUP_VA,  0};
	err = aspace_map(&p->as, &map, &startup_va);
	kobject_unref(&(*startup)->obj); /* the mapping holds it, or it is gone */
	return err;
}

static void fill_startup_handle(struct viper_startup_handle *s, viper_handle_t h,
				const struct kobject *o)
{
	s->handle = h;
	s->kind = o ? o->kind : 0;
	s->detail = 0;
	s->size = 0;
	if (!o)
		return;
	if (o->kind == VIPER_OBJ_DEVICE) {
		s->detail = device_region_of(o)->device_base;
		s->size = device_region_of(o)->size;
	} else if (o->kind == VIPER_OBJ_IRQ) {
		s->detail = irq_line_of(o)->irq;
	} else if (o->kind == VIPER_OBJ_MEMORY) {
		s->size = memory_object_of(o)->size;
	}
}

/*
 * Derives the request's grants into p's table, listing the new handles in
 * given[]; on failure (the handles were checked, but the table may be out
 * of memory) those made so far are closed again.
 */
static err_t give_grants(struct process *p, const struct spawn_request *rq, viper_handle_t *given)
{
	for (unsigned i = 0; i < rq->grant_count; i++) {
		err_t err = handle_derive_into(rq->from, rq->grants[i].handle, rq->grants[i].rights,
					       &p->handles, &given[i]);
		if (err) {
			while (i > 0)
				(void)handle_close(&p->handles, given[--i]);
			return err;
		}
	}
	return VIPER_OK;
}

/*
 * Writes the startup block and moves the request's handles in, or lists
 * the handles give_grants made (given[]); cannot fail.
 */
static void fill_startup(struct process *p, const struct spawn_request *rq,
			 struct memory_object *startup, const viper_handle_t *self,
			 const viper_handle_t *given)
{
	bool exclusive;
	struct viper_startup *st = phys_to_virt(memory_object_page(startup, 0, true, &exclusive));

	st->magic = VIPER_STARTUP_MAGIC;
	st->cpu_count = sched_cpu_count();
	st->self_process = self[0];
	st->self_thread = self[1];
	st->argument = rq->argument;
	st->handle_count = rq->count + rq->grant_count;
	for (unsigned i = 0; i < rq->grant_count; i++) {
		struct cap *c = handle_cap(&p->handles, given[i]);
		fill_startup_handle(&st->handles[i], given[i], c ? c->object : NULL);
	}
	for (unsigned i = 0; i < rq->count; i++) {
		viper_handle_t h = VIPER_HANDLE_INVALID;
		struct cap *c;
		/* Validated by the caller and the fresh table has room: neither can fail. */
		if (handle_detach(rq->from, rq->handles[i], &c) == VIPER_OK &&
		    handle_attach(&p->handles, c, &h) == VIPER_OK)
			fill_startup_handle(&st->handles[i], h, c->object);
	}
}

err_t process_spawn(const struct spawn_request *rq, struct process **out)
{
	const struct boot_program *prog = rq->file ? NULL : boot_program_find(rq->image);
	viper_handle_t self[2], given[VIPER_SPAWN_MAX_GRANTS];
	struct memory_object *startup;
	struct process *p;
	struct thread *t;
	uint64_t entry;
	err_t err;

	if (!prog && !rq->file)
		return VIPER_E_NOTFOUND;
	if (rq->grant_count > VIPER_SPAWN_MAX_GRANTS ||
	    rq->limits.handles < rq->count + rq->grant_count + 2) /* and its own two */
		return VIPER_E_LIMIT;
	if (rq->parent && depth_of(rq->parent) >= VIPER_PROCESS_MAX_DEPTH)
		return VIPER_E_LIMIT;
	err = process_alloc(rq, &p);
	if (err)
		return err;
	err = load_program(p, rq, prog, &entry, &startup);
	if (err)
		goto fail;
	err = thread_create(p, entry, USER_STACK_TOP, USER_STARTUP_VA, rq->priority, &t);
	if (err)
		goto fail;
	err = handle_create(&p->handles, &p->obj, VIPER_RIGHTS_ALL, &self[0]);
	if (!err)
		err = handle_create(&p->handles, &t->obj, VIPER_RIGHTS_ALL, &self[1]);
	if (!err)
		err = give_grants(p, rq, given);
	if (err) {
		handle_table_clear(&p->handles);
		thread_discard(t);
		goto fail;
	}
	/* Nothing can fail from here on: the caps move in. */
	fill_startup(p, rq, startup, self, given);
	process_add_thread(p, t);
	list_add(p);
	adopt(rq->parent, p);
	thread_start(t);
	*out = p;
	return VIPER_OK;

fail:
	process_free_failed(p);
	return err;
}

void process_add_thread(struct process *p, struct thread *t)
{
	t->tpidr_el0 = 0;
	t->process_next = p->threads;
	p->threads = t;
	p->live_threads++;
	thread_count++;
	kobject_ref(&p->obj); /* the thread's reference to its process */
}

void process_kill(struct process *p, int64_t status)
{
	if (p->dying || p->exited)
		return;
	p->dying = true;
	p->exit_status = status;
	for (struct thread *t = p->threads; t; t = t->process_next) {
		if (t->state == THREAD_BLOCKED)
			thread_wake(t, VIPER_E_CLOSED);
		else if (t->state == THREAD_RUNNING && t->cpu != this_cpu()->index)
			gic_send_sgi(t->cpu, SGI_RESCHEDULE);
	}
}

void process_thread_exiting(struct process *p, struct thread *t)
{
	struct thread **link = &p->threads;

	/* channel_call withdraws its call before returning; this is a safety net. */
	call_abandon(t);
	while (*link && *link != t)
		link = &(*link)->process_next;
	if (*link)
		*link = t->process_next;
	p->live_threads--;
	thread_count--;
	if (p->live_threads == 0 && !p->dying) {
		p->dying = true;
		p->exit_status = t->exit_status;
	}
}

void process_thread_gone(struct process *p)
{
	if (p->live_threads == 0 && !p->exited) {
		process_teardown(p);
		p->exited = true;
		kobject_signal(&p->obj);
		if (process_is_root(p)) {
			kprintf("kernel: root process exited with status %lld; powering off\n",
				(long long)p->exit_status);
			psci_system_off();
		}
	}
	kobject_unref(&p->obj);
}

bool process_is_root(const struct process *p)
{
	return p == root_process();
}

void trap_return_to_user_slow(void)
{
	struct thread *t = current_thread();

	if (t->process && t->process->dying)
		thread_exit_current(t->process->exit_status);
	sched_preempt_point();
	t = current_thread();
	if (t->process && t->process->dying)
		thread_exit_current(t->process->exit_status);
	kernel_unlock();
}

_Static_assert(sizeof(struct viper_startup) <= PAGE_SIZE, "the startup block is one page");
