/*
 * Address spaces: a process's lower-half translation table with its own
 * ASID, and the mappings of memory objects and device regions in it. The
 * kernel process's address space has no table: its mappings live in the
 * kernel window (arch/mmu.h) and its "user" pointers are kernel pointers.
 * Translation tables are charged to the space's memory account and made
 * for a mapping's whole range when it is made.
 *
 * A memory object's pages come in on first touch: a mapping shows the
 * pages present then, and a fault on one of its other pages (or a kernel
 * copy reaching it) brings the page in and maps it (aspace_fault). A page
 * the object shares with a clone is mapped read-only until a write copies
 * it. Each memory object lists its mappings, so sharing and copying can
 * reach every address space that shows a page. In the kernel process's
 * space every page is brought in when it is mapped, since the kernel
 * takes no faults. Under the big kernel lock.
 */
#ifndef KERNEL_ASPACE_H
#define KERNEL_ASPACE_H

#include <stdbool.h>
#include <stdint.h>

#include <arch/mmu.h>
#include <kernel/err.h>
#include <kernel/memory_object.h>
#include <kernel/object.h>
#include <kernel/quota.h>
#include <kernel/sched.h>

#define ASPACE_MAX_MAPPINGS 64
#define USER_STACK_SIZE	    (64ul << 10)
#define USER_STACK_TOP	    0x00007fff00000000ull
#define USER_STARTUP_VA	    0x00007fff10000000ull
#define USER_MAP_BASE	    0x0000100000000000ull /* memory_map places mappings from here */

struct aspace;

/* A mapping; its slot is free while `object` is NULL. */
struct mapping {
	uint64_t va;
	uint64_t size;
	uint64_t offset;	/* into the object */
	struct kobject *object; /* a memory object or a device region (holds a ref) */
	unsigned prot;
	struct aspace *as;
	struct mapping *obj_next; /* a memory object's mappings */
	struct mapping *obj_prev;
	uint64_t charged; /* map_request.charge: paid by the space's account while it lasts */
};

/* What aspace_map maps, and where. */
struct map_request {
	struct kobject *object; /* a memory object or a device region */
	uint64_t offset;	/* page-aligned, into the object */
	uint64_t size;		/* page-aligned, not 0 */
	unsigned prot;		/* enum viper_prot */
	uint64_t va;		/* page-aligned; 0: a free place */
	/*
	 * Bytes the space's account pays for as long as the mapping lasts: the
	 * size of a shared object somebody else paid for (a cached program's
	 * segment), so the process is charged as if the copy were its own.
	 * User spaces only; 0 for the kernel's.
	 */
	uint64_t charge;
};

struct aspace {
	uint64_t root; /* physical */
	uint16_t asid;
	bool kernel; /* the kernel process's: "user" pointers are kernel pointers */
	struct mapping maps[ASPACE_MAX_MAPPINGS]; /* slots; a free one has no object */
	unsigned map_count;			  /* slots in use */
	struct mem_account *account; /* pays for the tables and the memory made for it */
	uint64_t table_pages;	     /* translation tables, the root included */
};

/* Makes the empty table CPUs use while no process runs; learns the ASID count. */
MUST_CHECK err_t aspace_init_system(void);
/* The empty lower-half table CPUs use while no process runs. */
uint64_t aspace_empty_root(void);

/*
 * Installs `as` (NULL: none) as CPU c's lower half, unless its table is
 * there already (cpu_use_aspace in kernel/sched.h; inline for the switch
 * and the IPC fast path).
 */
static inline __attribute__((always_inline)) void aspace_install(struct cpu *c,
								 const struct aspace *as)
{
	if (as) {
		if (c->user_root != as->root || c->user_asid != as->asid) {
			mmu_switch_user(as->root, as->asid);
			c->user_root = as->root;
			c->user_asid = as->asid;
		}
	} else if (c->user_root) {
		mmu_switch_user(aspace_empty_root(), 0);
		c->user_root = 0;
		c->user_asid = 0;
	}
	c->user_as = as;
}

/*
 * aspace_install for a CPU about to leave the kernel for `as` at once:
 * records it as installed and returns the TTBR0_EL1 value to write once the
 * big lock is given back (0: it is there already), so the TLB work a new
 * table brings (QEMU flushes its whole TLB on an ASID change) does not hold
 * the lock. Nothing may reach user memory in between.
 */
static inline __attribute__((always_inline)) uint64_t
aspace_install_on_exit(struct cpu *c, const struct aspace *as)
{
	c->user_as = as;
	if (c->user_root == as->root && c->user_asid == as->asid)
		return 0;
	c->user_root = as->root;
	c->user_asid = as->asid;
	return mmu_user_table(as->root, as->asid);
}

/*
 * An empty address space whose tables `account` pays for (the space takes
 * the caller's reference). VIPER_E_LIMIT when its root table does not fit
 * the account or no ASID is free.
 */
MUST_CHECK err_t aspace_init(struct aspace *as, struct mem_account *account);
/* Unmaps everything, frees the tables and the ASID (the account stays). */
void aspace_destroy(struct aspace *as);

/*
 * Maps [offset, offset + size) of `object` (memory or device region) with
 * `prot` at `va` (all in `rq`), or at a free place from USER_MAP_BASE when `va` is 0;
 * the address goes to *out_va. VIPER_E_INVAL for unaligned or empty ranges
 * and bad protections (W with X, X for a device), VIPER_E_RANGE for a range
 * outside the object or the user half or one that overlaps a mapping,
 * VIPER_E_LIMIT when the space has ASPACE_MAX_MAPPINGS or the new tables
 * do not fit its account. In the kernel process's space only memory
 * objects map, never executable, at a place the kernel chooses (`va` 0) in
 * the kernel window: VIPER_E_UNSUPPORTED for a device or exec,
 * VIPER_E_INVAL for a `va`.
 */
MUST_CHECK err_t aspace_map(struct aspace *as, const struct map_request *rq, uint64_t *out_va);
/*
 * Removes the mapping that starts at `va`: VIPER_E_NOTFOUND when none does,
 * VIPER_E_INVAL when it is not `size` bytes long.
 */
MUST_CHECK err_t aspace_unmap(struct aspace *as, uint64_t va, uint64_t size);

/* An access that faulted, or that the kernel is about to make. */
enum aspace_access {
	ACCESS_READ,
	ACCESS_WRITE,
	ACCESS_EXEC,
};

/*
 * Brings in the page of a memory object that user address `va` of `as` is
 * mapped to, for `access`, and maps it: a demand-zero page is allocated, a
 * shared page is copied for a write. VIPER_E_FAULT when nothing is mapped
 * at `va`, the mapping does not allow the access, or it is a device's; then
 * the access is the process's own fault.
 */
MUST_CHECK err_t aspace_fault(struct aspace *as, uint64_t va, enum aspace_access access);

/* Memory object `m` now shares its pages with a clone: writable mappings of it go read-only. */
void aspace_object_shared(struct memory_object *m);
/* Page `index` of `m` was replaced by a copy: mappings showing the old page let go of it. */
void aspace_object_page_replaced(struct memory_object *m, uint64_t index);
/* True while the kernel process has `m` mapped writable. */
bool aspace_kernel_maps_writable(const struct memory_object *m);

#endif
