/*
 * Kernel micro-benchmarks, the root process of //system/qemu_virt:
 * kernel_bench. Boot with "pmu=user" so the instruction counter (PMU event
 * 0x08) is readable here; under QEMU -icount shift=0 it is exact. Prints one
 * line per benchmark:
 *   bench: <name> iterations=N instructions_per_op=I ns_per_op=T
 * Instruction counts cover everything the CPU ran (user and kernel, both
 * sides of a round trip), measured on one CPU.
 */
#include <stdio.h>
#include <string.h>

#include <viper/runtime.h>

#define ITERATIONS 1000

enum role {
	ROLE_BENCH = 0,
	ROLE_SERVER = 1,
	ROLE_YIELDER = 2,
	ROLE_SERVER_TWO_CALLS = 3,
	ROLE_SERVER_SHORT = 4,
	ROLE_SLEEPERS = 5,    /* SLEEPER_THREADS threads blocked in a receive each, until killed */
	ROLE_PAIR_CLIENT = 6, /* PAIR_CALLS short calls on handle 0 once told to go; reports */
	ROLE_IDLE = 7,	      /* says it is up, waits to be told to exit (memory per instance) */
};

#define SLEEPER_PROCESSES 8
#define SLEEPER_THREADS	  8 /* besides the main thread: all the runtime's thread slots */
#define CLOSE_HANDLES	  180
#define PAIR_CALLS	  20000
#define PAIR_ROUNDS	  5

static const struct viper_startup *startup;

static inline uint64_t instructions(void)
{
	uint64_t v;

	__asm__ volatile("isb\n mrs %0, pmevcntr0_el0" : "=r"(v));
	return v;
}

static void report(const char *name, uint64_t insns, int64_t ns, unsigned ops)
{
	/* Integer formatting keeps this free of floating point. */
	viper_printf("bench: %s iterations=%u instructions_per_op=%llu.%02llu ns_per_op=%lld\n",
		     name, ops, (unsigned long long)(insns / ops),
		     (unsigned long long)(insns % ops * 100 / ops), (long long)(ns / ops));
}

static void bench_null_syscall(void)
{
	uint64_t i0 = instructions();
	int64_t t0 = viper_clock_now();

	for (int i = 0; i < ITERATIONS; i++)
		(void)viper_syscall6(VIPER_SYS_COUNT, 0, 0, 0, 0, 0, 0);
	uint64_t i1 = instructions();
	int64_t t1 = viper_clock_now();
	report("null_syscall", i1 - i0, t1 - t0, ITERATIONS);
}

static void bench_clock_now(void)
{
	uint64_t i0 = instructions();
	int64_t t0 = viper_clock_now();

	for (int i = 0; i < ITERATIONS; i++)
		(void)viper_clock_now();
	uint64_t i1 = instructions();
	int64_t t1 = viper_clock_now();
	report("clock_now_syscall", i1 - i0, t1 - t0, ITERATIONS);
}

static int64_t spawn(uint64_t role, const viper_handle_t *handles, uint32_t count)
{
	return viper_spawn(viper_spawn_capability(), "kernelbench", role, handles, count);
}

/* Calls a server process ITERATIONS times with 16 bytes; `role` picks the server's loop. */
static void bench_round_trip(const char *name, uint64_t role)
{
	viper_handle_t s, r;
	char msg[16] = "0123456789abcdef", reply[16];
	int64_t server, status;

	if (viper_channel_create(&s, &r, 0) < 0)
		return;
	server = spawn(role, &r, 1);
	if (server < 0) {
		viper_printf("bench: cannot start the server: %lld\n", (long long)server);
		return;
	}
	struct viper_call call = {.send_bytes = msg,
				  .send_len = 16,
				  .reply_bytes = reply,
				  .reply_capacity = sizeof(reply),
				  .timeout_ns = VIPER_TIMEOUT_NONE};
	(void)viper_channel_call(s, &call); /* warm up: the server is waiting now */
	uint64_t i0 = instructions();
	int64_t t0 = viper_clock_now();
	for (int i = 0; i < ITERATIONS; i++) {
		if (viper_channel_call(s, &call) != 16) {
			viper_printf("bench: call failed\n");
			break;
		}
	}
	uint64_t i1 = instructions();
	int64_t t1 = viper_clock_now();
	report(name, i1 - i0, t1 - t0, ITERATIONS);
	viper_handle_close(s);
	viper_process_wait((viper_handle_t)server, &status, VIPER_TIMEOUT_NONE);
	viper_handle_close((viper_handle_t)server);
}

