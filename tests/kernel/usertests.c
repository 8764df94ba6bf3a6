/*
 * The in-QEMU kernel test suite: the root process of //system/qemu_virt:
 * kernel_tests. It exercises every system call, including the negative
 * cases, and prints "N passed, N failed". The same program plays helper
 * roles when spawned with a non-zero argument (see enum role). It also
 * links the component runtime of processes, to check the vc_* calls that
 * wrap system calls (interrupts, notifications, the system capability).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <viper/component.h>
#include <viper/runtime.h>

#include "guest_check.h"

enum role {
	ROLE_SUITE = 0,
	ROLE_ECHO = 1,		   /* answers calls on startup handle 0 until its peer closes */
	ROLE_FAULT = 2,		   /* writes to address 0 */
	ROLE_SPIN = 3,		   /* runs for ever */
	ROLE_EXIT42 = 4,	   /* exits with 42 */
	ROLE_NO_CAPS = 5,	   /* checks it cannot reach devices or spawn without caps */
	ROLE_SHARED = 6,	   /* writes a pattern into the memory object it was given */
	ROLE_EXEC_DATA = 7,	   /* jumps into its data */
	ROLE_WRITE_RO = 8,	   /* writes to its read-only data */
	ROLE_TAKE_CALL = 9,	   /* receives one call and exits without answering */
	ROLE_KERNEL_PTR = 10,	   /* reads kernel memory */
	ROLE_ECHO_REPLY_RECV = 11, /* ROLE_ECHO with channel_reply_recv */
	ROLE_ECHO_SHORT = 12,	   /* ROLE_ECHO with short messages; answers "long" to others */
	ROLE_SYSTEM_KILLS = 13,	   /* checks system_kill refuses itself, the root, the kernel */
	ROLE_WRITE_RO_MAP = 14,	   /* writes through a read-only mapping of a fresh object */
	ROLE_IDLE = 15,		   /* says "up" on startup handle 0, then waits on handle 1 */
	ROLE_CALL_ONCE = 16,	   /* calls startup handle 0 once; exits 0 if the call ends */
	ROLE_CALL_ONCE_SHORT = 17, /* the same with a short call */
};

/* The component runtime's table of components (component_table.c) needs one. */
VIPER_COMPONENT(usertests) = {.name = "usertests"};

static const struct viper_startup *startup;

static int64_t spawn(uint64_t role, const viper_handle_t *handles, uint32_t count)
{
	return viper_spawn(viper_spawn_capability(), "usertests", role, handles, count);
}

static int64_t wait_status(viper_handle_t p)
{
	int64_t status = -12345;
	int64_t r = viper_process_wait(p, &status, 10ll * 1000000000);

	viper_handle_close(p);
	return r < 0 ? r : status;
}

/* --- basics --- */

static void test_debug_write(void)
{
	CHECK_EQ(viper_debug_write("", 0), 0);
	CHECK_EQ(viper_debug_write((void *)8, 4), VIPER_E_FAULT);
	CHECK_EQ(viper_debug_write((void *)0xffff000040200000ull, 4), VIPER_E_FAULT);
	CHECK_EQ(viper_debug_write("x", 5000), VIPER_E_TOOBIG);
	CHECK_EQ(viper_syscall6(9999, 0, 0, 0, 0, 0, 0), VIPER_E_NOSYS);
	CHECK_EQ(viper_syscall6(VIPER_SYS_COUNT, 0, 0, 0, 0, 0, 0), VIPER_E_NOSYS);
}

static void test_clock_sleep_yield(void)
{
	int64_t t0 = viper_clock_now(), t1;

	CHECK(t0 > 0);
	CHECK_EQ(viper_sleep(20 * 1000000), 0);
	t1 = viper_clock_now();
	CHECK(t1 - t0 >= 20 * 1000000);
	CHECK_EQ(viper_sleep(-1), VIPER_E_INVAL);
	CHECK_EQ(viper_sleep(0), 0);
	CHECK_EQ(viper_yield(), 0);
}

/* --- handles and capabilities --- */

static void test_handles(void)
{
	struct viper_handle_info info;
	int64_t t = viper_timer_create(), ro, child, grand, other;

	CHECK(t > 0);
	CHECK_EQ(viper_handle_query((viper_handle_t)t, &info), 0);
	CHECK_EQ(info.kind, VIPER_OBJ_TIMER);
	CHECK_EQ(info.rights & VIPER_RIGHT_WRITE, VIPER_RIGHT_WRITE);
	CHECK_EQ(viper_handle_query((viper_handle_t)t, NULL), VIPER_E_FAULT);
	/* Forged: an index never used, and garbage. */
	CHECK_EQ(viper_timer_cancel(0), VIPER_E_BADHANDLE);
	CHECK_EQ(viper_timer_cancel(0x7ffff0ffu), VIPER_E_BADHANDLE);
	CHECK_EQ(viper_timer_cancel(0xffffffffu), VIPER_E_BADHANDLE);
	CHECK_EQ(viper_syscall6(VIPER_SYS_TIMER_CANCEL, 1ull << 40, 0, 0, 0, 0, 0),
		 VIPER_E_BADHANDLE);
	/* Wrong kind. */
	CHECK_EQ(viper_channel_send((viper_handle_t)t, "x", 1, NULL, 0, 0), VIPER_E_KIND);
	/* Derive with fewer rights; the missing right is refused. */
	ro = viper_handle_derive((viper_handle_t)t, VIPER_RIGHT_READ | VIPER_RIGHT_DERIVE);
	CHECK(ro > 0);
	CHECK_EQ(viper_timer_set((viper_handle_t)ro, viper_clock_now() + 1000000, 0),
		 VIPER_E_RIGHTS);
	CHECK_EQ(viper_handle_derive((viper_handle_t)ro, VIPER_RIGHT_WRITE), VIPER_E_RIGHTS);
	CHECK_EQ(viper_handle_derive((viper_handle_t)t, 1u << 20), VIPER_E_INVAL);
	child = viper_handle_derive((viper_handle_t)ro, VIPER_RIGHT_READ);
	CHECK(child > 0);
	CHECK_EQ(viper_handle_derive((viper_handle_t)child, VIPER_RIGHT_READ), VIPER_E_RIGHTS);
	CHECK_EQ(viper_handle_query((viper_handle_t)child, &info), 0);
	CHECK_EQ(info.rights, VIPER_RIGHT_READ);
	/* Revoke: every descendant dies, the handle itself stays. */
	grand = viper_handle_derive((viper_handle_t)t, VIPER_RIGHT_READ);
	CHECK_EQ(viper_handle_revoke((viper_handle_t)t), 3);
	CHECK_EQ(viper_handle_query((viper_handle_t)ro, &info), VIPER_E_BADHANDLE);
	CHECK_EQ(viper_handle_query((viper_handle_t)child, &info), VIPER_E_BADHANDLE);
	CHECK_EQ(viper_handle_query((viper_handle_t)grand, &info), VIPER_E_BADHANDLE);
	CHECK_EQ(viper_handle_query((viper_handle_t)t, &info), 0);
	/* Close: the handle and what was derived from it die; stale afterwards. */
	other = viper_handle_derive((viper_handle_t)t, VIPER_RIGHT_READ);
	CHECK_EQ(viper_handle_close((viper_handle_t)t), 0);
	CHECK_EQ(viper_handle_query((viper_handle_t)other, &info), VIPER_E_BADHANDLE);
	CHECK_EQ(viper_handle_close((viper_handle_t)t), VIPER_E_BADHANDLE);
	/* The slot is reused with a new generation: the old handle stays dead. */
	int64_t again = viper_timer_create();
	CHECK(again > 0 && again != t);
	CHECK_EQ(viper_timer_cancel((viper_handle_t)t), VIPER_E_BADHANDLE);
	viper_handle_close((viper_handle_t)again);
}

static void test_handle_exhaustion(void)
{
	static viper_handle_t hs[VIPER_HANDLES_MAX];
	int n = 0;
	int64_t r;

	while ((r = viper_timer_create()) > 0 && n < (int)VIPER_HANDLES_MAX)
		hs[n++] = (viper_handle_t)r;
	CHECK_EQ(r, VIPER_E_LIMIT);
	/* Everything but the startup handles and a few of the suite's own. */
	CHECK(n > (int)(VIPER_HANDLES_MAX - viper_startup_info()->handle_count - 16));
	viper_handle_t s, rv;
	CHECK_EQ(viper_channel_create(&s, &rv, 0), VIPER_E_LIMIT);
	for (int i = 0; i < n; i++)
		CHECK_EQ(viper_handle_close(hs[i]), 0);
	r = viper_timer_create();
	CHECK(r > 0);
	viper_handle_close((viper_handle_t)r);
}

/* --- memory --- */

static void test_memory_map(void)
{
	int64_t m = viper_memory_create(2 * VIPER_PAGE_SIZE, 0), va, va2, ro, nomap;
	struct viper_handle_info info;

	CHECK(m > 0);
	CHECK_EQ(viper_handle_query((viper_handle_t)m, &info), 0);
	CHECK_EQ(info.size, 2 * VIPER_PAGE_SIZE);
	va = viper_memory_map((viper_handle_t)m, 0, 2 * VIPER_PAGE_SIZE,
			      VIPER_PROT_READ | VIPER_PROT_WRITE, 0);
	CHECK(va > 0);
	if (va > 0) {
		volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)va;
		CHECK_EQ(p[0], 0); /* zeroed */
		p[0] = 0x12345678;
		p[1024] = 0x9abcdef0;
	}
	/* A second, read-only view of the same memory. */
	ro = viper_handle_derive((viper_handle_t)m, VIPER_RIGHT_READ | VIPER_RIGHT_MAP);
	va2 = viper_memory_map((viper_handle_t)ro, VIPER_PAGE_SIZE, VIPER_PAGE_SIZE,
			       VIPER_PROT_READ, 0);
	CHECK(va2 > 0 && va2 != va);
	if (va2 > 0)
		CHECK_EQ(*(volatile uint32_t *)(uintptr_t)va2, 0x9abcdef0);
	CHECK_EQ(viper_memory_map((viper_handle_t)ro, 0, VIPER_PAGE_SIZE,
				  VIPER_PROT_READ | VIPER_PROT_WRITE, 0),
		 VIPER_E_RIGHTS);
	nomap = viper_handle_derive((viper_handle_t)m, VIPER_RIGHT_READ | VIPER_RIGHT_WRITE);
	CHECK_EQ(viper_memory_map((viper_handle_t)nomap, 0, VIPER_PAGE_SIZE, VIPER_PROT_READ, 0),
		 VIPER_E_RIGHTS);
	/* W^X, alignment, ranges. */
	CHECK_EQ(viper_memory_map((viper_handle_t)m, 0, VIPER_PAGE_SIZE,
				  VIPER_PROT_WRITE | VIPER_PROT_EXEC, 0),
		 VIPER_E_INVAL);
	CHECK_EQ(viper_memory_map((viper_handle_t)m, 1, VIPER_PAGE_SIZE, VIPER_PROT_READ, 0),
		 VIPER_E_INVAL);
	CHECK_EQ(viper_memory_map((viper_handle_t)m, 0, 3 * VIPER_PAGE_SIZE, VIPER_PROT_READ, 0),
		 VIPER_E_RANGE);
	CHECK_EQ(viper_memory_map((viper_handle_t)m, 0, VIPER_PAGE_SIZE, 0, 0), VIPER_E_INVAL);
	CHECK_EQ(viper_memory_map((viper_handle_t)m, 0, VIPER_PAGE_SIZE, VIPER_PROT_READ,
				  0xffff000000000000ull),
		 VIPER_E_RANGE);
	CHECK_EQ(viper_memory_map((viper_handle_t)m, 0, VIPER_PAGE_SIZE, VIPER_PROT_READ,
				  (uint64_t)va),
		 VIPER_E_RANGE); /* overlaps */
	/* Unmapping. */
	CHECK_EQ(viper_memory_unmap((uint64_t)va2, VIPER_PAGE_SIZE), 0);
	CHECK_EQ(viper_memory_unmap((uint64_t)va2, VIPER_PAGE_SIZE), VIPER_E_NOTFOUND);
	CHECK_EQ(viper_memory_unmap((uint64_t)va, VIPER_PAGE_SIZE), VIPER_E_INVAL);
	/* The mapping keeps the memory alive after the handle is gone. */
	viper_handle_close((viper_handle_t)m);
	if (va > 0)
		CHECK_EQ(*(volatile uint32_t *)(uintptr_t)va, 0x12345678);
	CHECK_EQ(viper_memory_unmap((uint64_t)va, 2 * VIPER_PAGE_SIZE), 0);
	CHECK_EQ(viper_memory_create(0, 0), VIPER_E_INVAL);
	CHECK_EQ(viper_memory_create(1ull << 40, 0), VIPER_E_INVAL);
	CHECK_EQ(viper_memory_create(VIPER_PAGE_SIZE, 0x80), VIPER_E_INVAL);
}

static void test_memory_exhaustion(void)
{
	viper_handle_t hs[64];
	int n = 0;
	int64_t r;

	while (n < 64 && (r = viper_memory_create(8ull << 20, 0)) > 0)
		hs[n++] = (viper_handle_t)r;
	CHECK(n < 64);
	CHECK_EQ(r, VIPER_E_NOMEM);
	for (int i = 0; i < n; i++)
		CHECK_EQ(viper_handle_close(hs[i]), 0);
	r = viper_memory_create(8ull << 20, 0);
	CHECK(r > 0);
	viper_handle_close((viper_handle_t)r);
}

static void test_dma(void)
{
	int64_t m = viper_memory_create(4 * VIPER_PAGE_SIZE, VIPER_MEMORY_CONTIGUOUS), plain, nodma;
	int64_t pa;

	CHECK(m > 0);
	pa = viper_memory_physical((viper_handle_t)m, 0);
	CHECK(pa > 0 && (pa & (VIPER_PAGE_SIZE - 1)) == 0);
	/* Any byte of it: the base plus its offset, up to the last byte. */
	CHECK_EQ(viper_memory_physical((viper_handle_t)m, 5000), pa + 5000);
	CHECK_EQ(viper_memory_physical((viper_handle_t)m, 4 * VIPER_PAGE_SIZE - 1),
		 pa + 4 * VIPER_PAGE_SIZE - 1);
	CHECK_EQ(viper_memory_physical((viper_handle_t)m, 4 * VIPER_PAGE_SIZE), VIPER_E_RANGE);
	CHECK_EQ(viper_memory_physical((viper_handle_t)m, UINT64_MAX), VIPER_E_RANGE);
	nodma = viper_handle_derive((viper_handle_t)m, VIPER_RIGHT_READ | VIPER_RIGHT_MAP);
	CHECK_EQ(viper_memory_physical((viper_handle_t)nodma, 0), VIPER_E_RIGHTS);
	plain = viper_memory_create(VIPER_PAGE_SIZE, 0);
	CHECK_EQ(viper_memory_physical((viper_handle_t)plain, 0), VIPER_E_RIGHTS);
	/* One kind of DMA memory at a time, and no unknown flags. */
	CHECK_EQ(
		viper_memory_create(VIPER_PAGE_SIZE, VIPER_MEMORY_CONTIGUOUS | VIPER_MEMORY_PINNED),
		VIPER_E_INVAL);
	CHECK_EQ(viper_memory_create(VIPER_PAGE_SIZE, 1u << 2), VIPER_E_INVAL);
	viper_handle_close((viper_handle_t)m);
	viper_handle_close((viper_handle_t)plain);
}

static void test_shared_memory_between_processes(void)
{
	int64_t m = viper_memory_create(VIPER_PAGE_SIZE, 0), va, child;
	viper_handle_t give;

	CHECK(m > 0);
	va = viper_memory_map((viper_handle_t)m, 0, VIPER_PAGE_SIZE, VIPER_PROT_READ, 0);
	CHECK(va > 0);
	give = (viper_handle_t)viper_handle_derive((viper_handle_t)m,
						   VIPER_RIGHT_READ | VIPER_RIGHT_WRITE |
							   VIPER_RIGHT_MAP | VIPER_RIGHT_TRANSFER);
	child = spawn(ROLE_SHARED, &give, 1);
	CHECK(child > 0);
	CHECK_EQ(wait_status((viper_handle_t)child), 0);
	if (va > 0)
		CHECK_EQ(*(volatile uint64_t *)(uintptr_t)va, 0x5ba4ed0ddba11ull);
	viper_memory_unmap((uint64_t)va, VIPER_PAGE_SIZE);
	viper_handle_close((viper_handle_t)m);
}

/* --- demand-zero memory and copy-on-write --- */

/* Pages handed out now (promised, untouched pages are not in use). */
static uint64_t pages_in_use(void)
{
	struct viper_system_info i;
	viper_handle_t sys = 0;

	for (uint32_t k = 0; k < startup->handle_count; k++) {
		if (startup->handles[k].kind == VIPER_OBJ_SYSTEM)
			sys = startup->handles[k].handle;
	}
	if (viper_system_info(sys, &i) < 0)
		return 0;
	return (i.memory_total_bytes - i.memory_free_bytes - i.memory_promised_bytes) /
	       VIPER_PAGE_SIZE;
}

static uint64_t pages_promised(void)
{
	struct viper_system_info i;

	for (uint32_t k = 0; k < startup->handle_count; k++) {
		if (startup->handles[k].kind == VIPER_OBJ_SYSTEM &&
		    viper_system_info(startup->handles[k].handle, &i) == 0)
			return i.memory_promised_bytes / VIPER_PAGE_SIZE;
	}
	return 0;
}

