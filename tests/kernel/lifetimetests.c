/*
 * In-QEMU tests of object lifetimes: the root process of
 * //tests/kernel:lifetime_tests. Reference cycles of channels (receive
 * ends queued in each other, of any length) and of poll sets (watching
 * each other) are freed, so the free memory returns to exactly its
 * starting value; a cycle reachable from a live channel is not; a chain of
 * thousands of channels is torn down without recursing; and the kernel's
 * bookkeeping is charged to the process that caused it, so a process that
 * queues messages without end runs into its own quota, not the kernel's
 * memory. And a process's children end with it unless it hands them up
 * the tree (process_set_parent). Each case runs its work in a child, which
 * exits with 0 or the line of the first check that failed. Prints
 * "N passed, N failed".
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <viper/runtime.h>

#include "guest_check.h"

enum role {
	ROLE_SUITE = 0,
	ROLE_CHANNEL_CYCLES = 1, /* makes and drops CYCLES channel cycles of each shape */
	ROLE_POLL_CYCLES = 2,	 /* the same with poll sets */
	ROLE_LIVE_CYCLE = 3,	 /* a cycle reachable from a live channel survives, intact */
	ROLE_CHAIN = 4,		 /* a chain of CHAIN channels, dropped at its head */
	ROLE_QUEUE_HOG = 5,	 /* queues messages until its quota says no */
	ROLE_SLEEPER = 6,	 /* sleeps until killed */
	ROLE_PARENT = 7,	 /* spawns a sleeper, sends its handle, exits */
	ROLE_HANDER = 8,  /* the same, but hands the sleeper to the process it was given first */
	ROLE_KEEPER = 9,  /* spawns a sleeper, sends its handle, sleeps until killed */
	ROLE_DEEP = 10,	  /* spawns itself until the tree is too deep (see role_deep) */
	ROLE_MIDDLE = 11, /* checks process_set_parent's refusals below the suite */
};

#define CYCLES 300
#define CHAIN  3000

static const struct viper_startup *startup;

static struct viper_usage my_usage(void)
{
	return usage_of(startup->self_process);
}

/* Sends `h` (moved) through send end `s` with a short text. */
static int64_t send_handle(viper_handle_t s, viper_handle_t h)
{
	return viper_channel_send(s, "cap", 3, &h, 1, 0);
}

/*
 * A ring of `n` channels, channel i's receive end queued in channel i+1
 * (mod n); all the sender's handles go, so nothing can reach the ring.
 * With `copies`, a derived copy of each receive end stays in the table
 * until the ring is built, so the ring becomes garbage only when the last
 * copy is closed.
 */
static int ring(unsigned n, bool copies)
{
	viper_handle_t s[4], r[4], copy[4];

	for (unsigned i = 0; i < n; i++) {
		REQUIRE(viper_channel_create(&s[i], &r[i], 0) == 0);
		if (copies) {
			int64_t c = viper_handle_derive(r[i], VIPER_RIGHT_READ);
			REQUIRE(c > 0);
			copy[i] = (viper_handle_t)c;
		}
	}
	for (unsigned i = 0; i < n; i++)
		REQUIRE(send_handle(s[(i + 1) % n], r[i]) == 0);
	for (unsigned i = 0; i < n; i++) {
		REQUIRE(viper_handle_close(s[i]) == 0);
		if (copies)
			REQUIRE(viper_handle_close(copy[i]) == 0);
	}
	return 0;
}

/* A channel whose queue holds its peer's receive end and a call... no: a plain pair
 * whose receive ends are queued in each other, with more messages on top. */
