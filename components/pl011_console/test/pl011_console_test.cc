// pl011_console on the host, against a model of the PL011 (this file's
// pl011_console_reg_read and _write replace the driver's weak register
// access: reading the data register pops the receive FIFO, writing it
// transmits) and a fake interrupt line (viper/host_runtime.h hooks). The
// methods go through the generated stubs, by direct call and over the host
// transport.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

extern "C" {
#include <pl011_console/pl011_console.h>
#include <viper/component.h>
#include <viper/host_runtime.h>
#include <viper/host_transport.h>

#include "pl011_console_slots.h"
}

namespace
{

constexpr viper_handle_t kIrq = 0x77; // a made-up IRQ handle the hooks expect
constexpr auto kPatience = std::chrono::seconds(10);

// The UART: a receive FIFO, what was transmitted, and what was written where.
struct FakeUart {
	std::mutex m;
	uint32_t regs[PL011_CONSOLE_REGS_SIZE / 4] = {};
	std::deque<uint32_t> rx;	 // data register values waiting to be read
	std::string tx;			 // bytes written to the data register
	unsigned txff_reads = 0;	 // flag reads still to report the transmit FIFO full
	unsigned fr_reads = 0;		 // flag register reads
	std::vector<uint32_t> icr;	 // values written to the interrupt clear register
	unsigned lcrh_writes = 0;	 // writes to the line control register
	std::vector<std::string> events; // "ICR" writes and "DR" reads, in order

	void Feed(const std::string &bytes)
	{
		std::lock_guard<std::mutex> lock(m);
		for (unsigned char b : bytes)
			rx.push_back(b);
	}
	void FeedRaw(uint32_t dr)
	{
		std::lock_guard<std::mutex> lock(m);
		rx.push_back(dr);
	}
};

FakeUart *uart; // the model the register calls reach, set by each test

} // namespace

extern "C" uint32_t pl011_console_reg_read(volatile uint32_t *regs, uint32_t offset)
{
	if (uart == nullptr || regs != uart->regs)
		return regs[offset / 4];
	std::lock_guard<std::mutex> lock(uart->m);
	if (offset == PL011_FR) {
		uint32_t fr = uart->rx.empty() ? PL011_FR_RXFE : 0;
		uart->fr_reads++;
		if (uart->txff_reads > 0) {
			uart->txff_reads--;
			fr |= PL011_FR_TXFF;
		}
		return fr;
	}
	if (offset == PL011_DR) {
		uart->events.push_back("DR");
		if (uart->rx.empty())
			return 0;
		uint32_t data = uart->rx.front();
		uart->rx.pop_front();
		return data;
	}
	return uart->regs[offset / 4];
}

extern "C" void pl011_console_reg_write(volatile uint32_t *regs, uint32_t offset, uint32_t value)
{
	if (uart == nullptr || regs != uart->regs) {
		regs[offset / 4] = value;
		return;
	}
	std::lock_guard<std::mutex> lock(uart->m);
	if (offset == PL011_DR) {
		uart->tx.push_back((char)(value & 0xff));
		return;
	}
	if (offset == PL011_ICR) {
		uart->icr.push_back(value);
		uart->events.push_back("ICR");
		return;
	}
	if (offset == PL011_LCRH)
		uart->lcrh_writes++;
	uart->regs[offset / 4] = value;
}

namespace
{

// The system console (vc_console_write): each call, whole.
struct FakeConsole {
	std::mutex m;
	std::vector<std::string> writes;
};

FakeConsole *console_sink = nullptr;

// The interrupt line. Played: each wait moves the next burst into the FIFO
// and returns at once, and with no burst left answers VIPER_E_CLOSED, so
// run() goes through them on the test's thread and returns. Blocking: a
// wait sleeps until Raise (VIPER_OK) or Close (VIPER_E_CLOSED).
struct FakeIrq {
	std::mutex m;
	std::condition_variable cv;
	bool blocking = false;
	std::deque<std::string> bursts;
	unsigned raised = 0, taken = 0;
	bool closed = false;
	unsigned waits = 0, acks = 0;
	bool wrong_handle = false;