#define PG VIPER_PAGE_SIZE

/*
 * Pinned memory: every page in use from the start (nothing promised), each
 * page's physical address known and fixed, never cloned; the DMA right.
 */
static void test_pinned_memory(void)
{
	uint64_t used = pages_in_use(), promised = pages_promised(), mapped = 0;
	int64_t m = viper_memory_create(3 * PG, VIPER_MEMORY_PINNED), va;
	struct viper_handle_info info = {0};
	int64_t pa[3];
	volatile uint8_t *p;

	CHECK(m > 0);
	if (m <= 0)
		return;
	CHECK(pages_in_use() >= used + 3);
	CHECK_EQ(pages_promised(), promised);
	CHECK_EQ(viper_handle_query((viper_handle_t)m, &info), 0);
	CHECK((info.rights & VIPER_RIGHT_DMA) != 0);
	CHECK_EQ(info.size, 3 * PG);
	for (int i = 0; i < 3; i++) {
		pa[i] = viper_memory_physical((viper_handle_t)m, (uint64_t)i * PG);
		CHECK(pa[i] > 0 && (pa[i] & (PG - 1)) == 0);
	}
	CHECK(pa[0] != pa[1] && pa[1] != pa[2] && pa[0] != pa[2]);
	/* A byte inside a page is that page's address plus its offset. */
	CHECK_EQ(viper_memory_physical((viper_handle_t)m, PG + 123), pa[1] + 123);
	CHECK_EQ(viper_memory_physical((viper_handle_t)m, 3 * PG), VIPER_E_RANGE);
	/* Zeroed, and touching it neither takes pages nor moves any. */
	va = viper_memory_map((viper_handle_t)m, 0, 3 * PG, VIPER_PROT_READ | VIPER_PROT_WRITE, 0);
	CHECK(va > 0);
	if (va > 0) {
		bool zero = true;

		mapped = pages_in_use(); /* and the mapping's translation tables */
		p = (volatile uint8_t *)(uintptr_t)va;
		for (uint64_t i = 0; i < 3 * PG; i++)
			zero = zero && p[i] == 0;
		CHECK(zero);
		p[2 * PG + 7] = 0x5a;
		CHECK_EQ(pages_in_use(), mapped);
		CHECK_EQ(viper_memory_physical((viper_handle_t)m, 2 * PG), pa[2]);
		CHECK_EQ(viper_memory_unmap((uint64_t)va, 3 * PG), 0);
	}
	CHECK_EQ(viper_memory_clone((viper_handle_t)m), VIPER_E_UNSUPPORTED);
	CHECK_EQ(viper_memory_create((64ull << 20) + 1, VIPER_MEMORY_PINNED), VIPER_E_INVAL);
	CHECK_EQ(viper_handle_close((viper_handle_t)m), 0);
	/* Its pages go back; the tables stay until we exit. */
	CHECK(mapped == 0 || pages_in_use() <= mapped - 3);
}

static void test_demand_zero(void)
{
	uint64_t used = pages_in_use(), promised = pages_promised(), mapped, before;
	int64_t m = viper_memory_create(16 * PG, 0), va, child;
	viper_handle_t s, r, give;
	struct viper_msg_info info;
	volatile uint8_t *p;

	CHECK(m > 0);
	/* Made: promised, not handed out (its header may take a slab page). */
	CHECK_EQ(pages_promised(), promised + 16);
	CHECK(pages_in_use() <= used + 1);
	va = viper_memory_map((viper_handle_t)m, 0, 16 * PG, VIPER_PROT_READ | VIPER_PROT_WRITE, 0);
	CHECK(va > 0);
	if (va <= 0)
		return;
	p = (volatile uint8_t *)(uintptr_t)va;
	mapped = pages_in_use(); /* and its translation tables */
	/* A write brings one zeroed page in, a read another; touching again costs nothing. */
	p[3] = 7;
	CHECK_EQ(pages_in_use(), mapped + 1);
	CHECK_EQ(pages_promised(), promised + 15);
	CHECK_EQ(p[5 * PG + 100], 0);
	CHECK_EQ(pages_in_use(), mapped + 2);
	p[4] = 8;
	CHECK_EQ(p[3], 7);
	CHECK_EQ(pages_in_use(), mapped + 2);
	/*
	 * The kernel writes an untouched page for us: a message received into
	 * it (counted from after the channel and the message were made, which
	 * may take slab pages of the kernel heap).
	 */
	CHECK_EQ(viper_channel_create(&s, &r, 0), 0);
	CHECK_EQ(viper_channel_send(s, "into a new page", 15, NULL, 0, 0), 0);
	before = pages_in_use();
	CHECK_EQ(viper_channel_recv(r, (void *)(p + 9 * PG), 64, NULL, &info, 0), 15);
	CHECK(memcmp((const void *)(p + 9 * PG), "into a new page", 15) == 0);
	CHECK_EQ(pages_in_use(), before + 1);
	viper_handle_close(s);
	viper_handle_close(r);
	/* A write through a read-only mapping of such memory is still the writer's fault. */
	give = (viper_handle_t)viper_handle_derive(
		(viper_handle_t)m, VIPER_RIGHT_READ | VIPER_RIGHT_MAP | VIPER_RIGHT_TRANSFER);
	child = spawn(ROLE_WRITE_RO_MAP, &give, 1);
	CHECK(child > 0);
	CHECK_EQ(wait_status((viper_handle_t)child), VIPER_EXIT_FAULT);
	CHECK_EQ(viper_memory_unmap((uint64_t)va, 16 * PG), 0);
	CHECK_EQ(viper_handle_close((viper_handle_t)m), 0);
	CHECK_EQ(pages_promised(), promised);
	CHECK(pages_in_use() <= mapped); /* the tables stay until we exit */
}

/*
 * Every byte promised can be touched: objects are made until the page
 * allocator can promise no more (E_NOMEM at creation), then every page of
 * every one of them is written, and nothing faults.
 */
static void test_promises_are_kept(void)
{
	int64_t objects[8], n = 0;
	const uint64_t size = 32ull << 20;
	bool all_written = true;

	while (n < 8 && (objects[n] = viper_memory_create(size, 0)) > 0)
		n++;
	CHECK(n >= 1 && n < 8);
	CHECK_EQ(objects[n], VIPER_E_NOMEM);
	for (int64_t i = 0; i < n; i++) {
		int64_t va = viper_memory_map((viper_handle_t)objects[i], 0, size,
					      VIPER_PROT_READ | VIPER_PROT_WRITE, 0);
		CHECK(va > 0);
		if (va <= 0)
			continue;
		for (uint64_t off = 0; off < size; off += PG)
			((volatile uint8_t *)(uintptr_t)va)[off] = (uint8_t)(off >> 12);
		for (uint64_t off = 0; off < size; off += 64 * PG)
			all_written &=
				((volatile uint8_t *)(uintptr_t)va)[off] == (uint8_t)(off >> 12);
		CHECK_EQ(viper_memory_unmap((uint64_t)va, size), 0);
	}
	CHECK(all_written);
	for (int64_t i = 0; i < n; i++)
		viper_handle_close((viper_handle_t)objects[i]);
}

static void test_memory_clone(void)
{
	int64_t a = viper_memory_create(3 * PG, 0), b, c, va, vb, vc, child, dma, weak;
	uint64_t used;
	viper_handle_t s, r, give;
	volatile uint8_t *pa, *pb, *pc;

	CHECK(a > 0);
	va = viper_memory_map((viper_handle_t)a, 0, 3 * PG, VIPER_PROT_READ | VIPER_PROT_WRITE, 0);
	CHECK(va > 0);
	if (va <= 0)
		return;
	pa = (volatile uint8_t *)(uintptr_t)va;
	pa[0] = 'A';
	pa[PG] = 'B';
	/* A clone copies nothing: the two share both pages. */
	used = pages_in_use();
	b = viper_memory_clone((viper_handle_t)a);
	CHECK(b > 0);
	CHECK(pages_in_use() <= used + 1);
	vb = viper_memory_map((viper_handle_t)b, 0, 3 * PG, VIPER_PROT_READ | VIPER_PROT_WRITE, 0);
	CHECK(vb > 0);
	if (vb <= 0)
		return;
	pb = (volatile uint8_t *)(uintptr_t)vb;
	used = pages_in_use();
	CHECK_EQ(pb[0], 'A');
	CHECK_EQ(pb[PG], 'B');
	CHECK_EQ(pages_in_use(), used);
	CHECK_EQ(pb[2 * PG], 0); /* never touched: a zero page of its own */
	CHECK_EQ(pages_in_use(), used + 1);
	/* A write copies the page for the writer alone, on either side. */
	pa[0] = 'X';
	CHECK_EQ(pages_in_use(), used + 2);
	CHECK_EQ(pb[0], 'A');
	pb[PG] = 'Y';
	CHECK_EQ(pages_in_use(), used + 3);
	CHECK_EQ(pa[PG], 'B');
	/* Once the other side has its copy, a page is ours alone again: no more copies. */
	pa[PG] = 'Z';
	pa[1] = 'x';
	CHECK_EQ(pages_in_use(), used + 3);
	CHECK_EQ(pb[PG], 'Y');
	CHECK_EQ(pb[1], 0);
	/* A clone of a clone; the originals may go; the kernel writes through a clone too. */
	c = viper_memory_clone((viper_handle_t)b);
	CHECK(c > 0);
	CHECK_EQ(viper_memory_unmap((uint64_t)vb, 3 * PG), 0);
	CHECK_EQ(viper_handle_close((viper_handle_t)b), 0);
	vc = viper_memory_map((viper_handle_t)c, 0, 3 * PG, VIPER_PROT_READ | VIPER_PROT_WRITE, 0);
	CHECK(vc > 0);
	pc = (volatile uint8_t *)(uintptr_t)(vc > 0 ? vc : va);
	CHECK_EQ(pc[0], 'A');
	CHECK_EQ(pc[PG], 'Y');
	CHECK_EQ(viper_channel_create(&s, &r, 0), 0);
	CHECK_EQ(viper_channel_send(s, "kernel", 6, NULL, 0, 0), 0);
	CHECK_EQ(viper_channel_recv(r, (void *)pc, 16, NULL, &(struct viper_msg_info){0}, 0), 6);
	CHECK_EQ(pc[0], 'k');
	CHECK_EQ(pa[0], 'X');
	viper_handle_close(s);
	viper_handle_close(r);
	/* Another process writing a clone leaves the original alone. */
	give = (viper_handle_t)viper_memory_clone((viper_handle_t)a);
	CHECK(give > 0);
	child = spawn(ROLE_SHARED, &give, 1);
	CHECK(child > 0);
	CHECK_EQ(wait_status((viper_handle_t)child), 0);
	CHECK_EQ(pa[0], 'X');
	/* Refusals. */
	dma = viper_memory_create(PG, VIPER_MEMORY_CONTIGUOUS);
	CHECK(dma > 0);
	CHECK_EQ(viper_memory_clone((viper_handle_t)dma), VIPER_E_UNSUPPORTED);
	CHECK_EQ(viper_memory_clone(0x5555), VIPER_E_BADHANDLE);
	CHECK_EQ(viper_memory_clone(startup->self_thread), VIPER_E_KIND);
	weak = viper_handle_derive((viper_handle_t)a, VIPER_RIGHT_MAP);
	CHECK(weak > 0);
	CHECK_EQ(viper_memory_clone((viper_handle_t)weak), VIPER_E_RIGHTS);
	viper_handle_close((viper_handle_t)weak);
	viper_handle_close((viper_handle_t)dma);
	viper_memory_unmap((uint64_t)va, 3 * PG);
	if (vc > 0)
		viper_memory_unmap((uint64_t)vc, 3 * PG);
	viper_handle_close((viper_handle_t)a);
	viper_handle_close((viper_handle_t)c);
}

extern char __tdata_start[];

/* Starts an idle instance of this program; returns its handle, `go` its release. */
static int64_t start_idle(viper_handle_t *go)
{
	viper_handle_t up_s, up_r, go_r, give[2];
	struct viper_msg_info info;
	char buf[4];
	int64_t child;

	if (viper_channel_create(&up_s, &up_r, 0) < 0 || viper_channel_create(go, &go_r, 0) < 0)
		return -1;
	give[0] = up_s;
	give[1] = go_r;
	child = spawn(ROLE_IDLE, give, 2);
	if (child > 0 && viper_channel_recv(up_r, buf, sizeof(buf), NULL, &info, 0) != 2)
		child = -2;
	viper_handle_close(up_r);
	return child;
}

/*
 * Two more instances of this program (the root runs it already) cost about
 * the same, and less than its read-only segments: those are shared, and
 * only the pages an instance writes are its own.
 */
static void test_instances_share_their_program(void)
{
	uint64_t ro_pages = ((uint64_t)(uintptr_t)__tdata_start - 0x400000) / PG;
	uint64_t before = pages_in_use(), first, second;
	viper_handle_t go1, go2;
	int64_t a = start_idle(&go1), b;

	CHECK(a > 0);
	first = pages_in_use() - before;
	before = pages_in_use();
	b = start_idle(&go2);
	CHECK(b > 0);
	second = pages_in_use() - before;
	CHECK(first < ro_pages && second < ro_pages);
	CHECK(second <= first + 2 && first <= second + 2);
	viper_printf("  an instance costs %llu and %llu pages; its read-only segments are %llu\n",
		     (unsigned long long)first, (unsigned long long)second,
		     (unsigned long long)ro_pages);
	viper_handle_close(go1);
	viper_handle_close(go2);
	CHECK_EQ(wait_status((viper_handle_t)a), 0);
	CHECK_EQ(wait_status((viper_handle_t)b), 0);
}

/* --- devices and interrupts (the PL031 real-time clock) --- */

enum { RTC_DR = 0x00, RTC_MR = 0x04, RTC_IMSC = 0x10, RTC_ICR = 0x1c };

/*
 * A device smaller than a page: virtio-mmio slot 31 (0x0a003e00, 0x200
 * bytes) has a region of the page around it, and its startup handle and
 * handle_query tell where its registers start in it.
 */
static void test_sub_page_device(void)
{
	const struct viper_startup_handle *slot = NULL;
	struct viper_handle_info info = {0};
	int64_t va;

	for (uint32_t i = 0; i < startup->handle_count; i++) {
		if (startup->handles[i].kind == VIPER_OBJ_DEVICE &&
		    startup->handles[i].detail == 0x0a003e00)
			slot = &startup->handles[i];
	}
	CHECK(slot != NULL);
	if (!slot)
		return;
	CHECK_EQ(slot->size, VIPER_PAGE_SIZE);
	CHECK_EQ(viper_handle_query(slot->handle, &info), 0);
	CHECK_EQ(info.detail, 0x0a003e00);
	CHECK_EQ(info.size, VIPER_PAGE_SIZE);
	va = viper_device_map(slot->handle, 0, VIPER_PAGE_SIZE, VIPER_PROT_READ);
	CHECK(va > 0);
	if (va <= 0)
		return;
	/* Its magic value is at its own offset in the page: "virt". */
	CHECK_EQ(*(volatile uint32_t *)(uintptr_t)(va + 0xe00), 0x74726976u);
	CHECK_EQ(viper_memory_unmap((uint64_t)va, VIPER_PAGE_SIZE), 0);
}

static void test_device_and_irq(void)
{
	const struct viper_startup_handle *dev = NULL, *irq = NULL;
	int64_t va, weak, noirq, mem;

	/* The PL031 is the device whose IRQ handle follows it in the startup block. */
	for (uint32_t i = 0; i + 1 < startup->handle_count; i++) {
		if (startup->handles[i].kind == VIPER_OBJ_DEVICE &&
		    startup->handles[i].detail == 0x09010000 &&
		    startup->handles[i + 1].kind == VIPER_OBJ_IRQ) {
			dev = &startup->handles[i];
			irq = &startup->handles[i + 1];
		}
	}
	CHECK(dev && irq);
	if (!dev || !irq)
		return;
	CHECK_EQ(irq->detail, 34);
	/* Mapping needs the device right; executable device memory is refused. */
	weak = viper_handle_derive(dev->handle, VIPER_RIGHT_READ | VIPER_RIGHT_WRITE);
	CHECK_EQ(viper_device_map((viper_handle_t)weak, 0, VIPER_PAGE_SIZE, VIPER_PROT_READ),
		 VIPER_E_RIGHTS);
	CHECK_EQ(viper_device_map(dev->handle, 0, VIPER_PAGE_SIZE, VIPER_PROT_EXEC),
		 VIPER_E_RIGHTS);
	CHECK_EQ(viper_device_map(dev->handle, 0, 2 * VIPER_PAGE_SIZE, VIPER_PROT_READ),
		 VIPER_E_RANGE);
	mem = viper_memory_create(VIPER_PAGE_SIZE, 0);
	CHECK_EQ(viper_device_map((viper_handle_t)mem, 0, VIPER_PAGE_SIZE, VIPER_PROT_READ),
		 VIPER_E_KIND);
	viper_handle_close((viper_handle_t)mem);
	/* The kernel never copies from device memory on a program's behalf. */
	va = viper_device_map(dev->handle, 0, VIPER_PAGE_SIZE, VIPER_PROT_READ | VIPER_PROT_WRITE);
	CHECK(va > 0);
	if (va <= 0)
		return;
	CHECK_EQ(viper_debug_write((void *)(uintptr_t)va, 4), VIPER_E_FAULT);
	volatile uint32_t *rtc = (volatile uint32_t *)(uintptr_t)va;
	uint32_t now = rtc[RTC_DR / 4];
	CHECK(now > 1600000000u); /* after 2020: it reads the host clock */
	/* The IRQ needs the irq right. */
	noirq = viper_handle_derive(irq->handle, VIPER_RIGHT_READ);
	CHECK_EQ(viper_irq_wait((viper_handle_t)noirq, 0), VIPER_E_RIGHTS);
	CHECK_EQ(viper_irq_ack((viper_handle_t)noirq), VIPER_E_RIGHTS);
	CHECK_EQ(viper_irq_wait(irq->handle, 0), VIPER_E_WOULDBLOCK);
	/* Arm the match interrupt for the next second and wait for it. */
	rtc[RTC_ICR / 4] = 1;
	rtc[RTC_MR / 4] = now + 1;
	rtc[RTC_IMSC / 4] = 1;
	CHECK_EQ(viper_irq_wait(irq->handle, 3ll * 1000000000), 0);
	rtc[RTC_IMSC / 4] = 0;
	rtc[RTC_ICR / 4] = 1;
	CHECK_EQ(viper_irq_ack(irq->handle), 0);
	CHECK_EQ(viper_irq_wait(irq->handle, 0), VIPER_E_WOULDBLOCK);
	CHECK_EQ(viper_memory_unmap((uint64_t)va, VIPER_PAGE_SIZE), 0);
	viper_handle_close((viper_handle_t)weak);
	viper_handle_close((viper_handle_t)noirq);
	test_sub_page_device();
}

