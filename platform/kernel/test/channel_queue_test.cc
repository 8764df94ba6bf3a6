// Host tests of the bounded FIFO inside a channel.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <deque>
#include <random>
#include <vector>

extern "C" {
#include <kernel/channel_queue.h>
}

namespace
{

// A message as the kernel has it: the link embedded in something bigger.
struct Msg {
	int id;
	struct queue_link link;
};

Msg *MsgOf(struct queue_link *l)
{
	return l ? reinterpret_cast<Msg *>(reinterpret_cast<char *>(l) - offsetof(Msg, link))
		 : nullptr;
}

// Pops everything, in order.
std::vector<int> Drain(struct channel_queue *q)
{
	std::vector<int> ids;
	while (struct queue_link *l = channel_queue_pop(q))
		ids.push_back(MsgOf(l)->id);
	return ids;
}

std::vector<Msg> MakeMsgs(int n)
{
	std::vector<Msg> msgs(n);
	for (int i = 0; i < n; i++)
		msgs[i] = {i, {reinterpret_cast<struct queue_link *>(0x1)}}; // a stale link
	return msgs;
}

TEST(ChannelQueue, InitChecksTheDepth)
{
	struct channel_queue q;
	EXPECT_EQ(channel_queue_init(&q, 0), VIPER_E_INVAL);
	EXPECT_EQ(channel_queue_init(&q, VIPER_CHANNEL_MAX_DEPTH + 1), VIPER_E_INVAL);
	EXPECT_EQ(channel_queue_init(&q, ~0u), VIPER_E_INVAL);
	for (unsigned depth : {1u, 2u, VIPER_CHANNEL_DEFAULT_DEPTH, VIPER_CHANNEL_MAX_DEPTH}) {
		q = {reinterpret_cast<struct queue_link *>(0x10),
		     reinterpret_cast<struct queue_link *>(0x20), 7, 9};
		ASSERT_EQ(channel_queue_init(&q, depth), VIPER_OK) << depth;
		EXPECT_EQ(q.depth, depth);
		EXPECT_EQ(q.count, 0u);
		EXPECT_EQ(q.head, nullptr);
		EXPECT_EQ(q.tail, nullptr);
		EXPECT_TRUE(channel_queue_empty(&q));
		EXPECT_FALSE(channel_queue_full(&q));
		EXPECT_EQ(channel_queue_peek(&q), nullptr);
		EXPECT_EQ(channel_queue_pop(&q), nullptr);
		EXPECT_EQ(q.count, 0u);
	}
}

TEST(ChannelQueue, FirstInFirstOutUpToTheDepth)
{
	struct channel_queue q;
	ASSERT_EQ(channel_queue_init(&q, VIPER_CHANNEL_MAX_DEPTH), VIPER_OK);
	std::vector<Msg> msgs = MakeMsgs(VIPER_CHANNEL_MAX_DEPTH + 1);
	for (unsigned i = 0; i < VIPER_CHANNEL_MAX_DEPTH; i++) {
		EXPECT_FALSE(channel_queue_full(&q));
		ASSERT_EQ(channel_queue_push(&q, &msgs[i].link), VIPER_OK);
		EXPECT_EQ(q.count, i + 1);
		EXPECT_FALSE(channel_queue_empty(&q));
		EXPECT_EQ(channel_queue_peek(&q), &msgs[0].link);
	}
	EXPECT_TRUE(channel_queue_full(&q));
	// Full: the extra message is refused and left alone.
	struct queue_link *stale = msgs.back().link.next;
	EXPECT_EQ(channel_queue_push(&q, &msgs.back().link), VIPER_E_WOULDBLOCK);
	EXPECT_EQ(msgs.back().link.next, stale);
	EXPECT_EQ(q.count, VIPER_CHANNEL_MAX_DEPTH);
	EXPECT_EQ(q.tail, &msgs[VIPER_CHANNEL_MAX_DEPTH - 1].link);
	std::vector<int> ids = Drain(&q);
	ASSERT_EQ(ids.size(), VIPER_CHANNEL_MAX_DEPTH);
	for (unsigned i = 0; i < ids.size(); i++)
		EXPECT_EQ(ids[i], (int)i);
	EXPECT_TRUE(channel_queue_empty(&q));
	EXPECT_EQ(q.count, 0u);
	EXPECT_EQ(q.head, nullptr);
	EXPECT_EQ(q.tail, nullptr);
	for (unsigned i = 0; i < VIPER_CHANNEL_MAX_DEPTH; i++)
		EXPECT_EQ(msgs[i].link.next, nullptr) << "popped links are cleared";
}

TEST(ChannelQueue, DepthOne)
{
	struct channel_queue q;
	ASSERT_EQ(channel_queue_init(&q, 1), VIPER_OK);
	std::vector<Msg> msgs = MakeMsgs(2);
	ASSERT_EQ(channel_queue_push(&q, &msgs[0].link), VIPER_OK);
	EXPECT_TRUE(channel_queue_full(&q));
	EXPECT_EQ(channel_queue_push(&q, &msgs[1].link), VIPER_E_WOULDBLOCK);
	EXPECT_EQ(channel_queue_pop(&q), &msgs[0].link);
	EXPECT_FALSE(channel_queue_full(&q));
	ASSERT_EQ(channel_queue_push(&q, &msgs[1].link), VIPER_OK);
	EXPECT_EQ(channel_queue_peek(&q), &msgs[1].link);
	EXPECT_EQ(Drain(&q), std::vector<int>{1});
}

TEST(ChannelQueue, PeekDoesNotRemove)
{
	struct channel_queue q;
	ASSERT_EQ(channel_queue_init(&q, 4), VIPER_OK);
	std::vector<Msg> msgs = MakeMsgs(2);
	ASSERT_EQ(channel_queue_push(&q, &msgs[0].link), VIPER_OK);
	ASSERT_EQ(channel_queue_push(&q, &msgs[1].link), VIPER_OK);
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(channel_queue_peek(&q), &msgs[0].link);
	EXPECT_EQ(q.count, 2u);
	EXPECT_EQ(channel_queue_pop(&q), &msgs[0].link);
	EXPECT_EQ(channel_queue_peek(&q), &msgs[1].link);
	EXPECT_EQ(channel_queue_pop(&q), &msgs[1].link);
	EXPECT_EQ(channel_queue_peek(&q), nullptr);
}

TEST(ChannelQueue, PushAfterEmptyingStartsAFreshList)
{
	struct channel_queue q;
	ASSERT_EQ(channel_queue_init(&q, 3), VIPER_OK);
	std::vector<Msg> msgs = MakeMsgs(6);
	ASSERT_EQ(channel_queue_push(&q, &msgs[0].link), VIPER_OK);
	EXPECT_EQ(Drain(&q), std::vector<int>{0});
	ASSERT_EQ(channel_queue_push(&q, &msgs[1].link), VIPER_OK);
	ASSERT_EQ(channel_queue_push(&q, &msgs[2].link), VIPER_OK);
	EXPECT_EQ(channel_queue_pop(&q), &msgs[1].link);
	ASSERT_EQ(channel_queue_push(&q, &msgs[3].link), VIPER_OK);
	ASSERT_EQ(channel_queue_push(&q, &msgs[4].link), VIPER_OK);
	EXPECT_EQ(channel_queue_push(&q, &msgs[5].link), VIPER_E_WOULDBLOCK);
	EXPECT_EQ(Drain(&q), (std::vector<int>{2, 3, 4}));
}

class ChannelQueueRemove : public ::testing::Test
{
      protected:
	void SetUp() override
	{
		ASSERT_EQ(channel_queue_init(&q_, 8), VIPER_OK);
		msgs_ = MakeMsgs(6);
		for (int i = 0; i < 5; i++)
			ASSERT_EQ(channel_queue_push(&q_, &msgs_[i].link), VIPER_OK);
	}

