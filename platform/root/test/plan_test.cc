// The root task's pure decisions (platform/root/src/plan.c) on the host:
// manifest checks, startup handles, grant sources and rights (the system
// capability's included), restarts.
#include <gtest/gtest.h>

#include <pb_encode.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

extern "C" {
#include "root/plan.h"
}

namespace
{

using Manifest = viper_manifest_Manifest;

constexpr uint64_t kUartBase = 0x09000000;
constexpr uint32_t kUartIrq = 33;

void SetString(char *dst, size_t size, const char *s)
{
	strncpy(dst, s, size - 1);
	dst[size - 1] = '\0';
}

// A two-process system: "server" serves kv on channel 0 and owns the UART;
// "app" calls it through channel 0 and the kernel's log through channel 1
// (provider in the kernel); channel 0 has bulk memory 0.
std::unique_ptr<Manifest> TwoProcesses()
{
	auto m = std::make_unique<Manifest>();
	memset(m.get(), 0, sizeof(*m));
	SetString(m->system, sizeof(m->system), "test");

	m->channels_count = 2;
	SetString(m->channels[0].interface, sizeof(m->channels[0].interface), "kv");
	m->channels[0].interface_id = 17;
	SetString(m->channels[0].client, sizeof(m->channels[0].client), "client.store");
	SetString(m->channels[0].provider, sizeof(m->channels[0].provider), "store");
	m->channels[0].depth = 4;
	m->channels[0].bulk_memory = 1;
	SetString(m->channels[1].interface, sizeof(m->channels[1].interface), "log");
	m->channels[1].interface_id = 3;
	SetString(m->channels[1].client, sizeof(m->channels[1].client), "client.log");
	SetString(m->channels[1].provider, sizeof(m->channels[1].provider), "logger");
	m->channels[1].kernel_end = viper_manifest_Channel_KernelEnd_KERNEL_END_RECV;

	m->memories_count = 1;
	SetString(m->memories[0].name, sizeof(m->memories[0].name), "kv.bulk");
	m->memories[0].size = 4096;

	m->processes_count = 3;
	viper_manifest_Process *k = &m->processes[0];
	SetString(k->name, sizeof(k->name), "kernel");

	viper_manifest_Process *s = &m->processes[1];
	SetString(s->name, sizeof(s->name), "server");
	s->priority = 9;
	s->restart = viper_manifest_RESTART_ON_FAILURE;
	s->max_restarts = 2;
	s->grants_count = 4;
	s->grants[0].kind = viper_manifest_GRANT_CHANNEL_RECV;
	s->grants[0].channel = 0;
	s->grants[0].rights = VIPER_RIGHT_READ;
	s->grants[1].kind = viper_manifest_GRANT_DEVICE;
	SetString(s->grants[1].device, sizeof(s->grants[1].device), "uart0");
	s->grants[1].device_base = kUartBase;
	s->grants[1].rights = VIPER_RIGHT_READ | VIPER_RIGHT_WRITE | VIPER_RIGHT_DEVICE;
	s->grants[2].kind = viper_manifest_GRANT_IRQ;
	SetString(s->grants[2].device, sizeof(s->grants[2].device), "uart0");
	s->grants[2].irq = kUartIrq;
	s->grants[2].rights = VIPER_RIGHT_READ | VIPER_RIGHT_IRQ;
	s->grants[3].kind = viper_manifest_GRANT_MEMORY;
	s->grants[3].memory = 0;
	s->grants[3].rights = VIPER_RIGHT_READ | VIPER_RIGHT_WRITE | VIPER_RIGHT_MAP;
	s->instances_count = 1;
	SetString(s->instances[0].name, sizeof(s->instances[0].name), "store");
	SetString(s->instances[0].component, sizeof(s->instances[0].component), "kv_store");
	s->instances[0].serves_count = 1;
	s->instances[0].serves[0] = {17, 1};
	s->instances[0].devices_count = 1;
	s->instances[0].devices[0] = 2;

	viper_manifest_Process *a = &m->processes[2];
	SetString(a->name, sizeof(a->name), "app");
	a->priority = 8;
	a->ends_system = true;
	a->grants_count = 3;
	a->grants[0].kind = viper_manifest_GRANT_CHANNEL_SEND;
	a->grants[0].channel = 0;
	a->grants[0].rights = VIPER_RIGHT_WRITE;
	a->grants[1].kind = viper_manifest_GRANT_CHANNEL_SEND;
	a->grants[1].channel = 1;
	a->grants[1].rights = VIPER_RIGHT_WRITE;
	a->grants[2].kind = viper_manifest_GRANT_MEMORY;
	a->grants[2].memory = 0;
	a->grants[2].rights = VIPER_RIGHT_READ | VIPER_RIGHT_WRITE | VIPER_RIGHT_MAP;
	a->instances_count = 2;
	viper_manifest_Instance *client = &a->instances[0];
	SetString(client->name, sizeof(client->name), "client");
	SetString(client->component, sizeof(client->component), "kv_client");
	client->slots_count = 3;
	SetString(client->slots[0].name, sizeof(client->slots[0].name), "store");
	client->slots[0].interface_id = 17;
	client->slots[0].grant = 1;
	SetString(client->slots[1].name, sizeof(client->slots[1].name), "log");
	client->slots[1].interface_id = 3;
	client->slots[1].grant = 2;
	SetString(client->slots[2].name, sizeof(client->slots[2].name), "cache");
	client->slots[2].interface_id = 17;
	client->slots[2].local = 2;
	viper_manifest_Instance *cache = &a->instances[1];
	SetString(cache->name, sizeof(cache->name), "cache");
	SetString(cache->component, sizeof(cache->component), "kv_store");
	return m;
}

constexpr viper_handle_t kRootSystem = 50;
constexpr viper_handle_t kRootSpawn = 60;

// TwoProcesses, with the system capability for "server"'s instance "store":
// grant 5, READ (inspect).
std::unique_ptr<Manifest> WithSystemGrant()
{
	auto m = TwoProcesses();
	viper_manifest_Process *s = &m->processes[1];
	s->grants_count = 5;
	s->grants[4].kind = viper_manifest_GRANT_SYSTEM;
	s->grants[4].rights = VIPER_RIGHT_READ;
	s->instances[0].system = 5;
	return m;
}

// TwoProcesses, with the spawn capability for "server"'s instance "store":
// grant 5, EXEC.
std::unique_ptr<Manifest> WithSpawnGrant()
{
	auto m = TwoProcesses();
	viper_manifest_Process *s = &m->processes[1];
	s->grants_count = 5;
	s->grants[4].kind = viper_manifest_GRANT_SPAWN;
	s->grants[4].rights = VIPER_RIGHT_EXEC;
	s->instances[0].spawn = 5;
	return m;
}

std::vector<uint8_t> Encode(const Manifest &m)
{
	std::vector<uint8_t> out(16384);
	pb_ostream_t s = pb_ostream_from_buffer(out.data(), out.size());
	EXPECT_TRUE(pb_encode(&s, viper_manifest_Manifest_fields, &m)) << PB_GET_ERROR(&s);
	out.resize(s.bytes_written);
	return out;
}

// Decodes `m` after encoding it; returns plan_decode's result and message.
int32_t RoundTrip(const Manifest &m, std::string *message)
{
	static Manifest decoded;
	struct plan_error err = {};
	std::vector<uint8_t> bytes = Encode(m);
	int32_t r = plan_decode(bytes.data(), bytes.size(), &decoded, &err);
	*message = err.text;
	return r;
}

TEST(PlanDecodeTest, AcceptsAWellFormedManifest)
{
	auto m = TwoProcesses();
	std::vector<uint8_t> bytes = Encode(*m);
	static Manifest decoded;
	struct plan_error err = {};
	ASSERT_EQ(plan_decode(bytes.data(), bytes.size(), &decoded, &err), VIPER_OK) << err.text;
	EXPECT_STREQ(decoded.system, "test");
	EXPECT_EQ(decoded.processes_count, 3u);
	EXPECT_STREQ(decoded.processes[2].instances[0].slots[2].name, "cache");
	EXPECT_TRUE(plan_is_kernel(&decoded.processes[0]));
	EXPECT_FALSE(plan_is_kernel(&decoded.processes[1]));
	EXPECT_TRUE(plan_root_creates_channel(&decoded.channels[0]));
	EXPECT_FALSE(plan_root_creates_channel(&decoded.channels[1]));
}

TEST(PlanDecodeTest, RejectsBytesThatDoNotDecode)
{
	static Manifest decoded;
	struct plan_error err = {};
	const uint8_t garbage[] = {0x12, 0xff, 0xff, 0xff, 0x0f, 0x01};
	EXPECT_EQ(plan_decode(garbage, sizeof(garbage), &decoded, &err), VIPER_E_CORRUPT);
	EXPECT_NE(std::string(err.text).find("the manifest (6 bytes) does not decode"),
		  std::string::npos)
		<< err.text;
}

TEST(PlanDecodeTest, RejectsAGrantOfAMissingChannel)
{
	auto m = TwoProcesses();
	m->processes[1].grants[0].channel = 7;
	std::string msg;
	EXPECT_EQ(RoundTrip(*m, &msg), VIPER_E_CORRUPT);
	EXPECT_EQ(msg, "process server: grant 1 names channel 7, but there are 2");
}

TEST(PlanDecodeTest, RejectsAGrantOfAMissingMemory)
{
	auto m = TwoProcesses();
	m->processes[2].grants[2].memory = 1;
	std::string msg;
	EXPECT_EQ(RoundTrip(*m, &msg), VIPER_E_CORRUPT);
	EXPECT_EQ(msg, "process app: grant 3 names memory 1, but there are 1");
}

TEST(PlanDecodeTest, RejectsUnknownRightsAndKinds)
{
	auto m = TwoProcesses();
	m->processes[2].grants[0].rights = 0x1000;
	std::string msg;
	EXPECT_EQ(RoundTrip(*m, &msg), VIPER_E_CORRUPT);
	EXPECT_EQ(msg, "process app: grant 1 has unknown rights 0x1000");

	m = TwoProcesses();
	m->processes[2].grants[0].kind = viper_manifest_GRANT_NONE;
	EXPECT_EQ(RoundTrip(*m, &msg), VIPER_E_CORRUPT);
	EXPECT_EQ(msg, "process app: grant 1 has unknown kind 0");
}

TEST(PlanDecodeTest, RejectsASlotBoundToAReceiveEnd)
{
	auto m = TwoProcesses();
	m->processes[2].grants[0].kind = viper_manifest_GRANT_CHANNEL_RECV;
	std::string msg;
	EXPECT_EQ(RoundTrip(*m, &msg), VIPER_E_CORRUPT);
	EXPECT_EQ(msg, "process app: slot 'store' of instance 'client' names grant 1, which is not "
		       "a channel send end");
}

TEST(PlanDecodeTest, RejectsASlotBoundTwiceOrNotAtAll)
{
	auto m = TwoProcesses();
	m->processes[2].instances[0].slots[0].local = 2;
	std::string msg;
	EXPECT_EQ(RoundTrip(*m, &msg), VIPER_E_CORRUPT);
	EXPECT_EQ(msg, "process app: slot 'store' of instance 'client' needs exactly one of grant "
		       "and local");

	m = TwoProcesses();
	m->processes[2].instances[0].slots[2].local = 1;
	EXPECT_EQ(RoundTrip(*m, &msg), VIPER_E_CORRUPT);
	EXPECT_EQ(msg, "process app: slot 'cache' of instance 'client' names local instance 1, "
		       "which is not another instance of the process");
}

TEST(PlanDecodeTest, RejectsServesAndDevicesOnTheWrongGrants)
{
	auto m = TwoProcesses();
	m->processes[1].instances[0].serves[0].grant = 2;
	std::string msg;
	EXPECT_EQ(RoundTrip(*m, &msg), VIPER_E_CORRUPT);
	EXPECT_EQ(msg, "process server: instance 'store' serves grant 2, which is not a channel "
		       "receive end");

	m = TwoProcesses();
	m->processes[1].instances[0].devices[0] = 5;
	EXPECT_EQ(RoundTrip(*m, &msg), VIPER_E_CORRUPT);
	EXPECT_EQ(msg, "process server: instance 'store' names grant 5 as a device, which is not "
		       "a device grant");
}

TEST(PlanDecodeTest, AcceptsTheSystemCapabilityWithReadOrReadWrite)
{
	auto m = WithSystemGrant();
	std::vector<uint8_t> bytes = Encode(*m);
	static Manifest decoded;
	struct plan_error err = {};
	ASSERT_EQ(plan_decode(bytes.data(), bytes.size(), &decoded, &err), VIPER_OK) << err.text;
	EXPECT_EQ(decoded.processes[1].grants[4].kind, viper_manifest_GRANT_SYSTEM);
	EXPECT_EQ(decoded.processes[1].grants[4].rights, VIPER_RIGHT_READ);
	EXPECT_EQ(decoded.processes[1].instances[0].system, 5u);
	EXPECT_EQ(decoded.processes[2].instances[0].system, 0u);

	m->processes[1].grants[4].rights = VIPER_RIGHT_READ | VIPER_RIGHT_WRITE;
	std::string msg;
	EXPECT_EQ(RoundTrip(*m, &msg), VIPER_OK) << msg;
}

TEST(PlanDecodeTest, RejectsASystemIndexOutOfRangeOrOnAnotherGrant)
{
	auto m = WithSystemGrant();
	m->processes[1].instances[0].system = 6;
	std::string msg;
	EXPECT_EQ(RoundTrip(*m, &msg), VIPER_E_CORRUPT);
	EXPECT_EQ(msg, "process server: instance 'store' names grant 6 as its system capability, "
		       "which is not a system capability grant");

	m = WithSystemGrant();
	m->processes[1].instances[0].system = 2; // the UART
	EXPECT_EQ(RoundTrip(*m, &msg), VIPER_E_CORRUPT);
	EXPECT_EQ(msg, "process server: instance 'store' names grant 2 as its system capability, "
		       "which is not a system capability grant");

	m = TwoProcesses(); // no system grant at all
	m->processes[2].instances[1].system = 3;
	EXPECT_EQ(RoundTrip(*m, &msg), VIPER_E_CORRUPT);
	EXPECT_EQ(msg, "process app: instance 'cache' names grant 3 as its system capability, "
		       "which is not a system capability grant");
}

TEST(PlanDecodeTest, SpawnGrantsTakeExactlyExecAndAreNamedByTheirInstance)
{
	auto m = WithSpawnGrant();
	std::string msg;
	ASSERT_EQ(RoundTrip(*m, &msg), VIPER_OK) << msg;
	for (uint32_t rights :
	     {0u, (uint32_t)VIPER_RIGHT_EXEC | VIPER_RIGHT_TRANSFER,
	      (uint32_t)VIPER_RIGHT_EXEC | VIPER_RIGHT_DERIVE, (uint32_t)VIPER_RIGHT_READ}) {
		m = WithSpawnGrant();
		m->processes[1].grants[4].rights = rights;
		EXPECT_EQ(RoundTrip(*m, &msg), VIPER_E_CORRUPT) << rights;
		char want[160];
		snprintf(want, sizeof(want),
			 "process server: grant 5 (spawn capability) has rights 0x%x; it takes "
			 "exactly EXEC (0x100)",
			 rights);
		EXPECT_EQ(msg, want);
	}
	m = WithSpawnGrant();
	m->processes[1].instances[0].spawn = 2; // the UART
	EXPECT_EQ(RoundTrip(*m, &msg), VIPER_E_CORRUPT);
	EXPECT_EQ(msg, "process server: instance 'store' names grant 2 as its spawn capability, "
		       "which is not a spawn capability grant");
	m = WithSpawnGrant();
	m->processes[1].instances[0].spawn = 6;
	EXPECT_EQ(RoundTrip(*m, &msg), VIPER_E_CORRUPT);
	EXPECT_EQ(msg, "process server: instance 'store' names grant 6 as its spawn capability, "
		       "which is not a spawn capability grant");
	m = WithSystemGrant(); // a system grant is not a spawn grant
	m->processes[1].instances[0].spawn = 5;
	EXPECT_EQ(RoundTrip(*m, &msg), VIPER_E_CORRUPT);
	EXPECT_EQ(msg, "process server: instance 'store' names grant 5 as its spawn capability, "
		       "which is not a spawn capability grant");
}

TEST(PlanDecodeTest, RejectsSystemRightsOtherThanReadAndWrite)
{
	auto m = WithSystemGrant();
	m->processes[1].grants[4].rights = VIPER_RIGHT_READ | VIPER_RIGHT_TRANSFER;
	std::string msg;
	EXPECT_EQ(RoundTrip(*m, &msg), VIPER_E_CORRUPT);
	EXPECT_EQ(msg, "process server: grant 5 (system capability) has rights 0x5; it takes only "
		       "READ (0x1) and WRITE (0x2)");

	m->processes[1].grants[4].rights = VIPER_RIGHT_READ | VIPER_RIGHT_DERIVE;
	EXPECT_EQ(RoundTrip(*m, &msg), VIPER_E_CORRUPT);
	EXPECT_EQ(msg, "process server: grant 5 (system capability) has rights 0x9; it takes only "
		       "READ (0x1) and WRITE (0x2)");

	m->processes[1].grants[4].rights = 0;
	EXPECT_EQ(RoundTrip(*m, &msg), VIPER_E_CORRUPT);
	EXPECT_EQ(msg, "process server: grant 5 (system capability) has no rights");

	m->processes[1].grants[4].rights = 0x1000;
	EXPECT_EQ(RoundTrip(*m, &msg), VIPER_E_CORRUPT);
	EXPECT_EQ(msg, "process server: grant 5 has unknown rights 0x1000");
}

TEST(PlanDecodeTest, RejectsBadChannelsPrioritiesAndPolicies)
{
	auto m = TwoProcesses();
	m->channels[0].depth = 65;
	std::string msg;
	EXPECT_EQ(RoundTrip(*m, &msg), VIPER_E_CORRUPT);
	EXPECT_EQ(msg, "channel 0 (client.store): depth 65 is over 64");

	m = TwoProcesses();
	m->channels[0].bulk_memory = 2;
	EXPECT_EQ(RoundTrip(*m, &msg), VIPER_E_CORRUPT);
	EXPECT_EQ(msg, "channel 0 (client.store): bulk_memory 2 names no memory (1 exist)");

	m = TwoProcesses();
	m->processes[1].priority = 16;
	EXPECT_EQ(RoundTrip(*m, &msg), VIPER_E_CORRUPT);
	EXPECT_EQ(msg, "process server: priority 16 is over 15");

	m = TwoProcesses();
	m->processes[1].restart = static_cast<viper_manifest_Restart>(3);
	EXPECT_EQ(RoundTrip(*m, &msg), VIPER_E_CORRUPT);
	EXPECT_EQ(msg, "process server: unknown restart policy 3");

	m = TwoProcesses();
	m->memories[0].size = 0;
	EXPECT_EQ(RoundTrip(*m, &msg), VIPER_E_CORRUPT);
	EXPECT_EQ(msg, "memory 0 (kv.bulk) has size 0");

	m = TwoProcesses();
	m->processes[2].name[0] = '\0';
	EXPECT_EQ(RoundTrip(*m, &msg), VIPER_E_CORRUPT);
	EXPECT_EQ(msg, "process 2 has no name");
}

// A process's part of the manifest: its record and, per grant, what the
// grant names; encoded by the root task, decoded and checked by the host.
TEST(PlanPartTest, CarriesTheRecordAndWhatEachGrantNames)
{
	auto m = TwoProcesses();
	std::string msg;
	ASSERT_EQ(RoundTrip(*m, &msg), VIPER_OK) << msg;
	auto part = std::make_unique<viper_manifest_ProcessPart>();
	plan_part_of(m.get(), 1, part.get());
	EXPECT_EQ(part->index, 1u);
	EXPECT_STREQ(part->process.name, m->processes[1].name);
	ASSERT_EQ(part->details_count, m->processes[1].grants_count);
	for (pb_size_t g = 0; g < m->processes[1].grants_count; g++) {
		const viper_manifest_Grant &gr = m->processes[1].grants[g];
		if (gr.kind == viper_manifest_GRANT_CHANNEL_RECV ||
		    gr.kind == viper_manifest_GRANT_CHANNEL_SEND) {
			EXPECT_EQ(part->details[g].bulk_memory,
				  m->channels[gr.channel].bulk_memory);
		}
		if (gr.kind == viper_manifest_GRANT_MEMORY) {
			EXPECT_STREQ(part->details[g].memory.name, m->memories[gr.memory].name);
			EXPECT_EQ(part->details[g].memory.size, m->memories[gr.memory].size);
		}
	}
	std::vector<uint8_t> bytes(viper_manifest_ProcessPart_size);
	int64_t len = plan_encode_part(part.get(), bytes.data(), bytes.size());
	ASSERT_GT(len, 0);
	auto back = std::make_unique<viper_manifest_ProcessPart>();
	plan_error err;
	ASSERT_EQ(plan_decode_part(bytes.data(), size_t(len), back.get(), &err), VIPER_OK)
		<< err.text;
	EXPECT_EQ(back->index, 1u);
	EXPECT_EQ(back->process.grants_count, m->processes[1].grants_count);
	EXPECT_LT(sizeof(viper_manifest_ProcessPart), sizeof(viper_manifest_Manifest) / 4)
		<< "a process holds far less than the whole manifest";
}

TEST(PlanPartTest, RefusesABadPart)
{
	auto m = TwoProcesses();
	std::string msg;
	ASSERT_EQ(RoundTrip(*m, &msg), VIPER_OK) << msg;
	auto part = std::make_unique<viper_manifest_ProcessPart>();
	std::vector<uint8_t> bytes(viper_manifest_ProcessPart_size);
	plan_error err;
	const uint8_t garbage[] = {0x12, 0xff, 0xff, 0x0f};
	EXPECT_EQ(plan_decode_part(garbage, sizeof(garbage), part.get(), &err), VIPER_E_CORRUPT);

	plan_part_of(m.get(), 1, part.get());
	part->details_count--; // a detail missing
	int64_t len = plan_encode_part(part.get(), bytes.data(), bytes.size());
	ASSERT_GT(len, 0);
	EXPECT_EQ(plan_decode_part(bytes.data(), size_t(len), part.get(), &err), VIPER_E_CORRUPT);
	EXPECT_NE(std::string(err.text).find("grant details"), std::string::npos) << err.text;

	plan_part_of(m.get(), 2, part.get());
	ASSERT_GT(part->process.instances[0].slots_count, 0u);
	part->process.instances[0].slots[0].grant = 99; // past its grants
	len = plan_encode_part(part.get(), bytes.data(), bytes.size());
	EXPECT_EQ(plan_decode_part(bytes.data(), size_t(len), part.get(), &err), VIPER_E_CORRUPT);

	auto empty = std::make_unique<viper_manifest_ProcessPart>();
	memset(empty.get(), 0, sizeof(*empty));
	len = plan_encode_part(empty.get(), bytes.data(), bytes.size());
	EXPECT_EQ(plan_decode_part(bytes.data(), size_t(len), part.get(), &err), VIPER_E_CORRUPT);
	EXPECT_NE(std::string(err.text).find("names no process"), std::string::npos);
}

TEST(PlanDecodeTest, RejectsSessionLimitsOutOfRange)
{
	std::string msg;
	for (auto [max, per] : {std::pair<uint32_t, uint32_t>{1025, 1}, {4, 5}, {4, 0}}) {
		auto m = TwoProcesses();
		m->processes[1].instances[0].sessions_max = max;
		m->processes[1].instances[0].sessions_per_client = per;
		EXPECT_EQ(RoundTrip(*m, &msg), VIPER_E_CORRUPT) << max << " " << per;
		EXPECT_NE(msg.find("session limits"), std::string::npos) << msg;
	}
	auto m = TwoProcesses();
	m->processes[1].instances[0].sessions_max = 1024;
	m->processes[1].instances[0].sessions_per_client = 16;
	EXPECT_EQ(RoundTrip(*m, &msg), VIPER_OK) << msg;
}

TEST(PlanDecodeTest, ChecksTheSupervisorLogChannel)
{
	auto m = TwoProcesses();
	std::string msg;
	m->supervisor_log = 3;
	EXPECT_EQ(RoundTrip(*m, &msg), VIPER_E_CORRUPT);
	EXPECT_EQ(msg, "supervisor_log 3 names no channel (2 exist)");

	m = TwoProcesses();
	m->supervisor_log = 2; // client.log: a process's, not the root's
	EXPECT_EQ(RoundTrip(*m, &msg), VIPER_E_CORRUPT);
	EXPECT_EQ(msg, "supervisor_log: channel 1 (client.log) is not the root task's log channel");

	m = TwoProcesses();
	SetString(m->channels[1].client, sizeof(m->channels[1].client), "root.log");
	m->supervisor_log = 2;
	EXPECT_EQ(RoundTrip(*m, &msg), VIPER_OK) << msg;
}

// The root's startup handles: the UART region and its IRQ, then the send
// end of channel 1, whose provider is in the kernel.
std::vector<viper_startup_handle> RootStartup()
{
	return {
		{10, VIPER_OBJ_DEVICE, kUartBase, 4096},
		{11, VIPER_OBJ_IRQ, kUartIrq, 0},
		{12, VIPER_OBJ_DEVICE, 0x0a000000, 4096},
		{13, VIPER_OBJ_CHANNEL_SEND, 0, 0},
	};
}

TEST(PlanStartupTest, SortsDevicesIrqsAndKernelChannelEnds)
{
	auto m = TwoProcesses();
	auto h = RootStartup();
	struct plan_caps caps = {};
	struct plan_error err = {};
	ASSERT_EQ(plan_take_startup(m.get(), h.data(), h.size(), &caps, &err), VIPER_OK)
		<< err.text;
	EXPECT_EQ(caps.device_count, 2u);
	EXPECT_EQ(caps.devices[0].handle, 10u);
	EXPECT_EQ(caps.devices[0].base, kUartBase);
	EXPECT_EQ(caps.irq_count, 1u);
	EXPECT_EQ(caps.irqs[0].line, kUartIrq);
	EXPECT_EQ(caps.channel_send[1], 13u);
	EXPECT_EQ(caps.channel_recv[1], 0u);
	EXPECT_EQ(caps.channel_send[0], 0u);
}

// The kernel puts its system capability after the devices; the root keeps it.
TEST(PlanStartupTest, KeepsTheSystemCapabilityThatFollowsTheDevices)
{
	auto m = TwoProcesses();
	auto h = RootStartup();
	h.insert(h.begin() + 3, {15, VIPER_OBJ_SYSTEM, 0, 0});
	struct plan_caps caps = {};
	struct plan_error err = {};
	ASSERT_EQ(plan_take_startup(m.get(), h.data(), h.size(), &caps, &err), VIPER_OK)
		<< err.text;
	EXPECT_EQ(caps.system, 15u);
	EXPECT_EQ(caps.device_count, 2u);
	EXPECT_EQ(caps.irq_count, 1u);
	EXPECT_EQ(caps.channel_send[1], 13u);

	// Without one, the root has none; a second one is refused.
	h.erase(h.begin() + 3);
	ASSERT_EQ(plan_take_startup(m.get(), h.data(), h.size(), &caps, &err), VIPER_OK)
		<< err.text;
	EXPECT_EQ(caps.system, VIPER_HANDLE_INVALID);
	h.insert(h.begin() + 3, {15, VIPER_OBJ_SYSTEM, 0, 0});
	h.insert(h.begin() + 3, {16, VIPER_OBJ_SYSTEM, 0, 0});
	EXPECT_EQ(plan_take_startup(m.get(), h.data(), h.size(), &caps, &err), VIPER_E_CORRUPT);
	EXPECT_STREQ(err.text, "startup handle 4 is a second system capability");
}

TEST(PlanStartupTest, TakesTheReceiveEndWhenTheClientIsInTheKernel)
{
	auto m = TwoProcesses();
	m->channels[1].kernel_end = viper_manifest_Channel_KernelEnd_KERNEL_END_SEND;
	std::vector<viper_startup_handle> h = {{20, VIPER_OBJ_CHANNEL_RECV, 0, 0}};
	struct plan_caps caps = {};
	struct plan_error err = {};
	ASSERT_EQ(plan_take_startup(m.get(), h.data(), h.size(), &caps, &err), VIPER_OK)
		<< err.text;
	EXPECT_EQ(caps.channel_recv[1], 20u);
	EXPECT_EQ(caps.device_count, 0u);
}

TEST(PlanStartupTest, RejectsAChannelEndOfTheWrongKind)
{
	auto m = TwoProcesses();
	auto h = RootStartup();
	h[3].kind = VIPER_OBJ_CHANNEL_RECV;
	struct plan_caps caps = {};
	struct plan_error err = {};
	EXPECT_EQ(plan_take_startup(m.get(), h.data(), h.size(), &caps, &err), VIPER_E_CORRUPT);
	EXPECT_STREQ(err.text, "startup handle 3 should be the send end of channel 1 (client.log "
			       "-> logger), but is of kind 4");
}

TEST(PlanStartupTest, RejectsMissingAndExtraHandles)
{
	auto m = TwoProcesses();
	auto h = RootStartup();
	struct plan_caps caps = {};
	struct plan_error err = {};
	EXPECT_EQ(plan_take_startup(m.get(), h.data(), 3, &caps, &err), VIPER_E_CORRUPT);
	EXPECT_STREQ(err.text, "the kernel gave 3 startup handles, but channel 1 (client.log -> "
			       "logger) needs its end from the kernel");

	h.push_back({14, VIPER_OBJ_MEMORY, 0, 4096});
	EXPECT_EQ(plan_take_startup(m.get(), h.data(), h.size(), &caps, &err), VIPER_E_CORRUPT);
	EXPECT_STREQ(err.text, "startup handle 4 (kind 5) matches nothing in the manifest");
}

TEST(PlanStartupTest, TakesTheBulkBufferTheKernelMadeAfterItsChannelEnd)
{
	auto m = TwoProcesses();
	m->channels[1].bulk_memory = 1; // channel 1 (provider in the kernel) has the bulk buffer
	m->channels[0].bulk_memory = 0;
	auto h = RootStartup();
	h.push_back({14, VIPER_OBJ_MEMORY, 0, 4096});
	struct plan_caps caps = {};
	struct plan_error err = {};
	ASSERT_EQ(plan_take_startup(m.get(), h.data(), h.size(), &caps, &err), VIPER_OK)
		<< err.text;
	EXPECT_EQ(caps.channel_send[1], 13u);
	EXPECT_EQ(caps.memory[0], 14u) << "the root must not make this memory itself";

	h.pop_back();
	EXPECT_EQ(plan_take_startup(m.get(), h.data(), h.size(), &caps, &err), VIPER_E_CORRUPT);
	EXPECT_STREQ(err.text, "startup handle 4 should be the bulk buffer kv.bulk of channel 1 "
			       "(client.log -> logger), but there is none");
	h.push_back({14, VIPER_OBJ_CHANNEL_SEND, 0, 0});
	EXPECT_EQ(plan_take_startup(m.get(), h.data(), h.size(), &caps, &err), VIPER_E_CORRUPT);
	EXPECT_STREQ(err.text, "startup handle 4 should be the bulk buffer kv.bulk of channel 1 "
			       "(client.log -> logger), but it is of another kind");
}

TEST(PlanStartupTest, TakesTheSystemCapabilityWhereverTheKernelPutsIt)
{
	auto m = WithSystemGrant();
	auto plain = RootStartup();
	const viper_startup_handle system = {kRootSystem, VIPER_OBJ_SYSTEM, 0, 0};

	for (size_t at = 0; at <= plain.size(); at++) {
		auto h = plain;
		h.insert(h.begin() + static_cast<long>(at), system);
		struct plan_caps caps = {};
		struct plan_error err = {};
		ASSERT_EQ(plan_take_startup(m.get(), h.data(), h.size(), &caps, &err), VIPER_OK)
			<< "at " << at << ": " << err.text;
		EXPECT_EQ(caps.system, kRootSystem) << "at " << at;
		EXPECT_EQ(caps.device_count, 2u) << "at " << at;
		EXPECT_EQ(caps.devices[1].handle, 12u) << "at " << at;
		EXPECT_EQ(caps.irq_count, 1u) << "at " << at;
		EXPECT_EQ(caps.irqs[0].handle, 11u) << "at " << at;
		EXPECT_EQ(caps.channel_send[1], 13u) << "at " << at;
	}
}

TEST(PlanStartupTest, TakesTheSystemCapabilityBetweenAChannelEndAndItsBulkBuffer)
{
	auto m = WithSystemGrant();
	m->channels[1].bulk_memory = 1;
	m->channels[0].bulk_memory = 0;
	auto h = RootStartup();
	h.push_back({kRootSystem, VIPER_OBJ_SYSTEM, 0, 0});
	h.push_back({14, VIPER_OBJ_MEMORY, 0, 4096});
	struct plan_caps caps = {};
	struct plan_error err = {};
	ASSERT_EQ(plan_take_startup(m.get(), h.data(), h.size(), &caps, &err), VIPER_OK)
		<< err.text;
	EXPECT_EQ(caps.system, kRootSystem);
	EXPECT_EQ(caps.memory[0], 14u);
}

TEST(PlanStartupTest, RejectsASecondSystemCapability)
{
	auto m = WithSystemGrant();
	auto h = RootStartup();
	h.insert(h.begin(), {kRootSystem, VIPER_OBJ_SYSTEM, 0, 0});
	h.push_back({kRootSystem + 1, VIPER_OBJ_SYSTEM, 0, 0});
	struct plan_caps caps = {};
	struct plan_error err = {};
	EXPECT_EQ(plan_take_startup(m.get(), h.data(), h.size(), &caps, &err), VIPER_E_CORRUPT);
	EXPECT_STREQ(err.text, "startup handle 5 is a second system capability");
}

// The spawn capability, like the system capability, is taken by its kind
// wherever the kernel puts it (next to the system capability, normally).
TEST(PlanStartupTest, TakesTheSpawnCapabilityWhereverTheKernelPutsIt)
{
	auto m = TwoProcesses();
	auto plain = RootStartup();
	const viper_startup_handle spawn = {kRootSpawn, VIPER_OBJ_SPAWN, 0, 0};
	const viper_startup_handle system = {kRootSystem, VIPER_OBJ_SYSTEM, 0, 0};

	for (size_t at = 0; at <= plain.size(); at++) {
		auto h = plain;
		h.insert(h.begin() + static_cast<long>(at), spawn);
		h.insert(h.begin() + static_cast<long>(at), system);
		struct plan_caps caps = {};
		struct plan_error err = {};
		ASSERT_EQ(plan_take_startup(m.get(), h.data(), h.size(), &caps, &err), VIPER_OK)
			<< "at " << at << ": " << err.text;
		EXPECT_EQ(caps.spawn, kRootSpawn) << "at " << at;
		EXPECT_EQ(caps.system, kRootSystem) << "at " << at;
		EXPECT_EQ(caps.device_count, 2u) << "at " << at;
		EXPECT_EQ(caps.irq_count, 1u) << "at " << at;
		EXPECT_EQ(caps.channel_send[1], 13u) << "at " << at;
	}
	// None: the root has none (and says so before starting anything).
	struct plan_caps caps = {};
	struct plan_error err = {};
	caps.spawn = 99;
	ASSERT_EQ(plan_take_startup(m.get(), plain.data(), plain.size(), &caps, &err), VIPER_OK)
		<< err.text;
	EXPECT_EQ(caps.spawn, VIPER_HANDLE_INVALID);
	// A second one is a mismatch.
	auto h = plain;
	h.insert(h.begin(), spawn);
	h.push_back({kRootSpawn + 1, VIPER_OBJ_SPAWN, 0, 0});
	EXPECT_EQ(plan_take_startup(m.get(), h.data(), h.size(), &caps, &err), VIPER_E_CORRUPT);
	EXPECT_STREQ(err.text, "startup handle 5 is a second spawn capability");
}

TEST(PlanStartupTest, NeedsTheSystemCapabilityOnlyWhenAProcessIsGrantedIt)
{
	auto m = WithSystemGrant();
	auto h = RootStartup();
	struct plan_caps caps = {};
	struct plan_error err = {};
	EXPECT_EQ(plan_take_startup(m.get(), h.data(), h.size(), &caps, &err), VIPER_E_CORRUPT);
	EXPECT_STREQ(err.text, "process server needs the system capability (grant 5), but the "
			       "kernel gave the root task none");

	// Without a system grant, or with one only in the kernel's record (the
	// kernel host gives that itself), the root needs none.
	m = TwoProcesses();
	ASSERT_EQ(plan_take_startup(m.get(), h.data(), h.size(), &caps, &err), VIPER_OK)
		<< err.text;
	EXPECT_EQ(caps.system, VIPER_HANDLE_INVALID);
	m->processes[0].grants_count = 1;
	m->processes[0].grants[0].kind = viper_manifest_GRANT_SYSTEM;
	m->processes[0].grants[0].rights = VIPER_RIGHT_READ | VIPER_RIGHT_WRITE;
	EXPECT_EQ(plan_take_startup(m.get(), h.data(), h.size(), &caps, &err), VIPER_OK)
		<< err.text;
}

// The root's capabilities after startup (with the system capability `system`
// first when it is valid) and after making channel 0 and memory 0.
struct plan_caps RootCaps(const Manifest &m, viper_handle_t system = VIPER_HANDLE_INVALID)
{
	auto h = RootStartup();
	if (system != VIPER_HANDLE_INVALID)
		h.insert(h.begin(), {system, VIPER_OBJ_SYSTEM, 0, 0});
	struct plan_caps caps = {};
	struct plan_error err = {};
	EXPECT_EQ(plan_take_startup(&m, h.data(), h.size(), &caps, &err), VIPER_OK) << err.text;
	caps.channel_send[0] = 30;
	caps.channel_recv[0] = 31;
	caps.memory[0] = 40;
	return caps;
}

TEST(PlanGrantsTest, FindsEachGrantsOriginalInGrantOrder)
{
	auto m = TwoProcesses();
	struct plan_caps caps = RootCaps(*m);
	struct plan_grant_handle out[PLAN_MAX_GRANTS] = {};
	struct plan_error err = {};

	ASSERT_EQ(plan_process_grants(m.get(), &m->processes[1], &caps, out, &err), VIPER_OK)
		<< err.text;
	EXPECT_EQ(out[0].source, 31u); // receive end of channel 0
	EXPECT_EQ(out[0].rights, VIPER_RIGHT_READ | VIPER_RIGHT_TRANSFER);
	EXPECT_EQ(out[1].source, 10u); // the UART by its base
	EXPECT_EQ(out[1].rights,
		  VIPER_RIGHT_READ | VIPER_RIGHT_WRITE | VIPER_RIGHT_DEVICE | VIPER_RIGHT_TRANSFER);
	EXPECT_EQ(out[2].source, 11u); // its IRQ by line
	EXPECT_EQ(out[3].source, 40u); // the bulk memory

	ASSERT_EQ(plan_process_grants(m.get(), &m->processes[2], &caps, out, &err), VIPER_OK)
		<< err.text;
	EXPECT_EQ(out[0].source, 30u); // send end of channel 0
	EXPECT_EQ(out[1].source, 13u); // the kernel's channel 1, from startup
	EXPECT_EQ(out[1].rights, VIPER_RIGHT_WRITE | VIPER_RIGHT_TRANSFER);
}

TEST(PlanGrantsTest, SaysWhichGrantHasNoCapability)
{
	auto m = TwoProcesses();
	struct plan_caps caps = RootCaps(*m);
	struct plan_grant_handle out[PLAN_MAX_GRANTS] = {};
	struct plan_error err = {};

	m->processes[1].grants[1].device_base = 0x1234000;
	EXPECT_EQ(plan_process_grants(m.get(), &m->processes[1], &caps, out, &err),
		  VIPER_E_NOTFOUND);
	EXPECT_STREQ(err.text, "process server: grant 2: no device 'uart0' at 0x1234000 among the "
			       "root task's handles");

	m = TwoProcesses();
	m->processes[1].grants[2].irq = 40;
	EXPECT_EQ(plan_process_grants(m.get(), &m->processes[1], &caps, out, &err),
		  VIPER_E_NOTFOUND);
	EXPECT_STREQ(err.text,
		     "process server: grant 3: no IRQ line 40 ('uart0') among the root task's "
		     "handles");

	m = TwoProcesses();
	m->processes[2].grants[1].kind = viper_manifest_GRANT_CHANNEL_RECV;
	EXPECT_EQ(plan_process_grants(m.get(), &m->processes[2], &caps, out, &err),
		  VIPER_E_NOTFOUND);
	EXPECT_STREQ(err.text, "process app: grant 2: the channel receive end of channel 1 "
			       "(client.log -> logger) is not the root task's to give");
}

TEST(PlanGrantsTest, DerivesTheSystemCapabilityWithTheGrantsRightsOnEveryStart)
{
	auto m = WithSystemGrant();
	struct plan_caps caps = RootCaps(*m, kRootSystem);
	struct plan_grant_handle out[PLAN_MAX_GRANTS] = {};
	struct plan_error err = {};

	ASSERT_EQ(plan_process_grants(m.get(), &m->processes[1], &caps, out, &err), VIPER_OK)
		<< err.text;
	EXPECT_EQ(out[4].source, kRootSystem);
	EXPECT_EQ(out[4].rights, VIPER_RIGHT_READ | VIPER_RIGHT_TRANSFER); // inspect
	EXPECT_EQ(out[0].source, 31u); // the other grants are unchanged
	EXPECT_EQ(out[3].source, 40u);

	// Control; and a restart derives again from the same original.
	m->processes[1].grants[4].rights = VIPER_RIGHT_READ | VIPER_RIGHT_WRITE;
	for (int start = 0; start < 2; start++) {
		out[4] = {};
		ASSERT_EQ(plan_process_grants(m.get(), &m->processes[1], &caps, out, &err),
			  VIPER_OK)
			<< err.text;
		EXPECT_EQ(out[4].source, kRootSystem);
		EXPECT_EQ(out[4].rights,
			  VIPER_RIGHT_READ | VIPER_RIGHT_WRITE | VIPER_RIGHT_TRANSFER);
		EXPECT_EQ(caps.system, kRootSystem);
	}
}

TEST(PlanGrantsTest, SaysWhenTheRootHasNoSystemCapabilityToGive)
{
	auto m = WithSystemGrant();
	struct plan_caps caps = RootCaps(*TwoProcesses()); // the kernel gave none
	struct plan_grant_handle out[PLAN_MAX_GRANTS] = {};
	struct plan_error err = {};

	ASSERT_EQ(caps.system, VIPER_HANDLE_INVALID);
	EXPECT_EQ(plan_process_grants(m.get(), &m->processes[1], &caps, out, &err),
		  VIPER_E_NOTFOUND);
	EXPECT_STREQ(err.text, "process server: grant 5: the kernel gave the root task no system "
			       "capability to give");
}

TEST(PlanGrantsTest, TheSpawnCapabilityComesFromTheRoots)
{
	auto m = WithSpawnGrant();
	struct plan_caps caps = RootCaps(*TwoProcesses());
	struct plan_grant_handle out[PLAN_MAX_GRANTS] = {};
	struct plan_error err = {};

	// The kernel gave none: said, not guessed.
	ASSERT_EQ(caps.spawn, VIPER_HANDLE_INVALID);
	EXPECT_EQ(plan_process_grants(m.get(), &m->processes[1], &caps, out, &err),
		  VIPER_E_NOTFOUND);
	EXPECT_STREQ(err.text, "process server: grant 5: the kernel gave the root task no spawn "
			       "capability to give");
	// With the root's: exec, plus transfer to move it; never derive, so no copies.
	caps.spawn = kRootSpawn;
	for (int start = 0; start < 2; start++) {
		ASSERT_EQ(plan_process_grants(m.get(), &m->processes[1], &caps, out, &err),
			  VIPER_OK)
			<< err.text;
		EXPECT_EQ(out[4].source, kRootSpawn);
		EXPECT_EQ(out[4].rights, VIPER_RIGHT_EXEC | VIPER_RIGHT_TRANSFER);
		EXPECT_EQ(out[0].source, 31u);
	}
	// Nobody else gets it.
	ASSERT_EQ(plan_process_grants(m.get(), &m->processes[2], &caps, out, &err), VIPER_OK)
		<< err.text;
	for (pb_size_t g = 0; g < m->processes[2].grants_count; g++)
		EXPECT_NE(out[g].source, kRootSpawn);
}

viper_manifest_Process Policy(viper_manifest_Restart restart, uint32_t max, bool ends)
{
	viper_manifest_Process p;
	memset(&p, 0, sizeof(p));
	p.restart = restart;
	p.max_restarts = max;
	p.ends_system = ends;
	return p;
}

constexpr uint32_t kDmaRights =
	VIPER_RIGHT_READ | VIPER_RIGHT_WRITE | VIPER_RIGHT_MAP | VIPER_RIGHT_DMA;

viper_manifest_Grant DmaGrant(uint32_t region)
{
	viper_manifest_Grant g;

	memset(&g, 0, sizeof(g));
	g.kind = viper_manifest_GRANT_DMA;
	g.rights = kDmaRights;
	g.dma_region = region;
	return g;
}

// TwoProcesses, with two DMA regions for "server"'s instance "store" (a
// contiguous ring, grant 5, and pinned buffers, grant 6) and one for a
// kernel-placed instance, which the kernel makes.
std::unique_ptr<Manifest> WithDma()
{
	auto m = TwoProcesses();
	m->dma_regions_count = 3;
	SetString(m->dma_regions[0].name, sizeof(m->dma_regions[0].name), "store.ring");
	m->dma_regions[0].size = 8192;
	m->dma_regions[0].contiguous = true;
	SetString(m->dma_regions[1].name, sizeof(m->dma_regions[1].name), "store.buffers");
	m->dma_regions[1].size = 65536;
	SetString(m->dma_regions[2].name, sizeof(m->dma_regions[2].name), "disk.ring");
	m->dma_regions[2].size = 4096;
	m->dma_regions[2].contiguous = true;
	viper_manifest_Process *s = &m->processes[1];
	s->grants_count = 6;
	s->grants[4] = DmaGrant(0);
	s->grants[5] = DmaGrant(1);
	s->instances[0].dma_count = 2;
	s->instances[0].dma[0] = 5;
	s->instances[0].dma[1] = 6;
	viper_manifest_Process *k = &m->processes[0];
	k->grants_count = 1;
	k->grants[0] = DmaGrant(2);
	return m;
}

TEST(PlanDmaTest, AcceptsDmaRegionsAndTheirGrants)
{
	auto m = WithDma();
	std::string message;

	EXPECT_EQ(RoundTrip(*m, &message), VIPER_OK) << message;
}

TEST(PlanDmaTest, RejectsRegionsTheKernelCannotMake)
{
	std::string message;
	auto m = WithDma();

	m->dma_regions[1].size = 0;
	EXPECT_EQ(RoundTrip(*m, &message), VIPER_E_CORRUPT);
	EXPECT_EQ(message, "DMA region 1 (store.buffers) has size 0, which the kernel cannot "
			   "make pinned");
	m = WithDma();
	m->dma_regions[1].size = 5000;
	EXPECT_EQ(RoundTrip(*m, &message), VIPER_E_CORRUPT) << "not whole pages";
	m = WithDma();
	m->dma_regions[0].size = (4u << 20) + 4096;
	EXPECT_EQ(RoundTrip(*m, &message), VIPER_E_CORRUPT);
	EXPECT_EQ(message, "DMA region 0 (store.ring) has size 4198400, which the kernel cannot "
			   "make contiguous");
	m->dma_regions[0].contiguous = false; /* pinned pages may be many more */
	EXPECT_EQ(RoundTrip(*m, &message), VIPER_OK) << message;
	m->dma_regions[0].size = (64u << 20) + 4096;
	EXPECT_EQ(RoundTrip(*m, &message), VIPER_E_CORRUPT);
}

TEST(PlanDmaTest, RejectsBadDmaGrants)
{
	std::string message;
	auto m = WithDma();

	m->processes[1].grants[5].dma_region = 3;
	EXPECT_EQ(RoundTrip(*m, &message), VIPER_E_CORRUPT);
	EXPECT_EQ(message, "process server: grant 6 names DMA region 3, but there are 3");
	m = WithDma();
	m->processes[1].grants[4].rights = kDmaRights | VIPER_RIGHT_DEVICE;
	EXPECT_EQ(RoundTrip(*m, &message), VIPER_E_CORRUPT);
	EXPECT_EQ(message, "process server: grant 5 (DMA region) has rights 0xb3; it takes only "
			   "READ, WRITE, MAP and DMA (0x93)");
	m = WithDma();
	m->processes[1].instances[0].dma[1] = 4; /* the bulk memory grant */
	EXPECT_EQ(RoundTrip(*m, &message), VIPER_E_CORRUPT);
	EXPECT_EQ(message, "process server: instance 'store' names grant 4 as a DMA region, which "
			   "is not a DMA grant");
	m = WithDma();
	m->processes[1].instances[0].dma[0] = 7;
	EXPECT_EQ(RoundTrip(*m, &message), VIPER_E_CORRUPT) << "past the grants";
}

TEST(PlanDecodeTest, AcceptsADeviceFoundAtBootButNotADeviceOfNothing)
{
	std::string message;
	auto m = TwoProcesses();

	m->processes[1].grants[1].device_base = 0;
	m->processes[1].grants[1].virtio_id = 2; /* a virtio-blk, found at boot */
	m->processes[1].grants[2].irq = 0;
	EXPECT_EQ(RoundTrip(*m, &message), VIPER_OK) << message;
	m->processes[1].grants[1].virtio_id = 0;
	EXPECT_EQ(RoundTrip(*m, &message), VIPER_E_CORRUPT);
	EXPECT_EQ(message, "process server: grant 2 (device) names no device: no base and no "
			   "virtio kind");
}

TEST(PlanDmaTest, TheRootMakesTheRegionsOfProcessesOnly)
{
	auto m = WithDma();

	EXPECT_TRUE(plan_root_makes_dma(m.get(), 0));
	EXPECT_TRUE(plan_root_makes_dma(m.get(), 1));
	EXPECT_FALSE(plan_root_makes_dma(m.get(), 2)) << "the kernel's own";
	EXPECT_FALSE(plan_root_makes_dma(m.get(), 3)) << "no such region";
	EXPECT_EQ(plan_dma_flags(&m->dma_regions[0]), (uint32_t)VIPER_MEMORY_CONTIGUOUS);
	EXPECT_EQ(plan_dma_flags(&m->dma_regions[1]), (uint32_t)VIPER_MEMORY_PINNED);
}

TEST(PlanDmaTest, GrantsEachRegionFromTheRootsOriginalWithTheDmaRight)
{
	auto m = WithDma();
	struct plan_caps caps = RootCaps(*m);
	struct plan_grant_handle out[PLAN_MAX_GRANTS] = {};
	struct plan_error err = {};

	caps.dma[0] = 60;
	caps.dma[1] = 61;
	ASSERT_EQ(plan_process_grants(m.get(), &m->processes[1], &caps, out, &err), VIPER_OK)
		<< err.text;
	EXPECT_EQ(out[4].source, 60u);
	EXPECT_EQ(out[5].source, 61u);
	EXPECT_EQ(out[4].rights, kDmaRights | VIPER_RIGHT_TRANSFER);
	caps.dma[1] = VIPER_HANDLE_INVALID;
	EXPECT_EQ(plan_process_grants(m.get(), &m->processes[1], &caps, out, &err),
		  VIPER_E_NOTFOUND);
	EXPECT_STREQ(err.text, "process server: grant 6: no DMA region to give");
}

TEST(PlanExitTest, NeverRestartsWithPolicyNever)
{
	auto p = Policy(viper_manifest_RESTART_NEVER, 0, false);
	EXPECT_EQ(plan_on_exit(&p, 0, 0), PLAN_EXIT_FINAL);
	EXPECT_EQ(plan_on_exit(&p, 0, VIPER_EXIT_FAULT), PLAN_EXIT_FINAL);
}

TEST(PlanExitTest, OnFailureRestartsAfterFaultsKillsAndNonZeroStatus)
{
	auto p = Policy(viper_manifest_RESTART_ON_FAILURE, 0, false);
	EXPECT_EQ(plan_on_exit(&p, 0, 0), PLAN_EXIT_FINAL);
	EXPECT_EQ(plan_on_exit(&p, 0, 1), PLAN_EXIT_RESTART);
	EXPECT_EQ(plan_on_exit(&p, 0, -3), PLAN_EXIT_RESTART);
	EXPECT_EQ(plan_on_exit(&p, 0, VIPER_EXIT_FAULT), PLAN_EXIT_RESTART);
	EXPECT_EQ(plan_on_exit(&p, 0, VIPER_EXIT_KILLED), PLAN_EXIT_RESTART);
	// max_restarts 0: no limit.
	EXPECT_EQ(plan_on_exit(&p, 1000000, VIPER_EXIT_FAULT), PLAN_EXIT_RESTART);
}

TEST(PlanExitTest, AlwaysRestartsUpToTheLimit)
{
	auto p = Policy(viper_manifest_RESTART_ALWAYS, 2, false);
	EXPECT_EQ(plan_on_exit(&p, 0, 0), PLAN_EXIT_RESTART);
	EXPECT_EQ(plan_on_exit(&p, 1, 5), PLAN_EXIT_RESTART);
	EXPECT_EQ(plan_on_exit(&p, 2, 0), PLAN_EXIT_LIMIT);
}

TEST(PlanExitTest, EndsTheSystemOnlyWhenTheExitIsFinal)
{
	auto p = Policy(viper_manifest_RESTART_NEVER, 0, true);
	EXPECT_EQ(plan_on_exit(&p, 0, 0), PLAN_EXIT_END_SYSTEM);
	p = Policy(viper_manifest_RESTART_ON_FAILURE, 1, true);
	EXPECT_EQ(plan_on_exit(&p, 0, VIPER_EXIT_FAULT), PLAN_EXIT_RESTART);
	EXPECT_EQ(plan_on_exit(&p, 1, VIPER_EXIT_FAULT), PLAN_EXIT_END_SYSTEM);
	EXPECT_EQ(plan_on_exit(&p, 0, 0), PLAN_EXIT_END_SYSTEM);
}

TEST(PlanRestartDelayTest, BacksOffQuickFailuresAndResetsAfterALongRun)
{
	uint32_t quick = 0;
	EXPECT_EQ(plan_restart_delay(PLAN_QUICK_RUN_NS, &quick), 0u);
	EXPECT_EQ(quick, 0u);
	EXPECT_EQ(plan_restart_delay(0, &quick), 10000000u);
	EXPECT_EQ(plan_restart_delay(PLAN_QUICK_RUN_NS - 1, &quick), 20000000u);
	EXPECT_EQ(plan_restart_delay(5, &quick), 40000000u);
	EXPECT_EQ(quick, 3u);
	for (int i = 0; i < 10; i++)
		(void)plan_restart_delay(0, &quick);
	EXPECT_EQ(plan_restart_delay(0, &quick), PLAN_BACKOFF_MAX_NS) << "capped at 1 s";
	EXPECT_EQ(plan_restart_delay(3 * PLAN_QUICK_RUN_NS, &quick), 0u) << "a long run resets";
	EXPECT_EQ(quick, 0u);
	EXPECT_EQ(plan_restart_delay(0, &quick), 10000000u);
	quick = UINT32_MAX;
	EXPECT_EQ(plan_restart_delay(0, &quick), PLAN_BACKOFF_MAX_NS) << "no overflow";
	EXPECT_EQ(quick, UINT32_MAX);
}

TEST(PlanErrorNameTest, NamesEveryError)
{
	EXPECT_STREQ(plan_error_name(VIPER_OK), "OK");
	EXPECT_STREQ(plan_error_name(VIPER_E_PEERCLOSED), "E_PEERCLOSED");
	EXPECT_STREQ(plan_error_name(VIPER_E_NOSYS), "E_NOSYS");
	EXPECT_STREQ(plan_error_name(VIPER_E_IO), "E_IO");
	EXPECT_STREQ(plan_error_name(VIPER_E_READONLY), "E_READONLY");
	EXPECT_STREQ(plan_error_name(VIPER_E_LOOP), "E_LOOP");
	EXPECT_STREQ(plan_error_name(VIPER_E_ADDRINUSE), "E_ADDRINUSE");
	EXPECT_STREQ(plan_error_name(VIPER_E_ADDRINUSE - 1), "error");
	EXPECT_STREQ(plan_error_name(5), "error");
}

} // namespace
