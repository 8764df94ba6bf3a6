// system_log on the host, through the generated stubs, by direct call and
// over the host transport (the log and its console alike), with a fake
// console provider in its `console` slot.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include <system_log/system_log.h>
#include <viper/component.h>
#include <viper/host_transport.h>

#include "system_log_slots.h"
}

namespace
{

// A console provider that records each Write, or refuses it with `fail`.
struct FakeConsole {
	std::vector<std::string> lines;
	int32_t fail = VIPER_OK;
	unsigned calls = 0;

	static int32_t Write(void *self, viper_rpc_context *, const viper_console_WriteRequest *req,
			     viper_console_WriteReply *rep)
	{
		auto *console = static_cast<FakeConsole *>(self);
		console->calls++;
		if (console->fail < 0)
			return console->fail;
		console->lines.emplace_back(reinterpret_cast<const char *>(req->data.bytes),
					    req->data.size);
		rep->written = req->data.size;
		return VIPER_OK;
	}
	static const console_server *Ops()
	{
		static console_server ops = [] {
			console_server o = {};
			o.write = Write;
			return o;
		}();
		return &ops;
	}
};

struct Entry {
	int32_t status = 0;
	bool found = false;
	uint64_t seq = 0, time_ns = 0, oldest = 0, next = 0;
	int level = -1;
	std::string source, text;
};

class SystemLogTest : public ::testing::TestWithParam<bool>
{
      protected:
	void SetUp() override
	{
		viper_host_reset();
		if (GetParam()) {
			console_channel_ =
				viper_host_serve(&console_interface, FakeConsole::Ops(), &console_);
			ASSERT_NE(console_channel_, VIPER_HANDLE_INVALID);
			viper_host_bind_remote(&console_slot_, &console_interface,
					       console_channel_);
		} else {
			viper_host_bind_direct(&console_slot_, &console_interface,
					       FakeConsole::Ops(), &console_);
		}
		viper_instance_env env = {};
		env.name = "log";
		env.slots[SYSTEM_LOG_SLOT_CONSOLE] = &console_slot_;
		env.slot_count = SYSTEM_LOG_SLOT_COUNT;
		Start(env);
	}
	void TearDown() override
	{
		viper_host_reset();
		vc_free(state_);
	}
	void Start(const viper_instance_env &env)
	{
		int32_t status = -1;
		vc_free(state_);
		ASSERT_NE(viper_host_start("system_log", &env, &state_, &status), nullptr);
		ASSERT_EQ(status, VIPER_OK);
		log_ = static_cast<system_log *>(state_);
		if (GetParam()) {
			viper_handle_t ch =
				viper_host_serve(&log_interface, &system_log_server, log_);
			ASSERT_NE(ch, VIPER_HANDLE_INVALID);
			viper_host_bind_remote(&log_slot_, &log_interface, ch);
		} else {
			viper_host_bind_direct(&log_slot_, &log_interface, &system_log_server,
					       log_);
		}
	}

	// The new entry's number, or the negative error.
	int64_t Write(int level, const std::string &source, const std::string &text)
	{
		viper_log_WriteRequest req = {};
		viper_log_WriteReply rep = {};
		req.level = (viper_log_Level)level;
		strncpy(req.source, source.c_str(), sizeof(req.source) - 1);
		strncpy(req.text, text.c_str(), sizeof(req.text) - 1);
		int32_t r = log_write(&log_slot_, &req, &rep);
		return r < 0 ? r : (int64_t)rep.seq;
	}
	Entry Read(uint64_t from_seq)
	{
		viper_log_ReadRequest req = {};
		viper_log_ReadReply rep;
		req.from_seq = from_seq;
		Entry e;
		e.status = log_read(&log_slot_, &req, &rep);
		if (e.status < 0)
			return e;
		e.found = rep.found;
		e.seq = rep.seq;
		e.time_ns = rep.time_ns;
		e.oldest = rep.oldest;
		e.next = rep.next;
		e.level = rep.level;
		e.source = rep.source;
		e.text = rep.text;
		return e;
	}

