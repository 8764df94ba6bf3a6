// The host simulation's memory objects (viper/component.h on the host) and
// how the host transport moves their handles (viper/host_transport.h):
// the same answers a component gets from the kernel, so that host tests of
// components mean something.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

extern "C" {
#include <viper/component.h>
#include <viper/host_runtime.h>
#include <viper/host_transport.h>

#include "kv.viper.h"
}

namespace
{

class HostMemoryTest : public ::testing::Test
{
      protected:
	void SetUp() override
	{
		viper_host_reset();
	}
	void TearDown() override
	{
		viper_host_reset();
	}

	viper_handle_t Create(uint64_t size)
	{
		viper_handle_t h = VIPER_HANDLE_INVALID;
		EXPECT_EQ(vc_memory_create(size, &h), VIPER_OK);
		EXPECT_NE(h, VIPER_HANDLE_INVALID);
		return h;
	}
};

TEST_F(HostMemoryTest, CreateRoundsUpToPagesAndZeroes)
{
	viper_handle_t h = VIPER_HANDLE_INVALID;
	EXPECT_EQ(vc_memory_create(0, &h), VIPER_E_INVAL);
	EXPECT_EQ(h, VIPER_HANDLE_INVALID);
	EXPECT_EQ(vc_memory_create(VC_MEMORY_MAX + 1, &h), VIPER_E_INVAL);
	h = Create(4097);
	uint64_t size = 0;
	ASSERT_EQ(vc_memory_size(h, &size), VIPER_OK);
	EXPECT_EQ(size, 8192u);
	void *p = nullptr;
	ASSERT_EQ(vc_memory_map(h, &p, &size), VIPER_OK);
	ASSERT_NE(p, nullptr);
	EXPECT_EQ(size, 8192u);
	std::vector<uint8_t> zero(8192, 0);
	EXPECT_EQ(memcmp(p, zero.data(), zero.size()), 0);
	EXPECT_EQ(viper_host_memory_objects(), 1u);
}

TEST_F(HostMemoryTest, DeadHandlesAreRefusedEverywhere)
{
	uint64_t size = 1;
	void *p = reinterpret_cast<void *>(1);
	EXPECT_EQ(vc_memory_size(0x7fffffff, &size), VIPER_E_BADHANDLE);
	EXPECT_EQ(size, 0u);
	EXPECT_EQ(vc_memory_map(0x7fffffff, &p, &size), VIPER_E_BADHANDLE);
	EXPECT_EQ(p, nullptr);
	EXPECT_EQ(vc_handle_close(0x7fffffff), VIPER_E_BADHANDLE);

	viper_handle_t h = Create(4096);
	ASSERT_EQ(vc_handle_close(h), VIPER_OK);
	EXPECT_EQ(vc_memory_size(h, &size), VIPER_E_BADHANDLE);
	EXPECT_EQ(vc_memory_map(h, &p, &size), VIPER_E_BADHANDLE);
	EXPECT_EQ(vc_handle_close(h), VIPER_E_BADHANDLE);
	// The slot is reused, but the old handle does not name the new object.
	viper_handle_t again = Create(4096);
	EXPECT_NE(again, h);
	EXPECT_EQ(vc_memory_size(h, &size), VIPER_E_BADHANDLE);
	EXPECT_EQ(vc_memory_size(again, &size), VIPER_OK);
}

TEST_F(HostMemoryTest, MappingsOutliveTheHandle)
{
	viper_handle_t h = Create(4096);
	void *p = nullptr;
	uint64_t size = 0;
	ASSERT_EQ(vc_memory_map(h, &p, &size), VIPER_OK);
	ASSERT_EQ(vc_handle_close(h), VIPER_OK);
	EXPECT_EQ(viper_host_memory_objects(), 1u) << "the mapping holds it";
	static_cast<uint8_t *>(p)[4095] = 0xaa;
	EXPECT_EQ(vc_memory_unmap(p, 8192), VIPER_E_INVAL) << "not its size";
	EXPECT_EQ(vc_memory_unmap(static_cast<uint8_t *>(p) + 4096, 4096), VIPER_E_NOTFOUND);
	EXPECT_EQ(vc_memory_unmap(p, 4096), VIPER_OK);
	EXPECT_EQ(viper_host_memory_objects(), 0u);
	EXPECT_EQ(vc_memory_unmap(p, 4096), VIPER_E_NOTFOUND);
}

TEST_F(HostMemoryTest, LimitsAreTheKernels)
{
	viper_handle_t h = Create(4096);
	std::vector<void *> maps;
	void *p = nullptr;
	uint64_t size = 0;
	int32_t r;
	while ((r = vc_memory_map(h, &p, &size)) == VIPER_OK && maps.size() < 100)
		maps.push_back(p);
	EXPECT_EQ(r, VIPER_E_LIMIT);
	EXPECT_EQ(maps.size(), 64u);
	for (void *m : maps)
		EXPECT_EQ(vc_memory_unmap(m, 4096), VIPER_OK);

	std::vector<viper_handle_t> handles{h};
	viper_handle_t more = VIPER_HANDLE_INVALID;
	while ((r = vc_memory_create(4096, &more)) == VIPER_OK && handles.size() < 300)
		handles.push_back(more);
	EXPECT_EQ(r, VIPER_E_LIMIT);
	EXPECT_EQ(handles.size(), 256u);
	for (viper_handle_t x : handles)
		EXPECT_EQ(vc_handle_close(x), VIPER_OK);
	EXPECT_EQ(viper_host_memory_objects(), 0u);
}

TEST_F(HostMemoryTest, ResetFreesEverything)
{
	viper_handle_t h = Create(4096);
	void *p = nullptr;
	uint64_t size = 0;
	ASSERT_EQ(vc_memory_map(h, &p, &size), VIPER_OK);
	Create(8192);
	EXPECT_EQ(viper_host_memory_objects(), 2u);
	viper_host_reset();
	EXPECT_EQ(viper_host_memory_objects(), 0u);
	EXPECT_EQ(vc_memory_size(h, &size), VIPER_E_BADHANDLE);
}

// A kv provider that records what reaches it.
struct Recorder {
	int calls = 0;
	viper_handle_t got = VIPER_HANDLE_INVALID;
	bool keep = true;
};

int32_t RecordAttach(void *self, viper_rpc_context *, const viper_kv_AttachRequest *req,
		     viper_kv_AttachReply *rep)
{
	auto *r = static_cast<Recorder *>(self);
	r->calls++;
	r->got = req->memory;
	rep->size = req->size;
	return VIPER_OK;
}

int32_t RecordDetach(void *self, viper_rpc_context *, const viper_kv_DetachRequest *,
		     viper_kv_DetachReply *rep)
{
	auto *r = static_cast<Recorder *>(self);
	r->calls++;
	rep->memory = r->got;
	r->got = VIPER_HANDLE_INVALID;
	return VIPER_OK;
}

const kv_server kRecorder = {nullptr,	   nullptr,	 nullptr, nullptr,
			     RecordAttach, RecordDetach, nullptr};

// DMA regions on the host: made-up physical addresses, the same through
// vc_dma_phys, vc_dma_span and vc_memory_physical.
TEST_F(HostMemoryTest, ContiguousDmaRegionsAreOneBlock)
{
	struct viper_dma ring = {}, other = {};
	uint64_t phys = 0;

	ASSERT_EQ(viper_host_dma_create(3 * 4096 + 1, true, &ring), VIPER_OK);
	ASSERT_NE(ring.virt, nullptr);
	EXPECT_EQ(ring.size, 4u * 4096);
	EXPECT_TRUE(ring.contiguous);
	EXPECT_EQ(ring.pages, nullptr);
	EXPECT_EQ(ring.phys % 4096, 0u);
	std::vector<uint8_t> zero(ring.size, 0);
	EXPECT_EQ(memcmp(ring.virt, zero.data(), ring.size), 0);
	ASSERT_EQ(vc_dma_phys(&ring, 5000, &phys), VIPER_OK);
	EXPECT_EQ(phys, ring.phys + 5000);
	EXPECT_EQ(vc_dma_phys(&ring, ring.size, &phys), VIPER_E_RANGE);
	EXPECT_EQ(vc_dma_span(&ring, 100), ring.size - 100);
	EXPECT_EQ(vc_dma_span(&ring, ring.size), 0u);
	ASSERT_EQ(vc_memory_physical(ring.memory, 5000, &phys), VIPER_OK);
	EXPECT_EQ(phys, ring.phys + 5000);
	EXPECT_EQ(vc_memory_physical(ring.memory, ring.size, &phys), VIPER_E_RANGE);
	// Another region does not overlap it.
	ASSERT_EQ(viper_host_dma_create(4096, true, &other), VIPER_OK);
	EXPECT_TRUE(other.phys >= ring.phys + ring.size || other.phys + 4096 <= ring.phys);
	EXPECT_EQ(viper_host_dma_create((4u << 20) + 1, true, &other), VIPER_E_RANGE);
	EXPECT_EQ(viper_host_dma_create(0, false, &other), VIPER_E_INVAL);
	EXPECT_EQ(other.virt, nullptr);
}

TEST_F(HostMemoryTest, ScatterGatherPagesNeverFollowEachOther)
{
	struct viper_dma buffers = {};
	uint64_t phys = 0, direct = 0;

	ASSERT_EQ(viper_host_dma_create(4 * 4096, false, &buffers), VIPER_OK);
	EXPECT_FALSE(buffers.contiguous);
	ASSERT_NE(buffers.pages, nullptr);
	for (int i = 0; i < 4; i++) {
		EXPECT_EQ(buffers.pages[i] % 4096, 0u);
		for (int j = 0; j < 4; j++)
			EXPECT_NE(buffers.pages[i] + 4096, buffers.pages[j]) << i << " " << j;
	}
	ASSERT_EQ(vc_dma_phys(&buffers, 2 * 4096 + 17, &phys), VIPER_OK);
	EXPECT_EQ(phys, buffers.pages[2] + 17);
	ASSERT_EQ(vc_memory_physical(buffers.memory, 2 * 4096 + 17, &direct), VIPER_OK);
	EXPECT_EQ(direct, phys);
	// One descriptor covers at most the rest of a page.
	EXPECT_EQ(vc_dma_span(&buffers, 4096 + 96), 4096u - 96);
	EXPECT_EQ(vc_dma_span(&buffers, 3 * 4096), 4096u);
	// Memory a test made itself has no DMA right.
	viper_handle_t plain = Create(4096);
	EXPECT_EQ(vc_memory_physical(plain, 0, &phys), VIPER_E_RIGHTS);
	EXPECT_EQ(vc_memory_physical(0x1234, 0, &phys), VIPER_E_BADHANDLE);
	EXPECT_EQ(viper_host_memory_objects(), 2u);
	viper_host_reset();
	EXPECT_EQ(viper_host_memory_objects(), 0u);
}

TEST(DmaSpanTest, MergesPagesThatFollowEachOther)
{
	const uint64_t pages[] = {0x10000, 0x11000, 0x12000, 0x20000, 0x21000};
	struct viper_dma d = {};
	uint8_t backing[1];
	uint64_t phys = 0;

	d.virt = backing; // vc_dma_* only look at the addresses
	d.size = 5 * 4096;
	d.pages = pages;
	EXPECT_EQ(vc_dma_span(&d, 0), 3u * 4096);
	EXPECT_EQ(vc_dma_span(&d, 4096 + 1), 2u * 4096 - 1);
	EXPECT_EQ(vc_dma_span(&d, 3 * 4096), 2u * 4096);
	EXPECT_EQ(vc_dma_span(&d, 5 * 4096), 0u);
	ASSERT_EQ(vc_dma_phys(&d, 4 * 4096 + 4095, &phys), VIPER_OK);
	EXPECT_EQ(phys, 0x21fffu);
	d.virt = nullptr; // not granted
	EXPECT_EQ(vc_dma_phys(&d, 0, &phys), VIPER_E_RANGE);
	EXPECT_EQ(vc_dma_span(&d, 0), 0u);
}

class HostTransportTest : public HostMemoryTest
{
      protected:
	void SetUp() override
	{
		HostMemoryTest::SetUp();
		channel_ = viper_host_serve(&kv_interface, &kRecorder, &recorder_);
		ASSERT_NE(channel_, VIPER_HANDLE_INVALID);
		viper_host_bind_remote(&slot_, &kv_interface, channel_);
	}