static void test_no_device_without_caps(void)
{
	int64_t child = spawn(ROLE_NO_CAPS, NULL, 0);

	CHECK(child > 0);
	CHECK_EQ(wait_status((viper_handle_t)child), 0);
}

/* --- channels --- */

static void test_channel_basics(void)
{
	viper_handle_t s, r;
	struct viper_msg_info info;
	char buf[300];
	viper_handle_t hs[4];

	CHECK_EQ(viper_channel_create(&s, &r, 2), 0);
	CHECK_EQ(viper_channel_create(&s, &r, VIPER_CHANNEL_MAX_DEPTH + 1), VIPER_E_INVAL);
	CHECK_EQ(viper_channel_create(NULL, &r, 0), VIPER_E_FAULT);
	CHECK_EQ(viper_channel_recv(r, buf, sizeof(buf), hs, &info, VIPER_MSG_NONBLOCK),
		 VIPER_E_WOULDBLOCK);
	CHECK_EQ(viper_channel_send(s, "hello", 5, NULL, 0, 0), 0);
	CHECK_EQ(viper_channel_send(s, "world!", 6, NULL, 0, 0), 0);
	CHECK_EQ(viper_channel_send(s, "full", 4, NULL, 0, VIPER_MSG_NONBLOCK), VIPER_E_WOULDBLOCK);
	/* Too small a buffer: an error, and the message stays. */
	CHECK_EQ(viper_channel_recv(r, buf, 2, hs, &info, 0), VIPER_E_RANGE);
	CHECK_EQ(info.bytes, 5);
	CHECK_EQ(viper_channel_recv(r, (void *)16, sizeof(buf), hs, &info, 0), VIPER_E_FAULT);
	CHECK_EQ(viper_channel_recv(r, buf, sizeof(buf), hs, &info, 0), 5);
	CHECK(memcmp(buf, "hello", 5) == 0);
	CHECK_EQ(viper_channel_recv(r, buf, sizeof(buf), hs, &info, 0), 6);
	CHECK(memcmp(buf, "world!", 6) == 0);
	/* Limits. */
	memset(buf, 'x', sizeof(buf));
	CHECK_EQ(viper_channel_send(s, buf, 256, NULL, 0, 0), 0);
	CHECK_EQ(viper_channel_recv(r, buf, sizeof(buf), hs, &info, 0), 256);
	CHECK_EQ(viper_channel_send(s, buf, 257, NULL, 0, 0), VIPER_E_TOOBIG);
	CHECK_EQ(viper_channel_send(s, buf, 1, hs, 5, 0), VIPER_E_TOOBIG);
	CHECK_EQ(viper_channel_send(s, (void *)8, 4, NULL, 0, 0), VIPER_E_FAULT);
	CHECK_EQ(viper_channel_send(s, buf, 1, NULL, 0, 0x100), VIPER_E_INVAL);
	/* Wrong end. */
	CHECK_EQ(viper_channel_send(r, buf, 1, NULL, 0, 0), VIPER_E_KIND);
	CHECK_EQ(viper_channel_recv(s, buf, 1, hs, &info, 0), VIPER_E_KIND);
	CHECK_EQ(viper_channel_recv(r, buf, sizeof(buf), hs, &info, VIPER_MSG_NONBLOCK),
		 VIPER_E_WOULDBLOCK);
	viper_handle_close(s);
	viper_handle_close(r);
}

static void test_handle_transfer(void)
{
	viper_handle_t s, r, got[4], two[2];
	struct viper_msg_info info;
	struct viper_handle_info hi;
	char buf[16];
	int64_t t = viper_timer_create(), t2 = viper_timer_create(), keep;

	CHECK_EQ(viper_channel_create(&s, &r, 0), 0);
	/* All or nothing: the second handle may not move, so neither does the first. */
	keep = viper_handle_derive((viper_handle_t)t2, VIPER_RIGHT_READ);
	two[0] = (viper_handle_t)t;
	two[1] = (viper_handle_t)keep;
	CHECK_EQ(viper_channel_send(s, "h", 1, two, 2, 0), VIPER_E_RIGHTS);
	CHECK_EQ(viper_handle_query((viper_handle_t)t, &hi), 0);
	two[1] = (viper_handle_t)t;
	CHECK_EQ(viper_channel_send(s, "h", 1, two, 2, 0), VIPER_E_INVAL); /* twice */
	CHECK_EQ(viper_channel_send(s, "h", 1, &s, 1, 0), VIPER_E_INVAL);  /* itself */
	CHECK_EQ(viper_channel_send(s, "h", 1, &r, 1, 0), VIPER_E_INVAL);  /* its receive end */
	two[1] = 0x4242;
	CHECK_EQ(viper_channel_send(s, "h", 1, two, 2, 0), VIPER_E_BADHANDLE);
	CHECK_EQ(viper_channel_send(s, "h", 1, (viper_handle_t *)8, 1, 0), VIPER_E_FAULT);
	CHECK_EQ(viper_handle_query((viper_handle_t)t, &hi), 0);
	/* A good transfer: the sender's handle dies, the receiver gets a working one. */
	CHECK_EQ(viper_channel_send(s, "h", 1, (viper_handle_t *)&two[0], 1, 0), 0);
	CHECK_EQ(viper_handle_query((viper_handle_t)t, &hi), VIPER_E_BADHANDLE);
	CHECK_EQ(viper_channel_recv(r, buf, sizeof(buf), got, &info, 0), 1);
	CHECK_EQ(info.handles, 1);
	CHECK_EQ(viper_handle_query(got[0], &hi), 0);
	CHECK_EQ(hi.kind, VIPER_OBJ_TIMER);
	CHECK_EQ(viper_timer_set(got[0], viper_clock_now() + 1000000000, 0), 0);
	/* Revoked while in flight: it arrives dead. */
	int64_t child =
		viper_handle_derive((viper_handle_t)t2, VIPER_RIGHT_READ | VIPER_RIGHT_TRANSFER);
	viper_handle_t c = (viper_handle_t)child;
	CHECK_EQ(viper_channel_send(s, "r", 1, &c, 1, 0), 0);
	CHECK_EQ(viper_handle_revoke((viper_handle_t)t2), 2);
	CHECK_EQ(viper_channel_recv(r, buf, sizeof(buf), got + 1, &info, 0), 1);
	CHECK_EQ(info.handles, 1);
	CHECK_EQ(got[1], VIPER_HANDLE_INVALID);
	viper_handle_close(got[0]);
	viper_handle_close((viper_handle_t)t2);
	viper_handle_close(s);
	viper_handle_close(r);
}

static void test_peer_closed(void)
{
	viper_handle_t s, r;
	struct viper_msg_info info;
	char buf[16];
	viper_handle_t hs[4];

	CHECK_EQ(viper_channel_create(&s, &r, 0), 0);
	CHECK_EQ(viper_channel_send(s, "last", 4, NULL, 0, 0), 0);
	viper_handle_close(s);
	/* Queued messages are still delivered, then the closure shows. */
	CHECK_EQ(viper_channel_recv(r, buf, sizeof(buf), hs, &info, 0), 4);
	CHECK_EQ(viper_channel_recv(r, buf, sizeof(buf), hs, &info, 0), VIPER_E_PEERCLOSED);
	viper_handle_close(r);
	CHECK_EQ(viper_channel_create(&s, &r, 0), 0);
	viper_handle_close(r);
	CHECK_EQ(viper_channel_send(s, "x", 1, NULL, 0, 0), VIPER_E_PEERCLOSED);
	CHECK_EQ(viper_channel_notify(s, 1), VIPER_E_PEERCLOSED);
	viper_handle_close(s);
}

struct blocked_recv {
	viper_handle_t handle;
	volatile int64_t result;
	volatile int started;
};

static void blocked_recv_thread(void *arg)
{
	struct blocked_recv *b = arg;
	struct viper_msg_info info;
	viper_handle_t hs[4];
	char buf[16];

	b->started = 1;
	b->result = viper_channel_recv(b->handle, buf, sizeof(buf), hs, &info, 0);
}

static int64_t join(int64_t thread)
{
	int64_t status = -1;

	if (thread < 0)
		return thread;
	if (viper_thread_join((viper_handle_t)thread, &status) < 0)
		return -99;
	return status;
}

static void wait_started(volatile int *flag)
{
	while (!*flag)
		viper_yield();
	viper_sleep(20 * 1000000); /* let it block in the kernel */
}

static void test_close_while_blocked(void)
{
	viper_handle_t s, r;
	struct blocked_recv b = {0};
	int64_t th;

	/* The peer closes while we block in receive. */
	CHECK_EQ(viper_channel_create(&s, &r, 0), 0);
	b.handle = r;
	b.result = 1;
	th = viper_thread_start(blocked_recv_thread, &b, VIPER_PRIORITY_DEFAULT);
	CHECK(th > 0);
	wait_started(&b.started);
	CHECK_EQ(b.result, 1);
	viper_handle_close(s);
	CHECK_EQ(join(th), 0);
	CHECK_EQ(b.result, VIPER_E_PEERCLOSED);
	viper_handle_close(r);

	/* A handle in use is revoked: the blocked receive ends with E_CLOSED. */
	CHECK_EQ(viper_channel_create(&s, &r, 0), 0);
	b = (struct blocked_recv){0};
	b.handle = (viper_handle_t)viper_handle_derive(r, VIPER_RIGHT_READ);
	b.result = 1;
	th = viper_thread_start(blocked_recv_thread, &b, VIPER_PRIORITY_DEFAULT);
	wait_started(&b.started);
	CHECK_EQ(viper_handle_revoke(r), 1);
	CHECK_EQ(join(th), 0);
	CHECK_EQ(b.result, VIPER_E_CLOSED);
	/* The channel itself still works through the parent handle. */
	CHECK_EQ(viper_channel_send(s, "ok", 2, NULL, 0, 0), 0);
	viper_handle_close(s);
	viper_handle_close(r);
}

struct caller {
	viper_handle_t send;
	int64_t timeout;
	volatile int64_t result;
	char reply[64];
	volatile int started;
};

static void caller_thread(void *arg)
{
	struct caller *c = arg;
	struct viper_call call = {
		.send_bytes = "ping",
		.send_len = 4,
		.reply_bytes = c->reply,
		.reply_capacity = sizeof(c->reply),
		.timeout_ns = c->timeout,
	};
	c->started = 1;
	c->result = viper_channel_call(c->send, &call);
}

static void test_call_reply(void)
{
	viper_handle_t s, r, hs[4];
	struct viper_msg_info info;
	struct caller c = {0};
	char buf[64];
	int64_t th;

	CHECK_EQ(viper_channel_create(&s, &r, 0), 0);
	c.send = s;
	c.timeout = VIPER_TIMEOUT_NONE;
	th = viper_thread_start(caller_thread, &c, VIPER_PRIORITY_DEFAULT);
	CHECK_EQ(viper_channel_recv(r, buf, sizeof(buf), hs, &info, 0), 4);
	CHECK(info.reply != 0);
	CHECK(memcmp(buf, "ping", 4) == 0);
	/* Forged and oversized replies are refused; the real one goes through once. */
	CHECK_EQ(viper_channel_reply(info.reply ^ 0x100, "x", 1, NULL, 0), VIPER_E_BADHANDLE);
	CHECK_EQ(viper_channel_reply(0, "x", 1, NULL, 0), VIPER_E_BADHANDLE);
	CHECK_EQ(viper_channel_reply(info.reply, buf, 300, NULL, 0), VIPER_E_TOOBIG);
	CHECK_EQ(viper_channel_reply(info.reply, "pong!", 5, NULL, 0), 0);
	CHECK_EQ(viper_channel_reply(info.reply, "pong!", 5, NULL, 0), VIPER_E_BADHANDLE);
	CHECK_EQ(join(th), 0);
	CHECK_EQ(c.result, 5);
	CHECK(memcmp(c.reply, "pong!", 5) == 0);

	/* Nobody answers: the call times out and its request is withdrawn. */
	struct viper_call call = {.send_bytes = "t",
				  .send_len = 1,
				  .reply_bytes = buf,
				  .reply_capacity = sizeof(buf),
				  .timeout_ns = 30 * 1000000};
	CHECK_EQ(viper_channel_call(s, &call), VIPER_E_TIMEOUT);
	CHECK_EQ(viper_channel_recv(r, buf, sizeof(buf), hs, &info, VIPER_MSG_NONBLOCK),
		 VIPER_E_WOULDBLOCK);
	/* A reply bigger than the caller's buffer: both sides hear of it. */
	c = (struct caller){.send = s, .timeout = VIPER_TIMEOUT_NONE};
	th = viper_thread_start(caller_thread, &c, VIPER_PRIORITY_DEFAULT);
	CHECK_EQ(viper_channel_recv(r, buf, sizeof(buf), hs, &info, 0), 4);
	memset(buf, 'y', sizeof(buf));
	char big[100];
	memset(big, 'z', sizeof(big));
	CHECK_EQ(viper_channel_reply(info.reply, big, 100, NULL, 0), VIPER_E_RANGE);
	CHECK_EQ(join(th), 0);
	CHECK_EQ(c.result, VIPER_E_RANGE);
	CHECK_EQ(viper_channel_call(s, (struct viper_call *)8), VIPER_E_FAULT);
	viper_handle_close(s);
	viper_handle_close(r);
}

/* Calls `s` with `len` bytes of a pattern and checks the echo; the reply buffer is `reply`. */
static void check_echo(viper_handle_t s, uint32_t len, char *reply, uint32_t capacity)
{
	char msg[VIPER_MSG_MAX_BYTES];

	for (uint32_t i = 0; i < len; i++)
		msg[i] = (char)('a' + (i * 7 + len) % 26);
	struct viper_call call = {.send_bytes = msg,
				  .send_len = len,
				  .reply_bytes = reply,
				  .reply_capacity = capacity,
				  .timeout_ns = VIPER_TIMEOUT_NONE};
	CHECK_EQ(viper_channel_call(s, &call), len);
	CHECK_EQ(call.info.bytes, len);
	CHECK(memcmp(reply, msg, len) == 0);
}

static void test_call_other_process(void)
{
	viper_handle_t s, r;
	char reply[64];
	int64_t child;

	CHECK_EQ(viper_channel_create(&s, &r, 0), 0);
	child = spawn(ROLE_ECHO, &r, 1);
	CHECK(child > 0);
	for (int i = 0; i < 50; i++) {
		char msg[32];
		int n = snprintf(msg, sizeof(msg), "message %d", i);
		struct viper_call call = {.send_bytes = msg,
					  .send_len = (uint32_t)n,
					  .reply_bytes = reply,
					  .reply_capacity = sizeof(reply),
					  .timeout_ns = VIPER_TIMEOUT_NONE};
		int64_t got = viper_channel_call(s, &call);
		CHECK_EQ(got, n);
		CHECK_EQ(call.info.bytes, n);
		if (got == n)
			CHECK(memcmp(reply, msg, (size_t)n) == 0);
	}
	/* An unwritable reply buffer fails the call, not the server, which goes on. */
	struct viper_call bad = {.send_bytes = "x",
				 .send_len = 1,
				 .reply_bytes = (void *)8,
				 .reply_capacity = sizeof(reply),
				 .timeout_ns = VIPER_TIMEOUT_NONE};
	CHECK_EQ(viper_channel_call(s, &bad), VIPER_E_FAULT);
	check_echo(s, 5, reply, sizeof(reply));
	viper_handle_close(s); /* the echo server sees its peer close and exits */
	CHECK_EQ(wait_status((viper_handle_t)child), 0);

	/* The server dies holding our call: we hear E_PEERCLOSED, not silence. */
	CHECK_EQ(viper_channel_create(&s, &r, 0), 0);
	child = spawn(ROLE_TAKE_CALL, &r, 1);
	struct viper_call call = {.send_bytes = "q",
				  .send_len = 1,
				  .reply_bytes = reply,
				  .reply_capacity = sizeof(reply),
				  .timeout_ns = VIPER_TIMEOUT_NONE};
	CHECK_EQ(viper_channel_call(s, &call), VIPER_E_PEERCLOSED);
	CHECK_EQ(wait_status((viper_handle_t)child), 0);
	viper_handle_close(s);
}

