// tally on the host: its answers, and its overlap detector (without an entry
// lock, two threads calling Add at once are seen and lose updates).
#include <gtest/gtest.h>

#include <thread>

extern "C" {
#include <tally/tally.h>
}

namespace
{

TEST(Tally, AddsReadsAndDone)
{
	tally t = {};
	viper_rpc_context ctx = {};
	viper_tally_AddRequest add = {5};
	viper_tally_AddReply added = {};
	ASSERT_EQ(tally_server.add(&t, &ctx, &add, &added), VIPER_OK);
	EXPECT_EQ(added.total, 5u);
	ASSERT_EQ(tally_server.add(&t, &ctx, &add, &added), VIPER_OK);
	EXPECT_EQ(added.total, 10u);
	viper_tally_DoneRequest done = {};
	viper_tally_DoneReply done_rep = {};
	ASSERT_EQ(tally_server.done(&t, &ctx, &done, &done_rep), VIPER_OK);
	viper_tally_ReadRequest req = {};
	viper_tally_ReadReply read = {};
	ASSERT_EQ(tally_server.read(&t, &ctx, &req, &read), VIPER_OK);
	EXPECT_EQ(read.total, 10u);
	EXPECT_EQ(read.done, 1u);
	EXPECT_EQ(read.overlaps, 0u);
}

TEST(Tally, SeesTwoThreadsInsideAtOnce)
{
	tally t = {};
	auto adder = [&t]() {
		viper_rpc_context ctx = {};
		viper_tally_AddRequest add = {1};
		viper_tally_AddReply added = {};
		for (int i = 0; i < 20000 && __atomic_load_n(&t.overlaps, __ATOMIC_RELAXED) < 10;
		     i++)
			tally_server.add(&t, &ctx, &add, &added);
	};
	std::thread a(adder), b(adder);
	a.join();
	b.join();
	EXPECT_GT(t.overlaps, 0u) << "two unserialized threads must be noticed";
}

} // namespace
