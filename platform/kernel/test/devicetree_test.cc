// Host tests of the device-tree reader and the board information taken from
// it: QEMU's own device trees, hand-built ones, and corrupt ones.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" {
#include <kernel/board.h>
#include <kernel/fdt.h>
}

namespace
{

std::vector<uint8_t> ReadFile(const std::string &path)
{
	std::ifstream f(path, std::ios::binary);
	EXPECT_TRUE(f.good()) << path;
	return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

const char kGicv2Dtb[] = "platform/kernel/qemu_virt_gicv2.dtb";
const char kGicv3Dtb[] = "platform/kernel/qemu_virt_gicv3.dtb";

// Writes flattened device trees, so tests can describe exact shapes,
// including broken ones.
class FdtBuilder
{
      public:
	void Begin(const std::string &name)
	{
		U32(1);
		for (char c : name)
			structure_.push_back((uint8_t)c);
		structure_.push_back(0);
		Pad();
	}
	void End()
	{
		U32(2);
	}
	void Prop(const std::string &name, const std::vector<uint8_t> &value)
	{
		U32(3);
		U32((uint32_t)value.size());
		U32(NameOffset(name));
		structure_.insert(structure_.end(), value.begin(), value.end());
		Pad();
	}
	void PropCells(const std::string &name, const std::vector<uint32_t> &cells)
	{
		std::vector<uint8_t> v;
		for (uint32_t c : cells)
			for (int s = 24; s >= 0; s -= 8)
				v.push_back((uint8_t)(c >> s));
		Prop(name, v);
	}
	void PropString(const std::string &name, const std::string &s)
	{
		std::vector<uint8_t> v(s.begin(), s.end());
		v.push_back(0);
		Prop(name, v);
	}
	void U32(uint32_t v)
	{
		for (int s = 24; s >= 0; s -= 8)
			structure_.push_back((uint8_t)(v >> s));
	}
	std::vector<uint8_t> Finish(bool end_token = true)
	{
		if (end_token)
			U32(9);
		std::vector<uint8_t> out(40, 0);
		uint32_t struct_off = 40 + 16; // header + empty reservation map
		uint32_t strings_off = struct_off + (uint32_t)structure_.size();
		uint32_t total = strings_off + (uint32_t)strings_.size();
		auto put = [&](size_t at, uint32_t v) {
			for (int i = 0; i < 4; i++)
				out[at + i] = (uint8_t)(v >> (24 - 8 * i));
		};
		put(0, 0xd00dfeed);
		put(4, total);
		put(8, struct_off);
		put(12, strings_off);
		put(16, 40);
		put(20, 17);
		put(24, 16);
		put(32, (uint32_t)strings_.size());
		put(36, (uint32_t)structure_.size());
		out.resize(56, 0);
		out.insert(out.end(), structure_.begin(), structure_.end());
		out.insert(out.end(), strings_.begin(), strings_.end());
		return out;
	}

      private:
	void Pad()
	{
		while (structure_.size() % 4)
			structure_.push_back(0);
	}
	uint32_t NameOffset(const std::string &name)
	{
		uint32_t off = (uint32_t)strings_.size();
		strings_.insert(strings_.end(), name.begin(), name.end());
		strings_.push_back(0);
		return off;
	}
	std::vector<uint8_t> structure_;
	std::vector<uint8_t> strings_;
};

// A minimal machine: 64 MiB of RAM, a GICv2, the timer and one UART.
void MinimalMachine(FdtBuilder &b, bool with_memory = true)
{
	b.Begin("");
	b.PropCells("#address-cells", {2});
	b.PropCells("#size-cells", {2});
	if (with_memory) {
		b.Begin("memory@40000000");
		b.PropString("device_type", "memory");
		b.PropCells("reg", {0, 0x40000000, 0, 0x4000000});
		b.End();
	}
	b.Begin("intc@8000000");
	b.PropString("compatible", "arm,cortex-a15-gic");
	b.PropCells("reg", {0, 0x8000000, 0, 0x10000, 0, 0x8010000, 0, 0x10000});
	b.End();
	b.Begin("timer");
	b.PropString("compatible", "arm,armv8-timer");
	b.PropCells("interrupts", {1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4});
	b.End();
	b.Begin("chosen");
	b.PropString("bootargs", "console=pl011 quiet");
	b.End();
	b.Begin("pl011@9000000");
	b.PropString("compatible", "arm,pl011");
	b.PropCells("reg", {0, 0x9000000, 0, 0x1000});
	b.PropCells("interrupts", {0, 1, 4});
	b.End();
	b.End();
}

TEST(DeviceTree, QemuVirtGicv2)
{
	std::vector<uint8_t> dtb = ReadFile(kGicv2Dtb);
	board_info b;
	ASSERT_EQ(board_from_fdt(dtb.data(), dtb.size(), &b), VIPER_OK);
	ASSERT_EQ(b.memory_count, 1u);
	EXPECT_EQ(b.memory[0].base, 0x40000000u);
	EXPECT_EQ(b.memory[0].size, 128u << 20);
	EXPECT_EQ(board_memory_size(&b), 128u << 20);
	EXPECT_EQ(b.gic_version, 2u);
	EXPECT_EQ(b.gicd_base, 0x08000000u);
	EXPECT_EQ(b.gicc_base, 0x08010000u);
	EXPECT_EQ(b.timer_virt_irq, 27u);
	EXPECT_EQ(b.timer_phys_irq, 30u);
	EXPECT_EQ(b.psci, PSCI_HVC);
	EXPECT_EQ(b.cpu_count, 1u);
	EXPECT_STREQ(b.bootargs, "");
	const board_device *uart = board_find_device(&b, DEVICE_UART_PL011);
	ASSERT_NE(uart, nullptr);
	EXPECT_EQ(uart->base, 0x09000000u);
	EXPECT_EQ(uart->irq, 33u);
	const board_device *rtc = board_find_device(&b, DEVICE_RTC_PL031);
	ASSERT_NE(rtc, nullptr);
	EXPECT_EQ(rtc->irq, 34u);
	unsigned virtio = 0;
	for (unsigned i = 0; i < b.device_count; i++) {
		virtio += b.devices[i].kind == DEVICE_VIRTIO_MMIO;
		if (i > 0) {
			EXPECT_LT(b.devices[i - 1].base, b.devices[i].base) << "sorted by address";
		}
	}
	EXPECT_EQ(virtio, 32u);
	EXPECT_EQ(b.devices_dropped, 0u);
}

TEST(DeviceTree, QemuVirtGicv3TwoCpus)
{
	std::vector<uint8_t> dtb = ReadFile(kGicv3Dtb);
	board_info b;
	ASSERT_EQ(board_from_fdt(dtb.data(), dtb.size(), &b), VIPER_OK);
	EXPECT_EQ(b.memory[0].size, 1ull << 30);
	EXPECT_EQ(b.gic_version, 3u);
	EXPECT_EQ(b.gicd_base, 0x08000000u);
	EXPECT_EQ(b.gicr_base, 0x080a0000u);
	EXPECT_GE(b.gicr_size, 2u * 0x20000u);
	EXPECT_EQ(b.cpu_count, 2u);
}

TEST(DeviceTree, HandBuiltMachine)
{
	FdtBuilder builder;
	MinimalMachine(builder);
	std::vector<uint8_t> dtb = builder.Finish();
	board_info b;
	ASSERT_EQ(board_from_fdt(dtb.data(), dtb.size(), &b), VIPER_OK);
	EXPECT_EQ(b.memory[0].size, 64u << 20);
	EXPECT_EQ(b.timer_virt_irq, 27u);
	EXPECT_EQ(b.psci, PSCI_NONE);
	EXPECT_EQ(b.cpu_count, 1u) << "a tree without cpu nodes still has the boot CPU";
	EXPECT_STREQ(b.bootargs, "console=pl011 quiet");
	ASSERT_EQ(b.device_count, 1u);
	EXPECT_EQ(b.devices[0].irq, 33u);
}

TEST(DeviceTree, MissingMemoryIsNotFound)
{
	FdtBuilder builder;
	MinimalMachine(builder, false);
	std::vector<uint8_t> dtb = builder.Finish();
	board_info b;
	EXPECT_EQ(board_from_fdt(dtb.data(), dtb.size(), &b), VIPER_E_NOTFOUND);
}

TEST(DeviceTree, DisabledDevicesAreSkipped)
{
	FdtBuilder builder;
	builder.Begin("");
	builder.Begin("pl011@9040000");
	builder.PropString("compatible", "arm,pl011");
	builder.PropString("status", "disabled");
	builder.PropCells("reg", {0, 0x9040000, 0, 0x1000});
	builder.End();
	builder.End();
	std::vector<uint8_t> dtb = builder.Finish();
	fdt f;
	ASSERT_EQ(fdt_open(&f, dtb.data(), dtb.size()), VIPER_OK);
	board_info b{};
	// board_from_fdt rejects the tree (no memory), but must not list the UART.
	EXPECT_EQ(board_from_fdt(dtb.data(), dtb.size(), &b), VIPER_E_NOTFOUND);
	EXPECT_EQ(b.device_count, 0u);
}

TEST(DeviceTree, RegUsesParentCellCounts)
{
	FdtBuilder builder;
	builder.Begin("");
	builder.PropCells("#address-cells", {1});
	builder.PropCells("#size-cells", {1});
	builder.Begin("memory@80000000");
	builder.PropString("device_type", "memory");
	builder.PropCells("reg", {0x80000000, 0x1000000, 0x90000000, 0x2000000});
	builder.End();
	builder.End();
	std::vector<uint8_t> dtb = builder.Finish();
	board_info b;
	EXPECT_EQ(board_from_fdt(dtb.data(), dtb.size(), &b), VIPER_E_NOTFOUND); // no GIC
	ASSERT_EQ(b.memory_count, 2u);
	EXPECT_EQ(b.memory[1].base, 0x90000000u);
	EXPECT_EQ(b.memory[1].size, 0x2000000u);
}

TEST(DeviceTree, CorruptHeaders)
{
	FdtBuilder builder;
	MinimalMachine(builder);
	std::vector<uint8_t> good = builder.Finish();
	fdt f;
	ASSERT_EQ(fdt_open(&f, good.data(), good.size()), VIPER_OK);

	EXPECT_EQ(fdt_open(&f, nullptr, 100), VIPER_E_CORRUPT);
	EXPECT_EQ(fdt_open(&f, good.data(), 39), VIPER_E_CORRUPT) << "shorter than a header";
	EXPECT_EQ(fdt_open(&f, good.data(), good.size() - 1), VIPER_E_CORRUPT)
		<< "totalsize beyond the buffer";

	auto corrupt = [&](size_t at, uint32_t value) {
		std::vector<uint8_t> bad = good;
		for (int i = 0; i < 4; i++)
			bad[at + i] = (uint8_t)(value >> (24 - 8 * i));
		board_info b;
		return board_from_fdt(bad.data(), bad.size(), &b);
	};
	EXPECT_EQ(corrupt(0, 0xd00dfeee), VIPER_E_CORRUPT) << "magic";
	EXPECT_EQ(corrupt(4, 8), VIPER_E_CORRUPT) << "totalsize below the header";
	EXPECT_EQ(corrupt(8, 0xfffffff0), VIPER_E_CORRUPT) << "structure offset";
	EXPECT_EQ(corrupt(8, 58), VIPER_E_CORRUPT) << "misaligned structure";
	EXPECT_EQ(corrupt(12, 0xffffff00), VIPER_E_CORRUPT) << "strings offset";
	EXPECT_EQ(corrupt(20, 15), VIPER_E_CORRUPT) << "version too old";
	EXPECT_EQ(corrupt(32, 0x7fffffff), VIPER_E_CORRUPT) << "strings size";
	EXPECT_EQ(corrupt(36, 0x7fffffff), VIPER_E_CORRUPT) << "structure size";
}

TEST(DeviceTree, CorruptStructure)
{
	board_info b;
	{
		FdtBuilder builder; // unknown token
		builder.Begin("");
		builder.U32(7);
		builder.End();
		auto dtb = builder.Finish();
		EXPECT_EQ(board_from_fdt(dtb.data(), dtb.size(), &b), VIPER_E_CORRUPT);
	}
	{
		FdtBuilder builder; // no FDT_END: runs off the block
		builder.Begin("");
		builder.End();
		auto dtb = builder.Finish(false);
		EXPECT_EQ(board_from_fdt(dtb.data(), dtb.size(), &b), VIPER_E_CORRUPT);
	}
	{
		FdtBuilder builder; // unbalanced: more ends than begins
		builder.Begin("");
		builder.End();
		builder.End();
		auto dtb = builder.Finish();
		EXPECT_EQ(board_from_fdt(dtb.data(), dtb.size(), &b), VIPER_E_CORRUPT);
	}
	{
		FdtBuilder builder; // node left open
		builder.Begin("");
		auto dtb = builder.Finish();
		EXPECT_EQ(board_from_fdt(dtb.data(), dtb.size(), &b), VIPER_E_CORRUPT);
	}
	{
		FdtBuilder builder; // two roots
		builder.Begin("");
		builder.End();
		builder.Begin("");
		builder.End();
		auto dtb = builder.Finish();
		EXPECT_EQ(board_from_fdt(dtb.data(), dtb.size(), &b), VIPER_E_CORRUPT);
	}
	{
		FdtBuilder builder; // deeper than FDT_MAX_DEPTH
		for (int i = 0; i < FDT_MAX_DEPTH + 1; i++)
			builder.Begin("n");
		for (int i = 0; i < FDT_MAX_DEPTH + 1; i++)
			builder.End();
		auto dtb = builder.Finish();
		EXPECT_EQ(board_from_fdt(dtb.data(), dtb.size(), &b), VIPER_E_CORRUPT);
	}
	{
		FdtBuilder builder; // property longer than the block
		builder.Begin("");
		builder.U32(3);
		builder.U32(0x10000);
		builder.U32(0);
		builder.End();
		auto dtb = builder.Finish();
		EXPECT_EQ(board_from_fdt(dtb.data(), dtb.size(), &b), VIPER_E_CORRUPT);
	}
	{
		FdtBuilder builder; // property name outside the strings block
		builder.Begin("");
		builder.U32(3);
		builder.U32(0);
		builder.U32(0x1000);
		builder.End();
		auto dtb = builder.Finish();
		EXPECT_EQ(board_from_fdt(dtb.data(), dtb.size(), &b), VIPER_E_CORRUPT);
	}
	{
		FdtBuilder builder; // a GIC whose reg is too short for its CPU interface
		builder.Begin("");
		builder.Begin("intc");
		builder.PropString("compatible", "arm,cortex-a15-gic");
		builder.PropCells("reg", {0, 0x8000000, 0, 0x10000});
		builder.End();
		builder.End();
		auto dtb = builder.Finish();
		EXPECT_EQ(board_from_fdt(dtb.data(), dtb.size(), &b), VIPER_E_CORRUPT);
	}
	{
		FdtBuilder builder; // an interrupt specifier of the wrong type
		builder.Begin("");
		builder.Begin("uart");
		builder.PropString("compatible", "arm,pl011");
		builder.PropCells("reg", {0, 0x9000000, 0, 0x1000});
		builder.PropCells("interrupts", {5, 1, 4});
		builder.End();
		builder.End();
		auto dtb = builder.Finish();
		EXPECT_EQ(board_from_fdt(dtb.data(), dtb.size(), &b), VIPER_E_CORRUPT);
	}
}

TEST(DeviceTree, StringListsAreBounded)
{
	const uint8_t list[] = {'a', 0, 'b', 'c', 0};
	fdt_prop p = {list, sizeof(list)};
	EXPECT_TRUE(fdt_prop_has_string(&p, "a"));
	EXPECT_TRUE(fdt_prop_has_string(&p, "bc"));
	EXPECT_FALSE(fdt_prop_has_string(&p, "b"));
	const uint8_t unterminated[] = {'a', 0, 'b', 'c'};
	fdt_prop q = {unterminated, sizeof(unterminated)};
	EXPECT_FALSE(fdt_prop_has_string(&q, "bc"));
	EXPECT_FALSE(fdt_prop_is_string(&q, "a"));
	uint32_t cell;
	EXPECT_EQ(fdt_prop_cell(&q, 1, &cell), VIPER_E_RANGE);
	EXPECT_EQ(fdt_prop_cell(&q, 0, &cell), VIPER_OK);
	EXPECT_EQ(cell, 0x61006263u);
}

// Random damage to a real device tree must give an answer, never a crash or
// a read outside the blob (the blob is copied into an exactly-sized buffer,
// so an overrun shows up under the sanitizers and in valgrind).
TEST(DeviceTree, RandomCorruptionIsContained)
{
	std::vector<uint8_t> dtb = ReadFile(kGicv2Dtb);
	fdt f;
	ASSERT_EQ(fdt_open(&f, dtb.data(), dtb.size()), VIPER_OK);
	dtb.resize(f.size); // only the used part; QEMU pads to 1 MiB
	std::mt19937 rng(1234);
	unsigned rejected = 0;
	for (int round = 0; round < 3000; round++) {
		std::vector<uint8_t> bad = dtb;
		int flips = 1 + (int)(rng() % 4);
		for (int i = 0; i < flips; i++) {
			// Aim at the header and structure block, where damage matters.
			size_t at = rng() % std::min<size_t>(bad.size(), f.strings_off);
			bad[at] = (uint8_t)rng();
		}
		board_info b;
		err_t err = board_from_fdt(bad.data(), bad.size(), &b);
		EXPECT_TRUE(err == VIPER_OK || err == VIPER_E_CORRUPT || err == VIPER_E_NOTFOUND)
			<< err;
		rejected += err != VIPER_OK;
		if (err == VIPER_OK) {
			EXPECT_LE(b.device_count, (unsigned)BOARD_MAX_DEVICES);
			EXPECT_LE(b.memory_count, (unsigned)BOARD_MAX_MEMORY);
		}
	}
	EXPECT_GT(rejected, 0u);
}

} // namespace
