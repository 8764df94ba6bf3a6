/*
 * Processes and their address spaces. A process owns a lower-half
 * translation table with its own ASID, a handle table, its threads and the
 * reply tokens of calls it received. User memory is reached only through
 * the copy helpers here, which walk the process's tables and fail with
 * VIPER_E_FAULT on a bad address instead of faulting the kernel.
 */
#ifndef KERNEL_PROCESS_H
#define KERNEL_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kernel/board.h>
#include <kernel/err.h>
#include <kernel/handle.h>
#include <kernel/lock.h>
#include <kernel/object.h>
#include <kernel/quota.h>
#include <kernel/sched.h>

#define ASPACE_MAX_MAPPINGS 64
#define PROCESS_MAX_REPLIES 16
#define USER_STACK_SIZE	    (64ul << 10)
#define USER_STACK_TOP	    0x00007fff00000000ull
#define USER_STARTUP_VA	    0x00007fff10000000ull
#define USER_MAP_BASE	    0x0000100000000000ull /* memory_map places mappings from here */

struct memory_object;
struct thread;

struct mapping {
	uint64_t va;
	uint64_t size;
	struct kobject *object; /* a memory object or a device region (holds a ref) */
	unsigned prot;
};

struct aspace {
	uint64_t root; /* physical */
	uint16_t asid;
	bool kernel; /* the kernel process's: "user" pointers are kernel pointers */
	struct mapping maps[ASPACE_MAX_MAPPINGS];
	unsigned map_count;
	struct mem_account *account; /* pays for the tables and the memory made for it */
	uint64_t table_pages;	     /* translation tables, the root included */
};

struct reply_slot {
	struct thread *caller; /* NULL when free or the caller went away */
	uint32_t gen;
	bool used;
};

struct process {
	struct kobject obj;
	char name[VIPER_IMAGE_NAME_MAX];
	struct aspace as;
	struct handle_table handles;
	struct quota_limits limits; /* enforced: as.account, handles.limit, live_threads */
	struct thread *threads;
	unsigned live_threads;
	bool dying;
	bool exited;
	int64_t exit_status;
	struct reply_slot replies[PROCESS_MAX_REPLIES];
	uint64_t parent_koid;	   /* the spawning process's koid; 0 when the kernel started it */
	unsigned priority;	   /* its first thread's, as given at spawn */
	struct process *list_next; /* the next in process_list() */
};

/*
 * The kernel process: the owner of the handles and threads of kernel-placed
 * components (see kernel/kthread.h). It has no user memory; its "user"
 * pointers are kernel pointers, which only kernel code can pass. Its
 * mappings of memory objects live in the kernel window (arch/mmu.h).
 */
extern struct process kernel_process;

/*
 * Every process whose object still exists (running, dying, or exited but
 * still named by a handle), in creation order: the kernel's own first,
 * then the root. Follow ->list_next. Under the big lock.
 */
struct process *process_list(void);

/* True for the root process (the first program of the boot image). */
bool process_is_root(const struct process *p);

/* What `p` holds now and its limits, as process_usage reports them. */
void process_usage(const struct process *p, struct viper_usage *out);

/* The empty lower-half table CPUs use while no process runs. */
uint64_t aspace_empty_root(void);
MUST_CHECK err_t process_init_system(void);

/*
 * Copies between kernel memory and the user memory of `as`. VIPER_E_FAULT
 * when any byte is unmapped, not user-accessible, or (for writes) read-only;
 * then nothing was written.
 */
MUST_CHECK err_t copy_from_user(const struct aspace *as, void *dst, uint64_t src, size_t n);
MUST_CHECK err_t copy_to_user(const struct aspace *as, uint64_t dst, const void *src, size_t n);

/*
 * The kernel address of user range [va, va + n) when it lies within one page
 * of `as`, `as` is installed on this CPU (cpu_use_aspace) and user space may
 * read (or write) it there; NULL otherwise, n == 0 included. For the IPC fast
 * path, which copies between two address spaces; the result is valid while
 * the big kernel lock is held.
 */
void *user_pointer(const struct aspace *as, uint64_t va, size_t n, bool write);

/*
 * Maps `object` (memory or device region) at a free place or `va`; see
 * memory_map. In the kernel process's `as` only memory objects map, never
 * executable, at a place the kernel chooses (`va` 0) in the kernel window:
 * VIPER_E_UNSUPPORTED for a device or exec, VIPER_E_INVAL for a `va`.
 */
MUST_CHECK err_t aspace_map(struct aspace *as, struct kobject *object, uint64_t offset,
			    uint64_t size, unsigned prot, uint64_t va, uint64_t *out_va);
MUST_CHECK err_t aspace_unmap(struct aspace *as, uint64_t va, uint64_t size);

/*
 * Creates a process running boot-image program `image` with one thread at
 * `priority` and `limits`, as a child of `parent` (NULL: the kernel starts
 * it). The `count` handles in `handles` move from table
 * `from` into the new process's table and are listed, with `argument`, in
 * its startup block. Each needs the transfer right and may appear once. Its
 * program's segments, stack, startup page and tables are charged to its
 * memory limit: VIPER_E_LIMIT when they do not fit, or when its handle limit
 * lacks room for the moved handles and its own two. On failure nothing
 * changed: the handles stay where they were.
 */
MUST_CHECK err_t process_spawn(const char *image, unsigned priority,
			       const struct quota_limits *limits, const struct process *parent,
			       struct handle_table *from, const viper_handle_t *handles,
			       unsigned count, uint64_t argument, struct process **out);

/* Kills `p` with `status`: every thread ends at its next exit from the kernel. */
void process_kill(struct process *p, int64_t status);
/* The thread layer tells the process a thread is ending / is gone (after its switch away). */
void process_thread_exiting(struct process *p, struct thread *t);
void process_thread_gone(struct process *p);

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

/* The kernel's boot image: programs linked in by the system build. */
struct boot_program {
	const char *name;
	const uint8_t *data;
	uint64_t size;
};
extern const struct boot_program boot_programs[];
extern const unsigned boot_program_count;

/* Checks an ELF image and loads its segments into `as`; the entry point goes to *entry. */
MUST_CHECK err_t elf_load(struct aspace *as, const uint8_t *data, uint64_t size, uint64_t *entry);

/* A capability the kernel hands the root process at start, after the device caps. */
struct root_grant {
	struct kobject *object;
	uint32_t rights;
};

#define ROOT_GRANTS_MAX 32

/*
 * What the root process gets besides the board's devices, and which devices
 * it does not get: those kernel-placed drivers own (kernel_components_prepare
 * fills this in). A device the kernel keeps has exactly one owner, so the
 * root gets neither its region nor its IRQ line.
 */
struct root_start {
	struct root_grant grants[ROOT_GRANTS_MAX]; /* each holds a reference */
	unsigned grant_count;
	bool device_kept[BOARD_MAX_DEVICES]; /* by index in board_info.devices */
};

/*
 * Starts the first program of the boot image as the root process. Its
 * startup handles, in order: a device region for every board device the
 * kernel does not keep, each followed by its IRQ line when it has one (the
 * PL011 included: the kernel keeps only polled output on it); the system
 * object (VIPER_OBJ_SYSTEM, read, write, derive, transfer); then
 * root->grants. VIPER_E_NOTFOUND when the boot image has no programs.
 */
MUST_CHECK err_t process_start_root(const struct board_info *board, const struct root_start *root);

#endif
