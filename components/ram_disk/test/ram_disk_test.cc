// ram_disk on the host: started as a host starts it (with its param), over
// the host transport with leases: Info, writes and reads that land where
// they should, bad requests refused alike to virtio_blk (they share
// viper/block_request.h), and a start without its param.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

extern "C" {
#include <ram_disk/ram_disk.h>
#include <viper/component.h>
#include <viper/host_transport.h>
}

namespace
{

class RamDisk : public ::testing::Test
{
      protected:
	void SetUp() override
	{
		viper_instance_env env = {};
		env.name = "ram";
		env.params[0] = 64;
		env.param_count = 1;
		int32_t status;
		ASSERT_NE(viper_host_start("ram_disk", &env, &state_, &status), nullptr);
		ASSERT_EQ(status, VIPER_OK);
		viper_host_bind_remote(
			&slot_, &block_interface,
			viper_host_serve(&block_interface, &ram_disk_server, state_));
		ASSERT_EQ(vc_memory_create(8192, &mem_), VIPER_OK);
		ASSERT_EQ(vc_memory_map(mem_, &p_, &size_), VIPER_OK);
	}
	void TearDown() override
	{
		viper_host_reset();
		vc_free(state_);
	}
	uint8_t *At(uint64_t offset)
	{
		return static_cast<uint8_t *>(p_) + offset;
	}
	int32_t Write(uint64_t block, uint32_t count, uint64_t offset, uint64_t length)
	{
		viper_block_WriteRequest req = {block, count, mem_, offset, length};
		viper_block_WriteReply rep;
		return block_write(&slot_, &req, &rep);
	}
	int32_t Read(uint64_t block, uint32_t count, uint64_t offset, uint64_t length)
	{
		viper_block_ReadRequest req = {block, count, mem_, offset, length};
		viper_block_ReadReply rep;
		return block_read(&slot_, &req, &rep);
	}
	void *state_ = nullptr;
	viper_slot slot_;
	viper_handle_t mem_;
	void *p_;
	uint64_t size_;
};

TEST_F(RamDisk, InfoGivesTheSizeOfItsParam)
{
	viper_block_InfoRequest req = {};
	viper_block_InfoReply rep = {};
	ASSERT_EQ(block_info(&slot_, &req, &rep), VIPER_OK);
	EXPECT_EQ(rep.block_count, 64u);
	EXPECT_EQ(rep.block_bytes, 512u);
	EXPECT_EQ(rep.max_blocks, RAM_DISK_MAX_BLOCKS);
	EXPECT_NE(rep.epoch, 0u) << "its bytes go with the instance: a restart loses them";
	EXPECT_FALSE(rep.read_only);
	EXPECT_FALSE(rep.volatile_cache);
	EXPECT_STREQ(rep.model, "ram-disk");
}

TEST_F(RamDisk, WritesLandWhereTheySayAndReadBack)
{
	for (int i = 0; i < 4096; i++)
		*At(i) = uint8_t(i * 3 + i / 512);
	ASSERT_EQ(Write(60, 4, 0, 2048), VIPER_OK) << "the last four blocks";
	ASSERT_EQ(Write(0, 1, 2048, 512), VIPER_OK);
	memset(At(4096), 0, 4096);
	ASSERT_EQ(Read(59, 5, 4096, 2560), VIPER_OK);
	std::vector<uint8_t> zero(512, 0);
	EXPECT_EQ(memcmp(At(4096), zero.data(), 512), 0) << "block 59 was never written";
	EXPECT_EQ(memcmp(At(4096 + 512), At(0), 2048), 0);
	ASSERT_EQ(Read(0, 1, 4096, 512), VIPER_OK);
	EXPECT_EQ(memcmp(At(4096), At(2048), 512), 0);
	viper_block_FlushRequest f = {};
	viper_block_FlushReply frep;
	EXPECT_EQ(block_flush(&slot_, &f, &frep), VIPER_OK);
}

TEST_F(RamDisk, RefusesBadRequestsAndChangesNothing)
{
	memset(At(0), 0x77, 8192);
	EXPECT_EQ(Write(64, 1, 0, 512), VIPER_E_RANGE);
	EXPECT_EQ(Write(63, 2, 0, 1024), VIPER_E_RANGE);
	EXPECT_EQ(Write(UINT64_MAX, 2, 0, 1024), VIPER_E_RANGE) << "no wrapping";
	EXPECT_EQ(Write(0, 0, 0, 0), VIPER_E_INVAL);
	EXPECT_EQ(Write(0, 2, 0, 512), VIPER_E_INVAL) << "a lease shorter than the blocks";
	EXPECT_EQ(Write(0, RAM_DISK_MAX_BLOCKS + 1, 0, 8192), VIPER_E_INVAL);
	EXPECT_EQ(Read(0, 1, 8192 - 100, 512), VIPER_E_RANGE) << "past the memory object";
	viper_block_ReadRequest none = {0, 1, 0, 0, 512};
	viper_block_ReadReply rep;
	EXPECT_EQ(block_read(&slot_, &none, &rep), VIPER_E_INVAL) << "no lease";
	memset(At(0), 0, 512);
	ASSERT_EQ(Read(0, 1, 0, 512), VIPER_OK);
	std::vector<uint8_t> zero(512, 0);
	EXPECT_EQ(memcmp(At(0), zero.data(), 512), 0) << "no refused write reached the disk";
}

TEST(RamDiskStart, RefusesAnEnvironmentWithoutItsParam)
{
	viper_instance_env env = {};
	env.name = "ram";
	void *state = nullptr;
	int32_t status;
	ASSERT_NE(viper_host_start("ram_disk", &env, &state, &status), nullptr);
	EXPECT_EQ(status, VIPER_E_INVAL);
	vc_free(state);
}

} // namespace
