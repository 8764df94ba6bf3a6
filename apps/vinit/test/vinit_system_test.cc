// The whole shell on the host: vinit found by name and started as a component
// host would, its run() fed a script through a fake console, against fake
// log, sysinfo and rtc providers and the real kv_store, bound by direct call
// and over the host transport (the full wire path). Every command's output,
// return code (through Why) and log entries are checked, and that EndShell
// ends run() with 0.
//
// The fake console never answers a Read with nothing while the script lasts
// (the shell then never waits on its Listen handle). Caps lists the handles
// a host-runtime fake (viper/host_runtime.h) gives vc_handle_list.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include <kernel/version.h>
#include <viper/component.h>
#include <viper/host_runtime.h>
#include <viper/host_transport.h>

#include <viperfs/viperfs.h>

#include "block.viper.h"
#include "console.viper.h"
#include "files.viper.h"
#include "kv.viper.h"
#include "log.viper.h"
#include "rtc.viper.h"
#include "sysinfo.viper.h"
}

namespace
{

constexpr viper_handle_t kListenHandle = 0x4242;
constexpr viper_handle_t kSystemHandle = 0x3003;
const std::string kPrompt = "SYS:> ";

// --- console: scripted input, captured output --------------------------------

struct FakeConsole {
	std::string input;
	size_t at = 0;
	size_t chunk = 128; // the most one Read gives
	int fail_reads = 0; // Reads that fail (VIPER_E_PEERCLOSED) before input flows
	std::string output;
	std::vector<size_t> writes;
	std::vector<std::string> write_data;
	int listens = 0;
	int reads_past_end = 0;
};

int32_t ConsoleWrite(void *self, struct viper_rpc_context *, const viper_console_WriteRequest *req,
		     viper_console_WriteReply *rep)
{
	auto *c = static_cast<FakeConsole *>(self);
	c->output.append(reinterpret_cast<const char *>(req->data.bytes), req->data.size);
	c->writes.push_back(req->data.size);
	c->write_data.emplace_back(reinterpret_cast<const char *>(req->data.bytes), req->data.size);
	rep->written = req->data.size;
	return VIPER_OK;
}

int32_t ConsoleRead(void *self, struct viper_rpc_context *, const viper_console_ReadRequest *req,
		    viper_console_ReadReply *rep)
{
	auto *c = static_cast<FakeConsole *>(self);
	if (req->max < 1 || req->max > 128)
		return VIPER_E_INVAL;
	if (c->fail_reads > 0) {
		c->fail_reads--;
		return VIPER_E_PEERCLOSED;
	}
	if (c->at == c->input.size()) {
		// The script is over and the shell still reads: it would wait for ever.
		if (++c->reads_past_end > 1000) {
			std::fprintf(stderr, "the shell did not end; its output:\n%s\n",
				     c->output.c_str());
			std::abort();
		}
		return VIPER_E_PEERCLOSED;
	}
	size_t n = std::min({c->input.size() - c->at, c->chunk, static_cast<size_t>(req->max)});
	std::copy(c->input.begin() + c->at, c->input.begin() + c->at + n, rep->data.bytes);
	rep->data.size = n;
	c->at += n;
	return VIPER_OK;
}

int32_t ConsoleListen(void *self, struct viper_rpc_context *, const viper_console_ListenRequest *,
		      viper_console_ListenReply *rep)
{
	auto *c = static_cast<FakeConsole *>(self);
	c->listens++;
	rep->ready = kListenHandle;
	return VIPER_OK;
}

const struct console_server kConsoleOps = {
	.write = ConsoleWrite,
	.read = ConsoleRead,
	.listen = ConsoleListen,
};

// --- log: a ring of the last `keep` entries ----------------------------------

struct LogEntry {
	uint64_t seq;
	uint64_t time_ns;
	viper_log_Level level;
	std::string source, text;
};

struct FakeLog {
	std::vector<LogEntry> entries; // the ring's contents, oldest first
	uint64_t next = 1;
	size_t keep = 12;
	bool down = false;
	bool drop_writes = false;
	int reads = 0;

	void Add(viper_log_Level level, const std::string &source, const std::string &text)
	{
		entries.push_back({next, next * 1500000000ull, level, source, text});
		next++;
		if (entries.size() > keep)
			entries.erase(entries.begin());
	}
};

int32_t LogWrite(void *self, struct viper_rpc_context *, const viper_log_WriteRequest *req,
		 viper_log_WriteReply *rep)
{
	auto *l = static_cast<FakeLog *>(self);
	if (l->down)
		return VIPER_E_PEERCLOSED;
	if (req->level > viper_log_Level_LEVEL_ERROR || req->text[0] == '\0')
		return VIPER_E_INVAL;
	rep->seq = l->next;
	if (!l->drop_writes)
		l->Add(req->level, req->source, req->text);
	return VIPER_OK;
}

int32_t LogRead(void *self, struct viper_rpc_context *, const viper_log_ReadRequest *req,
		viper_log_ReadReply *rep)
{
	auto *l = static_cast<FakeLog *>(self);
	if (l->down)
		return VIPER_E_PEERCLOSED;
	l->reads++;
	rep->oldest = l->entries.empty() ? l->next : l->entries.front().seq;
	rep->next = l->next;
	for (const LogEntry &e : l->entries) {
		if (e.seq < req->from_seq)
			continue;
		rep->found = true;
		rep->seq = e.seq;
		rep->time_ns = e.time_ns;
		rep->level = e.level;
		snprintf(rep->source, sizeof(rep->source), "%s", e.source.c_str());
		snprintf(rep->text, sizeof(rep->text), "%s", e.text.c_str());
		break;
	}
	return VIPER_OK;
}

const struct log_server kLogOps = {
	.write = LogWrite,
	.read = LogRead,
};

// --- sysinfo -----------------------------------------------------------------

struct FakeSysinfo {
	viper_sysinfo_SummaryReply summary{};
	std::vector<viper_sysinfo_ProcessReply> processes;
	std::vector<uint64_t> stopped;
	bool down = false;

