/*
 * The system object (VIPER_OBJ_SYSTEM): one kernel object, made at boot,
 * whose capability lets its holder look at the whole system (the read
 * right: a summary, every process, any process's handles) and stop
 * processes (the write right). The root process gets a handle to it at
 * start; a kernel-placed component gets one when the system description
 * grants it. What a handle table or the process list holds is copied out
 * one entry at a time, so no call needs a large buffer on the kernel stack.
 * Everything here runs under the big lock.
 */
#ifndef KERNEL_SYSTEM_OBJECT_H
#define KERNEL_SYSTEM_OBJECT_H

#include <stdint.h>

#include <kernel/err.h>
#include <kernel/handle.h>
#include <kernel/object.h>

struct aspace;
struct process;

/* Registers the kind and makes the system object (once, at boot). */
void system_init(void);

/* The system object; it lives for ever. */
struct kobject *system_object(void);

/* The summary system_info reports. */
void system_info(struct viper_system_info *out);

/*
 * Copies the live handles of table `t`, in slot order, to `out` in `to`
 * (at most `max` entries). Returns how many handles `t` holds in all, or
 * VIPER_E_FAULT when `out` is not writable for the entries written (those
 * before the failing one are written).
 */
int64_t system_list_handles(const struct handle_table *t, struct aspace *to, uint64_t out,
			    uint32_t max);

/*
 * Copies process_list() to `out` in `to` as struct viper_process_entry (at
 * most `max`). Returns how many processes there are in all, or
 * VIPER_E_FAULT as system_list_handles. Gives the big lock back for a
 * moment after every 16 entries, so no call holds it for work that grows
 * with the number of processes.
 */
int64_t system_list_processes(struct aspace *to, uint64_t out, uint32_t max);

/* The process with kernel id `koid` that has not exited; NULL when none. */
struct process *system_find_process(uint64_t koid);

/*
 * Kills the process with kernel id `koid` as process_kill does without a
 * status (VIPER_EXIT_KILLED), on behalf of `caller`. VIPER_E_NOTFOUND when
 * no such process is running (never was, or has exited); VIPER_E_INVAL for
 * the kernel's own process, the root process and `caller` itself. Killing
 * a process that is already dying changes nothing and succeeds.
 */
MUST_CHECK err_t system_kill(const struct process *caller, uint64_t koid);

#endif