/*
 * A short call with `len` bytes of a pattern; checks the echo, and that the
 * bytes past it in its last word are zero or the caller's own (0xff), never
 * the server's register contents (its earlier, longer messages).
 */
static void check_short_echo(viper_handle_t s, uint32_t len)
{
	struct viper_short_msg m;
	char want[VIPER_SHORT_MSG_BYTES];

	for (uint32_t i = 0; i < len; i++)
		want[i] = (char)('A' + (i * 5 + len) % 26);
	memset(m.words, 0xff, sizeof(m.words));
	memcpy(m.words, want, len);
	CHECK_EQ(viper_channel_call_short(s, &m, len), len);
	CHECK(memcmp(m.words, want, len) == 0);
	for (uint32_t i = len; i % 8; i++) {
		unsigned char past = ((unsigned char *)m.words)[i];
		CHECK(past == 0 || past == 0xff);
	}
}

/*
 * System calls by svc immediate: svc #N makes call N (the short-message
 * calls need it, their message filling x8), whatever x8 holds; an immediate
 * that names no call is refused.
 */
static int64_t svc_immediate_clock_now(void)
{
	register uint64_t x0 __asm__("x0") = 0;
	register uint64_t x8 __asm__("x8") = VIPER_SYS_YIELD; /* ignored: the immediate wins */

	_Static_assert(VIPER_SYS_CLOCK_NOW == 2, "svc #2 below");
	__asm__ volatile("svc #2" : "+r"(x0) : "r"(x8) : "memory");
	return (int64_t)x0;
}

static int64_t svc_immediate(unsigned which)
{
	register uint64_t x0 __asm__("x0") = 0;
	register uint64_t x8 __asm__("x8") = VIPER_SYS_CLOCK_NOW;

	_Static_assert(VIPER_SYS_COUNT == 50, "svc #50 below");
	if (which == 0)
		__asm__ volatile("svc #50" : "+r"(x0) : "r"(x8) : "memory");
	else
		__asm__ volatile("svc #0xffff" : "+r"(x0) : "r"(x8) : "memory");
	return (int64_t)x0;
}

static void test_svc_immediates(void)
{
	int64_t before = viper_clock_now();
	int64_t now = svc_immediate_clock_now();

	CHECK(before > 0);
	CHECK(now >= before);
	CHECK_EQ(svc_immediate(0), VIPER_E_NOSYS);
	CHECK_EQ(svc_immediate(1), VIPER_E_NOSYS);
	CHECK(viper_clock_now() >= now); /* and the process goes on */
}

static void test_fast_paths(void)
{
	viper_handle_t s, r, s2, r2;
	char reply[VIPER_MSG_MAX_BYTES];
	int64_t child;

	/* A server looping on channel_reply_recv, every length, handles too. */
	CHECK_EQ(viper_channel_create(&s, &r, 0), 0);
	child = spawn(ROLE_ECHO_REPLY_RECV, &r, 1);
	CHECK(child > 0);
	for (uint32_t len = 0; len <= VIPER_MSG_MAX_BYTES; len += 17)
		check_echo(s, len, reply, sizeof(reply));
	check_echo(s, VIPER_MSG_MAX_BYTES, reply, sizeof(reply));
	/* Buffers across a page boundary leave the fast path; the result is the same. */
	int64_t mo = viper_memory_create(2 * VIPER_PAGE_SIZE, 0);
	CHECK(mo > 0);
	int64_t va = viper_memory_map((viper_handle_t)mo, 0, 2 * VIPER_PAGE_SIZE,
				      VIPER_PROT_READ | VIPER_PROT_WRITE, 0);
	CHECK(va > 0);
	if (va > 0)
		check_echo(s, 64, (char *)(uintptr_t)(va + VIPER_PAGE_SIZE - 20), 64);
	/* A handle in the request takes the general path too. */
	CHECK_EQ(viper_channel_create(&s2, &r2, 0), 0);
	struct viper_call call = {.send_bytes = "h",
				  .send_len = 1,
				  .send_handles = &r2,
				  .send_handle_count = 1,
				  .reply_bytes = reply,
				  .reply_capacity = sizeof(reply),
				  .timeout_ns = VIPER_TIMEOUT_NONE};
	CHECK_EQ(viper_channel_call(s, &call), 1);
	CHECK_EQ(viper_handle_close(r2), VIPER_E_BADHANDLE); /* it moved */
	/* channel_call made with svc #0 (its stub uses svc #19): the general path, same result. */
	char plain[16] = "by svc #0, x8=19";
	call = (struct viper_call){.send_bytes = plain,
				   .send_len = sizeof(plain),
				   .reply_bytes = reply,
				   .reply_capacity = sizeof(reply),
				   .timeout_ns = VIPER_TIMEOUT_NONE};
	CHECK_EQ(viper_syscall6(VIPER_SYS_CHANNEL_CALL, s, (uint64_t)(uintptr_t)&call, 0, 0, 0, 0),
		 sizeof(plain));
	CHECK(memcmp(reply, plain, sizeof(plain)) == 0);
	viper_handle_close(s2);
	if (va > 0)
		CHECK_EQ(viper_memory_unmap((uint64_t)va, 2 * VIPER_PAGE_SIZE), 0);
	viper_handle_close((viper_handle_t)mo);
	/* A short client to the same server. */
	check_short_echo(s, 16);
	viper_handle_close(s);
	CHECK_EQ(wait_status((viper_handle_t)child), 0);

	/* A server on short messages: short and ordinary clients, long requests. */
	CHECK_EQ(viper_channel_create(&s, &r, 0), 0);
	child = spawn(ROLE_ECHO_SHORT, &r, 1);
	CHECK(child > 0);
	for (uint32_t len = 0; len <= VIPER_SHORT_MSG_BYTES; len += 8)
		check_short_echo(s, len);
	check_short_echo(s, 5); /* after 128 bytes: nothing of them comes back past the 5 */
	check_short_echo(s, 77);
	check_short_echo(s, VIPER_SHORT_MSG_BYTES - 1);
	check_short_echo(s, 49);
	check_echo(s, 16, reply, sizeof(reply));
	struct viper_short_msg m = {{0}};
	CHECK_EQ(viper_channel_call_short(s, &m, VIPER_SHORT_MSG_BYTES + 1), VIPER_E_TOOBIG);
	char big[VIPER_SHORT_MSG_BYTES + 20];
	memset(big, 'b', sizeof(big));
	call = (struct viper_call){.send_bytes = big,
				   .send_len = sizeof(big),
				   .reply_bytes = reply,
				   .reply_capacity = sizeof(reply),
				   .timeout_ns = VIPER_TIMEOUT_NONE};
	CHECK_EQ(viper_channel_call(s, &call), 4);
	CHECK(memcmp(reply, "long", 4) == 0);
	check_short_echo(s, 48); /* and it goes on */
	viper_handle_close(s);
	CHECK_EQ(wait_status((viper_handle_t)child), 0);

	/* A short client to a server on channel_recv and channel_reply. */
	CHECK_EQ(viper_channel_create(&s, &r, 0), 0);
	child = spawn(ROLE_ECHO, &r, 1);
	check_short_echo(s, 16);
	check_short_echo(s, 48);
	viper_handle_close(s);
	CHECK_EQ(wait_status((viper_handle_t)child), 0);
	/* Its peer gone, a short call fails at once. */
	CHECK_EQ(viper_channel_call_short(s, &m, 8), VIPER_E_BADHANDLE);
	CHECK_EQ(viper_channel_create(&s, &r, 0), 0);
	viper_handle_close(r);
	CHECK_EQ(viper_channel_call_short(s, &m, 8), VIPER_E_PEERCLOSED);
	viper_handle_close(s);
}

/* A server thread on channel_reply_recv or its short form, echoing until a receive fails. */
struct echo_server {
	viper_handle_t recv;
	bool short_form;
	volatile int64_t result; /* what ended it */
	volatile int served;	 /* calls received */
	volatile int plain;	 /* messages received that were not calls */
};

static void echo_server_thread(void *arg)
{
	struct echo_server *e = arg;
	viper_handle_t hs[VIPER_MSG_MAX_HANDLES];
	char buf[VIPER_MSG_MAX_BYTES];
	struct viper_reply_recv rr = {.reply_bytes = buf,
				      .recv_bytes = buf,
				      .recv_capacity = sizeof(buf),
				      .recv_handles = hs};
	struct viper_short_msg m;
	uint32_t token = 0;
	int64_t n = 0;

	for (;;) {
		if (e->short_form) {
			n = viper_channel_reply_recv_short(e->recv, &token,
							   (uint64_t)(n < 0 ? 0 : n), &m, NULL);
		} else {
			n = viper_channel_reply_recv(e->recv, &rr, 0);
			token = rr.info.reply;
			rr.reply = token;
			rr.reply_len = n < 0 ? 0 : (uint32_t)n;
		}
		if (n < 0)
			break;
		if (token)
			e->served++;
		else
			e->plain++;
	}
	e->result = n;
}

/* Starts an echo server thread on a derived handle to `r`. */
static int64_t start_echo_server(struct echo_server *e, viper_handle_t r, bool short_form)
{
	*e = (struct echo_server){.short_form = short_form, .result = 1};
	e->recv = (viper_handle_t)viper_handle_derive(r, VIPER_RIGHT_READ);
	return viper_thread_start(echo_server_thread, e, VIPER_PRIORITY_DEFAULT);
}

/* Echoes `count` calls of 16 bytes to `s`, short or not. */
static void echo_calls(viper_handle_t s, bool short_form, int count)
{
	char reply[64];

	for (int i = 0; i < count; i++) {
		if (short_form)
			check_short_echo(s, 16);
		else
			check_echo(s, 16, reply, sizeof(reply));
	}
}

/*
 * The IPC hand-over (kernel/hand_over.h): threads it blocked, woken for
 * anything but the partner they wait for, finish as the general path would;
 * whatever the fast path declines gives the same results the general way.
 */
static void test_hand_over(void)
{
	viper_handle_t s, r, hs[4];
	struct viper_msg_info info;
	struct echo_server e;
	char buf[64];
	int64_t th, child;

	for (int form = 0; form < 2; form++) {
		/* Served by hand-over, then a plain message, then its handle revoked while it
		 * waits. */
		CHECK_EQ(viper_channel_create(&s, &r, 0), 0);
		th = start_echo_server(&e, r, form);
		CHECK(th > 0);
		echo_calls(s, form, 20);
		CHECK_EQ(e.served, 20);
		CHECK_EQ(viper_channel_send(s, "hi", 2, NULL, 0, 0), 0);
		echo_calls(s, form, 3);
		CHECK_EQ(e.plain, 1);
		CHECK_EQ(e.served, 23);
		CHECK_EQ(viper_handle_revoke(r), 1);
		CHECK_EQ(join(th), 0);
		CHECK_EQ(e.result, VIPER_E_CLOSED);
		viper_handle_close(s);
		viper_handle_close(r);
		/* Its peer closes while it waits so: E_PEERCLOSED. */
		CHECK_EQ(viper_channel_create(&s, &r, 0), 0);
		th = start_echo_server(&e, r, form);
		echo_calls(s, form, 5);
		viper_handle_close(s);
		CHECK_EQ(join(th), 0);
		CHECK_EQ(e.result, VIPER_E_PEERCLOSED);
		CHECK_EQ(e.served, 5);
		viper_handle_close(r);
		viper_handle_close(e.recv);

		/* A caller killed while it waits handed over: the reply finds it gone. */
		CHECK_EQ(viper_channel_create(&s, &r, 0), 0);
		child = spawn(form ? ROLE_CALL_ONCE_SHORT : ROLE_CALL_ONCE, &s, 1);
		CHECK(child > 0);
		CHECK_EQ(viper_channel_recv(r, buf, sizeof(buf), hs, &info, 0), 1);
		CHECK(info.reply != 0);
		CHECK_EQ(viper_process_kill((viper_handle_t)child, 55), 0);
		CHECK_EQ(wait_status((viper_handle_t)child), 55);
		CHECK_EQ(viper_channel_reply(info.reply, "late", 4, NULL, 0), VIPER_E_PEERCLOSED);
		viper_handle_close(r);
	}

	/* What the fast path declines goes the general way: a call struct off its alignment. */
	CHECK_EQ(viper_channel_create(&s, &r, 0), 0);
	th = start_echo_server(&e, r, false);
	_Alignas(8) char raw[sizeof(struct viper_call) + 8];
	char reply[16];
	struct viper_call call = {.send_bytes = "unaligned!",
				  .send_len = 10,
				  .reply_bytes = reply,
				  .reply_capacity = sizeof(reply),
				  .timeout_ns = VIPER_TIMEOUT_NONE};
	memcpy(raw + 4, &call, sizeof(call));
	CHECK_EQ(viper_channel_call(s, (struct viper_call *)(void *)(raw + 4)), 10);
	CHECK(memcmp(reply, "unaligned!", 10) == 0);
	memcpy(&call, raw + 4, sizeof(call));
	CHECK_EQ(call.info.bytes, 10);
	/* A deadline: the general path, the same echo. */
	call.timeout_ns = 1000 * 1000000ll;
	CHECK_EQ(viper_channel_call(s, &call), 10);
	/* A server pinned to another CPU cannot be handed the CPU: the general wake-up. */
	if (startup->cpu_count >= 2) {
		CHECK_EQ(viper_thread_set_affinity(startup->self_thread, 1u), 0);
		CHECK_EQ(viper_thread_set_affinity((viper_handle_t)th, 2u), 0);
		echo_calls(s, false, 20);
		CHECK_EQ(viper_thread_set_affinity((viper_handle_t)th, 0), 0);
		CHECK_EQ(viper_thread_set_affinity(startup->self_thread, 0), 0);
	}
	viper_handle_close(s);
	CHECK_EQ(join(th), 0);
	CHECK_EQ(e.result, VIPER_E_PEERCLOSED);
	viper_handle_close(r);
	viper_handle_close(e.recv);
}

/* Sends "done" on the handle at `arg` after 50 ms. */
static void send_later(void *arg)
{
	viper_sleep(50 * 1000000);
	viper_channel_send(*(viper_handle_t *)arg, "done", 4, NULL, 0, 0);
}

/* Caller threads for test_reply_recv_errors. */
static char big_reply[2 * VIPER_MSG_MAX_BYTES];

static void big_caller_thread(void *arg)
{
	struct caller *c = arg;
	struct viper_call call = {.send_bytes = "ping",
				  .send_len = 4,
				  .reply_bytes = big_reply,
				  .reply_capacity = sizeof(big_reply),
				  .timeout_ns = VIPER_TIMEOUT_NONE};
	c->started = 1;
	c->result = viper_channel_call(c->send, &call);
}

static void short_caller_thread(void *arg)
{
	struct caller *c = arg;
	struct viper_short_msg m = {{0x676e6970}}; /* "ping" */

	c->started = 1;
	c->result = viper_channel_call_short(c->send, &m, 4);
	memcpy(c->reply, m.words,
	       sizeof(m.words) < sizeof(c->reply) ? sizeof(m.words) : sizeof(c->reply));
}