static int crossed_pair_with_backlog(void)
{
	viper_handle_t s1, r1, s2, r2;

	REQUIRE(viper_channel_create(&s1, &r1, 0) == 0);
	REQUIRE(viper_channel_create(&s2, &r2, 0) == 0);
	for (int i = 0; i < 5; i++) {
		REQUIRE(viper_channel_send(s1, "backlog", 7, NULL, 0, 0) == 0);
		REQUIRE(viper_channel_send(s2, "backlog", 7, NULL, 0, 0) == 0);
	}
	REQUIRE(send_handle(s1, r2) == 0);
	REQUIRE(send_handle(s2, r1) == 0);
	REQUIRE(viper_handle_close(s1) == 0);
	REQUIRE(viper_handle_close(s2) == 0);
	return 0;
}

/* The kernel bookkeeping charged to us stays bounded while garbage is made. */
static int role_channel_cycles(void)
{
	struct viper_usage start = my_usage();
	int r;

	for (int i = 0; i < CYCLES; i++) {
		if ((r = ring(2, false)) || (r = ring(3, false)) || (r = ring(4, true)) ||
		    (r = crossed_pair_with_backlog()))
			return r;
		/* At most a few rings wait for the collector at any time. */
		REQUIRE(my_usage().kernel_bytes < start.kernel_bytes + 64 * 1024);
	}
	REQUIRE(my_usage().handles == start.handles);
	return 0;
}

/* Poll sets watching each other in a ring of `n`; every handle closed. */
static int poll_ring(unsigned n)
{
	viper_handle_t p[3];

	for (unsigned i = 0; i < n; i++) {
		int64_t h = viper_poll_create();
		REQUIRE(h > 0);
		p[i] = (viper_handle_t)h;
	}
	for (unsigned i = 0; i < n; i++)
		REQUIRE(viper_poll_add(p[i], p[(i + 1) % n], VIPER_SIGNAL_READABLE, i) == 0);
	for (unsigned i = 0; i < n; i++)
		REQUIRE(viper_handle_close(p[i]) == 0);
	return 0;
}

/* A poll set watching a channel whose queue holds the set's only handle. */
static int poll_in_its_channel(void)
{
	viper_handle_t s, r;
	int64_t p = viper_poll_create();

	REQUIRE(p > 0);
	REQUIRE(viper_channel_create(&s, &r, 0) == 0);
	REQUIRE(viper_poll_add((viper_handle_t)p, r, VIPER_SIGNAL_READABLE, 1) == 0);
	REQUIRE(send_handle(s, (viper_handle_t)p) == 0);
	REQUIRE(viper_handle_close(s) == 0);
	REQUIRE(viper_handle_close(r) == 0);
	return 0;
}

static int role_poll_cycles(void)
{
	struct viper_usage start = my_usage();
	int r;

	for (int i = 0; i < CYCLES; i++) {
		if ((r = poll_ring(2)) || (r = poll_ring(3)) || (r = poll_in_its_channel()))
			return r;
		REQUIRE(my_usage().kernel_bytes <= start.kernel_bytes);
	}
	return 0;
}

/* Receives one message from `r` (bytes into `buf`, its handle into *h when it has one). */
static int64_t take(viper_handle_t r, char *buf, viper_handle_t *h)
{
	struct viper_msg_info info;
	viper_handle_t hs[VIPER_MSG_MAX_HANDLES] = {0};
	int64_t n = viper_channel_recv(r, buf, 16, hs, &info, VIPER_MSG_NONBLOCK);

	*h = info.handles ? hs[0] : 0;
	return n;
}

/*
 * A ring of two (A's receive end in B, B's in A) with a copy of A's receive
 * end in channel X, whose receive end we keep: the ring is reachable and
 * must survive however often the collector runs; then we take it all back
 * and find every message intact.
 */
