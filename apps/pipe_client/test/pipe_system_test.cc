// pipe_client, pipe_writer and pipe_relay against pipe_store on the host,
// wired as the component hosts would, each active instance on a thread of
// its own: sessions opened at run time, passed to another "process" (the
// relay), deferred replies answered from the other thread, limits, close
// notifications. Remote only: the host's direct calls take no entry lock,
// and two threads call the provider at once here (echo_test covers a
// direct deferred call).
#include <gtest/gtest.h>

#include <thread>

extern "C" {
#include <viper/component.h>
#include <viper/host_transport.h>

#include "pipes.viper.h"
#include "relay.viper.h"
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

TEST(PipeSystemTest, ClientWriterAndRelayPass)
{
	viper_host_reset();
	struct viper_instance_env store_env = {};
	store_env.name = "pipes";
	Instance store = Start("pipe_store", &store_env);
	ASSERT_NE(store.component, nullptr);
	// As the descriptions: 6 sessions in all, 3 through one connection.
	ASSERT_EQ(viper_host_sessions(store.state, 6, 3), VIPER_OK);
	struct viper_instance_env relay_env = {};
	relay_env.name = "relay";
	Instance relay = Start("pipe_relay", &relay_env);
	ASSERT_NE(relay.component, nullptr);

	struct viper_slot client_pipes, client_relay, writer_pipes;
	viper_host_bind(&client_pipes, &store.component->provides[0], store.state, true);
	viper_host_bind(&client_relay, &relay.component->provides[0], relay.state, true);
	viper_host_bind(&writer_pipes, &store.component->provides[0], store.state, true);
	struct viper_instance_env client_env = {};
	client_env.name = "client";
	client_env.slots[0] = &client_pipes;
	client_env.slots[1] = &client_relay;
	client_env.slot_count = 2;
	Instance client = Start("pipe_client", &client_env);
	struct viper_instance_env writer_env = {};
	writer_env.name = "writer";
	writer_env.slots[0] = &writer_pipes;
	writer_env.slot_count = 1;
	Instance writer = Start("pipe_writer", &writer_env);
	ASSERT_NE(client.component, nullptr);
	ASSERT_NE(writer.component, nullptr);

	int32_t writer_status = -1;
	std::thread w([&] { writer_status = writer.component->run(writer.state); });
	EXPECT_EQ(client.component->run(client.state), 0);
	w.join();
	EXPECT_EQ(writer_status, 0);
	EXPECT_EQ(viper_host_sessions_open(store.state), 0u) << "every session was closed";
	vc_free(store.state);
	vc_free(relay.state);
	vc_free(client.state);
	vc_free(writer.state);
	viper_host_reset();
}

} // namespace
