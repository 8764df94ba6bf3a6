// Host tests of the timing wheel of deadlines: against a model that keeps
// every pending deadline in a set, over random adds, removes and ticks,
// including deadlines in the past, more than a turn away, and long gaps.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <vector>

extern "C" {
#include <kernel/deadline_wheel.h>
}

namespace
{

constexpr uint64_t kTick = 10'000'000; // 10 ms, as the kernel's clock

struct Fired {
	std::vector<deadline_entry *> entries;
	uint64_t now = 0;
	bool late = false; // an entry fired before its deadline
};

void Record(deadline_entry *e, void *ctx)
{
	auto *f = static_cast<Fired *>(ctx);
	if (e->deadline > f->now)
		f->late = true;
	f->entries.push_back(e);
}

TEST(DeadlineWheel, FiresOnlyWhatIsDue)
{
	deadline_wheel w;
	deadline_entry a{}, b{}, c{};
	Fired f;

	deadline_wheel_init(&w, kTick, 5 * kTick);
	a.deadline = 6 * kTick + 1;
	b.deadline = 6 * kTick + 5;
	c.deadline = 7 * kTick;
	deadline_wheel_add(&w, &a);
	deadline_wheel_add(&w, &b);
	deadline_wheel_add(&w, &c);
	f.now = 6 * kTick + 2;
	EXPECT_EQ(deadline_wheel_expire(&w, f.now, Record, &f), 1u);
	ASSERT_EQ(f.entries.size(), 1u);
	EXPECT_EQ(f.entries[0], &a);
	EXPECT_FALSE(a.queued);
	EXPECT_TRUE(b.queued);
	f.now = 7 * kTick;
	EXPECT_EQ(deadline_wheel_expire(&w, f.now, Record, &f), 2u);
	EXPECT_EQ(w.count, 0u);
	EXPECT_FALSE(f.late);
}

TEST(DeadlineWheel, PastDeadlinesFireAtTheNextLook)
{
	deadline_wheel w;
	deadline_entry a{};
	Fired f;

	deadline_wheel_init(&w, kTick, 100 * kTick);
	f.now = 100 * kTick + 3;
	EXPECT_EQ(deadline_wheel_expire(&w, f.now, Record, &f), 0u);
	a.deadline = 1; // long past
	deadline_wheel_add(&w, &a);
	EXPECT_EQ(deadline_wheel_expire(&w, f.now, Record, &f), 1u);
}

TEST(DeadlineWheel, FarDeadlinesWaitForTheirTurn)
{
	deadline_wheel w;
	deadline_entry a{};
	Fired f;

	deadline_wheel_init(&w, kTick, 0);
	a.deadline = (3 * WHEEL_SLOTS + 7) * kTick;
	deadline_wheel_add(&w, &a);
	for (uint64_t t = 1; t < 3 * WHEEL_SLOTS + 7; t++) {
		f.now = t * kTick;
		ASSERT_EQ(deadline_wheel_expire(&w, f.now, Record, &f), 0u) << t;
	}
	f.now = (3 * WHEEL_SLOTS + 7) * kTick;
	EXPECT_EQ(deadline_wheel_expire(&w, f.now, Record, &f), 1u);
}

TEST(DeadlineWheel, RemoveIsImmediate)
{
	deadline_wheel w;
	deadline_entry a{}, b{};
	Fired f;

	deadline_wheel_init(&w, kTick, 0);
	a.deadline = b.deadline = 2 * kTick;
	deadline_wheel_add(&w, &a);
	deadline_wheel_add(&w, &b);
	deadline_wheel_remove(&w, &a);
	deadline_wheel_remove(&w, &a); // not queued any more: nothing
	EXPECT_EQ(w.count, 1u);
	f.now = 3 * kTick;
	EXPECT_EQ(deadline_wheel_expire(&w, f.now, Record, &f), 1u);
	EXPECT_EQ(f.entries[0], &b);
}

// A fire callback that re-adds the entry one period later (a periodic timer).
struct Rearm {
	deadline_wheel *w;
	uint64_t period;
	unsigned fired = 0;
};

void Again(deadline_entry *e, void *ctx)
{
	auto *r = static_cast<Rearm *>(ctx);
	r->fired++;
	e->deadline += r->period;
	deadline_wheel_add(r->w, e);
}

TEST(DeadlineWheel, FireMayAddAgain)
{
	deadline_wheel w;
	deadline_entry a{};
	Rearm r{&w, kTick};

	deadline_wheel_init(&w, kTick, 0);
	a.deadline = kTick;
	deadline_wheel_add(&w, &a);
	for (uint64_t t = 1; t <= 50; t++)
		deadline_wheel_expire(&w, t * kTick, Again, &r);
	EXPECT_EQ(r.fired, 50u);
	EXPECT_TRUE(a.queued);
}

TEST(DeadlineWheel, MatchesAModel)
{
	std::mt19937_64 rng(12345);
	deadline_wheel w;
	std::vector<deadline_entry> entries(500);
	std::set<deadline_entry *> pending;
	uint64_t now = 77 * kTick + 123;

	deadline_wheel_init(&w, kTick, now);
	for (int step = 0; step < 200000; step++) {
		deadline_entry *e = &entries[rng() % entries.size()];
		switch (rng() % 4) {
		case 0: // add (or move) it
			deadline_wheel_remove(&w, e);
			pending.erase(e);
			if (rng() % 8 == 0)
				e->deadline = now - (rng() % (now + 1)); // in the past
			else if (rng() % 8 == 0)
				e->deadline = now + rng() % (4 * WHEEL_SLOTS * kTick);
			else
				e->deadline = now + rng() % (20 * kTick);
			deadline_wheel_add(&w, e);
			pending.insert(e);
			break;
		case 1:
			deadline_wheel_remove(&w, e);
			pending.erase(e);
			break;
		default: { // time passes: a little, a tick, or a long gap
			uint64_t r = rng() % 100;
			now += r < 90	? rng() % kTick
			       : r < 99 ? kTick * (1 + rng() % 5)
					: kTick * (rng() % (3 * WHEEL_SLOTS));
			Fired f;
			f.now = now;
			deadline_wheel_expire(&w, now, Record, &f);
			ASSERT_FALSE(f.late);
			std::set<deadline_entry *> due;
			for (auto *p : pending) {
				if (p->deadline <= now)
					due.insert(p);
			}
			std::set<deadline_entry *> got(f.entries.begin(), f.entries.end());
			ASSERT_EQ(got, due) << "step " << step;
			ASSERT_EQ(got.size(), f.entries.size()); // none fired twice
			for (auto *p : got)
				pending.erase(p);
			break;
		}
		}
		ASSERT_EQ(w.count, pending.size());
	}
}

} // namespace