/* The same round trip with short messages, which travel in registers. */
/* Short calls (16 bytes in registers) to a server on `role`'s loop. */
static void bench_round_trip_short(const char *name, uint64_t role)
{
	viper_handle_t s, r;
	struct viper_short_msg m = {{0x3736353433323130ull, 0x6665646362613938ull}};
	int64_t server, status;

	if (viper_channel_create(&s, &r, 0) < 0)
		return;
	server = spawn(role, &r, 1);
	if (server < 0) {
		viper_printf("bench: cannot start the server: %lld\n", (long long)server);
		return;
	}
	(void)viper_channel_call_short(s, &m, 16); /* warm up: the server is waiting now */
	uint64_t i0 = instructions();
	int64_t t0 = viper_clock_now();
	for (int i = 0; i < ITERATIONS; i++) {
		if (viper_channel_call_short(s, &m, 16) != 16) {
			viper_printf("bench: call failed\n");
			break;
		}
	}
	uint64_t i1 = instructions();
	int64_t t1 = viper_clock_now();
	report(name, i1 - i0, t1 - t0, ITERATIONS);
	viper_handle_close(s);
	viper_process_wait((viper_handle_t)server, &status, VIPER_TIMEOUT_NONE);
	viper_handle_close((viper_handle_t)server);
}

static void bench_context_switch(void)
{
	int64_t other = spawn(ROLE_YIELDER, NULL, 0), status;

	if (other < 0)
		return;
	viper_yield(); /* let it start */
	uint64_t i0 = instructions();
	int64_t t0 = viper_clock_now();
	for (int i = 0; i < ITERATIONS; i++)
		viper_yield();
	uint64_t i1 = instructions();
	int64_t t1 = viper_clock_now();
	/* Each of our yields runs the other process once: two switches per iteration. */
	report("context_switch_via_yield", i1 - i0, t1 - t0, 2 * ITERATIONS);
	viper_process_kill((viper_handle_t)other, 0);
	viper_process_wait((viper_handle_t)other, &status, VIPER_TIMEOUT_NONE);
	viper_handle_close((viper_handle_t)other);
}

/* A thread that blocks for ever in a receive on the channel end at `arg`. */
static void sleeper(void *arg)
{
	char buf[8];
	struct viper_msg_info info;

	(void)viper_channel_recv(*(viper_handle_t *)arg, buf, sizeof(buf), NULL, &info, 0);
}

static int sleepers(void)
{
	static viper_handle_t s, r;

	if (viper_channel_create(&s, &r, 0) < 0)
		return 1;
	for (int i = 0; i < SLEEPER_THREADS; i++) {
		if (viper_thread_start(sleeper, &r, VIPER_PRIORITY_DEFAULT) < 0)
			return 2;
	}
	(void)viper_channel_send(startup->handles[0].handle, "up", 2, NULL, 0, 0);
	for (;;)
		viper_sleep(1000000000);
}

/*
 * Fills the handle table with CLOSE_HANDLES handles derived from a timer and
 * closes them one by one: the cost of a close must not grow with the number
 * of threads in the system, here those of `helpers` other processes, each
 * with SLEEPER_THREADS threads blocked through a capability of their own.
 */
