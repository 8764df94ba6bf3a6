/*
 * AArch64 translation tables: 4 KiB granule, 48-bit virtual addresses, four
 * levels. The kernel runs in the upper half through TTBR1 (one table shared
 * by every CPU); each process has its own lower-half table in TTBR0, tagged
 * with an ASID so a switch needs no TLB flush.
 */
#ifndef ARCH_MMU_H
#define ARCH_MMU_H

#include <stdbool.h>
#include <stdint.h>

#include <arch/sysreg.h>
#include <kernel/board.h>
#include <kernel/err.h>

/* Descriptor bits. */
#define PTE_VALID    (1ull << 0)
#define PTE_TABLE    (1ull << 1) /* levels 0-2: next table; level 3: page */
#define PTE_ATTR(i)  ((uint64_t)(i) << 2)
#define PTE_USER     (1ull << 6) /* AP[1]: EL0 may access */
#define PTE_RDONLY   (1ull << 7) /* AP[2] */
#define PTE_SH_INNER (3ull << 8)
#define PTE_AF	     (1ull << 10)
#define PTE_NG	     (1ull << 11) /* per-ASID */
#define PTE_PXN	     (1ull << 53)
#define PTE_UXN	     (1ull << 54)
#define PTE_ADDR     0x0000fffffffff000ull

/* MAIR indices. */
#define MAIR_DEVICE	 0     /* Device-nGnRE */
#define MAIR_NORMAL	 1     /* Normal, write-back */
#define MAIR_NORMAL_BYTE 0xffu /* its attribute byte in MAIR_EL1 */

#define PTE_KERNEL_RW                                                                              \
	(PTE_VALID | PTE_AF | PTE_SH_INNER | PTE_ATTR(MAIR_NORMAL) | PTE_PXN | PTE_UXN)
#define PTE_KERNEL_RO (PTE_KERNEL_RW | PTE_RDONLY)
#define PTE_KERNEL_RX                                                                              \
	(PTE_VALID | PTE_AF | PTE_SH_INNER | PTE_ATTR(MAIR_NORMAL) | PTE_RDONLY | PTE_UXN)
#define PTE_DEVICE (PTE_VALID | PTE_AF | PTE_ATTR(MAIR_DEVICE) | PTE_PXN | PTE_UXN)

/* Page protections for user mappings (enum viper_prot values). */
#define MMU_PROT_READ  1u
#define MMU_PROT_WRITE 2u
#define MMU_PROT_EXEC  4u

/* The leaf descriptor attributes for a user page with `prot` (never W and X). */
uint64_t mmu_user_attrs(unsigned prot, bool device);

/*
 * Builds the final kernel map from the device tree (RAM linear map, device
 * window, the kernel image with per-section permissions) and installs it on
 * the calling CPU. Secondary CPUs call mmu_install_kernel_map.
 */
MUST_CHECK err_t mmu_init_kernel(const struct board_info *board);
void mmu_install_kernel_map(void);

/*
 * Maps one 4 KiB page at `va` to `pa` with leaf attributes `attrs` in the
 * tree at `root` (physical), allocating tables. VIPER_E_NOMEM without memory
 * for a table; VIPER_E_BUSY when `va` is mapped already.
 */
MUST_CHECK err_t mmu_map_page(uint64_t root, uint64_t va, uint64_t pa, uint64_t attrs);

/*
 * How many translation tables mapping [va, va + size) in the tree at `root`
 * would add: what mmu_map_page allocates for those pages, counted first so
 * the caller can charge them.
 */
uint64_t mmu_tables_missing(uint64_t root, uint64_t va, uint64_t size);

/*
 * Makes every translation table that mapping [va, va + size) needs in the
 * tree at `root` (mmu_tables_missing counts them), without mapping a page,
 * so that pages mapped later in that range (on a fault) need no memory.
 * VIPER_E_NOMEM without memory for a table (those made stay).
 */
MUST_CHECK err_t mmu_prepare_tables(uint64_t root, uint64_t va, uint64_t size);

/* The leaf descriptor for `va`, or 0 when unmapped. */
uint64_t mmu_lookup(uint64_t root, uint64_t va);

/* Removes the mapping at `va` (nothing when there is none) and flushes it for `asid`. */
void mmu_unmap_page(uint64_t root, uint64_t va, uint16_t asid);

