// virtio_rng on the host, against the fake virtio device of
// //platform/virtio (legacy and modern): Reads of every length, a device
// that gives fewer bytes than asked, one that lies about what it wrote, one
// that never answers, and the wrong device.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>

#include "fake_virtio.h"

extern "C" {
#include <virtio_rng/virtio_rng.h>
}

namespace
{

// The waiter of these tests: a device that completes at once has nothing to
// wait for; one that does not is given up after the first wait.
int32_t WaitTimesOut(void *)
{
	return VIPER_E_TIMEOUT;
}

class VirtioRng : public ::testing::TestWithParam<uint32_t>
{
      protected:
	VirtioRng() : dev_(GetParam(), 4, GetParam() == 2 ? VIRTIO_F_VERSION_1 : 0)
	{
	}
	int32_t Start()
	{
		virtio_bus bus = dev_.Bus();
		virtq_memory ring = {ring_.p, ring_.Phys(0), ring_.size};
		virtq_waiter waiter = {WaitTimesOut, nullptr, nullptr};
		return virtio_rng_start(rng_.get(), &bus, &ring, buffer_.p, buffer_.Phys(0),
					&waiter);
	}
	FakeVirtio dev_;
	FakeDma ring_{2 * 4096};
	FakeDma buffer_{4096};
	std::unique_ptr<virtio_rng> rng_ = std::make_unique<virtio_rng>();
};

TEST_P(VirtioRng, ReadsEveryLengthFromTheDevice)
{
	ASSERT_EQ(Start(), VIPER_OK);
	EXPECT_TRUE(dev_.status & VIRTIO_STATUS_DRIVER_OK);
	for (uint32_t len = 1; len <= VIRTIO_RNG_MAX_READ; len++) {
		uint8_t out[VIRTIO_RNG_MAX_READ + 1];
		memset(out, 0, sizeof(out));
		ASSERT_EQ(virtio_rng_fill(rng_.get(), out, len), VIPER_OK) << len;
		for (uint32_t i = 0; i < len; i++)
			ASSERT_EQ(out[i], FakeVirtio::Pattern(i)) << len << " " << i;
		EXPECT_EQ(out[len], 0) << "nothing past the length";
	}
	uint8_t out[1];
	EXPECT_EQ(virtio_rng_fill(rng_.get(), out, 0), VIPER_E_RANGE);
	EXPECT_EQ(virtio_rng_fill(rng_.get(), out, VIRTIO_RNG_POOL + 1), VIPER_E_RANGE);
	for (uint32_t i = 0; i < VIRTIO_RNG_MAX_READ; i++)
		ASSERT_EQ(buffer_.p[i], 0) << "the device's buffer keeps no copy: " << i;
}

// Reads come from a pool the device filled ahead: one request per
// VIRTIO_RNG_POOL bytes, each byte given once, in no two Reads.
TEST_P(VirtioRng, TakesFromAPoolTheDeviceFills)
{
	ASSERT_EQ(Start(), VIPER_OK);
	uint8_t out[VIRTIO_RNG_MAX_READ];
	for (uint32_t n = 0; n < VIRTIO_RNG_POOL / 32; n++) {
		ASSERT_EQ(virtio_rng_take(rng_.get(), out, 32), VIPER_OK) << n;
		for (uint32_t i = 0; i < 32; i++)
			ASSERT_EQ(out[i], FakeVirtio::Pattern(VIRTIO_RNG_POOL - 32 * (n + 1) + i))
				<< n << " " << i;
		EXPECT_EQ(dev_.notifications, 1u) << "one device request for the whole pool";
		EXPECT_EQ(rng_->refills, 1u);
	}
	for (uint32_t i = 0; i < VIRTIO_RNG_POOL; i++)
		ASSERT_EQ(rng_->pool[i], 0) << "given bytes are wiped: " << i;
	ASSERT_EQ(virtio_rng_take(rng_.get(), out, 1), VIPER_OK);
	EXPECT_EQ(dev_.notifications, 2u) << "an empty pool is refilled";
	EXPECT_EQ(rng_->pooled, VIRTIO_RNG_POOL - 1);
	ASSERT_EQ(virtio_rng_take(rng_.get(), out, VIRTIO_RNG_MAX_READ), VIPER_OK);
	EXPECT_EQ(virtio_rng_take(rng_.get(), out, 0), VIPER_E_RANGE);
	EXPECT_EQ(virtio_rng_take(rng_.get(), out, VIRTIO_RNG_MAX_READ + 1), VIPER_E_RANGE);
	EXPECT_EQ(rng_->pooled, VIRTIO_RNG_POOL - 1 - VIRTIO_RNG_MAX_READ)
		<< "refusals take nothing";
}

// A Read the pool cannot cover refills it whole: what was left is not given.
TEST_P(VirtioRng, APoolTooShortIsRefilledWhole)
{
	ASSERT_EQ(Start(), VIPER_OK);
	uint8_t out[64];
	for (uint32_t n = 0; n < 4; n++)
		ASSERT_EQ(virtio_rng_take(rng_.get(), out, 60), VIPER_OK);
	EXPECT_EQ(rng_->pooled, 16u);
	ASSERT_EQ(virtio_rng_take(rng_.get(), out, 17), VIPER_OK);
	EXPECT_EQ(rng_->refills, 2u);
	EXPECT_EQ(rng_->pooled, VIRTIO_RNG_POOL - 17);
	for (uint32_t i = 0; i < 17; i++)
		ASSERT_EQ(out[i], FakeVirtio::Pattern(VIRTIO_RNG_POOL - 17 + i)) << i;
}

TEST_P(VirtioRng, AsksAgainWhenTheDeviceGivesFewer)
{
	ASSERT_EQ(Start(), VIPER_OK);
	dev_.max_write = 10;
	uint8_t out[64];
	ASSERT_EQ(virtio_rng_fill(rng_.get(), out, 64), VIPER_OK) << "7 requests of at most 10";
	for (uint32_t i = 0; i < 64; i++)
		ASSERT_EQ(out[i], FakeVirtio::Pattern(i % 10)) << i;
	dev_.max_write = 5;
	EXPECT_EQ(virtio_rng_fill(rng_.get(), out, 64), VIPER_E_TIMEOUT)
		<< "13 requests are more than a Read may take";
	dev_.max_write = 64;
	EXPECT_EQ(virtio_rng_fill(rng_.get(), out, 64), VIPER_OK)
		<< "a slow device is not given up";
}

// Met by a Read's refill of the pool: nothing given, the pool empty, the device reset.
TEST_P(VirtioRng, ADeviceThatLiesIsGivenUp)
{
	ASSERT_EQ(Start(), VIPER_OK);
	dev_.lie = FakeVirtio::Lie::kLengthBeyondBuffer;
	uint8_t out[64];
	memset(out, 0, sizeof(out));
	EXPECT_EQ(virtio_rng_take(rng_.get(), out, 16), VIPER_E_CORRUPT);
	EXPECT_EQ(out[0], 0) << "nothing taken from a device that lied";
	EXPECT_EQ(rng_->pooled, 0u);
	EXPECT_EQ(dev_.status, 0u) << "it was reset";
	dev_.lie = FakeVirtio::Lie::kNone;
	EXPECT_EQ(virtio_rng_take(rng_.get(), out, 16), VIPER_E_CORRUPT);
	EXPECT_EQ(virtio_rng_fill(rng_.get(), out, 16), VIPER_E_CORRUPT) << "and stays given up";
}

TEST_P(VirtioRng, ADeviceThatNeverAnswersTimesOut)
{
	ASSERT_EQ(Start(), VIPER_OK);
	dev_.complete_on_notify = false;
	uint8_t out[8];
	EXPECT_EQ(virtio_rng_fill(rng_.get(), out, 8), VIPER_E_TIMEOUT);
	EXPECT_EQ(dev_.status, 0u) << "reset: it must not write into the buffer later";
	EXPECT_EQ(virtio_rng_fill(rng_.get(), out, 8), VIPER_E_TIMEOUT);
}

TEST_P(VirtioRng, RefusesAnotherDevice)
{
	dev_.device_id = 2;
	EXPECT_EQ(Start(), VIPER_E_NOTFOUND);
}

TEST_P(VirtioRng, TheEntropyReadAnswersWithTheBytes)
{
	ASSERT_EQ(Start(), VIPER_OK);
	viper_entropy_ReadRequest req = {32};
	viper_entropy_ReadReply rep = {};
	ASSERT_EQ(virtio_rng_server.read(rng_.get(), nullptr, &req, &rep), VIPER_OK);
	ASSERT_EQ(rep.data.size, 32u);
	for (uint32_t i = 0; i < 32; i++)
		ASSERT_EQ(rep.data.bytes[i], FakeVirtio::Pattern(VIRTIO_RNG_POOL - 32 + i));
	req.length = 65;
	EXPECT_EQ(virtio_rng_server.read(rng_.get(), nullptr, &req, &rep), VIPER_E_RANGE);
}

INSTANTIATE_TEST_SUITE_P(LegacyAndModern, VirtioRng, ::testing::Values(1u, 2u),
			 [](const ::testing::TestParamInfo<uint32_t> &i) {
				 return i.param == 1 ? std::string("legacy")
						     : std::string("modern");
			 });

} // namespace
