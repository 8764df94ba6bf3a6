/*
 * chain_bench: moves 64 MiB through a chain of three components (this one,
 * chain_hop, chain_sink) by per-call leases, wherever they are placed, and
 * compares with copying the same bytes with memcpy; then names the same
 * 64 MiB to the sink directly in extents through a shared-memory ring. Counts guest
 * instructions with the PMU (event 0x08, EL0 and EL1 on this CPU: every
 * process and the kernel, under -icount on one CPU), and prints
 * "bench: NAME bytes=N instructions=I bytes_per_instruction=B.BB ns=T"
 * for tests/benchmarks/run_chain_bench.
 */
#include <viper/component.h>
#include <viper/ring.h>

#include "chain_bench_slots.h"
#include "chunk.viper.h"

#define TOTAL (64ull << 20)

#define RING_CAPACITY 64u

struct chain_bench {
	struct viper_slot *chain;
	struct viper_slot *sink;
	uint64_t *src, *dst;
	viper_handle_t src_memory;
};

static inline uint64_t instructions(void)
{
	uint64_t v;

	__asm__ volatile("isb\n mrs %0, pmevcntr0_el0" : "=r"(v));
	return v;
}

static void report(const char *name, uint64_t insns, uint64_t ns)
{
	uint64_t hundredths = insns ? TOTAL * 100 / insns : 0;

	vc_log("bench: %s bytes=%llu instructions=%llu bytes_per_instruction=%llu.%02llu ns=%llu",
	       name, (unsigned long long)TOTAL, (unsigned long long)insns,
	       (unsigned long long)(hundredths / 100), (unsigned long long)(hundredths % 100),
	       (unsigned long long)ns);
}

/* 64 MiB with memcpy in `chunk`-byte copies of the source buffer. */
static void bench_memcpy(struct chain_bench *b, uint64_t chunk, const char *name)
{
	uint64_t i0 = instructions(), t0 = vc_now_ns();

	for (uint64_t done = 0; done < TOTAL; done += chunk)
		vc_memcpy(b->dst, b->src, chunk);
	uint64_t i1 = instructions(), t1 = vc_now_ns();
	report(name, i1 - i0, t1 - t0);
}

/* 64 MiB through the chain in leases of `chunk` bytes; whether every sum was right. */
static bool bench_chain(struct chain_bench *b, uint64_t chunk, uint64_t want, const char *name)
{
	viper_chunk_DigestRequest req = {
		.data = b->src_memory, .data_offset = 0, .data_length = chunk};
	viper_chunk_DigestReply rep;
	bool ok = true;
	uint64_t i0 = instructions(), t0 = vc_now_ns();

	for (uint64_t done = 0; done < TOTAL; done += chunk)
		ok = ok && chunk_digest(b->chain, &req, &rep) == VIPER_OK && rep.sum == want;
	uint64_t i1 = instructions(), t1 = vc_now_ns();
	report(name, i1 - i0, t1 - t0);
	return ok;
}

/*
 * Hands the sink a ring of extents over the source buffer (the ring and a
 * second handle to the buffer move to it); false when it refuses.
 */
static bool attach_ring(struct chain_bench *b, struct viper_ring *ring)
{
	viper_chunk_AttachRingRequest req = {0};
	viper_chunk_AttachRingReply rep;
	viper_handle_t ring_mem, data;
	uint64_t size;
	void *at;

	if (vc_memory_create(viper_ring_bytes(RING_CAPACITY, sizeof(viper_chunk_Extent)),
			     &ring_mem) < 0 ||
	    vc_memory_map(ring_mem, &at, &size) < 0 ||
	    chunk_extent_ring_format(ring, at, size, RING_CAPACITY, true) < 0 ||
	    vc_handle_derive(b->src_memory,
			     VIPER_RIGHT_READ | VIPER_RIGHT_WRITE | VIPER_RIGHT_MAP |
				     VIPER_RIGHT_TRANSFER,
			     &data) < 0)
		return false;
	req.ring = ring_mem;
	req.data = data;
	return chunk_attach_ring(b->sink, &req, &rep) == VIPER_OK;
}