static int role_live_cycle(void)
{
	viper_handle_t xs, xr, as, ar, bs, br, copy, got_a, got_b, again;
	char buf[16];
	int r;

	REQUIRE(viper_channel_create(&xs, &xr, 0) == 0);
	REQUIRE(viper_channel_create(&as, &ar, 0) == 0);
	REQUIRE(viper_channel_create(&bs, &br, 0) == 0);
	copy = (viper_handle_t)viper_handle_derive(ar, VIPER_RIGHT_READ | VIPER_RIGHT_TRANSFER);
	REQUIRE(copy > 0);
	REQUIRE(send_handle(bs, ar) == 0);
	REQUIRE(send_handle(as, br) == 0);
	REQUIRE(viper_channel_send(as, "in a", 4, NULL, 0, 0) == 0);
	REQUIRE(send_handle(xs, copy) == 0);
	/* Garbage enough to run the collector many times over. */
	for (int i = 0; i < 100; i++) {
		if ((r = ring(2, false)))
			return r;
	}
	/* X gives back A's copy, A gives B's receive end and its text, B gives A's. */
	REQUIRE(take(xr, buf, &got_a) == 3 && got_a);
	REQUIRE(take(got_a, buf, &got_b) == 3 && got_b);
	REQUIRE(take(got_a, buf, &again) == 4 && memcmp(buf, "in a", 4) == 0 && !again);
	REQUIRE(take(got_b, buf, &again) == 3 && again);
	/* got_a is derived from `again` (A's first receive end): it goes first. */
	REQUIRE(viper_handle_close(got_a) == 0);
	REQUIRE(viper_handle_close(again) == 0);
	REQUIRE(viper_handle_close(got_b) == 0);
	return 0;
}

/* CHAIN channels, each one's receive end queued in the one before; then drop the head. */
static int role_chain(void)
{
	viper_handle_t s, r, head, next_s, next_r;

	REQUIRE(viper_channel_create(&s, &r, 0) == 0);
	head = r;
	for (int i = 1; i < CHAIN; i++) {
		REQUIRE(viper_channel_create(&next_s, &next_r, 0) == 0);
		REQUIRE(send_handle(s, next_r) == 0);
		REQUIRE(viper_handle_close(s) == 0);
		s = next_s;
	}
	REQUIRE(viper_handle_close(s) == 0);
	REQUIRE(my_usage().kernel_bytes > CHAIN * 256ull);
	REQUIRE(viper_handle_close(head) == 0); /* all CHAIN channels go at once */
	REQUIRE(my_usage().kernel_bytes < 64 * 1024);
	return 0;
}

/* Fills channels with messages to itself until its quota refuses one. */
static int role_queue_hog(void)
{
	viper_handle_t s, r;
	int64_t err = 0;
	unsigned sent = 0;

	for (int c = 0; c < 100 && !err; c++) {
		err = viper_channel_create(&s, &r, VIPER_CHANNEL_MAX_DEPTH);
		for (unsigned i = 0; i < VIPER_CHANNEL_MAX_DEPTH && !err; i++) {
			err = viper_channel_send(s, "ballast", 7, NULL, 0, VIPER_MSG_NONBLOCK);
			sent += err == 0;
		}
	}
	if (err != VIPER_E_LIMIT)
		viper_printf("  stopped by %lld after %u messages\n", (long long)err, sent);
	REQUIRE(err == VIPER_E_LIMIT);
	REQUIRE(sent > 16);
	/* What little the quota has left goes to smaller objects, then they are refused too. */
	for (int i = 0; i < 100 && (err = viper_channel_create(&s, &r, 0)) == 0; i++)
		;
	REQUIRE(err == VIPER_E_LIMIT);
	for (int i = 0; i < 100 && (err = viper_timer_create()) > 0; i++)
		;
	REQUIRE(err == VIPER_E_LIMIT);
	REQUIRE(viper_poll_create() == VIPER_E_LIMIT);
	struct viper_usage u = my_usage();
	REQUIRE(u.memory_bytes + u.kernel_bytes <= (uint64_t)u.limits.memory_kib * 1024);
	return 0;
}

/* --- the process tree --- */

/* True for the roles that start processes themselves. */
static bool starts_processes(enum role role)
{
	return role == ROLE_PARENT || role == ROLE_HANDER || role == ROLE_KEEPER ||
	       role == ROLE_DEEP || role == ROLE_MIDDLE;
}

