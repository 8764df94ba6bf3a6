// Host tests of the buddy page allocator, run over malloc'd memory that stands
// for physical pages at a fake physical base.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <utility>
#include <vector>

extern "C" {
#include <kernel/buddy.h>
}

namespace
{

constexpr uint64_t kBase = 0x40000000; // where QEMU virt's RAM starts
constexpr size_t kPages = 4096;	       // 16 MiB: four blocks of the largest order
constexpr size_t kMaxBlockPages = size_t{1} << BUDDY_MAX_ORDER;

uint64_t PageAddr(size_t page)
{
	return kBase + (uint64_t{page} << PAGE_SHIFT);
}

uint64_t BlockBytes(unsigned order)
{
	return uint64_t{PAGE_SIZE} << order;
}

class BuddyTest : public ::testing::Test
{
      protected:
	void SetUp() override
	{
		mem_ = static_cast<uint8_t *>(aligned_alloc(PAGE_SIZE, kPages * PAGE_SIZE));
		ASSERT_NE(mem_, nullptr);
		Init(kPages);
	}

	void TearDown() override
	{
		free(mem_);
	}

	// Manages `pages` pages (at most kPages), all reserved.
	void Init(size_t pages)
	{
		tags_.assign(pages, 0xee);
		buddy_init(&b_, kBase, pages, tags_.data(), (uintptr_t)mem_ - (uintptr_t)kBase);
	}

	void AddPages(size_t first, size_t count)
	{
		buddy_add_range(&b_, PageAddr(first), uint64_t{count} << PAGE_SHIFT);
	}

	uint8_t *Virt(uint64_t pa)
	{
		return mem_ + (pa - kBase);
	}

	// Allocates blocks of `order` until none is left.
	std::vector<uint64_t> AllocAll(unsigned order)
	{
		std::vector<uint64_t> blocks;
		for (uint64_t pa; (pa = buddy_alloc(&b_, order)) != 0;)
			blocks.push_back(pa);
		return blocks;
	}

	void FreeAll(const std::vector<uint64_t> &blocks)
	{
		for (uint64_t pa : blocks)
			ASSERT_EQ(buddy_free(&b_, pa), VIPER_OK) << std::hex << pa;
	}

	// A snapshot of everything the allocator owns, to show nothing changed.
	std::pair<size_t, std::vector<uint8_t>> Snapshot() const
	{
		return {b_.free_pages, tags_};
	}

