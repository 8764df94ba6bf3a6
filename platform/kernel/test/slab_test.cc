// Host tests of the slab allocator, over 4 KiB pages from aligned_alloc.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <vector>

extern "C" {
#include <kernel/buddy.h>
#include <kernel/slab.h>
}

namespace
{

// The page source: counts pages and catches frees of pages it never gave.
struct Pages {
	std::set<void *> live;
	size_t allocs = 0;
	size_t frees = 0;
	size_t bad_frees = 0;
	bool fail = false;
};

Pages pages;

void *PageAlloc()
{
	if (pages.fail)
		return nullptr;
	void *p = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	if (!p)
		return nullptr;
	memset(p, 0xdb, PAGE_SIZE); // not zeroed, as a real page need not be
	pages.live.insert(p);
	pages.allocs++;
	return p;
}

void PageFree(void *p)
{
	if (pages.live.erase(p) == 0) {
		pages.bad_frees++;
		return;
	}
	pages.frees++;
	free(p);
}

const struct slab_page_source kSource = {PageAlloc, PageFree};

const size_t kSizes[] = {1, 8, 16, 17, 24, 48, 100, 256, 1000, 2000, 2016, 4000};

uintptr_t PageOf(const void *p)
{
	return (uintptr_t)p & ~(uintptr_t)(PAGE_SIZE - 1);
}

uintptr_t OffsetOf(const void *p)
{
	return (uintptr_t)p & (PAGE_SIZE - 1);
}

bool AllZero(const void *p, size_t n)
{
	const uint8_t *b = static_cast<const uint8_t *>(p);
	return std::all_of(b, b + n, [](uint8_t x) { return x == 0; });
}

class SlabTest : public ::testing::Test
{
      protected:
	void SetUp() override
	{
		pages = Pages();
		slab_set_page_source(&kSource);
	}

	void TearDown() override
	{
		EXPECT_EQ(pages.bad_frees, 0u);
		// The caches die with the test: give their pages back.
		for (void *p : pages.live)
			free(p);
		pages = Pages();
		slab_set_page_source(nullptr);
	}

	// Where the first object of a fresh page lies: just past the page header.
	static size_t HeaderSize()
	{
		struct slab_cache c;
		EXPECT_EQ(slab_cache_init(&c, "probe", 16), VIPER_OK);
		void *obj = slab_alloc(&c);
		EXPECT_NE(obj, nullptr);
		size_t offset = OffsetOf(obj);
		EXPECT_EQ(slab_free(&c, obj), VIPER_OK);
		// The cache keeps its empty page; the probe is done with it.
		void *page = (void *)PageOf(obj);
		EXPECT_EQ(pages.live.erase(page), 1u);
		pages.allocs--;
		free(page);
		return offset;
	}

	// The state a rejected free must leave alone.
	struct State {
		size_t in_use, pages, page_allocs, page_frees;
		struct slab_page *partial, *full;
		bool operator==(const State &o) const
		{
			return in_use == o.in_use && pages == o.pages &&
			       page_allocs == o.page_allocs && page_frees == o.page_frees &&
			       partial == o.partial && full == o.full;
		}
	};