static void bench_close_table(const char *name, int helpers)
{
	viper_handle_t hs[CLOSE_HANDLES], s, r;
	int64_t timer = viper_timer_create(), helper[SLEEPER_PROCESSES], status;
	struct viper_msg_info info;
	char buf[8];
	int n = 0;

	if (timer < 0 || viper_channel_create(&s, &r, 0) < 0)
		return;
	for (int i = 0; i < helpers; i++) {
		viper_handle_t give = (viper_handle_t)viper_handle_derive(
			s, VIPER_RIGHT_WRITE | VIPER_RIGHT_TRANSFER);
		helper[i] = spawn(ROLE_SLEEPERS, &give, 1);
		if (helper[i] < 0 || viper_channel_recv(r, buf, sizeof(buf), NULL, &info, 0) != 2) {
			viper_printf("bench: cannot start the sleepers\n");
			return;
		}
	}
	viper_handle_close(s);
	while (n < CLOSE_HANDLES) {
		int64_t h = viper_handle_derive((viper_handle_t)timer, VIPER_RIGHT_READ);
		if (h < 0)
			break;
		hs[n++] = (viper_handle_t)h;
	}
	uint64_t i0 = instructions();
	int64_t t0 = viper_clock_now();
	for (int i = 0; i < n; i++)
		(void)viper_handle_close(hs[i]);
	uint64_t i1 = instructions();
	int64_t t1 = viper_clock_now();
	report(name, i1 - i0, t1 - t0, (unsigned)n);
	viper_handle_close((viper_handle_t)timer);
	viper_handle_close(r);
	for (int i = 0; i < helpers; i++) {
		viper_process_kill((viper_handle_t)helper[i], 0);
		viper_process_wait((viper_handle_t)helper[i], &status, VIPER_TIMEOUT_NONE);
		viper_handle_close((viper_handle_t)helper[i]);
	}
}

/* What a pair's client reports: how long its calls took, and the instructions on its CPU. */
struct pair_result {
	int64_t ns;
	uint64_t instructions;
};

/* A client of a pair: waits for "go" (handle 2), calls (handle 0), reports (handle 1). */
static int pair_client(void)
{
	viper_handle_t call = startup->handles[0].handle, report = startup->handles[1].handle;
	viper_handle_t go = startup->handles[2].handle;
	struct viper_short_msg m = {{1, 2}};
	struct pair_result res;
	struct viper_msg_info info;
	char buf[8];

	(void)viper_channel_call_short(call, &m, 16); /* warm up: the server waits now */
	if (viper_channel_recv(go, buf, sizeof(buf), NULL, &info, 0) < 0)
		return 1;
	uint64_t i0 = instructions();
	int64_t t0 = viper_clock_now();
	for (int i = 0; i < PAIR_CALLS; i++) {
		if (viper_channel_call_short(call, &m, 16) != 16)
			return 2;
	}
	res.ns = viper_clock_now() - t0;
	res.instructions = instructions() - i0;
	viper_channel_send(report, &res, sizeof(res), NULL, 0, 0);
	return 0;
}

/* A started client/server pair, and what is needed to run it and end it. */
struct pair {
	int64_t server, client;
	viper_handle_t go;
};

static int start_pair(struct pair *p, viper_handle_t report)
{
	viper_handle_t s, r, go_r, give[3];

	if (viper_channel_create(&s, &r, 0) < 0 || viper_channel_create(&p->go, &go_r, 0) < 0)
		return -1;
	p->server = spawn(ROLE_SERVER_SHORT, &r, 1);
	give[0] = s;
	give[1] = (viper_handle_t)viper_handle_derive(report,
						      VIPER_RIGHT_WRITE | VIPER_RIGHT_TRANSFER);
	give[2] = go_r;
	p->client = spawn(ROLE_PAIR_CLIENT, give, 3);
	return p->server > 0 && p->client > 0 ? 0 : -1;
}

static void end_pair(struct pair *p)
{
	int64_t status;

	viper_process_wait((viper_handle_t)p->client, &status, VIPER_TIMEOUT_NONE);
	viper_process_kill((viper_handle_t)p->server, 0);
	viper_process_wait((viper_handle_t)p->server, &status, VIPER_TIMEOUT_NONE);
	viper_handle_close((viper_handle_t)p->client);
	viper_handle_close((viper_handle_t)p->server);
	viper_handle_close(p->go);
}