	// Thousands of random allocations and frees, checked against a model.
	void Stress(size_t total, unsigned seed)
	{
		struct buddy *b = &b_;
		std::mt19937 rng(seed);
		std::map<uint64_t, unsigned> live; // block -> order
		size_t live_pages = 0;
		const size_t start_free = b->free_pages;
		ASSERT_EQ(start_free, total);
		auto fill = [&](uint64_t pa, unsigned order) {
			// The block's first and last words hold its address.
			uint8_t *v = Virt(pa);
			memcpy(v, &pa, sizeof(pa));
			memcpy(v + BlockBytes(order) - sizeof(pa), &pa, sizeof(pa));
		};
		auto check = [&](uint64_t pa, unsigned order) {
			uint8_t *v = Virt(pa);
			uint64_t first, last;
			memcpy(&first, v, sizeof(first));
			memcpy(&last, v + BlockBytes(order) - sizeof(last), sizeof(last));
			return first == pa && last == pa;
		};
		for (int op = 0; op < 20000; op++) {
			bool do_alloc = live.empty() || rng() % 100 < 55;
			if (do_alloc) {
				// Mostly small orders, sometimes big ones.
				unsigned order =
					rng() % 4 ? rng() % 4 : rng() % (BUDDY_MAX_ORDER + 1);
				uint64_t pa = buddy_alloc(b, order);
				if (pa == 0) {
					// Only when no free block of the order or above is left.
					for (unsigned o = order; o <= BUDDY_MAX_ORDER; o++)
						ASSERT_EQ(b->free[o].next, &b->free[o])
							<< "op " << op;
					continue;
				}
				ASSERT_EQ((pa - kBase) % BlockBytes(order), 0u);
				ASSERT_GE(pa, kBase);
				ASSERT_LE(pa + BlockBytes(order), PageAddr(b->pages));
				ASSERT_EQ(buddy_block_order(b, pa), (int)order);
				// No overlap with a live block.
				auto next = live.lower_bound(pa);
				if (next != live.end()) {
					ASSERT_GE(next->first, pa + BlockBytes(order))
						<< "op " << op;
				}
				if (next != live.begin()) {
					auto prev = std::prev(next);
					ASSERT_LE(prev->first + BlockBytes(prev->second), pa)
						<< "op " << op;
				}
				live[pa] = order;
				live_pages += size_t{1} << order;
				fill(pa, order);
			} else {
				auto it = live.begin();
				std::advance(it, rng() % live.size());
				ASSERT_TRUE(check(it->first, it->second))
					<< "block overwritten, op " << op;
				ASSERT_EQ(buddy_free(b, it->first), VIPER_OK);
				ASSERT_EQ(buddy_free(b, it->first), VIPER_E_INVAL);
				live_pages -= size_t{1} << it->second;
				live.erase(it);
			}
			ASSERT_EQ(b->free_pages + live_pages, total) << "op " << op;
		}
		for (auto [pa, order] : live) {
			ASSERT_TRUE(check(pa, order));
			ASSERT_EQ(buddy_free(b, pa), VIPER_OK);
		}
		EXPECT_EQ(b->free_pages, start_free);
	}