	static State StateOf(const struct slab_cache &c)
	{
		return {c.in_use, c.pages, pages.allocs, pages.frees, c.partial, c.full};
	}
};

TEST_F(SlabTest, CacheInitRoundsSizeAndFitsObjectsInAPage)
{
	for (size_t size : kSizes) {
		SCOPED_TRACE(size);
		struct slab_cache c;
		ASSERT_EQ(slab_cache_init(&c, "test", size), VIPER_OK);
		EXPECT_STREQ(c.name, "test");
		EXPECT_EQ(c.size, (size + 15) / 16 * 16);
		EXPECT_GE(c.per_page, 1u);
		EXPECT_LE(c.per_page * c.size, PAGE_SIZE - 16); // room for the header
		EXPECT_EQ(c.in_use, 0u);
		EXPECT_EQ(c.pages, 0u);
		EXPECT_EQ(c.partial, nullptr);
		EXPECT_EQ(c.full, nullptr);
	}
	EXPECT_EQ(pages.allocs, 0u);
}

TEST_F(SlabTest, SizesThatCannotFitAreRejected)
{
	struct slab_cache c;
	for (size_t size : {size_t{0}, PAGE_SIZE - 1, PAGE_SIZE, PAGE_SIZE + 1, 2 * PAGE_SIZE,
			    SIZE_MAX, SIZE_MAX - 7, SIZE_MAX - 15, SIZE_MAX - 16}) {
		EXPECT_EQ(slab_cache_init(&c, "big", size), VIPER_E_RANGE) << size;
	}
	// The largest size accepted holds one object, which fits in its page.
	size_t largest = PAGE_SIZE;
	while (largest > 0 && slab_cache_init(&c, "largest", largest) != VIPER_OK)
		largest--;
	EXPECT_GE(largest, PAGE_SIZE - 128);
	ASSERT_EQ(slab_cache_init(&c, "largest", largest), VIPER_OK);
	EXPECT_EQ(c.per_page, 1u);
	void *a = slab_alloc(&c);
	ASSERT_NE(a, nullptr);
	EXPECT_LE(OffsetOf(a) + c.size, PAGE_SIZE);
	void *b = slab_alloc(&c);
	ASSERT_NE(b, nullptr);
	EXPECT_NE(PageOf(a), PageOf(b));
	EXPECT_EQ(c.pages, 2u);
	EXPECT_EQ(slab_free(&c, a), VIPER_OK);
	EXPECT_EQ(slab_free(&c, b), VIPER_OK);
}

TEST_F(SlabTest, OnePageHoldsPerPageObjects)
{
	size_t header = HeaderSize();
	EXPECT_GE(header, 16u);
	EXPECT_EQ(header % 16, 0u);
	for (size_t size : kSizes) {
		SCOPED_TRACE(size);
		pages = Pages();
		struct slab_cache c;
		ASSERT_EQ(slab_cache_init(&c, "test", size), VIPER_OK);
		EXPECT_EQ(c.per_page, (PAGE_SIZE - header) / c.size);
		std::vector<void *> objs;
		for (unsigned i = 0; i < c.per_page; i++) {
			void *obj = slab_alloc(&c);
			ASSERT_NE(obj, nullptr);
			objs.push_back(obj);
		}
		EXPECT_EQ(c.pages, 1u);
		EXPECT_EQ(pages.allocs, 1u);
		EXPECT_EQ(c.in_use, c.per_page);
		EXPECT_EQ(c.partial, nullptr);
		EXPECT_NE(c.full, nullptr);
		for (void *obj : objs) {
			EXPECT_EQ(PageOf(obj), PageOf(objs[0]));
			EXPECT_GE(OffsetOf(obj), header);
			EXPECT_LE(OffsetOf(obj) + c.size, PAGE_SIZE);
			EXPECT_EQ((OffsetOf(obj) - header) % c.size, 0u);
		}
		void *next = slab_alloc(&c);
		ASSERT_NE(next, nullptr);
		EXPECT_NE(PageOf(next), PageOf(objs[0]));
		EXPECT_EQ(c.pages, 2u);
		EXPECT_EQ(pages.allocs, 2u);
		objs.push_back(next);
		for (void *obj : objs)
			ASSERT_EQ(slab_free(&c, obj), VIPER_OK);
		EXPECT_EQ(c.in_use, 0u);
		EXPECT_EQ(c.pages, 1u);
		EXPECT_EQ(pages.live.size(), 1u);
		for (void *p : pages.live)
			free(p);
		pages.live.clear();
	}
}

TEST_F(SlabTest, ObjectsAreZeroedUniqueAndNeverPageAligned)
{
	for (size_t size : kSizes) {
		SCOPED_TRACE(size);
		struct slab_cache c;
		ASSERT_EQ(slab_cache_init(&c, "test", size), VIPER_OK);
		for (int round = 0; round < 2; round++) {
			std::vector<void *> objs;
			for (unsigned i = 0; i < 3 * c.per_page + 1; i++) {
				void *obj = slab_alloc(&c);
				ASSERT_NE(obj, nullptr);
				EXPECT_NE(OffsetOf(obj), 0u);
				EXPECT_EQ((uintptr_t)obj % 16, 0u);
				EXPECT_EQ(slab_owner(obj), &c);
				EXPECT_TRUE(AllZero(obj, c.size)) << "object " << i;
				// Dirty it, so a reused object must be zeroed again.
				memset(obj, 0xff, c.size);
				objs.push_back(obj);
			}
			EXPECT_EQ(c.in_use, objs.size());
			EXPECT_EQ(c.pages, 4u);
			std::sort(objs.begin(), objs.end());
			for (size_t i = 1; i < objs.size(); i++) {
				EXPECT_GE((uintptr_t)objs[i], (uintptr_t)objs[i - 1] + c.size)
					<< "objects overlap";
			}
			std::shuffle(objs.begin(), objs.end(), std::mt19937(size));
			for (void *obj : objs)
				ASSERT_EQ(slab_free(&c, obj), VIPER_OK);
			EXPECT_EQ(c.in_use, 0u);
		}
	}
}

TEST_F(SlabTest, OwnerOfMemoryThatIsNoSlab)
{
	void *page = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	ASSERT_NE(page, nullptr);
	memset(page, 0, PAGE_SIZE);
	uint8_t *p = static_cast<uint8_t *>(page);
	EXPECT_EQ(slab_owner(p + 256), nullptr);
	memset(page, 0xab, PAGE_SIZE);
	EXPECT_EQ(slab_owner(p + 256), nullptr);
	EXPECT_EQ(slab_owner(p + PAGE_SIZE - 16), nullptr);

	struct slab_cache c;
	ASSERT_EQ(slab_cache_init(&c, "test", 64), VIPER_OK);
	void *obj = slab_alloc(&c);
	ASSERT_NE(obj, nullptr);
	// The page itself and its header are no object.
	EXPECT_EQ(slab_owner((void *)PageOf(obj)), nullptr);
	EXPECT_EQ(slab_owner((void *)(PageOf(obj) + 8)), nullptr);
	EXPECT_EQ(slab_owner(obj), &c);
	EXPECT_EQ(slab_free(&c, p + 256), VIPER_E_INVAL);
	EXPECT_EQ(slab_free(&c, obj), VIPER_OK);
	free(page);
}

TEST_F(SlabTest, FreeingReturnsPagesButKeepsOneEmptyPage)
{
	struct slab_cache c;
	ASSERT_EQ(slab_cache_init(&c, "test", 200), VIPER_OK);
	std::vector<void *> objs;
	for (unsigned i = 0; i < 6 * c.per_page; i++) {
		objs.push_back(slab_alloc(&c));
		ASSERT_NE(objs.back(), nullptr);
	}
	EXPECT_EQ(c.pages, 6u);
	EXPECT_EQ(pages.live.size(), 6u);
	std::shuffle(objs.begin(), objs.end(), std::mt19937(7));
	size_t last_pages = c.pages;
	for (void *obj : objs) {
		ASSERT_EQ(slab_free(&c, obj), VIPER_OK);
		// Pages only ever go back, and the cache's count matches the source's.
		EXPECT_LE(c.pages, last_pages);
		EXPECT_EQ(c.pages, pages.live.size());
		last_pages = c.pages;
	}
	EXPECT_EQ(c.in_use, 0u);
	EXPECT_EQ(c.pages, 1u);
	EXPECT_EQ(pages.frees, 5u);
	EXPECT_EQ(pages.live.size(), 1u);
	EXPECT_EQ(c.full, nullptr);
	// The kept page serves the next allocation.
	void *obj = slab_alloc(&c);
	ASSERT_NE(obj, nullptr);
	EXPECT_EQ(pages.allocs, 6u);
	EXPECT_EQ(pages.live.count((void *)PageOf(obj)), 1u);
	EXPECT_EQ(slab_free(&c, obj), VIPER_OK);
	EXPECT_EQ(c.pages, 1u);
}

TEST_F(SlabTest, OnlyOneEmptyPageIsKept)
{
	struct slab_cache c;
	ASSERT_EQ(slab_cache_init(&c, "test", 1000), VIPER_OK);
	ASSERT_EQ(c.per_page, 3u);
	// Two full pages, then empty both: the first to empty stays, the second goes.
	std::vector<void *> first, second;
	for (unsigned i = 0; i < c.per_page; i++)
		first.push_back(slab_alloc(&c));
	for (unsigned i = 0; i < c.per_page; i++)
		second.push_back(slab_alloc(&c));
	EXPECT_EQ(c.partial, nullptr);
	ASSERT_EQ(c.pages, 2u);
	for (void *obj : first)
		ASSERT_EQ(slab_free(&c, obj), VIPER_OK);
	EXPECT_EQ(c.pages, 2u);
	for (void *obj : second)
		ASSERT_EQ(slab_free(&c, obj), VIPER_OK);
	EXPECT_EQ(c.pages, 1u);
	EXPECT_EQ(pages.live.size(), 1u);
	// A page per object (per_page 1) behaves the same.
	struct slab_cache big;
	ASSERT_EQ(slab_cache_init(&big, "big", 3000), VIPER_OK);
	ASSERT_EQ(big.per_page, 1u);
	void *a = slab_alloc(&big), *b = slab_alloc(&big), *d = slab_alloc(&big);
	ASSERT_NE(a, nullptr);
	ASSERT_NE(b, nullptr);
	ASSERT_NE(d, nullptr);
	EXPECT_EQ(big.pages, 3u);
	EXPECT_EQ(slab_free(&big, b), VIPER_OK);
	EXPECT_EQ(big.pages, 3u); // kept: the only partial page
	EXPECT_EQ(slab_free(&big, a), VIPER_OK);
	EXPECT_EQ(big.pages, 2u);
	EXPECT_EQ(slab_free(&big, d), VIPER_OK);
	EXPECT_EQ(big.pages, 1u);
	EXPECT_EQ(pages.live.size(), 2u);
}

TEST_F(SlabTest, DoubleFreeIsRejectedAndChangesNothing)
{
	struct slab_cache c;
	ASSERT_EQ(slab_cache_init(&c, "test", 64), VIPER_OK);
	void *a = slab_alloc(&c);
	void *keep = slab_alloc(&c); // keeps the page alive
	ASSERT_NE(a, nullptr);
	ASSERT_NE(keep, nullptr);
	ASSERT_EQ(slab_free(&c, a), VIPER_OK);
	State before = StateOf(c);
	EXPECT_EQ(slab_free(&c, a), VIPER_E_INVAL);
	EXPECT_TRUE(StateOf(c) == before);
	// The free list is intact: two allocations give two distinct objects.
	void *x = slab_alloc(&c), *y = slab_alloc(&c);
	EXPECT_NE(x, nullptr);
	EXPECT_NE(y, nullptr);
	EXPECT_NE(x, y);
	EXPECT_NE(x, keep);
	EXPECT_NE(y, keep);
	EXPECT_EQ(c.in_use, 3u);
	EXPECT_EQ(slab_free(&c, x), VIPER_OK);
	EXPECT_EQ(slab_free(&c, y), VIPER_OK);
	EXPECT_EQ(slab_free(&c, keep), VIPER_OK);
	// An object never allocated from a live page (the page is kept).
	before = StateOf(c);
	EXPECT_EQ(slab_free(&c, keep), VIPER_E_INVAL);
	EXPECT_TRUE(StateOf(c) == before);
}

TEST_F(SlabTest, DoubleFreeFromAFullPage)
{
	struct slab_cache c;
	ASSERT_EQ(slab_cache_init(&c, "test", 1000), VIPER_OK);
	std::vector<void *> objs;
	for (unsigned i = 0; i < c.per_page; i++)
		objs.push_back(slab_alloc(&c));
	ASSERT_NE(c.full, nullptr);
	ASSERT_EQ(slab_free(&c, objs[1]), VIPER_OK);
	State before = StateOf(c);
	EXPECT_EQ(slab_free(&c, objs[1]), VIPER_E_INVAL);
	EXPECT_TRUE(StateOf(c) == before);
	EXPECT_EQ(c.in_use, c.per_page - 1);
}

TEST_F(SlabTest, FreeThroughTheWrongCacheIsRejected)
{
	struct slab_cache a, same, other;
	ASSERT_EQ(slab_cache_init(&a, "a", 64), VIPER_OK);
	ASSERT_EQ(slab_cache_init(&same, "same size", 64), VIPER_OK);
	ASSERT_EQ(slab_cache_init(&other, "other", 128), VIPER_OK);
	void *obj = slab_alloc(&a);
	void *obj2 = slab_alloc(&same);
	ASSERT_NE(obj, nullptr);
	ASSERT_NE(obj2, nullptr);
	State before_a = StateOf(a), before_same = StateOf(same), before_other = StateOf(other);
	EXPECT_EQ(slab_free(&same, obj), VIPER_E_INVAL);
	EXPECT_EQ(slab_free(&other, obj), VIPER_E_INVAL);
	EXPECT_EQ(slab_free(&a, obj2), VIPER_E_INVAL);
	EXPECT_TRUE(StateOf(a) == before_a);
	EXPECT_TRUE(StateOf(same) == before_same);
	EXPECT_TRUE(StateOf(other) == before_other);
	EXPECT_EQ(slab_owner(obj), &a);
	EXPECT_EQ(slab_owner(obj2), &same);
	EXPECT_EQ(slab_free(&a, obj), VIPER_OK);
	EXPECT_EQ(slab_free(&same, obj2), VIPER_OK);
}

TEST_F(SlabTest, InteriorAndOutOfRangePointersAreRejected)
{
	size_t header = HeaderSize();
	struct slab_cache c;
	ASSERT_EQ(slab_cache_init(&c, "test", 2000), VIPER_OK);
	ASSERT_EQ(c.per_page, 2u);
	void *obj = slab_alloc(&c);
	ASSERT_NE(obj, nullptr);
	char *o = static_cast<char *>(obj);
	char *page = (char *)PageOf(obj);
	State before = StateOf(c);
	const std::vector<char *> wild = {
		o + 1,
		o + 8,
		o + 16,
		o + c.size / 2,
		o + c.size - 1,
		page,
		page + 8,
		page + header - 16,
		page + header + c.per_page * c.size, // a slot past the last object
		page + PAGE_SIZE - 16,
	};
	for (char *p : wild) {
		EXPECT_EQ(slab_free(&c, p), VIPER_E_INVAL) << "offset " << p - page;
		EXPECT_TRUE(StateOf(c) == before) << "offset " << p - page;
	}
	// The other slot of the page: never allocated.
	char *other = OffsetOf(obj) == header ? o + c.size : page + header;
	EXPECT_EQ(slab_free(&c, other), VIPER_E_INVAL);
	EXPECT_TRUE(StateOf(c) == before);
	EXPECT_EQ(slab_free(&c, obj), VIPER_OK);
}

TEST_F(SlabTest, FreeOfNullIsRejected)
{
	struct slab_cache c;
	ASSERT_EQ(slab_cache_init(&c, "test", 32), VIPER_OK);
	void *obj = slab_alloc(&c);
	ASSERT_NE(obj, nullptr);
	State before = StateOf(c);
	EXPECT_EQ(slab_free(&c, nullptr), VIPER_E_INVAL);
	EXPECT_TRUE(StateOf(c) == before);
	EXPECT_EQ(slab_owner(nullptr), nullptr);
	EXPECT_EQ(slab_free(&c, obj), VIPER_OK);
}

TEST_F(SlabTest, NoPageMeansNoObject)
{
	struct slab_cache c;
	ASSERT_EQ(slab_cache_init(&c, "test", 512), VIPER_OK);
	pages.fail = true;
	EXPECT_EQ(slab_alloc(&c), nullptr);
	EXPECT_EQ(c.pages, 0u);
	EXPECT_EQ(c.in_use, 0u);
	pages.fail = false;
	std::vector<void *> objs;
	for (unsigned i = 0; i < c.per_page; i++) {
		objs.push_back(slab_alloc(&c));
		ASSERT_NE(objs.back(), nullptr);
	}
	// The page is full and no other comes.
	pages.fail = true;
	EXPECT_EQ(slab_alloc(&c), nullptr);
	EXPECT_EQ(c.pages, 1u);
	EXPECT_EQ(c.in_use, c.per_page);
	// A freed object can still be handed out again.
	ASSERT_EQ(slab_free(&c, objs[3]), VIPER_OK);
	void *again = slab_alloc(&c);
	EXPECT_EQ(again, objs[3]);
	EXPECT_EQ(slab_alloc(&c), nullptr);
	pages.fail = false;
	for (void *obj : objs)
		ASSERT_EQ(slab_free(&c, obj), VIPER_OK);
}

TEST_F(SlabTest, NoPageSourceMeansNoObject)
{
	struct slab_cache c;
	ASSERT_EQ(slab_cache_init(&c, "test", 64), VIPER_OK);
	slab_set_page_source(nullptr);
	EXPECT_EQ(slab_alloc(&c), nullptr);
	EXPECT_EQ(c.pages, 0u);
	EXPECT_EQ(c.in_use, 0u);
	EXPECT_EQ(pages.allocs, 0u);
}

TEST_F(SlabTest, RandomStress)
{
	const size_t sizes[] = {16, 48, 200, 1500, 4000};
	constexpr size_t kCaches = sizeof(sizes) / sizeof(sizes[0]);
	struct slab_cache caches[kCaches];
	std::vector<void *> live[kCaches];
	std::map<void *, size_t> owner; // object -> cache
	for (size_t i = 0; i < kCaches; i++)
		ASSERT_EQ(slab_cache_init(&caches[i], "stress", sizes[i]), VIPER_OK);
	// Each live object is filled with a byte naming it; a free checks it.
	auto pattern = [](const void *obj) { return (uint8_t)(((uintptr_t)obj >> 4) * 31 + 1); };
	std::mt19937 rng(99);
	for (int op = 0; op < 40000; op++) {
		size_t i = rng() % kCaches;
		struct slab_cache *c = &caches[i];
		bool alloc = live[i].empty() || rng() % 100 < 52;
		if (alloc) {
			void *obj = slab_alloc(c);
			ASSERT_NE(obj, nullptr);
			ASSERT_NE(OffsetOf(obj), 0u);
			ASSERT_EQ(slab_owner(obj), c);
			ASSERT_TRUE(AllZero(obj, c->size)) << "op " << op;
			ASSERT_EQ(owner.count(obj), 0u) << "handed out twice, op " << op;
			// No overlap with the neighbours.
			auto next = owner.lower_bound(obj);
			if (next != owner.end()) {
				ASSERT_GE((char *)next->first, (char *)obj + c->size);
			}
			if (next != owner.begin()) {
				auto prev = std::prev(next);
				ASSERT_LE((char *)prev->first + caches[prev->second].size,
					  (char *)obj);
			}
			memset(obj, pattern(obj), c->size);
			owner[obj] = i;
			live[i].push_back(obj);
		} else {
			size_t k = rng() % live[i].size();
			void *obj = live[i][k];
			live[i][k] = live[i].back();
			live[i].pop_back();
			const uint8_t *b = static_cast<const uint8_t *>(obj);
			for (size_t j = 0; j < c->size; j++)
				ASSERT_EQ(b[j], pattern(obj)) << "object overwritten, op " << op;
			// A wrong cache first, then the right one.
			ASSERT_EQ(slab_free(&caches[(i + 1) % kCaches], obj), VIPER_E_INVAL);
			ASSERT_EQ(slab_free(c, obj), VIPER_OK);
			if (pages.live.count((void *)PageOf(obj))) {
				ASSERT_EQ(slab_free(c, obj), VIPER_E_INVAL);
			}
			owner.erase(obj);
		}
		ASSERT_EQ(c->in_use, live[i].size());
		ASSERT_GE(c->pages * c->per_page, c->in_use);
		size_t total_pages = 0;
		for (const auto &cache : caches)
			total_pages += cache.pages;
		ASSERT_EQ(total_pages, pages.live.size());
	}
	for (size_t i = 0; i < kCaches; i++) {
		for (void *obj : live[i])
			ASSERT_EQ(slab_free(&caches[i], obj), VIPER_OK);
		EXPECT_EQ(caches[i].in_use, 0u);
		EXPECT_EQ(caches[i].pages, 1u);
	}
	EXPECT_EQ(pages.live.size(), kCaches);
	EXPECT_EQ(pages.bad_frees, 0u);
}

} // namespace