	// A raw call: header, body and handles as given.
	int32_t Call(uint16_t method, std::vector<uint8_t> body,
		     std::vector<viper_handle_t> handles, int32_t *status)
	{
		std::vector<uint8_t> req = {
			uint8_t(KV_INTERFACE_ID), 0, uint8_t(method), 0, 1, 0, 0, 0};
		req.insert(req.end(), body.begin(), body.end());
		uint8_t reply[VIPER_MSG_MAX_BYTES];
		viper_handle_t reply_handles[VIPER_MSG_MAX_HANDLES];
		uint32_t reply_len = 0, reply_handle_count = 0;
		int32_t r = viper_transport_call(channel_, req.data(), uint32_t(req.size()),
						 handles.data(), uint32_t(handles.size()), reply,
						 sizeof(reply), &reply_len, reply_handles,
						 VIPER_MSG_MAX_HANDLES, &reply_handle_count);
		*status = r == VIPER_OK && reply_len >= 4
				  ? int32_t(reply[0] | reply[1] << 8 | reply[2] << 16 |
					    uint32_t(reply[3]) << 24)
				  : r;
		return r;
	}

	Recorder recorder_;
	viper_handle_t channel_ = VIPER_HANDLE_INVALID;
	viper_slot slot_{};
};

TEST_F(HostTransportTest, HandlesMoveAndGetNewNumbers)
{
	viper_handle_t h = Create(4096);
	void *p = nullptr;
	uint64_t size = 0;
	ASSERT_EQ(vc_memory_map(h, &p, &size), VIPER_OK);
	memcpy(p, "moved", 5);
	viper_kv_AttachRequest req = viper_kv_AttachRequest_init_zero;
	viper_kv_AttachReply rep;
	req.memory = h;
	req.size = 4096;
	ASSERT_EQ(kv_attach(&slot_, &req, &rep), VIPER_OK);
	ASSERT_NE(recorder_.got, VIPER_HANDLE_INVALID);
	EXPECT_NE(recorder_.got, h) << "the provider gets a handle of its own";
	EXPECT_EQ(vc_memory_size(h, &size), VIPER_E_BADHANDLE) << "the caller's died";
	void *q = nullptr;
	ASSERT_EQ(vc_memory_map(recorder_.got, &q, &size), VIPER_OK);
	EXPECT_EQ(memcmp(q, "moved", 5), 0) << "the same object";

	viper_handle_t held = recorder_.got;
	viper_kv_DetachRequest dreq = viper_kv_DetachRequest_init_zero;
	viper_kv_DetachReply drep;
	ASSERT_EQ(kv_detach(&slot_, &dreq, &drep), VIPER_OK);
	EXPECT_NE(drep.memory, held) << "replies move handles too";
	EXPECT_EQ(vc_memory_size(held, &size), VIPER_E_BADHANDLE);
	EXPECT_EQ(vc_memory_size(drep.memory, &size), VIPER_OK);
	EXPECT_EQ(viper_host_dropped_handles(), 0u);
}

TEST_F(HostTransportTest, DeadAndDuplicateHandlesAreNotSent)
{
	viper_handle_t h = Create(4096);
	ASSERT_EQ(vc_handle_close(h), VIPER_OK);
	viper_kv_AttachRequest req = viper_kv_AttachRequest_init_zero;
	viper_kv_AttachReply rep;
	req.memory = h;
	req.size = 4096;
	EXPECT_EQ(kv_attach(&slot_, &req, &rep), VIPER_E_BADHANDLE);
	EXPECT_EQ(recorder_.calls, 0) << "nothing reached the provider";

	viper_handle_t live = Create(4096);
	int32_t status = 0;
	EXPECT_EQ(Call(KV_METHOD_ATTACH, {0x08, 0x01}, {live, live}, &status), VIPER_E_INVAL);
	uint64_t size = 0;
	EXPECT_EQ(vc_memory_size(live, &size), VIPER_OK) << "a refused send moves nothing";
	EXPECT_EQ(recorder_.calls, 0);
}

TEST_F(HostTransportTest, HandlesTheProviderDidNotTakeAreClosed)
{
	viper_handle_t h = Create(4096);
	int32_t status = 0;
	// An Attach whose handle field says none: the dispatch refuses the call and its handle.
	ASSERT_EQ(Call(KV_METHOD_ATTACH, {0x10, 0x05}, {h}, &status), VIPER_OK);
	EXPECT_EQ(status, VIPER_E_INVAL);
	uint64_t size = 0;
	EXPECT_EQ(vc_memory_size(h, &size), VIPER_E_BADHANDLE) << "moved, then closed";
	EXPECT_EQ(viper_host_dropped_handles(), 1u);
	EXPECT_EQ(viper_host_memory_objects(), 0u);
}

TEST_F(HostTransportTest, MadeUpHandlesPassUnchanged)
{
	int32_t status = 0;
	ASSERT_EQ(Call(KV_METHOD_ATTACH, {0x08, 0x01, 0x10, 0x05}, {0x1234}, &status), VIPER_OK);
	EXPECT_EQ(status, VIPER_OK);
	EXPECT_EQ(recorder_.got, 0x1234u);
}

TEST_F(HostTransportTest, BulkBuffersAreWholePages)
{
	// kv has none; a served interface with one gets bulk_bytes rounded up.
	viper_interface odd = kv_interface;
	odd.bulk_bytes = 5000;
	viper_slot remote{}, direct{};
	viper_host_bind_remote(&remote, &odd, viper_host_serve(&odd, &kRecorder, &recorder_));
	viper_host_bind_direct(&direct, &odd, &kRecorder, &recorder_);
	EXPECT_NE(remote.bulk, nullptr);
	EXPECT_EQ(remote.bulk_size, 8192u);
	EXPECT_NE(direct.bulk, nullptr);
	EXPECT_EQ(direct.bulk_size, 8192u);
	EXPECT_EQ(direct.peer_ctx.bulk, direct.bulk);
	EXPECT_EQ(slot_.bulk, nullptr);
	free(direct.bulk);
}

class HostNotifyTest : public ::testing::Test
{
      protected:
	void SetUp() override
	{
		viper_host_reset();
	}
	void TearDown() override
	{
		viper_host_reset();
	}
};

TEST_F(HostNotifyTest, BitsAccumulateUntilTaken)
{
	viper_handle_t send, recv;
	ASSERT_EQ(vc_channel_create(&send, &recv), VIPER_OK);
	EXPECT_NE(send, recv);
	EXPECT_EQ(viper_host_notify_channels(), 1u);
	EXPECT_EQ(vc_notified_wait(recv, VIPER_TIMEOUT_POLL), VIPER_E_TIMEOUT);
	ASSERT_EQ(vc_notify(send, 1), VIPER_OK);
	ASSERT_EQ(vc_notify(send, 4), VIPER_OK);
	ASSERT_EQ(vc_notify(send, 1ull << 62), VIPER_OK);
	EXPECT_EQ(vc_notified_wait(recv, VIPER_TIMEOUT_NONE), (int64_t)(5 | 1ull << 62));
	EXPECT_EQ(vc_notified_wait(recv, VIPER_TIMEOUT_POLL), VIPER_E_TIMEOUT)
		<< "taking the bits clears them";
}

TEST_F(HostNotifyTest, ErrorsAreTheKernels)
{
	viper_handle_t send, recv;
	EXPECT_EQ(vc_channel_create(nullptr, &recv), VIPER_E_INVAL);
	ASSERT_EQ(vc_channel_create(&send, &recv), VIPER_OK);
	EXPECT_EQ(vc_notify(send, 0), VIPER_E_INVAL);
	EXPECT_EQ(vc_notify(send, 1ull << 63), VIPER_E_INVAL);
	EXPECT_EQ(vc_notify(recv, 1), VIPER_E_KIND);
	EXPECT_EQ(vc_notified_wait(send, 0), VIPER_E_KIND);
	EXPECT_EQ(vc_notify(0x1234, 1), VIPER_E_BADHANDLE);
	EXPECT_EQ(vc_notified_wait(0x1234, 0), VIPER_E_BADHANDLE);
	EXPECT_EQ(vc_notify(send ^ 0x100, 1), VIPER_E_BADHANDLE) << "another generation";

	ASSERT_EQ(vc_handle_close(recv), VIPER_OK);
	EXPECT_EQ(vc_handle_close(recv), VIPER_E_BADHANDLE);
	EXPECT_EQ(vc_notify(send, 1), VIPER_E_PEERCLOSED);
	EXPECT_EQ(viper_host_notify_channels(), 1u) << "the send end is still open";
	ASSERT_EQ(vc_handle_close(send), VIPER_OK);
	EXPECT_EQ(viper_host_notify_channels(), 0u);
	EXPECT_EQ(vc_notify(send, 1), VIPER_E_BADHANDLE);

	viper_handle_t send2, recv2;
	ASSERT_EQ(vc_channel_create(&send2, &recv2), VIPER_OK);
	EXPECT_NE(send2, send) << "a reused slot gets a new generation";
	EXPECT_EQ(vc_notify(send, 1), VIPER_E_BADHANDLE);
	ASSERT_EQ(vc_notify(send2, 2), VIPER_OK);
	ASSERT_EQ(vc_handle_close(send2), VIPER_OK);
	EXPECT_EQ(vc_notified_wait(recv2, 0), 2) << "pending bits outlive the send end";
	EXPECT_EQ(vc_notified_wait(recv2, 0), VIPER_E_PEERCLOSED);
}

TEST_F(HostNotifyTest, TheTableHasALimit)
{
	std::vector<viper_handle_t> ends;
	viper_handle_t send, recv;
	while (vc_channel_create(&send, &recv) == VIPER_OK) {
		ends.push_back(send);
		ends.push_back(recv);
		ASSERT_LE(ends.size(), 1000u);
	}
	EXPECT_EQ(vc_channel_create(&send, &recv), VIPER_E_LIMIT);
	EXPECT_EQ(send, VIPER_HANDLE_INVALID);
	EXPECT_EQ(ends.size(), 2 * 64u);
	ASSERT_EQ(vc_handle_close(ends[0]), VIPER_OK);
	EXPECT_EQ(vc_channel_create(&send, &recv), VIPER_E_LIMIT) << "one end is still open";
	ASSERT_EQ(vc_handle_close(ends[1]), VIPER_OK);
	EXPECT_EQ(vc_channel_create(&send, &recv), VIPER_OK);
	viper_host_reset();
	EXPECT_EQ(viper_host_notify_channels(), 0u);
	EXPECT_EQ(vc_notify(send, 1), VIPER_E_BADHANDLE) << "reset closes every channel";
}

TEST_F(HostNotifyTest, WaitsWakeAcrossThreadsAndTimeOut)
{
	viper_handle_t send, recv;
	ASSERT_EQ(vc_channel_create(&send, &recv), VIPER_OK);

	auto start = std::chrono::steady_clock::now();
	EXPECT_EQ(vc_notified_wait(recv, 30 * 1000 * 1000), VIPER_E_TIMEOUT);
	EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(30));