	uint8_t *mem_ = nullptr;
	std::vector<uint8_t> tags_;
	struct buddy b_;
};

TEST_F(BuddyTest, InitReservesEverything)
{
	EXPECT_EQ(b_.free_pages, 0u);
	EXPECT_EQ(b_.pages, kPages);
	for (size_t i = 0; i < kPages; i++)
		ASSERT_EQ(tags_[i], 0) << "page " << i;
	for (unsigned order = 0; order <= BUDDY_MAX_ORDER; order++)
		EXPECT_EQ(buddy_alloc(&b_, order), 0u) << "order " << order;
	EXPECT_EQ(buddy_block_order(&b_, kBase), -1);
}

TEST_F(BuddyTest, AddRangeFreesWholeSpanAsLargestBlocks)
{
	AddPages(0, kPages);
	EXPECT_EQ(b_.free_pages, kPages);
	std::vector<uint64_t> blocks = AllocAll(BUDDY_MAX_ORDER);
	ASSERT_EQ(blocks.size(), kPages / kMaxBlockPages);
	std::sort(blocks.begin(), blocks.end());
	for (size_t i = 0; i < blocks.size(); i++)
		EXPECT_EQ(blocks[i], PageAddr(i * kMaxBlockPages));
	EXPECT_EQ(b_.free_pages, 0u);
	EXPECT_EQ(buddy_alloc(&b_, 0), 0u);
	FreeAll(blocks);
	EXPECT_EQ(b_.free_pages, kPages);
}

TEST_F(BuddyTest, AllocAndFreeEveryOrder)
{
	AddPages(0, kPages);
	for (unsigned order = 0; order <= BUDDY_MAX_ORDER; order++) {
		SCOPED_TRACE(order);
		uint64_t pa = buddy_alloc(&b_, order);
		ASSERT_NE(pa, 0u);
		EXPECT_EQ((pa - kBase) % BlockBytes(order), 0u);
		EXPECT_GE(pa, kBase);
		EXPECT_LE(pa + BlockBytes(order), PageAddr(kPages));
		EXPECT_EQ(buddy_block_order(&b_, pa), (int)order);
		EXPECT_EQ(b_.free_pages, kPages - (size_t{1} << order));
		// The block is ours to write, all of it.
		memset(Virt(pa), 0x5a, BlockBytes(order));
		EXPECT_EQ(buddy_free(&b_, pa), VIPER_OK);
		EXPECT_EQ(b_.free_pages, kPages);
		EXPECT_EQ(buddy_block_order(&b_, pa), -1);
	}
	// Everything merged back.
	EXPECT_EQ(AllocAll(BUDDY_MAX_ORDER).size(), kPages / kMaxBlockPages);
}

TEST_F(BuddyTest, OrderAboveMaximumFails)
{
	AddPages(0, kPages);
	EXPECT_EQ(buddy_alloc(&b_, BUDDY_MAX_ORDER + 1), 0u);
	EXPECT_EQ(buddy_alloc(&b_, 63), 0u);
	EXPECT_EQ(buddy_alloc(&b_, ~0u), 0u);
	EXPECT_EQ(b_.free_pages, kPages);
}

TEST_F(BuddyTest, ExhaustionAndFreeRestoreEverythingAtEveryOrder)
{
	AddPages(0, kPages);
	for (unsigned order = 0; order <= BUDDY_MAX_ORDER; order++) {
		SCOPED_TRACE(order);
		std::vector<uint64_t> blocks = AllocAll(order);
		ASSERT_EQ(blocks.size(), kPages >> order);
		EXPECT_EQ(b_.free_pages, 0u);
		EXPECT_EQ(buddy_alloc(&b_, 0), 0u);
		std::set<uint64_t> distinct(blocks.begin(), blocks.end());
		EXPECT_EQ(distinct.size(), blocks.size());
		for (uint64_t pa : blocks) {
			EXPECT_EQ((pa - kBase) % BlockBytes(order), 0u);
			EXPECT_EQ(buddy_block_order(&b_, pa), (int)order);
		}
		FreeAll(blocks);
		EXPECT_EQ(b_.free_pages, kPages);
		// Freeing merged every block back: the largest blocks are whole again.
		std::vector<uint64_t> big = AllocAll(BUDDY_MAX_ORDER);
		EXPECT_EQ(big.size(), kPages / kMaxBlockPages);
		FreeAll(big);
	}
}

TEST_F(BuddyTest, FreeingInAnyOrderMerges)
{
	AddPages(0, kPages);
	std::vector<uint64_t> pages = AllocAll(0);
	ASSERT_EQ(pages.size(), kPages);
	std::mt19937 rng(1234);
	std::shuffle(pages.begin(), pages.end(), rng);
	FreeAll(pages);
	EXPECT_EQ(b_.free_pages, kPages);
	EXPECT_EQ(AllocAll(BUDDY_MAX_ORDER).size(), kPages / kMaxBlockPages);
}

TEST_F(BuddyTest, BuddiesMergeOnlyWhenBothFree)
{
	AddPages(0, kPages);
	std::vector<uint64_t> pages = AllocAll(0);
	ASSERT_EQ(pages.size(), kPages);
	std::sort(pages.begin(), pages.end());
	// Free every other page: no two buddies are free, so no order-1 block exists.
	for (size_t i = 0; i < kPages; i += 2)
		ASSERT_EQ(buddy_free(&b_, pages[i]), VIPER_OK);
	EXPECT_EQ(b_.free_pages, kPages / 2);
	EXPECT_EQ(buddy_alloc(&b_, 1), 0u);
	// Freeing one odd page makes exactly one order-1 block.
	ASSERT_EQ(buddy_free(&b_, pages[7]), VIPER_OK);
	uint64_t pair = buddy_alloc(&b_, 1);
	EXPECT_EQ(pair, pages[6]);
	EXPECT_EQ(buddy_alloc(&b_, 1), 0u);
}

TEST_F(BuddyTest, DoubleFreeIsRejectedAndChangesNothing)
{
	AddPages(0, kPages);
	uint64_t a = buddy_alloc(&b_, 2);
	uint64_t keep = buddy_alloc(&b_, 0);
	ASSERT_NE(a, 0u);
	ASSERT_NE(keep, 0u);
	ASSERT_EQ(buddy_free(&b_, a), VIPER_OK);
	auto before = Snapshot();
	EXPECT_EQ(buddy_free(&b_, a), VIPER_E_INVAL);
	EXPECT_EQ(Snapshot(), before);
	// Even once the block merged into a bigger one.
	ASSERT_EQ(buddy_free(&b_, keep), VIPER_OK);
	before = Snapshot();
	EXPECT_EQ(buddy_free(&b_, a), VIPER_E_INVAL);
	EXPECT_EQ(buddy_free(&b_, keep), VIPER_E_INVAL);
	EXPECT_EQ(Snapshot(), before);
	EXPECT_EQ(b_.free_pages, kPages);
}

TEST_F(BuddyTest, WildFreeIsRejectedAndChangesNothing)
{
	// Page 0 stays reserved.
	AddPages(1, kPages - 1);
	uint64_t block = buddy_alloc(&b_, 3);
	ASSERT_NE(block, 0u);
	auto before = Snapshot();
	const uint64_t wild[] = {
		0,
		1,
		kBase - PAGE_SIZE,
		kBase,		       // reserved
		block + 1,	       // not page-aligned
		block + PAGE_SIZE,     // inside the block
		block + 7 * PAGE_SIZE, // its last page
		block + BlockBytes(3), // past it (free)
		PageAddr(kPages),      // past the end
		PageAddr(kPages) + BlockBytes(3),
		~uint64_t{0} & ~(uint64_t{PAGE_SIZE} - 1),
	};
	for (uint64_t pa : wild) {
		EXPECT_EQ(buddy_free(&b_, pa), VIPER_E_INVAL) << std::hex << pa;
		EXPECT_EQ(Snapshot(), before) << std::hex << pa;
	}
	EXPECT_EQ(buddy_free(&b_, block), VIPER_OK);
	EXPECT_EQ(b_.free_pages, kPages - 1);
}

TEST_F(BuddyTest, BlockOrder)
{
	AddPages(0, kPages);
	uint64_t a = buddy_alloc(&b_, 0);
	uint64_t c = buddy_alloc(&b_, 4);
	uint64_t d = buddy_alloc(&b_, BUDDY_MAX_ORDER);
	ASSERT_NE(a, 0u);
	ASSERT_NE(c, 0u);
	ASSERT_NE(d, 0u);
	EXPECT_EQ(buddy_block_order(&b_, a), 0);
	EXPECT_EQ(buddy_block_order(&b_, c), 4);
	EXPECT_EQ(buddy_block_order(&b_, d), BUDDY_MAX_ORDER);
	EXPECT_EQ(buddy_block_order(&b_, c + PAGE_SIZE), -1);
	EXPECT_EQ(buddy_block_order(&b_, c + 8), -1);
	EXPECT_EQ(buddy_block_order(&b_, d + BlockBytes(BUDDY_MAX_ORDER) - PAGE_SIZE), -1);
	EXPECT_EQ(buddy_block_order(&b_, kBase - PAGE_SIZE), -1);
	EXPECT_EQ(buddy_block_order(&b_, PageAddr(kPages)), -1);
	EXPECT_EQ(buddy_block_order(&b_, 0), -1);
	ASSERT_EQ(buddy_free(&b_, c), VIPER_OK);
	EXPECT_EQ(buddy_block_order(&b_, c), -1);
}

TEST(BuddyOrderFor, SmallestOrderHoldingTheBytes)
{
	EXPECT_EQ(buddy_order_for(0), 0u);
	EXPECT_EQ(buddy_order_for(1), 0u);
	EXPECT_EQ(buddy_order_for(PAGE_SIZE), 0u);
	EXPECT_EQ(buddy_order_for(PAGE_SIZE + 1), 1u);
	EXPECT_EQ(buddy_order_for(2 * PAGE_SIZE), 1u);
	EXPECT_EQ(buddy_order_for(2 * PAGE_SIZE + 1), 2u);
	EXPECT_EQ(buddy_order_for(3 * PAGE_SIZE), 2u);
	EXPECT_EQ(buddy_order_for(PAGE_SIZE << BUDDY_MAX_ORDER), (unsigned)BUDDY_MAX_ORDER);
	EXPECT_EQ(buddy_order_for((PAGE_SIZE << BUDDY_MAX_ORDER) + 1),
		  (unsigned)BUDDY_MAX_ORDER + 1);
	for (unsigned order = 0; order < 40; order++) {
		EXPECT_EQ(buddy_order_for(PAGE_SIZE << order), order);
		EXPECT_EQ(buddy_order_for((PAGE_SIZE << order) + 1), order + 1);
	}
	// Sizes no block can hold give an order buddy_alloc refuses.
	EXPECT_GT(buddy_order_for(SIZE_MAX), (unsigned)BUDDY_MAX_ORDER);
	EXPECT_GT(buddy_order_for((PAGE_SIZE << 40) + 1), (unsigned)BUDDY_MAX_ORDER);
}

TEST_F(BuddyTest, AddRangeTakesOnlyWholePagesInside)
{
	// [page 1 + 100 bytes .. page 10 + 5 bytes): pages 2..9 are whole.
	buddy_add_range(&b_, PageAddr(1) + 100, PageAddr(10) + 5 - (PageAddr(1) + 100));
	EXPECT_EQ(b_.free_pages, 8u);
	// Blocks are aligned to their size relative to the base: 2-3, 4-7, 8-9.
	uint64_t four = buddy_alloc(&b_, 2);
	EXPECT_EQ(four, PageAddr(4));
	EXPECT_EQ(buddy_alloc(&b_, 2), 0u);
	std::vector<uint64_t> rest = AllocAll(0);
	std::sort(rest.begin(), rest.end());
	EXPECT_EQ(rest,
		  (std::vector<uint64_t>{PageAddr(2), PageAddr(3), PageAddr(8), PageAddr(9)}));
	FreeAll(rest);
	ASSERT_EQ(buddy_free(&b_, four), VIPER_OK);
	EXPECT_EQ(b_.free_pages, 8u);
	// A range within one page holds no whole page.
	buddy_add_range(&b_, PageAddr(20) + 1, PAGE_SIZE - 1);
	buddy_add_range(&b_, PageAddr(30) + 1, PAGE_SIZE);
	buddy_add_range(&b_, PageAddr(40), PAGE_SIZE - 1);
	buddy_add_range(&b_, PageAddr(50), 0);
	EXPECT_EQ(b_.free_pages, 8u);
}

TEST_F(BuddyTest, AdjacentRangesMerge)
{
	AddPages(0, 3);
	AddPages(3, 5);
	AddPages(8, 8);
	EXPECT_EQ(b_.free_pages, 16u);
	EXPECT_EQ(buddy_alloc(&b_, 4), PageAddr(0));
	EXPECT_EQ(b_.free_pages, 0u);
}

TEST_F(BuddyTest, AddRangeIsClippedToTheManagedSpan)
{
	// Entirely outside: nothing.
	buddy_add_range(&b_, 0, kBase);
	buddy_add_range(&b_, PageAddr(kPages), 64 * PAGE_SIZE);
	buddy_add_range(&b_, PageAddr(kPages) + 1, 1ull << 40);
	EXPECT_EQ(b_.free_pages, 0u);
	// Overlapping both ends: the whole span.
	buddy_add_range(&b_, kBase - 16 * PAGE_SIZE, (kPages + 32) * PAGE_SIZE);
	EXPECT_EQ(b_.free_pages, kPages);
	EXPECT_EQ(AllocAll(BUDDY_MAX_ORDER).size(), kPages / kMaxBlockPages);
}

TEST_F(BuddyTest, AddRangeWhoseEndOverflowsRunsToTheSpanEnd)
{
	buddy_add_range(&b_, PageAddr(kPages - 8), ~uint64_t{0});
	EXPECT_EQ(b_.free_pages, 8u);
	std::vector<uint64_t> pages = AllocAll(0);
	ASSERT_EQ(pages.size(), 8u);
	for (uint64_t pa : pages)
		EXPECT_GE(pa, PageAddr(kPages - 8));
}

TEST_F(BuddyTest, AddingFreePagesAgainIsRefused)
{
	AddPages(0, kPages);
	AddPages(0, kPages);
	EXPECT_EQ(b_.free_pages, kPages);
	// Pages inside free blocks, not only the blocks' first pages.
	AddPages(1, 1);
	AddPages(5, 3);
	AddPages(kMaxBlockPages + 17, 100);
	EXPECT_EQ(b_.free_pages, kPages);
	// Pages inside an allocated block.
	uint64_t block = buddy_alloc(&b_, 4);
	ASSERT_NE(block, 0u);
	buddy_add_range(&b_, block + PAGE_SIZE, 3 * PAGE_SIZE);
	EXPECT_EQ(b_.free_pages, kPages - 16);
	std::vector<uint64_t> pages = AllocAll(0);
	EXPECT_EQ(pages.size(), kPages - 16);
	for (uint64_t pa : pages)
		EXPECT_FALSE(pa >= block && pa < block + BlockBytes(4)) << std::hex << pa;
}

TEST_F(BuddyTest, AddingARangeAroundFreePagesDoesNotAddThemTwice)
{
	AddPages(1, 1);
	AddPages(6, 1);
	AddPages(0, 16);
	size_t free_pages = b_.free_pages;
	EXPECT_GE(free_pages, 2u);
	EXPECT_LE(free_pages, 16u);
	std::vector<uint64_t> pages = AllocAll(0);
	EXPECT_EQ(pages.size(), free_pages);
	std::set<uint64_t> distinct(pages.begin(), pages.end());
	EXPECT_EQ(distinct.size(), pages.size());
	for (uint64_t pa : pages)
		EXPECT_LT(pa, PageAddr(16));
	EXPECT_EQ(b_.free_pages, 0u);
}

TEST_F(BuddyTest, ReservedHolesAreNeverHandedOut)
{
	// Free ranges with reserved holes between and unaligned edges.
	const std::vector<std::pair<size_t, size_t>> ranges = {
		{0, 100}, {120, 1000}, {1001, 2047}, {2049, 3000}, {3500, 4096}};
	std::vector<bool> free_page(kPages, false);
	size_t total = 0;
	for (auto [first, end] : ranges) {
		// Unaligned edges that still cover exactly [first, end).
		uint64_t start = first ? PageAddr(first) - PAGE_SIZE + 1 : PageAddr(first);
		buddy_add_range(&b_, start, PageAddr(end) + PAGE_SIZE - 1 - start);
		for (size_t p = first; p < end; p++)
			free_page[p] = true;
		total += end - first;
	}
	ASSERT_EQ(b_.free_pages, total);
	// Mark the holes: the allocator must never write there either.
	for (size_t p = 0; p < kPages; p++) {
		if (!free_page[p])
			memset(Virt(PageAddr(p)), 0xc3, PAGE_SIZE);
	}
	auto check_holes = [&] {
		for (size_t p = 0; p < kPages; p++) {
			if (free_page[p])
				continue;
			const uint8_t *v = Virt(PageAddr(p));
			for (size_t i = 0; i < PAGE_SIZE; i++)
				ASSERT_EQ(v[i], 0xc3) << "hole page " << p << " byte " << i;
		}
	};
	for (unsigned order = 0; order <= BUDDY_MAX_ORDER; order++) {
		SCOPED_TRACE(order);
		std::vector<uint64_t> blocks = AllocAll(order);
		size_t pages = 0;
		for (uint64_t pa : blocks) {
			size_t first = (pa - kBase) >> PAGE_SHIFT;
			for (size_t p = first; p < first + (size_t{1} << order); p++)
				ASSERT_TRUE(p < kPages && free_page[p]) << "page " << p;
			pages += size_t{1} << order;
		}
		EXPECT_EQ(pages + b_.free_pages, total);
		FreeAll(blocks);
		EXPECT_EQ(b_.free_pages, total);
		check_holes();
	}
	// Every free page is reachable at order 0.
	EXPECT_EQ(AllocAll(0).size(), total);
	check_holes();
}

TEST_F(BuddyTest, SpanThatIsNotAPowerOfTwo)
{
	Init(1000);
	AddPages(0, 1000);
	EXPECT_EQ(b_.free_pages, 1000u);
	EXPECT_EQ(buddy_alloc(&b_, BUDDY_MAX_ORDER), 0u);
	std::vector<uint64_t> pages = AllocAll(0);
	ASSERT_EQ(pages.size(), 1000u);
	for (uint64_t pa : pages)
		ASSERT_LT(pa, PageAddr(1000));
	FreeAll(pages);
	EXPECT_EQ(b_.free_pages, 1000u);
	// Merging never runs past the end: 1000 = 512 + 256 + 128 + 64 + 32 + 8.
	for (unsigned order : {9u, 8u, 7u, 6u, 5u, 3u}) {
		EXPECT_NE(buddy_alloc(&b_, order), 0u) << order;
		EXPECT_EQ(buddy_alloc(&b_, order), 0u) << order;
	}
	EXPECT_EQ(b_.free_pages, 0u);
}

TEST_F(BuddyTest, WhateverLiesPastTheTagsIsIgnored)
{
	// The tags of a 1000-page span, followed by bytes of every value in turn:
	// the allocator must neither read them as tags nor write them.
	std::vector<uint8_t> tags(2048);
	for (unsigned v = 0; v < 256; v++) {
		SCOPED_TRACE(v);
		memset(tags.data() + 1000, (int)v, tags.size() - 1000);
		buddy_init(&b_, kBase, 1000, tags.data(), (uintptr_t)mem_ - (uintptr_t)kBase);
		AddPages(0, 1000);
		ASSERT_EQ(b_.free_pages, 1000u);
		std::vector<uint64_t> pages = AllocAll(0);
		ASSERT_EQ(pages.size(), 1000u);
		for (uint64_t pa : pages)
			ASSERT_LT(pa, PageAddr(1000));
		FreeAll(pages);
		ASSERT_EQ(b_.free_pages, 1000u);
		EXPECT_EQ(buddy_alloc(&b_, BUDDY_MAX_ORDER), 0u);
		uint64_t half = buddy_alloc(&b_, 9);
		EXPECT_EQ(half, PageAddr(0));
		EXPECT_EQ(buddy_alloc(&b_, 9), 0u);
		ASSERT_EQ(buddy_free(&b_, half), VIPER_OK);
		for (size_t i = 1000; i < tags.size(); i++)
			ASSERT_EQ(tags[i], v) << "tag byte " << i << " written";
	}
}

TEST_F(BuddyTest, RandomStress)
{
	AddPages(0, kPages);
	for (unsigned seed : {1u, 2u, 3u}) {
		SCOPED_TRACE(seed);
		Stress(kPages, seed);
		// Everything merged back.
		std::vector<uint64_t> big = AllocAll(BUDDY_MAX_ORDER);
		EXPECT_EQ(big.size(), kPages / kMaxBlockPages);
		FreeAll(big);
	}
}

TEST_F(BuddyTest, RandomStressWithHoles)
{
	Init(3000);
	AddPages(3, 500);
	AddPages(600, 1400);
	AddPages(2100, 899);
	Stress(500 + 1400 + 899, 42);
	EXPECT_EQ(AllocAll(0).size(), 500u + 1400u + 899u);
}

} // namespace