	static int32_t Wait(void *context, viper_handle_t irq, int64_t timeout_ns)
	{
		auto *self = static_cast<FakeIrq *>(context);
		std::unique_lock<std::mutex> lock(self->m);
		self->waits++;
		if (irq != kIrq || timeout_ns != VIPER_TIMEOUT_NONE)
			self->wrong_handle = true;
		if (!self->blocking) {
			if (self->bursts.empty())
				return VIPER_E_CLOSED;
			uart->Feed(self->bursts.front());
			self->bursts.pop_front();
			return VIPER_OK;
		}
		self->cv.notify_all(); // for WaitForWaits
		self->cv.wait(lock, [self] { return self->closed || self->raised > self->taken; });
		if (self->closed)
			return VIPER_E_CLOSED;
		self->taken++;
		return VIPER_OK;
	}
	static int32_t Ack(void *context, viper_handle_t irq)
	{
		auto *self = static_cast<FakeIrq *>(context);
		std::lock_guard<std::mutex> lock(self->m);
		if (irq != kIrq)
			self->wrong_handle = true;
		self->acks++;
		self->cv.notify_all();
		return VIPER_OK;
	}
	void Raise()
	{
		std::lock_guard<std::mutex> lock(m);
		raised++;
		cv.notify_all();
	}
	void Close()
	{
		std::lock_guard<std::mutex> lock(m);
		closed = true;
		cv.notify_all();
	}
	bool WaitForAcks(unsigned n)
	{
		std::unique_lock<std::mutex> lock(m);
		return cv.wait_for(lock, kPatience, [&] { return acks >= n; });
	}
	bool WaitForWaits(unsigned n)
	{
		std::unique_lock<std::mutex> lock(m);
		return cv.wait_for(lock, kPatience, [&] { return waits >= n; });
	}
};

// A PL011 as QEMU's: ids, FIFOs on, the UART on (as the kernel left it).
void ResetUart(FakeUart *u)
{
	u->regs[PL011_PERIPH_ID0 / 4] = 0x11;
	u->regs[PL011_PERIPH_ID0 / 4 + 1] = 0x10;
	u->regs[PL011_PERIPH_ID0 / 4 + 2] = 0x14;
	u->regs[PL011_PERIPH_ID0 / 4 + 3] = 0x00;
	u->regs[PL011_CELL_ID0 / 4] = 0x0d;
	u->regs[PL011_CELL_ID0 / 4 + 1] = 0xf0;
	u->regs[PL011_CELL_ID0 / 4 + 2] = 0x05;
	u->regs[PL011_CELL_ID0 / 4 + 3] = 0xb1;
	u->regs[PL011_LCRH / 4] = PL011_LCRH_FEN | (3u << 5);
	u->regs[PL011_CR / 4] = PL011_CR_UARTEN | PL011_CR_TXE | PL011_CR_RXE;
}

class Pl011InitTest : public ::testing::Test
{
      protected:
	void SetUp() override
	{
		viper_host_reset();
		uart = &uart_;
		ResetUart(&uart_);
		env_.name = "console";
		env_.device_count = 1;
		env_.devices[PL011_CONSOLE_DEVICE_UART].regs = uart_.regs;
		env_.devices[PL011_CONSOLE_DEVICE_UART].size = sizeof(uart_.regs);
		env_.devices[PL011_CONSOLE_DEVICE_UART].irq = kIrq;
		env_.devices[PL011_CONSOLE_DEVICE_UART].irq_line = 33;
	}
	void TearDown() override
	{
		uart = nullptr;
		viper_host_reset();
	}
	int32_t Init()
	{
		memset(&console_, 0, sizeof(console_));
		return viper_component_find("pl011_console")->init(&console_, &env_);
	}
	uint32_t Reg(uint32_t offset)
	{
		return uart_.regs[offset / 4];
	}

