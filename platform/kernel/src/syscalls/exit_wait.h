/* Waiting for a process or a thread to end: process_wait and thread_wait share it. */
#ifndef KERNEL_SYSCALLS_EXIT_WAIT_H
#define KERNEL_SYSCALLS_EXIT_WAIT_H

#include <stdbool.h>
#include <stdint.h>

#include <kernel/object.h>

/* How to tell that an object of `kind` ended, and its status. */
struct exit_kind {
	uint32_t kind;
	bool (*ended)(const struct kobject *o);
	int64_t (*status)(const struct kobject *o);
};

/*
 * Waits (up to `timeout` ns) for the object handle `h` names, of `k->kind`
 * and with the read right, to end; its status goes to user address
 * `status_ptr` unless that is 0. VIPER_E_INVAL for a thread waiting for
 * itself.
 */
int64_t wait_exit(const struct exit_kind *k, uint64_t h, uint64_t status_ptr, int64_t timeout);

#endif
