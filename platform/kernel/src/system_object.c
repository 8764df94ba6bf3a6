/* The system object and the views it gives (kernel/system_object.h). */
#include <kernel/system_object.h>

#include <arch/timer.h>
#include <kernel/page_alloc.h>
#include <kernel/process.h>
#include <kernel/program_cache.h>
#include <kernel/root_process.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <kernel/user_copy.h>

static struct kobject system_obj;

/* The one system object is never destroyed: its own reference keeps it. */
static const struct kobject_ops system_ops = {NULL, NULL, NULL, NULL};

void system_init(void)
{
	kobject_register(VIPER_OBJ_SYSTEM, &system_ops);
	kobject_init(&system_obj, VIPER_OBJ_SYSTEM);
}

struct kobject *system_object(void)
{
	return &system_obj;
}

void system_info(struct viper_system_info *out)
{
	struct memory_stats stats;
	struct program_cache_stats cache;

	memset(out, 0, sizeof(*out));
	memory_stats(&stats);
	out->uptime_ns = timer_now_ns();
	out->memory_total_bytes = (uint64_t)stats.total_pages * PAGE_SIZE;
	out->memory_free_bytes = (uint64_t)(stats.free_pages - stats.committed_pages) * PAGE_SIZE;
	out->memory_promised_bytes = (uint64_t)stats.committed_pages * PAGE_SIZE;
	out->processes = process_count_all();
	out->threads = thread_count_all();
	out->cpus = sched_cpu_count();
	program_cache_stats(&cache);
	out->program_cache_bytes = cache.bytes;
	out->program_cache_images = cache.images;
	out->program_cache_hits = cache.hits;
	out->program_cache_misses = cache.misses;
}

int64_t system_list_handles(const struct handle_table *t, struct aspace *to, uint64_t out,
			    uint32_t max)
{
	struct viper_handle_entry e;
	uint32_t total = 0;

	for (uint32_t i = 0; i < VIPER_HANDLES_MAX; i++) {
		if (!handle_entry(t, i, &e) || total++ >= max)
			continue;
		err_t err = copy_to_user(to, out, &e, sizeof(e));
		if (err)
			return err;
		out += sizeof(e);
	}
	return total;
}

static void process_entry(const struct process *p, struct viper_process_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->koid = p->obj.koid;
	e->parent_koid = p->parent_koid;
	strlcpy(e->name, p->name, sizeof(e->name));
	e->priority = p->priority;
	e->state = p->dying || p->exited ? VIPER_PROCESS_EXITED : VIPER_PROCESS_RUNNING;
	process_usage(p, &e->usage);
}

/* Entries system_list_processes writes before it gives the big lock back for a moment. */
#define LIST_BATCH 16

/*
 * Lets other CPUs into the kernel in the middle of a list: `p`, the next
 * process to list, is held (its object, and so its place in the list,
 * stays) instead of *held, the one held before.
 */
static void let_others_in(struct process *p, struct process **held)
{
	kobject_ref(&p->obj);
	if (*held)
		kobject_unref(&(*held)->obj);
	*held = p;
	kernel_unlock();
	kernel_lock();
}

int64_t system_list_processes(struct aspace *to, uint64_t out, uint32_t max)
{
	struct viper_process_entry e;
	struct process *held = NULL;
	uint32_t copied = 0;
	err_t err = VIPER_OK;

	/* Only what is asked for is visited: the total is counted as processes come and go. */
	for (struct process *p = process_list(); p && copied < max && !err; p = p->list_next) {
		if (copied && copied % LIST_BATCH == 0)
			let_others_in(p, &held);
		process_entry(p, &e);
		err = copy_to_user(to, out, &e, sizeof(e));
		out += sizeof(e);
		copied++;
	}
	if (held)
		kobject_unref(&held->obj);
	if (err)
		return err;
	return process_count_all();
}

struct process *system_find_process(uint64_t koid)
{
	struct process *p = process_find(koid);

	return p && !p->exited ? p : NULL;
}

err_t system_kill(const struct process *caller, uint64_t koid)
{
	struct process *p = system_find_process(koid);

	if (!p)
		return VIPER_E_NOTFOUND;
	if (p == &kernel_process || process_is_root(p) || p == caller)
		return VIPER_E_INVAL;
	process_kill(p, VIPER_EXIT_KILLED);
	return VIPER_OK;
}
