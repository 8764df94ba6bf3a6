#include <arch/mmu.h>

#include <arch/sysreg.h>
#include <kernel/page_alloc.h>
#include <kernel/string.h>

extern char __kernel_start[], __text_end[], __rodata_end[], __kernel_end[];

/* The kernel's upper-half table and an empty lower-half one for CPUs without a process. */
static uint64_t kernel_root;
static uint64_t empty_root;

enum {
	SCTLR_M = 1 << 0,
	SCTLR_C = 1 << 2,
	SCTLR_SA = 1 << 3,
	SCTLR_SA0 = 1 << 4,
	SCTLR_I = 1 << 12,
	SCTLR_DZE = 1 << 14,
	SCTLR_UCT = 1 << 15,
	SCTLR_NTWI = 1 << 16,
	SCTLR_NTWE = 1 << 18,
	SCTLR_WXN = 1 << 19,
	SCTLR_UCI = 1 << 26,
	SCTLR_RES1 = (1 << 29) | (1 << 28) | (1 << 23) | (1 << 22) | (1 << 20) | (1 << 11),
};

static uint64_t *table(uint64_t pa)
{
	return phys_to_virt(pa);
}

static unsigned index_at(uint64_t va, unsigned level)
{
	return (unsigned)(va >> (39 - 9 * level)) & 511;
}

/* The descriptor slot for `va` at `level` (0-3), creating tables on the way when asked. */
static uint64_t *slot(uint64_t root, uint64_t va, unsigned level, bool create)
{
	uint64_t t = root;

	for (unsigned l = 0; l < level; l++) {
		uint64_t *e = &table(t)[index_at(va, l)];
		if (!(*e & PTE_VALID)) {
			uint64_t next;
			if (!create)
				return NULL;
			next = page_alloc(0);
			if (!next)
				return NULL;
			__asm__ volatile("dsb ishst" ::: "memory");
			*e = next | PTE_VALID | PTE_TABLE;
		} else if (!(*e & PTE_TABLE)) {
			return NULL; /* a block maps this range */
		}
		t = *e & PTE_ADDR;
	}
	return &table(t)[index_at(va, level)];
}

uint64_t mmu_user_attrs(unsigned prot, bool device)
{
	uint64_t a = PTE_VALID | PTE_AF | PTE_NG | PTE_USER | PTE_PXN;

	a |= device ? PTE_ATTR(MAIR_DEVICE) : (PTE_ATTR(MAIR_NORMAL) | PTE_SH_INNER);
	if (!(prot & MMU_PROT_WRITE))
		a |= PTE_RDONLY;
	if (!(prot & MMU_PROT_EXEC) || (prot & MMU_PROT_WRITE) || device)
		a |= PTE_UXN;
	return a;
}

err_t mmu_map_page(uint64_t root, uint64_t va, uint64_t pa, uint64_t attrs)
{
	uint64_t *e = slot(root, va, 3, true);

	if (!e)
		return VIPER_E_NOMEM;
	if (*e & PTE_VALID)
		return VIPER_E_BUSY;
	*e = (pa & PTE_ADDR) | attrs | PTE_TABLE;
	__asm__ volatile("dsb ishst" ::: "memory");
	return VIPER_OK;
}

/* Tables that mapping [va, end) adds under table `t` of `level` (0: `t` is missing too). */
static uint64_t tables_missing(uint64_t t, unsigned level, uint64_t va, uint64_t end)
{
	uint64_t span = 1ull << (39 - 9 * level); /* what one entry of this level covers */
	uint64_t n = 0;

	if (level == 3)
		return 0; /* leaves only */
	while (va < end) {
		uint64_t next = (va & ~(span - 1)) + span;
		uint64_t e = t ? table(t)[index_at(va, level)] : 0;
		uint64_t child =
			(e & (PTE_VALID | PTE_TABLE)) == (PTE_VALID | PTE_TABLE) ? e & PTE_ADDR : 0;

		if (next > end || next == 0)
			next = end;
		n += (child ? 0 : 1) + tables_missing(child, level + 1, va, next);
		va = next;
	}
	return n;
}

uint64_t mmu_tables_missing(uint64_t root, uint64_t va, uint64_t size)
{
	return tables_missing(root, 0, va, va + size);
}

err_t mmu_prepare_tables(uint64_t root, uint64_t va, uint64_t size)
{
	const uint64_t span = 2ull << 20; /* what one last-level table covers */

	for (uint64_t a = va & ~(span - 1); a < va + size; a += span) {
		if (!slot(root, a, 3, true))
			return VIPER_E_NOMEM;
	}
	return VIPER_OK;
}

uint64_t mmu_lookup(uint64_t root, uint64_t va)
{
	uint64_t *e = slot(root, va, 3, false);

	return e ? *e : 0;
}