/*
 * Pages an unmap flushes one by one at most; a larger range flushes the
 * whole ASID (or, for the kernel's, every entry) once: under QEMU's TCG each
 * broadcast TLBI stops the CPU loop, so a lease of 256 pages cost 256 stops.
 */
#define MMU_TLBI_PAGES 16u

/* mmu_unmap_page over [va, va + size), pages. */
void mmu_unmap_range(uint64_t root, uint64_t va, uint64_t size, uint16_t asid);

/*
 * The physical address EL0 reaches at `va` through this CPU's current
 * lower-half table, if EL0 may read it (or write it, when `write`) and it is
 * normal memory; 0 otherwise. One hardware walk (AT S1E0R/S1E0W), which uses
 * the TLB; the caller keeps interrupts masked so nothing else uses PAR_EL1.
 */
static inline uint64_t mmu_user_translate(uint64_t va, bool write)
{
	uint64_t par;

	if (write)
		__asm__ volatile("at s1e0w, %1\n isb\n mrs %0, par_el1" : "=r"(par) : "r"(va));
	else
		__asm__ volatile("at s1e0r, %1\n isb\n mrs %0, par_el1" : "=r"(par) : "r"(va));
	/* PAR_EL1: F (bit 0) on a fault, else ATTR (bits 63:56) holds the MAIR byte. */
	if ((par & 1) || (par >> 56) != MAIR_NORMAL_BYTE)
		return 0;
	return (par & PTE_ADDR) | (va & 0xfff);
}

/*
 * The kernel window: a range of the kernel's upper-half table, far above the
 * linear map (one level-0 entry), where the kernel process maps memory
 * objects for kernel-placed components (aspace_map in kernel/process.h).
 */
#define KERNEL_WINDOW_BASE 0xffff800000000000ull
#define KERNEL_WINDOW_SIZE (1ull << 39)

/*
 * The kernel stack area: the next level-0 entry of the kernel's table,
 * where every thread's kernel stack is mapped with an unmapped guard below
 * it (kernel/kernel_stack.h).
 */
#define KSTACK_AREA_BASE 0xffff808000000000ull
#define KSTACK_AREA_SIZE (1ull << 39)

/*
 * Maps one 4 KiB page of the kernel window or the kernel stack area at `va`
 * to `pa` with leaf attributes `attrs` (PTE_KERNEL_RW or PTE_KERNEL_RO),
 * for every CPU. VIPER_E_INVAL outside both; otherwise as mmu_map_page.
 */
MUST_CHECK err_t mmu_map_kernel_page(uint64_t va, uint64_t pa, uint64_t attrs);

/*
 * Removes the window or stack-area page at `va` (nothing when unmapped) and
 * flushes it on every CPU.
 */
void mmu_unmap_kernel_page(uint64_t va);

/* mmu_unmap_kernel_page over [va, va + size), pages. */
void mmu_unmap_kernel_range(uint64_t va, uint64_t size);

/* The leaf descriptor of kernel window page `va`, or 0 when unmapped. */
uint64_t mmu_lookup_kernel(uint64_t va);

/*
 * Unmaps one page of the kernel image's own map (the linear map around
 * the image is made of pages): a guard page, whose every access faults.
 */
void mmu_guard_kernel_page(const void *va);

/* Frees every table under `root` (not the pages they map) and `root` itself. */
void mmu_free_tables(uint64_t root);

/* The TTBR0_EL1 value for table `root` with `asid`. */
static inline uint64_t mmu_user_table(uint64_t root, uint16_t asid)
{
	return root | ((uint64_t)asid << 48);
}

/* Makes `root` with `asid` the lower-half table of this CPU. */
static inline void mmu_switch_user(uint64_t root, uint16_t asid)
{
	write_sysreg(ttbr0_el1, mmu_user_table(root, asid));
	isb();
}

/* Drops every TLB entry of `asid` on all CPUs. */
void mmu_flush_asid(uint16_t asid);

/* Makes instructions written through the linear map at `va` visible. */
void mmu_sync_icache(const void *va, uint64_t size);

/* How many ASIDs the CPU has (256 or 65536). */
unsigned mmu_asid_count(void);

#endif
