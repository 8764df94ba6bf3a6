/*
 * In-QEMU tests of the per-process quotas the kernel enforces (memory,
 * handles, threads): the root process of //tests/kernel:quota_tests. Each
 * limit is hit in a child spawned with a small quota; the child checks the
 * error and its usage itself and exits with 0, or with the line of the first
 * check that failed. The suite checks that a process at its limit harms no
 * sibling, that usage returns to its baseline when memory is freed and to
 * zero when a process exits, and that no child gets more than its parent.
 * Prints "N passed, N failed".
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <viper/runtime.h>

#include "guest_check.h"

enum role {
	ROLE_SUITE = 0,
	ROLE_MEMORY = 1,   /* hits its memory limit in every way */
	ROLE_HANDLES = 2,  /* fills its handle table; gets handles into a full table */
	ROLE_THREADS = 3,  /* hits its thread limit */
	ROLE_ESCALATE = 4, /* tries to give a child more than it has */
	ROLE_LIMITS = 5,   /* checks its limits are those in its argument's table */
	ROLE_HOG = 6,	   /* fills its memory, reports, waits to be told to exit */
	ROLE_ALLOC = 7,	   /* maps and writes 4 MiB */
	ROLE_GIFT = 8,	   /* makes a memory object, sends it to its parent, exits */
	ROLE_EXIT0 = 9,	   /* exits with 0 */
};

static const struct viper_startup *startup;

static struct viper_usage my_usage(void)
{
	return usage_of(startup->self_process);
}

/*
 * Spawns this program in `role` with `quota` (NULL: none), moving `handles`
 * (at most 2). ROLE_ESCALATE, which spawns children of its own, also gets a
 * spawn capability derived from ours, after them.
 */
static int64_t spawn(enum role role, const struct viper_quota *quota, const viper_handle_t *handles,
		     uint32_t count)
{
	viper_handle_t give[3];
	int64_t spawner = 0, p;
	struct viper_spawn s = {
		.image = "quotatests",
		.image_len = 10,
		.priority = VIPER_PRIORITY_DEFAULT,
		.handles = give,
		.handle_count = count,
		.argument = role,
		.quota = quota,
	};

	if (count > 2)
		return VIPER_E_TOOBIG;
	if (count)
		memcpy(give, handles, count * sizeof(*handles));
	if (role == ROLE_ESCALATE) {
		spawner = viper_handle_derive(viper_spawn_capability(),
					      VIPER_RIGHT_EXEC | VIPER_RIGHT_TRANSFER);
		if (spawner < 0)
			return spawner;
		give[s.handle_count++] = (viper_handle_t)spawner;
	}
	p = viper_process_spawn(viper_spawn_capability(), &s);
	if (p < 0 && spawner > 0)
		viper_handle_close((viper_handle_t)spawner);
	return p;
}

static int64_t wait_exit(int64_t p)
{
	int64_t status = -12345;
	int64_t r;

	if (p < 0)
		return p;
	r = viper_process_wait((viper_handle_t)p, &status, 20 * SECONDS);
	return r < 0 ? r : status;
}

/* Waits for `p` and closes its handle. */
static int64_t wait_status(int64_t p)
{
	int64_t s = wait_exit(p);

	if (p > 0)
		viper_handle_close((viper_handle_t)p);
	return s;
}

/* --- child roles --- */

/*
 * Spawned with a memory quota of a few MiB. Holds a ballast object so that
 * exactly 64 pages are left, then: an object past the room fails; one of
 * exactly the room fits; a mapping whose page tables do not fit fails; an
 * object of the room less the three tables a first mapping needs fits
 * mapped; a contiguous object pays for its whole power-of-two block.
 * Nothing that failed is charged, and closing gives every page back.
 */