static void test_reply_recv_errors(void)
{
	viper_handle_t s, r, hs[VIPER_MSG_MAX_HANDLES];
	char buf[VIPER_MSG_MAX_BYTES];
	struct viper_reply_recv rr = {
		.recv_bytes = buf, .recv_capacity = sizeof(buf), .recv_handles = hs};
	struct caller c = {0};
	int64_t th;

	CHECK_EQ(viper_channel_create(&s, &r, 0), 0);
	CHECK_EQ(viper_channel_reply_recv(r, &rr, 2), VIPER_E_INVAL);
	CHECK_EQ(viper_channel_reply_recv(r, (struct viper_reply_recv *)8, 0), VIPER_E_FAULT);
	CHECK_EQ(viper_channel_reply_recv(r, &rr, VIPER_MSG_NONBLOCK), VIPER_E_WOULDBLOCK);
	CHECK_EQ(viper_channel_reply_recv(s, &rr, VIPER_MSG_NONBLOCK), VIPER_E_KIND);

	/* A call arrives; bad replies are refused and change nothing. */
	c = (struct caller){.send = s, .timeout = VIPER_TIMEOUT_NONE};
	th = viper_thread_start(caller_thread, &c, VIPER_PRIORITY_DEFAULT);
	CHECK_EQ(viper_channel_reply_recv(r, &rr, 0), 4);
	uint32_t token = rr.info.reply;
	CHECK(token != 0);
	CHECK_EQ(viper_channel_send(s, "next", 4, NULL, 0, 0), 0);
	rr.reply = token ^ 0x100;
	rr.reply_bytes = "pong";
	rr.reply_len = 4;
	CHECK_EQ(viper_channel_reply_recv(r, &rr, 0), VIPER_E_BADHANDLE);
	rr.reply = token;
	rr.reply_len = VIPER_MSG_MAX_BYTES + 1;
	CHECK_EQ(viper_channel_reply_recv(r, &rr, 0), VIPER_E_TOOBIG);
	rr.reply_len = 4;
	rr.reply_bytes = (const void *)16;
	CHECK_EQ(viper_channel_reply_recv(r, &rr, 0), VIPER_E_FAULT);
	/* The token still holds; the reply goes, and "next" comes in. */
	rr.reply_bytes = "pong";
	rr.reply_result = 12345;
	CHECK_EQ(viper_channel_reply_recv(r, &rr, 0), 4);
	CHECK_EQ(rr.reply_result, VIPER_OK);
	CHECK(memcmp(buf, "next", 4) == 0);
	CHECK_EQ(rr.info.reply, 0u);
	CHECK_EQ(join(th), 0);
	CHECK_EQ(c.result, 4);
	CHECK(memcmp(c.reply, "pong", 4) == 0);

	/* The caller gave up: the server hears so in reply_result. */
	c = (struct caller){.send = s, .timeout = 20 * 1000000};
	th = viper_thread_start(caller_thread, &c, VIPER_PRIORITY_DEFAULT);
	rr.reply = 0;
	CHECK_EQ(viper_channel_reply_recv(r, &rr, 0), 4);
	token = rr.info.reply;
	CHECK_EQ(join(th), 0);
	CHECK_EQ(c.result, VIPER_E_TIMEOUT);
	CHECK_EQ(viper_channel_send(s, "more", 4, NULL, 0, 0), 0);
	rr.reply = token;
	CHECK_EQ(viper_channel_reply_recv(r, &rr, 0), 4);
	CHECK_EQ(rr.reply_result, VIPER_E_PEERCLOSED);

	/* A reply too big for the caller: both hear of it. */
	c = (struct caller){.send = s, .timeout = VIPER_TIMEOUT_NONE};
	th = viper_thread_start(caller_thread, &c, VIPER_PRIORITY_DEFAULT);
	rr.reply = 0;
	CHECK_EQ(viper_channel_reply_recv(r, &rr, 0), 4);
	CHECK_EQ(viper_channel_send(s, "last", 4, NULL, 0, 0), 0);
	char big[100];
	memset(big, 'z', sizeof(big));
	rr.reply = rr.info.reply;
	rr.reply_bytes = big;
	rr.reply_len = sizeof(big);
	CHECK_EQ(viper_channel_reply_recv(r, &rr, 0), 4);
	CHECK_EQ(rr.reply_result, VIPER_E_RANGE);
	CHECK_EQ(join(th), 0);
	CHECK_EQ(c.result, VIPER_E_RANGE);

	/* A reply over 256 bytes to a caller with room for more, on the fast path's
	 * terms (caller waiting, queue empty): still E_TOOBIG, and the token holds. */
	c = (struct caller){.send = s, .timeout = VIPER_TIMEOUT_NONE};
	th = viper_thread_start(big_caller_thread, &c, VIPER_PRIORITY_DEFAULT);
	rr.reply = 0;
	rr.reply_bytes = big_reply;
	CHECK_EQ(viper_channel_reply_recv(r, &rr, 0), 4);
	rr.reply = rr.info.reply;
	while (!c.started)
		viper_yield();
	viper_sleep(2000000); /* the caller is blocked in its call now */
	int64_t sender = viper_thread_start(send_later, &s, VIPER_PRIORITY_DEFAULT);
	rr.reply_len = VIPER_MSG_MAX_BYTES + 1;
	CHECK_EQ(viper_channel_reply_recv(r, &rr, 0), VIPER_E_TOOBIG);
	rr.reply_len = VIPER_MSG_MAX_BYTES;
	CHECK_EQ(viper_channel_reply_recv(r, &rr, 0), 4); /* "done", 50 ms later */
	CHECK_EQ(rr.reply_result, VIPER_OK);
	CHECK_EQ(join(th), 0);
	CHECK_EQ(join(sender), 0);
	CHECK_EQ(c.result, VIPER_MSG_MAX_BYTES);

	/* Short receives: a token and reply_result in x1, bad lengths, handles. */
	struct viper_short_msg m;
	int32_t result = 1;
	token = 0;
	CHECK_EQ(viper_channel_reply_recv_short(r, &token, VIPER_SHORT_MSG_BYTES + 1, &m, NULL),
		 VIPER_E_TOOBIG);
	c = (struct caller){.send = s, .timeout = VIPER_TIMEOUT_NONE};
	th = viper_thread_start(short_caller_thread, &c, VIPER_PRIORITY_DEFAULT);
	CHECK_EQ(viper_channel_reply_recv_short(r, &token, 0, &m, &result), 4);
	CHECK(token != 0);
	CHECK(memcmp(m.words, "ping", 4) == 0);
	uint32_t bad = token ^ 0x100;
	CHECK_EQ(viper_channel_reply_recv_short(r, &bad, 4, &m, NULL), VIPER_E_BADHANDLE);
	viper_handle_t extra, extra_r;
	CHECK_EQ(viper_channel_create(&extra, &extra_r, 0), 0);
	CHECK_EQ(viper_channel_send(s, "hand", 4, &extra_r, 1, 0), 0);
	memcpy(m.words, "PONG", 4);
	/* The reply goes; the next message carries a handle, so it stays queued. */
	CHECK_EQ(viper_channel_reply_recv_short(r, &token, 4, &m, &result), VIPER_E_RANGE);
	CHECK_EQ(join(th), 0);
	CHECK_EQ(c.result, 4);
	CHECK(memcmp(c.reply, "PONG", 4) == 0);
	struct viper_msg_info info;
	CHECK_EQ(viper_channel_recv(r, buf, sizeof(buf), hs, &info, VIPER_MSG_NONBLOCK), 4);
	CHECK_EQ(info.handles, 1u);
	viper_handle_close(hs[0]);
	viper_handle_close(extra);
	viper_handle_close(s);
	viper_handle_close(r);
}

/*
 * A poll set holds a whole handle table's worth of entries, and when more
 * are ready than one wait reports, the next wait goes on after the last one
 * reported: every ready entry is reported within ceil(ready / max) waits.
 */
static void test_poll_capacity_and_fairness(void)
{
	enum { CHANNELS = 80, MAX = 8 }; /* 160 handles: what this suite has room for */
	viper_handle_t send[CHANNELS], recv[CHANNELS];
	struct viper_poll_event ev[MAX];
	bool seen[CHANNELS] = {false};
	int64_t ps = viper_poll_create();
	int made = 0, reported = 0;

	CHECK(ps > 0);
	for (; made < CHANNELS; made++) {
		if (viper_channel_create(&send[made], &recv[made], 1) < 0)
			break;
		if (viper_poll_add((viper_handle_t)ps, recv[made], VIPER_SIGNAL_READABLE,
				   (uint64_t)made) < 0)
			break;
		(void)viper_channel_send(send[made], "x", 1, NULL, 0, VIPER_MSG_NONBLOCK);
	}
	CHECK_EQ(made, CHANNELS); /* over the old limit of 64 */
	for (int w = 0; w < (CHANNELS + MAX - 1) / MAX; w++) {
		int64_t n = viper_poll_wait((viper_handle_t)ps, ev, MAX, 0);
		CHECK_EQ(n, MAX);
		for (int64_t e = 0; e < n; e++) {
			uint64_t k = ev[e].key;
			if (k < CHANNELS && !seen[k]) {
				seen[k] = true;
				reported++;
			}
		}
	}
	CHECK_EQ(reported, CHANNELS); /* nobody starved though all stay ready */
	CHECK_EQ(viper_poll_wait((viper_handle_t)ps, ev, VIPER_POLL_MAX_EVENTS + 1, 0),
		 VIPER_E_INVAL);
	for (int i = 0; i < made; i++) {
		viper_handle_close(send[i]);
		viper_handle_close(recv[i]);
	}
	viper_handle_close((viper_handle_t)ps);
}

static void test_notifications_and_poll(void)
{
	viper_handle_t s, r;
	struct viper_poll_event ev[4];
	int64_t ps = viper_poll_create(), t = viper_timer_create();

	CHECK(ps > 0 && t > 0);
	CHECK_EQ(viper_channel_create(&s, &r, 0), 0);
	CHECK_EQ(viper_poll_add((viper_handle_t)ps, r,
				VIPER_SIGNAL_READABLE | VIPER_SIGNAL_NOTIFIED, 11),
		 0);
	CHECK_EQ(viper_poll_add((viper_handle_t)ps, (viper_handle_t)t, VIPER_SIGNAL_TIMER, 22), 0);
	CHECK_EQ(viper_poll_add((viper_handle_t)ps, r, VIPER_SIGNAL_READABLE, 33), VIPER_E_BUSY);
	CHECK_EQ(viper_poll_add((viper_handle_t)ps, (viper_handle_t)ps, VIPER_SIGNAL_READABLE, 1),
		 VIPER_E_INVAL);
	CHECK_EQ(viper_poll_add((viper_handle_t)ps, 0x777, VIPER_SIGNAL_READABLE, 1),
		 VIPER_E_BADHANDLE);
	CHECK_EQ(viper_poll_wait((viper_handle_t)ps, ev, 4, 0), VIPER_E_WOULDBLOCK);
	CHECK_EQ(viper_poll_wait((viper_handle_t)ps, ev, 4, 20 * 1000000), VIPER_E_TIMEOUT);
	CHECK_EQ(viper_poll_wait((viper_handle_t)ps, ev, 0, 0), VIPER_E_INVAL);
	CHECK_EQ(viper_poll_wait((viper_handle_t)ps, (void *)8, 4, 0), VIPER_E_FAULT);
	/* Notifications. */
	CHECK_EQ(viper_channel_notify(s, 0), VIPER_E_INVAL);
	CHECK_EQ(viper_channel_notify(s, 1ull << 63), VIPER_E_INVAL);
	CHECK_EQ(viper_channel_notify(s, 5), 0);
	CHECK_EQ(viper_channel_notify(s, 8), 0);
	CHECK_EQ(viper_poll_wait((viper_handle_t)ps, ev, 4, VIPER_TIMEOUT_NONE), 1);
	CHECK_EQ(ev[0].key, 11);
	CHECK_EQ(ev[0].ready, VIPER_SIGNAL_NOTIFIED);
	CHECK_EQ(viper_channel_take_notifications(r), 13);
	CHECK_EQ(viper_channel_take_notifications(r), 0);
	CHECK_EQ(viper_channel_take_notifications(s), VIPER_E_KIND);
	/* A timer. */
	CHECK_EQ(viper_timer_set((viper_handle_t)t, 0, 0), VIPER_E_INVAL);
	CHECK_EQ(viper_timer_set((viper_handle_t)t, viper_clock_now() + 1, 10), VIPER_E_INVAL);
	CHECK_EQ(viper_timer_set((viper_handle_t)t, viper_clock_now() + 15 * 1000000, 0), 0);
	CHECK_EQ(viper_poll_wait((viper_handle_t)ps, ev, 4, 2ll * 1000000000), 1);
	CHECK_EQ(ev[0].key, 22);
	CHECK_EQ(ev[0].ready, VIPER_SIGNAL_TIMER);
	CHECK_EQ(viper_poll_wait((viper_handle_t)ps, ev, 4, 0), VIPER_E_WOULDBLOCK);
	/* A periodic timer keeps firing until cancelled. */
	CHECK_EQ(viper_timer_set((viper_handle_t)t, viper_clock_now() + 10 * 1000000, 10 * 1000000),
		 0);
	CHECK_EQ(viper_poll_wait((viper_handle_t)ps, ev, 4, 2ll * 1000000000), 1);
	CHECK_EQ(viper_poll_wait((viper_handle_t)ps, ev, 4, 2ll * 1000000000), 1);
	CHECK_EQ(viper_timer_cancel((viper_handle_t)t), 0);
	viper_poll_wait((viper_handle_t)ps, ev, 4, 0); /* drain one that fired meanwhile */
	CHECK_EQ(viper_poll_wait((viper_handle_t)ps, ev, 4, 30 * 1000000), VIPER_E_TIMEOUT);
	/* A message. */
	CHECK_EQ(viper_channel_send(s, "m", 1, NULL, 0, 0), 0);
	CHECK_EQ(viper_poll_wait((viper_handle_t)ps, ev, 4, 0), 1);
	CHECK_EQ(ev[0].ready, VIPER_SIGNAL_READABLE);
	/* Removing. */
	CHECK_EQ(viper_poll_remove((viper_handle_t)ps, r), 0);
	CHECK_EQ(viper_poll_remove((viper_handle_t)ps, r), VIPER_E_NOTFOUND);
	CHECK_EQ(viper_poll_wait((viper_handle_t)ps, ev, 4, 0), VIPER_E_WOULDBLOCK);
	viper_handle_close((viper_handle_t)t);
	viper_handle_close((viper_handle_t)ps);
	viper_handle_close(s);
	viper_handle_close(r);
}

/* --- threads and processes --- */

static volatile int counter;

static void count_thread(void *arg)
{
	for (int i = 0; i < 1000; i++)
		__atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
	viper_thread_exit((int64_t)(uintptr_t)arg);
}

static void test_threads(void)
{
	int64_t a, b, self_wait;
	int64_t status = 0;

	counter = 0;
	a = viper_thread_start(count_thread, (void *)7, VIPER_PRIORITY_DEFAULT);
	b = viper_thread_start(count_thread, (void *)9, VIPER_PRIORITY_DEFAULT + 1);
	CHECK(a > 0 && b > 0);
	CHECK_EQ(viper_thread_wait((viper_handle_t)a, &status, VIPER_TIMEOUT_NONE), 0);
	CHECK_EQ(status, 7);
	CHECK_EQ(viper_thread_set_priority((viper_handle_t)b, 16), VIPER_E_INVAL);
	CHECK_EQ(join(b), 9);
	CHECK_EQ(join(a), 7);
	CHECK_EQ(counter, 2000);
	self_wait = viper_thread_wait(startup->self_thread, &status, 0);
	CHECK_EQ(self_wait, VIPER_E_INVAL);
	CHECK_EQ(viper_thread_create(0x400000, 0xffff000000001000ull, 0, 8), VIPER_E_INVAL);
	CHECK_EQ(viper_thread_create(0x400000, 0x10008, 0, 8), VIPER_E_INVAL); /* misaligned */
	CHECK_EQ(viper_thread_create(0x400000, 0x10000, 0, 99), VIPER_E_INVAL);
	CHECK_EQ(viper_thread_set_priority(startup->self_thread, VIPER_PRIORITY_DEFAULT), 0);
}

/*
 * Two threads pinned to different CPUs hand a token back and forth by
 * spinning on memory, without system calls in the loop: they run at once,
 * each on its own CPU (checked with handle_query before and after). Nothing
 * here depends on how fast the host runs the CPUs; the deadline only keeps
 * a broken scheduler from hanging the suite.
 */
enum { HANDOVER_ROUNDS = 2000 };
static int turn, handovers, stop_spinning, go;
static viper_handle_t handover_handles[2];
static int64_t handover_cpu[2][2]; /* [thread][before, after] */

static int64_t my_cpu(viper_handle_t self);

static void handover_thread(void *arg)
{
	int me = (int)(uintptr_t)arg;

	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		viper_yield(); /* until pinned */
	viper_yield();	       /* pinned before go was set: from here on it runs there */
	handover_cpu[me][0] = my_cpu(handover_handles[me]);
	for (int i = 0; i < HANDOVER_ROUNDS; i++) {
		while (__atomic_load_n(&turn, __ATOMIC_ACQUIRE) != me)
			if (__atomic_load_n(&stop_spinning, __ATOMIC_RELAXED))
				return;
		__atomic_fetch_add(&handovers, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&turn, 1 - me, __ATOMIC_RELEASE);
	}
	handover_cpu[me][1] = my_cpu(handover_handles[me]);
}

static void test_threads_run_on_every_cpu(void)
{
	int64_t deadline = viper_clock_now() + 30ll * 1000000000, a, b;

	if (startup->cpu_count < 2) {
		viper_printf("  (one CPU: nothing to show)\n");
		return;
	}
	turn = handovers = stop_spinning = go = 0;
	a = viper_thread_start(handover_thread, (void *)0, VIPER_PRIORITY_DEFAULT);
	b = viper_thread_start(handover_thread, (void *)1, VIPER_PRIORITY_DEFAULT);
	CHECK(a > 0 && b > 0);
	handover_handles[0] = (viper_handle_t)a;
	handover_handles[1] = (viper_handle_t)b;
	CHECK_EQ(viper_thread_set_affinity((viper_handle_t)a, 1u << 0), 0);
	CHECK_EQ(viper_thread_set_affinity((viper_handle_t)b, 1u << 1), 0);
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&handovers, __ATOMIC_RELAXED) < 2 * HANDOVER_ROUNDS &&
	       viper_clock_now() < deadline)
		viper_sleep(10 * 1000000);
	__atomic_store_n(&stop_spinning, 1, __ATOMIC_RELAXED);
	CHECK_EQ(join(a), 0);
	CHECK_EQ(join(b), 0);
	CHECK_EQ(handovers, 2 * HANDOVER_ROUNDS);
	CHECK_EQ(handover_cpu[0][0], 0);
	CHECK_EQ(handover_cpu[0][1], 0);
	CHECK_EQ(handover_cpu[1][0], 1);
	CHECK_EQ(handover_cpu[1][1], 1);
}

/* The CPU the calling thread is on (handle_query of its own thread handle). */
static int64_t my_cpu(viper_handle_t self)
{
	struct viper_handle_info info;

	return viper_handle_query(self, &info) < 0 ? -1 : (int64_t)info.size;
}

static volatile int64_t pinned_cpu = -1;
static volatile viper_handle_t pinned_handle;

/* Waits for its handle, then yields a thousand times and says where it ran (-3: moved). */
static void pinned_thread(void *arg)
{
	uint32_t cpu = (uint32_t)(uintptr_t)arg;
	int64_t seen;

	while (!pinned_handle)
		viper_yield();
	viper_yield(); /* pinned meanwhile: now it runs there */
	seen = my_cpu(pinned_handle);
	for (int i = 0; i < 1000 && seen == (int64_t)cpu; i++) {
		viper_yield();
		if (my_cpu(pinned_handle) != seen)
			seen = -3;
	}
	pinned_cpu = seen;
}

