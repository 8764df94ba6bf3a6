// supervision_test on the host, against a fake server of interface faulty
// that plays the root task too: Fault and Exit "restart" it (fresh state, a
// later start) or retire it (every later call: VIPER_E_PEERCLOSED) by a
// restart policy, as platform/root does. Each scenario must pass against a
// faithful fake and fail against one that breaks what the scenario checks.
// The calls go over the host transport, the full wire path.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

extern "C" {
#include <supervision_test/supervision_test.h>
#include <viper/component.h>
#include <viper/host_transport.h>

#include "faulty.viper.h"
#include "supervision_test_slots.h"
}

namespace
{

enum class Policy { kNever, kOnFailure, kAlways };

// A supervised server: its instance and its supervisor in one.
struct Fake {
	Policy policy = Policy::kNever;
	uint32_t max_restarts = 0;
	bool keep_state = false; // a broken restart: the new instance keeps the old counts

	// Ping number `restart_before_ping` (1-based, over all connections) is
	// answered by a new instance started after the call was sent: a call
	// that waited in the queue across a restart.
	int restart_before_ping = -1;
	// Ping number `restart_after_ping` is answered, then the server restarts.
	int restart_after_ping = -1;
	// From ping number `end_on_ping` on, the server is gone for good.
	int end_on_ping = -1;

	uint32_t restarts = 0;
	bool gone = false;
	uint64_t started = 0;
	int total_pings = 0;
	std::map<uint32_t, uint32_t> pings; // per connection

	void Start()
	{
		started = std::max(vc_now_ns(), started + 1);
		if (!keep_state)
			pings.clear();
	}

	// What the root task does after an exit with `status`.
	void Exited(int64_t status)
	{
		bool wanted =
			policy == Policy::kAlways || (policy == Policy::kOnFailure && status != 0);
		if (wanted && (max_restarts == 0 || restarts < max_restarts)) {
			restarts++;
			Start();
		} else {
			gone = true;
		}
	}
};

int32_t FakePing(void *self, struct viper_rpc_context *ctx, const viper_faulty_PingRequest *,
		 viper_faulty_PingReply *rep)
{
	Fake *f = static_cast<Fake *>(self);
	f->total_pings++;
	if (f->total_pings == f->end_on_ping)
		f->gone = true;
	if (f->gone)
		return VIPER_E_PEERCLOSED;
	if (f->total_pings == f->restart_before_ping)
		f->Start();
	rep->pings = ++f->pings[ctx->connection];
	rep->started_ns = f->started;
	if (f->total_pings == f->restart_after_ping)
		f->Start();
	return VIPER_OK;
}

int32_t FakeEcho(void *self, struct viper_rpc_context *, const viper_faulty_EchoRequest *req,
		 viper_faulty_EchoReply *rep)
{
	if (static_cast<Fake *>(self)->gone)
		return VIPER_E_PEERCLOSED;
	memcpy(rep->data.bytes, req->data.bytes, req->data.size);
	rep->data.size = req->data.size;
	return VIPER_OK;
}

int32_t FakeFault(void *self, struct viper_rpc_context *, const viper_faulty_FaultRequest *,
		  viper_faulty_FaultReply *)
{
	Fake *f = static_cast<Fake *>(self);
	if (f->gone)
		return VIPER_E_PEERCLOSED;
	f->Exited(VIPER_EXIT_FAULT);
	return VIPER_E_PEERCLOSED;
}

int32_t FakeExit(void *self, struct viper_rpc_context *, const viper_faulty_ExitRequest *req,
		 viper_faulty_ExitReply *)
{
	Fake *f = static_cast<Fake *>(self);
	if (f->gone)
		return VIPER_E_PEERCLOSED;
	f->Exited(req->status);
	return VIPER_E_PEERCLOSED;
}

const struct faulty_server kFakeMethods = {
	.ping = FakePing,
	.echo = FakeEcho,
	.fault = FakeFault,
	.exit = FakeExit,
};

class SupervisionTest : public ::testing::Test
{
      protected:
	void SetUp() override
	{
		viper_host_reset();
		service_.Start();
		second_.Start();
	}

	void TearDown() override
	{
		viper_host_reset();
	}

	// Runs scenario `name` against the fakes; returns run's status.
	int32_t Run(const char *name)
	{
		const struct viper_component *c = viper_component_find("supervision_test");
		EXPECT_NE(c, nullptr);
		if (c == nullptr)
			return -1;
		EXPECT_EQ(c->state_size, sizeof(state_));
		viper_host_bind_remote(
			&service_slot_, &faulty_interface,
			viper_host_serve(&faulty_interface, &kFakeMethods, &service_));
		viper_host_bind_remote(
			&second_slot_, &faulty_interface,
			viper_host_serve(&faulty_interface, &kFakeMethods, &second_));
		struct viper_instance_env env = {};
		env.name = name;
		env.slots[SUPERVISION_TEST_SLOT_SERVICE] = &service_slot_;
		env.slots[SUPERVISION_TEST_SLOT_SECOND] = &second_slot_;
		env.slot_count = SUPERVISION_TEST_SLOT_COUNT;
		EXPECT_EQ(c->init(&state_, &env), VIPER_OK);
		return c->run(&state_);
	}