static int role_memory(void)
{
	struct viper_usage u = my_usage(), base;
	uint64_t quota = (uint64_t)u.limits.memory_kib * 1024, room;
	/* The kernel's bookkeeping for us (our thread, its stack) shares the quota. */
	uint64_t limit = (quota - u.kernel_bytes) & ~(uint64_t)(PAGE - 1);
	int64_t ballast, m, va;

	REQUIRE(u.limits.memory_kib != VIPER_QUOTA_UNLIMITED);
	REQUIRE(u.kernel_bytes > 0 && u.kernel_bytes < quota / 4);
	REQUIRE(u.memory_bytes > 16 * PAGE && u.memory_bytes + 80 * PAGE < limit);
	REQUIRE(limit % PAGE == 0);
	ballast = viper_memory_create(limit - u.memory_bytes - 64 * PAGE, 0);
	REQUIRE(ballast > 0);
	base = my_usage();
	REQUIRE(base.memory_bytes == limit - 64 * PAGE);
	room = 64 * PAGE;

	REQUIRE(viper_memory_create(room + PAGE, 0) == VIPER_E_LIMIT);
	REQUIRE(viper_memory_create(room + 1, 0) == VIPER_E_LIMIT);
	REQUIRE(viper_memory_create(128 * PAGE, VIPER_MEMORY_CONTIGUOUS) == VIPER_E_LIMIT);
	REQUIRE(my_usage().memory_bytes == base.memory_bytes);
	m = viper_memory_create(room, 0);
	REQUIRE(m > 0);
	REQUIRE(my_usage().memory_bytes == limit);
	REQUIRE(viper_memory_create(1, 0) == VIPER_E_LIMIT);
	REQUIRE(viper_memory_create(PAGE, VIPER_MEMORY_CONTIGUOUS) == VIPER_E_LIMIT);
	/* Its first mapping up there needs three tables, which do not fit. */
	REQUIRE(viper_memory_map((viper_handle_t)m, 0, PAGE, VIPER_PROT_READ, 0) == VIPER_E_LIMIT);
	REQUIRE(my_usage().memory_bytes == limit);
	REQUIRE(viper_handle_close((viper_handle_t)m) == 0);
	REQUIRE(my_usage().memory_bytes == base.memory_bytes);

	m = viper_memory_create(room - 3 * PAGE, 0);
	REQUIRE(m > 0);
	va = viper_memory_map((viper_handle_t)m, 0, room - 3 * PAGE,
			      VIPER_PROT_READ | VIPER_PROT_WRITE, 0);
	REQUIRE(va > 0);
	REQUIRE(my_usage().memory_bytes == limit);
	((volatile uint8_t *)(uintptr_t)va)[0] = 1;
	((volatile uint8_t *)(uintptr_t)va)[room - 3 * PAGE - 1] = 2;
	REQUIRE(viper_memory_create(1, 0) == VIPER_E_LIMIT);
	/* The mapping holds the object after its handle is gone. */
	REQUIRE(viper_handle_close((viper_handle_t)m) == 0);
	REQUIRE(my_usage().memory_bytes == limit);
	REQUIRE(viper_memory_unmap((uint64_t)va, room - 3 * PAGE) == 0);
	/* The tables stay until the process exits. */
	REQUIRE(my_usage().memory_bytes == base.memory_bytes + 3 * PAGE);

	/* Five contiguous pages take a block of eight. */
	m = viper_memory_create(5 * PAGE, VIPER_MEMORY_CONTIGUOUS);
	REQUIRE(m > 0);
	REQUIRE(my_usage().memory_bytes == base.memory_bytes + 11 * PAGE);
	REQUIRE(viper_handle_close((viper_handle_t)m) == 0);
	REQUIRE(viper_handle_close((viper_handle_t)ballast) == 0);
	REQUIRE(my_usage().memory_bytes == u.memory_bytes + 3 * PAGE);
	/* Memory objects and mappings cost no bookkeeping beyond their pages. */
	REQUIRE(my_usage().kernel_bytes == u.kernel_bytes);
	return 0;
}

/*
 * Spawned with 8 handles, given a receive end (from the parent) and a send
 * end (to it): 4 in use. Fills the table; then a message with a handle
 * waits in the queue until there is room, and a reply with a handle to a
 * full table fails for both sides (the parent keeps the handle).
 */
