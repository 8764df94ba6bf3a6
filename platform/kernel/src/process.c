#include <kernel/process.h>

#include <arch/gic.h>
#include <arch/mmu.h>
#include <arch/psci.h>
#include <kernel/console.h>
#include <kernel/elf.h>
#include <kernel/ipc.h>
#include <kernel/lock.h>
#include <kernel/memory.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <kernel/system.h>

static uint64_t empty_root;
static uint8_t asid_used[65536 / 8];
static unsigned asid_count;
static struct process *root_process;
/* Every process whose object exists, in creation order (process_list). */
static struct process *list_head;
static struct process **list_tail = &list_head;

uint64_t aspace_empty_root(void)
{
	return empty_root;
}

static uint16_t asid_alloc(void)
{
	for (unsigned a = 1; a < asid_count; a++) {
		if (!(asid_used[a / 8] & (1u << (a % 8)))) {
			asid_used[a / 8] |= (uint8_t)(1u << (a % 8));
			return (uint16_t)a;
		}
	}
	return 0;
}

static void asid_free(uint16_t a)
{
	asid_used[a / 8] &= (uint8_t) ~(1u << (a % 8));
}

static void list_add(struct process *p)
{
	p->list_next = NULL;
	*list_tail = p;
	list_tail = &p->list_next;
}

static void list_remove(struct process *p)
{
	struct process **link = &list_head;

	while (*link && *link != p)
		link = &(*link)->list_next;
	if (!*link)
		return;
	*link = p->list_next;
	if (list_tail == &p->list_next)
		list_tail = link;
}

struct process *process_list(void)
{
	return list_head;
}

bool process_is_root(const struct process *p)
{
	return p == root_process;
}

void process_usage(const struct process *p, struct viper_usage *out)
{
	out->memory_bytes = p->as.account->used;
	out->handles = p->handles.used;
	out->threads = p->live_threads;
	quota_report(&p->limits, &out->limits);
}

static void process_destroy(struct kobject *o)
{
	struct process *p = container_of(o, struct process, obj);

	list_remove(p);
	mem_account_put(p->as.account);
	kfree(p);
}

static uint32_t process_signals(const struct kobject *o)
{
	return container_of(o, struct process, obj)->exited ? VIPER_SIGNAL_EXITED : 0;
}

static void thread_destroy(struct kobject *o)
{
	kfree(container_of(o, struct thread, obj));
}

static uint32_t thread_signals(const struct kobject *o)
{
	return container_of(o, struct thread, obj)->state == THREAD_DEAD ? VIPER_SIGNAL_EXITED : 0;
}

static const struct kobject_ops process_ops = {NULL, process_destroy, process_signals};
static const struct kobject_ops thread_ops = {NULL, thread_destroy, thread_signals};

struct process kernel_process;
/* Kernel-placed components' memory: no limit, never freed. */
static struct mem_account kernel_account = {1, QUOTA_NO_MEMORY_LIMIT, 0};

err_t process_init_system(void)
{
	empty_root = page_alloc(0);
	if (!empty_root)
		return VIPER_E_NOMEM;
	kobject_init(&kernel_process.obj, VIPER_OBJ_PROCESS);
	strlcpy(kernel_process.name, "kernel", sizeof(kernel_process.name));
	quota_default(&kernel_process.limits);
	handle_table_init(&kernel_process.handles, kernel_process.limits.handles);
	kernel_process.as.root = empty_root;
	kernel_process.as.kernel = true;
	kernel_process.as.account = &kernel_account;
	kernel_process.priority = VIPER_PRIORITY_DEFAULT;
	list_add(&kernel_process);
	asid_count = mmu_asid_count();
	kobject_register(VIPER_OBJ_PROCESS, &process_ops);
	kobject_register(VIPER_OBJ_THREAD, &thread_ops);
	return VIPER_OK;
}

/* User memory access. */

/*
 * The physical address for `va` if `as` lets user space read (or write) it
 * as normal memory; 0 if not. The address space installed on this CPU is
 * translated by the hardware walker, any other by walking its tables.
 */
static uint64_t user_page(const struct aspace *as, uint64_t va, bool write)
{
	uint64_t e;

	if (va >= VIPER_USER_TOP)
		return 0;
	if (this_cpu()->user_as == as)
		return mmu_user_translate(va, write);
	e = mmu_lookup(as->root, va);
	if (!(e & PTE_VALID) || !(e & PTE_USER) || (e & PTE_ATTR(7)) != PTE_ATTR(MAIR_NORMAL))
		return 0;
	if (write && (e & PTE_RDONLY))
		return 0;
	return (e & PTE_ADDR) | (va & (PAGE_SIZE - 1));
}

