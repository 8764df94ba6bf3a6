/*
 * kv_bench: the cost of a generated-stub call of interface kv, wherever the
 * store is placed. Counts guest instructions with the PMU (event 0x08,
 * readable from EL0 when the kernel boots with pmu=user) and wall time, and
 * prints lines "bench: NAME iterations=N instructions_per_op=X.YY
 * ns_per_op=Z" that tests/benchmarks/run_kv_bench turns into a table.
 */
#include <viper/component.h>

#include "kv.viper.h"
#include "kv_bench_slots.h"

#define WARMUP	   200
#define ITERATIONS 5000

struct kv_bench {
	struct viper_slot *store;
};

static inline uint64_t instructions(void)
{
	uint64_t v;

	__asm__ volatile("isb\n mrs %0, pmevcntr0_el0" : "=r"(v));
	return v;
}

static void report(const char *name, uint64_t insns, uint64_t ns)
{
	vc_log("bench: %s iterations=%u instructions_per_op=%llu.%02llu ns_per_op=%llu", name,
	       ITERATIONS, (unsigned long long)(insns / ITERATIONS),
	       (unsigned long long)(insns % ITERATIONS * 100 / ITERATIONS),
	       (unsigned long long)(ns / ITERATIONS));
}

static int32_t bench_count(struct kv_bench *b)
{
	viper_kv_CountRequest req = viper_kv_CountRequest_init_zero;
	viper_kv_CountReply rep;
	int32_t r = 0;

	for (int i = 0; i < WARMUP; i++)
		r |= kv_count(b->store, &req, &rep);
	uint64_t i0 = instructions();
	uint64_t t0 = vc_now_ns();
	for (int i = 0; i < ITERATIONS; i++)
		r |= kv_count(b->store, &req, &rep);
	uint64_t i1 = instructions();
	uint64_t t1 = vc_now_ns();
	if (r < 0 || rep.count != 1)
		return r < 0 ? r : VIPER_E_CORRUPT;
	report("kv_count", i1 - i0, t1 - t0);
	return VIPER_OK;
}

static int32_t bench_get(struct kv_bench *b)
{
	viper_kv_GetRequest req = viper_kv_GetRequest_init_zero;
	viper_kv_GetReply rep;
	int32_t r = 0;

	vc_memcpy(req.key, "sixteen-byte-key", 17);
	for (int i = 0; i < WARMUP; i++)
		r |= kv_get(b->store, &req, &rep);
	uint64_t i0 = instructions();
	uint64_t t0 = vc_now_ns();
	for (int i = 0; i < ITERATIONS; i++)
		r |= kv_get(b->store, &req, &rep);
	uint64_t i1 = instructions();
	uint64_t t1 = vc_now_ns();
	if (r < 0 || !rep.found || rep.value.size != 16)
		return r < 0 ? r : VIPER_E_CORRUPT;
	report("kv_get_16B", i1 - i0, t1 - t0);
	return VIPER_OK;
}

static int32_t kv_bench_init(void *state, const struct viper_instance_env *env)
{
	struct kv_bench *b = state;

	if (env->slot_count != KV_BENCH_SLOT_COUNT)
		return VIPER_E_INVAL;
	b->store = env->slots[KV_BENCH_SLOT_STORE];
	return VIPER_OK;
}

static int32_t kv_bench_run(void *state)
{
	struct kv_bench *b = state;
	viper_kv_PutRequest put = viper_kv_PutRequest_init_zero;
	viper_kv_PutReply put_rep;
	int32_t r;

	vc_memcpy(put.key, "sixteen-byte-key", 17);
	vc_memcpy(put.value.bytes, "0123456789abcdef", 16);
	put.value.size = 16;
	r = kv_put(b->store, &put, &put_rep);
	if (r == VIPER_OK)
		r = bench_count(b);
	if (r == VIPER_OK)
		r = bench_get(b);
	vc_log("kv_bench: %s", r == VIPER_OK ? "done" : "FAILED");
	return r;
}

VIPER_COMPONENT(kv_bench) = {
	.name = "kv_bench",
	.state_size = sizeof(struct kv_bench),
	.slot_count = KV_BENCH_SLOT_COUNT,
	.init = kv_bench_init,
	.run = kv_bench_run,
};
