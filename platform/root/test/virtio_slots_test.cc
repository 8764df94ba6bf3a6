// Devices named by kind (platform/root/src/virtio_slots.c) against a fake
// board: what each virtio-mmio slot's registers say, which slots the caller
// holds, and how device grants of a virtio kind find their slot.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <memory>

extern "C" {
#include "root/virtio_slots.h"
}

namespace
{

using Manifest = viper_manifest_Manifest;

constexpr uint64_t kSlot0 = 0x0a000000;
constexpr uint32_t kBlk = 2, kRng = 4;

uint64_t SlotBase(unsigned n)
{
	return kSlot0 + 0x200ull * n;
}

// The registers of each slot by base; a base not listed reads all ones.
struct FakeBoard {
	struct Regs {
		uint32_t magic = VIRTIO_MMIO_MAGIC, version = 1, device_id = 0;
	};
	std::map<uint64_t, Regs> slots;
	std::map<uint64_t, bool> held; // the caller's own slots (absent: held)
	unsigned reads = 0;

	static uint32_t Read(void *context, uint64_t base, uint32_t offset)
	{
		auto *b = static_cast<FakeBoard *>(context);
		auto it = b->slots.find(base);
		b->reads++;
		if (it == b->slots.end())
			return 0xffffffffu;
		switch (offset) {
		case VIRTIO_MMIO_MAGIC_VALUE:
			return it->second.magic;
		case VIRTIO_MMIO_VERSION:
			return it->second.version;
		case VIRTIO_MMIO_DEVICE_ID:
			return it->second.device_id;
		default:
			ADD_FAILURE() << "read of register 0x" << std::hex << offset;
			return 0;
		}
	}
	static bool Mine(void *context, uint64_t base)
	{
		auto *b = static_cast<FakeBoard *>(context);
		auto it = b->held.find(base);
		return it == b->held.end() || it->second;
	}
	// QEMU virt: 32 empty slots; `devices` go into slots 31, 30, ... in order,
	// as QEMU places its -device options.
	static FakeBoard QemuVirt(std::initializer_list<uint32_t> devices)
	{
		FakeBoard b;
		for (unsigned n = 0; n < 32; n++)
			b.slots[SlotBase(n)] = Regs{};
		unsigned n = 31;
		for (uint32_t id : devices)
			b.slots[SlotBase(n--)].device_id = id;
		return b;
	}
};

void SetString(char *dst, size_t size, const char *s)
{
	strncpy(dst, s, size - 1);
	dst[size - 1] = '\0';
}

// The board's 32 slots, highest first (as the assembler lists them), and
// one process "drv" whose instance "io" has the device grants `grants`
// (each a device grant followed by its IRQ grant).
struct Grant {
	uint32_t virtio_id;
	int pinned_slot; // -1: found at boot
};

std::unique_ptr<Manifest> WithGrants(std::initializer_list<Grant> grants)
{
	auto m = std::make_unique<Manifest>();
	memset(m.get(), 0, sizeof(*m));
	m->virtio_slots_count = 32;
	for (unsigned i = 0; i < 32; i++) {
		unsigned n = 31 - i;
		viper_manifest_VirtioSlot *s = &m->virtio_slots[i];
		snprintf(s->name, sizeof(s->name), "virtio%u", n);
		s->base = SlotBase(n);
		s->irq = 48 + n;
	}
	m->processes_count = 1;
	viper_manifest_Process *p = &m->processes[0];
	SetString(p->name, sizeof(p->name), "drv");
	p->instances_count = 1;
	SetString(p->instances[0].name, sizeof(p->instances[0].name), "io");
	for (const Grant &g : grants) {
		viper_manifest_Grant *dev = &p->grants[p->grants_count++];
		viper_manifest_Grant *irq = &p->grants[p->grants_count++];
		dev->kind = viper_manifest_GRANT_DEVICE;
		dev->virtio_id = g.virtio_id;
		irq->kind = viper_manifest_GRANT_IRQ;
		if (g.pinned_slot >= 0) {
			snprintf(dev->device, sizeof(dev->device), "virtio%d", g.pinned_slot);
			dev->device_base = SlotBase((unsigned)g.pinned_slot);
			irq->irq = 48 + (uint32_t)g.pinned_slot;
		}
		p->instances[0].devices[p->instances[0].devices_count++] = p->grants_count - 1;
	}
	return m;
}

struct virtio_slots Probe(const Manifest &m, FakeBoard &b)
{
	struct virtio_slots s = {};
	virtio_slots_probe(&m, FakeBoard::Read, FakeBoard::Mine, &b, &s);
	return s;
}

TEST(VirtioSlotProbeTest, ReadsTheDeviceIdOfAVirtioMmioTransport)
{
	FakeBoard b;
	b.slots[kSlot0] = {VIRTIO_MMIO_MAGIC, 1, kRng};
	b.slots[kSlot0 + 0x200] = {VIRTIO_MMIO_MAGIC, 2, kBlk}; // modern
	b.slots[kSlot0 + 0x400] = {VIRTIO_MMIO_MAGIC, 1, 0};	// empty
	b.slots[kSlot0 + 0x600] = {0x12345678, 1, kBlk};	// no transport
	b.slots[kSlot0 + 0x800] = {VIRTIO_MMIO_MAGIC, 3, kBlk}; // an unknown version
	EXPECT_EQ(virtio_slot_probe(FakeBoard::Read, &b, kSlot0), kRng);
	EXPECT_EQ(virtio_slot_probe(FakeBoard::Read, &b, kSlot0 + 0x200), kBlk);
	EXPECT_EQ(virtio_slot_probe(FakeBoard::Read, &b, kSlot0 + 0x400), 0u);
	EXPECT_EQ(virtio_slot_probe(FakeBoard::Read, &b, kSlot0 + 0x600), 0u);
	EXPECT_EQ(virtio_slot_probe(FakeBoard::Read, &b, kSlot0 + 0x800), 0u);
	EXPECT_EQ(virtio_slot_probe(FakeBoard::Read, &b, 0x09000000), 0u);
}

TEST(VirtioSlotProbeTest, ProbesOnlyTheCallersOwnSlots)
{
	auto m = WithGrants({});
	FakeBoard b = FakeBoard::QemuVirt({kRng, kBlk});
	b.held[SlotBase(31)] = false; // the kernel kept it
	struct virtio_slots s = Probe(*m, b);

	EXPECT_TRUE(s.taken[0]);
	EXPECT_EQ(s.device_id[0], 0u) << "never read";
	EXPECT_FALSE(s.taken[1]);
	EXPECT_EQ(s.device_id[1], kBlk);
	EXPECT_EQ(s.device_id[2], 0u);
	EXPECT_EQ(b.reads, 31u * 3) << "magic, version and ID of each held slot";
}

TEST(VirtioSlotsResolveTest, FindsTheDeviceWhateverTheSlotOrder)
{
	for (bool rng_first : {true, false}) {
		auto m = WithGrants({{kBlk, -1}, {kRng, -1}});
		FakeBoard b = rng_first ? FakeBoard::QemuVirt({kRng, kBlk})
					: FakeBoard::QemuVirt({kBlk, kRng});
		struct virtio_slots s = Probe(*m, b);
		struct virtio_failure why = {};
		viper_manifest_Process *p = &m->processes[0];
		unsigned blk = rng_first ? 30 : 31, rng = rng_first ? 31 : 30;

		ASSERT_EQ(virtio_slots_resolve(m.get(), p, &s, &why), VIPER_OK);
		EXPECT_EQ(p->grants[0].device_base, SlotBase(blk));
		EXPECT_EQ(p->grants[1].irq, 48 + blk);
		EXPECT_EQ(p->grants[1].device_base, SlotBase(blk));
		EXPECT_EQ(std::string(p->grants[0].device), "virtio" + std::to_string(blk));
		EXPECT_EQ(std::string(p->grants[1].device), "virtio" + std::to_string(blk));
		EXPECT_EQ(p->grants[2].device_base, SlotBase(rng));
		EXPECT_EQ(p->grants[3].irq, 48 + rng);
		EXPECT_TRUE(s.taken[31 - blk] && s.taken[31 - rng]);
	}
}

TEST(VirtioSlotsResolveTest, TellsDevicesOfOneKindApartByOrderOfDiscovery)
{
	// Two disks: the first grant gets the first found (the highest slot,
	// QEMU's first -device), the second the next.
	auto m = WithGrants({{kBlk, -1}, {kBlk, -1}});
	FakeBoard b = FakeBoard::QemuVirt({kRng, kBlk, kBlk});
	struct virtio_slots s = Probe(*m, b);
	struct virtio_failure why = {};
	viper_manifest_Process *p = &m->processes[0];

	ASSERT_EQ(virtio_slots_resolve(m.get(), p, &s, &why), VIPER_OK);
	EXPECT_EQ(p->grants[0].device_base, SlotBase(30));
	EXPECT_EQ(p->grants[2].device_base, SlotBase(29));
}

TEST(VirtioSlotsResolveTest, SaysWhichGrantFindsNoDevice)
{
	auto m = WithGrants({{kRng, -1}, {kBlk, -1}, {kBlk, -1}});
	FakeBoard b = FakeBoard::QemuVirt({kBlk, kRng});
	struct virtio_slots s = Probe(*m, b);
	struct virtio_failure why = {};
	viper_manifest_Process *p = &m->processes[0];

	EXPECT_EQ(virtio_slots_resolve(m.get(), p, &s, &why), VIPER_E_NOTFOUND);
	EXPECT_EQ(why.problem, VIRTIO_NONE_FREE);
	EXPECT_EQ(why.grant, 5u);
	EXPECT_STREQ(why.instance, "io");
	EXPECT_EQ(why.wanted, kBlk);
	EXPECT_EQ(p->grants[0].device_base, SlotBase(30)) << "earlier grants stay resolved";
	EXPECT_EQ(p->grants[4].device_base, 0u);
	EXPECT_EQ(p->grants[5].irq, 0u);
}

TEST(VirtioSlotsResolveTest, NeverTakesASlotSomeoneElseHasOrPins)
{
	auto kernel = WithGrants({{kBlk, 30}});
	auto m = WithGrants({{kBlk, -1}});
	FakeBoard b = FakeBoard::QemuVirt({kBlk, kBlk, kBlk});
	b.held[SlotBase(31)] = false; // a kernel-placed driver has it
	struct virtio_slots s = Probe(*m, b);
	struct virtio_failure why = {};

	// Another process pins slot 30, a raw virtio-mmio grant (no ID) slot 29.
	ASSERT_EQ(virtio_slots_claim(m.get(), &kernel->processes[0], &s, &why), VIPER_OK);
	auto raw = WithGrants({{0, 29}});
	ASSERT_EQ(virtio_slots_claim(m.get(), &raw->processes[0], &s, &why), VIPER_OK);
	EXPECT_EQ(virtio_slots_resolve(m.get(), &m->processes[0], &s, &why), VIPER_E_NOTFOUND);
	EXPECT_EQ(why.problem, VIRTIO_NONE_FREE);
}

TEST(VirtioSlotsClaimTest, ChecksWhatAPinnedSlotHolds)
{
	FakeBoard b = FakeBoard::QemuVirt({kRng, kBlk});
	struct virtio_failure why = {};

	auto ok = WithGrants({{kBlk, 30}, {kRng, 31}});
	struct virtio_slots s = Probe(*ok, b);
	EXPECT_EQ(virtio_slots_claim(ok.get(), &ok->processes[0], &s, &why), VIPER_OK);
	EXPECT_TRUE(s.taken[0] && s.taken[1]);
	EXPECT_EQ(ok->processes[0].grants[0].device_base, SlotBase(30)) << "left as it was";

	auto other = WithGrants({{kBlk, 31}});
	s = Probe(*other, b);
	EXPECT_EQ(virtio_slots_claim(other.get(), &other->processes[0], &s, &why),
		  VIPER_E_NOTFOUND);
	EXPECT_EQ(why.problem, VIRTIO_PINNED_OTHER);
	EXPECT_STREQ(why.slot, "virtio31");
	EXPECT_EQ(why.found, kRng);
	EXPECT_EQ(why.wanted, kBlk);
	EXPECT_EQ(why.grant, 1u);

	auto empty = WithGrants({{kBlk, 5}});
	s = Probe(*empty, b);
	EXPECT_EQ(virtio_slots_claim(empty.get(), &empty->processes[0], &s, &why),
		  VIPER_E_NOTFOUND);
	EXPECT_EQ(why.problem, VIRTIO_PINNED_OTHER) << "an empty slot holds no virtio-blk";
	EXPECT_EQ(why.found, 0u);

	auto twice = WithGrants({{kBlk, 30}, {kBlk, 30}});
	s = Probe(*twice, b);
	EXPECT_EQ(virtio_slots_claim(twice.get(), &twice->processes[0], &s, &why),
		  VIPER_E_NOTFOUND);
	EXPECT_EQ(why.problem, VIRTIO_PINNED_TAKEN);
	EXPECT_EQ(why.grant, 3u);
}

TEST(VirtioSlotsClaimTest, LeavesOtherDevicesAlone)
{
	FakeBoard b = FakeBoard::QemuVirt({kRng});
	struct virtio_failure why = {};
	auto m = WithGrants({{0, -1}});
	viper_manifest_Process *p = &m->processes[0];
	struct virtio_slots s = Probe(*m, b);

	p->grants[0].device_base = 0x09000000; // the UART: no virtio slot
	EXPECT_EQ(virtio_slots_claim(m.get(), p, &s, &why), VIPER_OK);
	EXPECT_EQ(virtio_slots_resolve(m.get(), p, &s, &why), VIPER_OK);
	EXPECT_EQ(p->grants[0].device_base, 0x09000000u);
	p->grants[0].virtio_id = kRng; // but a virtio kind must be in a slot
	EXPECT_EQ(virtio_slots_claim(m.get(), p, &s, &why), VIPER_E_NOTFOUND);
	EXPECT_EQ(why.problem, VIRTIO_NOT_A_SLOT);
}

TEST(VirtioFailureTextTest, SaysWhatWentWrongInOneLine)
{
	char text[192];
	struct virtio_failure why = {VIRTIO_NONE_FREE, 1, "io", kBlk, "", 0};

	virtio_failure_text(&why, text, sizeof(text));
	EXPECT_STREQ(text, "instance 'io' needs a virtio-blk device (virtio id 2), but no free "
			   "virtio-mmio slot holds one");
	why = {VIRTIO_PINNED_OTHER, 1, "io", kBlk, "virtio31", kRng};
	virtio_failure_text(&why, text, sizeof(text));
	EXPECT_STREQ(text, "instance 'io' is granted virtio31 for a virtio-blk device (virtio id "
			   "2), but virtio31 holds virtio id 4 (virtio-rng)");
	why.found = 0;
	virtio_failure_text(&why, text, sizeof(text));
	EXPECT_STREQ(text, "instance 'io' is granted virtio31 for a virtio-blk device (virtio id "
			   "2), but virtio31 holds no device");
	why = {VIRTIO_PINNED_TAKEN, 1, "io", 0, "virtio30", 0};
	virtio_failure_text(&why, text, sizeof(text));
	EXPECT_STREQ(text, "instance 'io' is granted virtio30, which is already another "
			   "instance's or the kernel's");
	why = {VIRTIO_NOT_A_SLOT, 1, "io", kRng, "uart0", 0};
	virtio_failure_text(&why, text, sizeof(text));
	EXPECT_STREQ(text, "instance 'io' is granted uart0 for a virtio-rng device (virtio id 4), "
			   "but that is no virtio-mmio slot of the board");
	why = {VIRTIO_NONE_FREE, 1, "io", 4000000000u, "", 0};
	char small[24];
	virtio_failure_text(&why, small, sizeof(small));
	EXPECT_STREQ(small, "instance 'io' needs a v") << "cut, and terminated";
	virtio_failure_text(&why, text, sizeof(text));
	EXPECT_NE(std::string(text).find("(virtio id 4000000000)"), std::string::npos) << text;
}

TEST(VirtioKindNameTest, NamesTheKindsComponentsUse)
{
	EXPECT_STREQ(virtio_kind_name(1), "virtio-net");
	EXPECT_STREQ(virtio_kind_name(2), "virtio-blk");
	EXPECT_STREQ(virtio_kind_name(4), "virtio-rng");
	EXPECT_STREQ(virtio_kind_name(18), "virtio-input");
	EXPECT_STREQ(virtio_kind_name(99), "virtio");
}

} // namespace