/*
 * Spawns this program in `role` with `quota` (NULL: none), moving `handles`
 * (at most 2). A role that starts processes also gets a spawn capability,
 * after them: the suite derives one from its own (exec and transfer); a
 * child moves its own down (a chain of derivations could not be 32 deep).
 */
static int64_t spawn_with_quota(enum role role, const struct viper_quota *quota,
				const viper_handle_t *handles, uint32_t count)
{
	viper_handle_t give[3];
	int64_t derived = 0, p;
	struct viper_spawn s = {
		.image = "lifetimetests",
		.image_len = 13,
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
	if (starts_processes(role) && startup->argument == ROLE_SUITE) {
		derived = viper_handle_derive(viper_spawn_capability(),
					      VIPER_RIGHT_EXEC | VIPER_RIGHT_TRANSFER);
		if (derived < 0)
			return derived;
		give[s.handle_count++] = (viper_handle_t)derived;
	} else if (starts_processes(role)) {
		give[s.handle_count++] = viper_spawn_capability();
	}
	p = viper_process_spawn(viper_spawn_capability(), &s);
	if (p < 0 && derived > 0)
		viper_handle_close((viper_handle_t)derived);
	return p;
}

static int64_t spawn_role(enum role role, const viper_handle_t *handles, uint32_t count)
{
	return spawn_with_quota(role, NULL, handles, count);
}

static int role_sleeper(void)
{
	for (;;)
		viper_sleep(SECONDS);
}

/*
 * Spawns a sleeper and moves its handle to startup handle 0 (a derived copy
 * would die with our table); with `hand_to`, first hands the sleeper to that
 * process (its new parent).
 */
static int spawn_and_send_sleeper(viper_handle_t hand_to)
{
	viper_handle_t to_suite = startup->handles[0].handle;
	int64_t sleeper = spawn_role(ROLE_SLEEPER, NULL, 0);

	REQUIRE(sleeper > 0);
	if (hand_to)
		REQUIRE(viper_process_set_parent((viper_handle_t)sleeper, hand_to) == 0);
	REQUIRE(send_handle(to_suite, (viper_handle_t)sleeper) == 0);
	return 0;
}

static int role_parent(void)
{
	return spawn_and_send_sleeper(0);
}

static int role_hander(void)
{
	return spawn_and_send_sleeper(startup->handles[1].handle);
}

static int role_keeper(void)
{
	int r = spawn_and_send_sleeper(0);

	return r ? r : role_sleeper();
}

/*
 * One level of a chain of processes: spawns the next level and exits with
 * its status plus one, or, when the spawn fails, with 1000 when it failed
 * for the depth limit (the deepest level's status climbs back up).
 */
static int role_deep(void)
{
	int64_t child = spawn_role(ROLE_DEEP, NULL, 0), status = -1;

	if (child < 0)
		return child == VIPER_E_LIMIT ? 1000 : 2000;
	if (viper_process_wait((viper_handle_t)child, &status, 60 * SECONDS) < 0)
		return 3000;
	return (int)status + 1;
}

/*
 * A child of the suite, given the suite's own process handle: refusals of
 * process_set_parent for its own child (handing it to itself, or to the
 * child itself, or one it is not the parent of), then a hand-up that works.
 */
static int role_middle(void)
{
	viper_handle_t suite = startup->handles[1].handle;
	int64_t child = spawn_role(ROLE_SLEEPER, NULL, 0), grandchild_of_suite, weak, status;
	viper_handle_t s, r;

	REQUIRE(child > 0);
	/* Not up the tree: to ourselves (already the parent), to the child itself. */
	REQUIRE(viper_process_set_parent((viper_handle_t)child, startup->self_process) ==
		VIPER_E_INVAL);
	REQUIRE(viper_process_set_parent((viper_handle_t)child, (viper_handle_t)child) ==
		VIPER_E_INVAL);
	/* Not our child: ourselves, and the suite. */
	REQUIRE(viper_process_set_parent(startup->self_process, suite) == VIPER_E_INVAL);
	REQUIRE(viper_process_set_parent(suite, (viper_handle_t)child) == VIPER_E_INVAL);
	/* Handles: forged, the wrong kind, too few rights. */
	REQUIRE(viper_process_set_parent(0x7777, suite) == VIPER_E_BADHANDLE);
	REQUIRE(viper_process_set_parent((viper_handle_t)child, 0x7777) == VIPER_E_BADHANDLE);
	REQUIRE(viper_channel_create(&s, &r, 0) == 0);
	REQUIRE(viper_process_set_parent(s, suite) == VIPER_E_KIND);
	REQUIRE(viper_process_set_parent((viper_handle_t)child, r) == VIPER_E_KIND);
	weak = viper_handle_derive((viper_handle_t)child, VIPER_RIGHT_READ);
	REQUIRE(weak > 0);
	REQUIRE(viper_process_set_parent((viper_handle_t)weak, suite) == VIPER_E_RIGHTS);
	/* Up to the suite: it works, once; afterwards it is not our child any more. */
	REQUIRE(viper_process_set_parent((viper_handle_t)child, suite) == 0);
	REQUIRE(viper_process_set_parent((viper_handle_t)child, suite) == VIPER_E_INVAL);
	/* A dying child cannot be handed on. */
	grandchild_of_suite = spawn_role(ROLE_SLEEPER, NULL, 0);
	REQUIRE(grandchild_of_suite > 0);
	REQUIRE(viper_process_kill((viper_handle_t)grandchild_of_suite, 0) == 0);
	REQUIRE(viper_process_set_parent((viper_handle_t)grandchild_of_suite, suite) ==
			VIPER_E_PEERCLOSED ||
		viper_process_wait((viper_handle_t)grandchild_of_suite, &status, 0) == 0);
	/* The handed-up sleeper goes back to the suite to be killed there. */
	REQUIRE(send_handle(startup->handles[0].handle, (viper_handle_t)child) == 0);
	return 0;
}

/* --- the suite --- */

static viper_handle_t system_handle(void)
{
	for (uint32_t i = 0; i < startup->handle_count; i++) {
		if (startup->handles[i].kind == VIPER_OBJ_SYSTEM)
			return startup->handles[i].handle;
	}
	return 0;
}

static uint64_t free_bytes(void)
{
	struct viper_system_info info;

	if (viper_system_info(system_handle(), &info) < 0)
		return 0;
	return info.memory_free_bytes;
}

static int64_t spawn(enum role role, const struct viper_quota *quota)
{
	return spawn_with_quota(role, quota, NULL, 0);
}

/* Runs `role` in a child to its end; returns its status, checking it left nothing charged. */
static int64_t run_child(enum role role, const struct viper_quota *quota)
{
	int64_t p = spawn(role, quota), status = -12345, r;
	struct viper_usage u;

	if (p < 0)
		return p;
	r = viper_process_wait((viper_handle_t)p, &status, 60 * SECONDS);
	CHECK_EQ(viper_process_usage((viper_handle_t)p, &u), 0);
	CHECK_EQ(u.memory_bytes, 0);
	CHECK_EQ(u.kernel_bytes, 0);
	viper_handle_close((viper_handle_t)p);
	return r < 0 ? r : status;
}

/*
 * Runs `role` once to warm the kernel's caches, then again from a measured
 * start: afterwards the free memory must be exactly what it was.
 */
static void check_freed(enum role role)
{
	uint64_t before;

	CHECK_EQ(run_child(role, NULL), 0);
	before = free_bytes();
	CHECK(before > 0);
	CHECK_EQ(run_child(role, NULL), 0);
	CHECK_EQ(free_bytes(), before);
}

static void test_channel_cycles(void)
{
	check_freed(ROLE_CHANNEL_CYCLES);
}

static void test_poll_cycles(void)
{
	check_freed(ROLE_POLL_CYCLES);
}

static void test_live_cycle(void)
{
	check_freed(ROLE_LIVE_CYCLE);
}

static void test_chain(void)
{
	check_freed(ROLE_CHAIN);
}

static void test_bookkeeping_charged(void)
{
	struct viper_quota q = {512, 0, 0, 0};
	uint64_t before = free_bytes();

	/* The hog stops at its own quota... */
	CHECK_EQ(run_child(ROLE_QUEUE_HOG, &q), 0);
	/* ...and under the same quota garbage is collected often enough to go on for ever. */
	CHECK_EQ(run_child(ROLE_CHANNEL_CYCLES, &q), 0);
	CHECK_EQ(free_bytes(), before);
}

/* Spawns `role` with the send end of a fresh channel (and `extra`), and receives a handle. */
static int64_t spawn_and_receive(enum role role, viper_handle_t extra, viper_handle_t *got)
{
	viper_handle_t s, r, give[2];
	struct viper_msg_info info;
	char buf[8];
	int64_t p;

	*got = 0;
	if (viper_channel_create(&s, &r, 0) < 0)
		return -1;
	give[0] = s;
	give[1] = extra;
	p = spawn_role(role, give, extra ? 2 : 1);
	if (p > 0 && viper_channel_recv(r, buf, sizeof(buf), got, &info, 0) < 0)
		*got = 0;
	viper_handle_close(r);
	return p;
}

/* Waits up to 10 s for `p` to end; its status (or the error). */
static int64_t status_of(viper_handle_t p)
{
	int64_t status = -12345, r = viper_process_wait(p, &status, 10 * SECONDS);

	return r < 0 ? r : status;
}

static uint64_t koid_of(viper_handle_t h)
{
	struct viper_handle_info info;

	return viper_handle_query(h, &info) < 0 ? 0 : info.koid;
}

/* The parent the system capability reports for the process with `koid`. */
static uint64_t parent_of(uint64_t koid)
{
	static struct viper_process_entry procs[64];
	int64_t n = viper_system_processes(system_handle(), procs, 64);

	for (int64_t i = 0; i < n && i < 64; i++) {
		if (procs[i].koid == koid)
			return procs[i].parent_koid;
	}
	return 0;
}

static void test_children_end_with_parent(void)
{
	viper_handle_t sleeper;
	int64_t p = spawn_and_receive(ROLE_PARENT, 0, &sleeper);

	CHECK(p > 0 && sleeper);
	CHECK_EQ(status_of((viper_handle_t)p), 0);
	CHECK_EQ(status_of(sleeper), VIPER_EXIT_PARENT_ENDED);
	viper_handle_close(sleeper);
	viper_handle_close((viper_handle_t)p);
}

static void test_kill_ends_the_subtree(void)
{
	viper_handle_t sleeper;
	int64_t p = spawn_and_receive(ROLE_KEEPER, 0, &sleeper);

	CHECK(p > 0 && sleeper);
	CHECK_EQ(viper_process_wait(sleeper, NULL, 50 * 1000000ll), VIPER_E_TIMEOUT);
	CHECK_EQ(viper_process_kill((viper_handle_t)p, 0), 0);
	CHECK_EQ(status_of((viper_handle_t)p), VIPER_EXIT_KILLED);
	CHECK_EQ(status_of(sleeper), VIPER_EXIT_PARENT_ENDED);
	viper_handle_close(sleeper);
	viper_handle_close((viper_handle_t)p);
}

static void test_handed_to_a_supervisor(void)
{
	viper_handle_t sleeper, me;
	int64_t p;

	me = (viper_handle_t)viper_handle_derive(startup->self_process,
						 VIPER_RIGHT_WRITE | VIPER_RIGHT_TRANSFER);
	CHECK(me > 0);
	p = spawn_and_receive(ROLE_HANDER, me, &sleeper);
	CHECK(p > 0 && sleeper);
	CHECK_EQ(status_of((viper_handle_t)p), 0);
	/* It outlived the process that made it: we are its parent now. */
	CHECK_EQ(viper_process_wait(sleeper, NULL, 100 * 1000000ll), VIPER_E_TIMEOUT);
	CHECK_EQ(parent_of(koid_of(sleeper)), koid_of(startup->self_process));
	CHECK_EQ(viper_process_kill(sleeper, 0), 0);
	CHECK_EQ(status_of(sleeper), VIPER_EXIT_KILLED);
	viper_handle_close(sleeper);
	viper_handle_close((viper_handle_t)p);
}

static void test_set_parent_refusals(void)
{
	viper_handle_t me, sleeper;
	int64_t p;

	/* The root process has no ancestor to hand its children to. */
	p = spawn_role(ROLE_SLEEPER, NULL, 0);
	CHECK(p > 0);
	CHECK_EQ(viper_process_set_parent((viper_handle_t)p, startup->self_process), VIPER_E_INVAL);
	viper_process_kill((viper_handle_t)p, 0);
	CHECK_EQ(status_of((viper_handle_t)p), VIPER_EXIT_KILLED);
	viper_handle_close((viper_handle_t)p);
	/* Below us, each refusal, then a hand-up to us that works. */
	me = (viper_handle_t)viper_handle_derive(startup->self_process,
						 VIPER_RIGHT_WRITE | VIPER_RIGHT_TRANSFER);
	p = spawn_and_receive(ROLE_MIDDLE, me, &sleeper);
	CHECK(p > 0);
	CHECK_EQ(status_of((viper_handle_t)p), 0);
	CHECK(sleeper != 0);
	CHECK_EQ(parent_of(koid_of(sleeper)), koid_of(startup->self_process));
	viper_process_kill(sleeper, 0);
	CHECK_EQ(status_of(sleeper), VIPER_EXIT_KILLED);
	viper_handle_close(sleeper);
	viper_handle_close((viper_handle_t)p);
}

static void test_depth_limit(void)
{
	int64_t p = spawn_role(ROLE_DEEP, NULL, 0);

	CHECK(p > 0);
	/* Levels 1 to 32 start; the 32nd's spawn is refused with E_LIMIT. */
	CHECK_EQ(status_of((viper_handle_t)p), 1000 + VIPER_PROCESS_MAX_DEPTH - 1);
	viper_handle_close((viper_handle_t)p);
}

int main(const struct viper_startup *s)
{
	startup = s;
	switch ((enum role)s->argument) {
	case ROLE_SUITE:
		break;
	case ROLE_CHANNEL_CYCLES:
		return role_channel_cycles();
	case ROLE_POLL_CYCLES:
		return role_poll_cycles();
	case ROLE_LIVE_CYCLE:
		return role_live_cycle();
	case ROLE_CHAIN:
		return role_chain();
	case ROLE_QUEUE_HOG:
		return role_queue_hog();
	case ROLE_SLEEPER:
		return role_sleeper();
	case ROLE_PARENT:
		return role_parent();
	case ROLE_HANDER:
		return role_hander();
	case ROLE_KEEPER:
		return role_keeper();
	case ROLE_DEEP:
		return role_deep();
	case ROLE_MIDDLE:
		return role_middle();
	default:
		return 98;
	}
	viper_printf("lifetimetests: object lifetime suite on %u CPU(s)\n", s->cpu_count);
	run("channel cycles of every length are freed", test_channel_cycles);
	run("poll sets watching each other are freed", test_poll_cycles);
	run("a cycle reachable from a live channel survives", test_live_cycle);
	run("a chain of 3000 channels goes at once", test_chain);
	run("kernel bookkeeping is charged to its maker", test_bookkeeping_charged);
	run("children end with their parent", test_children_end_with_parent);
	run("killing a process ends its subtree", test_kill_ends_the_subtree);
	run("a child handed to a supervisor outlives its maker", test_handed_to_a_supervisor);
	run("process_set_parent refusals", test_set_parent_refusals);
	run("the process tree is at most 32 deep", test_depth_limit);
	return summary();
}