/*
 * Translates every page of [va, va + n) or fails with VIPER_E_FAULT. The
 * first COPY_PAGES translations are kept in `pa` so the copy need not walk
 * the tables again.
 */
#define COPY_PAGES 2

static err_t translate(const struct aspace *as, uint64_t va, size_t n, bool write,
		       uint64_t pa[COPY_PAGES])
{
	uint64_t end = va + n;
	unsigned i = 0;

	if (n == 0)
		return VIPER_OK;
	if (end < va)
		return VIPER_E_FAULT;
	for (uint64_t p = va & ~(PAGE_SIZE - 1); p < end; p += PAGE_SIZE, i++) {
		uint64_t a = user_page(as, p, write);
		if (!a)
			return VIPER_E_FAULT;
		if (i < COPY_PAGES)
			pa[i] = a;
	}
	return VIPER_OK;
}

/* Copies between the user range at `va` and `buf` (to user when `write`), any length. */
static __attribute__((noinline)) err_t copy_user(const struct aspace *as, uint64_t va, void *buf,
						 size_t n, bool write)
{
	uint64_t pa[COPY_PAGES];
	uint8_t *b = buf;
	unsigned i = 0;
	err_t err;

	if (as->kernel) {
		if (write)
			memcpy((void *)(uintptr_t)va, buf, n);
		else
			memcpy(buf, (const void *)(uintptr_t)va, n);
		return VIPER_OK;
	}
	err = translate(as, va, n, write, pa);
	if (err)
		return err;
	while (n) {
		size_t chunk = PAGE_SIZE - (va & (PAGE_SIZE - 1));
		uint64_t page =
			i < COPY_PAGES ? pa[i] : user_page(as, va & ~(PAGE_SIZE - 1), write);
		void *user = phys_to_virt((page & ~(PAGE_SIZE - 1)) | (va & (PAGE_SIZE - 1)));

		if (chunk > n)
			chunk = n;
		if (write)
			memcpy(user, b, chunk);
		else
			memcpy(b, user, chunk);
		b += chunk;
		va += chunk;
		n -= chunk;
		i++;
	}
	return VIPER_OK;
}

/*
 * The common case: a non-empty range inside one page of the address space
 * installed on this CPU, translated by the hardware walker. 0 when another
 * case applies or the translation fails (copy_user then decides).
 */
static inline uint64_t one_page(const struct aspace *as, uint64_t va, size_t n, bool write)
{
	if (n - 1 >= PAGE_SIZE - (va & (PAGE_SIZE - 1)) || va >= VIPER_USER_TOP ||
	    this_cpu()->user_as != as)
		return 0;
	return mmu_user_translate(va, write);
}

void *user_pointer(const struct aspace *as, uint64_t va, size_t n, bool write)
{
	uint64_t pa = one_page(as, va, n, write);

	if (pa)
		return phys_to_virt(pa);
	return as->kernel && n ? (void *)(uintptr_t)va : NULL;
}

err_t copy_from_user(const struct aspace *as, void *dst, uint64_t src, size_t n)
{
	uint64_t pa = one_page(as, src, n, false);

	if (!pa)
		return copy_user(as, src, dst, n, false);
	memcpy(dst, phys_to_virt(pa), n);
	return VIPER_OK;
}

err_t copy_to_user(const struct aspace *as, uint64_t dst, const void *src, size_t n)
{
	uint64_t pa = one_page(as, dst, n, true);

	if (!pa)
		return copy_user(as, dst, (void *)(uintptr_t)src, n, true);
	memcpy(phys_to_virt(pa), src, n);
	return VIPER_OK;
}

/* Address spaces. */

/* An empty address space whose tables `account` pays for (it takes the caller's reference). */
static err_t aspace_init(struct aspace *as, struct mem_account *account)
{
	err_t err;

	as->account = account;
	as->table_pages = 0;
	as->map_count = 0;
	err = mem_charge(account, PAGE_SIZE);
	if (err)
		return err;
	as->root = page_alloc(0);
	if (!as->root) {
		mem_uncharge(account, PAGE_SIZE);
		return VIPER_E_NOMEM;
	}
	as->table_pages = 1;
	as->asid = asid_alloc();
	if (!as->asid) {
		page_free(as->root);
		as->root = 0;
		as->table_pages = 0;
		mem_uncharge(account, PAGE_SIZE);
		return VIPER_E_LIMIT;
	}
	return VIPER_OK;
}

