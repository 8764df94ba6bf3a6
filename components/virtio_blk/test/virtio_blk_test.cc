// virtio_blk on the host, against the fake virtio device of
// //platform/virtio (legacy and modern) acting as a virtio-blk device over
// a disk in memory: reads and writes of every size up to the limit, with
// their requests in flight at once and completed in any order, flushes,
// read-only disks, requests past the end, a device that fails a request, one
// that answers with a status it may not give, one that corrupts its queue,
// one that never answers, and the interface's Read and Write through leases
// over the host transport.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "fake_virtio.h"

extern "C" {
#include <viper/component.h>
#include <viper/host_transport.h>
#include <virtio_blk/virtio_blk.h>
}

namespace
{

int32_t WaitTimesOut(void *)
{
	return VIPER_E_TIMEOUT;
}

constexpr uint64_t kSectors = 8192; // a 4 MiB disk

// A virtio-blk device model (virtio 1.1, 5.2.6) over `disk`.
struct BlockModel {
	std::vector<uint8_t> disk = std::vector<uint8_t>(kSectors * 512);
	uint8_t status = 0;    // what it answers every request with
	uint32_t requests = 0; // served
	uint32_t flushes = 0;
	uint32_t largest_batch = 0; // requests served at one notification
	uint32_t batch = 0;

