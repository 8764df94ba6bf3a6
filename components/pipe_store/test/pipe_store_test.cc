// pipe_store on the host, over the host transport: a kept Read whose
// session ends is answered with VIPER_E_PEERCLOSED (a client that goes
// away releases what the provider kept for it), Write answers a kept Read,
// the per-pipe and per-provider limits, and what Stats counts.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

extern "C" {
#include <viper/component.h>
#include <viper/host_transport.h>

#include "pipe.viper.h"
#include "pipes.viper.h"
}

namespace
{

class PipeStoreTest : public ::testing::Test
{
      protected:
	void SetUp() override
	{
		viper_host_reset();
		viper_instance_env env = {};
		env.name = "pipes";
		int32_t status;
		component_ = viper_host_start("pipe_store", &env, &state_, &status);
		ASSERT_NE(component_, nullptr);
		ASSERT_EQ(status, VIPER_OK);
		ASSERT_EQ(viper_host_sessions(state_, 8, 8), VIPER_OK);
		viper_host_bind(&pipes_, &component_->provides[0], state_, true);
	}
	void TearDown() override
	{
		vc_free(state_);
		viper_host_reset();
	}
	viper_slot Open(uint32_t *serial = nullptr)
	{
		viper_pipes_OpenRequest req = {};
		viper_pipes_OpenReply rep = {};
		viper_slot s;
		EXPECT_EQ(pipes_open(&pipes_, &req, &rep), VIPER_OK);
		vc_slot_bind(&s, &pipe_interface, rep.pipe);
		if (serial)
			*serial = rep.serial;
		return s;
	}
	viper_pipes_StatsReply Stats()
	{
		viper_pipes_StatsRequest req = {};
		viper_pipes_StatsReply rep = {};
		EXPECT_EQ(pipes_stats(&pipes_, &req, &rep), VIPER_OK);
		return rep;
	}
	bool WaitForReaders(uint32_t n)
	{
		for (int i = 0; i < 5000; i++) {
			if (Stats().readers_waiting == n)
				return true;
			std::this_thread::sleep_for(std::chrono::milliseconds(1));
		}
		return false;
	}
	const viper_component *component_ = nullptr;
	void *state_ = nullptr;
	viper_slot pipes_;
};

TEST_F(PipeStoreTest, AKeptReadEndsWithItsSession)
{
	viper_slot s = Open();
	int32_t status = VIPER_OK;
	std::thread reader([&] {
		viper_pipe_ReadRequest req = {};
		req.max = 8;
		viper_pipe_ReadReply rep;
		status = pipe_read(&s, &req, &rep);
	});
	ASSERT_TRUE(WaitForReaders(1));
	EXPECT_EQ(vc_slot_close(&s), VIPER_OK) << "the client lets go while its Read is kept";
	reader.join();
	EXPECT_EQ(status, VIPER_E_PEERCLOSED);
	viper_pipes_StatsReply st = Stats();
	EXPECT_EQ(st.sessions, 0u);
	EXPECT_EQ(st.closed, 1u);
	EXPECT_EQ(st.readers_waiting, 0u);
}

TEST_F(PipeStoreTest, AWriteAnswersAKeptReadOnAnotherSession)
{
	uint32_t serial = 0;
	viper_slot a = Open(&serial);
	viper_pipes_JoinRequest join = {};
	join.serial = serial;
	viper_pipes_OpenReply joined;
	ASSERT_EQ(pipes_join(&pipes_, &join, &joined), VIPER_OK);
	viper_slot b;
	vc_slot_bind(&b, &pipe_interface, joined.pipe);
	viper_pipe_ReadReply got = {};
	int32_t status = VIPER_E_CORRUPT;
	std::thread reader([&] {
		viper_pipe_ReadRequest req = {};
		req.max = 3;
		status = pipe_read(&a, &req, &got);
	});
	ASSERT_TRUE(WaitForReaders(1));
	viper_pipe_ReadRequest second = {};
	second.max = 1;
	viper_pipe_ReadReply none;
	EXPECT_EQ(pipe_read(&b, &second, &none), VIPER_E_BUSY) << "one Read waits per pipe";
	viper_pipe_WriteRequest wr = {};
	memcpy(wr.data.bytes, "hello", 5);
	wr.data.size = 5;
	viper_pipe_WriteReply held;
	ASSERT_EQ(pipe_write(&b, &wr, &held), VIPER_OK);
	reader.join();
	EXPECT_EQ(status, VIPER_OK);
	ASSERT_EQ(got.data.size, 3u) << "at most max bytes";
	EXPECT_EQ(memcmp(got.data.bytes, "hel", 3), 0);
	EXPECT_EQ(held.held, 2u) << "the rest stays";
	vc_slot_close(&a);
	vc_slot_close(&b);
}

TEST_F(PipeStoreTest, LimitsAndBadInput)
{
	viper_slot s[8];
	for (auto &slot : s)
		slot = Open();
	viper_pipes_OpenRequest req = {};
	viper_pipes_OpenReply rep;
	EXPECT_EQ(pipes_open(&pipes_, &req, &rep), VIPER_E_LIMIT) << "8 pipes at most";
	viper_pipe_WriteRequest wr = {};
	wr.data.size = 64;
	viper_pipe_WriteReply held;
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(pipe_write(&s[0], &wr, &held), VIPER_OK);
	EXPECT_EQ(pipe_write(&s[0], &wr, &held), VIPER_E_BUSY) << "256 bytes at most";
	wr.data.size = 0;
	EXPECT_EQ(pipe_write(&s[0], &wr, &held), VIPER_E_INVAL);
	viper_pipes_JoinRequest join = {};
	join.serial = 999;
	EXPECT_EQ(pipes_join(&pipes_, &join, &rep), VIPER_E_NOTFOUND);
	for (auto &slot : s)
		vc_slot_close(&slot);
	EXPECT_EQ(Stats().closed, 8u);
}

} // namespace