	FakeUart uart_;
	viper_instance_env env_ = {};
	pl011_console console_ = {};
};

TEST_F(Pl011InitTest, EnablesReceiveInterruptsAndKeepsTheLine)
{
	ASSERT_EQ(Init(), VIPER_OK);
	EXPECT_EQ(Reg(PL011_IMSC), PL011_INT_RX | PL011_INT_RT);
	EXPECT_EQ(Reg(PL011_CR), PL011_CR_UARTEN | PL011_CR_TXE | PL011_CR_RXE);
	EXPECT_EQ(Reg(PL011_LCRH), PL011_LCRH_FEN | (3u << 5));
	EXPECT_EQ(uart_.lcrh_writes, 0u) << "the FIFO setting is never rewritten";
	EXPECT_TRUE(uart_.tx.empty());
	EXPECT_TRUE(uart_.icr.empty()) << "a pending interrupt is left for run to see";
	EXPECT_EQ(console_.irq, kIrq);
	EXPECT_STREQ(console_.name, "console");
}

TEST_F(Pl011InitTest, SwitchesADisabledUartOnWithoutTouchingTheFifos)
{
	uart_.regs[PL011_CR / 4] = 0;
	uart_.regs[PL011_LCRH / 4] = 3u << 5; // FIFOs off: stays off
	ASSERT_EQ(Init(), VIPER_OK);
	EXPECT_EQ(Reg(PL011_CR), PL011_CR_UARTEN | PL011_CR_TXE | PL011_CR_RXE);
	EXPECT_EQ(Reg(PL011_LCRH), 3u << 5);
	EXPECT_EQ(uart_.lcrh_writes, 0u);
}

TEST_F(Pl011InitTest, AcceptsAnyRevision)
{
	uart_.regs[PL011_PERIPH_ID0 / 4 + 2] = 0x34; // r1p5 and later: revision 3
	EXPECT_EQ(Init(), VIPER_OK);
}

TEST_F(Pl011InitTest, RefusesAnotherDevice)
{
	// Each identification register in turn holds a wrong value.
	const uint32_t offsets[] = {
		PL011_PERIPH_ID0, PL011_PERIPH_ID0 + 4, PL011_PERIPH_ID0 + 8, PL011_PERIPH_ID0 + 12,
		PL011_CELL_ID0,	  PL011_CELL_ID0 + 4,	PL011_CELL_ID0 + 8,   PL011_CELL_ID0 + 12};
	for (uint32_t offset : offsets) {
		uint32_t good = uart_.regs[offset / 4];
		uart_.regs[offset / 4] = good ^ 0x01;
		EXPECT_EQ(Init(), VIPER_E_UNSUPPORTED) << std::hex << offset;
		uart_.regs[offset / 4] = good;
	}
	uart_.regs[PL011_PERIPH_ID0 / 4] = 0x31; // a PL031 real-time clock
	EXPECT_EQ(Init(), VIPER_E_UNSUPPORTED);
	EXPECT_EQ(Reg(PL011_IMSC), 0u) << "a refused device is left alone";
}

TEST_F(Pl011InitTest, RefusesAMissingGrant)
{
	env_.devices[PL011_CONSOLE_DEVICE_UART].irq = VIPER_HANDLE_INVALID;
	EXPECT_EQ(Init(), VIPER_E_INVAL) << "no interrupt";
	env_.devices[PL011_CONSOLE_DEVICE_UART].irq = kIrq;
	env_.devices[PL011_CONSOLE_DEVICE_UART].size = 0x100;
	EXPECT_EQ(Init(), VIPER_E_INVAL) << "a short register window";
	env_.devices[PL011_CONSOLE_DEVICE_UART].size = sizeof(uart_.regs);
	env_.devices[PL011_CONSOLE_DEVICE_UART].regs = nullptr;
	EXPECT_EQ(Init(), VIPER_E_INVAL) << "no registers";
	env_.devices[PL011_CONSOLE_DEVICE_UART].regs = uart_.regs;
	env_.device_count = 0;
	EXPECT_EQ(Init(), VIPER_E_INVAL) << "no device";
	EXPECT_EQ(Reg(PL011_IMSC), 0u);
}

// The methods, by direct call (false) and over the host transport (true).
class Pl011ConsoleTest : public ::testing::TestWithParam<bool>
{
      protected:
	void SetUp() override
	{
		viper_host_reset();
		uart = &uart_;
		ResetUart(&uart_);
		viper_instance_env env = {};
		env.name = "console";
		env.device_count = 1;
		env.devices[PL011_CONSOLE_DEVICE_UART].regs = uart_.regs;
		env.devices[PL011_CONSOLE_DEVICE_UART].size = sizeof(uart_.regs);
		env.devices[PL011_CONSOLE_DEVICE_UART].irq = kIrq;
		component_ = viper_component_find("pl011_console");
		ASSERT_NE(component_, nullptr);
		ASSERT_EQ(component_->init(&console_, &env), VIPER_OK);
		viper_host_fakes fakes = {};
		fakes.context = &irq_;
		fakes.irq_wait = FakeIrq::Wait;
		fakes.irq_ack = FakeIrq::Ack;
		fakes.console_write = [](void *, const void *buf, uint32_t n) -> int32_t {
			std::lock_guard<std::mutex> lock(console_sink->m);
			console_sink->writes.emplace_back(static_cast<const char *>(buf), n);
			return VIPER_OK;
		};
		console_sink = &console_out_;
		viper_host_set_fakes(&fakes);
		if (GetParam()) {
			viper_handle_t ch = viper_host_serve(&console_interface,
							     &pl011_console_server, &console_);
			ASSERT_NE(ch, VIPER_HANDLE_INVALID);
			viper_host_bind_remote(&slot_, &console_interface, ch);
		} else {
			viper_host_bind_direct(&slot_, &console_interface, &pl011_console_server,
					       &console_);
		}
	}
	void TearDown() override
	{
		irq_.Close();
		if (run_thread_.joinable())
			run_thread_.join();
		uart = nullptr;
		viper_host_reset();
	}

