// Host tests of the run queue: FIFO within a level, highest level first,
// removal anywhere, the first-fit search, against a model.
#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <vector>

extern "C" {
#include <kernel/run_queue.h>
}

namespace
{

TEST(RunQueue, HighestLevelFirstFifoWithin)
{
	run_queue q;
	rq_link a{}, b{}, c{}, d{};

	run_queue_init(&q);
	EXPECT_EQ(run_queue_top(&q), -1);
	EXPECT_EQ(run_queue_pop(&q), nullptr);
	run_queue_push(&q, &a, 3);
	run_queue_push(&q, &b, 8);
	run_queue_push(&q, &c, 3);
	run_queue_push(&q, &d, 8);
	EXPECT_EQ(q.count, 4u);
	EXPECT_EQ(run_queue_top(&q), 8);
	EXPECT_EQ(run_queue_pop(&q), &b);
	EXPECT_EQ(run_queue_pop(&q), &d);
	EXPECT_EQ(run_queue_top(&q), 3);
	EXPECT_EQ(run_queue_pop(&q), &a);
	EXPECT_EQ(run_queue_pop(&q), &c);
	EXPECT_EQ(q.count, 0u);
	EXPECT_EQ(q.levels, 0u);
	EXPECT_FALSE(a.queued);
}

TEST(RunQueue, RemoveAnywhere)
{
	run_queue q;
	rq_link a{}, b{}, c{};

	run_queue_init(&q);
	run_queue_push(&q, &a, 5);
	run_queue_push(&q, &b, 5);
	run_queue_push(&q, &c, 5);
	run_queue_remove(&q, &b);
	EXPECT_EQ(run_queue_pop(&q), &a);
	run_queue_remove(&q, &c);
	EXPECT_EQ(run_queue_top(&q), -1);
	EXPECT_EQ(q.count, 0u);
}

bool Even(const rq_link *l, const void *)
{
	return l->level % 2 == 0;
}

TEST(RunQueue, FirstFitLooksAtEachLevelsHead)
{
	run_queue q;
	rq_link a{}, b{}, c{};

	run_queue_init(&q);
	EXPECT_EQ(run_queue_first_fit(&q, Even, nullptr), nullptr);
	run_queue_push(&q, &a, 7);
	run_queue_push(&q, &b, 4);
	run_queue_push(&q, &c, 2);
	EXPECT_EQ(run_queue_first_fit(&q, Even, nullptr), &b);
	EXPECT_TRUE(b.queued) << "found, not taken";
}

TEST(RunQueue, MatchesAModel)
{
	std::mt19937 rng(7);
	run_queue q;
	std::vector<rq_link> links(64);
	std::vector<std::deque<rq_link *>> model(RUN_QUEUE_LEVELS);

	run_queue_init(&q);
	for (int step = 0; step < 100000; step++) {
		rq_link *l = &links[rng() % links.size()];
		unsigned r = rng() % 3;
		if (r == 0 && !l->queued) {
			unsigned level = rng() % RUN_QUEUE_LEVELS;
			run_queue_push(&q, l, level);
			model[level].push_back(l);
		} else if (r == 1 && l->queued) {
			auto &m = model[l->level];
			for (auto it = m.begin(); it != m.end(); ++it) {
				if (*it == l) {
					m.erase(it);
					break;
				}
			}
			run_queue_remove(&q, l);
		} else {
			rq_link *want = nullptr;
			for (int level = RUN_QUEUE_LEVELS - 1; level >= 0 && !want; level--) {
				if (!model[level].empty()) {
					want = model[level].front();
					model[level].pop_front();
				}
			}
			ASSERT_EQ(run_queue_pop(&q), want) << step;
		}
		size_t total = 0;
		for (auto &m : model)
			total += m.size();
		ASSERT_EQ(q.count, total);
	}
}

} // namespace