static void test_thread_affinity(void)
{
	viper_handle_t me = startup->self_thread;
	uint32_t last = startup->cpu_count - 1;
	int64_t t, weak;

	/* Pinning ourselves: we run where we are told, then anywhere again. */
	CHECK_EQ(viper_thread_set_affinity(me, 1u << last), 0);
	viper_yield();
	CHECK_EQ(my_cpu(me), last);
	CHECK_EQ(viper_thread_set_affinity(me, 1u), 0);
	viper_yield();
	CHECK_EQ(my_cpu(me), 0);
	CHECK_EQ(viper_thread_set_affinity(me, 0), 0);
	/* Another thread, pinned to the last CPU, stays there however often it yields. */
	pinned_cpu = -2;
	pinned_handle = 0;
	t = viper_thread_start(pinned_thread, (void *)(uintptr_t)last, VIPER_PRIORITY_DEFAULT);
	CHECK(t > 0);
	CHECK_EQ(viper_thread_set_affinity((viper_handle_t)t, 1u << last), 0);
	pinned_handle = (viper_handle_t)t;
	CHECK_EQ(join(t), 0);
	CHECK_EQ(pinned_cpu, last);
	/* Refusals: no CPU online in the set, bits past 31, bad handles, too few rights. */
	CHECK_EQ(viper_thread_set_affinity(me, 1u << 31), VIPER_E_INVAL);
	CHECK_EQ(viper_syscall6(VIPER_SYS_THREAD_SET_AFFINITY, me, 1ull << 32, 0, 0, 0, 0),
		 VIPER_E_INVAL);
	CHECK_EQ(viper_thread_set_affinity(0x7777, 1), VIPER_E_BADHANDLE);
	CHECK_EQ(viper_thread_set_affinity(startup->self_process, 1), VIPER_E_KIND);
	weak = viper_handle_derive(me, VIPER_RIGHT_READ);
	CHECK(weak > 0);
	CHECK_EQ(viper_thread_set_affinity((viper_handle_t)weak, 1), VIPER_E_RIGHTS);
	viper_handle_close((viper_handle_t)weak);
}

static void test_processes(void)
{
	int64_t p, status, weak_spawn;
	viper_handle_t sp = viper_spawn_capability();
	struct viper_spawn bad = {.image = "nonexistent", .image_len = 11};

	CHECK(sp != VIPER_HANDLE_INVALID);
	CHECK_EQ(viper_process_spawn(sp, &bad), VIPER_E_NOTFOUND);
	bad.image_len = 0;
	CHECK_EQ(viper_process_spawn(sp, &bad), VIPER_E_INVAL);
	CHECK_EQ(viper_process_spawn(sp, (void *)8), VIPER_E_FAULT);
	bad = (struct viper_spawn){.image = "usertests", .image_len = 9, .priority = 99};
	CHECK_EQ(viper_process_spawn(sp, &bad), VIPER_E_INVAL);
	viper_handle_t forged = 0x5555;
	bad = (struct viper_spawn){
		.image = "usertests", .image_len = 9, .handles = &forged, .handle_count = 1};
	CHECK_EQ(viper_process_spawn(sp, &bad), VIPER_E_BADHANDLE);
	/* The spawn capability is checked first: without it nothing else is looked at. */
	bad = (struct viper_spawn){.image = "usertests", .image_len = 9, .argument = ROLE_EXIT42};
	CHECK_EQ(viper_process_spawn(VIPER_HANDLE_INVALID, &bad), VIPER_E_BADHANDLE);
	CHECK_EQ(viper_process_spawn(forged, &bad), VIPER_E_BADHANDLE);
	CHECK_EQ(viper_process_spawn(sp | 1u << 31, (void *)8), VIPER_E_BADHANDLE);
	CHECK_EQ(viper_process_spawn(startup->self_process, &bad), VIPER_E_KIND);
	weak_spawn = viper_handle_derive(sp, VIPER_RIGHT_TRANSFER);
	CHECK(weak_spawn > 0);
	CHECK_EQ(viper_process_spawn((viper_handle_t)weak_spawn, &bad), VIPER_E_RIGHTS);
	viper_handle_close((viper_handle_t)weak_spawn);
	weak_spawn = viper_handle_derive(sp, VIPER_RIGHT_EXEC);
	p = viper_process_spawn((viper_handle_t)weak_spawn, &bad);
	CHECK(p > 0);
	CHECK_EQ(wait_status((viper_handle_t)p), 42);
	viper_handle_close((viper_handle_t)weak_spawn);
	p = spawn(ROLE_EXIT42, NULL, 0);
	CHECK(p > 0);
	CHECK_EQ(wait_status((viper_handle_t)p), 42);
	/* Kill a process that never stops. */
	p = spawn(ROLE_SPIN, NULL, 0);
	CHECK(p > 0);
	CHECK_EQ(viper_process_wait((viper_handle_t)p, &status, 0), VIPER_E_WOULDBLOCK);
	CHECK_EQ(viper_process_wait((viper_handle_t)p, &status, 20 * 1000000), VIPER_E_TIMEOUT);
	CHECK_EQ(viper_process_kill((viper_handle_t)p, 77), 0);
	CHECK_EQ(wait_status((viper_handle_t)p), 77);
	int64_t weak = viper_handle_derive(startup->self_process, VIPER_RIGHT_READ);
	CHECK_EQ(viper_process_kill((viper_handle_t)weak, 1), VIPER_E_RIGHTS);
	viper_handle_close((viper_handle_t)weak);
}

static void test_faults_kill_only_the_faulty_process(void)
{
	static const enum role roles[] = {ROLE_FAULT, ROLE_EXEC_DATA, ROLE_WRITE_RO,
					  ROLE_KERNEL_PTR};
	int64_t spinner = spawn(ROLE_SPIN, NULL, 0);

	CHECK(spinner > 0);
	for (unsigned i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		int64_t p = spawn(roles[i], NULL, 0);
		CHECK(p > 0);
		CHECK_EQ(wait_status((viper_handle_t)p), VIPER_EXIT_FAULT);
	}
	/* The bystander still runs; so do we. */
	int64_t status;
	CHECK_EQ(viper_process_wait((viper_handle_t)spinner, &status, 0), VIPER_E_WOULDBLOCK);
	CHECK_EQ(viper_process_kill((viper_handle_t)spinner, 0), 0);
	CHECK_EQ(wait_status((viper_handle_t)spinner), VIPER_EXIT_KILLED);
}

/* --- the system capability --- */

/* The startup handle of `kind` (the first), or NULL. */
static const struct viper_startup_handle *startup_of_kind(uint32_t kind)
{
	for (uint32_t i = 0; i < startup->handle_count; i++) {
		if (startup->handles[i].kind == kind)
			return &startup->handles[i];
	}
	return NULL;
}

static viper_handle_t system_handle(void)
{
	const struct viper_startup_handle *s = startup_of_kind(VIPER_OBJ_SYSTEM);

	return s ? s->handle : VIPER_HANDLE_INVALID;
}

static uint64_t koid_of(viper_handle_t h)
{
	struct viper_handle_info info = {0};

	return viper_handle_query(h, &info) == 0 ? info.koid : 0;
}

/* In a kernel with programs the PL011 and its interrupt are the root's to hand on. */
static void test_root_holds_the_console(void)
{
	const struct viper_startup_handle *uart = NULL, *irq = NULL;
	struct viper_handle_info info;
	int64_t va;

	for (uint32_t i = 0; i + 1 < startup->handle_count; i++) {
		if (startup->handles[i].kind == VIPER_OBJ_DEVICE &&
		    startup->handles[i].detail == 0x09000000) {
			uart = &startup->handles[i];
			if (startup->handles[i + 1].kind == VIPER_OBJ_IRQ)
				irq = &startup->handles[i + 1];
		}
	}
	CHECK(uart && irq);
	if (!uart || !irq)
		return;
	CHECK_EQ(uart->size, 0x1000);
	CHECK_EQ(irq->detail, 33);
	CHECK_EQ(viper_handle_query(uart->handle, &info), 0);
	CHECK_EQ(info.kind, VIPER_OBJ_DEVICE);
	CHECK_EQ(info.detail, 0x09000000);
	CHECK_EQ(info.rights & VIPER_RIGHT_DEVICE, VIPER_RIGHT_DEVICE);
	CHECK_EQ(viper_handle_query(irq->handle, &info), 0);
	CHECK_EQ(info.kind, VIPER_OBJ_IRQ);
	CHECK_EQ(info.detail, 33);
	CHECK_EQ(info.rights & VIPER_RIGHT_IRQ, VIPER_RIGHT_IRQ);
	/* It is the PL011: its peripheral id reads 0x11, 0x10. */
	va = viper_device_map(uart->handle, 0, VIPER_PAGE_SIZE, VIPER_PROT_READ);
	CHECK(va > 0);
	if (va > 0) {
		volatile uint32_t *regs = (volatile uint32_t *)(uintptr_t)va;
		CHECK_EQ(regs[0xfe0 / 4] & 0xff, 0x11);
		CHECK_EQ(regs[0xfe4 / 4] & 0xff, 0x10);
		CHECK_EQ(viper_memory_unmap((uint64_t)va, VIPER_PAGE_SIZE), 0);
	}
}

static void test_system_handle_at_startup(void)
{
	struct viper_handle_info info;
	uint32_t at = startup->handle_count, systems = 0;

	for (uint32_t i = 0; i < startup->handle_count; i++) {
		if (startup->handles[i].kind == VIPER_OBJ_SYSTEM) {
			at = i;
			systems++;
		}
	}
	CHECK_EQ(systems, 1);
	/* After the devices and their IRQ lines, with only the spawn capability after it. */
	CHECK(at > 0);
	CHECK_EQ(at, startup->handle_count - 2);
	for (uint32_t i = 0; i < at && i < startup->handle_count; i++)
		CHECK(startup->handles[i].kind == VIPER_OBJ_DEVICE ||
		      startup->handles[i].kind == VIPER_OBJ_IRQ);
	CHECK_EQ(viper_handle_query(system_handle(), &info), 0);
	CHECK_EQ(info.kind, VIPER_OBJ_SYSTEM);
	CHECK_EQ(info.rights,
		 VIPER_RIGHT_READ | VIPER_RIGHT_WRITE | VIPER_RIGHT_DERIVE | VIPER_RIGHT_TRANSFER);
	CHECK(info.koid > 0);
	CHECK_EQ(info.size, 0);
	CHECK_EQ(info.detail, 0);
	/* The spawn capability: last, once, with exec (start) and the rights to pass it on. */
	CHECK_EQ(startup->handles[startup->handle_count - 1].kind, VIPER_OBJ_SPAWN);
	CHECK_EQ(viper_spawn_capability(), startup->handles[startup->handle_count - 1].handle);
	CHECK_EQ(viper_handle_query(viper_spawn_capability(), &info), 0);
	CHECK_EQ(info.kind, VIPER_OBJ_SPAWN);
	CHECK_EQ(info.rights, VIPER_RIGHT_EXEC | VIPER_RIGHT_DERIVE | VIPER_RIGHT_TRANSFER);
	CHECK(info.koid > 0);
	CHECK_EQ(info.size, 0);
	CHECK_EQ(info.detail, 0);
}

static struct viper_handle_entry entries[VIPER_HANDLES_MAX + 1];
static struct viper_handle_entry entries2[VIPER_HANDLES_MAX];

static void test_handle_list(void)
{
	struct viper_handle_info info;
	struct viper_usage usage;
	int64_t n = viper_handle_list(NULL, 0), t, m, va;
	bool self = false;

	CHECK(n >= startup->handle_count + 2);
	CHECK_EQ(viper_process_usage(startup->self_process, &usage), 0);
	CHECK_EQ(usage.handles, n);
	CHECK_EQ(viper_handle_list(entries, VIPER_HANDLES_MAX), n);
	/* Each entry is what handle_query says of its handle, in slot order. */
	for (int64_t i = 0; i < n && i < VIPER_HANDLES_MAX; i++) {
		CHECK_EQ(viper_handle_query(entries[i].handle, &info), 0);
		CHECK_EQ(entries[i].kind, info.kind);
		CHECK_EQ(entries[i].rights, info.rights);
		CHECK_EQ(entries[i].koid, info.koid);
		CHECK_EQ(entries[i].reserved, 0);
		if (i > 0)
			CHECK((entries[i].handle & 0xfff) > (entries[i - 1].handle & 0xfff));
		self |= entries[i].handle == startup->self_process &&
			entries[i].kind == VIPER_OBJ_PROCESS;
	}
	CHECK(self);
	/* A new handle shows, a closed one goes. */
	t = viper_timer_create();
	CHECK(t > 0);
	CHECK_EQ(viper_handle_list(entries, VIPER_HANDLES_MAX), n + 1);
	bool found = false;
	for (int64_t i = 0; i <= n && i < VIPER_HANDLES_MAX; i++)
		found |= entries[i].handle == (viper_handle_t)t &&
			 entries[i].kind == VIPER_OBJ_TIMER;
	CHECK(found);
	viper_handle_close((viper_handle_t)t);
	CHECK_EQ(viper_handle_list(NULL, 0), n);
	/* At most `max` entries are written; the count is of all. */
	CHECK_EQ(viper_handle_list(entries2, VIPER_HANDLES_MAX), n);
	memset(entries, 0xab, sizeof(entries));
	CHECK_EQ(viper_handle_list(entries, 2), n);
	CHECK(memcmp(entries, entries2, 2 * sizeof(entries[0])) == 0);
	CHECK_EQ(entries[2].kind, 0xababababu);
	/* Bad arguments. */
	CHECK_EQ(viper_handle_list(entries, VIPER_HANDLES_MAX + 1), VIPER_E_INVAL);
	CHECK_EQ(viper_syscall6(VIPER_SYS_HANDLE_LIST, (uint64_t)(uintptr_t)entries, 1ull << 32, 0,
				0, 0, 0),
		 VIPER_E_INVAL);
	CHECK_EQ(viper_handle_list((void *)8, 4), VIPER_E_FAULT);
	CHECK_EQ(viper_handle_list((void *)0xffff000040200000ull, 1), VIPER_E_FAULT);
	m = viper_memory_create(VIPER_PAGE_SIZE, 0);
	va = viper_memory_map((viper_handle_t)m, 0, VIPER_PAGE_SIZE, VIPER_PROT_READ, 0);
	CHECK(va > 0);
	CHECK_EQ(viper_handle_list((void *)(uintptr_t)va, 4), VIPER_E_FAULT);
	viper_memory_unmap((uint64_t)va, VIPER_PAGE_SIZE);
	viper_handle_close((viper_handle_t)m);
}

/* The usual bad handles for a call on the system object, with `right` missing from one. */
static void check_system_handle_errors(int64_t (*call)(viper_handle_t), uint32_t right)
{
	viper_handle_t sys = system_handle();
	int64_t weak = viper_handle_derive(sys, (VIPER_RIGHT_READ | VIPER_RIGHT_WRITE) & ~right);
	int64_t stale = viper_handle_derive(sys, VIPER_RIGHT_READ | VIPER_RIGHT_WRITE);
	int64_t timer = viper_timer_create();

	CHECK(weak > 0 && stale > 0 && timer > 0);
	CHECK_EQ(call((viper_handle_t)weak), VIPER_E_RIGHTS);
	CHECK_EQ(call((viper_handle_t)timer), VIPER_E_KIND);
	CHECK_EQ(call(startup->self_process), VIPER_E_KIND);
	CHECK_EQ(call(0x7777), VIPER_E_BADHANDLE);
	CHECK_EQ(call(VIPER_HANDLE_INVALID), VIPER_E_BADHANDLE);
	viper_handle_close((viper_handle_t)stale);
	CHECK_EQ(call((viper_handle_t)stale), VIPER_E_BADHANDLE);
	viper_handle_close((viper_handle_t)weak);
	viper_handle_close((viper_handle_t)timer);
}

static int64_t call_system_info(viper_handle_t h)
{
	struct viper_system_info info;

	return viper_system_info(h, &info);
}

static int64_t call_system_processes(viper_handle_t h)
{
	return viper_system_processes(h, NULL, 0);
}

static int64_t call_system_handles(viper_handle_t h)
{
	return viper_system_handles(h, koid_of(startup->self_process), NULL, 0);
}

static int64_t call_system_kill(viper_handle_t h)
{
	return viper_system_kill(h, 1ull << 40); /* no such process: the handle is checked first */
}

