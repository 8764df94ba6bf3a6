// kv_client and kv_store wired by hand on the host, for what a description
// cannot say: a provider that goes away. The systems themselves run whole
// on the host from their descriptions (kv_*_host_test, viper/host_system.h).
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

} // namespace
