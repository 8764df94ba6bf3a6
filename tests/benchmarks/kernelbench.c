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
	ROLE_SLEEPERS = 5, /* SLEEPER_THREADS threads blocked in a receive each, until killed */
};

#define SLEEPER_PROCESSES 8
#define SLEEPER_THREADS	  8 /* besides the main thread: all the runtime's thread slots */
#define CLOSE_HANDLES	  180

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
	return viper_spawn("kernelbench", role, handles, count);
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
	viper_printf("kernelbench: done\n");
	return 0;
}