static void unmap_pages(struct aspace *as, uint64_t va, uint64_t size)
{
	for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
		if (as->kernel)
			mmu_unmap_kernel_page(va + off);
		else
			mmu_unmap_page(as->root, va + off, as->asid);
	}
}

static void aspace_destroy(struct aspace *as)
{
	if (!as->root)
		return;
	while (as->map_count) {
		struct mapping *m = &as->maps[--as->map_count];
		kobject_unref(m->object);
	}
	mmu_free_tables(as->root);
	mmu_flush_asid(as->asid);
	asid_free(as->asid);
	mem_uncharge(as->account, as->table_pages * PAGE_SIZE);
	as->table_pages = 0;
	as->root = 0;
}

static uint64_t object_size(const struct kobject *o)
{
	if (o->kind == VIPER_OBJ_MEMORY)
		return container_of(o, struct memory_object, obj)->size;
	return container_of(o, struct device_region, obj)->size;
}

static uint64_t object_frame(const struct kobject *o, uint64_t offset)
{
	if (o->kind == VIPER_OBJ_MEMORY)
		return memory_object_frame(container_of(o, struct memory_object, obj), offset);
	return container_of(o, struct device_region, obj)->base + offset;
}

static bool range_free(const struct aspace *as, uint64_t va, uint64_t size)
{
	for (unsigned i = 0; i < as->map_count; i++) {
		const struct mapping *m = &as->maps[i];
		if (va < m->va + m->size && m->va < va + size)
			return false;
	}
	return true;
}

/*
 * The kernel process's mappings (kernel-placed components): memory objects
 * mapped into the kernel window (KERNEL_WINDOW_BASE, arch/mmu.h), a part
 * of the kernel's own table that every CPU shares. The pages are kernel
 * read/write or read-only, never executable and never reachable from EL0.
 * Placement is first fit with a guard page after each mapping, so the holes
 * that unmapping leaves are reused and the window's tables stay few.
 * Devices are refused: the kernel reaches them through its device window.
 */
static err_t kernel_window_map(struct aspace *as, struct kobject *object, uint64_t offset,
			       uint64_t size, unsigned prot, uint64_t va, uint64_t *out_va)
{
	uint64_t attrs = (prot & VIPER_PROT_WRITE) ? PTE_KERNEL_RW : PTE_KERNEL_RO;
	uint64_t end = KERNEL_WINDOW_BASE + KERNEL_WINDOW_SIZE;
	uint64_t at = 0;

	if (object->kind != VIPER_OBJ_MEMORY || (prot & VIPER_PROT_EXEC))
		return VIPER_E_UNSUPPORTED;
	if (va != 0) /* the kernel chooses */
		return VIPER_E_INVAL;
	for (unsigned i = 0; i <= as->map_count; i++) {
		/* Candidates: the window's start and one guard page past each mapping. */
		uint64_t c = i == as->map_count ? KERNEL_WINDOW_BASE
						: as->maps[i].va + as->maps[i].size + PAGE_SIZE;

		if (c < end && size + PAGE_SIZE <= end - c && (at == 0 || c < at) &&
		    range_free(as, c, size + PAGE_SIZE))
			at = c;
	}
	if (at == 0)
		return VIPER_E_NOMEM;
	for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
		err_t err =
			mmu_map_kernel_page(at + off, object_frame(object, offset + off), attrs);
		if (err) {
			unmap_pages(as, at, off);
			return err;
		}
	}
	as->maps[as->map_count++] = (struct mapping){at, size, object, prot};
	kobject_ref(object);
	*out_va = at;
	return VIPER_OK;
}