static void test_system_info(void)
{
	viper_handle_t sys = system_handle();
	struct viper_system_info info, after;
	int64_t now, child, m;

	memset(&info, 0xff, sizeof(info));
	CHECK_EQ(viper_system_info(sys, &info), 0);
	now = viper_clock_now();
	CHECK(info.uptime_ns > 0 && info.uptime_ns <= (uint64_t)now);
	CHECK(info.memory_total_bytes >= (16ull << 20));
	CHECK_EQ(info.memory_total_bytes % VIPER_PAGE_SIZE, 0);
	CHECK(info.memory_free_bytes > 0 && info.memory_free_bytes < info.memory_total_bytes);
	CHECK_EQ(info.processes, viper_system_processes(sys, NULL, 0));
	CHECK(info.processes >= 2); /* the kernel's and ours */
	CHECK(info.threads >= 1);
	CHECK_EQ(info.cpus, startup->cpu_count);
	CHECK_EQ(info.reserved, 0);
	/* 8 MiB of memory is 8 MiB less free; a child is one more process and thread. */
	m = viper_memory_create(8ull << 20, 0);
	CHECK(m > 0);
	child = spawn(ROLE_SPIN, NULL, 0);
	CHECK(child > 0);
	CHECK_EQ(viper_system_info(sys, &after), 0);
	CHECK(info.memory_free_bytes - after.memory_free_bytes >= (8ull << 20));
	CHECK_EQ(after.memory_total_bytes, info.memory_total_bytes);
	CHECK_EQ(after.processes, info.processes + 1);
	CHECK_EQ(after.threads, info.threads + 1);
	CHECK(after.uptime_ns >= info.uptime_ns);
	viper_process_kill((viper_handle_t)child, 0);
	CHECK_EQ(wait_status((viper_handle_t)child), VIPER_EXIT_KILLED);
	viper_handle_close((viper_handle_t)m);
	CHECK_EQ(viper_system_info(sys, &after), 0);
	CHECK_EQ(after.processes, info.processes); /* reaped once its handle closed */
	CHECK_EQ(viper_system_info(sys, NULL), VIPER_E_FAULT);
	CHECK_EQ(viper_system_info(sys, (void *)0xffff000040200000ull), VIPER_E_FAULT);
	check_system_handle_errors(call_system_info, VIPER_RIGHT_READ);
}

static struct viper_process_entry procs[16];

static const struct viper_process_entry *find_process(int64_t n, uint64_t koid)
{
	for (int64_t i = 0; i < n && i < 16; i++) {
		if (procs[i].koid == koid)
			return &procs[i];
	}
	return NULL;
}

/*
 * More processes than the kernel lists without giving the big lock back (16
 * at a time): every one of them still comes, once, in creation order.
 */
static void check_long_process_list(viper_handle_t sys, int64_t n)
{
	static struct viper_process_entry many[64];
	int64_t kids[40], status;
	viper_handle_t s, r, give;
	int found = 0;

	CHECK_EQ(viper_channel_create(&s, &r, 0), 0);
	for (int i = 0; i < 40; i++) {
		give = (viper_handle_t)viper_handle_derive(r,
							   VIPER_RIGHT_READ | VIPER_RIGHT_TRANSFER);
		kids[i] = spawn(ROLE_TAKE_CALL, &give, 1);
		CHECK(kids[i] > 0);
	}
	CHECK_EQ(viper_system_processes(sys, many, 64), n + 40);
	for (int64_t i = 1; i < n + 40 && i < 64; i++)
		CHECK(many[i - 1].koid < many[i].koid);
	for (int i = 0; i < 40; i++) {
		uint64_t k = koid_of((viper_handle_t)kids[i]);
		for (int64_t j = 0; j < n + 40 && j < 64; j++)
			found += many[j].koid == k;
	}
	CHECK_EQ(found, 40);
	viper_handle_close(s); /* every child's receive fails: they exit */
	for (int i = 0; i < 40; i++) {
		CHECK_EQ(viper_process_wait((viper_handle_t)kids[i], &status, 10ll * 1000000000),
			 0);
		viper_handle_close((viper_handle_t)kids[i]);
	}
	viper_handle_close(r);
	CHECK_EQ(viper_system_processes(sys, NULL, 0), n);
}

static void test_system_processes(void)
{
	viper_handle_t sys = system_handle();
	uint64_t me = koid_of(startup->self_process);
	const struct viper_process_entry *e;
	struct viper_usage usage;
	int64_t n, child, status;

	n = viper_system_processes(sys, procs, 16);
	CHECK(n >= 2 && n < 16);
	/* The kernel's own process first, then the root: both started by the kernel. */
	CHECK(strcmp(procs[0].name, "kernel") == 0);
	CHECK_EQ(procs[0].parent_koid, 0);
	CHECK_EQ(procs[0].state, VIPER_PROCESS_RUNNING);
	CHECK_EQ(procs[0].usage.limits.handles, VIPER_HANDLES_MAX);
	CHECK_EQ(procs[0].usage.handles, viper_system_handles(sys, procs[0].koid, NULL, 0));
	CHECK(strcmp(procs[1].name, "usertests") == 0);
	CHECK_EQ(procs[1].koid, me);
	CHECK(procs[0].koid < procs[1].koid);
	CHECK_EQ(procs[1].parent_koid, 0);
	CHECK_EQ(procs[1].priority, VIPER_PRIORITY_DEFAULT);
	CHECK_EQ(procs[1].state, VIPER_PROCESS_RUNNING);
	CHECK_EQ(viper_process_usage(startup->self_process, &usage), 0);
	CHECK_EQ(procs[1].usage.handles, usage.handles);
	CHECK_EQ(procs[1].usage.threads, usage.threads);
	CHECK_EQ(procs[1].usage.memory_bytes, usage.memory_bytes);
	CHECK(usage.memory_bytes > 64 * 1024); /* its stack alone */
	CHECK_EQ(procs[1].usage.limits.memory_kib, VIPER_QUOTA_UNLIMITED);
	/* A child: last, with us as its parent and the priority it was given. */
	struct viper_spawn args = {
		.image = "usertests", .image_len = 9, .priority = 3, .argument = ROLE_SPIN};
	child = viper_process_spawn(viper_spawn_capability(), &args);
	CHECK(child > 0);
	CHECK_EQ(viper_system_processes(sys, procs, 16), n + 1);
	e = find_process(n + 1, koid_of((viper_handle_t)child));
	CHECK(e == &procs[n]);
	if (e) {
		CHECK(strcmp(e->name, "usertests") == 0);
		CHECK_EQ(e->parent_koid, me);
		CHECK_EQ(e->priority, 3);
		CHECK_EQ(e->state, VIPER_PROCESS_RUNNING);
		CHECK_EQ(e->usage.threads, 1);
		CHECK_EQ(e->usage.handles, 2); /* its own process and thread */
		CHECK(e->usage.memory_bytes > 64 * 1024);
	}
	/* Exited but not reaped while our handle names it; gone once it is closed. */
	CHECK_EQ(viper_process_kill((viper_handle_t)child, 0), 0);
	CHECK_EQ(viper_process_wait((viper_handle_t)child, &status, 10ll * 1000000000), 0);
	CHECK_EQ(viper_system_processes(sys, procs, 16), n + 1);
	e = find_process(n + 1, koid_of((viper_handle_t)child));
	CHECK(e != NULL);
	if (e) {
		CHECK_EQ(e->state, VIPER_PROCESS_EXITED);
		CHECK_EQ(e->usage.threads, 0);
		CHECK_EQ(e->usage.handles, 0);
	}
	viper_handle_close((viper_handle_t)child);
	CHECK_EQ(viper_system_processes(sys, NULL, 0), n);
	/* At most `max` entries are written. */
	memset(procs, 0x5a, sizeof(procs));
	CHECK_EQ(viper_system_processes(sys, procs, 1), n);
	CHECK(strcmp(procs[0].name, "kernel") == 0);
	CHECK_EQ(procs[1].koid, 0x5a5a5a5a5a5a5a5aull);
	CHECK_EQ(viper_system_processes(sys, (void *)8, 2), VIPER_E_FAULT);
	CHECK_EQ(viper_syscall6(VIPER_SYS_SYSTEM_PROCESSES, sys, (uint64_t)(uintptr_t)procs,
				1ull << 32, 0, 0, 0),
		 VIPER_E_INVAL);
	check_system_handle_errors(call_system_processes, VIPER_RIGHT_READ);
	check_long_process_list(sys, n);
}

static void test_system_handles(void)
{
	viper_handle_t sys = system_handle();
	uint64_t me = koid_of(startup->self_process);
	int64_t n, t, child, status;
	uint64_t timer_koid;

	/* Our own: what handle_list says. */
	n = viper_handle_list(entries2, VIPER_HANDLES_MAX);
	CHECK_EQ(viper_system_handles(sys, me, entries, VIPER_HANDLES_MAX), n);
	CHECK(memcmp(entries, entries2, (size_t)n * sizeof(entries[0])) == 0);
	/* A child's: its own process and thread, then the handle it was given. */
	t = viper_timer_create();
	timer_koid = koid_of((viper_handle_t)t);
	viper_handle_t give = (viper_handle_t)t;
	child = spawn(ROLE_SPIN, &give, 1);
	CHECK(child > 0);
	CHECK_EQ(viper_system_handles(sys, koid_of((viper_handle_t)child), entries,
				      VIPER_HANDLES_MAX),
		 3);
	CHECK_EQ(entries[0].kind, VIPER_OBJ_PROCESS);
	CHECK_EQ(entries[0].koid, koid_of((viper_handle_t)child));
	CHECK_EQ(entries[0].rights, VIPER_RIGHTS_ALL);
	CHECK_EQ(entries[1].kind, VIPER_OBJ_THREAD);
	CHECK_EQ(entries[2].kind, VIPER_OBJ_TIMER);
	CHECK_EQ(entries[2].koid, timer_koid);
	memset(entries, 0, sizeof(entries));
	CHECK_EQ(viper_system_handles(sys, koid_of((viper_handle_t)child), entries, 1), 3);
	CHECK_EQ(entries[1].kind, 0);
	/* An exited process has none to show. */
	viper_process_kill((viper_handle_t)child, 0);
	CHECK_EQ(viper_process_wait((viper_handle_t)child, &status, 10ll * 1000000000), 0);
	CHECK_EQ(viper_system_handles(sys, koid_of((viper_handle_t)child), entries, 4),
		 VIPER_E_NOTFOUND);
	viper_handle_close((viper_handle_t)child);
	/* The kernel's own process may be named; no such process may not. */
	CHECK_EQ(viper_system_processes(sys, procs, 16) >= 2, 1);
	CHECK_EQ(viper_system_handles(sys, procs[0].koid, entries, VIPER_HANDLES_MAX),
		 procs[0].usage.handles);
	CHECK_EQ(viper_system_handles(sys, 0, entries, 4), VIPER_E_NOTFOUND);
	CHECK_EQ(viper_system_handles(sys, 1ull << 40, entries, 4), VIPER_E_NOTFOUND);
	CHECK_EQ(viper_system_handles(sys, timer_koid, entries, 4), VIPER_E_NOTFOUND);
	CHECK_EQ(viper_system_handles(sys, me, entries, VIPER_HANDLES_MAX + 1), VIPER_E_INVAL);
	CHECK_EQ(viper_system_handles(sys, me, (void *)8, 4), VIPER_E_FAULT);
	CHECK_EQ(viper_system_handles(sys, me, NULL, 0), n);
	check_system_handle_errors(call_system_handles, VIPER_RIGHT_READ);
}

static void test_system_kill(void)
{
	viper_handle_t sys = system_handle();
	uint64_t me = koid_of(startup->self_process), koid;
	int64_t child, ro, status = 0, checker;

	CHECK_EQ(viper_system_processes(sys, procs, 16) >= 2, 1);
	/* A running child, killed by koid: its parent sees VIPER_EXIT_KILLED. */
	child = spawn(ROLE_SPIN, NULL, 0);
	CHECK(child > 0);
	koid = koid_of((viper_handle_t)child);
	ro = viper_handle_derive(sys, VIPER_RIGHT_READ | VIPER_RIGHT_DERIVE);
	CHECK_EQ(viper_system_kill((viper_handle_t)ro, koid), VIPER_E_RIGHTS);
	CHECK_EQ(viper_process_wait((viper_handle_t)child, &status, 0), VIPER_E_WOULDBLOCK);
	CHECK_EQ(viper_system_kill(sys, koid), 0);
	CHECK_EQ(viper_process_wait((viper_handle_t)child, &status, 10ll * 1000000000), 0);
	CHECK_EQ(status, VIPER_EXIT_KILLED);
	CHECK_EQ(viper_system_kill(sys, koid), VIPER_E_NOTFOUND); /* exited */
	viper_handle_close((viper_handle_t)child);
	CHECK_EQ(viper_system_kill(sys, koid), VIPER_E_NOTFOUND); /* reaped */
	/* Refused: the kernel's own process, the root (us), and the caller. */
	CHECK_EQ(viper_system_kill(sys, procs[0].koid), VIPER_E_INVAL);
	CHECK_EQ(viper_system_kill(sys, me), VIPER_E_INVAL);
	CHECK_EQ(viper_system_kill(sys, 0), VIPER_E_NOTFOUND);
	CHECK_EQ(viper_system_kill(sys, koid_of(system_handle())), VIPER_E_NOTFOUND);
	/* A child with a system handle of its own: the same refusals, itself included. */
	viper_handle_t give = (viper_handle_t)viper_handle_derive(
		sys, VIPER_RIGHT_READ | VIPER_RIGHT_WRITE | VIPER_RIGHT_TRANSFER);
	checker = spawn(ROLE_SYSTEM_KILLS, &give, 1);
	CHECK(checker > 0);
	CHECK_EQ(wait_status((viper_handle_t)checker), 0);
	viper_handle_close((viper_handle_t)ro);
	check_system_handle_errors(call_system_kill, VIPER_RIGHT_WRITE);
}

/* --- the component runtime's calls (process_runtime.c) --- */

static void test_runtime_system_calls(void)
{
	viper_handle_t sys = system_handle();
	struct viper_system_info info;
	uint32_t total = 99, listed = 0;
	int64_t child, status = 0;

	CHECK_EQ(vc_system_info(sys, &info), VIPER_OK);
	CHECK(info.processes >= 2);
	CHECK_EQ(info.cpus, startup->cpu_count);
	CHECK_EQ(vc_system_info(0x7777, &info), VIPER_E_BADHANDLE);
	CHECK_EQ(vc_system_processes(sys, procs, 16, &total), VIPER_OK);
	CHECK_EQ(total, info.processes);
	CHECK(strcmp(procs[0].name, "kernel") == 0);
	CHECK_EQ(vc_system_processes(startup->self_process, procs, 16, &total), VIPER_E_KIND);
	CHECK_EQ(total, 0);
	CHECK_EQ(vc_handle_list(NULL, 0, &listed), VIPER_OK);
	CHECK_EQ(vc_handle_list(entries2, VIPER_HANDLES_MAX, &total), VIPER_OK);
	CHECK_EQ(total, listed);
	CHECK_EQ(vc_system_handles(sys, koid_of(startup->self_process), entries, VIPER_HANDLES_MAX,
				   &total),
		 VIPER_OK);
	CHECK_EQ(total, listed);
	CHECK(memcmp(entries, entries2, listed * sizeof(entries[0])) == 0);
	CHECK_EQ(vc_handle_list(entries, VIPER_HANDLES_MAX + 1, &total), VIPER_E_INVAL);
	CHECK_EQ(vc_system_handles(sys, 1ull << 40, entries, 4, &total), VIPER_E_NOTFOUND);
	child = spawn(ROLE_SPIN, NULL, 0);
	CHECK(child > 0);
	CHECK_EQ(vc_system_kill(sys, koid_of((viper_handle_t)child)), VIPER_OK);
	CHECK_EQ(viper_process_wait((viper_handle_t)child, &status, 10ll * 1000000000), 0);
	CHECK_EQ(status, VIPER_EXIT_KILLED);
	CHECK_EQ(vc_system_kill(sys, koid_of((viper_handle_t)child)), VIPER_E_NOTFOUND);
	viper_handle_close((viper_handle_t)child);
	CHECK_EQ(vc_system_kill(sys, koid_of(startup->self_process)), VIPER_E_INVAL);
}

struct notified_waiter {
	viper_handle_t recv;
	int64_t timeout;
	volatile int started;
	volatile int64_t result;
};

static void notified_wait_thread(void *arg)
{
	struct notified_waiter *w = arg;

	w->started = 1;
	w->result = vc_notified_wait(w->recv, w->timeout);
}

/* The race: one thread sets each of the 63 bits once, two take them. */
#define ALL_BITS 0x7fffffffffffffffull
struct notify_race {
	viper_handle_t send, recv;
	uint64_t taken[2];
	uint64_t seen; /* the union, for the takers to stop */
	int errors;
};

static void race_notifier(void *arg)
{
	struct notify_race *r = arg;

	for (unsigned k = 0; k < 63; k++) {
		if (vc_notify(r->send, 1ull << k) != VIPER_OK)
			__atomic_fetch_add(&r->errors, 1, __ATOMIC_RELAXED);
		if (k % 4 == 0)
			viper_yield();
	}
}

static void race_taker(void *arg)
{
	struct notify_race *r = (struct notify_race *)((uintptr_t)arg & ~(uintptr_t)1);
	unsigned me = (unsigned)((uintptr_t)arg & 1);
	int64_t deadline = viper_clock_now() + 5ll * 1000000000;

	while (__atomic_load_n(&r->seen, __ATOMIC_ACQUIRE) != ALL_BITS &&
	       viper_clock_now() < deadline) {
		int64_t bits = vc_notified_wait(r->recv, 20 * 1000000);
		if (bits > 0) {
			r->taken[me] |= (uint64_t)bits;
			__atomic_fetch_or(&r->seen, (uint64_t)bits, __ATOMIC_RELEASE);
		} else if (bits != VIPER_E_TIMEOUT) {
			__atomic_fetch_add(&r->errors, 1, __ATOMIC_RELAXED);
		}
	}
}