static int role_handles(void)
{
	viper_handle_t from_parent = startup->handles[0].handle;
	viper_handle_t to_parent = startup->handles[1].handle;
	viper_handle_t timers[8], got[VIPER_MSG_MAX_HANDLES], s, r;
	struct viper_msg_info info;
	struct viper_handle_info hi;
	struct viper_usage u = my_usage();
	struct viper_call call;
	char buf[16];
	int n = 0;
	int64_t h;

	REQUIRE(startup->handle_count == 2);
	REQUIRE(u.handles == 4 && u.limits.handles == 8);
	while (n < 8 && (h = viper_timer_create()) > 0)
		timers[n++] = (viper_handle_t)h;
	REQUIRE(n == 4 && h == VIPER_E_LIMIT);
	REQUIRE(my_usage().handles == 8);
	REQUIRE(viper_handle_derive(timers[0], 0) == VIPER_E_LIMIT);
	REQUIRE(viper_memory_create(PAGE, 0) == VIPER_E_LIMIT);
	REQUIRE(viper_poll_create() == VIPER_E_LIMIT);
	REQUIRE(viper_channel_create(&s, &r, 0) == VIPER_E_LIMIT);
	REQUIRE(viper_handle_close(timers[--n]) == 0);
	REQUIRE(viper_channel_create(&s, &r, 0) == VIPER_E_LIMIT); /* needs two */
	REQUIRE(my_usage().handles == 7);
	h = viper_timer_create();
	REQUIRE(h > 0);
	timers[n++] = (viper_handle_t)h;

	/* Full: the parent's message with a handle stays queued until there is room. */
	REQUIRE(viper_channel_send(to_parent, "full", 4, NULL, 0, 0) == 0);
	REQUIRE(viper_channel_recv(from_parent, buf, sizeof(buf), got, &info, 0) == VIPER_E_LIMIT);
	REQUIRE(viper_channel_recv(from_parent, buf, sizeof(buf), got, &info, 0) == VIPER_E_LIMIT);
	REQUIRE(viper_handle_close(timers[--n]) == 0);
	REQUIRE(viper_channel_recv(from_parent, buf, sizeof(buf), got, &info, 0) == 4);
	REQUIRE(info.handles == 1 && memcmp(buf, "gift", 4) == 0);
	REQUIRE(viper_handle_query(got[0], &hi) == 0 && hi.kind == VIPER_OBJ_TIMER);
	REQUIRE(my_usage().handles == 8);

	/* Full again: a reply carrying a handle cannot come. */
	memset(&call, 0, sizeof(call));
	call.send_bytes = "call";
	call.send_len = 4;
	call.reply_bytes = buf;
	call.reply_capacity = sizeof(buf);
	call.reply_handles = got;
	call.reply_handle_capacity = VIPER_MSG_MAX_HANDLES;
	call.timeout_ns = 20 * SECONDS;
	REQUIRE(viper_channel_call(to_parent, &call) == VIPER_E_LIMIT);
	REQUIRE(my_usage().handles == 8);
	return 0;
}

static volatile int release_threads;

static void parked_thread(void *arg)
{
	(void)arg;
	while (!release_threads)
		viper_sleep(1000000);
}

/* Spawned with 2 threads. */
static int role_threads(void)
{
	struct viper_usage base;
	int64_t a, b, status = -1;

	REQUIRE(my_usage().threads == 1 && my_usage().limits.threads == 2);
	a = viper_thread_start(parked_thread, NULL, VIPER_PRIORITY_DEFAULT);
	REQUIRE(a > 0);
	REQUIRE(my_usage().threads == 2);
	REQUIRE(viper_thread_start(parked_thread, NULL, VIPER_PRIORITY_DEFAULT) == VIPER_E_LIMIT);
	REQUIRE(viper_thread_create(0x400000, 0x10000, 0, VIPER_PRIORITY_DEFAULT) == VIPER_E_LIMIT);
	REQUIRE(my_usage().threads == 2);
	release_threads = 1;
	REQUIRE(viper_thread_join((viper_handle_t)a, &status) == 0 && status == 0);
	REQUIRE(my_usage().threads == 1);
	release_threads = 0;
	/*
	 * A started thread's 16 KiB stack and TLS page are a memory object of
	 * ours, freed by the join (the page tables the first one needed stay).
	 */
	base = my_usage();
	b = viper_thread_start(parked_thread, NULL, VIPER_PRIORITY_DEFAULT);
	REQUIRE(b > 0);
	REQUIRE(my_usage().memory_bytes == base.memory_bytes + 5 * VIPER_PAGE_SIZE);
	REQUIRE(my_usage().handles == base.handles + 1);
	release_threads = 1;
	REQUIRE(viper_thread_join((viper_handle_t)b, &status) == 0 && status == 0);
	REQUIRE(my_usage().memory_bytes == base.memory_bytes);
	REQUIRE(my_usage().handles == base.handles);
	return 0;
}

/* The limits ROLE_ESCALATE runs with. */
static const struct viper_quota escalate_quota = {4096, 16, 3, 0};

