/*
 * Processes (VIPER_OBJ_PROCESS): an address space (kernel/aspace.h), a
 * handle table, its threads, its quotas and the reply tokens of calls it
 * received (kernel/call.h). A process ends when its last thread has ended
 * (or it was killed and every thread has left the kernel); its handles and
 * memory are released then, and its object lives on while a handle names
 * it, reporting the exit status.
 *
 * A process's children end with it: when it ends, each child that has not
 * ended yet is killed with VIPER_EXIT_PARENT_ENDED (and so, in turn, are
 * theirs), unless the parent handed the child to another process first
 * (process_set_parent), typically its supervisor. Under the big kernel lock.
 */
#ifndef KERNEL_PROCESS_H
#define KERNEL_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kernel/aspace.h>
#include <kernel/call.h>
#include <kernel/err.h>
#include <kernel/handle.h>
#include <kernel/lock.h>
#include <kernel/object.h>
#include <kernel/quota.h>
#include <kernel/sched.h>

struct thread;

struct process {
	struct kobject obj;
	char name[VIPER_IMAGE_NAME_MAX];
	bool dying;
	bool exited;
	int64_t exit_status;
	struct reply_slot replies[PROCESS_MAX_REPLIES]; /* near the start for the IPC fast path */
	struct aspace as;
	struct handle_table handles;
	struct quota_limits limits; /* enforced: as.account, handles.limit, live_threads */
	struct thread *threads;
	unsigned live_threads;
	uint64_t parent_koid;	   /* the spawning process's koid; 0 when the kernel started it */
	unsigned priority;	   /* its first thread's, as given at spawn */
	struct process *list_next; /* the next in process_list() */
	struct process *list_prev;
	struct process *koid_next; /* the next in its process_find bucket */
	struct mem_account *payer; /* pays for this object: the parent's account */
	bool listed;		   /* in process_list() */
	/* The process tree: a process that has not ended is its parent's child. */
	struct process *parent;
	struct process *children;
	struct process *sibling_next;
	struct process *sibling_prev;
};

/*
 * The kernel process: the owner of the handles and threads of kernel-placed
 * components (see kernel/kthread.h). It has no user memory; its "user"
 * pointers are kernel pointers, which only kernel code can pass. Its
 * mappings of memory objects live in the kernel window (arch/mmu.h).
 */
extern struct process kernel_process;

/* Sets up the kernel process and registers the process kind (at boot). */
MUST_CHECK err_t process_init_system(void);

/*
 * Every process whose object still exists (running, dying, or exited but
 * still named by a handle), in creation order: the kernel's own first,
 * then the root. Follow ->list_next.
 */
struct process *process_list(void);

/* The process with kernel id `koid` whose object exists (it may have exited), or NULL. */
struct process *process_find(uint64_t koid);
/* How many processes process_list() holds, and how many threads have not ended. */
unsigned process_count_all(void);
unsigned thread_count_all(void);
/* Counts a kernel thread made (+1) outside process_add_thread. */
void process_count_thread(int delta);

/* What `p` holds now and its limits, as process_usage reports them. */
void process_usage(const struct process *p, struct viper_usage *out);

struct memory_object;

/* What process_spawn starts. */
struct spawn_request {
	const char *image; /* boot-image program; the process's name with `file` */
	unsigned priority; /* of its first thread, <= VIPER_PRIORITY_MAX */
	struct quota_limits limits;
	struct process *parent;	       /* NULL: the kernel starts it */
	struct handle_table *from;     /* where `handles` and the grants' handles are */
	const viper_handle_t *handles; /* moved into the child */
	unsigned count;		       /* <= VIPER_STARTUP_MAX_HANDLES */
	uint64_t argument;
	/* Or, for process_spawn_image: the program is the ELF file in the first
	 * `file_size` bytes of `file` (held by the caller), and the child's
	 * handles are derived from `grants` (checked by process_check_grants)
	 * instead of moved. */
	struct memory_object *file;
	uint64_t file_size;
	const struct viper_spawn_grant *grants;
	unsigned grant_count; /* <= VIPER_SPAWN_MAX_GRANTS */
};

/*
 * Checks that the `count` handles of a spawn request may move: each
 * exists in `from`, has the transfer right, and appears once.
 */
MUST_CHECK err_t process_check_handles(struct handle_table *from, const viper_handle_t *handles,
				       unsigned count);

/*
 * Checks that each of the `count` grants may be derived into a new
 * process: its handle exists in `from` with the derive and transfer rights
 * (VIPER_E_BADHANDLE, VIPER_E_RIGHTS), its rights are known
 * (VIPER_E_INVAL) and a subset of the handle's (VIPER_E_RIGHTS), and the
 * chain below it may grow (VIPER_E_LIMIT).
 */
MUST_CHECK err_t process_check_grants(struct handle_table *from,
				      const struct viper_spawn_grant *grants, unsigned count);

/*
 * Creates a process running `rq->image` (or the ELF file `rq->file`) with
 * one thread, its handles (checked by process_check_handles) moving from
 * `rq->from` into the new table, or derived there from the grants, and
 * listed, with the argument, in its startup block. Its program's
 * segments, stack, startup page and tables are charged to its memory
 * limit: VIPER_E_LIMIT when they do not fit, or when its handle limit lacks
 * room for the moved or given handles and its own two; VIPER_E_NOTFOUND
 * for an unknown image; the errors of elf_load_image for a file. On
 * failure nothing changed: the handles stay where they were, and no grant
 * was derived.
 */
MUST_CHECK err_t process_spawn(const struct spawn_request *rq, struct process **out);

/*
 * Checks that `child`, a child of `caller`, may become a child of
 * `parent`, an ancestor of `caller` (a child is handed up the tree, to a
 * supervisor): VIPER_E_INVAL when `child` is not the caller's child or
 * `parent` not one of its ancestors; VIPER_E_PEERCLOSED when either has
 * ended or is being killed.
 */
MUST_CHECK err_t process_check_new_parent(const struct process *caller, const struct process *child,
					  const struct process *parent);
/* Makes `child` a child of `parent` (checked by process_check_new_parent). */
void process_set_parent(struct process *child, struct process *parent);

/* Links the new thread `t` (thread_create) into `p`, which counts it. */
void process_add_thread(struct process *p, struct thread *t);

/* Kills `p` with `status`: every thread ends at its next exit from the kernel. */
void process_kill(struct process *p, int64_t status);
/* The thread layer tells the process a thread is ending / is gone (after its switch away). */
void process_thread_exiting(struct process *p, struct thread *t);
void process_thread_gone(struct process *p);

/* True once `p` has ended (its status is final). */
static inline bool process_ended(const struct process *p)
{
	return p->exited;
}

/* True for the root process (the first program of the boot image). */
bool process_is_root(const struct process *p);

/* trap_return_to_user when a thread must exit or a switch is due. */
void trap_return_to_user_slow(void);

/* Returns to user space from a trap: exits killed threads, preempts, drops the big lock. */
static inline void trap_return_to_user(void)
{
	struct cpu *c = this_cpu();

	if (!c->need_resched && !c->current->process->dying)
		kernel_unlock(); /* the common case */
	else
		trap_return_to_user_slow();
}

#endif