/*
 * `n` independent client/server pairs calling at once: each client makes
 * PAIR_CALLS short calls. Reports the wall time per call of all of them
 * together (so calls per second are 1e9 / ns_per_op) and the instructions
 * per call on the first client's CPU, where its server runs too.
 */
static void bench_pairs(const char *name, int n)
{
	struct pair pairs[2];
	struct pair_result res[2] = {{0, 0}, {0, 0}};
	struct viper_msg_info info;
	viper_handle_t rs, rr;
	int64_t slowest = 0;

	if (viper_channel_create(&rs, &rr, 0) < 0)
		return;
	for (int i = 0; i < n; i++) {
		if (start_pair(&pairs[i], rs) < 0) {
			viper_printf("bench: cannot start pair %d\n", i);
			return;
		}
	}
	viper_sleep(20 * 1000000ll); /* let every client make its warm-up call */
	for (int i = 0; i < n; i++)
		viper_channel_send(pairs[i].go, "go", 2, NULL, 0, 0);
	for (int i = 0; i < n; i++) {
		if (viper_channel_recv(rr, &res[i], sizeof(res[i]), NULL, &info, 0) < 0)
			return;
		if (res[i].ns > slowest)
			slowest = res[i].ns;
	}
	for (int i = 0; i < n; i++)
		end_pair(&pairs[i]);
	viper_handle_close(rs);
	viper_handle_close(rr);
	report(name, res[0].instructions * (unsigned)n, slowest, (unsigned)(n * PAIR_CALLS));
}

/* Memory per instance: idle instances of this program (which the root already runs). */

static viper_handle_t system_handle(void)
{
	for (uint32_t i = 0; i < startup->handle_count; i++) {
		if (startup->handles[i].kind == VIPER_OBJ_SYSTEM)
			return startup->handles[i].handle;
	}
	return 0;
}

/* KiB of RAM handed out now (promised but untouched memory is not). */
static uint64_t kib_in_use(void)
{
	struct viper_system_info i;

	if (viper_system_info(system_handle(), &i) < 0)
		return 0;
	return (i.memory_total_bytes - i.memory_free_bytes - i.memory_promised_bytes) / 1024;
}

static int idle(void)
{
	char buf[4];
	struct viper_msg_info info;

	viper_channel_send(startup->handles[0].handle, "up", 2, NULL, 0, 0);
	viper_channel_recv(startup->handles[1].handle, buf, sizeof(buf), NULL, &info, 0);
	return 0;
}

extern char __tdata_start[];

/*
 * Starts INSTANCES idle instances one after another and reports what each
 * added to the memory in use: its own pages (stack, written data, tables,
 * kernel stack and bookkeeping), as its program's read-only pages are
 * shared and its writable ones are copied only when written.
 */
#define INSTANCES 3

static void bench_instances(void)
{
	viper_handle_t up_s, up_r, go_s, go_r, give[2];
	int64_t child[INSTANCES], status;
	struct viper_msg_info info;
	char buf[4];

	if (viper_channel_create(&up_s, &up_r, 0) < 0 || viper_channel_create(&go_s, &go_r, 0) < 0)
		return;
	for (int i = 0; i < INSTANCES; i++) {
		uint64_t before = kib_in_use();
		give[0] = (viper_handle_t)viper_handle_derive(up_s, VIPER_RIGHT_WRITE |
									    VIPER_RIGHT_TRANSFER);
		give[1] = (viper_handle_t)viper_handle_derive(go_r, VIPER_RIGHT_READ |
									    VIPER_RIGHT_TRANSFER);
		child[i] = spawn(ROLE_IDLE, give, 2);
		if (child[i] < 0 || viper_channel_recv(up_r, buf, sizeof(buf), NULL, &info, 0) < 0)
			return;
		viper_printf(
			"bench-memory: instance %d of kernelbench costs %llu KiB; its read-only "
			"segments are %llu KiB\n",
			i + 1, (unsigned long long)(kib_in_use() - before),
			(unsigned long long)(((uintptr_t)__tdata_start - 0x400000) / 1024));
	}
	viper_handle_close(go_s); /* every instance's receive fails: they exit */
	for (int i = 0; i < INSTANCES; i++) {
		viper_process_wait((viper_handle_t)child[i], &status, VIPER_TIMEOUT_NONE);
		viper_handle_close((viper_handle_t)child[i]);
	}
	viper_handle_close(up_s);
	viper_handle_close(up_r);
	viper_handle_close(go_r);
}