/* 64 MiB named by ring extents of `chunk` bytes, drained 64 at a time; whether the sums were right.
 */
static bool bench_ring(struct chain_bench *b, uint64_t chunk, uint64_t want, const char *name)
{
	struct viper_ring ring;
	viper_chunk_DrainRingRequest drain = {0};
	viper_chunk_DigestReply rep;
	viper_chunk_Extent e = {.offset = 0, .length = chunk};
	bool ok = attach_ring(b, &ring);
	uint64_t i0 = instructions(), t0 = vc_now_ns();

	for (uint64_t done = 0; ok && done < TOTAL; done += chunk * RING_CAPACITY) {
		for (uint32_t i = 0; i < RING_CAPACITY; i++)
			ok = ok && chunk_extent_push(&ring, &e) == VIPER_OK;
		ok = ok && chunk_drain_ring(b->sink, &drain, &rep) == VIPER_OK &&
		     rep.sum == want * RING_CAPACITY;
	}
	uint64_t i1 = instructions(), t1 = vc_now_ns();
	report(name, i1 - i0, t1 - t0);
	/* A hostile producer: an extent past the data, then impossible indexes. */
	e = (viper_chunk_Extent){.offset = (1u << 20) - 8, .length = 16};
	ok = ok && chunk_extent_push(&ring, &e) == VIPER_OK &&
	     chunk_drain_ring(b->sink, &drain, &rep) == VIPER_E_RANGE;
	ring.shared->head = ring.shared->tail + 1000;
	ok = ok && chunk_drain_ring(b->sink, &drain, &rep) == VIPER_E_CORRUPT;
	vc_log("chain_bench: %s",
	       ok ? "the sink refused a bad extent and bad indexes" : "FAIL the ring");
	return ok;
}

static int32_t bench_init(void *state, const struct viper_instance_env *env)
{
	struct chain_bench *b = state;

	b->chain = env->slots[CHAIN_BENCH_SLOT_CHAIN];
	b->sink = env->slots[CHAIN_BENCH_SLOT_SINK];
	return VIPER_OK;
}

static int32_t bench_run(void *state)
{
	struct chain_bench *b = state;
	viper_handle_t dst_memory;
	uint64_t size = 0, dsize = 0, sum1m = 0, sum64k = 0;
	void *p = NULL;
	int32_t r = vc_memory_create(1u << 20, &b->src_memory);

	if (r == VIPER_OK)
		r = vc_memory_map(b->src_memory, &p, &size);
	b->src = p;
	if (r == VIPER_OK)
		r = vc_memory_create(1u << 20, &dst_memory);
	if (r == VIPER_OK)
		r = vc_memory_map(dst_memory, &p, &dsize);
	b->dst = p;
	if (r < 0) {
		vc_log("chain_bench: FAIL no memory: %d", (int)r);
		return 1;
	}
	for (uint64_t i = 0; i < size / 8; i++) {
		b->src[i] = i * 0x9e3779b97f4a7c15ull;
		sum1m += b->src[i];
		sum64k += i < (64u << 10) / 8 ? b->src[i] : 0;
	}
	bench_memcpy(b, 1u << 20, "memcpy_1MiB_chunks");
	bool ok = bench_chain(b, 1u << 20, sum1m, "chain_lease_1MiB");
	ok = bench_chain(b, 64u << 10, sum64k, "chain_lease_64KiB") && ok;
	bench_memcpy(b, 64u << 10, "memcpy_64KiB_chunks");
	ok = bench_ring(b, 64u << 10, sum64k, "ring_64KiB_extents") && ok;
	vc_log("chain_bench: %s", ok ? "every digest right" : "FAIL a digest was wrong");
	return ok ? 0 : 1;
}

VIPER_COMPONENT(chain_bench) = {
	.name = "chain_bench",
	.state_size = sizeof(struct chain_bench),
	.slot_count = CHAIN_BENCH_SLOT_COUNT,
	.init = bench_init,
	.run = bench_run,
};
