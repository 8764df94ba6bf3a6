// The virtio-mmio transport and split virtqueues against a fake device
// (fake_virtio.h): legacy and modern devices, feature negotiation, queue
// set-up, requests in flight, and devices that lie, which get an error and
// never an overrun.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <memory>

#include "fake_virtio.h"

extern "C" {
#include <viper/abi.h>
#include <viper/virtq.h>
}

namespace
{

constexpr uint64_t kFeatureA = 1ull << 5;
constexpr uint64_t kFeatureB = 1ull << 9;
constexpr uint64_t kFeatureHigh = 1ull << 35;

// A DMA region in these tests, with a virtq_memory view.
struct Dma : FakeDma {
	using FakeDma::FakeDma;
	virtq_memory Memory() const
	{
		return {p, Phys(0), size};
	}
};

class Virtio : public ::testing::TestWithParam<uint32_t>
{
      protected:
	Virtio() : dev_(GetParam(), 2, kFeatureA | kFeatureB | kFeatureHigh | VIRTIO_F_VERSION_1)
	{
	}
	int32_t Init(uint64_t wanted = kFeatureA | kFeatureHigh, uint64_t required = 0)
	{
		virtio_bus bus = dev_.Bus();
		return virtio_device_init(&d_, &bus, 2, wanted, required);
	}
	void SetUpQueue(uint16_t size = 8)
	{
		ASSERT_EQ(Init(), VIPER_OK);
		virtq_memory mem = ring_.Memory();
		ASSERT_EQ(virtq_setup(q_.get(), &d_, 0, size, &mem), VIPER_OK);
		virtio_device_ready(&d_);
	}
	// A request the device reads 16 bytes of and writes `out` bytes into.
	int32_t Submit(uint32_t out, uint16_t *head, size_t slot = 0)
	{
		virtq_part parts[2] = {{data_.Phys(slot * 512), 16, false},
				       {data_.Phys(slot * 512 + 16), out, true}};
		return virtq_submit(q_.get(), parts, 2, head);
	}
	FakeVirtio dev_;
	virtio_device d_{};
	std::unique_ptr<virtq> q_ = std::make_unique<virtq>();
	Dma ring_{3 * 4096};
	Dma data_{64 * 512};
};

TEST_P(Virtio, NegotiatesTheFeaturesBothKnow)
{
	ASSERT_EQ(Init(), VIPER_OK);
	EXPECT_EQ(d_.version, GetParam());
	EXPECT_EQ(d_.device_id, 2u);
	uint32_t want = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;
	if (GetParam() == 1) {
		EXPECT_EQ(d_.features, kFeatureA) << "a legacy device has 32 feature bits";
		EXPECT_EQ(dev_.guest_page_size, 4096u);
	} else {
		EXPECT_EQ(d_.features, kFeatureA | kFeatureHigh | VIRTIO_F_VERSION_1);
		want |= VIRTIO_STATUS_FEATURES_OK;
	}
	EXPECT_EQ(dev_.accepted, d_.features);
	EXPECT_EQ(dev_.status, want);
	virtio_device_ready(&d_);
	EXPECT_TRUE(dev_.status & VIRTIO_STATUS_DRIVER_OK);
}

TEST_P(Virtio, RefusesWhatIsNotTheDeviceAsked)
{
	dev_.magic = 0x12345678;
	EXPECT_EQ(Init(), VIPER_E_NOTFOUND) << "no virtio-mmio transport";
	dev_.magic = VIRTIO_MMIO_MAGIC_VALUE;
	dev_.device_id = 0;
	EXPECT_EQ(Init(), VIPER_E_NOTFOUND) << "an empty slot";
	dev_.device_id = 4;
	EXPECT_EQ(Init(), VIPER_E_NOTFOUND) << "another kind of device";
	dev_.device_id = 2;
	dev_.version = 3;
	EXPECT_EQ(Init(), VIPER_E_UNSUPPORTED) << "a version this transport does not know";
	EXPECT_EQ(dev_.status, 0u) << "nothing was written to it";
}

TEST_P(Virtio, FailsTheDeviceWhenFeaturesAreMissing)
{
	EXPECT_EQ(Init(kFeatureA, kFeatureA | (1ull << 7)), VIPER_E_UNSUPPORTED);
	EXPECT_TRUE(dev_.status & VIRTIO_STATUS_FAILED);
	if (GetParam() == 2) {
		dev_.offered &= ~VIRTIO_F_VERSION_1;
		dev_.status = 0;
		EXPECT_EQ(Init(), VIPER_E_UNSUPPORTED) << "a modern device must offer VERSION_1";
		EXPECT_TRUE(dev_.status & VIRTIO_STATUS_FAILED);
	}
}

TEST_P(Virtio, ADeviceThatNeverSetsAStatusIsAnError)
{
	dev_.lie = FakeVirtio::Lie::kIgnoresReset;
	dev_.status = VIRTIO_STATUS_DRIVER_OK;
	EXPECT_EQ(Init(), VIPER_E_CORRUPT) << "it did not reset";
	if (GetParam() == 2) {
		dev_.lie = FakeVirtio::Lie::kDropsFeaturesOk;
		dev_.status = 0;
		EXPECT_EQ(Init(), VIPER_E_CORRUPT) << "it never keeps FEATURES_OK";
		EXPECT_TRUE(dev_.status & VIRTIO_STATUS_FAILED);
	}
}

TEST_P(Virtio, ReadsTheConfigurationLittleEndian)
{
	ASSERT_EQ(Init(), VIPER_OK);
	uint64_t v = 0;
	ASSERT_EQ(virtio_config_read(&d_, 0, 8, &v), VIPER_OK);
	EXPECT_EQ(v, 0x1716151413121110ull);
	ASSERT_EQ(virtio_config_read(&d_, 3, 2, &v), VIPER_OK) << "unaligned, across two words";
	EXPECT_EQ(v, 0x1413u);
	EXPECT_EQ(virtio_config_read(&d_, 0, 3, &v), VIPER_E_RANGE);
	EXPECT_EQ(virtio_config_read(&d_, 0xdfc, 8, &v), VIPER_E_RANGE) << "past the window";
	EXPECT_EQ(virtio_config_read(&d_, 0xffffffffu, 4, &v), VIPER_E_RANGE);
	dev_.lie = FakeVirtio::Lie::kConfigKeepsChanging;
	EXPECT_EQ(virtio_config_read(&d_, 0, 4, &v), GetParam() == 2 ? VIPER_E_BUSY : VIPER_OK)
		<< "a modern device's generation must hold still across the read";
}

TEST_P(Virtio, SetsUpAQueueWhereTheDeviceLooks)
{
	SetUpQueue(8);
	const FakeVirtio::Queue &q = dev_.queues[0];
	EXPECT_EQ(q.num, 8u);
	EXPECT_EQ(q.desc, ring_.Phys(0));
	EXPECT_EQ(q.driver, ring_.Phys(16 * 8));
	EXPECT_EQ(q.device, ring_.Phys(4096)) << "the used ring on a page of its own";
	if (GetParam() == 1) {
		EXPECT_EQ(q.align, 4096u);
		EXPECT_EQ(q.pfn, uint32_t(ring_.Phys(0) >> 12));
	} else {
		EXPECT_EQ(q.ready, 1u);
	}
	EXPECT_EQ(virtq_memory_bytes(8), 4096u + 6 + 64);
	// 4 KiB of descriptors, the available ring, then the used ring on the next page.
	EXPECT_EQ(virtq_memory_bytes(256), 2 * 4096u + 6 + 8 * 256);
}

TEST_P(Virtio, RefusesBadQueues)
{
	ASSERT_EQ(Init(), VIPER_OK);
	virtq_memory mem = ring_.Memory();
	EXPECT_EQ(virtq_setup(q_.get(), &d_, 0, 6, &mem), VIPER_E_INVAL) << "not a power of two";
	EXPECT_EQ(virtq_setup(q_.get(), &d_, 0, 0, &mem), VIPER_E_INVAL);
	EXPECT_EQ(virtq_setup(q_.get(), &d_, 0, 512, &mem), VIPER_E_INVAL) << "over VIRTQ_MAX_SIZE";
	EXPECT_EQ(virtq_setup(q_.get(), &d_, 0, 32, &mem), VIPER_E_UNSUPPORTED) << "over its max";
	EXPECT_EQ(virtq_setup(q_.get(), &d_, 2, 8, &mem), VIPER_E_UNSUPPORTED) << "no such queue";
	virtq_memory small = {mem.virt, mem.phys, 4096};
	EXPECT_EQ(virtq_setup(q_.get(), &d_, 0, 8, &small), VIPER_E_INVAL) << "too little memory";
	virtq_memory odd = {ring_.p + 8, ring_.Phys(8), 2 * 4096};
	EXPECT_EQ(virtq_setup(q_.get(), &d_, 0, 8, &odd), VIPER_E_INVAL) << "not page-aligned";
	ASSERT_EQ(virtq_setup(q_.get(), &d_, 0, 8, &mem), VIPER_OK);
	auto again = std::make_unique<virtq>();
	EXPECT_EQ(virtq_setup(again.get(), &d_, 0, 8, &mem), VIPER_E_BUSY) << "already in use";
}

TEST_P(Virtio, ARequestComesBackWithWhatTheDeviceWrote)
{
	SetUpQueue();
	uint16_t head = 99, done = 99;
	uint32_t written = 0;
	ASSERT_EQ(Submit(100, &head), VIPER_OK);
	EXPECT_EQ(virtq_in_flight(q_.get()), 1u);
	EXPECT_EQ(virtq_take_used(q_.get(), &done, &written), VIPER_E_WOULDBLOCK) << "not kicked";
	virtq_kick(q_.get());
	EXPECT_EQ(dev_.notifications, 1u);
	ASSERT_EQ(virtq_take_used(q_.get(), &done, &written), VIPER_OK);
	EXPECT_EQ(done, head);
	EXPECT_EQ(written, 100u);
	for (uint32_t i = 0; i < 100; i++)
		ASSERT_EQ(data_.p[16 + i], FakeVirtio::Pattern(i)) << i;
	EXPECT_EQ(data_.p[16 + 100], 0xee) << "nothing past the part";
	EXPECT_EQ(virtq_in_flight(q_.get()), 0u);
	EXPECT_EQ(virtio_interrupt_take(&d_), VIRTIO_INTERRUPT_USED);
	EXPECT_EQ(dev_.interrupt_status, 0u) << "acknowledged";
}

TEST_P(Virtio, ManyRequestsInFlightCompleteInAnyOrder)
{
	SetUpQueue(8);
	dev_.complete_on_notify = false;
	dev_.reverse_order = true;
	uint16_t heads[4];
	for (size_t i = 0; i < 4; i++)
		ASSERT_EQ(Submit(uint32_t(10 + i), &heads[i], i), VIPER_OK);
	uint16_t extra;
	EXPECT_EQ(Submit(8, &extra), VIPER_E_WOULDBLOCK) << "4 requests of 2 fill 8 descriptors";
	virtq_kick(q_.get());
	dev_.Serve(0);
	for (int i = 3; i >= 0; i--) {
		uint16_t done;
		uint32_t written;
		ASSERT_EQ(virtq_take_used(q_.get(), &done, &written), VIPER_OK);
		EXPECT_EQ(done, heads[i]);
		EXPECT_EQ(written, uint32_t(10 + i));
	}
	// The descriptors come back: thousands of requests reuse the same eight.
	dev_.complete_on_notify = true;
	dev_.reverse_order = false;
	for (int i = 0; i < 5000; i++) {
		uint16_t head, done;
		uint32_t written;
		ASSERT_EQ(Submit(uint32_t(1 + i % 300), &head, i % 4), VIPER_OK) << i;
		virtq_kick(q_.get());
		ASSERT_EQ(virtq_take_used(q_.get(), &done, &written), VIPER_OK) << i;
		ASSERT_EQ(done, head);
		ASSERT_EQ(written, uint32_t(1 + i % 300));
	}
	EXPECT_EQ(q_->free_count, 8u);
}

TEST_P(Virtio, RefusesMalformedRequests)
{
	SetUpQueue();
	uint16_t head;
	virtq_part empty = {data_.Phys(0), 0, false};
	EXPECT_EQ(virtq_submit(q_.get(), &empty, 1, &head), VIPER_E_INVAL);
	EXPECT_EQ(virtq_submit(q_.get(), &empty, 0, &head), VIPER_E_INVAL);
	virtq_part backwards[2] = {{data_.Phys(0), 8, true}, {data_.Phys(8), 8, false}};
	EXPECT_EQ(virtq_submit(q_.get(), backwards, 2, &head), VIPER_E_INVAL)
		<< "the device reads its parts before it writes any";
	virtq_part many[9];
	for (auto &p : many)
		p = {data_.Phys(0), 8, false};
	EXPECT_EQ(virtq_submit(q_.get(), many, 9, &head), VIPER_E_WOULDBLOCK)
		<< "more than the queue";
	EXPECT_EQ(virtq_in_flight(q_.get()), 0u);
}

struct LieCase {
	FakeVirtio::Lie lie;
	const char *what;
};

TEST_P(Virtio, ADeviceThatLiesAboutCompletionsBreaksTheQueue)
{
	const LieCase lies[] = {
		{FakeVirtio::Lie::kUsedIndexRunsAhead, "a used index past the requests"},
		{FakeVirtio::Lie::kUsedIdOutOfRange, "a used id past the queue"},
		{FakeVirtio::Lie::kUsedIdNotInFlight, "a used id that heads no request"},
		{FakeVirtio::Lie::kLengthBeyondBuffer, "a length beyond what it may write"},
	};
	for (const LieCase &c : lies) {
		dev_.status = 0;
		dev_.lie = FakeVirtio::Lie::kNone;
		SetUpQueue();
		dev_.lie = c.lie;
		uint16_t head, done = 77;
		uint32_t written = 77;
		ASSERT_EQ(Submit(64, &head), VIPER_OK) << c.what;
		virtq_kick(q_.get());
		EXPECT_EQ(virtq_take_used(q_.get(), &done, &written), VIPER_E_CORRUPT) << c.what;
		EXPECT_EQ(done, 77) << c.what << ": nothing handed back";
		EXPECT_EQ(written, 77u) << c.what;
		EXPECT_EQ(virtq_take_used(q_.get(), &done, &written), VIPER_E_CORRUPT)
			<< c.what << ": and from then on";
		EXPECT_EQ(Submit(8, &head), VIPER_E_CORRUPT) << c.what;
		EXPECT_EQ(data_.p[16 + 64], 0xee) << c.what << ": nothing past the part";
		virtio_device_reset(&d_);
	}
}

// A waiter that lets the device complete on its second wait, or times out.
struct Waiter {
	FakeVirtio *dev;
	int waits = 0, acks = 0;
	int complete_at = 2;
	static int32_t Wait(void *self)
	{
		Waiter *w = static_cast<Waiter *>(self);
		if (++w->waits == w->complete_at)
			w->dev->Serve(0);
		return w->waits > w->complete_at ? VIPER_E_TIMEOUT : VIPER_OK;
	}
	static int32_t Ack(void *self)
	{
		static_cast<Waiter *>(self)->acks++;
		return VIPER_OK;
	}
};

TEST_P(Virtio, WaitsForTheInterruptAndAcknowledgesIt)
{
	SetUpQueue();
	dev_.complete_on_notify = false;
	Waiter w{&dev_};
	virtq_waiter waiter = {Waiter::Wait, Waiter::Ack, &w};
	uint16_t head, done;
	uint32_t written;
	ASSERT_EQ(Submit(32, &head), VIPER_OK);
	virtq_kick(q_.get());
	ASSERT_EQ(virtq_wait_used(q_.get(), &waiter, &done, &written), VIPER_OK);
	EXPECT_EQ(done, head);
	EXPECT_EQ(written, 32u);
	EXPECT_EQ(w.waits, 2);
	EXPECT_EQ(w.acks, 2);
	EXPECT_GE(dev_.interrupt_acks, 1u);
	EXPECT_EQ(dev_.interrupt_status, 0u);
	// A device that never completes: the waiter's timeout comes back.
	ASSERT_EQ(Submit(32, &head), VIPER_OK);
	virtq_kick(q_.get());
	EXPECT_EQ(virtq_wait_used(q_.get(), &waiter, &done, &written), VIPER_E_TIMEOUT);
}

INSTANTIATE_TEST_SUITE_P(LegacyAndModern, Virtio, ::testing::Values(1u, 2u),
			 [](const ::testing::TestParamInfo<uint32_t> &i) {
				 return i.param == 1 ? std::string("legacy")
						     : std::string("modern");
			 });

} // namespace