	struct channel_queue q_;
	std::vector<Msg> msgs_;
};

TEST_F(ChannelQueueRemove, Head)
{
	EXPECT_TRUE(channel_queue_remove(&q_, &msgs_[0].link));
	EXPECT_EQ(q_.count, 4u);
	EXPECT_EQ(msgs_[0].link.next, nullptr);
	EXPECT_EQ(channel_queue_peek(&q_), &msgs_[1].link);
	ASSERT_EQ(channel_queue_push(&q_, &msgs_[5].link), VIPER_OK);
	EXPECT_EQ(Drain(&q_), (std::vector<int>{1, 2, 3, 4, 5}));
}

TEST_F(ChannelQueueRemove, Middle)
{
	EXPECT_TRUE(channel_queue_remove(&q_, &msgs_[2].link));
	EXPECT_EQ(q_.count, 4u);
	EXPECT_EQ(msgs_[2].link.next, nullptr);
	EXPECT_EQ(q_.tail, &msgs_[4].link);
	ASSERT_EQ(channel_queue_push(&q_, &msgs_[5].link), VIPER_OK);
	EXPECT_EQ(Drain(&q_), (std::vector<int>{0, 1, 3, 4, 5}));
}

TEST_F(ChannelQueueRemove, Tail)
{
	EXPECT_TRUE(channel_queue_remove(&q_, &msgs_[4].link));
	EXPECT_EQ(q_.count, 4u);
	EXPECT_EQ(q_.tail, &msgs_[3].link);
	EXPECT_EQ(msgs_[3].link.next, nullptr);
	// The next push goes after the new tail.
	ASSERT_EQ(channel_queue_push(&q_, &msgs_[5].link), VIPER_OK);
	EXPECT_EQ(Drain(&q_), (std::vector<int>{0, 1, 2, 3, 5}));
}

TEST_F(ChannelQueueRemove, Absent)
{
	EXPECT_FALSE(channel_queue_remove(&q_, &msgs_[5].link));
	struct queue_link other = {nullptr};
	EXPECT_FALSE(channel_queue_remove(&q_, &other));
	EXPECT_EQ(q_.count, 5u);
	// Removing twice finds it only once.
	EXPECT_TRUE(channel_queue_remove(&q_, &msgs_[1].link));
	EXPECT_FALSE(channel_queue_remove(&q_, &msgs_[1].link));
	EXPECT_EQ(q_.count, 4u);
	EXPECT_EQ(Drain(&q_), (std::vector<int>{0, 2, 3, 4}));
	EXPECT_FALSE(channel_queue_remove(&q_, &msgs_[0].link));
	EXPECT_EQ(q_.count, 0u);
}

TEST_F(ChannelQueueRemove, Everything)
{
	for (int i : {3, 0, 4, 2, 1})
		EXPECT_TRUE(channel_queue_remove(&q_, &msgs_[i].link)) << i;
	EXPECT_TRUE(channel_queue_empty(&q_));
	EXPECT_EQ(q_.count, 0u);
	EXPECT_EQ(q_.head, nullptr);
	EXPECT_EQ(q_.tail, nullptr);
	EXPECT_EQ(channel_queue_pop(&q_), nullptr);
	ASSERT_EQ(channel_queue_push(&q_, &msgs_[5].link), VIPER_OK);
	EXPECT_EQ(q_.head, &msgs_[5].link);
	EXPECT_EQ(q_.tail, &msgs_[5].link);
	EXPECT_EQ(Drain(&q_), std::vector<int>{5});
}

TEST_F(ChannelQueueRemove, OnlyEntry)
{
	struct channel_queue q;
	ASSERT_EQ(channel_queue_init(&q, 2), VIPER_OK);
	EXPECT_FALSE(channel_queue_remove(&q, &msgs_[5].link));
	ASSERT_EQ(channel_queue_push(&q, &msgs_[5].link), VIPER_OK);
	EXPECT_TRUE(channel_queue_remove(&q, &msgs_[5].link));
	EXPECT_EQ(q.head, nullptr);
	EXPECT_EQ(q.tail, nullptr);
	EXPECT_EQ(q.count, 0u);
}

// Random pushes, pops and removes against a std::deque.
TEST(ChannelQueue, RandomOperationsMatchADeque)
{
	constexpr unsigned kDepth = 16;
	struct channel_queue q;
	ASSERT_EQ(channel_queue_init(&q, kDepth), VIPER_OK);
	std::vector<Msg> msgs = MakeMsgs(64);
	std::vector<bool> queued(msgs.size(), false);
	std::deque<int> model;
	std::mt19937 rng(5);
	for (int op = 0; op < 20000; op++) {
		int i = rng() % msgs.size();
		switch (rng() % 4) {
		case 0:
		case 1:
			if (queued[i])
				break; // a message is in one queue at a time
			if (model.size() == kDepth) {
				ASSERT_EQ(channel_queue_push(&q, &msgs[i].link),
					  VIPER_E_WOULDBLOCK);
				break;
			}
			ASSERT_EQ(channel_queue_push(&q, &msgs[i].link), VIPER_OK);
			model.push_back(i);
			queued[i] = true;
			break;
		case 2: {
			struct queue_link *l = channel_queue_pop(&q);
			if (model.empty()) {
				ASSERT_EQ(l, nullptr);
				break;
			}
			ASSERT_EQ(MsgOf(l), &msgs[model.front()]) << "op " << op;
			queued[model.front()] = false;
			model.pop_front();
			break;
		}
		case 3: {
			bool found = channel_queue_remove(&q, &msgs[i].link);
			ASSERT_EQ(found, (bool)queued[i]) << "op " << op;
			if (found) {
				model.erase(std::find(model.begin(), model.end(), i));
				queued[i] = false;
			}
			break;
		}
		}
		ASSERT_EQ(q.count, model.size()) << "op " << op;
		ASSERT_EQ(channel_queue_empty(&q), model.empty());
		ASSERT_EQ(channel_queue_full(&q), model.size() == kDepth);
		if (model.empty()) {
			ASSERT_EQ(channel_queue_peek(&q), nullptr);
			ASSERT_EQ(q.tail, nullptr);
		} else {
			ASSERT_EQ(channel_queue_peek(&q), &msgs[model.front()].link);
			ASSERT_EQ(q.tail, &msgs[model.back()].link);
		}
	}
	std::vector<int> ids = Drain(&q);
	EXPECT_EQ(ids, std::vector<int>(model.begin(), model.end()));
}

} // namespace
