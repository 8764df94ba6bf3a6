/* User memory access (kernel/user_copy.h). */
#include <kernel/user_copy.h>

#include <arch/mmu.h>
#include <kernel/page_alloc.h>
#include <kernel/sched.h>
#include <kernel/string.h>

/*
 * The physical address for `va` if `as` lets user space read (or write) it
 * as normal memory; 0 if not. The address space installed on this CPU is
 * translated by the hardware walker, any other by walking its tables.
 */
static uint64_t user_page(struct aspace *as, uint64_t va, bool write)
{
	uint64_t e;

	if (va >= VIPER_USER_TOP)
		return 0;
	if (this_cpu()->user_as == as)
		return mmu_user_translate(va, write);
	e = mmu_lookup(as->root, va);
	if (!(e & PTE_VALID) || !(e & PTE_USER) || (e & PTE_ATTR(7)) != PTE_ATTR(MAIR_NORMAL))
		return 0;
	if (write && (e & PTE_RDONLY))
		return 0;
	return (e & PTE_ADDR) | (va & (PAGE_SIZE - 1));
}

/*
 * user_page, bringing the page in first when the address is mapped but its
 * page is not there yet (demand-zero, or shared with a clone for a write).
 */
static uint64_t user_page_in(struct aspace *as, uint64_t va, bool write)
{
	uint64_t pa = user_page(as, va, write);

	if (pa || va >= VIPER_USER_TOP ||
	    aspace_fault(as, va, write ? ACCESS_WRITE : ACCESS_READ) != VIPER_OK)
		return pa;
	return user_page(as, va, write);
}

/*
 * Translates every page of [va, va + n) or fails with VIPER_E_FAULT. The
 * first COPY_PAGES translations are kept in `pa` so the copy need not walk
 * the tables again.
 */
#define COPY_PAGES 2

static err_t translate(struct aspace *as, uint64_t va, size_t n, bool write,
		       uint64_t pa[COPY_PAGES])
{
	uint64_t end = va + n;
	unsigned i = 0;

	if (n == 0)
		return VIPER_OK;
	if (end < va)
		return VIPER_E_FAULT;
	for (uint64_t p = va & ~(PAGE_SIZE - 1); p < end; p += PAGE_SIZE, i++) {
		uint64_t a = user_page_in(as, p, write);
		if (!a)
			return VIPER_E_FAULT;
		if (i < COPY_PAGES)
			pa[i] = a;
	}
	return VIPER_OK;
}

/* Copies between the user range at `va` and `buf` (to user when `write`), any length. */
static __attribute__((noinline)) err_t copy_user(struct aspace *as, uint64_t va, void *buf,
						 size_t n, bool write)
{
	uint64_t pa[COPY_PAGES];
	uint8_t *b = buf;
	unsigned i = 0;
	err_t err;

	if (as->kernel) {
		if (write)
			memcpy((void *)(uintptr_t)va, buf, n);
		else
			memcpy(buf, (const void *)(uintptr_t)va, n);
		return VIPER_OK;
	}
	err = translate(as, va, n, write, pa);
	if (err)
		return err;
	while (n) {
		size_t chunk = PAGE_SIZE - (va & (PAGE_SIZE - 1));
		uint64_t page =
			i < COPY_PAGES ? pa[i] : user_page_in(as, va & ~(PAGE_SIZE - 1), write);
		void *user = phys_to_virt((page & ~(PAGE_SIZE - 1)) | (va & (PAGE_SIZE - 1)));

		if (chunk > n)
			chunk = n;
		if (write)
			memcpy(user, b, chunk);
		else
			memcpy(b, user, chunk);
		b += chunk;
		va += chunk;
		n -= chunk;
		i++;
	}
	return VIPER_OK;
}

/*
 * The common case: a non-empty range inside one page of the address space
 * installed on this CPU, translated by the hardware walker. 0 when another
 * case applies or the translation fails (copy_user then decides).
 */
static inline uint64_t one_page(struct aspace *as, uint64_t va, size_t n, bool write)
{
	if (n - 1 >= PAGE_SIZE - (va & (PAGE_SIZE - 1)) || va >= VIPER_USER_TOP ||
	    this_cpu()->user_as != as)
		return 0;
	return mmu_user_translate(va, write);
}

err_t copy_from_user(struct aspace *as, void *dst, uint64_t src, size_t n)
{
	uint64_t pa = one_page(as, src, n, false);

	if (!pa)
		return copy_user(as, src, dst, n, false);
	memcpy(dst, phys_to_virt(pa), n);
	return VIPER_OK;
}

err_t copy_to_user(struct aspace *as, uint64_t dst, const void *src, size_t n)
{
	uint64_t pa = one_page(as, dst, n, true);

	if (!pa)
		return copy_user(as, dst, (void *)(uintptr_t)src, n, true);
	memcpy(phys_to_virt(pa), src, n);
	return VIPER_OK;
}