/* A server answering each request with its own bytes, with one system call per request. */
static int serve(void)
{
	viper_handle_t r = startup->handles[0].handle, hs[VIPER_MSG_MAX_HANDLES];
	char buf[VIPER_MSG_MAX_BYTES];
	struct viper_reply_recv rr = {.reply_bytes = buf,
				      .recv_bytes = buf,
				      .recv_capacity = sizeof(buf),
				      .recv_handles = hs};
	int64_t n;

	while ((n = viper_channel_reply_recv(r, &rr, 0)) >= 0) {
		rr.reply = rr.info.reply;
		rr.reply_len = (uint32_t)n;
	}
	return 0;
}

/* The same with short messages, in registers. */
static int serve_short(void)
{
	viper_handle_t r = startup->handles[0].handle;
	struct viper_short_msg m;
	uint32_t token = 0;
	int64_t n = 0;

	while ((n = viper_channel_reply_recv_short(r, &token, (uint64_t)n, &m, NULL)) >= 0)
		;
	return 0;
}

/* The same with channel_reply and channel_recv: two system calls per request. */
static int serve_two_calls(void)
{
	viper_handle_t r = startup->handles[0].handle, hs[VIPER_MSG_MAX_HANDLES];
	struct viper_msg_info info;
	char buf[VIPER_MSG_MAX_BYTES];
	int64_t n;

	while ((n = viper_channel_recv(r, buf, sizeof(buf), hs, &info, 0)) >= 0)
		viper_channel_reply(info.reply, buf, (uint64_t)n, NULL, 0);
	return 0;
}

int main(const struct viper_startup *s)
{
	startup = s;
	if (s->argument == ROLE_SERVER)
		return serve();
	if (s->argument == ROLE_SERVER_TWO_CALLS)
		return serve_two_calls();
	if (s->argument == ROLE_SERVER_SHORT)
		return serve_short();
	if (s->argument == ROLE_SLEEPERS)
		return sleepers();
	if (s->argument == ROLE_PAIR_CLIENT)
		return pair_client();
	if (s->argument == ROLE_IDLE)
		return idle();
	if (s->argument == ROLE_YIELDER) {
		for (;;)
			viper_yield();
	}
	if (instructions() == 0)
		viper_printf("bench: the instruction counter reads 0: boot with -icount shift=0 "
			     "for instruction counts\n");
	viper_printf("kernelbench: %u CPU(s), %d iterations each\n", s->cpu_count, ITERATIONS);
	bench_null_syscall();
	bench_clock_now();
	bench_round_trip("channel_call_round_trip_16B", ROLE_SERVER);
	bench_round_trip("channel_call_round_trip_16B_reply_then_recv", ROLE_SERVER_TWO_CALLS);
	bench_round_trip_short("channel_call_round_trip_16B_short", ROLE_SERVER_SHORT);
	/* What a generated stub with a small reply does: see kv_bench. */
	bench_round_trip_short("channel_call_short_to_reply_recv_16B", ROLE_SERVER);
	bench_context_switch();
	bench_close_table("handle_close_in_full_table_1_thread", 0);
	bench_close_table("handle_close_in_full_table_73_threads", SLEEPER_PROCESSES);
	bench_instances();
	if (s->cpu_count >= 2) {
		/* Alternately, so a noisy host's drift falls on both alike (median per name). */
		for (int i = 0; i < PAIR_ROUNDS; i++) {
			bench_pairs("call_pairs_1_short_16B", 1);
			bench_pairs("call_pairs_2_short_16B", 2);
		}
	}
	viper_printf("kernelbench: done\n");
	return 0;
}