/* Spawned with escalate_quota: a child may get as much as it has, never more. */
static int role_escalate(void)
{
	struct viper_usage u = my_usage();
	struct viper_quota q;

	REQUIRE(u.limits.memory_kib == escalate_quota.memory_kib);
	REQUIRE(u.limits.handles == escalate_quota.handles);
	REQUIRE(u.limits.threads == escalate_quota.threads);
	q = (struct viper_quota){escalate_quota.memory_kib + 1, 0, 0, 0};
	REQUIRE(spawn(ROLE_LIMITS, &q, NULL, 0) == VIPER_E_LIMIT);
	q = (struct viper_quota){VIPER_QUOTA_UNLIMITED, 0, 0, 0};
	REQUIRE(spawn(ROLE_LIMITS, &q, NULL, 0) == VIPER_E_LIMIT);
	q = (struct viper_quota){0, escalate_quota.handles + 1, 0, 0};
	REQUIRE(spawn(ROLE_LIMITS, &q, NULL, 0) == VIPER_E_LIMIT);
	q = (struct viper_quota){0, 0, escalate_quota.threads + 1, 0};
	REQUIRE(spawn(ROLE_LIMITS, &q, NULL, 0) == VIPER_E_LIMIT);
	q = (struct viper_quota){0, 0, VIPER_QUOTA_UNLIMITED, 0};
	REQUIRE(spawn(ROLE_LIMITS, &q, NULL, 0) == VIPER_E_LIMIT);
	/* 0 and no quota at all: the parent's limits; equal ones are allowed. */
	q = (struct viper_quota){0, 0, 0, 0};
	REQUIRE(wait_status(spawn(ROLE_LIMITS, &q, NULL, 0)) == 0);
	REQUIRE(wait_status(spawn(ROLE_LIMITS, NULL, NULL, 0)) == 0);
	REQUIRE(wait_status(spawn(ROLE_LIMITS, &escalate_quota, NULL, 0)) == 0);
	/* Smaller is fine, of course. */
	q = (struct viper_quota){escalate_quota.memory_kib - 4, 12, 1, 0};
	int64_t p = spawn(ROLE_EXIT0, &q, NULL, 0);
	REQUIRE(wait_exit(p) == 0);
	struct viper_usage c = usage_of((viper_handle_t)p);
	REQUIRE(c.limits.memory_kib == q.memory_kib && c.limits.handles == 12 &&
		c.limits.threads == 1);
	viper_handle_close((viper_handle_t)p);
	return 0;
}

/* Spawned by ROLE_ESCALATE: exits 0 when its limits are escalate_quota. */
static int role_limits(void)
{
	struct viper_usage u = my_usage();

	REQUIRE(u.limits.memory_kib == escalate_quota.memory_kib);
	REQUIRE(u.limits.handles == escalate_quota.handles);
	REQUIRE(u.limits.threads == escalate_quota.threads);
	return 0;
}

/* Given a receive end and a send end: fills its memory, says so, waits. */
static int role_hog(void)
{
	viper_handle_t from_parent = startup->handles[0].handle;
	viper_handle_t to_parent = startup->handles[1].handle;
	struct viper_usage u = my_usage();
	uint64_t limit = (uint64_t)u.limits.memory_kib * 1024;
	struct viper_msg_info info;
	char buf[16];
	int64_t m;

	REQUIRE(u.limits.memory_kib != VIPER_QUOTA_UNLIMITED && u.memory_bytes < limit);
	/* Everything the quota leaves, in whole pages: the kernel's bookkeeping shares it. */
	m = viper_memory_create((limit - u.memory_bytes - u.kernel_bytes) & ~(uint64_t)(PAGE - 1),
				0);
	REQUIRE(m > 0);
	REQUIRE(viper_memory_create(PAGE, 0) == VIPER_E_LIMIT);
	REQUIRE(viper_channel_send(to_parent, "full", 4, NULL, 0, 0) == 0);
	REQUIRE(viper_channel_recv(from_parent, buf, sizeof(buf), NULL, &info, 0) >= 0);
	return 0;
}

static int role_alloc(void)
{
	uint64_t size = 4ull << 20;
	int64_t m = viper_memory_create(size, 0), va;
	volatile uint64_t *p;

	REQUIRE(m > 0);
	va = viper_memory_map((viper_handle_t)m, 0, size, VIPER_PROT_READ | VIPER_PROT_WRITE, 0);
	REQUIRE(va > 0);
	p = (volatile uint64_t *)(uintptr_t)va;
	for (uint64_t i = 0; i < size / 8; i += PAGE / 8)
		p[i] = i;
	for (uint64_t i = 0; i < size / 8; i += PAGE / 8)
		REQUIRE(p[i] == i);
	REQUIRE(my_usage().memory_bytes >= size);
	return 0;
}