	void AddProcess(uint64_t id, const char *name, uint32_t threads, uint32_t handles,
			uint64_t memory, bool exited = false, uint64_t kernel = 0)
	{
		viper_sysinfo_ProcessReply p{};
		p.id = id;
		p.parent = id > 1 ? 2 : 0;
		snprintf(p.name, sizeof(p.name), "%s", name);
		p.priority = 8;
		p.exited = exited;
		p.memory_bytes = memory;
		p.kernel_bytes = kernel;
		p.handles = handles;
		p.threads = threads;
		processes.push_back(p);
	}
};

int32_t SysSummary(void *self, struct viper_rpc_context *, const viper_sysinfo_SummaryRequest *,
		   viper_sysinfo_SummaryReply *rep)
{
	auto *s = static_cast<FakeSysinfo *>(self);
	if (s->down)
		return VIPER_E_PEERCLOSED;
	*rep = s->summary;
	return VIPER_OK;
}

int32_t SysProcess(void *self, struct viper_rpc_context *, const viper_sysinfo_ProcessRequest *req,
		   viper_sysinfo_ProcessReply *rep)
{
	auto *s = static_cast<FakeSysinfo *>(self);
	if (s->down)
		return VIPER_E_PEERCLOSED;
	if (req->index >= s->processes.size())
		return VIPER_E_NOTFOUND;
	*rep = s->processes[req->index];
	rep->total = static_cast<uint32_t>(s->processes.size());
	return VIPER_OK;
}

int32_t SysStop(void *self, struct viper_rpc_context *, const viper_sysinfo_StopRequest *req,
		viper_sysinfo_StopReply *)
{
	auto *s = static_cast<FakeSysinfo *>(self);
	if (s->down)
		return VIPER_E_PEERCLOSED;
	if (req->process == 1 || req->process == 2)
		return VIPER_E_INVAL; // the kernel and the root task
	for (const auto &p : s->processes) {
		if (p.id == req->process && !p.exited) {
			s->stopped.push_back(req->process);
			return VIPER_OK;
		}
	}
	return VIPER_E_NOTFOUND;
}

const struct sysinfo_server kSysinfoOps = {
	.summary = SysSummary,
	.process = SysProcess,
	.handles = nullptr,
	.stop = SysStop,
};

// --- rtc -----------------------------------------------------------------------

struct FakeRtc {
	viper_rtc_NowReply now{};
	bool down = false;
};

int32_t RtcNow(void *self, struct viper_rpc_context *, const viper_rtc_NowRequest *,
	       viper_rtc_NowReply *rep)
{
	auto *r = static_cast<FakeRtc *>(self);
	if (r->down)
		return VIPER_E_PEERCLOSED;
	*rep = r->now;
	return VIPER_OK;
}

const struct rtc_server kRtcOps = {
	.now = RtcNow,
};

// --- Caps' handle source -------------------------------------------------------

std::vector<struct viper_handle_entry> g_handles;
int32_t g_handle_list_status = VIPER_OK;

int32_t FakeHandleList(void *, struct viper_handle_entry *out, uint32_t max, uint32_t *total)
{
	if (g_handle_list_status != VIPER_OK)
		return g_handle_list_status;
	*total = static_cast<uint32_t>(g_handles.size());
	for (uint32_t i = 0; i < max && i < g_handles.size(); i++)
		out[i] = g_handles[i];
	return VIPER_OK;
}

// --- the fixture -------------------------------------------------------------------

enum Slot { kConsole, kLog, kSysinfo, kRtc, kEnv, kFiles, kAssigns, kNet, kEntropy, kSlots };

// --- a disk in memory, formatted, for the real viperfs behind the files slot --

struct MemBlock {
	std::vector<uint8_t> bytes = std::vector<uint8_t>(4096 * 1024); // 4 MiB
};

MemBlock *g_block;

int32_t BlockInfo(void *, viper_rpc_context *, const viper_block_InfoRequest *,
		  viper_block_InfoReply *rep)
{
	rep->block_count = g_block->bytes.size() / 512;
	rep->block_bytes = 512;
	rep->max_blocks = 256;
	return VIPER_OK;
}

int32_t BlockMove(viper_rpc_context *ctx, bool write, uint64_t block, uint32_t count)
{
	uint8_t *p;
	if (ctx->lease_count != 1 || ctx->leases[0].length != uint64_t(count) * 512 ||
	    (block + count) * 512 > g_block->bytes.size() || vc_lease_map(&ctx->leases[0], &p))
		return VIPER_E_INVAL;
	if (write)
		memcpy(g_block->bytes.data() + block * 512, p, count * 512);
	else
		memcpy(p, g_block->bytes.data() + block * 512, count * 512);
	return VIPER_OK;
}

int32_t BlockRead(void *, viper_rpc_context *ctx, const viper_block_ReadRequest *req,
		  viper_block_ReadReply *)
{
	return BlockMove(ctx, false, req->block, req->count);
}

int32_t BlockWrite(void *, viper_rpc_context *ctx, const viper_block_WriteRequest *req,
		   viper_block_WriteReply *)
{
	return BlockMove(ctx, true, req->block, req->count);
}

int32_t BlockFlush(void *, viper_rpc_context *, const viper_block_FlushRequest *,
		   viper_block_FlushReply *)
{
	return VIPER_OK;
}

const block_server kBlockOps = {BlockInfo, BlockRead, BlockWrite, BlockFlush};

int32_t MemRead(void *ctx, uint64_t block, uint32_t count, void *buf)
{
	memcpy(buf, static_cast<MemBlock *>(ctx)->bytes.data() + block * 4096, count * 4096);
	return VIPER_OK;
}

int32_t MemWrite(void *ctx, uint64_t block, uint32_t count, const void *buf)
{
	memcpy(static_cast<MemBlock *>(ctx)->bytes.data() + block * 4096, buf, count * 4096);
	return VIPER_OK;
}

int32_t MemFlush(void *)
{
	return VIPER_OK;
}

// Formats `b` with a README at the root and an empty C directory.
void FormatDisk(MemBlock *b)
{
	vfs_disk d = {MemRead, MemWrite, MemFlush, b, b->bytes.size() / 4096, 16};
	vfs_super layout;
	ASSERT_EQ(vfs_layout(d.blocks, 0, 0, &layout), nullptr);
	strcpy(layout.label, "Work");
	ASSERT_EQ(vfs_format(&d, &layout), VIPER_OK);
	vfs_options opt = {};
	vfs_mount_report report;
	vfs *fs;
	char why[96];
	uint32_t ino;
	ASSERT_EQ(vfs_mount(&d, &opt, &fs, &report, why, sizeof(why)), VIPER_OK);
	ASSERT_EQ(vfs_create(fs, VFS_ROOT, "README", 0644, &ino), VIPER_OK);
	ASSERT_EQ(vfs_write(fs, ino, 0, "Welcome to ViperOS.\n", 20), VIPER_OK);
	ASSERT_EQ(vfs_mkdir(fs, VFS_ROOT, "C", 0755, &ino), VIPER_OK);
	ASSERT_EQ(vfs_unmount(fs), VIPER_OK);
}

class VinitTest : public ::testing::TestWithParam<bool>
{
      protected:
	void SetUp() override
	{
		viper_host_reset();
		struct viper_host_fakes fakes = {};
		fakes.handle_list = FakeHandleList;
		viper_host_set_fakes(&fakes);
		g_handles.clear();
		g_handle_list_status = VIPER_OK;

		sysinfo_.summary.uptime_ns =
			(1ull * 86400 + 2 * 3600 + 3 * 60 + 4) * 1000000000ull + 999999999ull;
		sysinfo_.summary.memory_total = 128ull << 20;
		sysinfo_.summary.memory_free = 100ull << 20;
		sysinfo_.summary.processes = 4;
		sysinfo_.summary.threads = 9;
		sysinfo_.summary.cpus = 2;
		sysinfo_.AddProcess(1, "kernel", 3, 40, 0);
		sysinfo_.AddProcess(2, "root", 1, 12, 49152);
		sysinfo_.AddProcess(5, "kv", 1, 4, 49152, false, 16384); /* Memory shows both */
		sysinfo_.AddProcess(6, "vinit", 1, 9, 1048577);

		rtc_.now.unix_seconds = 1795269802;
		rtc_.now.year = 2026;
		rtc_.now.month = 11;
		rtc_.now.day = 21;
		rtc_.now.hour = 14;
		rtc_.now.minute = 3;
		rtc_.now.second = 22;
		rtc_.now.weekday = 6;

		for (int i = 1; i <= 15; i++)
			log_.Add(viper_log_Level_LEVEL_INFO, "boot", "entry " + std::to_string(i));

		struct viper_instance_env kv_env = {};
		kv_env.name = "env";
		int32_t status;
		kv_ = viper_host_start("kv_store", &kv_env, &kv_state_, &status);
		ASSERT_NE(kv_, nullptr);
		ASSERT_EQ(status, VIPER_OK);

		bool remote = GetParam();
		Bind(kConsole, &console_interface, &kConsoleOps, &console_, remote);
		Bind(kLog, &log_interface, &kLogOps, &log_, remote);
		Bind(kSysinfo, &sysinfo_interface, &kSysinfoOps, &sysinfo_, remote);
		Bind(kRtc, &rtc_interface, &kRtcOps, &rtc_, remote);
		channels_[kEnv] =
			viper_host_bind(&slots_[kEnv], &kv_->provides[0], kv_state_, remote);

		// The real filesystem and assigns, on a disk in memory.
		g_block = &block_;
		FormatDisk(&block_);
		struct viper_provided block = {&block_interface, &kBlockOps, nullptr};
		viper_host_bind(&fs_disk_, &block, nullptr, remote);
		struct viper_provided clock = {&rtc_interface, &kRtcOps, nullptr};
		viper_host_bind(&fs_clock_, &clock, &rtc_, remote);
		struct viper_instance_env fs_env = {};
		fs_env.name = "fs";
		fs_env.slots[0] = &fs_disk_;
		fs_env.slots[1] = &fs_clock_;
		fs_env.slot_count = 2;
		fs_env.params[0] = 64;
		fs_env.param_count = 1;
		fs_ = viper_host_start("viperfs", &fs_env, &fs_state_, &status);
		ASSERT_NE(fs_, nullptr);
		ASSERT_EQ(status, VIPER_OK);
		channels_[kFiles] =
			viper_host_bind(&slots_[kFiles], &fs_->provides[0], fs_state_, remote);
		struct viper_instance_env assigns_env = {};
		assigns_env.name = "names";
		assigns_ = viper_host_start("assign_table", &assigns_env, &assigns_state_, &status);
		ASSERT_NE(assigns_, nullptr);
		channels_[kAssigns] = viper_host_bind(&slots_[kAssigns], &assigns_->provides[0],
						      assigns_state_, remote);
	}

