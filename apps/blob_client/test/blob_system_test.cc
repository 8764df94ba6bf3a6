// blob_client and blob_worker wired by hand on the host, for what a
// description cannot say: a slot that lost its bulk buffer. The systems run
// whole on the host from their descriptions (blob_*_host_test).
#include <gtest/gtest.h>

extern "C" {
#include <viper/component.h>
#include <viper/host_transport.h>

#include "blob.viper.h"
}

namespace
{

struct Instance {
	const struct viper_component *component;
	void *state;
};

Instance Start(const char *name, const struct viper_instance_env *env)
{
	Instance i{};
	int32_t status;
	i.component = viper_host_start(name, env, &i.state, &status);
	EXPECT_EQ(status, VIPER_OK) << name << "'s init";
	return i;
}

class BlobSystemTest : public ::testing::TestWithParam<bool>
{
      protected:
	void SetUp() override
	{
		viper_host_reset();
		struct viper_instance_env worker_env = {};
		worker_env.name = "blobs";
		worker_ = Start("blob_worker", &worker_env);
		ASSERT_NE(worker_.component, nullptr);
		ASSERT_EQ(worker_.component->provide_count, 1u);
		const struct viper_provided &blob = worker_.component->provides[0];
		ASSERT_EQ(blob.interface, &blob_interface);
		(void)viper_host_bind(&slot_, &blob, worker_.state, GetParam());
		struct viper_instance_env client_env = {};
		client_env.name = "client";
		client_env.slots[0] = &slot_;
		client_env.slot_count = 1;
		client_ = Start("blob_client", &client_env);
		ASSERT_NE(client_.component, nullptr);
		ASSERT_NE(client_.component->run, nullptr);
	}
	void TearDown() override
	{
		vc_free(worker_.state);
		vc_free(client_.state);
		viper_host_reset();
	}

	Instance worker_{}, client_{};
	struct viper_slot slot_ {
	};
};

TEST_P(BlobSystemTest, ClientWithoutBulkBufferFails)
{
	// A slot without its buffer (a broken host) must make the client fail, not crash.
	slot_.bulk = nullptr;
	EXPECT_EQ(client_.component->run(client_.state), 1);
}

INSTANTIATE_TEST_SUITE_P(Placements, BlobSystemTest, ::testing::Values(false, true),
			 [](const ::testing::TestParamInfo<bool> &info) {
				 return info.param ? "Remote" : "Direct";
			 });

} // namespace