err_t aspace_map(struct aspace *as, struct kobject *object, uint64_t offset, uint64_t size,
		 unsigned prot, uint64_t va, uint64_t *out_va)
{
	bool device = object->kind == VIPER_OBJ_DEVICE;
	uint64_t total = object_size(object), tables, made;
	err_t err;

	if (size == 0 || (size | offset | va) & (PAGE_SIZE - 1))
		return VIPER_E_INVAL;
	if (offset > total || size > total - offset)
		return VIPER_E_RANGE;
	if ((prot & ~(unsigned)(VIPER_PROT_READ | VIPER_PROT_WRITE | VIPER_PROT_EXEC)) || !prot ||
	    ((prot & VIPER_PROT_WRITE) && (prot & VIPER_PROT_EXEC)) ||
	    (device && (prot & VIPER_PROT_EXEC)))
		return VIPER_E_INVAL;
	if (as->map_count == ASPACE_MAX_MAPPINGS)
		return VIPER_E_LIMIT;
	if (as->kernel)
		return kernel_window_map(as, object, offset, size, prot, va, out_va);
	if (va == 0) {
		va = USER_MAP_BASE;
		for (unsigned i = 0; i < as->map_count; i++) {
			const struct mapping *m = &as->maps[i];
			if (m->va >= USER_MAP_BASE && m->va < USER_STACK_TOP - USER_STACK_SIZE &&
			    m->va + m->size + PAGE_SIZE > va)
				va = m->va + m->size + PAGE_SIZE; /* leave a guard page */
		}
	}
	if (va >= VIPER_USER_TOP || size > VIPER_USER_TOP - va || !range_free(as, va, size))
		return VIPER_E_RANGE;
	/* The tables this mapping adds are charged first; they stay until the space dies. */
	tables = mmu_tables_missing(as->root, va, size);
	err = mem_charge(as->account, tables * PAGE_SIZE);
	if (err)
		return err;
	for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
		err = mmu_map_page(as->root, va + off, object_frame(object, offset + off),
				   mmu_user_attrs(prot, device));
		if (err) {
			unmap_pages(as, va, off);
			/* Give back the charge of the tables that were not made. */
			made = tables - mmu_tables_missing(as->root, va, size);
			mem_uncharge(as->account, (tables - made) * PAGE_SIZE);
			as->table_pages += made;
			return err;
		}
	}
	as->table_pages += tables;
	as->maps[as->map_count++] = (struct mapping){va, size, object, prot};
	kobject_ref(object);
	*out_va = va;
	return VIPER_OK;
}

err_t aspace_unmap(struct aspace *as, uint64_t va, uint64_t size)
{
	for (unsigned i = 0; i < as->map_count; i++) {
		struct mapping *m = &as->maps[i];
		if (m->va != va)
			continue;
		if (m->size != size)
			return VIPER_E_INVAL;
		unmap_pages(as, va, size);
		kobject_unref(m->object);
		*m = as->maps[--as->map_count];
		return VIPER_OK;
	}
	return VIPER_E_NOTFOUND;
}

/* Loading programs. */

/* A fresh memory object mapped into `as`; its first bytes taken from `data`. */
static err_t map_new_memory(struct aspace *as, uint64_t va, uint64_t size, unsigned prot,
			    uint64_t data_offset, const uint8_t *data, uint64_t data_size)
{
	struct memory_object *m;
	uint64_t mapped;
	err_t err = memory_object_create(size, 0, as->account, &m);

	if (err)
		return err;
	for (uint64_t done = 0; done < data_size;) {
		uint64_t at = data_offset + done;
		uint64_t chunk = PAGE_SIZE - (at & (PAGE_SIZE - 1));
		uint8_t *dst = (uint8_t *)phys_to_virt(memory_object_frame(m, at)) +
			       (at & (PAGE_SIZE - 1));
		if (chunk > data_size - done)
			chunk = data_size - done;
		memcpy(dst, data + done, chunk);
		if (prot & VIPER_PROT_EXEC)
			mmu_sync_icache(dst, chunk);
		done += chunk;
	}
	err = aspace_map(as, &m->obj, 0, m->size, prot, va, &mapped);
	kobject_unref(&m->obj); /* the mapping holds it now */
	return err;
}

err_t elf_load(struct aspace *as, const uint8_t *data, uint64_t size, uint64_t *entry)
{
	struct elf_image img;
	err_t err = elf_parse(data, size, USER_MAP_BASE, &img);

	if (err)
		return err;
	for (unsigned i = 0; i < img.count; i++) {
		const struct elf_segment *s = &img.segments[i];
		err = map_new_memory(as, s->vaddr, s->mem_size, s->prot, s->data_vaddr - s->vaddr,
				     data + s->file_offset, s->file_size);
		if (err)
			return err;
	}
	*entry = img.entry;
	return VIPER_OK;
}

static const struct boot_program *find_program(const char *name)
{
	for (unsigned i = 0; i < boot_program_count; i++) {
		if (strcmp(boot_programs[i].name, name) == 0)
			return &boot_programs[i];
	}
	return NULL;
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
		s->detail = container_of(o, struct device_region, obj)->base;
		s->size = container_of(o, struct device_region, obj)->size;
	} else if (o->kind == VIPER_OBJ_IRQ) {
		s->detail = container_of(o, struct irq_line, obj)->irq;
	} else if (o->kind == VIPER_OBJ_MEMORY) {
		s->size = container_of(o, struct memory_object, obj)->size;
	}
}

