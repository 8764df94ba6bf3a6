// sysinfo on the host, through the generated stubs, by direct call and
// over the host transport, with the system calls answered by a fake kernel
// (viper/host_runtime.h hooks).
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

extern "C" {
#include <sysinfo/sysinfo.h>
#include <viper/component.h>
#include <viper/host_runtime.h>
#include <viper/host_transport.h>
}

namespace
{

constexpr viper_handle_t kSystem = 0x5151; // a made-up system capability

// What the fake kernel holds and what it was asked.
struct FakeKernel {
	viper_system_info info = {};
	int32_t info_result = VIPER_OK;
	std::vector<viper_process_entry> processes;
	uint32_t process_total_extra = 0; // processes beyond those listed (a long list)
	std::map<uint64_t, std::vector<viper_handle_entry>> handles;
	int32_t kill_result = VIPER_OK;
	std::vector<uint64_t> kills;
	std::vector<uint32_t> maxes; // `max` of each list call
	bool wrong_system = false;

	static FakeKernel *Of(void *context, viper_handle_t system)
	{
		auto *k = static_cast<FakeKernel *>(context);
		if (system != kSystem)
			k->wrong_system = true;
		return k;
	}
	static int32_t Info(void *context, viper_handle_t system, viper_system_info *info)
	{
		FakeKernel *k = Of(context, system);
		if (k->info_result < 0)
			return k->info_result;
		*info = k->info;
		return VIPER_OK;
	}
	static int32_t Processes(void *context, viper_handle_t system, viper_process_entry *out,
				 uint32_t max, uint32_t *total)
	{
		FakeKernel *k = Of(context, system);
		k->maxes.push_back(max);
		uint32_t n = (uint32_t)k->processes.size();
		for (uint32_t i = 0; i < n && i < max; i++)
			out[i] = k->processes[i];
		*total = n + k->process_total_extra;
		return VIPER_OK;
	}
	static int32_t Handles(void *context, viper_handle_t system, uint64_t koid,
			       viper_handle_entry *out, uint32_t max, uint32_t *total)
	{
		FakeKernel *k = Of(context, system);
		k->maxes.push_back(max);
		auto it = k->handles.find(koid);
		if (it == k->handles.end())
			return VIPER_E_NOTFOUND;
		uint32_t n = (uint32_t)it->second.size();
		for (uint32_t i = 0; i < n && i < max; i++)
			out[i] = it->second[i];
		*total = n;
		return VIPER_OK;
	}
	static int32_t Kill(void *context, viper_handle_t system, uint64_t koid)
	{
		FakeKernel *k = Of(context, system);
		k->kills.push_back(koid);
		return k->kill_result;
	}
};

viper_process_entry Process(uint64_t koid, uint64_t parent, const char *name)
{
	viper_process_entry p = {};
	p.koid = koid;
	p.parent_koid = parent;
	strncpy(p.name, name, sizeof(p.name) - 1);
	p.priority = 8;
	return p;
}

// A process's handles: handle values 0x100 + i, kinds and rights varying.
std::vector<viper_handle_entry> HandlesOf(uint32_t n)
{
	std::vector<viper_handle_entry> v(n);
	for (uint32_t i = 0; i < n; i++) {
		v[i].handle = 0x100 + i;
		v[i].kind = 1 + i % 10;
		v[i].rights = i & VIPER_RIGHTS_ALL;
		v[i].koid = 1000 + i;
	}
	return v;
}

class SysinfoInitTest : public ::testing::Test
{
      protected:
	void TearDown() override
	{
		vc_free(state_);
	}
	void *state_ = nullptr;
};

TEST_F(SysinfoInitTest, NeedsTheSystemCapability)
{
	viper_instance_env env = {};
	env.name = "sysinfo";
	int32_t status = 0;
	ASSERT_NE(viper_host_start("sysinfo", &env, &state_, &status), nullptr);
	EXPECT_EQ(status, VIPER_E_INVAL);
	vc_free(state_);
	env.system = kSystem;
	ASSERT_NE(viper_host_start("sysinfo", &env, &state_, &status), nullptr);
	EXPECT_EQ(status, VIPER_OK);
	EXPECT_EQ(static_cast<sysinfo_state *>(state_)->system, kSystem);
}

class SysinfoTest : public ::testing::TestWithParam<bool>
{
      protected:
	void SetUp() override
	{
		viper_host_reset();
		viper_host_fakes fakes = {};
		fakes.context = &kernel_;
		fakes.system_info = FakeKernel::Info;
		fakes.system_processes = FakeKernel::Processes;
		fakes.system_handles = FakeKernel::Handles;
		fakes.system_kill = FakeKernel::Kill;
		viper_host_set_fakes(&fakes);
		viper_instance_env env = {};
		env.name = "sysinfo";
		env.system = kSystem;
		int32_t status = -1;
		ASSERT_NE(viper_host_start("sysinfo", &env, &state_, &status), nullptr);
		ASSERT_EQ(status, VIPER_OK);
		if (GetParam()) {
			viper_handle_t ch = viper_host_serve(&sysinfo_interface,
							     &sysinfo_component_server, state_);
			ASSERT_NE(ch, VIPER_HANDLE_INVALID);
			viper_host_bind_remote(&slot_, &sysinfo_interface, ch);
		} else {
			viper_host_bind_direct(&slot_, &sysinfo_interface,
					       &sysinfo_component_server, state_);
		}
	}
	void TearDown() override
	{
		EXPECT_FALSE(kernel_.wrong_system) << "every call uses the granted capability";
		viper_host_reset();
		vc_free(state_);
	}