	Fake service_;
	Fake second_;
	struct viper_slot service_slot_ = {};
	struct viper_slot second_slot_ = {};
	struct supervision_test state_ = {};
};

TEST_F(SupervisionTest, InitRefusesAnotherSlotCount)
{
	const struct viper_component *c = viper_component_find("supervision_test");
	ASSERT_NE(c, nullptr);
	struct viper_instance_env env = {};
	env.name = "never";
	env.slot_count = 1;
	EXPECT_EQ(c->init(&state_, &env), VIPER_E_INVAL);
}

TEST_F(SupervisionTest, OnFailurePasses)
{
	service_.policy = Policy::kOnFailure;
	service_.max_restarts = 3;
	EXPECT_EQ(Run("on_failure"), 0);
	EXPECT_EQ(state_.passed, 14u);
	EXPECT_EQ(state_.failed, 0u);
	EXPECT_EQ(service_.restarts, 3u);
	EXPECT_TRUE(service_.gone);
	EXPECT_EQ(second_.restarts, 0u);
}

TEST_F(SupervisionTest, OnFailureFailsWhenTheStateSurvivesARestart)
{
	service_.policy = Policy::kOnFailure;
	service_.max_restarts = 3;
	service_.keep_state = true;
	EXPECT_EQ(Run("on_failure"), 1);
	EXPECT_EQ(state_.failed, 3u); // one per restart
}

TEST_F(SupervisionTest, OnFailureFailsWithFewerRestarts)
{
	service_.policy = Policy::kOnFailure;
	service_.max_restarts = 2;
	EXPECT_EQ(Run("on_failure"), 1);
	EXPECT_GT(state_.failed, 0u);
}

TEST_F(SupervisionTest, OnFailureFailsWithoutALimit)
{
	service_.policy = Policy::kOnFailure;
	EXPECT_EQ(Run("on_failure"), 1);
	EXPECT_EQ(state_.failed, 2u); // both "out of restarts" checks
}

TEST_F(SupervisionTest, AlwaysPasses)
{
	service_.policy = Policy::kAlways;
	second_.policy = Policy::kOnFailure;
	EXPECT_EQ(Run("always"), 0);
	EXPECT_EQ(state_.passed, 13u);
	EXPECT_EQ(state_.failed, 0u);
	EXPECT_EQ(service_.restarts, 3u);
	EXPECT_TRUE(second_.gone);
}

TEST_F(SupervisionTest, AlwaysFailsWhenAServerStaysDownAfterACleanExit)
{
	service_.policy = Policy::kOnFailure;
	second_.policy = Policy::kOnFailure;
	EXPECT_EQ(Run("always"), 1);
	EXPECT_GT(state_.failed, 0u);
}

TEST_F(SupervisionTest, AlwaysFailsWhenACleanExitIsRestartedUnderOnFailure)
{
	service_.policy = Policy::kAlways;
	second_.policy = Policy::kAlways;
	EXPECT_EQ(Run("always"), 1);
	EXPECT_EQ(state_.failed, 1u);
}

TEST_F(SupervisionTest, NeverPasses)
{
	EXPECT_EQ(Run("never"), 0);
	EXPECT_EQ(state_.passed, 6u);
	EXPECT_EQ(state_.failed, 0u);
	EXPECT_TRUE(service_.gone);
	EXPECT_FALSE(second_.gone);
}

TEST_F(SupervisionTest, NeverFailsWhenTheServiceRestarts)
{
	service_.policy = Policy::kOnFailure;
	EXPECT_EQ(Run("never"), 1);
	EXPECT_EQ(state_.failed, 1u);
}

TEST_F(SupervisionTest, QueuedRestartPassesWhenAWaitingCallReachesTheNewInstance)
{
	service_.restart_before_ping = 5;
	EXPECT_EQ(Run("queued_restart"), 0);
	EXPECT_EQ(state_.passed, 2u);
	EXPECT_EQ(state_.failed, 0u);
	EXPECT_EQ(service_.total_pings, 5);
}

TEST_F(SupervisionTest, QueuedRestartIgnoresCallsSentAfterARestart)
{
	// Ping 4 reaches an instance that started before it was sent: no proof.
	// The next restart answers a waiting call.
	service_.restart_after_ping = 3;
	service_.restart_before_ping = 7;
	EXPECT_EQ(Run("queued_restart"), 0);
	EXPECT_EQ(service_.total_pings, 7);
}

TEST_F(SupervisionTest, QueuedRestartFailsWhenTheServiceGoes)
{
	service_.restart_after_ping = 3;
	service_.end_on_ping = 6;
	EXPECT_EQ(Run("queued_restart"), 1);
	EXPECT_EQ(state_.failed, 1u);
}

TEST_F(SupervisionTest, QueuedFinalPassesWhenTheServiceGoes)
{
	service_.end_on_ping = 4;
	EXPECT_EQ(Run("queued_final"), 0);
	EXPECT_EQ(state_.passed, 2u);
}

TEST_F(SupervisionTest, UnknownScenarioFails)
{
	EXPECT_EQ(Run("sometimes"), 1);
	EXPECT_EQ(state_.passed, 0u);
	EXPECT_EQ(state_.failed, 1u);
}

} // namespace