static void process_teardown(struct process *p)
{
	for (unsigned i = 0; i < PROCESS_MAX_REPLIES; i++) {
		struct thread *caller = p->replies[i].caller;
		if (!p->replies[i].used)
			continue;
		p->replies[i].used = false;
		p->replies[i].caller = NULL;
		if (caller) {
			caller->call.server = NULL;
			caller->call.result = VIPER_E_PEERCLOSED;
			caller->call.done = true;
			thread_wake(caller, VIPER_OK);
		}
	}
	handle_table_clear(&p->handles);
	aspace_destroy(&p->as);
}

err_t process_spawn(const char *image, unsigned priority, const struct quota_limits *limits,
		    const struct process *parent, struct handle_table *from,
		    const viper_handle_t *handles, unsigned count, uint64_t argument,
		    struct process **out)
{
	const struct boot_program *prog = find_program(image);
	struct viper_startup *st;
	struct process *p;
	struct thread *t;
	uint64_t entry, startup_va;
	struct memory_object *startup;
	struct mem_account *account;
	viper_handle_t self_p, self_t;
	err_t err;

	if (!prog)
		return VIPER_E_NOTFOUND;
	if (count > VIPER_STARTUP_MAX_HANDLES)
		return VIPER_E_TOOBIG;
	if (limits->handles < count + 2) /* the moved handles and its own two */
		return VIPER_E_LIMIT;
	for (unsigned i = 0; i < count; i++) {
		struct cap *c;
		err = handle_lookup(from, handles[i], 0, VIPER_RIGHT_TRANSFER, &c);
		if (err)
			return err;
		for (unsigned j = 0; j < i; j++) {
			if (handles[j] == handles[i])
				return VIPER_E_INVAL;
		}
	}
	p = kmalloc(sizeof(*p));
	if (!p)
		return VIPER_E_NOMEM;
	kobject_init(&p->obj, VIPER_OBJ_PROCESS);
	strlcpy(p->name, image, sizeof(p->name));
	p->parent_koid = parent ? parent->obj.koid : 0;
	p->priority = priority;
	p->limits = *limits;
	handle_table_init(&p->handles, limits->handles);
	account = mem_account_create(limits->memory);
	if (!account) {
		err = VIPER_E_NOMEM;
		goto fail_struct;
	}
	err = aspace_init(&p->as, account);
	if (err)
		goto fail_account;
	err = elf_load(&p->as, prog->data, prog->size, &entry);
	if (err)
		goto fail;
	err = map_new_memory(&p->as, USER_STACK_TOP - USER_STACK_SIZE, USER_STACK_SIZE,
			     VIPER_PROT_READ | VIPER_PROT_WRITE, 0, NULL, 0);
	if (err)
		goto fail;
	err = memory_object_create(PAGE_SIZE, 0, p->as.account, &startup);
	if (err)
		goto fail;
	err = aspace_map(&p->as, &startup->obj, 0, PAGE_SIZE, VIPER_PROT_READ, USER_STARTUP_VA,
			 &startup_va);
	kobject_unref(&startup->obj);
	if (err)
		goto fail;
	t = thread_create(p, entry, USER_STACK_TOP, startup_va, priority);
	if (!t) {
		err = VIPER_E_NOMEM;
		goto fail;
	}
	err = handle_create(&p->handles, &p->obj, VIPER_RIGHTS_ALL, &self_p);
	if (!err)
		err = handle_create(&p->handles, &t->obj, VIPER_RIGHTS_ALL, &self_t);
	if (err) {
		handle_table_clear(&p->handles);
		t->state = THREAD_DEAD;
		page_free(t->kstack);
		thread_forget(t);
		kobject_unref(&t->obj);
		goto fail;
	}
	/* Nothing can fail from here on: the caps move in. */
	st = (struct viper_startup *)phys_to_virt(memory_object_frame(startup, 0));
	st->magic = VIPER_STARTUP_MAGIC;
	st->cpu_count = sched_cpu_count();
	st->self_process = self_p;
	st->self_thread = self_t;
	st->argument = argument;
	st->handle_count = count;
	for (unsigned i = 0; i < count; i++) {
		viper_handle_t h = VIPER_HANDLE_INVALID;
		struct cap *c;
		/* Validated above and the fresh table has room: neither can fail. */
		if (handle_detach(from, handles[i], &c) == VIPER_OK &&
		    handle_attach(&p->handles, c, &h) == VIPER_OK)
			fill_startup_handle(&st->handles[i], h, c->object);
	}
	kobject_ref(&p->obj); /* the thread's reference */
	p->threads = t;
	p->live_threads = 1;
	list_add(p);
	thread_start(t);
	*out = p;
	return VIPER_OK;

fail:
	aspace_destroy(&p->as);
fail_account:
	mem_account_put(account); /* freed once the objects made for it are gone */
fail_struct:
	kfree(p);
	return err;
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
		if (p == root_process) {
			kprintf("kernel: root process exited with status %lld; powering off\n",
				(long long)p->exit_status);
			psci_system_off();
		}
	}
	kobject_unref(&p->obj);
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