void mmu_unmap_page(uint64_t root, uint64_t va, uint16_t asid)
{
	uint64_t *e = slot(root, va, 3, false);

	if (!e || !(*e & PTE_VALID))
		return;
	*e = 0;
	__asm__ volatile("dsb ishst\n"
			 "tlbi vae1is, %0\n"
			 "dsb ish\n"
			 "isb"
			 :
			 : "r"((va >> 12) | ((uint64_t)asid << 48))
			 : "memory");
}

/* Clears the leaf entries of [va, va + size) under `root`; whether any was valid. */
static bool clear_range(uint64_t root, uint64_t va, uint64_t size)
{
	bool any = false;

	uint64_t *e = NULL;

	for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
		/* One walk a leaf table: the entries of its 512 pages lie in a row. */
		if (e == NULL || index_at(va + off, 3) == 0)
			e = slot(root, va + off, 3, false);
		else
			e++;
		if (e && (*e & PTE_VALID)) {
			*e = 0;
			any = true;
		}
	}
	return any;
}

void mmu_unmap_range(uint64_t root, uint64_t va, uint64_t size, uint16_t asid)
{
	if (size <= MMU_TLBI_PAGES * PAGE_SIZE) {
		for (uint64_t off = 0; off < size; off += PAGE_SIZE)
			mmu_unmap_page(root, va + off, asid);
		return;
	}
	if (clear_range(root, va, size))
		mmu_flush_asid(asid); /* one flush instead of one a page */
}

static bool in_window(uint64_t va)
{
	return (va >= KERNEL_WINDOW_BASE && va - KERNEL_WINDOW_BASE < KERNEL_WINDOW_SIZE) ||
	       (va >= KSTACK_AREA_BASE && va - KSTACK_AREA_BASE < KSTACK_AREA_SIZE);
}

err_t mmu_map_kernel_page(uint64_t va, uint64_t pa, uint64_t attrs)
{
	err_t err;

	if (!in_window(va) || (va & (PAGE_SIZE - 1)))
		return VIPER_E_INVAL;
	err = mmu_map_page(kernel_root, va, pa, attrs);
	/* The entry was invalid, so no TLB holds it: a barrier makes it usable here. */
	__asm__ volatile("dsb ish\nisb" ::: "memory");
	return err;
}

void mmu_unmap_kernel_page(uint64_t va)
{
	uint64_t *e;

	if (!in_window(va))
		return;
	e = slot(kernel_root, va, 3, false);
	if (!e || !(*e & PTE_VALID))
		return;
	*e = 0;
	/* A global entry: drop it for every ASID on every CPU. */
	__asm__ volatile("dsb ishst\n"
			 "tlbi vaae1is, %0\n"
			 "dsb ish\n"
			 "isb"
			 :
			 : "r"((va >> 12) & 0xfffffffffffull)
			 : "memory");
}

void mmu_unmap_kernel_range(uint64_t va, uint64_t size)
{
	bool any = false;

	if (size <= MMU_TLBI_PAGES * PAGE_SIZE) {
		for (uint64_t off = 0; off < size; off += PAGE_SIZE)
			mmu_unmap_kernel_page(va + off);
		return;
	}
	for (uint64_t off = 0; off < size; off += PAGE_SIZE)
		if (in_window(va + off))
			any |= clear_range(kernel_root, va + off, PAGE_SIZE);
	/* Global entries: one flush of everything on every CPU instead of one a page. */
	if (any)
		__asm__ volatile("dsb ishst\n"
				 "tlbi vmalle1is\n"
				 "dsb ish\n"
				 "isb" ::
					 : "memory");
}

void mmu_guard_kernel_page(const void *va)
{
	uint64_t a = (uint64_t)(uintptr_t)va & ~(uint64_t)(PAGE_SIZE - 1);
	uint64_t *e = slot(kernel_root, a, 3, false);

	if (!e)
		return;
	*e = 0;
	__asm__ volatile("dsb ishst\n"
			 "tlbi vaae1is, %0\n"
			 "dsb ish\n"
			 "isb"
			 :
			 : "r"((a >> 12) & 0xfffffffffffull)
			 : "memory");
}

uint64_t mmu_lookup_kernel(uint64_t va)
{
	return in_window(va) ? mmu_lookup(kernel_root, va) : 0;
}

static void free_level(uint64_t t, unsigned level)
{
	if (level < 3) {
		uint64_t *e = table(t);
		for (unsigned i = 0; i < 512; i++) {
			if ((e[i] & (PTE_VALID | PTE_TABLE)) == (PTE_VALID | PTE_TABLE))
				free_level(e[i] & PTE_ADDR, level + 1);
		}
	}
	page_free(t);
}

void mmu_free_tables(uint64_t root)
{
	free_level(root, 0);
}