	// Plays the bursts through run() on this thread; run ends when they do.
	void Play(std::deque<std::string> bursts)
	{
		irq_.bursts = std::move(bursts);
		EXPECT_EQ(component_->run(&console_), VIPER_E_CLOSED);
		EXPECT_FALSE(irq_.wrong_handle);
	}
	void StartRunThread()
	{
		irq_.blocking = true;
		run_thread_ = std::thread([this] { run_status_ = component_->run(&console_); });
		// Past its first look and asleep in the wait: input now comes by
		// interrupt. What the first look did is forgotten.
		ASSERT_TRUE(irq_.WaitForWaits(1));
		std::lock_guard<std::mutex> lock(uart_.m);
		uart_.events.clear();
		uart_.icr.clear();
	}

	int32_t Write(const std::string &s, uint32_t *written = nullptr)
	{
		viper_console_WriteRequest req = {};
		viper_console_WriteReply rep;
		req.data.size = (pb_size_t)s.size();
		memcpy(req.data.bytes, s.data(), s.size());
		int32_t r = console_write(&slot_, &req, &rep);
		if (written != nullptr)
			*written = rep.written;
		return r;
	}
	// What Read(max) returns, or "error N"; the dropped count in *dropped.
	std::string Read(uint32_t max, uint32_t *dropped = nullptr)
	{
		viper_console_ReadRequest req = {};
		viper_console_ReadReply rep;
		req.max = max;
		int32_t r = console_read(&slot_, &req, &rep);
		if (r != VIPER_OK)
			return "error " + std::to_string(r);
		if (dropped != nullptr)
			*dropped = rep.dropped;
		return std::string(reinterpret_cast<const char *>(rep.data.bytes), rep.data.size);
	}
	int32_t Listen(viper_handle_t *ready)
	{
		viper_console_ListenRequest req = {};
		viper_console_ListenReply rep;
		int32_t r = console_listen(&slot_, &req, &rep);
		*ready = rep.ready;
		return r;
	}
	unsigned LiveListeners()
	{
		unsigned n = 0;
		for (viper_handle_t h : console_.listeners)
			n += h != VIPER_HANDLE_INVALID ? 1 : 0;
		return n;
	}