/* Given a send end: sends its parent a 64 KiB memory object it made. */
static int role_gift(void)
{
	int64_t m = viper_memory_create(64 * 1024, 0);
	viper_handle_t h;

	REQUIRE(m > 0);
	h = (viper_handle_t)m;
	REQUIRE(viper_channel_send(startup->handles[0].handle, "mem", 3, &h, 1, 0) == 0);
	return 0;
}

/* --- the suite --- */

static void test_usage_of_self(void)
{
	struct viper_usage u = my_usage(), v;
	int64_t t, m, weak;

	/* The root process runs with the kernel's defaults. */
	CHECK_EQ(u.limits.memory_kib, VIPER_QUOTA_UNLIMITED);
	CHECK_EQ(u.limits.handles, VIPER_HANDLES_MAX);
	CHECK_EQ(u.limits.threads, VIPER_QUOTA_UNLIMITED);
	CHECK_EQ(u.limits.reserved, 0);
	CHECK(u.memory_bytes > 16 * PAGE && u.memory_bytes % PAGE == 0);
	CHECK(u.handles >= 2 + startup->handle_count);
	CHECK_EQ(u.threads, 1);
	t = viper_timer_create();
	CHECK(t > 0);
	CHECK_EQ(my_usage().handles, u.handles + 1);
	m = viper_memory_create(3 * PAGE, 0);
	CHECK(m > 0);
	v = my_usage();
	CHECK_EQ(v.memory_bytes, u.memory_bytes + 3 * PAGE);
	CHECK_EQ(v.handles, u.handles + 2);
	viper_handle_close((viper_handle_t)m);
	viper_handle_close((viper_handle_t)t);
	v = my_usage();
	CHECK_EQ(v.memory_bytes, u.memory_bytes);
	CHECK_EQ(v.handles, u.handles);
	/* Errors. */
	CHECK_EQ(viper_process_usage(startup->self_process, NULL), VIPER_E_FAULT);
	CHECK_EQ(viper_process_usage(startup->self_process, (void *)0xffff000040200000ull),
		 VIPER_E_FAULT);
	CHECK_EQ(viper_process_usage(0x5555, &v), VIPER_E_BADHANDLE);
	CHECK_EQ(viper_process_usage(startup->self_thread, &v), VIPER_E_KIND);
	weak = viper_handle_derive(startup->self_process, VIPER_RIGHT_WRITE);
	CHECK(weak > 0);
	CHECK_EQ(viper_process_usage((viper_handle_t)weak, &v), VIPER_E_RIGHTS);
	viper_handle_close((viper_handle_t)weak);
}

static void test_spawn_arguments(void)
{
	struct viper_usage before, after;
	struct viper_quota q = {0, 0, 0, 1};
	struct viper_handle_info hi;
	int64_t t = viper_timer_create();
	viper_handle_t h = (viper_handle_t)t;

	CHECK(t > 0);
	before = my_usage();
	CHECK_EQ(spawn(ROLE_LIMITS, &q, NULL, 0), VIPER_E_INVAL); /* reserved */
	CHECK_EQ(spawn(ROLE_LIMITS, (const struct viper_quota *)8, NULL, 0), VIPER_E_FAULT);
	/* The program does not fit in 64 KiB; the handle stays with the parent. */
	q = (struct viper_quota){64, 0, 0, 0};
	CHECK_EQ(spawn(ROLE_LIMITS, &q, &h, 1), VIPER_E_LIMIT);
	/* Two handles of its own, plus the one moved: 3 needed. */
	q = (struct viper_quota){0, 2, 0, 0};
	CHECK_EQ(spawn(ROLE_LIMITS, &q, &h, 1), VIPER_E_LIMIT);
	q = (struct viper_quota){0, 1, 0, 0};
	CHECK_EQ(spawn(ROLE_LIMITS, &q, NULL, 0), VIPER_E_LIMIT);
	CHECK_EQ(viper_handle_query(h, &hi), 0);
	CHECK_EQ(hi.kind, VIPER_OBJ_TIMER);
	after = my_usage();
	CHECK_EQ(after.memory_bytes, before.memory_bytes);
	CHECK_EQ(after.handles, before.handles);
	CHECK_EQ(after.threads, before.threads);
	viper_handle_close(h);
}

