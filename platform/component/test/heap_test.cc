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

} // namespace
