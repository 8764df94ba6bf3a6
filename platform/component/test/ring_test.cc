// Shared-memory rings (viper/ring.h) on the host: order, full and empty,
// a peer that corrupts the shared header, and two threads streaming through
// a small ring with notifications only on the edges.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <thread>

extern "C" {
#include <viper/component.h>
#include <viper/host_transport.h>
#include <viper/ring.h>
}

namespace
{

struct Entry {
	uint32_t offset;
	uint32_t length;
};

class RingTest : public ::testing::Test
{
      protected:
	void SetUp() override
	{
		viper_host_reset();
		mem_ = aligned_alloc(64, 4096);
		memset(mem_, 0xA5, 4096);
	}
	void TearDown() override
	{
		free(mem_);
		viper_host_reset();
	}
	void *mem_ = nullptr;
};

TEST_F(RingTest, PushesAndPopsInOrderUntilFullAndEmpty)
{
	viper_ring prod, cons;
	ASSERT_EQ(viper_ring_format(&prod, mem_, 4096, 4, sizeof(Entry), true), VIPER_OK);
	ASSERT_EQ(viper_ring_attach(&cons, mem_, 4096, 4, sizeof(Entry), false), VIPER_OK);
	Entry e{};
	EXPECT_EQ(viper_ring_pop(&cons, &e), VIPER_E_WOULDBLOCK);
	for (uint32_t i = 0; i < 4; i++) {
		e = {i * 100, i};
		ASSERT_EQ(viper_ring_push(&prod, &e), VIPER_OK);
	}
	EXPECT_EQ(viper_ring_push(&prod, &e), VIPER_E_WOULDBLOCK) << "four fit";
	for (uint32_t i = 0; i < 4; i++) {
		ASSERT_EQ(viper_ring_pop(&cons, &e), VIPER_OK);
		EXPECT_EQ(e.offset, i * 100);
		EXPECT_EQ(e.length, i);
	}
	EXPECT_EQ(viper_ring_pop(&cons, &e), VIPER_E_WOULDBLOCK);
	EXPECT_EQ(prod.kicks + cons.kicks, 0u) << "nobody waited: no notification";
}

TEST_F(RingTest, RefusesBadShapesAndAHostilePeer)
{
	viper_ring r;
	EXPECT_EQ(viper_ring_format(&r, mem_, 4096, 3, 8, true), VIPER_E_INVAL)
		<< "not a power of two";
	EXPECT_EQ(viper_ring_format(&r, mem_, 4096, 4, 0, true), VIPER_E_INVAL);
	EXPECT_EQ(viper_ring_format(&r, mem_, 4096, 4, 65, true), VIPER_E_INVAL);
	EXPECT_EQ(viper_ring_format(&r, mem_, 300, 8, 8, true), VIPER_E_INVAL) << "too small";
	EXPECT_EQ(viper_ring_format(&r, static_cast<uint8_t *>(mem_) + 4, 4000, 4, 8, true),
		  VIPER_E_INVAL)
		<< "misaligned";
	EXPECT_EQ(viper_ring_attach(&r, mem_, 4096, 4, 8, false), VIPER_E_CORRUPT) << "no magic";

	viper_ring prod, cons;
	ASSERT_EQ(viper_ring_format(&prod, mem_, 4096, 4, 8, true), VIPER_OK);
	EXPECT_EQ(viper_ring_attach(&cons, mem_, 4096, 8, 8, false), VIPER_E_CORRUPT)
		<< "another capacity than this end expects";
	EXPECT_EQ(viper_ring_attach(&cons, mem_, 200, 4, 8, false), VIPER_E_CORRUPT);
	ASSERT_EQ(viper_ring_attach(&cons, mem_, 4096, 4, 8, false), VIPER_OK);
	auto *h = static_cast<viper_ring_header *>(mem_);
	h->head = 1000; // the peer claims 1000 entries in a ring of 4
	Entry e{};
	EXPECT_EQ(viper_ring_pop(&cons, &e), VIPER_E_CORRUPT);
	EXPECT_EQ(viper_ring_wait(&cons, 0), VIPER_E_CORRUPT);
	h->head = 0;
	h->tail = 7; // the consumer claims to have popped more than was pushed
	EXPECT_EQ(viper_ring_push(&prod, &e), VIPER_E_CORRUPT);
	h->tail = 0;
	EXPECT_EQ(viper_ring_push(&prod, &e), VIPER_OK);
	h->capacity = 1u << 30; // changing the header later changes nothing here
	EXPECT_EQ(viper_ring_pop(&cons, &e), VIPER_OK);
}

// 100000 entries through a ring of 8 between two threads that sleep when
// they cannot go on: every entry arrives once, in order, and notifications
// go only on the edges (far fewer than entries).
TEST_F(RingTest, StreamsBetweenThreadsWithEdgeNotifications)
{
	viper_handle_t to_cons_send, to_cons_recv, to_prod_send, to_prod_recv;
	ASSERT_EQ(vc_channel_create(&to_cons_send, &to_cons_recv), VIPER_OK);
	ASSERT_EQ(vc_channel_create(&to_prod_send, &to_prod_recv), VIPER_OK);
	viper_ring prod, cons;
	ASSERT_EQ(viper_ring_format(&prod, mem_, 4096, 8, sizeof(Entry), true), VIPER_OK);
	ASSERT_EQ(viper_ring_attach(&cons, mem_, 4096, 8, sizeof(Entry), false), VIPER_OK);
	viper_ring_set_wake(&prod, to_cons_send, to_prod_recv);
	viper_ring_set_wake(&cons, to_prod_send, to_cons_recv);
	constexpr uint32_t kCount = 100000;
	std::thread producer([&] {
		for (uint32_t i = 0; i < kCount; i++) {
			Entry e{i, ~i};
			while (viper_ring_push(&prod, &e) == VIPER_E_WOULDBLOCK)
				ASSERT_EQ(viper_ring_wait(&prod, VIPER_TIMEOUT_NONE), VIPER_OK);
		}
	});
	uint32_t next = 0;
	while (next < kCount) {
		Entry e{};
		int32_t r = viper_ring_pop(&cons, &e);
		if (r == VIPER_E_WOULDBLOCK) {
			ASSERT_EQ(viper_ring_wait(&cons, VIPER_TIMEOUT_NONE), VIPER_OK);
			continue;
		}
		ASSERT_EQ(r, VIPER_OK);
		ASSERT_EQ(e.offset, next);
		ASSERT_EQ(e.length, ~next);
		next++;
	}
	producer.join();
	EXPECT_LT(prod.kicks + cons.kicks, kCount / 2) << "notifications only on edges";
}

} // namespace
