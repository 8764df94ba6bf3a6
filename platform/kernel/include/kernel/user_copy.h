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

#include <arch/mmu.h>
#include <kernel/aspace.h>
#include <kernel/err.h>
#include <kernel/page_alloc.h>
#include <kernel/sched.h>

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
static inline __attribute__((always_inline)) void *user_pointer(struct aspace *as, uint64_t va,
								size_t n, bool write)
{
	uint64_t pa;

	if (as->kernel)
		return n ? (void *)(uintptr_t)va : NULL;
	if (n - 1 >= PAGE_SIZE - (va & (PAGE_SIZE - 1)) || va >= VIPER_USER_TOP ||
	    this_cpu()->user_as != as)
		return NULL;
	pa = mmu_user_translate(va, write);
	return pa ? phys_to_virt(pa) : NULL;
}

/*
 * One page of user memory a fast path translated (for user_pointer_in), so
 * a second buffer in the same page needs no second translation.
 */
struct user_view {
	uint64_t page; /* its user address; 1 (no page's) when none */
	uint8_t *kernel;
	bool write; /* translated for writing */
};

#define USER_VIEW_NONE                                                                             \
	{                                                                                          \
		1, NULL, false                                                                     \
	}

/* Makes `v` the view of the page holding `va`, which user_pointer translated to `p`. */
static inline void user_view_set(struct user_view *v, uint64_t va, void *p, bool write)
{
	uint64_t offset = va & (PAGE_SIZE - 1);

	*v = (struct user_view){va - offset, (uint8_t *)p - offset, write};
}

/* user_pointer, reusing view `v` of the same address space when the range lies in its page. */
static inline __attribute__((always_inline)) void *
user_pointer_in(struct user_view *v, struct aspace *as, uint64_t va, size_t n, bool write)
{
	uint64_t offset = va & (PAGE_SIZE - 1);
	void *p;

	if ((va & ~(uint64_t)(PAGE_SIZE - 1)) == v->page && n - 1 < PAGE_SIZE - offset &&
	    (v->write || !write))
		return v->kernel + offset;
	p = user_pointer(as, va, n, write);
	if (p)
		user_view_set(v, va, p, write);
	return p;
}

#endif
