// kv_store through the generated stubs on the host: by direct call and over
// the host transport (the full wire path), including handles moving both ways.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

extern "C" {
#include <kv_store/kv_store.h>
#include <viper/component.h>
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

	// A new memory object of `size` bytes; fails the test if it cannot be made.
	viper_handle_t Memory(uint64_t size)
	{
		viper_handle_t h = VIPER_HANDLE_INVALID;
		EXPECT_EQ(vc_memory_create(size, &h), VIPER_OK);
		return h;
	}

	int32_t Attach(viper_handle_t memory, uint64_t size, viper_kv_AttachReply *rep)
	{
		viper_kv_AttachRequest req = viper_kv_AttachRequest_init_zero;
		viper_kv_AttachReply ignored;
		req.memory = memory;
		req.size = size;
		return kv_attach(&slot_, &req, rep ? rep : &ignored);
	}

	// What Read returns, or "error N".
	std::string Read(uint64_t offset, uint32_t length)
	{
		viper_kv_ReadRequest req = viper_kv_ReadRequest_init_zero;
		viper_kv_ReadReply rep;
		req.offset = offset;
		req.length = length;
		int32_t r = kv_read(&slot_, &req, &rep);
		if (r != VIPER_OK)
			return "error " + std::to_string(r);
		return std::string(reinterpret_cast<const char *>(rep.data.bytes), rep.data.size);
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
	viper_handle_t mem = Memory(8192);
	void *p = nullptr;
	uint64_t size = 0;
	ASSERT_EQ(vc_memory_map(mem, &p, &size), VIPER_OK);
	memcpy(p, "before", 6);

	viper_kv_AttachReply attached;
	ASSERT_EQ(Attach(mem, 8192, &attached), VIPER_OK);
	EXPECT_EQ(attached.size, 8192u);
	EXPECT_EQ(store_.attached_size, 8192u);
	if (GetParam()) {
		// Across a channel the handle moves: the caller's is dead, the store has a new one.
		EXPECT_NE(store_.attached, mem);
		EXPECT_EQ(vc_memory_size(mem, &size), VIPER_E_BADHANDLE);
	} else {
		EXPECT_EQ(store_.attached, mem) << "a direct call hands over the handle itself";
	}
	EXPECT_EQ(Read(0, 6), "before");
	memcpy(static_cast<uint8_t *>(p) + 8190, "xy", 2);
	EXPECT_EQ(Read(8190, 2), "xy") << "the store maps the same pages";

	viper_kv_DetachRequest detach = viper_kv_DetachRequest_init_zero;
	viper_kv_DetachReply detached;
	ASSERT_EQ(kv_detach(&slot_, &detach, &detached), VIPER_OK);
	EXPECT_EQ(detached.size, 8192u);
	ASSERT_NE(detached.memory, 0u);
	viper_handle_t back = detached.memory;
	void *q = nullptr;
	ASSERT_EQ(vc_memory_map(back, &q, &size), VIPER_OK);
	EXPECT_EQ(memcmp(q, "before", 6), 0);
	EXPECT_EQ(store_.attached_map, nullptr) << "the store unmapped it";
	EXPECT_EQ(kv_detach(&slot_, &detach, &detached), VIPER_E_NOTFOUND);
	EXPECT_EQ(detached.memory, 0u);

	EXPECT_EQ(vc_memory_unmap(q, 8192), VIPER_OK);
	EXPECT_EQ(vc_memory_unmap(p, 8192), VIPER_OK);
	viper_kv_DetachReply again;
	ASSERT_EQ(Attach(back, 1, nullptr), VIPER_OK) << "the handle Detach gave back moves again";
	ASSERT_EQ(kv_detach(&slot_, &detach, &again), VIPER_OK);
	EXPECT_EQ(vc_handle_close(again.memory), VIPER_OK);
	EXPECT_EQ(viper_host_memory_objects(), 0u) << "nothing leaked";
}

TEST_P(KvStoreTest, AttachRefusals)
{
	EXPECT_EQ(Attach(VIPER_HANDLE_INVALID, 4096, nullptr), VIPER_E_INVAL);
	EXPECT_EQ(Attach(0x7fffffff, 4096, nullptr), VIPER_E_BADHANDLE) << "forged";
	viper_handle_t closed = Memory(4096);
	ASSERT_EQ(vc_handle_close(closed), VIPER_OK);
	EXPECT_EQ(Attach(closed, 4096, nullptr), VIPER_E_BADHANDLE) << "closed";
	EXPECT_EQ(Attach(Memory(4096), 0, nullptr), VIPER_E_INVAL) << "no size";
	viper_handle_t small = Memory(4096);
	EXPECT_EQ(Attach(small, 4097, nullptr), VIPER_E_RANGE) << "more than the object";
	uint64_t size = 0;
	EXPECT_EQ(vc_memory_size(small, &size), VIPER_E_BADHANDLE) << "refused, but moved";
	EXPECT_EQ(viper_host_memory_objects(), 0u) << "the store closed what it refused";

	viper_handle_t mem = Memory(4096);
	ASSERT_EQ(Attach(mem, 4096, nullptr), VIPER_OK);
	EXPECT_EQ(Attach(Memory(4096), 4096, nullptr), VIPER_E_BUSY);
	EXPECT_EQ(Attach(mem, 4096, nullptr), VIPER_E_BADHANDLE) << "the store's own handle";
	EXPECT_EQ(viper_host_memory_objects(), 1u) << "only the attached object is left";
	EXPECT_EQ(Read(0, 4), std::string(4, '\0')) << "still attached";
}

TEST_P(KvStoreTest, ReadBounds)
{
	viper_kv_ReadRequest req = viper_kv_ReadRequest_init_zero;
	viper_kv_ReadReply rep;
	req.length = 1;
	EXPECT_EQ(kv_read(&slot_, &req, &rep), VIPER_E_NOTFOUND);
	viper_handle_t mem = Memory(8192);
	ASSERT_EQ(Attach(mem, 5000, nullptr), VIPER_OK);
	req.offset = 5000 - 64;
	req.length = 64;
	EXPECT_EQ(kv_read(&slot_, &req, &rep), VIPER_OK);
	EXPECT_EQ(rep.data.size, 64u);
	req.length = 65;
	EXPECT_EQ(kv_read(&slot_, &req, &rep), VIPER_E_INVAL);
	req.offset = 5000 - 63;
	req.length = 64;
	EXPECT_EQ(kv_read(&slot_, &req, &rep), VIPER_E_RANGE) << "beyond the attached size";
	req.offset = UINT64_MAX;
	req.length = 2;
	EXPECT_EQ(kv_read(&slot_, &req, &rep), VIPER_E_RANGE) << "offset + length wraps";
	req.offset = 5000;
	req.length = 0;
	EXPECT_EQ(kv_read(&slot_, &req, &rep), VIPER_OK);
	EXPECT_EQ(rep.data.size, 0u);
}

INSTANTIATE_TEST_SUITE_P(Placements, KvStoreTest, ::testing::Values(false, true),
			 [](const ::testing::TestParamInfo<bool> &info) {
				 return info.param ? "Remote" : "Direct";
			 });

} // namespace
