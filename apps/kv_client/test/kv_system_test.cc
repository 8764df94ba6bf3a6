// kv_client and kv_store wired by hand on the host, as the component hosts
// would: found by name, given zeroed state, slot bound, run. Remote (through
// the host transport) and direct (co-located) runs must both pass; a
// provider that goes away gives an error. The systems themselves also run
// whole from their descriptions (kv_*_host_test, viper/host_system.h).
#include <gtest/gtest.h>

#include <cstdlib>

extern "C" {
#include <viper/component.h>
#include <viper/host_transport.h>

#include "kv.viper.h"
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

class KvSystemTest : public ::testing::TestWithParam<bool>
{
      protected:
	void SetUp() override
	{
		viper_host_reset();
		struct viper_instance_env store_env = {};
		store_env.name = "kv";
		store_ = Start("kv_store", &store_env);
		ASSERT_NE(store_.component, nullptr);
		ASSERT_EQ(store_.component->provide_count, 1u);
		const struct viper_provided &kv = store_.component->provides[0];
		ASSERT_EQ(kv.interface, &kv_interface);
		channel_ = viper_host_bind(&slot_, &kv, store_.state, GetParam());
		struct viper_instance_env client_env = {};
		client_env.name = "client";
		client_env.slots[0] = &slot_;
		client_env.slot_count = 1;
		client_ = Start("kv_client", &client_env);
		ASSERT_NE(client_.component, nullptr);
		ASSERT_NE(client_.component->run, nullptr);
	}
	void TearDown() override
	{
		vc_free(store_.state);
		vc_free(client_.state);
		viper_host_reset();
	}

	Instance store_{}, client_{};
	struct viper_slot slot_ {
	};
	viper_handle_t channel_ = VIPER_HANDLE_INVALID;
};

TEST_P(KvSystemTest, ClientPasses)
{
	EXPECT_EQ(client_.component->run(client_.state), 0);
	EXPECT_EQ(viper_host_dropped_handles(), 0u);
	EXPECT_EQ(viper_host_memory_objects(), 0u) << "the client releases its memory objects";
}

TEST_P(KvSystemTest, ClientRunsTwice)
{
	EXPECT_EQ(client_.component->run(client_.state), 0);
	EXPECT_EQ(client_.component->run(client_.state), 0) << "the client leaves the store empty";
}

TEST(KvSystemRemote, ClosedProviderGivesErrorNotHang)
{
	viper_host_reset();
	struct viper_instance_env env = {};
	Instance store = Start("kv_store", &env);
	viper_handle_t ch =
		viper_host_serve(&kv_interface, store.component->provides[0].ops, store.state);
	struct viper_slot slot;
	viper_host_bind_remote(&slot, &kv_interface, ch);
	viper_host_close(ch);
	viper_kv_CountRequest req = viper_kv_CountRequest_init_zero;
	viper_kv_CountReply rep;
	EXPECT_EQ(kv_count(&slot, &req, &rep), VIPER_E_PEERCLOSED);

	env.slots[0] = &slot;
	env.slot_count = 1;
	Instance client = Start("kv_client", &env);
	EXPECT_EQ(client.component->run(client.state), 1);
	vc_free(store.state);
	vc_free(client.state);
	viper_host_reset();
}

TEST(KvSystemRemote, UnknownComponentIsNull)
{
	EXPECT_EQ(viper_component_find("no_such_component"), nullptr);
}

INSTANTIATE_TEST_SUITE_P(Placements, KvSystemTest, ::testing::Values(false, true),
			 [](const ::testing::TestParamInfo<bool> &info) {
				 return info.param ? "Remote" : "Direct";
			 });

} // namespace
