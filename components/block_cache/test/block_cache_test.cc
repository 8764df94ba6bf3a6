// block_cache on the host, over a fake disk served on the host transport
// (every call through the disk's stub, data by lease) that records what
// reaches it and fails when told to: hits after a miss, read-ahead, writes
// held until a Flush and then written in block order before the disk's
// flush, partial pages, eviction of dirty runs in one call, a short last
// page, a failing disk that loses nothing, bad requests, and a random
// workload against a model of the disk.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

extern "C" {
#include <block_cache/block_cache.h>
#include <viper/component.h>
#include <viper/host_transport.h>
}

namespace
{

struct Call {
	char op; // 'r', 'w', 'f'
	uint64_t block;
	uint32_t count;
};

struct FakeDisk {
	std::vector<uint8_t> bytes;
	std::vector<Call> calls;
	uint32_t max_blocks = 256;
	bool read_only = false;
	int32_t fail_writes = VIPER_OK;

	uint64_t Blocks() const
	{
		return bytes.size() / 512;
	}
	int calls_of(char op) const
	{
		int n = 0;
		for (const Call &c : calls)
			n += c.op == op;
		return n;
	}
};

FakeDisk *g_disk;

int32_t DiskInfo(void *, viper_rpc_context *, const viper_block_InfoRequest *,
		 viper_block_InfoReply *rep)
{
	rep->block_count = g_disk->Blocks();
	rep->block_bytes = 512;
	rep->max_blocks = g_disk->max_blocks;
	rep->read_only = g_disk->read_only;
	rep->volatile_cache = true;
	strcpy(rep->model, "fake");
	return VIPER_OK;
}

int32_t DiskMove(viper_rpc_context *ctx, char op, uint64_t block, uint32_t count)
{
	uint8_t *p;
	EXPECT_EQ(ctx->lease_count, 1u);
	EXPECT_EQ(ctx->leases[0].length, uint64_t(count) * 512);
	EXPECT_LE(count, g_disk->max_blocks);
	EXPECT_LE(block + count, g_disk->Blocks());
	if (vc_lease_map(&ctx->leases[0], &p) != VIPER_OK)
		return VIPER_E_FAULT;
	g_disk->calls.push_back({op, block, count});
	if (op == 'r') {
		memcpy(p, g_disk->bytes.data() + block * 512, count * 512);
		return VIPER_OK;
	}
	if (g_disk->fail_writes)
		return g_disk->fail_writes;
	memcpy(g_disk->bytes.data() + block * 512, p, count * 512);
	return VIPER_OK;
}

int32_t DiskRead(void *, viper_rpc_context *ctx, const viper_block_ReadRequest *req,
		 viper_block_ReadReply *)
{
	return DiskMove(ctx, 'r', req->block, req->count);
}

int32_t DiskWrite(void *, viper_rpc_context *ctx, const viper_block_WriteRequest *req,
		  viper_block_WriteReply *)
{
	return DiskMove(ctx, 'w', req->block, req->count);
}

int32_t DiskFlush(void *, viper_rpc_context *, const viper_block_FlushRequest *,
		  viper_block_FlushReply *)
{
	g_disk->calls.push_back({'f', 0, 0});
	return VIPER_OK;
}

const block_server kDisk = {DiskInfo, DiskRead, DiskWrite, DiskFlush};

class BlockCache : public ::testing::Test
{
      protected:
	void Start(uint64_t blocks, uint32_t pages)
	{
		disk_.bytes.resize(blocks * 512);
		for (size_t i = 0; i < disk_.bytes.size(); i++)
			disk_.bytes[i] = uint8_t(i * 13 + i / 512);
		g_disk = &disk_;
		viper_host_bind_remote(&disk_slot_, &block_interface,
				       viper_host_serve(&block_interface, &kDisk, nullptr));
		ASSERT_EQ(block_cache_start(cache_.get(), &disk_slot_, pages), VIPER_OK);
		model_ = disk_.bytes;
	}
	void TearDown() override
	{
		viper_host_reset();
	}
	// An instance of `pages` over `disk`, served through its interface on *slot.
	void *Instance(viper_slot *disk, uint32_t pages, viper_slot *slot)
	{
		viper_instance_env env = {};
		env.name = "cache";
		env.slots[0] = disk;
		env.slot_count = 1;
		env.params[0] = pages;
		env.param_count = 1;
		void *state = nullptr;
		int32_t status = VIPER_E_INVAL;
		EXPECT_NE(viper_host_start("block_cache", &env, &state, &status), nullptr);
		EXPECT_EQ(status, VIPER_OK);
		viper_host_bind_remote(
			slot, &block_interface,
			viper_host_serve(&block_interface, &block_cache_server, state));
		return state;
	}
	std::vector<uint8_t> Fresh(uint32_t count)
	{
		std::vector<uint8_t> v(count * 512);
		for (auto &b : v)
			b = uint8_t(rng_());
		return v;
	}
	void Write(uint64_t block, uint32_t count)
	{
		std::vector<uint8_t> v = Fresh(count);
		ASSERT_EQ(block_cache_write(cache_.get(), block, count, v.data()), VIPER_OK);
		memcpy(model_.data() + block * 512, v.data(), v.size());
	}
	bool ReadMatches(uint64_t block, uint32_t count)
	{
		std::vector<uint8_t> v(count * 512);
		return block_cache_read(cache_.get(), block, count, v.data()) == VIPER_OK &&
		       memcmp(v.data(), model_.data() + block * 512, v.size()) == 0;
	}
	FakeDisk disk_;
	viper_slot disk_slot_;
	std::unique_ptr<block_cache> cache_ = std::make_unique<block_cache>();
	std::vector<uint8_t> model_;
	std::mt19937 rng_{7};
};

TEST_F(BlockCache, AMissReadsAheadAndLaterReadsAreHits)
{
	Start(2048, 64);
	EXPECT_TRUE(ReadMatches(0, 1));
	ASSERT_EQ(disk_.calls.size(), 1u);
	EXPECT_EQ(disk_.calls[0].count, (1 + READ_AHEAD_PAGES) * PAGE_SECTORS)
		<< "the page and the read-ahead, in one call";
	EXPECT_TRUE(ReadMatches(0, (1 + READ_AHEAD_PAGES) * PAGE_SECTORS));
	EXPECT_EQ(disk_.calls.size(), 1u) << "all hits";
	EXPECT_EQ(cache_->stats.misses, 1u + READ_AHEAD_PAGES);
	EXPECT_TRUE(ReadMatches(200, 100)) << "unaligned, across pages";
}

TEST_F(BlockCache, WritesWaitForFlushThenGoInBlockOrderBeforeTheDiskFlush)
{
	Start(2048, 64);
	for (uint64_t block : {1600u, 40u, 800u, 8u, 0u})
		Write(block, 8);
	EXPECT_EQ(disk_.calls_of('w'), 0) << "write-back";
	EXPECT_TRUE(ReadMatches(0, 16)) << "reads see the writes";
	disk_.calls.clear();
	ASSERT_EQ(block_cache_flush(cache_.get()), VIPER_OK);
	ASSERT_GE(disk_.calls.size(), 2u);
	EXPECT_EQ(disk_.calls.back().op, 'f') << "the disk's flush comes last";
	uint64_t last = 0;
	for (size_t i = 0; i + 1 < disk_.calls.size(); i++) {
		EXPECT_EQ(disk_.calls[i].op, 'w');
		EXPECT_GE(disk_.calls[i].block, last) << "in block order";
		last = disk_.calls[i].block;
	}
	EXPECT_EQ(disk_.calls[0].block, 0u);
	EXPECT_EQ(disk_.calls[0].count, 16u) << "pages 0 and 1 in one call";
	EXPECT_EQ(disk_.bytes, model_);
	disk_.calls.clear();
	ASSERT_EQ(block_cache_flush(cache_.get()), VIPER_OK);
	EXPECT_EQ(disk_.calls_of('w'), 0) << "nothing left dirty";
}

TEST_F(BlockCache, APartialPageWriteKeepsTheRestOfThePage)
{
	Start(2048, 64);
	Write(3, 2);
	EXPECT_EQ(disk_.calls_of('r'), 1) << "the page was read first";
	ASSERT_EQ(block_cache_flush(cache_.get()), VIPER_OK);
	EXPECT_EQ(disk_.bytes, model_);
}

TEST_F(BlockCache, EvictionWritesDirtyRunsInOneCall)
{
	Start(2048, 16);
	for (uint64_t b = 0; b < 2048; b += 64)
		Write(b, 64);
	EXPECT_GT(disk_.calls_of('w'), 0) << "more than the cache holds";
	for (const Call &c : disk_.calls) {
		if (c.op == 'w') {
			EXPECT_GE(c.count, 4u * PAGE_SECTORS) << "runs, not single pages";
		}
	}
	ASSERT_EQ(block_cache_flush(cache_.get()), VIPER_OK);
	EXPECT_EQ(disk_.bytes, model_);
	EXPECT_LE(disk_.calls_of('w'), 2048 / 32) << "at least 4 pages a call on average";
}

TEST_F(BlockCache, AShortLastPage)
{
	Start(2051, 16);
	EXPECT_EQ(cache_->page_count, 257u);
	Write(2048, 3);
	Write(2050, 1);
	EXPECT_TRUE(ReadMatches(2040, 11));
	ASSERT_EQ(block_cache_flush(cache_.get()), VIPER_OK);
	EXPECT_EQ(disk_.bytes, model_);
}

TEST_F(BlockCache, AFailingDiskLosesNothing)
{
	Start(2048, 16);
	Write(0, 64);
	disk_.fail_writes = VIPER_E_IO;
	EXPECT_EQ(block_cache_flush(cache_.get()), VIPER_E_IO);
	std::vector<uint8_t> v(64 * 512);
	int32_t err = VIPER_OK;
	for (uint64_t b = 512; b < 2048 && err == VIPER_OK; b += 64)
		err = block_cache_read(cache_.get(), b, 64, v.data());
	EXPECT_EQ(err, VIPER_E_IO) << "an eviction that cannot write back fails its caller";
	EXPECT_TRUE(ReadMatches(0, 64)) << "the dirty pages are still there";
	disk_.fail_writes = VIPER_OK;
	ASSERT_EQ(block_cache_flush(cache_.get()), VIPER_OK);
	EXPECT_EQ(disk_.bytes, model_);
}

TEST_F(BlockCache, ARandomWorkloadMatchesTheModel)
{
	Start(2048, 16);
	for (int step = 0; step < 3000; step++) {
		uint32_t count = 1 + rng_() % 40;
		uint64_t block = rng_() % (2048 - count + 1);
		switch (rng_() % 8) {
		case 0:
			ASSERT_EQ(block_cache_flush(cache_.get()), VIPER_OK) << step;
			ASSERT_EQ(disk_.bytes, model_) << step;
			break;
		case 1:
		case 2:
		case 3:
			Write(block, count);
			break;
		default:
			ASSERT_TRUE(ReadMatches(block, count)) << step;
		}
	}
	ASSERT_EQ(block_cache_flush(cache_.get()), VIPER_OK);
	EXPECT_EQ(disk_.bytes, model_);
}

TEST_F(BlockCache, RefusesADiskItCannotUse)
{
	disk_.max_blocks = 64;
	disk_.bytes.resize(4096);
	g_disk = &disk_;
	viper_host_bind_remote(&disk_slot_, &block_interface,
			       viper_host_serve(&block_interface, &kDisk, nullptr));
	EXPECT_EQ(block_cache_start(cache_.get(), &disk_slot_, 16), VIPER_E_UNSUPPORTED);
}

// The instance through its own interface: started at the first call, bad
// requests refused before they reach the cache, a read-only disk.
TEST_F(BlockCache, TheInterfaceChecksRequests)
{
	disk_.bytes.resize(2048 * 512);
	disk_.read_only = true;
	g_disk = &disk_;
	viper_slot disk;
	viper_host_bind_remote(&disk, &block_interface,
			       viper_host_serve(&block_interface, &kDisk, nullptr));
	viper_slot slot;
	void *state = Instance(&disk, 16, &slot);
	ASSERT_NE(state, nullptr);
	EXPECT_TRUE(disk_.calls.empty()) << "nothing asked of the disk before the first call";
	viper_block_InfoRequest ireq = {};
	viper_block_InfoReply info = {};
	ASSERT_EQ(block_info(&slot, &ireq, &info), VIPER_OK);
	EXPECT_EQ(info.block_count, 2048u);
	EXPECT_STREQ(info.model, "cached fake");
	viper_handle_t mem;
	void *p;
	uint64_t size;
	ASSERT_EQ(vc_memory_create(8192, &mem), VIPER_OK);
	ASSERT_EQ(vc_memory_map(mem, &p, &size), VIPER_OK);
	viper_block_ReadRequest r = {2047, 2, mem, 0, 1024};
	viper_block_ReadReply rrep;
	EXPECT_EQ(block_read(&slot, &r, &rrep), VIPER_E_RANGE);
	r = {0, 2, mem, 0, 512};
	EXPECT_EQ(block_read(&slot, &r, &rrep), VIPER_E_INVAL);
	r = {0, 8, mem, 0, 4096};
	EXPECT_EQ(block_read(&slot, &r, &rrep), VIPER_OK);
	EXPECT_EQ(memcmp(p, disk_.bytes.data(), 4096), 0);
	viper_block_WriteRequest w = {0, 8, mem, 0, 4096};
	viper_block_WriteReply wrep;
	EXPECT_EQ(block_write(&slot, &w, &wrep), VIPER_E_READONLY);
	vc_free(state);
}

// Large whole-page Reads and Writes through the interface go past the cache:
// their lease is lent on to the disk, a read sees the dirty pages it covers
// (written back first), a write replaces the cached pages it covers; mixed
// with small cached ones they match a model of the disk.
TEST_F(BlockCache, LargeTransfersGoPastTheCacheAndAgreeWithIt)
{
	Start(4096, 32);
	viper_slot slot;
	void *state = Instance(&disk_slot_, 32, &slot);
	ASSERT_NE(state, nullptr);
	const uint32_t kBytes = CACHE_MAX_BLOCKS * 512;
	viper_handle_t mem;
	void *p;
	uint64_t size;
	ASSERT_EQ(vc_memory_create(kBytes + 4096, &mem), VIPER_OK);
	ASSERT_EQ(vc_memory_map(mem, &p, &size), VIPER_OK);
	uint8_t *bytes = static_cast<uint8_t *>(p);
	auto read = [&](uint64_t block, uint32_t count, uint64_t offset) {
		viper_block_ReadRequest r = {block, count, mem, offset, uint64_t(count) * 512};
		viper_block_ReadReply rep;
		return block_read(&slot, &r, &rep);
	};
	auto write = [&](uint64_t block, uint32_t count, uint64_t offset, uint8_t seed) {
		for (uint32_t i = 0; i < count * 512; i++)
			bytes[offset + i] = uint8_t(seed + i * 7 + i / 512);
		memcpy(model_.data() + block * 512, bytes + offset, count * 512);
		viper_block_WriteRequest w = {block, count, mem, offset, uint64_t(count) * 512};
		viper_block_WriteReply rep;
		return block_write(&slot, &w, &rep);
	};
	// Many calls: nothing the calls map or lend is left behind.
	for (int k = 0; k < 200; k++)
		ASSERT_EQ(read(uint64_t(k % 2 ? 0 : 8 * (k % 64)), k % 2 ? 256 : 8, 0), VIPER_OK)
			<< k;
	// A small write stays in the cache; a large read over it sees it.
	ASSERT_EQ(write(40, 8, 0, 1), VIPER_OK);
	disk_.calls.clear();
	ASSERT_EQ(read(0, CACHE_THROUGH_PAGES * 8, 512), VIPER_OK);
	EXPECT_EQ(memcmp(bytes + 512, model_.data(), CACHE_THROUGH_PAGES * 8 * 512), 0);
	ASSERT_EQ(disk_.calls.size(), 2u);
	EXPECT_EQ(disk_.calls[0].op, 'w') << "the dirty page written back first";
	EXPECT_EQ(disk_.calls[1].op, 'r');
	EXPECT_EQ(disk_.calls[1].count, CACHE_THROUGH_PAGES * 8) << "then one read, not cached";
	// A large write over cached pages replaces them: a small read sees the new bytes.
	ASSERT_EQ(write(48, 8, 0, 2), VIPER_OK);
	ASSERT_EQ(read(48, 8, 0), VIPER_OK);
	ASSERT_EQ(write(0, CACHE_MAX_BLOCKS, 0, 3), VIPER_OK);
	// The disk's max_blocks splits what the cache lends on.
	EXPECT_EQ(disk_.calls.back().op, 'w');
	EXPECT_EQ(disk_.calls.back().count, disk_.max_blocks);
	ASSERT_EQ(read(48, 8, kBytes), VIPER_OK);
	EXPECT_EQ(memcmp(bytes + kBytes, model_.data() + 48 * 512, 4096), 0);
	for (int step = 0; step < 600; step++) {
		bool large = rng_() % 2;
		uint32_t count = large ? PAGE_SECTORS * (CACHE_THROUGH_PAGES + rng_() % 40)
				       : 1 + rng_() % 40;
		uint64_t block = rng_() % (4096 - count + 1);
		if (large)
			block -= block % PAGE_SECTORS;
		switch (rng_() % 5) {
		case 0: {
			viper_block_FlushRequest f = {};
			viper_block_FlushReply frep;
			ASSERT_EQ(block_flush(&slot, &f, &frep), VIPER_OK);
			ASSERT_EQ(disk_.bytes, model_) << step;
			break;
		}
		case 1:
		case 2:
			ASSERT_EQ(write(block, count, 0, uint8_t(step)), VIPER_OK) << step;
			break;
		default:
			ASSERT_EQ(read(block, count, 0), VIPER_OK) << step;
			ASSERT_EQ(memcmp(bytes, model_.data() + block * 512, count * 512), 0)
				<< step << (large ? " large" : " small");
		}
	}
	viper_block_FlushRequest f = {};
	viper_block_FlushReply frep;
	ASSERT_EQ(block_flush(&slot, &f, &frep), VIPER_OK);
	EXPECT_EQ(disk_.bytes, model_);
	vc_free(state);
}

// Info's epoch: another for each instance started (what an instance holds
// unflushed goes with it), so a client learns that a restarted cache may
// have lost writes it had answered.
TEST_F(BlockCache, EachInstanceHasItsOwnEpoch)
{
	Start(2048, 16);
	uint64_t epochs[2];
	for (uint64_t &epoch : epochs) {
		viper_slot slot;
		void *state = Instance(&disk_slot_, 16, &slot);
		ASSERT_NE(state, nullptr);
		viper_block_InfoRequest ireq = {};
		viper_block_InfoReply info = {};
		ASSERT_EQ(block_info(&slot, &ireq, &info), VIPER_OK);
		EXPECT_NE(info.epoch, 0u);
		viper_block_InfoReply again = {};
		ASSERT_EQ(block_info(&slot, &ireq, &again), VIPER_OK);
		EXPECT_EQ(again.epoch, info.epoch) << "the same while the instance lives";
		epoch = info.epoch;
		vc_free(state);
	}
	EXPECT_NE(epochs[0], epochs[1]);
}

} // namespace