void mmu_flush_asid(uint16_t asid)
{
	__asm__ volatile("dsb ishst\n"
			 "tlbi aside1is, %0\n"
			 "dsb ish\n"
			 "isb"
			 :
			 : "r"((uint64_t)asid << 48)
			 : "memory");
}

void mmu_sync_icache(const void *va, uint64_t size)
{
	uint64_t line = 64;
	uint64_t start = (uintptr_t)va & ~(line - 1), end = (uintptr_t)va + size;

	for (uint64_t a = start; a < end; a += line)
		__asm__ volatile("dc cvau, %0" ::"r"(a) : "memory");
	__asm__ volatile("dsb ish" ::: "memory");
	for (uint64_t a = start; a < end; a += line)
		__asm__ volatile("ic ivau, %0" ::"r"(a) : "memory");
	__asm__ volatile("dsb ish\nisb" ::: "memory");
}

unsigned mmu_asid_count(void)
{
	return ((read_sysreg(id_aa64mmfr0_el1) >> 4) & 0xf) == 2 ? 65536 : 256;
}

/* Maps [pa, pa + size) at KERNEL_BASE + pa with `attrs`, in 2 MiB blocks where it can. */
static err_t map_kernel_range(uint64_t pa, uint64_t size, uint64_t attrs)
{
	const uint64_t block = 2ull << 20;
	uint64_t end = pa + size;

	while (pa < end) {
		uint64_t va = KERNEL_BASE + pa;
		if ((pa & (block - 1)) == 0 && end - pa >= block) {
			uint64_t *e = slot(kernel_root, va, 2, true);
			if (!e)
				return VIPER_E_NOMEM;
			*e = pa | attrs; /* bits [1:0] = 01: block */
			pa += block;
		} else {
			uint64_t *e = slot(kernel_root, va, 3, true);
			if (!e)
				return VIPER_E_NOMEM;
			*e = pa | attrs | PTE_TABLE;
			pa += PAGE_SIZE;
		}
	}
	return VIPER_OK;
}

static uint64_t section_attrs(uint64_t pa)
{
	if (pa < KERNEL_PHYS(__text_end))
		return PTE_KERNEL_RX;
	if (pa < KERNEL_PHYS(__rodata_end))
		return PTE_KERNEL_RO;
	return PTE_KERNEL_RW;
}

err_t mmu_init_kernel(const struct board_info *board)
{
	const uint64_t block = 2ull << 20;
	uint64_t kstart = KERNEL_PHYS(__kernel_start) & ~(block - 1);
	uint64_t kend = (KERNEL_PHYS(__kernel_end) + block - 1) & ~(block - 1);
	err_t err;

	kernel_root = page_alloc(0);
	empty_root = page_alloc(0);
	if (!kernel_root || !empty_root)
		return VIPER_E_NOMEM;
	/* The device window: everything below the first GiB on QEMU virt. */
	{
		uint64_t *e = slot(kernel_root, KERNEL_BASE, 1, true);
		if (!e)
			return VIPER_E_NOMEM;
		*e = 0 | PTE_DEVICE;
	}
	for (unsigned i = 0; i < board->memory_count; i++) {
		uint64_t base = board->memory[i].base, end = base + board->memory[i].size;
		/* RAM around the kernel image is mapped in pages with the image's permissions. */
		if (base < kend && end > kstart) {
			if (base < kstart) {
				err = map_kernel_range(base, kstart - base, PTE_KERNEL_RW);
				if (err)
					return err;
			}
			for (uint64_t pa = kstart; pa < kend && pa < end; pa += PAGE_SIZE) {
				uint64_t *e = slot(kernel_root, KERNEL_BASE + pa, 3, true);
				if (!e)
					return VIPER_E_NOMEM;
				*e = pa | section_attrs(pa) | PTE_TABLE;
			}
			if (end > kend) {
				err = map_kernel_range(kend, end - kend, PTE_KERNEL_RW);
				if (err)
					return err;
			}
		} else {
			err = map_kernel_range(base, end - base, PTE_KERNEL_RW);
			if (err)
				return err;
		}
	}
	mmu_install_kernel_map();
	return VIPER_OK;
}

void mmu_install_kernel_map(void)
{
	__asm__ volatile("dsb ish" ::: "memory");
	write_sysreg(ttbr1_el1, kernel_root);
	write_sysreg(ttbr0_el1, empty_root);
	isb();
	__asm__ volatile("tlbi vmalle1\n"
			 "dsb nsh\n"
			 "isb" ::
				 : "memory");
	write_sysreg(sctlr_el1, SCTLR_RES1 | SCTLR_M | SCTLR_C | SCTLR_I | SCTLR_SA | SCTLR_SA0 |
					SCTLR_DZE | SCTLR_UCT | SCTLR_NTWI | SCTLR_NTWE |
					SCTLR_WXN | SCTLR_UCI);
	isb();
}