	std::thread notifier([&] {
		std::this_thread::sleep_for(std::chrono::milliseconds(20));
		EXPECT_EQ(vc_notify(send, 8), VIPER_OK);
	});
	EXPECT_EQ(vc_notified_wait(recv, VIPER_TIMEOUT_NONE), 8);
	notifier.join();

	std::thread closer([&] {
		std::this_thread::sleep_for(std::chrono::milliseconds(20));
		EXPECT_EQ(vc_handle_close(send), VIPER_OK);
	});
	EXPECT_EQ(vc_notified_wait(recv, 5ll * 1000 * 1000 * 1000), VIPER_E_PEERCLOSED)
		<< "closing the last send end ends the wait";
	closer.join();

	viper_handle_t send2, recv2;
	ASSERT_EQ(vc_channel_create(&send2, &recv2), VIPER_OK);
	std::thread receiver_closer([&] {
		std::this_thread::sleep_for(std::chrono::milliseconds(20));
		EXPECT_EQ(vc_handle_close(recv2), VIPER_OK);
	});
	EXPECT_EQ(vc_notified_wait(recv2, VIPER_TIMEOUT_NONE), VIPER_E_CLOSED);
	receiver_closer.join();
}

TEST_F(HostNotifyTest, ConcurrentNotifiesLoseNoBits)
{
	viper_handle_t send, recv;
	ASSERT_EQ(vc_channel_create(&send, &recv), VIPER_OK);
	std::vector<std::thread> threads;
	for (int t = 0; t < 4; t++) {
		threads.emplace_back([send, t] {
			for (int i = 0; i < 1000; i++)
				ASSERT_EQ(vc_notify(send, 1ull << (t * 8 + i % 8)), VIPER_OK);
		});
	}
	uint64_t seen = 0;
	while (seen != 0xffffffffu) {
		int64_t bits = vc_notified_wait(recv, 5ll * 1000 * 1000 * 1000);
		ASSERT_GT(bits, 0);
		seen |= (uint64_t)bits;
	}
	for (auto &t : threads)
		t.join();
	EXPECT_EQ(seen, 0xffffffffu);
}