	FakeUart uart_;
	FakeIrq irq_;
	const viper_component *component_ = nullptr;
	FakeConsole console_out_;
	pl011_console console_ = {};
	viper_slot slot_;
	std::thread run_thread_;
	int32_t run_status_ = 0;
};

// A request goes to the system console whole, in one call (which the kernel
// writes under its lock, newlines as CR LF), so nothing interleaves with it.
TEST_P(Pl011ConsoleTest, WriteGoesToTheConsoleInOnePiece)
{
	uint32_t written = 0;
	ASSERT_EQ(Write("ls\n", &written), VIPER_OK);
	EXPECT_EQ(written, 3u);
	ASSERT_EQ(Write("\n\na\rb", &written), VIPER_OK);
	EXPECT_EQ(written, 5u);
	ASSERT_EQ(Write("", &written), VIPER_OK);
	EXPECT_EQ(written, 0u);
	std::string full(224, 'x');
	full[223] = '\n';
	ASSERT_EQ(Write(full, &written), VIPER_OK);
	EXPECT_EQ(written, 224u);
	std::vector<std::string> want = {"ls\n", "\n\na\rb", full};
	EXPECT_EQ(console_out_.writes, want) << "one call per request, nothing for an empty one";
	EXPECT_TRUE(uart_.tx.empty()) << "the driver never writes the data register itself";
}

// Two clients: one leaves a line open (a prompt); the other's output then
// starts on a new line, and so does neither a client continuing its own
// line nor anyone after a line was finished.
TEST_P(Pl011ConsoleTest, AnotherClientsOutputStartsOnALineOfItsOwn)
{
	auto write_as = [this](uint32_t connection, const char *text) {
		viper_console_WriteRequest req = {};
		viper_console_WriteReply rep = {};
		viper_rpc_context ctx = {};
		ctx.connection = connection;
		req.data.size = (pb_size_t)strlen(text);
		memcpy(req.data.bytes, text, req.data.size);
		EXPECT_EQ(pl011_console_server.write(&console_, &ctx, &req, &rep), VIPER_OK);
		EXPECT_EQ(rep.written, req.data.size);
	};
	write_as(1, "SYS:> ");
	write_as(1, "Lo");
	write_as(2, "log: root: restarting log\n");
	write_as(1, "g\n");
	write_as(2, "log: second\n");
	write_as(1, "SYS:> ");
	write_as(1, "\n");
	write_as(2, "partial");
	write_as(2, " more\n");
	std::vector<std::string> want = {"SYS:> ",  "Lo",
					 "\n",	    "log: root: restarting log\n",
					 "g\n",	    "log: second\n",
					 "SYS:> ",  "\n",
					 "partial", " more\n"};
	EXPECT_EQ(console_out_.writes, want);
}

TEST_P(Pl011ConsoleTest, WriteReportsAConsoleThatFails)
{
	viper_host_fakes fakes = {};
	fakes.irq_wait = FakeIrq::Wait;
	fakes.irq_ack = FakeIrq::Ack;
	fakes.context = &irq_;
	viper_host_set_fakes(&fakes); /* no console: VIPER_E_UNSUPPORTED */
	uint32_t written = 99;
	EXPECT_EQ(Write("ok\n", &written), VIPER_E_UNSUPPORTED);
}

TEST_P(Pl011ConsoleTest, WriteRefusesOversizedData)
{
	viper_console_WriteRequest req = {};
	viper_console_WriteReply rep = {};
	req.data.size = sizeof(req.data.bytes) + 1;
	EXPECT_EQ(console_write(&slot_, &req, &rep), VIPER_E_INVAL);
	viper_rpc_context ctx = {};
	EXPECT_EQ(pl011_console_server.write(&console_, &ctx, &req, &rep), VIPER_E_INVAL)
		<< "the method checks too, whoever calls it";
	EXPECT_TRUE(uart_.tx.empty());
}

TEST_P(Pl011ConsoleTest, ReadChecksMax)
{
	EXPECT_EQ(Read(0), "error " + std::to_string(VIPER_E_INVAL));
	EXPECT_EQ(Read(129), "error " + std::to_string(VIPER_E_INVAL));
	EXPECT_EQ(Read(0xffffffffu), "error " + std::to_string(VIPER_E_INVAL));
	uint32_t dropped = 99;
	EXPECT_EQ(Read(1, &dropped), "") << "nothing has arrived: empty, not an error";
	EXPECT_EQ(dropped, 0u);
	EXPECT_EQ(Read(128), "");
}

TEST_P(Pl011ConsoleTest, InputFromBeforeTheDriverIsKept)
{
	uart_.Feed("typed early\n");
	Play({});
	EXPECT_EQ(irq_.waits, 1u) << "read before the first wait";
	EXPECT_EQ(irq_.acks, 0u) << "nothing to acknowledge without an interrupt";
	EXPECT_EQ(Read(128), "typed early\n");
	EXPECT_EQ(Read(128), "");
}

TEST_P(Pl011ConsoleTest, ReadTakesAtMostMaxInOrder)
{
	std::string sent;
	std::deque<std::string> bursts;
	for (int b = 0; b < 6; b++) {
		std::string burst;
		for (int i = 0; i < 50; i++)
			burst.push_back((char)('a' + (b * 50 + i) % 26));
		sent += burst;
		bursts.push_back(burst);
	}
	Play(bursts);
	EXPECT_EQ(irq_.acks, 6u);
	EXPECT_EQ(uart_.icr, std::vector<uint32_t>(7, PL011_INT_RX | PL011_INT_RT))
		<< "the first look, then once per interrupt";
	std::string got = Read(100);
	EXPECT_EQ(got.size(), 100u);
	got += Read(128);
	EXPECT_EQ(got.size(), 228u);
	got += Read(1);
	got += Read(128);
	EXPECT_EQ(got, sent);
	EXPECT_EQ(Read(128), "");
}

TEST_P(Pl011ConsoleTest, ABacklogPastTheDrainBoundIsReadWithoutWaiting)
{
	std::string burst(PL011_CONSOLE_DRAIN_MAX + 6, 'z');
	Play({burst});
	EXPECT_EQ(Read(128), burst);
	// The first look (ICR, an empty FIFO); then for the interrupt at most
	// PL011_CONSOLE_DRAIN_MAX data reads, and the rest in a second pass
	// without a wait: QEMU would raise no interrupt for bytes left behind.
	std::vector<std::string> want = {"ICR", "ICR"};
	want.insert(want.end(), PL011_CONSOLE_DRAIN_MAX, "DR");
	want.push_back("ICR");
	want.insert(want.end(), 6, "DR");
	EXPECT_EQ(uart_.events, want);
	EXPECT_EQ(irq_.waits, 2u) << "the interrupt's, and the last (closed)";
	EXPECT_EQ(irq_.acks, 1u) << "one acknowledgement per interrupt";
}

TEST_P(Pl011ConsoleTest, BytesWithLineErrorsAreLeftOut)
{
	uart_.Feed("a");
	uart_.FeedRaw('x' | 1u << 8);  // framing error
	uart_.FeedRaw('y' | 1u << 9);  // parity error
	uart_.FeedRaw(0 | 1u << 10);   // break
	uart_.FeedRaw('b' | 1u << 11); // overrun: bytes were lost before, this one is good
	uart_.Feed("c");
	Play({});
	EXPECT_EQ(Read(128), "abc");
	EXPECT_TRUE(uart_.rx.empty()) << "the noise is read out of the FIFO too";
}

TEST_P(Pl011ConsoleTest, AFullRingCountsWhatItDrops)
{
	std::string sent;
	std::deque<std::string> bursts;
	for (uint32_t i = 0; sent.size() < PL011_CONSOLE_RING + 100; i++) {
		std::string burst;
		for (int j = 0; j < 32; j++)
			burst.push_back((char)(' ' + (sent.size() + burst.size()) % 90));
		sent += burst;
		bursts.push_back(burst);
	}
	ASSERT_EQ(sent.size(), PL011_CONSOLE_RING + 128u);
	Play(bursts);
	uint32_t dropped = 0;
	std::string got = Read(128, &dropped);
	EXPECT_EQ(dropped, 128u) << "the newest bytes are lost, the oldest kept";
	while (true) {
		std::string more = Read(128, &dropped);
		EXPECT_EQ(dropped, 0u) << "counted once, by the first Read after";
		if (more.empty())
			break;
		got += more;
	}
	EXPECT_EQ(got, sent.substr(0, PL011_CONSOLE_RING));

	Play({"after"});
	EXPECT_EQ(Read(128, &dropped), "after") << "room again once read";
	EXPECT_EQ(dropped, 0u);
}

TEST_P(Pl011ConsoleTest, ListenersAreNotifiedOfInput)
{
	viper_handle_t a, b;
	ASSERT_EQ(Listen(&a), VIPER_OK);
	ASSERT_EQ(Listen(&b), VIPER_OK);
	EXPECT_NE(a, VIPER_HANDLE_INVALID);
	EXPECT_NE(a, b) << "each call gives a new channel";
	EXPECT_EQ(vc_notified_wait(a, VIPER_TIMEOUT_POLL), VIPER_E_TIMEOUT);
	Play({"k"});
	EXPECT_EQ(vc_notified_wait(a, VIPER_TIMEOUT_POLL), 1);
	EXPECT_EQ(vc_notified_wait(b, VIPER_TIMEOUT_POLL), 1);
	EXPECT_EQ(Read(128), "k");
	Play({""});
	EXPECT_EQ(vc_notified_wait(a, VIPER_TIMEOUT_POLL), VIPER_E_TIMEOUT)
		<< "an interrupt that brought nothing notifies nobody";
}

TEST_P(Pl011ConsoleTest, FourListenersAtMost)
{
	viper_handle_t ready[4], extra = 0;
	for (auto &r : ready)
		ASSERT_EQ(Listen(&r), VIPER_OK);
	EXPECT_EQ(Listen(&extra), VIPER_E_LIMIT);
	EXPECT_EQ(extra, VIPER_HANDLE_INVALID) << "an error carries no handle";
	EXPECT_EQ(viper_host_notify_channels(), 4u);

	// One listener goes away while no input comes: the next Listen finds
	// out (live listeners see a spurious wake-up) and takes its place.
	ASSERT_EQ(vc_handle_close(ready[2]), VIPER_OK);
	ASSERT_EQ(Listen(&extra), VIPER_OK);
	EXPECT_EQ(viper_host_notify_channels(), 4u) << "the old send end was closed";
	EXPECT_EQ(LiveListeners(), 4u);
	EXPECT_EQ(vc_notified_wait(ready[0], VIPER_TIMEOUT_POLL), 1);
	EXPECT_EQ(vc_notified_wait(extra, VIPER_TIMEOUT_POLL), VIPER_E_TIMEOUT);
	Play({"x"});
	EXPECT_EQ(vc_notified_wait(extra, VIPER_TIMEOUT_POLL), 1);
	EXPECT_EQ(Listen(&extra), VIPER_E_LIMIT);
}

TEST_P(Pl011ConsoleTest, AClosedListenerIsDroppedOnInput)
{
	viper_handle_t gone, stays;
	ASSERT_EQ(Listen(&gone), VIPER_OK);
	ASSERT_EQ(Listen(&stays), VIPER_OK);
	ASSERT_EQ(vc_handle_close(gone), VIPER_OK);
	Play({"q"});
	EXPECT_EQ(vc_notified_wait(stays, VIPER_TIMEOUT_POLL), 1);
	EXPECT_EQ(LiveListeners(), 1u);
	EXPECT_EQ(viper_host_notify_channels(), 1u) << "the console closed its send end";
	Play({"r"});
	EXPECT_EQ(vc_notified_wait(stays, VIPER_TIMEOUT_POLL), 1);
	EXPECT_EQ(Read(128), "qr");
}

TEST_P(Pl011ConsoleTest, TheInterruptPathOnItsOwnThread)
{
	viper_handle_t ready;
	ASSERT_EQ(Listen(&ready), VIPER_OK);
	StartRunThread();
	uart_.Feed("hi");
	irq_.Raise();
	ASSERT_EQ(vc_notified_wait(ready, 10ll * 1000 * 1000 * 1000), 1);
	ASSERT_TRUE(irq_.WaitForAcks(1));
	EXPECT_EQ(Read(128), "hi");
	{
		std::lock_guard<std::mutex> lock(uart_.m);
		ASSERT_FALSE(uart_.events.empty());
		EXPECT_EQ(uart_.events[0], "ICR") << "cleared before the FIFO is read";
		EXPECT_EQ(uart_.icr, std::vector<uint32_t>{PL011_INT_RX | PL011_INT_RT});
	}

	uart_.Feed("!");
	irq_.Raise();
	ASSERT_EQ(vc_notified_wait(ready, 10ll * 1000 * 1000 * 1000), 1);
	ASSERT_TRUE(irq_.WaitForAcks(2));
	EXPECT_EQ(Read(128), "!");

	irq_.Close();
	run_thread_.join();
	EXPECT_EQ(run_status_, VIPER_E_CLOSED) << "run ends when its interrupt goes";
	EXPECT_FALSE(irq_.wrong_handle);
}

TEST_P(Pl011ConsoleTest, ReadsRaceInterruptsWithoutLoss)
{
	// One thread types bursts and raises the interrupt; this one reads as
	// the run thread fills the ring, so both ends of the ring move at once.
	// The typist keeps under the ring's size, so nothing may be dropped.
	constexpr uint32_t kTotal = 20000;
	std::mutex progress_lock;
	std::condition_variable progress;
	uint32_t consumed = 0;
	viper_handle_t ready;
	ASSERT_EQ(Listen(&ready), VIPER_OK);
	StartRunThread();
	std::thread typist([&] {
		uint32_t fed = 0;
		while (fed < kTotal) {
			{
				std::unique_lock<std::mutex> lock(progress_lock);
				if (!progress.wait_for(lock, kPatience, [&] {
					    return fed - consumed <= PL011_CONSOLE_RING / 2;
				    }))
					return;
			}
			std::string burst;
			for (uint32_t i = 0; i < 37 && fed < kTotal; i++, fed++)
				burst.push_back((char)(fed % 251));
			uart_.Feed(burst);
			irq_.Raise();
		}
	});
	std::string got;
	uint32_t dropped_total = 0;
	auto deadline = std::chrono::steady_clock::now() + kPatience;
	while (got.size() < kTotal && std::chrono::steady_clock::now() < deadline) {
		uint32_t dropped = 0;
		std::string more = Read(128, &dropped);
		ASSERT_EQ(more.rfind("error", 0), std::string::npos) << more;
		dropped_total += dropped;
		if (more.empty()) {
			(void)vc_notified_wait(ready, 100 * 1000 * 1000);
			continue;
		}
		got += more;
		std::lock_guard<std::mutex> lock(progress_lock);
		consumed = (uint32_t)got.size();
		progress.notify_all();
	}
	typist.join();
	ASSERT_EQ(got.size(), kTotal);
	EXPECT_EQ(dropped_total, 0u);
	for (uint32_t i = 0; i < kTotal; i++)
		ASSERT_EQ((uint8_t)got[i], i % 251) << "byte " << i;
}

INSTANTIATE_TEST_SUITE_P(DirectAndRemote, Pl011ConsoleTest, ::testing::Bool(),
			 [](const ::testing::TestParamInfo<bool> &info) {
				 return info.param ? "Remote" : "Direct";
			 });

} // namespace