	FakeConsole console_;
	viper_handle_t console_channel_ = VIPER_HANDLE_INVALID;
	viper_slot console_slot_;
	void *state_ = nullptr;
	system_log *log_ = nullptr;
	viper_slot log_slot_;
};

TEST_P(SystemLogTest, AnEmptyLog)
{
	Entry e = Read(0);
	ASSERT_EQ(e.status, VIPER_OK);
	EXPECT_FALSE(e.found);
	EXPECT_EQ(e.oldest, 1u);
	EXPECT_EQ(e.next, 1u);
	EXPECT_FALSE(Read(1).found);
	EXPECT_FALSE(Read(~0ull).found);
}

TEST_P(SystemLogTest, EntriesAreNumberedFromOneAndReadBack)
{
	uint64_t before = vc_now_ns();
	EXPECT_EQ(Write(viper_log_Level_LEVEL_INFO, "init", "system up"), 1);
	EXPECT_EQ(Write(viper_log_Level_LEVEL_DEBUG, "", "no source"), 2);
	EXPECT_EQ(Write(viper_log_Level_LEVEL_ERROR, "net", "link down"), 3);
	uint64_t after = vc_now_ns();

	Entry e = Read(0);
	ASSERT_EQ(e.status, VIPER_OK);
	ASSERT_TRUE(e.found);
	EXPECT_EQ(e.seq, 1u);
	EXPECT_EQ(e.level, viper_log_Level_LEVEL_INFO);
	EXPECT_EQ(e.source, "init");
	EXPECT_EQ(e.text, "system up");
	EXPECT_EQ(e.oldest, 1u);
	EXPECT_EQ(e.next, 4u);
	EXPECT_GE(e.time_ns, before);
	EXPECT_LE(e.time_ns, after);

	Entry second = Read(2);
	ASSERT_TRUE(second.found);
	EXPECT_EQ(second.seq, 2u);
	EXPECT_EQ(second.source, "");
	EXPECT_EQ(second.text, "no source");
	EXPECT_GE(second.time_ns, e.time_ns);
	Entry third = Read(3);
	ASSERT_TRUE(third.found);
	EXPECT_EQ(third.level, viper_log_Level_LEVEL_ERROR);
	EXPECT_EQ(third.text, "link down");
	Entry none = Read(4);
	EXPECT_EQ(none.status, VIPER_OK);
	EXPECT_FALSE(none.found) << "nothing numbered 4 yet";
	EXPECT_EQ(none.oldest, 1u);
	EXPECT_EQ(none.next, 4u);
}

TEST_P(SystemLogTest, TheRingKeepsTheLast64)
{
	for (int i = 1; i <= 100; i++)
		ASSERT_EQ(Write(viper_log_Level_LEVEL_INFO, "t", "entry " + std::to_string(i)), i);
	Entry first = Read(1);
	ASSERT_TRUE(first.found);
	EXPECT_EQ(first.seq, 37u) << "1..36 are gone: the oldest kept comes instead";
	EXPECT_EQ(first.text, "entry 37");
	EXPECT_EQ(first.oldest, 37u);
	EXPECT_EQ(first.next, 101u);
	for (uint64_t s = 37; s <= 100; s++) {
		Entry e = Read(s);
		ASSERT_TRUE(e.found) << s;
		ASSERT_EQ(e.seq, s);
		ASSERT_EQ(e.text, "entry " + std::to_string(s));
	}
	EXPECT_FALSE(Read(101).found);
	EXPECT_EQ(Write(viper_log_Level_LEVEL_INFO, "t", "entry 101"), 101);
	EXPECT_EQ(Read(0).seq, 38u);
	EXPECT_EQ(Read(0).oldest, 38u);
}

TEST_P(SystemLogTest, WriteRefusesBadEntries)
{
	EXPECT_EQ(Write(4, "x", "unknown level"), VIPER_E_INVAL);
	EXPECT_EQ(Write(-1, "x", "negative level"), VIPER_E_INVAL);
	EXPECT_EQ(Write(viper_log_Level_LEVEL_ERROR, "x", ""), VIPER_E_INVAL);
	EXPECT_EQ(Read(0).next, 1u) << "nothing refused was kept";
	EXPECT_TRUE(console_.lines.empty());

	// A direct caller's unterminated strings (the stub refuses them first).
	viper_log_WriteRequest req = {};
	viper_log_WriteReply rep = {};
	req.level = viper_log_Level_LEVEL_INFO;
	memset(req.text, 'a', sizeof(req.text));
	EXPECT_EQ(log_write(&log_slot_, &req, &rep), VIPER_E_INVAL);
	viper_rpc_context ctx = {};
	EXPECT_EQ(system_log_server.write(log_, &ctx, &req, &rep), VIPER_E_INVAL);
	strcpy(req.text, "ok");
	memset(req.source, 's', sizeof(req.source));
	EXPECT_EQ(system_log_server.write(log_, &ctx, &req, &rep), VIPER_E_INVAL);
	EXPECT_EQ(Read(0).next, 1u);
}

TEST_P(SystemLogTest, WarningsAndErrorsGoToTheConsole)
{
	ASSERT_EQ(Write(viper_log_Level_LEVEL_DEBUG, "d", "quiet"), 1);
	ASSERT_EQ(Write(viper_log_Level_LEVEL_INFO, "i", "quiet too"), 2);
	ASSERT_EQ(Write(viper_log_Level_LEVEL_WARNING, "disk", "low space"), 3);
	ASSERT_EQ(Write(viper_log_Level_LEVEL_ERROR, "net", "link down"), 4);
	ASSERT_EQ(Write(viper_log_Level_LEVEL_WARNING, "", "no source"), 5);
	EXPECT_EQ(console_.lines,
		  (std::vector<std::string>{"log: disk: low space\n", "log: net: link down\n",
					    "log: no source\n"}));
	EXPECT_EQ(log_->console_failures, 0u);
}

TEST_P(SystemLogTest, AConsoleLineIsOneLine)
{
	ASSERT_EQ(Write(viper_log_Level_LEVEL_ERROR, "sh\tell", "two\nlines\r\x1b[2J"), 1);
	ASSERT_EQ(console_.lines.size(), 1u);
	EXPECT_EQ(console_.lines[0], "log: sh ell: two lines  [2J\n");
	EXPECT_EQ(Read(1).text, "two\nlines\r\x1b[2J") << "the entry keeps what was written";

	std::string source(15, 's'), text(160, 't');
	ASSERT_EQ(Write(viper_log_Level_LEVEL_WARNING, source, text), 2);
	ASSERT_EQ(console_.lines.size(), 2u);
	EXPECT_EQ(console_.lines[1], "log: " + source + ": " + text + "\n");
	EXPECT_EQ(console_.lines[1].size(), 183u);
	EXPECT_EQ(Read(2).text, text);
	EXPECT_EQ(Read(2).source, source);
}

TEST_P(SystemLogTest, AFailingConsoleLosesNoEntry)
{
	console_.fail = VIPER_E_BUSY;
	EXPECT_EQ(Write(viper_log_Level_LEVEL_ERROR, "a", "first"), 1);
	EXPECT_EQ(Write(viper_log_Level_LEVEL_WARNING, "b", "second"), 2);
	EXPECT_EQ(console_.calls, 2u) << "each copy is tried once";
	EXPECT_EQ(log_->console_failures, 2u);
	EXPECT_EQ(Read(1).text, "first");
	EXPECT_EQ(Read(2).text, "second");

	console_.fail = VIPER_OK;
	EXPECT_EQ(Write(viper_log_Level_LEVEL_ERROR, "c", "third"), 3);
	EXPECT_EQ(console_.lines, std::vector<std::string>{"log: c: third\n"})
		<< "nothing refused is replayed";
}

TEST_P(SystemLogTest, AConsoleThatIsGoneLosesNoEntry)
{
	if (!GetParam())
		GTEST_SKIP() << "only a channel can close";
	viper_host_close(console_channel_);
	EXPECT_EQ(Write(viper_log_Level_LEVEL_ERROR, "a", "alone"), 1);
	EXPECT_EQ(log_->console_failures, 1u);
	EXPECT_EQ(Read(1).text, "alone");
	EXPECT_EQ(console_.calls, 0u);
}

TEST_P(SystemLogTest, WithoutAConsoleEntriesAreOnlyKept)
{
	viper_host_reset();
	viper_instance_env env = {};
	env.name = "log";
	Start(env);
	EXPECT_EQ(Write(viper_log_Level_LEVEL_ERROR, "a", "kept"), 1);
	EXPECT_EQ(Read(1).text, "kept");
	EXPECT_EQ(log_->console_failures, 0u);
	EXPECT_EQ(console_.calls, 0u);
}

INSTANTIATE_TEST_SUITE_P(DirectAndRemote, SystemLogTest, ::testing::Bool(),
			 [](const ::testing::TestParamInfo<bool> &info) {
				 return info.param ? "Remote" : "Direct";
			 });

} // namespace
