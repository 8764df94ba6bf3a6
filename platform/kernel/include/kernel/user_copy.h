/*
 * User memory, reached only through these helpers: they translate every
 * page first and fail with VIPER_E_FAULT on an unmapped, kernel, device or
 * (for writes) read-only address instead of faulting the kernel. A page
 * that is mapped but not there yet (kernel/aspace.h) is brought in first. The
 * address space installed on the CPU is translated by the hardware
 * (AT S1E0R/W, which checks EL0's permissions and that the memory is
 * normal), any other by walking its tables. In the kernel process's space
 * "user" pointers are kernel pointers. Under the big kernel lock.
 */
#ifndef KERNEL_USER_COPY_H
#define KERNEL_USER_COPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kernel/aspace.h>
#include <kernel/err.h>

/*
 * Copies between kernel memory and the user memory of `as`. VIPER_E_FAULT
 * when any byte is unmapped, not user-accessible, or (for writes) read-only;
 * then nothing was written.
 */
MUST_CHECK err_t copy_from_user(struct aspace *as, void *dst, uint64_t src, size_t n);
MUST_CHECK err_t copy_to_user(struct aspace *as, uint64_t dst, const void *src, size_t n);

/*
 * The kernel address of user range [va, va + n) when it lies within one page
 * of `as`, `as` is installed on this CPU (cpu_use_aspace) and user space may
 * read (or write) it there; NULL otherwise, n == 0 included. For the IPC fast
 * path, which copies between two address spaces; the result is valid while
 * the big kernel lock is held.
 */
void *user_pointer(struct aspace *as, uint64_t va, size_t n, bool write);

#endif
