// faulty_server on the host, through the generated stubs: over the host
// transport (the full wire path) and by direct call. Fault and Exit end the
// process, so they run as death tests.
#include <gtest/gtest.h>

#include <csignal>
#include <cstring>

extern "C" {
#include <faulty_server/faulty_server.h>
#include <viper/component.h>
#include <viper/host_transport.h>
}

namespace
{

class FaultyServerTest : public ::testing::TestWithParam<bool>
{
      protected:
	void SetUp() override
	{
		viper_host_reset();
		component_ = viper_component_find("faulty_server");
		ASSERT_NE(component_, nullptr);
		ASSERT_EQ(component_->provide_count, 1u);
		ASSERT_EQ(component_->provides[0].interface, &faulty_interface);
		ASSERT_EQ(component_->state_size, sizeof(state_));
		struct viper_instance_env env = {};
		env.name = "svc";
		ASSERT_EQ(component_->init(&state_, &env), VIPER_OK);
		Bind(&slot_);
	}

	void TearDown() override
	{
		viper_host_reset();
	}

	// A new connection to the instance, remote or direct as the parameter says.
	void Bind(struct viper_slot *slot)
	{
		*slot = {};
		if (GetParam()) {
			viper_handle_t ch = viper_host_serve(&faulty_interface,
							     &faulty_server_methods, &state_);
			ASSERT_NE(ch, VIPER_HANDLE_INVALID);
			viper_host_bind_remote(slot, &faulty_interface, ch);
		} else {
			viper_host_bind_direct(slot, &faulty_interface, &faulty_server_methods,
					       &state_);
			slot->peer_ctx.connection = ++next_direct_;
		}
	}

	int32_t Ping(struct viper_slot *slot, viper_faulty_PingReply *rep)
	{
		viper_faulty_PingRequest req = viper_faulty_PingRequest_init_zero;
		return faulty_ping(slot, &req, rep);
	}

	const struct viper_component *component_ = nullptr;
	struct faulty_server_state state_ = {};
	struct viper_slot slot_ = {};
	uint32_t next_direct_ = 100;
};

TEST_P(FaultyServerTest, InitRecordsNameAndStart)
{
	EXPECT_STREQ(state_.name, "svc");
	EXPECT_GT(state_.started_ns, 0u);
}

TEST_P(FaultyServerTest, PingCountsCallsPerConnection)
{
	viper_faulty_PingReply rep = viper_faulty_PingReply_init_zero;
	ASSERT_EQ(Ping(&slot_, &rep), VIPER_OK);
	EXPECT_EQ(rep.pings, 1u);
	EXPECT_EQ(rep.started_ns, state_.started_ns);
	ASSERT_EQ(Ping(&slot_, &rep), VIPER_OK);
	EXPECT_EQ(rep.pings, 2u);

	struct viper_slot other;
	Bind(&other);
	ASSERT_EQ(Ping(&other, &rep), VIPER_OK);
	EXPECT_EQ(rep.pings, 1u);
	ASSERT_EQ(Ping(&slot_, &rep), VIPER_OK);
	EXPECT_EQ(rep.pings, 3u);
}

TEST_P(FaultyServerTest, PingRefusesTooManyConnections)
{
	viper_faulty_PingReply rep = viper_faulty_PingReply_init_zero;
	struct viper_slot slots[FAULTY_SERVER_CONNECTIONS + 1];
	for (unsigned i = 0; i < FAULTY_SERVER_CONNECTIONS; i++) {
		Bind(&slots[i]);
		ASSERT_EQ(Ping(&slots[i], &rep), VIPER_OK) << i;
	}
	Bind(&slots[FAULTY_SERVER_CONNECTIONS]);
	EXPECT_EQ(Ping(&slots[FAULTY_SERVER_CONNECTIONS], &rep), VIPER_E_LIMIT);
	EXPECT_EQ(Ping(&slots[0], &rep), VIPER_OK);
	EXPECT_EQ(rep.pings, 2u);
}

TEST_P(FaultyServerTest, EchoReturnsTheData)
{
	viper_faulty_EchoRequest req = viper_faulty_EchoRequest_init_zero;
	viper_faulty_EchoReply rep;
	req.data.size = sizeof(req.data.bytes);
	for (unsigned i = 0; i < req.data.size; i++)
		req.data.bytes[i] = (uint8_t)(i * 7 + 1);
	ASSERT_EQ(faulty_echo(&slot_, &req, &rep), VIPER_OK);
	ASSERT_EQ(rep.data.size, req.data.size);
	EXPECT_EQ(memcmp(rep.data.bytes, req.data.bytes, req.data.size), 0);

	req.data.size = 0;
	ASSERT_EQ(faulty_echo(&slot_, &req, &rep), VIPER_OK);
	EXPECT_EQ(rep.data.size, 0u);

	req.data.size = sizeof(req.data.bytes) + 1;
	EXPECT_EQ(faulty_echo(&slot_, &req, &rep), VIPER_E_INVAL);
}

TEST_P(FaultyServerTest, FaultRefusesLongDelays)
{
	viper_faulty_FaultRequest req = viper_faulty_FaultRequest_init_zero;
	viper_faulty_FaultReply rep;
	req.delay_ms = FAULTY_SERVER_MAX_DELAY_MS + 1;
	EXPECT_EQ(faulty_fault(&slot_, &req, &rep), VIPER_E_INVAL);
}

using FaultyServerDeathTest = FaultyServerTest;

TEST_P(FaultyServerDeathTest, FaultKillsTheProcess)
{
	viper_faulty_FaultRequest req = viper_faulty_FaultRequest_init_zero;
	viper_faulty_FaultReply rep;
	req.delay_ms = 1;
	EXPECT_EXIT(faulty_fault(&slot_, &req, &rep), ::testing::KilledBySignal(SIGSEGV), "");
}

TEST_P(FaultyServerDeathTest, ExitEndsTheProcessWithTheStatus)
{
	viper_faulty_ExitRequest req = viper_faulty_ExitRequest_init_zero;
	viper_faulty_ExitReply rep;
	req.status = 3;
	EXPECT_EXIT(faulty_exit(&slot_, &req, &rep), ::testing::ExitedWithCode(3), "");
	req.status = 0;
	EXPECT_EXIT(faulty_exit(&slot_, &req, &rep), ::testing::ExitedWithCode(0), "");
}

INSTANTIATE_TEST_SUITE_P(RemoteAndDirect, FaultyServerTest, ::testing::Bool());
INSTANTIATE_TEST_SUITE_P(RemoteAndDirect, FaultyServerDeathTest, ::testing::Bool());

} // namespace