static void test_runtime_notifications(void)
{
	viper_handle_t s, r;
	struct notified_waiter w;
	int64_t th, t0;

	CHECK_EQ(vc_channel_create(&s, &r), VIPER_OK);
	CHECK(s != VIPER_HANDLE_INVALID && r != VIPER_HANDLE_INVALID && s != r);
	/* Pending bits come back at once, all of them, and are gone then. */
	CHECK_EQ(vc_notify(s, 0x5), VIPER_OK);
	CHECK_EQ(vc_notify(s, 0x100), VIPER_OK);
	CHECK_EQ(vc_notified_wait(r, VIPER_TIMEOUT_NONE), 0x105);
	CHECK_EQ(vc_notified_wait(r, VIPER_TIMEOUT_POLL), VIPER_E_TIMEOUT);
	t0 = viper_clock_now();
	CHECK_EQ(vc_notified_wait(r, 20 * 1000000), VIPER_E_TIMEOUT);
	CHECK(viper_clock_now() - t0 >= 20 * 1000000);
	CHECK_EQ(vc_notify(s, 0), VIPER_E_INVAL);
	CHECK_EQ(vc_notify(s, 1ull << 63), VIPER_E_INVAL);
	CHECK_EQ(vc_notify(r, 1), VIPER_E_KIND);
	CHECK_EQ(vc_notified_wait(s, 0), VIPER_E_KIND);
	CHECK_EQ(vc_notified_wait(0x7777, 0), VIPER_E_BADHANDLE);
	/* A waiting thread is woken by a notification from another. */
	w = (struct notified_waiter){.recv = r, .timeout = VIPER_TIMEOUT_NONE, .result = -99};
	th = viper_thread_start(notified_wait_thread, &w, VIPER_PRIORITY_DEFAULT);
	CHECK(th > 0);
	while (!w.started)
		viper_yield();
	viper_sleep(20 * 1000000);
	CHECK_EQ(w.result, -99);
	CHECK_EQ(vc_notify(s, 0x30), VIPER_OK);
	CHECK_EQ(join(th), 0);
	CHECK_EQ(w.result, 0x30);
	/* Many bits from one thread, taken by two: none lost, none taken twice. */
	struct notify_race race = {.send = s, .recv = r};
	int64_t a = viper_thread_start(race_taker, &race, VIPER_PRIORITY_DEFAULT);
	int64_t b = viper_thread_start(race_taker, (void *)((uintptr_t)&race | 1),
				       VIPER_PRIORITY_DEFAULT);
	int64_t n = viper_thread_start(race_notifier, &race, VIPER_PRIORITY_DEFAULT);
	CHECK(a > 0 && b > 0 && n > 0);
	CHECK_EQ(join(n), 0);
	CHECK_EQ(join(a), 0);
	CHECK_EQ(join(b), 0);
	CHECK_EQ(race.taken[0] | race.taken[1], ALL_BITS);
	CHECK_EQ(race.taken[0] & race.taken[1], 0);
	CHECK_EQ(race.errors, 0);
	/* Bits sent before the last send end closed are still taken; then the end shows. */
	CHECK_EQ(vc_notify(s, 0x8), VIPER_OK);
	viper_handle_close(s);
	CHECK_EQ(vc_notified_wait(r, VIPER_TIMEOUT_NONE), 0x8);
	CHECK_EQ(vc_notified_wait(r, VIPER_TIMEOUT_NONE), VIPER_E_PEERCLOSED);
	CHECK_EQ(vc_notified_wait(r, VIPER_TIMEOUT_POLL), VIPER_E_PEERCLOSED);
	viper_handle_close(r);
	/* A waiter is woken when the last send end closes. */
	CHECK_EQ(vc_channel_create(&s, &r), VIPER_OK);
	w = (struct notified_waiter){.recv = r, .timeout = VIPER_TIMEOUT_NONE, .result = -99};
	th = viper_thread_start(notified_wait_thread, &w, VIPER_PRIORITY_DEFAULT);
	while (!w.started)
		viper_yield();
	viper_sleep(20 * 1000000);
	viper_handle_close(s);
	CHECK_EQ(join(th), 0);
	CHECK_EQ(w.result, VIPER_E_PEERCLOSED);
	/* Notifying a closed receive end. */
	CHECK_EQ(vc_channel_create(&s, &r), VIPER_OK);
	viper_handle_close(r);
	CHECK_EQ(vc_notify(s, 1), VIPER_E_PEERCLOSED);
	viper_handle_close(s);
	/* Handles are not left behind by the waits. */
	uint32_t before = 0, after = 0;
	CHECK_EQ(vc_handle_list(NULL, 0, &before), VIPER_OK);
	CHECK_EQ(vc_channel_create(&s, &r), VIPER_OK);
	CHECK_EQ(vc_notified_wait(r, 0), VIPER_E_TIMEOUT);
	viper_handle_close(s);
	viper_handle_close(r);
	CHECK_EQ(vc_handle_list(NULL, 0, &after), VIPER_OK);
	CHECK_EQ(after, before);
}

static void test_runtime_irq(void)
{
	const struct viper_startup_handle *dev = NULL, *irq = NULL;
	int64_t va, noirq;

	for (uint32_t i = 0; i + 1 < startup->handle_count; i++) {
		if (startup->handles[i].kind == VIPER_OBJ_DEVICE &&
		    startup->handles[i].detail == 0x09010000 &&
		    startup->handles[i + 1].kind == VIPER_OBJ_IRQ) {
			dev = &startup->handles[i];
			irq = &startup->handles[i + 1];
		}
	}
	CHECK(dev && irq);
	if (!dev || !irq)
		return;
	va = viper_device_map(dev->handle, 0, VIPER_PAGE_SIZE, VIPER_PROT_READ | VIPER_PROT_WRITE);
	CHECK(va > 0);
	if (va <= 0)
		return;
	volatile uint32_t *rtc = (volatile uint32_t *)(uintptr_t)va;
	noirq = viper_handle_derive(irq->handle, VIPER_RIGHT_READ);
	CHECK_EQ(vc_irq_wait((viper_handle_t)noirq, 0), VIPER_E_RIGHTS);
	CHECK_EQ(vc_irq_ack((viper_handle_t)noirq), VIPER_E_RIGHTS);
	CHECK_EQ(vc_irq_wait(dev->handle, 0), VIPER_E_KIND);
	CHECK_EQ(vc_irq_wait(irq->handle, 0), VIPER_E_TIMEOUT);
	/* The RTC's match interrupt, a second from now. */
	uint32_t now = rtc[RTC_DR / 4];
	rtc[RTC_ICR / 4] = 1;
	rtc[RTC_MR / 4] = now + 1;
	rtc[RTC_IMSC / 4] = 1;
	CHECK_EQ(vc_irq_wait(irq->handle, 3ll * 1000000000), VIPER_OK);
	CHECK(rtc[RTC_DR / 4] >= now + 1);
	rtc[RTC_IMSC / 4] = 0;
	rtc[RTC_ICR / 4] = 1;
	CHECK_EQ(vc_irq_ack(irq->handle), VIPER_OK);
	CHECK_EQ(vc_irq_wait(irq->handle, 10 * 1000000), VIPER_E_TIMEOUT);
	viper_memory_unmap((uint64_t)va, VIPER_PAGE_SIZE);
	viper_handle_close((viper_handle_t)noirq);
}

/* --- helper roles --- */

static int role_echo(void)
{
	viper_handle_t r = startup->handles[0].handle, hs[4];
	struct viper_msg_info info;
	char buf[256];
	int64_t n;

	while ((n = viper_channel_recv(r, buf, sizeof(buf), hs, &info, 0)) >= 0) {
		if (info.reply)
			viper_channel_reply(info.reply, buf, (uint64_t)n, NULL, 0);
	}
	return n == VIPER_E_PEERCLOSED ? 0 : 1;
}

static int role_echo_reply_recv(void)
{
	viper_handle_t r = startup->handles[0].handle, hs[VIPER_MSG_MAX_HANDLES];
	char buf[VIPER_MSG_MAX_BYTES];
	struct viper_reply_recv rr = {.reply_bytes = buf,
				      .recv_bytes = buf,
				      .recv_capacity = sizeof(buf),
				      .recv_handles = hs};
	int64_t n;

	while ((n = viper_channel_reply_recv(r, &rr, 0)) >= 0) {
		for (uint32_t i = 0; i < rr.info.handles; i++)
			viper_handle_close(hs[i]);
		rr.reply = rr.info.reply;
		rr.reply_len = (uint32_t)n;
	}
	return n == VIPER_E_PEERCLOSED ? 0 : 1;
}

static int role_echo_short(void)
{
	viper_handle_t r = startup->handles[0].handle, hs[VIPER_MSG_MAX_HANDLES];
	struct viper_short_msg m;
	struct viper_msg_info info;
	char buf[VIPER_MSG_MAX_BYTES];
	uint32_t token = 0;
	int64_t n = 0;

	for (;;) {
		n = viper_channel_reply_recv_short(r, &token, (uint64_t)n, &m, NULL);
		if (n >= 0)
			continue;
		if (n != VIPER_E_RANGE)
			break;
		/* Too long for registers, or carrying handles: take it the general way. */
		token = 0;
		n = viper_channel_recv(r, buf, sizeof(buf), hs, &info, 0);
		if (n < 0)
			break;
		for (uint32_t i = 0; i < info.handles; i++)
			viper_handle_close(hs[i]);
		if (info.reply)
			viper_channel_reply(info.reply, "long", 4, NULL, 0);
		n = 0;
	}
	return n == VIPER_E_PEERCLOSED ? 0 : 1;
}

static int role_call_once(bool short_form)
{
	struct viper_short_msg m = {{0x71}}; /* "q" */
	char reply[16];
	struct viper_call call = {.send_bytes = "q",
				  .send_len = 1,
				  .reply_bytes = reply,
				  .reply_capacity = sizeof(reply),
				  .timeout_ns = VIPER_TIMEOUT_NONE};
	viper_handle_t s = startup->handles[0].handle;
	int64_t n = short_form ? viper_channel_call_short(s, &m, 1) : viper_channel_call(s, &call);

	return n >= 0 ? 0 : 1;
}

static int role_take_call(void)
{
	viper_handle_t hs[4];
	struct viper_msg_info info;
	char buf[16];

	return viper_channel_recv(startup->handles[0].handle, buf, sizeof(buf), hs, &info, 0) ==
				       1 &&
			       info.reply
		       ? 0
		       : 1;
}

static int role_no_caps(void)
{
	int bad = 0;

	/* No device or IRQ handles: every guess is refused. */
	for (viper_handle_t h = 0; h < 64; h++) {
		bad += viper_device_map(h, 0, VIPER_PAGE_SIZE, VIPER_PROT_READ) >= 0;
		bad += viper_irq_wait(h, 0) >= 0;
		bad += viper_irq_ack(h) >= 0;
	}
	for (uint32_t gen = 1; gen < 4; gen++) {
		for (uint32_t i = 0; i < 8; i++) {
			viper_handle_t h = i | (gen << 12);
			int64_t r = viper_device_map(h, 0, VIPER_PAGE_SIZE, VIPER_PROT_READ);
			bad += r >= 0 || (r != VIPER_E_BADHANDLE && r != VIPER_E_KIND);
		}
	}
	/* No spawn capability either: it can start nothing, whatever it names. */
	struct viper_spawn s = {.image = "usertests", .image_len = 9, .argument = ROLE_EXIT42};
	bad += viper_spawn_capability() != VIPER_HANDLE_INVALID;
	for (viper_handle_t h = 0; h < 64; h++) {
		int64_t r = viper_process_spawn(h, &s);
		bad += r >= 0 || (r != VIPER_E_BADHANDLE && r != VIPER_E_KIND);
	}
	bad += viper_process_spawn(startup->self_process, &s) != VIPER_E_KIND;
	return bad;
}

static int role_system_kills(void)
{
	viper_handle_t sys = startup->handles[0].handle;
	struct viper_process_entry list[16];
	uint64_t me = koid_of(startup->self_process), parent = 0;
	int64_t n = viper_system_processes(sys, list, 16);
	int bad = 0;

	if (n < 3 || n > 16)
		return 100;
	for (int64_t i = 0; i < n; i++) {
		if (list[i].koid == me)
			parent = list[i].parent_koid;
	}
	bad += parent == 0;
	bad += viper_system_kill(sys, me) != VIPER_E_INVAL;
	bad += viper_system_kill(sys, parent) != VIPER_E_INVAL; /* the root */
	bad += viper_system_kill(sys, list[0].koid) != VIPER_E_INVAL;
	return bad;
}

/* Writes through a read-only mapping of the memory object it was given: faults. */
static int role_write_ro_map(void)
{
	int64_t va = viper_memory_map(startup->handles[0].handle, 0, VIPER_PAGE_SIZE,
				      VIPER_PROT_READ, 0);

	if (va < 0)
		return 1;
	*(volatile uint8_t *)(uintptr_t)(va + 10) = 1;
	return 2;
}

static int role_idle(void)
{
	char buf[4];
	struct viper_msg_info info;

	viper_channel_send(startup->handles[0].handle, "up", 2, NULL, 0, 0);
	viper_channel_recv(startup->handles[1].handle, buf, sizeof(buf), NULL, &info, 0);
	return 0;
}

static int role_shared(void)
{
	viper_handle_t m = startup->handles[0].handle;
	int64_t va = viper_memory_map(m, 0, VIPER_PAGE_SIZE, VIPER_PROT_READ | VIPER_PROT_WRITE, 0);

	if (va < 0)
		return 1;
	*(volatile uint64_t *)(uintptr_t)va = 0x5ba4ed0ddba11ull;
	return 0;
}

static const uint32_t ret_instruction = 0xd65f03c0; /* ret, in read-only data */
static volatile uint32_t data_word = 1;

int main(const struct viper_startup *s)
{
	startup = s;
	if (s->magic != VIPER_STARTUP_MAGIC)
		return 99;
	switch ((enum role)s->argument) {
	case ROLE_SUITE:
		break;
	case ROLE_ECHO:
		return role_echo();
	case ROLE_FAULT:
		*(volatile int *)0 = 1;
		return 1;
	case ROLE_SPIN:
		for (;;)
			__asm__ volatile("" ::: "memory");
	case ROLE_EXIT42:
		return 42;
	case ROLE_NO_CAPS:
		return role_no_caps();
	case ROLE_SHARED:
		return role_shared();
	case ROLE_EXEC_DATA:
		data_word = ret_instruction;
		((void (*)(void))(uintptr_t)&data_word)();
		return 1;
	case ROLE_WRITE_RO:
		*(volatile uint32_t *)&ret_instruction = 0;
		return 1;
	case ROLE_TAKE_CALL:
		return role_take_call();
	case ROLE_KERNEL_PTR:
		return *(volatile int *)0xffff000040200000ull;
	case ROLE_ECHO_REPLY_RECV:
		return role_echo_reply_recv();
	case ROLE_ECHO_SHORT:
		return role_echo_short();
	case ROLE_SYSTEM_KILLS:
		return role_system_kills();
	case ROLE_WRITE_RO_MAP:
		return role_write_ro_map();
	case ROLE_IDLE:
		return role_idle();
	case ROLE_CALL_ONCE:
	case ROLE_CALL_ONCE_SHORT:
		return role_call_once(s->argument == ROLE_CALL_ONCE_SHORT);
	default:
		return 98;
	}

	viper_printf("usertests: kernel test suite on %u CPU(s)\n", s->cpu_count);
	run("debug_write and bad calls", test_debug_write);
	run("clock, sleep, yield", test_clock_sleep_yield);
	run("handles: forged, stale, kind, rights, derive, revoke, close", test_handles);
	run("handle table exhaustion", test_handle_exhaustion);
	run("memory objects and mappings", test_memory_map);
	run("memory exhaustion", test_memory_exhaustion);
	run("DMA memory", test_dma);
	run("pinned memory", test_pinned_memory);
	run("shared memory between processes", test_shared_memory_between_processes);
	run("demand-zero memory", test_demand_zero);
	run("promised memory can all be touched", test_promises_are_kept);
	run("copy-on-write clones", test_memory_clone);
	run("instances of a program share it", test_instances_share_their_program);
	run("device region and IRQ line", test_device_and_irq);
	run("no device access without capabilities", test_no_device_without_caps);
	run("channel send and receive", test_channel_basics);
	run("handle transfer", test_handle_transfer);
	run("peer closed", test_peer_closed);
	run("close and revoke while blocked", test_close_while_blocked);
	run("call and reply", test_call_reply);
	run("call to another process", test_call_other_process);
	run("IPC fast paths: reply_recv, short messages", test_fast_paths);
	run("system calls by svc immediate", test_svc_immediates);
	run("reply_recv and short receive errors", test_reply_recv_errors);
	run("IPC hand-over: blocked threads woken otherwise, declined cases", test_hand_over);
	run("notifications, timers, poll sets", test_notifications_and_poll);
	run("poll sets: 80 entries, fair when more are ready than reported",
	    test_poll_capacity_and_fairness);
	run("threads", test_threads);
	run("threads run on every CPU", test_threads_run_on_every_cpu);
	run("thread affinity", test_thread_affinity);
	run("processes", test_processes);
	run("faults kill only the faulty process", test_faults_kill_only_the_faulty_process);
	run("the root holds the PL011 and its IRQ", test_root_holds_the_console);
	run("system capability at startup", test_system_handle_at_startup);
	run("handle_list", test_handle_list);
	run("system_info", test_system_info);
	run("system_processes", test_system_processes);
	run("system_handles", test_system_handles);
	run("system_kill", test_system_kill);
	run("runtime: handle list and system calls", test_runtime_system_calls);
	run("runtime: notifications", test_runtime_notifications);
	run("runtime: IRQ wait and ack", test_runtime_irq);
	return summary();
}