	uint32_t Serve(const std::vector<FakeVirtio::Part> &parts)
	{
		requests++;
		batch++;
		largest_batch = std::max(largest_batch, batch);
		uint32_t type, sector_lo, sector_hi;
		memcpy(&type, parts.front().p, 4);
		memcpy(&sector_lo, parts.front().p + 8, 4);
		memcpy(&sector_hi, parts.front().p + 12, 4);
		uint64_t offset = ((uint64_t(sector_hi) << 32) | sector_lo) * 512;
		const FakeVirtio::Part &st = parts.back();
		uint32_t written = 1;
		if (type == 4) {
			flushes++;
		} else if (parts.size() == 3 && offset + parts[1].len <= disk.size()) {
			if (type == 0) {
				memcpy(parts[1].p, disk.data() + offset, parts[1].len);
				written += parts[1].len;
			} else if (status == 0) {
				memcpy(disk.data() + offset, parts[1].p, parts[1].len);
			}
		}
		st.p[0] = status;
		return written;
	}
};

class VirtioBlk : public ::testing::TestWithParam<uint32_t>
{
      protected:
	VirtioBlk()
	    : dev_(GetParam(), 2, (GetParam() == 2 ? VIRTIO_F_VERSION_1 : 0) | VIRTIO_BLK_F_FLUSH)
	{
		dev_.queue_num_max = 256; // as QEMU's virtio-blk
		dev_.config.resize(64);
		uint64_t capacity = kSectors;
		memcpy(dev_.config.data(), &capacity, 8);
		dev_.handler = [this](uint32_t q, const std::vector<FakeVirtio::Part> &parts) {
			EXPECT_EQ(q, 0u);
			return model_.Serve(parts);
		};
	}
	int32_t Start()
	{
		virtio_bus bus = dev_.Bus();
		virtq_memory ring = {ring_.p, ring_.Phys(0), ring_.size};
		virtq_memory dma = {dma_.p, dma_.Phys(0), dma_.size};
		virtq_waiter waiter = {WaitTimesOut, nullptr, nullptr};
		return virtio_blk_start(blk_.get(), &bus, &ring, &dma, &waiter);
	}
	static std::vector<uint8_t> Pattern(size_t n, uint8_t seed)
	{
		std::vector<uint8_t> v(n);
		for (size_t i = 0; i < n; i++)
			v[i] = uint8_t(seed + i * 7 + i / 512);
		return v;
	}
	BlockModel model_;
	FakeVirtio dev_;
	FakeDma ring_{2 * 4096};
	FakeDma dma_{VIRTIO_BLK_DMA_BYTES};
	std::unique_ptr<virtio_blk> blk_ = std::make_unique<virtio_blk>();
};

TEST_P(VirtioBlk, StartsWithTheConfiguredCapacity)
{
	ASSERT_EQ(Start(), VIPER_OK);
	EXPECT_TRUE(dev_.status & VIRTIO_STATUS_DRIVER_OK);
	EXPECT_EQ(blk_->capacity, kSectors);
	EXPECT_TRUE(blk_->flush);
	EXPECT_FALSE(blk_->read_only);
	viper_block_InfoRequest req = {};
	viper_block_InfoReply rep = {};
	ASSERT_EQ(virtio_blk_server.info(blk_.get(), nullptr, &req, &rep), VIPER_OK);
	EXPECT_EQ(rep.block_count, kSectors);
	EXPECT_EQ(rep.block_bytes, 512u);
	EXPECT_EQ(rep.max_blocks, VIRTIO_BLK_MAX_BLOCKS);
	EXPECT_TRUE(rep.volatile_cache);
	EXPECT_STREQ(rep.model, "virtio-blk");
}

TEST_P(VirtioBlk, WritesAndReadsBackEverySizeWithRequestsInFlightAtOnce)
{
	ASSERT_EQ(Start(), VIPER_OK);
	for (uint32_t count :
	     {1u, 7u, 63u, 64u, 65u, 255u, 256u, 257u, 700u, VIRTIO_BLK_MAX_BLOCKS}) {
		uint64_t sector = kSectors - count - 3;
		std::vector<uint8_t> out = Pattern(count * 512, uint8_t(count));
		model_.batch = 0;
		model_.largest_batch = 0;
		ASSERT_EQ(virtio_blk_transfer(blk_.get(), true, sector, count, out.data()),
			  VIPER_OK)
			<< count;
		EXPECT_EQ(model_.largest_batch, (count + 255) / 256)
			<< "one request per 128 KiB slot, all in flight: " << count;
		ASSERT_EQ(memcmp(model_.disk.data() + sector * 512, out.data(), out.size()), 0)
			<< count;
		std::vector<uint8_t> in(count * 512, 0);
		ASSERT_EQ(virtio_blk_transfer(blk_.get(), false, sector, count, in.data()),
			  VIPER_OK)
			<< count;
		ASSERT_EQ(in, out) << count;
	}
}

TEST_P(VirtioBlk, CompletionsInAnyOrderLandInTheirOwnPlace)
{
	ASSERT_EQ(Start(), VIPER_OK);
	dev_.reverse_order = true;
	std::vector<uint8_t> out = Pattern(VIRTIO_BLK_MAX_BLOCKS * 512, 3);
	memcpy(model_.disk.data(), out.data(), out.size());
	std::vector<uint8_t> in(out.size(), 0);
	ASSERT_EQ(virtio_blk_transfer(blk_.get(), false, 0, VIRTIO_BLK_MAX_BLOCKS, in.data()),
		  VIPER_OK);
	EXPECT_EQ(in, out);
}

// Sequential reads: after the second, the next two ranges are read ahead
// into the two sets of slots, so the third asks the device for nothing of
// its own, only for the range after those; a write over what was read
// ahead, a read elsewhere and a failed read-ahead each give the device's
// current bytes.
TEST_P(VirtioBlk, SequentialReadsAreReadAheadAndWritesReplaceWhatWas)
{
	ASSERT_EQ(Start(), VIPER_OK);
	std::vector<uint8_t> disk = Pattern(kSectors * 512, 5);
	model_.disk = disk;
	const uint32_t n = 256;
	std::vector<uint8_t> in(n * 512);
	auto read = [&](uint64_t sector, uint32_t count, uint8_t *to) {
		return virtio_blk_transfer(blk_.get(), false, sector, count, to);
	};
	ASSERT_EQ(read(0, n, in.data()), VIPER_OK);
	EXPECT_EQ(model_.requests, 1u) << "a first read: nothing ahead";
	ASSERT_EQ(read(n, n, in.data()), VIPER_OK);
	EXPECT_EQ(model_.requests, 4u) << "its own, and the next two ranges ahead";
	ASSERT_EQ(read(2 * n, n, in.data()), VIPER_OK);
	EXPECT_EQ(memcmp(in.data(), disk.data() + 2 * n * 512, in.size()), 0);
	EXPECT_EQ(model_.requests, 5u) << "served from the read-ahead; one more range asked";
	ASSERT_EQ(read(3 * n, n, in.data()), VIPER_OK);
	EXPECT_EQ(memcmp(in.data(), disk.data() + 3 * n * 512, in.size()), 0);
	EXPECT_EQ(model_.requests, 6u);
	// A write over a range read ahead: the read sees what was written.
	std::vector<uint8_t> out = Pattern(n * 512, 9);
	ASSERT_EQ(virtio_blk_transfer(blk_.get(), true, 4 * n, n, out.data()), VIPER_OK);
	ASSERT_EQ(read(4 * n, n, in.data()), VIPER_OK);
	EXPECT_EQ(in, out);
	memcpy(disk.data() + 4 * n * 512, out.data(), out.size());
	// A smaller read at the start of a range ahead is served from it.
	ASSERT_EQ(read(5 * n, n, in.data()), VIPER_OK);
	uint32_t asked = model_.requests;
	std::vector<uint8_t> part(64 * 512);
	ASSERT_EQ(read(6 * n, 64, part.data()), VIPER_OK);
	EXPECT_EQ(memcmp(part.data(), disk.data() + 6 * n * 512, part.size()), 0);
	EXPECT_EQ(model_.requests, asked) << "too short to read ahead after it";
	// A read-ahead the device fails: the read asks again and gets the device's answer.
	ASSERT_EQ(read(0, n, in.data()), VIPER_OK);
	ASSERT_EQ(read(n, n, in.data()), VIPER_OK);
	model_.status = 1; // the range read ahead after the next one fails
	ASSERT_EQ(read(2 * n, n, in.data()), VIPER_OK) << "read ahead before the failure";
	model_.status = 0;
	ASSERT_EQ(read(3 * n, n, in.data()), VIPER_OK);
	asked = model_.requests;
	ASSERT_EQ(read(4 * n, n, in.data()), VIPER_OK) << "its read-ahead failed: asked again";
	EXPECT_EQ(model_.requests, asked + 3) << "its own again, and two ranges ahead anew";
	EXPECT_EQ(memcmp(in.data(), disk.data() + 4 * n * 512, in.size()), 0);
	EXPECT_EQ(dev_.status & 4u, 4u) << "still DRIVER_OK";
}

TEST_P(VirtioBlk, RefusesBadRequestsBeforeTheDeviceSeesThem)
{
	ASSERT_EQ(Start(), VIPER_OK);
	std::vector<uint8_t> buf((VIRTIO_BLK_MAX_BLOCKS + 1) * 512);
	EXPECT_EQ(virtio_blk_transfer(blk_.get(), false, 0, 0, buf.data()), VIPER_E_INVAL);
	EXPECT_EQ(virtio_blk_transfer(blk_.get(), false, 0, VIRTIO_BLK_MAX_BLOCKS + 1, buf.data()),
		  VIPER_E_INVAL);
	EXPECT_EQ(virtio_blk_transfer(blk_.get(), false, kSectors, 1, buf.data()), VIPER_E_RANGE);
	EXPECT_EQ(virtio_blk_transfer(blk_.get(), true, kSectors - 1, 2, buf.data()),
		  VIPER_E_RANGE);
	EXPECT_EQ(virtio_blk_transfer(blk_.get(), false, UINT64_MAX, 2, buf.data()), VIPER_E_RANGE)
		<< "no wrapping";
	EXPECT_EQ(model_.requests, 0u);
}

TEST_P(VirtioBlk, FlushReachesTheDeviceOnlyWhenItHasACache)
{
	ASSERT_EQ(Start(), VIPER_OK);
	EXPECT_EQ(virtio_blk_flush(blk_.get()), VIPER_OK);
	EXPECT_EQ(model_.flushes, 1u);
	dev_.offered &= ~VIRTIO_BLK_F_FLUSH;
	blk_ = std::make_unique<virtio_blk>();
	ASSERT_EQ(Start(), VIPER_OK);
	EXPECT_FALSE(blk_->flush);
	EXPECT_EQ(virtio_blk_flush(blk_.get()), VIPER_OK);
	EXPECT_EQ(model_.flushes, 1u) << "write-through: nothing to flush";
}

TEST_P(VirtioBlk, AReadOnlyDiskRefusesWrites)
{
	dev_.offered |= VIRTIO_BLK_F_RO;
	ASSERT_EQ(Start(), VIPER_OK);
	std::vector<uint8_t> buf(512, 1);
	EXPECT_EQ(virtio_blk_transfer(blk_.get(), true, 0, 1, buf.data()), VIPER_E_READONLY);
	EXPECT_EQ(virtio_blk_transfer(blk_.get(), false, 0, 1, buf.data()), VIPER_OK);
	EXPECT_EQ(model_.requests, 1u);
}

TEST_P(VirtioBlk, AFailedRequestIsAnIoErrorForThatCallOnly)
{
	ASSERT_EQ(Start(), VIPER_OK);
	std::vector<uint8_t> buf(4096, 1);
	model_.status = 1; // IOERR
	EXPECT_EQ(virtio_blk_transfer(blk_.get(), true, 0, 8, buf.data()), VIPER_E_IO);
	EXPECT_EQ(virtio_blk_flush(blk_.get()), VIPER_E_IO);
	model_.status = 2; // UNSUPP
	EXPECT_EQ(virtio_blk_transfer(blk_.get(), false, 0, 8, buf.data()), VIPER_E_IO);
	model_.status = 0;
	EXPECT_EQ(virtio_blk_transfer(blk_.get(), true, 0, 8, buf.data()), VIPER_OK)
		<< "the device is still used";
}

TEST_P(VirtioBlk, AStatusNoDeviceMayGiveResetsTheDevice)
{
	ASSERT_EQ(Start(), VIPER_OK);
	std::vector<uint8_t> buf(512, 1);
	model_.status = 0x7f;
	EXPECT_EQ(virtio_blk_transfer(blk_.get(), false, 0, 1, buf.data()), VIPER_E_CORRUPT);
	EXPECT_EQ(dev_.status, 0u) << "reset: it must not use the DMA memory later";
	model_.status = 0;
	EXPECT_EQ(virtio_blk_transfer(blk_.get(), false, 0, 1, buf.data()), VIPER_E_CORRUPT)
		<< "and stays given up";
	EXPECT_EQ(virtio_blk_flush(blk_.get()), VIPER_E_CORRUPT);
}

TEST_P(VirtioBlk, ACorruptQueueResetsTheDevice)
{
	for (auto lie :
	     {FakeVirtio::Lie::kUsedIdOutOfRange, FakeVirtio::Lie::kUsedIdNotInFlight,
	      FakeVirtio::Lie::kUsedIndexRunsAhead, FakeVirtio::Lie::kLengthBeyondBuffer}) {
		blk_ = std::make_unique<virtio_blk>();
		dev_.lie = FakeVirtio::Lie::kNone;
		ASSERT_EQ(Start(), VIPER_OK);
		dev_.lie = lie;
		std::vector<uint8_t> buf(512 * 130, 0);
		EXPECT_EQ(virtio_blk_transfer(blk_.get(), false, 0, 130, buf.data()),
			  VIPER_E_CORRUPT)
			<< int(lie);
		EXPECT_EQ(dev_.status, 0u) << int(lie);
	}
}

TEST_P(VirtioBlk, ADeviceThatNeverAnswersTimesOut)
{
	ASSERT_EQ(Start(), VIPER_OK);
	dev_.complete_on_notify = false;
	std::vector<uint8_t> buf(512);
	EXPECT_EQ(virtio_blk_transfer(blk_.get(), true, 0, 1, buf.data()), VIPER_E_TIMEOUT);
	EXPECT_EQ(dev_.status, 0u) << "reset";
	EXPECT_EQ(virtio_blk_flush(blk_.get()), VIPER_E_TIMEOUT);
}

TEST_P(VirtioBlk, RefusesAnotherDeviceAndATooSmallRegion)
{
	dev_.device_id = 4;
	EXPECT_EQ(Start(), VIPER_E_NOTFOUND);
	dev_.device_id = 2;
	virtio_bus bus = dev_.Bus();
	virtq_memory ring = {ring_.p, ring_.Phys(0), ring_.size};
	virtq_memory dma = {dma_.p, dma_.Phys(0), VIRTIO_BLK_DMA_BYTES - 4096};
	virtq_waiter waiter = {WaitTimesOut, nullptr, nullptr};
	EXPECT_EQ(virtio_blk_start(blk_.get(), &bus, &ring, &dma, &waiter), VIPER_E_INVAL);
}

// Through the interface over the host transport: the stubs lend the
// caller's memory, and the driver checks the lease's length.
TEST_P(VirtioBlk, TheInterfaceMovesDataByLease)
{
	ASSERT_EQ(Start(), VIPER_OK);
	viper_slot slot;
	viper_host_bind_remote(&slot, &block_interface,
			       viper_host_serve(&block_interface, &virtio_blk_server, blk_.get()));
	viper_handle_t mem;
	void *p;
	uint64_t size;
	ASSERT_EQ(vc_memory_create(65536, &mem), VIPER_OK);
	ASSERT_EQ(vc_memory_map(mem, &p, &size), VIPER_OK);
	std::vector<uint8_t> out = Pattern(8192, 9);
	memcpy(static_cast<uint8_t *>(p) + 4096, out.data(), out.size());

	viper_block_WriteRequest w = {100, 16, mem, 4096, 8192};
	viper_block_WriteReply wrep;
	ASSERT_EQ(block_write(&slot, &w, &wrep), VIPER_OK);
	EXPECT_EQ(memcmp(model_.disk.data() + 100 * 512, out.data(), out.size()), 0);
	viper_block_ReadRequest r = {100, 16, mem, 32768, 8192};
	viper_block_ReadReply rrep;
	ASSERT_EQ(block_read(&slot, &r, &rrep), VIPER_OK);
	EXPECT_EQ(memcmp(static_cast<uint8_t *>(p) + 32768, out.data(), out.size()), 0);

	r.data_length = 4096; // a lease of another length than 16 blocks
	EXPECT_EQ(block_read(&slot, &r, &rrep), VIPER_E_INVAL);
	r = {kSectors - 1, 2, mem, 0, 1024};
	EXPECT_EQ(block_read(&slot, &r, &rrep), VIPER_E_RANGE);
	r = {0, 1, 0, 0, 512};
	EXPECT_EQ(block_read(&slot, &r, &rrep), VIPER_E_INVAL) << "no lease";
	r = {0, 1, mem, 65536 - 256, 512};
	EXPECT_EQ(block_read(&slot, &r, &rrep), VIPER_E_RANGE) << "past the memory object";
	viper_block_FlushRequest f = {};
	viper_block_FlushReply frep;
	EXPECT_EQ(block_flush(&slot, &f, &frep), VIPER_OK);
	EXPECT_EQ(vc_memory_unmap(p, size), VIPER_OK);
	EXPECT_EQ(vc_handle_close(mem), VIPER_OK);
	viper_host_reset();
}

INSTANTIATE_TEST_SUITE_P(LegacyAndModern, VirtioBlk, ::testing::Values(1u, 2u),
			 [](const ::testing::TestParamInfo<uint32_t> &i) {
				 return i.param == 1 ? std::string("legacy")
						     : std::string("modern");
			 });

} // namespace
