// blob_worker through the generated stubs on the host: by direct call and
// over the host transport (the full wire path), with the bulk buffer each
// binding gets, as on the target.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>

extern "C" {
#include <blob_worker/blob_worker.h>
#include <viper/host_transport.h>
}

namespace
{

class BlobWorkerTest : public ::testing::TestWithParam<bool>
{
      protected:
	void SetUp() override
	{
		viper_host_reset();
		memset(&worker_, 0, sizeof(worker_));
		if (GetParam()) {
			viper_handle_t ch =
				viper_host_serve(&blob_interface, &blob_worker_server, &worker_);
			ASSERT_NE(ch, VIPER_HANDLE_INVALID);
			viper_host_bind_remote(&slot_, &blob_interface, ch);
		} else {
			viper_host_bind_direct(&slot_, &blob_interface, &blob_worker_server,
					       &worker_);
		}
		ASSERT_NE(slot_.bulk, nullptr);
		bulk_ = static_cast<uint8_t *>(slot_.bulk);
	}
	void TearDown() override
	{
		viper_host_reset();
	}

	int32_t Checksum(uint32_t offset, uint32_t length, uint32_t *crc)
	{
		viper_blob_ChecksumRequest req = viper_blob_ChecksumRequest_init_zero;
		viper_blob_ChecksumReply rep;
		req.offset = offset;
		req.length = length;
		int32_t r = blob_checksum(&slot_, &req, &rep);
		*crc = rep.crc32;
		return r;
	}

	int32_t Reverse(uint32_t offset, uint32_t length)
	{
		viper_blob_ReverseRequest req = viper_blob_ReverseRequest_init_zero;
		viper_blob_ReverseReply rep;
		req.offset = offset;
		req.length = length;
		return blob_reverse(&slot_, &req, &rep);
	}

	struct blob_worker worker_;
	struct viper_slot slot_;
	uint8_t *bulk_ = nullptr;
};

TEST_P(BlobWorkerTest, BulkBufferIsTheInterfaceSize)
{
	EXPECT_EQ(slot_.bulk_size, BLOB_BULK_BYTES);
	EXPECT_EQ(BLOB_BULK_BYTES, 8192u);
}

TEST_P(BlobWorkerTest, ChecksumOfTheCheckString)
{
	memcpy(bulk_ + 100, "123456789", 9);
	uint32_t crc = 0;
	ASSERT_EQ(Checksum(100, 9, &crc), VIPER_OK);
	EXPECT_EQ(crc, 0xcbf43926u) << "the standard CRC-32 check value";
	ASSERT_EQ(Checksum(100, 0, &crc), VIPER_OK);
	EXPECT_EQ(crc, 0u);
	EXPECT_EQ(worker_.calls, 2u);
}

TEST_P(BlobWorkerTest, ReverseInPlaceIsSeenByTheClient)
{
	memcpy(bulk_, "hello, bulk", 11);
	ASSERT_EQ(Reverse(0, 11), VIPER_OK);
	EXPECT_EQ(memcmp(bulk_, "klub ,olleh", 11), 0);
	ASSERT_EQ(Reverse(0, 1), VIPER_OK);
	EXPECT_EQ(bulk_[0], 'k');
	ASSERT_EQ(Reverse(0, 0), VIPER_OK);

	for (uint32_t i = 0; i < BLOB_BULK_BYTES; i++)
		bulk_[i] = static_cast<uint8_t>(i * 31 + 7);
	uint32_t before = 0, after = 0;
	ASSERT_EQ(Checksum(0, BLOB_BULK_BYTES, &before), VIPER_OK);
	EXPECT_EQ(before, blob_worker_crc32(bulk_, BLOB_BULK_BYTES));
	ASSERT_EQ(Reverse(0, BLOB_BULK_BYTES), VIPER_OK);
	EXPECT_EQ(bulk_[0], static_cast<uint8_t>((BLOB_BULK_BYTES - 1) * 31 + 7));
	EXPECT_EQ(bulk_[BLOB_BULK_BYTES - 1], 7u);
	ASSERT_EQ(Reverse(0, BLOB_BULK_BYTES), VIPER_OK);
	ASSERT_EQ(Checksum(0, BLOB_BULK_BYTES, &after), VIPER_OK);
	EXPECT_EQ(after, before);
}

TEST_P(BlobWorkerTest, RangesBeyondTheBufferAreRefused)
{
	memcpy(bulk_ + BLOB_BULK_BYTES - 4, "abcd", 4);
	uint32_t crc = 0;
	EXPECT_EQ(Checksum(0, BLOB_BULK_BYTES + 1, &crc), VIPER_E_RANGE);
	EXPECT_EQ(Checksum(BLOB_BULK_BYTES, 1, &crc), VIPER_E_RANGE);
	EXPECT_EQ(Checksum(BLOB_BULK_BYTES + 1, 0, &crc), VIPER_E_RANGE);
	EXPECT_EQ(Checksum(UINT32_MAX, 2, &crc), VIPER_E_RANGE) << "offset + length wraps";
	EXPECT_EQ(Checksum(1, UINT32_MAX, &crc), VIPER_E_RANGE) << "offset + length wraps";
	EXPECT_EQ(Checksum(BLOB_BULK_BYTES, 0, &crc), VIPER_OK);
	EXPECT_EQ(Reverse(BLOB_BULK_BYTES - 3, 4), VIPER_E_RANGE);
	EXPECT_EQ(memcmp(bulk_ + BLOB_BULK_BYTES - 4, "abcd", 4), 0) << "refused: unchanged";
	EXPECT_EQ(Reverse(BLOB_BULK_BYTES - 4, 4), VIPER_OK);
	EXPECT_EQ(memcmp(bulk_ + BLOB_BULK_BYTES - 4, "dcba", 4), 0);
	EXPECT_EQ(worker_.refused, 6u);
}

INSTANTIATE_TEST_SUITE_P(Placements, BlobWorkerTest, ::testing::Values(false, true),
			 [](const ::testing::TestParamInfo<bool> &info) {
				 return info.param ? "Remote" : "Direct";
			 });

TEST(BlobWorkerNoBulk, ConnectionWithoutBufferIsUnsupported)
{
	struct blob_worker w = {};
	struct viper_rpc_context ctx = {};
	viper_blob_ChecksumRequest req = viper_blob_ChecksumRequest_init_zero;
	viper_blob_ChecksumReply rep = viper_blob_ChecksumReply_init_zero;
	EXPECT_EQ(blob_worker_server.checksum(&w, &ctx, &req, &rep), VIPER_E_UNSUPPORTED);
	viper_blob_ReverseRequest rreq = viper_blob_ReverseRequest_init_zero;
	viper_blob_ReverseReply rrep = viper_blob_ReverseReply_init_zero;
	EXPECT_EQ(blob_worker_server.reverse(&w, &ctx, &rreq, &rrep), VIPER_E_UNSUPPORTED);
	EXPECT_EQ(w.refused, 2u);
}

TEST(BlobWorkerCrc, KnownValues)
{
	EXPECT_EQ(blob_worker_crc32(reinterpret_cast<const uint8_t *>(""), 0), 0u);
	EXPECT_EQ(blob_worker_crc32(reinterpret_cast<const uint8_t *>("a"), 1), 0xe8b7be43u);
	EXPECT_EQ(blob_worker_crc32(reinterpret_cast<const uint8_t *>("123456789"), 9),
		  0xcbf43926u);
}

} // namespace