static void test_memory_limit(void)
{
	struct viper_quota q = {2048, 0, 0, 0};
	int64_t p = spawn(ROLE_MEMORY, &q, NULL, 0);
	struct viper_usage u;

	CHECK(p > 0);
	CHECK_EQ(wait_exit(p), 0);
	/* After its exit nothing is charged to it any more. */
	u = usage_of((viper_handle_t)p);
	CHECK_EQ(u.memory_bytes, 0);
	CHECK_EQ(u.kernel_bytes, 0);
	CHECK_EQ(u.handles, 0);
	CHECK_EQ(u.threads, 0);
	CHECK_EQ(u.limits.memory_kib, 2048);
	viper_handle_close((viper_handle_t)p);
}

static void test_handle_limit(void)
{
	viper_handle_t to_child_s, to_child_r, to_parent_s, to_parent_r, give[2], gift, back;
	struct viper_quota q = {0, 8, 0, 0};
	struct viper_msg_info info;
	struct viper_handle_info hi;
	char buf[16];
	int64_t p, t;

	CHECK_EQ(viper_channel_create(&to_child_s, &to_child_r, 0), 0);
	CHECK_EQ(viper_channel_create(&to_parent_s, &to_parent_r, 0), 0);
	give[0] = to_child_r;
	give[1] = to_parent_s;
	p = spawn(ROLE_HANDLES, &q, give, 2);
	CHECK(p > 0);
	/* It says its table is full; a message with a handle waits for room. */
	CHECK_EQ(viper_channel_recv(to_parent_r, buf, sizeof(buf), NULL, &info, 0), 4);
	t = viper_timer_create();
	CHECK(t > 0);
	gift = (viper_handle_t)t;
	CHECK_EQ(viper_channel_send(to_child_s, "gift", 4, &gift, 1, 0), 0);
	/* Its call comes while its table is full again: the reply's handle cannot go. */
	CHECK_EQ(viper_channel_recv(to_parent_r, buf, sizeof(buf), NULL, &info, 0), 4);
	CHECK(info.reply != 0);
	t = viper_timer_create();
	CHECK(t > 0);
	back = (viper_handle_t)t;
	CHECK_EQ(viper_channel_reply(info.reply, "back", 4, &back, 1), VIPER_E_LIMIT);
	CHECK_EQ(viper_handle_query(back, &hi), 0); /* still ours */
	CHECK_EQ(hi.kind, VIPER_OBJ_TIMER);
	CHECK_EQ(wait_status(p), 0);
	viper_handle_close(back);
	viper_handle_close(to_child_s);
	viper_handle_close(to_parent_r);
}

static void test_thread_limit(void)
{
	struct viper_quota q = {0, 0, 2, 0};

	CHECK_EQ(wait_status(spawn(ROLE_THREADS, &q, NULL, 0)), 0);
}

static void test_no_escalation(void)
{
	CHECK_EQ(wait_status(spawn(ROLE_ESCALATE, &escalate_quota, NULL, 0)), 0);
}

