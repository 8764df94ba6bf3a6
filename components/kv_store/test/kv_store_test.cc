// kv_store through the generated stubs on the host: by direct call and over
// the host transport (the full wire path), including handles moving both ways.
#include <gtest/gtest.h>

#include <cstring>

extern "C" {
#include <kv_store/kv_store.h>
#include <viper/host_transport.h>
}

namespace
{

class KvStoreTest : public ::testing::TestWithParam<bool>
{
      protected:
	void SetUp() override
	{
		viper_host_reset();
		memset(&store_, 0, sizeof(store_));
		if (GetParam()) {
			viper_handle_t ch =
				viper_host_serve(&kv_interface, &kv_store_server, &store_);
			ASSERT_NE(ch, VIPER_HANDLE_INVALID);
			viper_host_bind_remote(&slot_, &kv_interface, ch);
		} else {
			viper_host_bind_direct(&slot_, &kv_interface, &kv_store_server, &store_);
		}
	}
	void TearDown() override
	{
		viper_host_reset();
	}

	int32_t Put(const char *key, const char *value)
	{
		viper_kv_PutRequest req = viper_kv_PutRequest_init_zero;
		viper_kv_PutReply rep;
		strncpy(req.key, key, sizeof(req.key) - 1);
		req.value.size = (pb_size_t)strlen(value);
		memcpy(req.value.bytes, value, req.value.size);
		return kv_put(&slot_, &req, &rep);
	}

	struct kv_store store_;
	struct viper_slot slot_;
};

TEST_P(KvStoreTest, PutGetDelete)
{
	ASSERT_EQ(Put("a", "xyz"), VIPER_OK);
	viper_kv_GetRequest get = viper_kv_GetRequest_init_zero;
	viper_kv_GetReply got;
	strcpy(get.key, "a");
	ASSERT_EQ(kv_get(&slot_, &get, &got), VIPER_OK);
	EXPECT_TRUE(got.found);
	ASSERT_EQ(got.value.size, 3u);
	EXPECT_EQ(memcmp(got.value.bytes, "xyz", 3), 0);
	EXPECT_EQ(store_.count, 1u);

	viper_kv_DeleteRequest del = viper_kv_DeleteRequest_init_zero;
	viper_kv_DeleteReply deleted;
	strcpy(del.key, "a");
	ASSERT_EQ(kv_delete(&slot_, &del, &deleted), VIPER_OK);
	EXPECT_TRUE(deleted.existed);
	ASSERT_EQ(kv_get(&slot_, &get, &got), VIPER_OK);
	EXPECT_FALSE(got.found);
}

TEST_P(KvStoreTest, FullStoreAndBadKeys)
{
	char key[8];
	for (int i = 0; i < KV_STORE_ENTRIES; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		ASSERT_EQ(Put(key, "v"), VIPER_OK);
	}
	EXPECT_EQ(Put("another", "v"), VIPER_E_LIMIT);
	EXPECT_EQ(Put("k3", "w"), VIPER_OK) << "overwriting needs no new entry";
	EXPECT_EQ(Put("", "v"), VIPER_E_INVAL);

	viper_kv_PutRequest req = viper_kv_PutRequest_init_zero;
	viper_kv_PutReply rep;
	memset(req.key, 'x', sizeof(req.key));
	EXPECT_EQ(kv_put(&slot_, &req, &rep), VIPER_E_INVAL);
	strcpy(req.key, "ok");
	req.value.size = sizeof(req.value.bytes) + 1;
	EXPECT_EQ(kv_put(&slot_, &req, &rep), VIPER_E_INVAL);
}

TEST_P(KvStoreTest, HandlesMoveBothWays)
{
	viper_kv_AttachRequest attach = viper_kv_AttachRequest_init_zero;
	viper_kv_AttachReply attached;
	attach.memory = 0x1234;
	attach.size = 4096;
	ASSERT_EQ(kv_attach(&slot_, &attach, &attached), VIPER_OK);
	EXPECT_EQ(attached.size, 4096u);
	EXPECT_EQ(store_.attached, 0x1234u) << "the store holds the handle, not its position";
	EXPECT_EQ(attach.memory, 0x1234u) << "the caller's request is left alone";
	EXPECT_EQ(kv_attach(&slot_, &attach, &attached), VIPER_E_BUSY);

	viper_kv_DetachRequest detach = viper_kv_DetachRequest_init_zero;
	viper_kv_DetachReply detached;
	ASSERT_EQ(kv_detach(&slot_, &detach, &detached), VIPER_OK);
	EXPECT_EQ(detached.memory, 0x1234u);
	EXPECT_EQ(detached.size, 4096u);
	EXPECT_EQ(kv_detach(&slot_, &detach, &detached), VIPER_E_NOTFOUND);
	EXPECT_EQ(detached.memory, 0u);
}

INSTANTIATE_TEST_SUITE_P(Placements, KvStoreTest, ::testing::Values(false, true),
			 [](const ::testing::TestParamInfo<bool> &info) {
				 return info.param ? "Remote" : "Direct";
			 });

} // namespace
