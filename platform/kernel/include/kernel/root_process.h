/*
 * The root process: the first program of the boot image, started by the
 * kernel with the capabilities to everything (every board device the
 * kernel does not keep, the system object, and what kernel-placed
 * components grant it). When it exits, the kernel powers the machine off.
 */
#ifndef KERNEL_ROOT_PROCESS_H
#define KERNEL_ROOT_PROCESS_H

#include <stdbool.h>
#include <stdint.h>

#include <kernel/board.h>
#include <kernel/err.h>
#include <kernel/object.h>

struct process;

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

/* The root process, once started (else NULL). */
struct process *root_process(void);

#endif
