// entry_threads_solve: which instances several threads can enter, so their
// host must give them an entry lock.
#include <gtest/gtest.h>

extern "C" {
#include "entry_lock.h"
}

namespace
{

constexpr uint32_t kMain = 1; // a process's serving thread

TEST(EntryThreads, ServedOnlyByOneThreadNeedsNoLock)
{
	uint32_t calls[1] = {0};
	uint32_t runs[1] = {0};
	entry_threads entered[1] = {{kMain, false}};
	entry_threads_solve(1, calls, runs, entered);
	EXPECT_EQ(entered[0].thread, kMain);
	EXPECT_FALSE(entered[0].several);
}

TEST(EntryThreads, CoLocatedClientWithItsOwnThread)
{
	// 0: a store serving remote clients; 1: a client with a run thread
	// calling the store directly. Two threads reach the store.
	uint32_t calls[2] = {0, 1u << 0};
	uint32_t runs[2] = {0, 2};
	entry_threads entered[2] = {{kMain, false}, {0, false}};
	entry_threads_solve(2, calls, runs, entered);
	EXPECT_TRUE(entered[0].several);
	EXPECT_EQ(entered[1].thread, 0u) << "nobody calls the client";
	EXPECT_FALSE(entered[1].several);
}

TEST(EntryThreads, OnlyClientThreadNeedsNoLock)
{
	// kv_colocated: the store serves nobody; the client's run thread alone calls it.
	uint32_t calls[2] = {0, 1u << 0};
	uint32_t runs[2] = {0, 2};
	entry_threads entered[2] = {{0, false}, {0, false}};
	entry_threads_solve(2, calls, runs, entered);
	EXPECT_EQ(entered[0].thread, 2u);
	EXPECT_FALSE(entered[0].several);
}

TEST(EntryThreads, ThreadsFlowDownChains)
{
	// 0 -> 1 -> 2 directly; 0 runs on thread 5, 1 is also served by main:
	// 2 is reached by both through 1.
	uint32_t calls[3] = {1u << 1, 1u << 2, 0};
	uint32_t runs[3] = {5, 0, 0};
	entry_threads entered[3] = {{0, false}, {kMain, false}, {0, false}};
	entry_threads_solve(3, calls, runs, entered);
	EXPECT_TRUE(entered[1].several);
	EXPECT_TRUE(entered[2].several);
	EXPECT_EQ(entered[0].thread, 0u);
}

TEST(EntryThreads, TwoServingThreadsOfTheKernel)
{
	// In the kernel each served channel has a thread of its own.
	uint32_t calls[1] = {0};
	uint32_t runs[1] = {0};
	entry_threads entered[1] = {{3, false}};
	entry_threads_solve(1, calls, runs, entered);
	EXPECT_FALSE(entered[0].several);
	entered[0] = {3, true};
	entry_threads_solve(1, calls, runs, entered);
	EXPECT_TRUE(entered[0].several);
}

} // namespace
