/*
 * The kernel's part of an assembled system: the components the system
 * description links into the kernel (process "kernel" of the boot manifest).
 * A system without such components links src/no_components.c.
 */
#ifndef KERNEL_COMPONENTS_H
#define KERNEL_COMPONENTS_H

#include <kernel/board.h>
#include <kernel/err.h>
#include <kernel/process.h>

/*
 * Before the root process starts: creates the channels with a kernel end
 * and their bulk buffers, instantiates and initialises the kernel-placed
 * components (giving them the `board` devices the manifest grants them),
 * and lists in `grants` what the root process receives, in manifest channel
 * order: each channel's user-side end, followed by its bulk buffer (a
 * memory object) when it has one. Called with the big lock held.
 */
MUST_CHECK err_t kernel_components_prepare(const struct board_info *board,
					   struct root_grant *grants, unsigned max,
					   unsigned *count);

/* Starts the kernel threads that serve and run the kernel-placed components. */
MUST_CHECK err_t kernel_components_start(void);

#endif