	void TearDown() override
	{
		vc_free(vinit_state_);
		vc_free(kv_state_);
		vc_free(assigns_state_);
		viper_host_reset();
	}

	void Bind(Slot s, const struct viper_interface *iface, const void *ops, void *self,
		  bool remote)
	{
		struct viper_provided provided = {iface, ops, nullptr};
		channels_[s] = viper_host_bind(&slots_[s], &provided, self, remote);
	}

	// Starts vinit on the script and runs it; run()'s result.
	int32_t Run(const std::string &script)
	{
		console_.input = script;
		struct viper_instance_env env = {};
		env.name = "shell";
		for (int i = 0; i < kSlots; i++)
			env.slots[i] = &slots_[i];
		env.slot_count = kSlots;
		env.system = kSystemHandle;
		int32_t status;
		const struct viper_component *c =
			viper_host_start("vinit", &env, &vinit_state_, &status);
		EXPECT_NE(c, nullptr);
		EXPECT_EQ(status, VIPER_OK);
		if (c == nullptr || status != VIPER_OK)
			return -1;
		EXPECT_EQ(c->provide_count, 0u);
		return c->run(vinit_state_);
	}

	// Where the next prompt from `from` is that is not a redraw's (which
	// follows a CR).
	static size_t NextPrompt(const std::string &out, size_t from)
	{
		size_t at = out.find(kPrompt, from);
		while (at != std::string::npos && at > 0 && out[at - 1] == '\r')
			at = out.find(kPrompt, at + 1);
		return at;
	}

	// What each typed line printed, in order (its echo left out). Only for
	// scripts of plain lines, whose echo ends at its first newline.
	std::vector<std::string> Replies() const
	{
		std::vector<std::string> replies;
		const std::string &out = console_.output;
		size_t at = NextPrompt(out, 0);
		while (at != std::string::npos) {
			size_t start = at + kPrompt.size();
			size_t next = NextPrompt(out, start);
			std::string segment =
				out.substr(start, next == std::string::npos ? std::string::npos
									    : next - start);
			size_t eol = segment.find('\n');
			replies.push_back(eol == std::string::npos ? "" : segment.substr(eol + 1));
			at = next;
		}
		return replies;
	}

	// Runs `script` (each line followed by EndShell) and returns the replies
	// to its lines, EndShell's left out.
	std::vector<std::string> RunLines(const std::vector<std::string> &lines)
	{
		std::string script;
		for (const auto &l : lines)
			script += l + "\n";
		EXPECT_EQ(Run(script + "EndShell\n"), 0);
		std::vector<std::string> r = Replies();
		EXPECT_EQ(r.size(), lines.size() + 1);
		if (!r.empty()) {
			EXPECT_EQ(r.back(), "EndShell: goodbye.\n");
			r.pop_back();
		}
		r.resize(lines.size());
		return r;
	}