TEST_F(HostNotifyTest, TheTransportDropsARefusedNotifyEnd)
{
	viper_handle_t send, recv;
	ASSERT_EQ(vc_channel_create(&send, &recv), VIPER_OK);
	viper_transport_drop(recv);
	EXPECT_EQ(vc_notify(send, 1), VIPER_E_PEERCLOSED);
	EXPECT_EQ(viper_host_dropped_handles(), 1u);
}

// What a test's hooks see and answer.
struct Hooks {
	std::atomic<int> irq_waits{0};
	viper_handle_t last_irq = 0;
	int64_t last_timeout = 0;
	uint64_t killed = 0;
};

TEST_F(HostNotifyTest, KernelCallsGoToTheHooksOrAreUnsupported)
{
	struct viper_system_info info;
	struct viper_process_entry procs[2];
	struct viper_handle_entry handles[2];
	uint32_t total = 0;
	EXPECT_EQ(vc_irq_wait(5, VIPER_TIMEOUT_NONE), VIPER_E_UNSUPPORTED);
	EXPECT_EQ(vc_irq_ack(5), VIPER_E_UNSUPPORTED);
	EXPECT_EQ(vc_handle_list(handles, 2, &total), VIPER_E_UNSUPPORTED);
	EXPECT_EQ(vc_system_info(7, &info), VIPER_E_UNSUPPORTED);
	EXPECT_EQ(vc_system_processes(7, procs, 2, &total), VIPER_E_UNSUPPORTED);
	EXPECT_EQ(vc_system_handles(7, 1, handles, 2, &total), VIPER_E_UNSUPPORTED);
	EXPECT_EQ(vc_system_kill(7, 1), VIPER_E_UNSUPPORTED);

	Hooks hooks;
	viper_host_fakes fakes = {};
	fakes.context = &hooks;
	fakes.irq_wait = [](void *c, viper_handle_t irq, int64_t timeout) -> int32_t {
		auto *h = static_cast<Hooks *>(c);
		h->irq_waits++;
		h->last_irq = irq;
		h->last_timeout = timeout;
		return VIPER_E_TIMEOUT;
	};
	fakes.system_kill = [](void *c, viper_handle_t, uint64_t koid) -> int32_t {
		static_cast<Hooks *>(c)->killed = koid;
		return VIPER_E_RIGHTS;
	};
	viper_host_set_fakes(&fakes);
	EXPECT_EQ(vc_irq_wait(5, 1000), VIPER_E_TIMEOUT);
	EXPECT_EQ(hooks.irq_waits.load(), 1);
	EXPECT_EQ(hooks.last_irq, 5u);
	EXPECT_EQ(hooks.last_timeout, 1000);
	EXPECT_EQ(vc_system_kill(7, 42), VIPER_E_RIGHTS);
	EXPECT_EQ(hooks.killed, 42u);
	EXPECT_EQ(vc_irq_ack(5), VIPER_E_UNSUPPORTED) << "a hook left NULL";

	viper_host_reset();
	EXPECT_EQ(vc_irq_wait(5, 0), VIPER_E_UNSUPPORTED) << "reset removes the hooks";
	EXPECT_EQ(hooks.irq_waits.load(), 1);
}

} // namespace