static void test_siblings_unaffected(void)
{
	viper_handle_t to_hog_s, to_hog_r, from_hog_s, from_hog_r, give[2];
	struct viper_quota q = {1024, 0, 0, 0};
	struct viper_usage u, mine = my_usage();
	struct viper_msg_info info;
	char buf[16];
	int64_t hog, m, va;

	CHECK_EQ(viper_channel_create(&to_hog_s, &to_hog_r, 0), 0);
	CHECK_EQ(viper_channel_create(&from_hog_s, &from_hog_r, 0), 0);
	give[0] = to_hog_r;
	give[1] = from_hog_s;
	hog = spawn(ROLE_HOG, &q, give, 2);
	CHECK(hog > 0);
	CHECK_EQ(viper_channel_recv(from_hog_r, buf, sizeof(buf), NULL, &info, 0), 4);
	u = usage_of((viper_handle_t)hog);
	CHECK_EQ(u.memory_bytes, (1024 * 1024 - u.kernel_bytes) & ~(uint64_t)(PAGE - 1));
	CHECK(u.kernel_bytes > 0 && u.memory_bytes + u.kernel_bytes <= 1024 * 1024);
	CHECK(u.memory_bytes + u.kernel_bytes > 1024 * 1024 - PAGE);
	CHECK_EQ(u.threads, 1);
	/* A sibling and the parent allocate as before. */
	CHECK_EQ(wait_status(spawn(ROLE_ALLOC, NULL, NULL, 0)), 0);
	m = viper_memory_create(1 << 20, 0);
	CHECK(m > 0);
	va = viper_memory_map((viper_handle_t)m, 0, 1 << 20, VIPER_PROT_READ | VIPER_PROT_WRITE, 0);
	CHECK(va > 0);
	if (va > 0) {
		((volatile uint8_t *)(uintptr_t)va)[12345] = 7;
		CHECK_EQ(((volatile uint8_t *)(uintptr_t)va)[12345], 7);
		CHECK_EQ(viper_memory_unmap((uint64_t)va, 1 << 20), 0);
	}
	viper_handle_close((viper_handle_t)m);
	/* Let it go; everything it held is given back. */
	CHECK_EQ(viper_channel_send(to_hog_s, "bye", 3, NULL, 0, 0), 0);
	CHECK_EQ(wait_exit(hog), 0);
	u = usage_of((viper_handle_t)hog);
	CHECK_EQ(u.memory_bytes, 0);
	CHECK_EQ(u.kernel_bytes, 0);
	CHECK_EQ(u.handles, 0);
	CHECK_EQ(u.threads, 0);
	viper_handle_close((viper_handle_t)hog);
	viper_handle_close(to_hog_s);
	viper_handle_close(from_hog_r);
	/* Our own usage is back where it was, less the tables the mapping added. */
	u = my_usage();
	CHECK_EQ(u.handles, mine.handles);
	CHECK(u.memory_bytes >= mine.memory_bytes &&
	      u.memory_bytes <= mine.memory_bytes + 3 * PAGE);
}

static void test_creator_pays(void)
{
	viper_handle_t s, r, mem = 0;
	struct viper_msg_info info;
	struct viper_usage u, mine;
	char buf[16];
	int64_t p;

	CHECK_EQ(viper_channel_create(&s, &r, 0), 0);
	mine = my_usage();
	p = spawn(ROLE_GIFT, NULL, &s, 1);
	CHECK(p > 0);
	CHECK_EQ(wait_exit(p), 0);
	CHECK_EQ(viper_channel_recv(r, buf, sizeof(buf), &mem, &info, 0), 3);
	CHECK_EQ(info.handles, 1);
	/* The object outlives its maker, which still pays for it; we do not. */
	u = usage_of((viper_handle_t)p);
	CHECK_EQ(u.memory_bytes, 64 * 1024);
	CHECK_EQ(u.handles, 0);
	CHECK_EQ(my_usage().memory_bytes, mine.memory_bytes);
	CHECK_EQ(viper_handle_close(mem), 0);
	CHECK_EQ(usage_of((viper_handle_t)p).memory_bytes, 0);
	viper_handle_close((viper_handle_t)p);
	viper_handle_close(r);
}

int main(const struct viper_startup *s)
{
	startup = s;
	if (s->magic != VIPER_STARTUP_MAGIC)
		return 99;
	switch ((enum role)s->argument) {
	case ROLE_SUITE:
		break;
	case ROLE_MEMORY:
		return role_memory();
	case ROLE_HANDLES:
		return role_handles();
	case ROLE_THREADS:
		return role_threads();
	case ROLE_ESCALATE:
		return role_escalate();
	case ROLE_LIMITS:
		return role_limits();
	case ROLE_HOG:
		return role_hog();
	case ROLE_ALLOC:
		return role_alloc();
	case ROLE_GIFT:
		return role_gift();
	case ROLE_EXIT0:
		return 0;
	default:
		return 98;
	}

	viper_printf("quotatests: quota test suite on %u CPU(s)\n", s->cpu_count);
	run("process_usage of itself, and its errors", test_usage_of_self);
	run("process_spawn quota arguments", test_spawn_arguments);
	run("memory limit: objects, mappings, page tables", test_memory_limit);
	run("handle limit: creation and transfer into a full table", test_handle_limit);
	run("thread limit", test_thread_limit);
	run("no child gets more than its parent", test_no_escalation);
	run("a process at its limit harms no sibling", test_siblings_unaffected);
	run("memory is charged to the process that made it", test_creator_pays);
	return summary();
}