	FakeConsole console_;
	FakeLog log_;
	FakeSysinfo sysinfo_;
	FakeRtc rtc_;
	const struct viper_component *kv_ = nullptr;
	void *kv_state_ = nullptr;
	MemBlock block_;
	struct viper_slot fs_disk_ = {}, fs_clock_ = {};
	const struct viper_component *fs_ = nullptr, *assigns_ = nullptr;
	void *fs_state_ = nullptr, *assigns_state_ = nullptr;
	void *vinit_state_ = nullptr;
	struct viper_slot slots_[kSlots] = {};
	viper_handle_t channels_[kSlots] = {};
};

std::string Failed(int rc, const std::string &reason)
{
	return "The last command failed with return code " + std::to_string(rc) + ": " + reason +
	       "\n";
}

const std::string kDidNotFail = "The last command did not fail.\n";

TEST_P(VinitTest, BannerPromptAndEndShell)
{
	EXPECT_EQ(Run("EndShell\n"), 0);
	EXPECT_EQ(console_.output, std::string("ViperOS ") + VIPEROS_VERSION +
					   " shell: type Help for commands\n"
					   "SYS:> EndShell\nEndShell: goodbye.\n");
	EXPECT_EQ(console_.listens, 1);
	ASSERT_EQ(log_.entries.back().seq, 16u);
	EXPECT_EQ(log_.entries.back().level, viper_log_Level_LEVEL_INFO);
	EXPECT_EQ(log_.entries.back().source, "vinit");
	EXPECT_EQ(log_.entries.back().text,
		  std::string("shell started (ViperOS ") + VIPEROS_VERSION + ")");
}

TEST_P(VinitTest, EndShellStopsInTheMiddleOfInput)
{
	EXPECT_EQ(Run("endshell\nEcho after\n"), 0);
	EXPECT_EQ(console_.output.find("after\n"), std::string::npos);
}

TEST_P(VinitTest, EchoQuotesAndCase)
{
	auto r = RunLines({"Echo Hello  \"big   world\"", "ECHO", "eChO a\"b c\"d \"\" e",
			   "   echo   spaced   "});
	EXPECT_EQ(r[0], "Hello big   world\n");
	EXPECT_EQ(r[1], "\n");
	EXPECT_EQ(r[2], "ab cd  e\n");
	EXPECT_EQ(r[3], "spaced\n");
}

TEST_P(VinitTest, BlankLinesDoNothing)
{
	auto r = RunLines({"", "    ", "Why"});
	EXPECT_EQ(r[0], "");
	EXPECT_EQ(r[1], "");
	EXPECT_EQ(r[2], kDidNotFail);
}

TEST_P(VinitTest, Version)
{
	auto r = RunLines({"Version", "version extra", "Why"});
	EXPECT_EQ(r[0], std::string("ViperOS ") + VIPEROS_VERSION + " (aarch64), shell vinit\n");
	EXPECT_EQ(r[1], "Version: bad or missing argument; usage: Version\n");
	EXPECT_EQ(r[2], Failed(10, "Version: bad or missing argument; usage: Version"));
}

TEST_P(VinitTest, Uptime)
{
	auto r = RunLines({"Uptime"});
	EXPECT_EQ(r[0], "Up 1 day, 2 h 3 m 4 s; 4 processes, 9 threads\n");
}

TEST_P(VinitTest, UptimeSingularAndZero)
{
	sysinfo_.summary.uptime_ns = 59999999999ull;
	sysinfo_.summary.processes = 1;
	sysinfo_.summary.threads = 1;
	auto r = RunLines({"uptime"});
	EXPECT_EQ(r[0], "Up 0 days, 0 h 0 m 59 s; 1 process, 1 thread\n");
}

TEST_P(VinitTest, Avail)
{
	auto r = RunLines({"Avail"});
	EXPECT_EQ(r[0], "Type        Available       In-Use      Maximum\n"
			"bytes       104857600     29360128    134217728\n"
			"KiB            102400        28672       131072\n"
			"promised to memory not touched yet: 0 KiB\n"
			"in use by programs kept for their next run: 0 (0 KiB)\n");
}

// Promised pages (demand-zero memory not touched yet) are neither available nor in use.
TEST_P(VinitTest, AvailShowsPromisedMemoryApart)
{
	sysinfo_.summary.memory_promised = 4ull << 20;
	sysinfo_.summary.programs_kept = 2;
	sysinfo_.summary.programs_kept_bytes = 300ull << 10;
	auto r = RunLines({"Avail"});
	EXPECT_EQ(r[0], "Type        Available       In-Use      Maximum\n"
			"bytes       104857600     25165824    134217728\n"
			"KiB            102400        24576       131072\n"
			"promised to memory not touched yet: 4096 KiB\n"
			"in use by programs kept for their next run: 2 (300 KiB)\n");
}

TEST_P(VinitTest, AvailNeverShowsMoreFreeThanTotal)
{
	sysinfo_.summary.memory_total = 8192;
	sysinfo_.summary.memory_free = 9000;
	auto r = RunLines({"Avail"});
	EXPECT_EQ(r[0], "Type        Available       In-Use      Maximum\n"
			"bytes            8192            0         8192\n"
			"KiB                 8            0            8\n"
			"promised to memory not touched yet: 0 KiB\n"
			"in use by programs kept for their next run: 0 (0 KiB)\n");
}

TEST_P(VinitTest, Status)
{
	sysinfo_.AddProcess(9, "a_rather_long_process_name_31ch", 2, 7, 4096, true);
	auto r = RunLines({"Status"});
	EXPECT_EQ(r[0], "  Id  Name                  State    Threads  Handles      Memory\n"
			"   1  kernel                running        3       40       0 KiB\n"
			"   2  root                  running        1       12      48 KiB\n"
			"   5  kv                    running        1        4      64 KiB\n"
			"   6  vinit                 running        1        9    1025 KiB\n"
			"   9  a_rather_long_process_name_31ch  exited         2        7       4 "
			"KiB\n");
}

TEST_P(VinitTest, Caps)
{
	for (int s = 0; s < kSlots; s++) {
		if (slots_[s].channel != VIPER_HANDLE_INVALID)
			g_handles.push_back({slots_[s].channel, VIPER_OBJ_CHANNEL_SEND,
					     VIPER_RIGHT_WRITE | VIPER_RIGHT_TRANSFER, 0,
					     100u + s});
	}
	g_handles.push_back({kListenHandle, VIPER_OBJ_CHANNEL_RECV, VIPER_RIGHT_READ, 0, 200});
	g_handles.push_back(
		{kSystemHandle, VIPER_OBJ_SYSTEM, VIPER_RIGHT_READ | VIPER_RIGHT_WRITE, 0, 300});
	g_handles.push_back({0x1005, VIPER_OBJ_MEMORY, VIPER_RIGHTS_ALL, 0, 400});
	g_handles.push_back({0x1006, 77, 0, 0, 500});
	auto r = RunLines({"Caps"});
	std::string expect = "Handle      Kind          Rights     Name\n";
	const char *names[] = {"console", "log",     "sysinfo", "rtc",	  "env",
			       "files",	  "assigns", "net",	"entropy"};
	for (int s = 0; s < kSlots; s++) {
		if (slots_[s].channel == VIPER_HANDLE_INVALID)
			continue;
		char line[128];
		snprintf(line, sizeof(line), "0x%08x  channel-send  -WT------  slot %s\n",
			 slots_[s].channel, names[s]);
		expect += line;
	}
	expect += "0x00004242  channel-recv  R--------  console input notifications\n"
		  "0x00003003  system        RW-------  system\n"
		  "0x00001005  memory        RWTDMVIPX  \n"
		  "0x00001006  ?             ---------  \n";
	expect += std::to_string(g_handles.size()) +
		  " handles (rights: Read Write Transfer Derive Map deVice Irq Physical eXec)\n";
	EXPECT_EQ(r[0], expect);
	if (GetParam()) {
		EXPECT_NE(r[0].find("slot console"), std::string::npos) << "remote slots are named";
	}
}

TEST_P(VinitTest, CapsFailureIsReported)
{
	g_handle_list_status = VIPER_E_NOSYS;
	auto r = RunLines({"Caps", "Why"});
	EXPECT_EQ(r[0], "Caps: handle_list failed: VIPER_E_NOSYS (-18)\n");
	EXPECT_EQ(r[1], Failed(20, "Caps: handle_list failed: VIPER_E_NOSYS (-18)"));
}

TEST_P(VinitTest, DateAndTime)
{
	auto r = RunLines({"Date", "time", "DATE now"});
	EXPECT_EQ(r[0], "Saturday 21-Nov-2026\n");
	EXPECT_EQ(r[1], "14:03:22 UTC\n");
	EXPECT_EQ(r[2], "Date: bad or missing argument; usage: Date\n");
}

TEST_P(VinitTest, DateRefusesAnImpossibleDate)
{
	rtc_.now.month = 13;
	auto r = RunLines({"Date", "Why", "Time"});
	EXPECT_EQ(r[0], "Date: service rtc gave an impossible date\n");
	EXPECT_EQ(r[1], Failed(20, "Date: service rtc gave an impossible date"));
	EXPECT_EQ(r[2], "14:03:22 UTC\n");
}

TEST_P(VinitTest, History)
{
	auto r = RunLines({"Echo one", "Echo one", "", "Echo two", "History"});
	EXPECT_EQ(r[4], "   1  Echo one\n"
			"   2  Echo two\n"
			"   3  History\n");
}

TEST_P(VinitTest, WhyAfterEachKindOfResult)
{
	auto r = RunLines({"Why", "Foo bar", "Why", "Why", "Get nothing", "Why", "Echo ok", "Why",
			   "Echo \"open", "Why"});
	EXPECT_EQ(r[0], kDidNotFail);
	EXPECT_EQ(r[1], "Unknown command \"Foo\"\n");
	EXPECT_EQ(r[2], Failed(10, "Unknown command \"Foo\""));
	EXPECT_EQ(r[3], Failed(10, "Unknown command \"Foo\"")) << "Why leaves it as it was";
	EXPECT_EQ(r[4], "Get: no variable \"nothing\"\n");
	EXPECT_EQ(r[5], Failed(5, "Get: no variable \"nothing\""));
	EXPECT_EQ(r[6], "ok\n");
	EXPECT_EQ(r[7], kDidNotFail);
	EXPECT_EQ(r[8], "Unterminated quote: a \" is not closed\n");
	EXPECT_EQ(r[9], Failed(10, "Unterminated quote: a \" is not closed"));
}

TEST_P(VinitTest, TooManyWords)
{
	auto r = RunLines({"Echo a b c d e f g h i j k l m n o",
			   "Echo a b c d e f g h i j k l m n o p", "Why"});
	EXPECT_EQ(r[0], "a b c d e f g h i j k l m n o\n");
	EXPECT_EQ(r[1], "Too many arguments: at most 16 words\n");
	EXPECT_EQ(r[2], Failed(10, "Too many arguments: at most 16 words"));
}

TEST_P(VinitTest, HelpListsEveryCommand)
{
	auto r = RunLines({"Help"});
	const char *all[] = {"Assign", "Avail", "Break",    "Caps",   "cat",	 "CD",
			     "chdir",  "Cls",	"Copy",	    "cwd",    "Date",	 "Delete",
			     "Dir",    "Echo",	"EndShell", "Get",    "Help",	 "History",
			     "Info",   "List",	"Log",	    "ls",     "MakeDir", "Path",
			     "Rename", "Run",	"RunBack",  "Set",    "Status",	 "Sync",
			     "Time",   "Type",	"Unset",    "Uptime", "Version", "Why"};
	EXPECT_EQ(r[0].substr(0, r[0].find('\n')), "Commands (upper or lower case alike):");
	size_t lines = 0;
	for (char c : r[0])
		lines += c == '\n';
	EXPECT_EQ(lines, 1 + sizeof(all) / sizeof(all[0]) + 1);
	size_t at = 0;
	for (const char *name : all) {
		std::string line = std::string("\n  ") + name + " ";
		size_t found = r[0].find(line, at);
		EXPECT_NE(found, std::string::npos) << name;
		if (found != std::string::npos)
			at = found + 1; // in order
	}
	EXPECT_NE(r[0].find("  Why       why the last command failed, with its return code\n"),
		  std::string::npos);
}

TEST_P(VinitTest, HelpForOneCommand)
{
	auto r = RunLines({"Help get", "HELP Break", "? echo", "Help nope", "Why", "Help a b"});
	EXPECT_EQ(r[0], "Usage: Get NAME\n  prints shell variable NAME\n");
	EXPECT_EQ(r[1], "Usage: Break PROCESS\n  stops a process (a name or an id); its supervisor "
			"decides\n");
	EXPECT_EQ(r[2], "Usage: Echo [WORD...]\n  prints its arguments\n");
	EXPECT_EQ(r[3], "Help: unknown command \"nope\"\n");
	EXPECT_EQ(r[4], Failed(10, "Help: unknown command \"nope\""));
	EXPECT_EQ(r[5], "Help: bad or missing argument; usage: Help [COMMAND]\n");
}

TEST_P(VinitTest, Cls)
{
	auto r = RunLines({"Cls"});
	EXPECT_EQ(r[0], "\x1b[H\x1b[2J");
}

TEST_P(VinitTest, SetGetUnsetInTheKvStore)
{
	auto r = RunLines({"Set Greeting hello world", "Get greeting", "GET GREETING",
			   "set quoted \"a  b\"", "get Quoted", "Set empty \"\"", "Get empty",
			   "Unset greeting", "Get greeting", "Why", "Unset greeting", "Why"});
	EXPECT_EQ(r[0], "");
	EXPECT_EQ(r[1], "hello world\n");
	EXPECT_EQ(r[2], "hello world\n");
	EXPECT_EQ(r[4], "a  b\n");
	EXPECT_EQ(r[6], "\n");
	EXPECT_EQ(r[7], "");
	EXPECT_EQ(r[8], "Get: no variable \"greeting\"\n");
	EXPECT_EQ(r[9], Failed(5, "Get: no variable \"greeting\""));
	EXPECT_EQ(r[10], "Unset: no variable \"greeting\"\n");
	EXPECT_EQ(r[11], Failed(5, "Unset: no variable \"greeting\""));

	// What the store holds: lower-case keys, the values as typed.
	viper_kv_GetRequest req = {};
	viper_kv_GetReply rep;
	snprintf(req.key, sizeof(req.key), "quoted");
	ASSERT_EQ(kv_get(&slots_[kEnv], &req, &rep), VIPER_OK);
	ASSERT_TRUE(rep.found);
	EXPECT_EQ(std::string(reinterpret_cast<char *>(rep.value.bytes), rep.value.size), "a  b");
}

TEST_P(VinitTest, VariableBounds)
{
	std::string name32(32, 'n'), name33(33, 'n');
	std::string value64(64, 'v'), value65(65, 'v');
	auto r = RunLines({"Set " + name32 + " " + value64, "Get " + name32, "Set " + name33 + " x",
			   "Get " + name33, "Set x " + value65,
			   "Set x " + std::string(32, 'a') + " " + std::string(31, 'b'),
			   "Set x " + std::string(32, 'a') + " " + std::string(32, 'b'), "Why",
			   "Set", "Set x", "Get", "Get a b", "Unset", "Why"});
	EXPECT_EQ(r[0], "");
	EXPECT_EQ(r[1], value64 + "\n");
	EXPECT_EQ(r[2], "Set: bad or missing argument; usage: Set NAME VALUE...\n");
	EXPECT_EQ(r[3], "Get: bad or missing argument; usage: Get NAME\n");
	EXPECT_EQ(r[4], "Set: the value is longer than 64 bytes\n");
	EXPECT_EQ(r[5], "") << "64 bytes with the space";
	EXPECT_EQ(r[6], "Set: the value is longer than 64 bytes\n");
	EXPECT_EQ(r[7], Failed(10, "Set: the value is longer than 64 bytes"));
	EXPECT_EQ(r[8], "Set: bad or missing argument; usage: Set NAME VALUE...\n");
	EXPECT_EQ(r[9], "Set: bad or missing argument; usage: Set NAME VALUE...\n");
	EXPECT_EQ(r[10], "Get: bad or missing argument; usage: Get NAME\n");
	EXPECT_EQ(r[11], "Get: bad or missing argument; usage: Get NAME\n");
	EXPECT_EQ(r[12], "Unset: bad or missing argument; usage: Unset NAME\n");
	EXPECT_EQ(r[13], Failed(10, "Unset: bad or missing argument; usage: Unset NAME"));
}

TEST_P(VinitTest, GetShowsOtherClientsBinaryValuesAsText)
{
	viper_kv_PutRequest req = {};
	viper_kv_PutReply rep;
	snprintf(req.key, sizeof(req.key), "bin");
	const uint8_t value[] = {'o', 'k', 0, 0x1b, 0x7f, 0xff, '!'};
	std::copy(value, value + sizeof(value), req.value.bytes);
	req.value.size = sizeof(value);
	ASSERT_EQ(kv_put(&slots_[kEnv], &req, &rep), VIPER_OK);
	auto r = RunLines({"Get BIN"});
	EXPECT_EQ(r[0], "ok....!\n");
}

TEST_P(VinitTest, BreakByNameAndById)
{
	auto r = RunLines({"Break KV", "break 6", "Why"});
	EXPECT_EQ(r[0], "Break: stopped process 5; its supervisor restarts it if its policy says "
			"so\n");
	EXPECT_EQ(r[1], "Break: stopped process 6; its supervisor restarts it if its policy says "
			"so\n");
	EXPECT_EQ(r[2], kDidNotFail);
	EXPECT_EQ(sysinfo_.stopped, (std::vector<uint64_t>{5, 6}));
}

TEST_P(VinitTest, BreakRefusals)
{
	sysinfo_.AddProcess(10, "worker", 1, 3, 4096);
	sysinfo_.AddProcess(11, "Worker", 1, 3, 4096);
	sysinfo_.AddProcess(12, "gone", 1, 3, 4096, true);
	sysinfo_.AddProcess(7, "shell", 1, 3, 4096);
	g_handles.push_back({0x1000, VIPER_OBJ_PROCESS, VIPER_RIGHTS_ALL, 0, 7}); /* its own */
	auto r = RunLines({"Break worker", "Why", "Break nosuch", "Break gone", "Break 999",
			   "Break 1", "Why", "Break", "Break a b", "Break 99999999999999999999",
			   "Break shell", "Break 7"});
	EXPECT_EQ(r[0], "Break: 2 processes are called \"worker\" (ids 10 11): give an id\n");
	EXPECT_EQ(r[1], Failed(10, "Break: 2 processes are called \"worker\" (ids 10 11): give an "
				   "id"));
	EXPECT_EQ(r[2], "Break: no running process is called \"nosuch\"\n");
	EXPECT_EQ(r[3], "Break: no running process is called \"gone\"\n");
	EXPECT_EQ(r[4], "Break: no process has id 999\n");
	EXPECT_EQ(r[5], "Break: process 1 may not be stopped (the kernel, the root task or the "
			"system-information service)\n");
	EXPECT_EQ(r[6], Failed(10, "Break: process 1 may not be stopped (the kernel, the root task "
				   "or the system-information service)"));
	EXPECT_EQ(r[7], "Break: bad or missing argument; usage: Break PROCESS\n");
	EXPECT_EQ(r[8], "Break: bad or missing argument; usage: Break PROCESS\n");
	EXPECT_EQ(r[9], "Break: no running process is called \"99999999999999999999\"\n")
		<< "too big for an id: taken as a name";
	EXPECT_EQ(r[10], "Break: process 7 is this shell; EndShell ends it\n");
	EXPECT_EQ(r[11], "Break: process 7 is this shell; EndShell ends it\n");
	EXPECT_TRUE(sysinfo_.stopped.empty());
}

TEST_P(VinitTest, LogShowsTheLastEntries)
{
	// The ring keeps 12: with the shell's start entry it holds 5..16.
	auto r = RunLines({"Log 3", "Log", "log 100", "Log 0", "Log x", "Log 1 2", "Log 1001"});
	EXPECT_EQ(r[0], "    21.000 INFO  boot: entry 14\n"
			"    22.500 INFO  boot: entry 15\n"
			"    24.000 INFO  vinit: shell started (ViperOS " VIPEROS_VERSION ")\n");
	std::string ten;
	for (int i = 7; i <= 15; i++) {
		char line[64];
		snprintf(line, sizeof(line), "%6d.%03d INFO  boot: entry %d\n", i * 1500 / 1000,
			 i * 1500 % 1000, i);
		ten += line;
	}
	EXPECT_EQ(r[1],
		  ten + "    24.000 INFO  vinit: shell started (ViperOS " VIPEROS_VERSION ")\n");
	size_t lines = 0;
	for (char c : r[2])
		lines += c == '\n';
	EXPECT_EQ(lines, 12u) << "all the ring keeps, from its oldest";
	EXPECT_EQ(r[2].substr(0, r[2].find('\n')), "     7.500 INFO  boot: entry 5");
	const std::string usage = "Log: bad or missing argument; usage: Log [N]\n";
	EXPECT_EQ(r[3], usage);
	EXPECT_EQ(r[4], usage);
	EXPECT_EQ(r[5], usage);
	EXPECT_EQ(r[6], usage);
}

TEST_P(VinitTest, FailuresAreLogged)
{
	auto r = RunLines({"Foo", "Get nothing", "Log 2"});
	// Only ERROR or worse is logged: the unknown command, not Get's warning.
	// At INFO: the user saw the message already, so the log service must
	// not copy it to the console again.
	ASSERT_EQ(log_.entries.back().seq, 17u);
	EXPECT_EQ(log_.entries.back().level, viper_log_Level_LEVEL_INFO);
	EXPECT_EQ(log_.entries.back().source, "vinit");
	EXPECT_EQ(log_.entries.back().text, "Unknown command \"Foo\" (return code 10)");
	EXPECT_EQ(r[2], "    24.000 INFO  vinit: shell started (ViperOS " VIPEROS_VERSION ")\n"
			"    25.500 INFO  vinit: Unknown command \"Foo\" (return code 10)\n");
}

TEST_P(VinitTest, EmptyLog)
{
	log_.entries.clear();
	log_.drop_writes = true;
	auto r = RunLines({"Log"});
	EXPECT_EQ(r[0], "The log is empty.\n");
}

TEST_P(VinitTest, ServicesThatFailAreReportedAndTheShellGoesOn)
{
	sysinfo_.down = true;
	rtc_.down = true;
	log_.down = true;
	const std::string gone = "VIPER_E_PEERCLOSED (-13) (the service is gone or restarting)";
	auto r = RunLines({"Uptime", "Why", "Avail", "Status", "Break kv", "Break 5", "Date",
			   "Time", "Log", "Echo still here"});
	EXPECT_EQ(r[0], "Uptime: service sysinfo failed: " + gone + "\n");
	EXPECT_EQ(r[1], Failed(20, "Uptime: service sysinfo failed: " + gone));
	EXPECT_EQ(r[2], "Avail: service sysinfo failed: " + gone + "\n");
	EXPECT_EQ(r[3], "  Id  Name                  State    Threads  Handles      Memory\n"
			"Status: service sysinfo failed: " +
				gone + "\n");
	EXPECT_EQ(r[4], "Break: service sysinfo failed: " + gone + "\n");
	EXPECT_EQ(r[5], "Break: service sysinfo failed: " + gone + "\n");
	EXPECT_EQ(r[6], "Date: service rtc failed: " + gone + "\n");
	EXPECT_EQ(r[7], "Time: service rtc failed: " + gone + "\n");
	EXPECT_EQ(r[8], "Log: service log failed: " + gone + "\n");
	EXPECT_EQ(r[9], "still here\n");
}

TEST_P(VinitTest, ClosedChannelsAreReportedToo)
{
	if (!GetParam())
		GTEST_SKIP() << "only a remote slot has a channel to close";
	viper_host_close(channels_[kEnv]);
	viper_host_close(channels_[kLog]);
	auto r = RunLines({"Set a b", "Get a", "Unset a", "Log", "Echo fine"});
	const std::string gone = "VIPER_E_PEERCLOSED (-13) (the service is gone or restarting)";
	EXPECT_EQ(r[0], "Set: service env failed: " + gone + "\n");
	EXPECT_EQ(r[1], "Get: service env failed: " + gone + "\n");
	EXPECT_EQ(r[2], "Unset: service env failed: " + gone + "\n");
	EXPECT_EQ(r[3], "Log: service log failed: " + gone + "\n");
	EXPECT_EQ(r[4], "fine\n");
}

TEST_P(VinitTest, WritesAreAtMost224Bytes)
{
	std::string long_word(190, 'w');
	auto r = RunLines({"Help", "Echo " + long_word + " " + long_word.substr(0, 3), "Status"});
	EXPECT_EQ(r[1], long_word + " www\n");
	size_t most = 0;
	for (size_t w : console_.writes) {
		EXPECT_GE(w, 1u);
		most = std::max(most, w);
	}
	EXPECT_LE(most, 224u);
}

// Output from elsewhere (the log's copies of root messages) can only land
// between two Writes: every line a command prints that fits one Write must
// be in one Write, wherever the output buffer happened to fill.
TEST_P(VinitTest, EachLineInOneWrite)
{
	auto r = RunLines({"Help", "Help", "Status"});
	ASSERT_GT(r[0].size(), 3 * 224u) << "Help must fill the buffer several times";
	size_t lines = 0;
	for (const std::string &out : {r[0], r[1], r[2]}) {
		size_t at = 0;
		for (size_t nl; (nl = out.find('\n', at)) != std::string::npos; at = nl + 1) {
			std::string line = out.substr(at, nl + 1 - at);
			bool whole = false;
			for (const std::string &w : console_.write_data)
				whole = whole || w.find(line) != std::string::npos;
			EXPECT_TRUE(whole) << "split across Writes: " << line;
			lines++;
		}
	}
	EXPECT_GT(lines, 20u);
}

TEST_P(VinitTest, InteractiveTerminalInput)
{
	// CR line ends, Backspace, arrows, Tab, Up, Ctrl+C and CR LF split over Reads.
	console_.chunk = 3;
	std::string script = "Ecjo\x7f\x7fho hi\r"		 // Echo hi
			     "ec\tthere\r"			 // Echo there
			     "\x1b[A\x1b[A\r"			 // Echo hi again
			     "Echo lost\x03"			 // abandoned
			     "Echo x\x1b[Dy\x1b[3~\r\n"		 // Echo y
			     "\x1b[H\x1b[F\x1b[2~\x1bOP Why\r\n" // unknown keys ignored
			     "endSHELL\r\n";
	EXPECT_EQ(Run(script), 0);
	const std::string &out = console_.output;
	EXPECT_NE(out.find("\nhi\n"), std::string::npos);
	EXPECT_NE(out.find("\nthere\n"), std::string::npos);
	size_t first = out.find("\nhi\n");
	EXPECT_NE(out.find("\nhi\n", first + 1), std::string::npos) << "Up Up recalled Echo hi";
	EXPECT_NE(out.find("Echo lost^C\nSYS:> "), std::string::npos);
	EXPECT_EQ(out.find("\nlost\n"), std::string::npos);
	EXPECT_NE(out.find("\ny\n"), std::string::npos);
	EXPECT_NE(out.find(kDidNotFail), std::string::npos);
	EXPECT_NE(out.find("EndShell: goodbye.\n"), std::string::npos);
	EXPECT_EQ(out.find("\x1b[2~"), std::string::npos) << "unknown keys are not echoed";
	EXPECT_EQ(out.find("\x1bOP"), std::string::npos);
}

TEST_P(VinitTest, PipedInputWithLfAndCrLf)
{
	console_.chunk = 1;
	EXPECT_EQ(Run("Echo a\r\nEcho b\nEcho c\r\n\r\nEndShell\n"), 0);
	auto r = Replies();
	ASSERT_EQ(r.size(), 5u);
	EXPECT_EQ(r[0], "a\n");
	EXPECT_EQ(r[1], "b\n");
	EXPECT_EQ(r[2], "c\n");
	EXPECT_EQ(r[3], "") << "one empty line, not two";
}

TEST_P(VinitTest, ConsoleReadFailuresAreWaitedOut)
{
	console_.fail_reads = 3;
	EXPECT_EQ(Run("Echo back\nEndShell\n"), 0);
	EXPECT_NE(console_.output.find("SYS:> Echo back\nback\n"), std::string::npos);
	EXPECT_EQ(console_.fail_reads, 0);
}

TEST_P(VinitTest, RandomInputNeverBreaksTheShell)
{
	std::string script;
	uint32_t seed = 7;
	for (int i = 0; i < 20000; i++) {
		seed = seed * 1664525u + 1013904223u;
		char c = static_cast<char>(seed >> 24);
		script += c == '\x03' ? 'x' : c;
	}
	// Whatever state the garbage left: abandon the line, then end.
	EXPECT_EQ(Run(script + "\x03" + "EndShell\r"), 0);
	for (size_t w : console_.writes)
		EXPECT_LE(w, 224u);
}

// --- files: the commands over the real viperfs and assigns --------------------

TEST_P(VinitTest, FilesAreMadeCopiedTypedListedRenamedAndDeleted)
{
	auto r = RunLines({"MakeDir work", "Dir", "Type README", "Copy README work/copy",
			   "Type work/copy", "List work", "Rename work/copy work/moved", "ls work",
			   "Delete work", "Why", "Delete work ALL", "dir"});
	EXPECT_EQ(r[0], "");
	EXPECT_EQ(r[1], "  README\n     C (dir)\n     work (dir)\n");
	EXPECT_EQ(r[2], "Welcome to ViperOS.\n");
	EXPECT_EQ(r[3], "");
	EXPECT_EQ(r[4], "Welcome to ViperOS.\n");
	EXPECT_NE(r[5].find("copy                                   20 rw-d 21-Nov-26 14:03:"),
		  std::string::npos)
		<< r[5];
	EXPECT_NE(r[5].find("1 file - 0 directories - 20 bytes\n"), std::string::npos) << r[5];
	EXPECT_EQ(r[6], "");
	EXPECT_EQ(r[7], "  moved\n");
	EXPECT_EQ(r[8], "Delete: work: not empty (add ALL to delete the tree)\n");
	EXPECT_EQ(r[9], Failed(10, "Delete: work: not empty (add ALL to delete the tree)"));
	EXPECT_EQ(r[10], "work deleted\n");
	EXPECT_EQ(r[11], "  README\n     C (dir)\n");
}

TEST_P(VinitTest, CopyAllCopiesATree)
{
	auto r = RunLines({"MakeDir a a/b a/b/c", "Copy README a/b/c/r", "Copy a x", "Copy a x ALL",
			   "Type x/b/c/r", "Copy README C:", "Type C:README"});
	EXPECT_EQ(r[2], "Copy: a: is a directory (add ALL to copy the tree)\n");
	EXPECT_EQ(r[3], "");
	EXPECT_EQ(r[4], "Welcome to ViperOS.\n");
	EXPECT_EQ(r[5], "") << "into a directory, under its own name";
	EXPECT_EQ(r[6], "Welcome to ViperOS.\n");
}

TEST_P(VinitTest, TheCurrentDirectoryAndAssigns)
{
	auto r = RunLines({"MakeDir work", "Copy README work/note", "CD work", "cwd", "Type note",
			   "Type ../README", "CD /", "Assign W: SYS:work", "Type w:note", "Assign",
			   "Assign W:", "Type W:note", "Assign C: work", "chdir SYS:C", "CD",
			   "CD README", "Type SYS:"});
	EXPECT_EQ(r[3], "SYS:work\n");
	EXPECT_EQ(r[4], "Welcome to ViperOS.\n");
	EXPECT_EQ(r[5], "Welcome to ViperOS.\n");
	EXPECT_EQ(r[8], "Welcome to ViperOS.\n") << "assign names match without regard to case";
	EXPECT_NE(r[9].find("SYS        SYS:\n"), std::string::npos) << r[9];
	EXPECT_NE(r[9].find("C          SYS:C\n"), std::string::npos) << r[9];
	EXPECT_NE(r[9].find("W          SYS:work (yours)\n"), std::string::npos) << r[9];
	EXPECT_EQ(r[10], "");
	EXPECT_EQ(r[11], "Type: W:note: not found\n");
	EXPECT_EQ(r[12], "Assign: C: is the system's own\n");
	EXPECT_EQ(r[14], "SYS:C\n");
	EXPECT_EQ(r[15], "CD: README: not found\n") << "relative to SYS:C now";
	EXPECT_EQ(r[16], "Type: SYS: is a directory\n") << "an assign's colon ends the path";
}

TEST_P(VinitTest, FileErrorsNameThePathAndTheReason)
{
	std::string long_name(110, 'n');
	auto r = RunLines({"Type nothing", "Why", "MakeDir README", "Type C",
			   "MakeDir " + long_name, "Type ../x", "Rename nothing x", "Delete",
			   "Copy README", "Info", "Sync"});
	EXPECT_EQ(r[0], "Type: nothing: not found\n");
	EXPECT_EQ(r[1], Failed(10, "Type: nothing: not found"));
	EXPECT_EQ(r[2], "MakeDir: README: exists already\n");
	EXPECT_EQ(r[3], "Type: C: is a directory\n");
	EXPECT_EQ(r[4], "MakeDir: " + long_name + ": name too long\n");
	EXPECT_EQ(r[5], "Type: ../x: not a valid name here\n");
	EXPECT_EQ(r[6], "Rename: nothing: not found\n");
	EXPECT_EQ(r[7], "Delete: bad or missing argument; usage: Delete PATH [ALL]\n");
	EXPECT_EQ(r[8], "Copy: bad or missing argument; usage: Copy FROM TO [ALL]\n");
	EXPECT_NE(r[9].find("Volume Work: 4096 KiB"), std::string::npos) << r[9];
	EXPECT_NE(r[9].find("journal: "), std::string::npos) << r[9];
	EXPECT_EQ(r[10], "");
}

INSTANTIATE_TEST_SUITE_P(Placements, VinitTest, ::testing::Values(false, true),
			 [](const ::testing::TestParamInfo<bool> &info) {
				 return info.param ? "Remote" : "Direct";
			 });

} // namespace