/*
 * Device and IRQ capabilities for every board device the kernel does not
 * keep, in table `t` and listed in `handles` from *count on: the
 * fixed-function devices first, then the virtio-mmio slots. `room` is how
 * many handles may be listed in all.
 */
static err_t give_devices(const struct board_info *board, const struct root_start *root,
			  struct handle_table *t, viper_handle_t *handles, unsigned *count,
			  unsigned room)
{
	err_t err = VIPER_OK;

	for (unsigned pass = 0; pass < 2 && !err; pass++) {
		for (unsigned i = 0; i < board->device_count && !err; i++) {
			const struct board_device *d = &board->devices[i];
			struct device_region *r;
			struct irq_line *l;

			if (root->device_kept[i] ||
			    (d->kind == DEVICE_VIRTIO_MMIO) != (pass == 1) || *count + 2 > room)
				continue;
			r = device_region_create(d);
			if (!r)
				return VIPER_E_NOMEM;
			err = handle_give(t, &r->obj,
					  VIPER_RIGHT_READ | VIPER_RIGHT_WRITE |
						  VIPER_RIGHT_DEVICE | VIPER_RIGHT_DERIVE |
						  VIPER_RIGHT_TRANSFER,
					  &handles[*count]);
			if (err)
				break;
			(*count)++;
			l = d->irq ? irq_line_create(d->irq) : NULL;
			if (!l)
				continue;
			err = handle_give(t, &l->obj,
					  VIPER_RIGHT_READ | VIPER_RIGHT_IRQ | VIPER_RIGHT_DERIVE |
						  VIPER_RIGHT_TRANSFER,
					  &handles[*count]);
			if (!err)
				(*count)++;
		}
	}
	return err;
}

err_t process_start_root(const struct board_info *board, const struct root_start *root)
{
	viper_handle_t handles[VIPER_STARTUP_MAX_HANDLES];
	unsigned extra = root->grant_count + 1; /* the system object and the grants */
	struct handle_table *scratch;
	struct quota_limits limits;
	unsigned count = 0, devices;
	err_t err;

	if (boot_program_count == 0)
		return VIPER_E_NOTFOUND;
	if (extra > VIPER_STARTUP_MAX_HANDLES)
		return VIPER_E_LIMIT;
	/* The caps are made in a scratch table and move into the root at spawn. */
	scratch = kmalloc(sizeof(*scratch));
	if (!scratch)
		return VIPER_E_NOMEM;
	handle_table_init(scratch, VIPER_HANDLES_MAX);
	err = give_devices(board, root, scratch, handles, &count,
			   VIPER_STARTUP_MAX_HANDLES - extra);
	devices = count;
	if (!err)
		err = handle_create(scratch, system_object(),
				    VIPER_RIGHT_READ | VIPER_RIGHT_WRITE | VIPER_RIGHT_DERIVE |
					    VIPER_RIGHT_TRANSFER,
				    &handles[count++]);
	for (unsigned i = 0; i < root->grant_count && !err; i++)
		err = handle_create(scratch, root->grants[i].object, root->grants[i].rights,
				    &handles[count++]);
	quota_default(&limits); /* the root process has the kernel's default limits */
	if (!err)
		err = process_spawn(boot_programs[0].name, VIPER_PRIORITY_DEFAULT, &limits, NULL,
				    scratch, handles, count, 0, &root_process);
	handle_table_clear(scratch);
	kfree(scratch);
	if (err)
		return err;
	kprintf("kernel: started %s as the root process with %u device capabilities and the "
		"system capability\n",
		root_process->name, devices);
	if (root->grant_count)
		kprintf("kernel: gave it %u handles of kernel-placed components\n",
			root->grant_count);
	return VIPER_OK;
}
