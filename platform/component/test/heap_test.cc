// The process heap's allocator (platform/component/src/heap.c) on the host.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

extern "C" {
#include "platform/component/src/heap.h"
}

namespace
{

alignas(16) uint8_t arena[64 * 1024];

TEST(HeapTest, AllocationsAreAlignedDisjointAndWritable)
{
	struct heap h;
	heap_init(&h, arena, sizeof(arena));
	std::vector<uint8_t *> blocks;
	for (size_t n = 1; n < 200; n += 7) {
		auto *p = static_cast<uint8_t *>(heap_alloc(&h, n));
		ASSERT_NE(p, nullptr);
		EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 16, 0u);
		memset(p, static_cast<int>(n), n);
		blocks.push_back(p);
	}
	size_t n = 1;
	for (auto *p : blocks) {
		for (size_t i = 0; i < n; i++)
			ASSERT_EQ(p[i], static_cast<uint8_t>(n));
		n += 7;
	}
}

TEST(HeapTest, FreeingEverythingMergesBackIntoOneBlock)
{
	struct heap h;
	heap_init(&h, arena, sizeof(arena));
	size_t all = heap_free_bytes(&h);
	void *a = heap_alloc(&h, 100), *b = heap_alloc(&h, 200), *c = heap_alloc(&h, 300);
	ASSERT_TRUE(a && b && c);
	heap_free(&h, b);
	heap_free(&h, a);
	heap_free(&h, c);
	EXPECT_EQ(heap_free_bytes(&h), all);
	// One block again: the whole arena can be handed out at once.
	EXPECT_NE(heap_alloc(&h, all - 16), nullptr);
}

TEST(HeapTest, ExhaustionGivesNullAndFreedMemoryIsReused)
{
	struct heap h;
	heap_init(&h, arena, sizeof(arena));
	std::vector<void *> blocks;
	for (void *p; (p = heap_alloc(&h, 1000)) != nullptr;)
		blocks.push_back(p);
	EXPECT_GT(blocks.size(), 50u);
	EXPECT_EQ(heap_alloc(&h, 1000), nullptr);
	heap_free(&h, blocks[3]);
	EXPECT_EQ(heap_alloc(&h, 1000), blocks[3]);
	EXPECT_EQ(heap_alloc(&h, sizeof(arena) * 2), nullptr);
}

TEST(HeapTest, IgnoresNullForeignPointersAndDoubleFrees)
{
	struct heap h;
	heap_init(&h, arena, sizeof(arena));
	size_t all = heap_free_bytes(&h);
	int local = 0;
	heap_free(&h, nullptr);
	heap_free(&h, &local);
	void *p = heap_alloc(&h, 64);
	heap_free(&h, p);
	heap_free(&h, p);
	EXPECT_EQ(heap_free_bytes(&h), all);
}

TEST(HeapTest, AnEmptyHeapGivesNullUntilARegionIsAdded)
{
	struct heap h;
	heap_init(&h, nullptr, 0);
	EXPECT_EQ(heap_free_bytes(&h), 0u);
	EXPECT_EQ(heap_alloc(&h, 1), nullptr);
	ASSERT_TRUE(heap_add(&h, arena, 4096));
	EXPECT_EQ(h.size, 4096u);
	EXPECT_EQ(heap_free_bytes(&h), 4096u);
	auto *p = static_cast<uint8_t *>(heap_alloc(&h, 100));
	ASSERT_NE(p, nullptr);
	EXPECT_GE(p, arena);
	EXPECT_LT(p, arena + 4096);
}

TEST(HeapTest, RegionsServeAllocationsAndFreesStayInTheirRegion)
{
	struct heap h;
	heap_init(&h, arena, 1024);
	// A second region after a gap, as separate mappings are.
	uint8_t *second = arena + 8192;
	ASSERT_TRUE(heap_add(&h, second, 2048));
	EXPECT_EQ(h.region_count, 2u);
	EXPECT_EQ(h.size, 3072u);
	// Too big for the first region: comes from the second.
	auto *big = static_cast<uint8_t *>(heap_alloc(&h, 1500));
	ASSERT_NE(big, nullptr);
	EXPECT_GE(big, second);
	EXPECT_LE(big + 1500, second + 2048);
	auto *small = static_cast<uint8_t *>(heap_alloc(&h, 500));
	ASSERT_NE(small, nullptr);
	EXPECT_LT(small, arena + 1024);
	// The gap between the regions is not the heap's: ignored.
	heap_free(&h, arena + 4096);
	EXPECT_EQ(heap_free_bytes(&h), 3072u - (1504u + 16u) - (512u + 16u));
	heap_free(&h, big);
	heap_free(&h, small);
	EXPECT_EQ(heap_free_bytes(&h), 3072u);
	// Never merged across the gap: nothing bigger than the second region fits.
	EXPECT_EQ(heap_alloc(&h, 2048), nullptr);
	EXPECT_NE(heap_alloc(&h, 2048 - 16), nullptr);
}

TEST(HeapTest, RegionLimitAndTinyRegionsAreRefused)
{
	struct heap h;
	heap_init(&h, nullptr, 0);
	EXPECT_FALSE(heap_add(&h, arena, 16));
	for (unsigned i = 0; i < HEAP_REGIONS; i++)
		ASSERT_TRUE(heap_add(&h, arena + i * 256, 128));
	EXPECT_FALSE(heap_add(&h, arena + HEAP_REGIONS * 256, 128));
	EXPECT_EQ(h.region_count, static_cast<unsigned>(HEAP_REGIONS));
	EXPECT_EQ(heap_free_bytes(&h), HEAP_REGIONS * 128u);
}

} // namespace