	int32_t GetProcess(uint32_t index, viper_sysinfo_ProcessReply *rep)
	{
		viper_sysinfo_ProcessRequest req = {};
		req.index = index;
		return sysinfo_process(&slot_, &req, rep);
	}
	int32_t GetHandles(uint64_t process, uint32_t start, viper_sysinfo_HandlesReply *rep)
	{
		viper_sysinfo_HandlesRequest req = {};
		req.process = process;
		req.start = start;
		return sysinfo_handles(&slot_, &req, rep);
	}
	int32_t Stop(uint64_t process)
	{
		viper_sysinfo_StopRequest req = {};
		viper_sysinfo_StopReply rep;
		req.process = process;
		return sysinfo_stop(&slot_, &req, &rep);
	}

	FakeKernel kernel_;
	void *state_ = nullptr;
	viper_slot slot_;
};

TEST_P(SysinfoTest, SummaryMapsEveryField)
{
	kernel_.info.uptime_ns = 123456789012ull;
	kernel_.info.memory_total_bytes = 128ull << 20;
	kernel_.info.memory_free_bytes = 100ull << 20;
	kernel_.info.memory_promised_bytes = 3ull << 20;
	kernel_.info.processes = 7;
	kernel_.info.threads = 19;
	kernel_.info.cpus = 2;
	viper_sysinfo_SummaryRequest req = {};
	viper_sysinfo_SummaryReply rep;
	ASSERT_EQ(sysinfo_summary(&slot_, &req, &rep), VIPER_OK);
	EXPECT_EQ(rep.uptime_ns, 123456789012ull);
	EXPECT_EQ(rep.memory_total, 128ull << 20);
	EXPECT_EQ(rep.memory_free, 100ull << 20);
	EXPECT_EQ(rep.memory_promised, 3ull << 20);
	EXPECT_EQ(rep.processes, 7u);
	EXPECT_EQ(rep.threads, 19u);
	EXPECT_EQ(rep.cpus, 2u);

	kernel_.info_result = VIPER_E_RIGHTS;
	EXPECT_EQ(sysinfo_summary(&slot_, &req, &rep), VIPER_E_RIGHTS);
}

TEST_P(SysinfoTest, ProcessPicksTheIndexth)
{
	kernel_.processes.push_back(Process(1, 0, "kernel"));
	kernel_.processes.push_back(Process(2, 0, "root"));
	viper_process_entry shell = Process(9, 2, "vinit");
	shell.priority = 5;
	shell.state = VIPER_PROCESS_EXITED;
	shell.usage.memory_bytes = 3u << 20;
	shell.usage.kernel_bytes = 40000;
	shell.usage.handles = 12;
	shell.usage.threads = 3;
	shell.usage.limits.memory_kib = 4096;
	shell.usage.limits.handles = 64;
	shell.usage.limits.threads = VIPER_QUOTA_UNLIMITED;
	kernel_.processes.push_back(shell);

	viper_sysinfo_ProcessReply rep;
	ASSERT_EQ(GetProcess(0, &rep), VIPER_OK);
	EXPECT_EQ(rep.id, 1u);
	EXPECT_STREQ(rep.name, "kernel");
	EXPECT_FALSE(rep.exited);
	EXPECT_EQ(rep.total, 3u);
	ASSERT_EQ(GetProcess(2, &rep), VIPER_OK);
	EXPECT_EQ(rep.id, 9u);
	EXPECT_EQ(rep.parent, 2u);
	EXPECT_STREQ(rep.name, "vinit");
	EXPECT_EQ(rep.priority, 5u);
	EXPECT_TRUE(rep.exited);
	EXPECT_EQ(rep.memory_bytes, 3u << 20);
	EXPECT_EQ(rep.kernel_bytes, 40000u);
	EXPECT_EQ(rep.handles, 12u);
	EXPECT_EQ(rep.threads, 3u);
	EXPECT_EQ(rep.memory_limit_kib, 4096u);
	EXPECT_EQ(rep.handle_limit, 64u);
	EXPECT_EQ(rep.thread_limit, VIPER_QUOTA_UNLIMITED);
	EXPECT_EQ(rep.total, 3u);

	EXPECT_EQ(GetProcess(3, &rep), VIPER_E_NOTFOUND);
	EXPECT_EQ(GetProcess(0xffffffffu, &rep), VIPER_E_NOTFOUND);
	// Each call lists only up to its index, never past the buffer's bound.
	EXPECT_EQ(kernel_.maxes, (std::vector<uint32_t>{1, 3, 4, SYSINFO_PROCESSES_MAX}));
}

TEST_P(SysinfoTest, AProcessNameIsCutToTheReply)
{
	viper_process_entry p = Process(5, 1, "");
	memset(p.name, 'n', sizeof(p.name)); // no NUL at all
	kernel_.processes.push_back(p);
	viper_sysinfo_ProcessReply rep;
	ASSERT_EQ(GetProcess(0, &rep), VIPER_OK);
	EXPECT_EQ(std::string(rep.name), std::string(31, 'n'));
}

TEST_P(SysinfoTest, ProcessesPastTheBufferAreOutOfRange)
{
	for (uint64_t i = 0; i < 64; i++)
		kernel_.processes.push_back(Process(100 + i, 1, "p"));
	kernel_.process_total_extra = 6; // 70 live, 64 fit the buffer
	viper_sysinfo_ProcessReply rep;
	ASSERT_EQ(GetProcess(63, &rep), VIPER_OK);
	EXPECT_EQ(rep.id, 163u);
	EXPECT_EQ(rep.total, 70u);
	EXPECT_EQ(GetProcess(64, &rep), VIPER_E_RANGE);
	EXPECT_EQ(GetProcess(69, &rep), VIPER_E_RANGE);
	EXPECT_EQ(GetProcess(70, &rep), VIPER_E_NOTFOUND);
}

TEST_P(SysinfoTest, HandlesComeSixAtATime)
{
	kernel_.handles[9] = HandlesOf(14);
	viper_sysinfo_HandlesReply rep;
	std::vector<uint32_t> seen;
	for (uint32_t start = 0; start < 14; start += 6) {
		ASSERT_EQ(GetHandles(9, start, &rep), VIPER_OK);
		EXPECT_EQ(rep.total, 14u);
		EXPECT_EQ(rep.handles_count, start + 6 <= 14 ? 6u : 14u - start);
		for (pb_size_t i = 0; i < rep.handles_count; i++) {
			const viper_sysinfo_Handle &h = rep.handles[i];
			uint32_t n = start + i;
			EXPECT_EQ(h.handle, 0x100 + n);
			EXPECT_EQ(h.kind, 1 + n % 10);
			EXPECT_EQ(h.rights, n & VIPER_RIGHTS_ALL);
			EXPECT_EQ(h.object, 1000u + n);
			seen.push_back(h.handle);
		}
	}
	EXPECT_EQ(seen.size(), 14u);
	ASSERT_EQ(GetHandles(9, 14, &rep), VIPER_OK);
	EXPECT_EQ(rep.handles_count, 0u) << "past the end: none, and the total";
	EXPECT_EQ(rep.total, 14u);
	ASSERT_EQ(GetHandles(9, 0xffffffffu, &rep), VIPER_OK);
	EXPECT_EQ(rep.handles_count, 0u);
	EXPECT_EQ(rep.total, 14u);
	EXPECT_EQ(GetHandles(77, 0, &rep), VIPER_E_NOTFOUND);
	for (uint32_t max : kernel_.maxes)
		EXPECT_LE(max, SYSINFO_HANDLES_MAX);
}

TEST_P(SysinfoTest, TheLastHandlesOfAFullTable)
{
	kernel_.handles[3] = HandlesOf(VIPER_HANDLES_MAX);
	viper_sysinfo_HandlesReply rep;
	ASSERT_EQ(GetHandles(3, VIPER_HANDLES_MAX - 6, &rep), VIPER_OK);
	ASSERT_EQ(rep.handles_count, 6u);
	EXPECT_EQ(rep.handles[0].handle, 0x100 + VIPER_HANDLES_MAX - 6);
	EXPECT_EQ(rep.handles[5].handle, 0x100 + VIPER_HANDLES_MAX - 1);
	ASSERT_EQ(GetHandles(3, VIPER_HANDLES_MAX - 2, &rep), VIPER_OK);
	EXPECT_EQ(rep.handles_count, 2u);
	EXPECT_EQ(rep.total, VIPER_HANDLES_MAX);
	ASSERT_FALSE(kernel_.maxes.empty());
	EXPECT_EQ(kernel_.maxes.back(), SYSINFO_HANDLES_MAX);
}

TEST_P(SysinfoTest, StopPassesTheKernelsAnswer)
{
	EXPECT_EQ(Stop(9), VIPER_OK);
	kernel_.kill_result = VIPER_E_RIGHTS;
	EXPECT_EQ(Stop(9), VIPER_E_RIGHTS) << "an inspect-only capability";
	kernel_.kill_result = VIPER_E_NOTFOUND;
	EXPECT_EQ(Stop(12345), VIPER_E_NOTFOUND);
	kernel_.kill_result = VIPER_E_INVAL;
	EXPECT_EQ(Stop(1), VIPER_E_INVAL) << "the kernel's own process, the root, the caller";
	EXPECT_EQ(kernel_.kills, (std::vector<uint64_t>{9, 9, 12345, 1}));
}

TEST_P(SysinfoTest, WithoutAKernelEveryCallIsUnsupported)
{
	viper_host_set_fakes(nullptr);
	viper_sysinfo_SummaryRequest req = {};
	viper_sysinfo_SummaryReply rep;
	EXPECT_EQ(sysinfo_summary(&slot_, &req, &rep), VIPER_E_UNSUPPORTED);
	viper_sysinfo_ProcessReply process;
	EXPECT_EQ(GetProcess(0, &process), VIPER_E_UNSUPPORTED);
	viper_sysinfo_HandlesReply handles;
	EXPECT_EQ(GetHandles(1, 0, &handles), VIPER_E_UNSUPPORTED);
	EXPECT_EQ(Stop(1), VIPER_E_UNSUPPORTED);
}

INSTANTIATE_TEST_SUITE_P(DirectAndRemote, SysinfoTest, ::testing::Bool(),
			 [](const ::testing::TestParamInfo<bool> &info) {
				 return info.param ? "Remote" : "Direct";
			 });

} // namespace
