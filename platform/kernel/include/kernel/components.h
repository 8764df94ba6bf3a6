/*
 * The kernel's part of an assembled system: the components the system
 * description links into the kernel (process "kernel" of the boot manifest).
 * A system without such components links src/no_components.c.
 */
#ifndef KERNEL_COMPONENTS_H
#define KERNEL_COMPONENTS_H

#include <kernel/board.h>
#include <kernel/err.h>
#include <kernel/root_process.h>

/*
 * Before the root process starts: creates the channels with a kernel end
 * and their bulk buffers, instantiates and initialises the kernel-placed
 * components (giving them the `board` devices the manifest grants them,
 * each device's IRQ line as a handle of the kernel process, and the system
 * capability when granted). Fills in `root`: in root->grants what the root
 * process receives, in manifest channel order (each channel's user-side
 * end, followed by its bulk buffer, a memory object, when it has one), and
 * in root->device_kept the board devices the kernel-placed components own,
 * which the root does not get. Called with the big lock held.
 */
MUST_CHECK err_t kernel_components_prepare(const struct board_info *board, struct root_start *root);

/* Starts the kernel threads that serve and run the kernel-placed components. */
MUST_CHECK err_t kernel_components_start(void);

#endif
