// Host tests of the ELF image checker: a valid image, each way of breaking
// one, random corruption, and images read through a reader (as the kernel
// reads one from a memory object another process may write).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <random>
#include <utility>
#include <vector>

extern "C" {
#include <kernel/elf.h>
}

namespace
{

constexpr uint16_t kEtExec = 2, kEtRel = 1, kEtDyn = 3, kEmAarch64 = 183, kEmX86_64 = 62;
constexpr uint32_t kPtLoad = 1, kPtNote = 4, kPtGnuStack = 0x6474e551;
constexpr uint32_t kPfX = 1, kPfW = 2, kPfR = 4;
constexpr uint64_t kPage = 4096;
// Where the kernel puts the top of a program's image (USER_MAP_BASE).
constexpr uint64_t kUserTop = 0x0000100000000000ull;

struct Ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
static_assert(sizeof(Ehdr) == 64, "ELF64 header");

struct Phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};
static_assert(sizeof(Phdr) == 56, "ELF64 program header");

// Offsets of header fields, to break serialized images.
constexpr size_t kOffType = offsetof(Ehdr, type), kOffMachine = offsetof(Ehdr, machine),
		 kOffPhoff = offsetof(Ehdr, phoff), kOffPhentsize = offsetof(Ehdr, phentsize),
		 kOffPhnum = offsetof(Ehdr, phnum);

// An image being built: the header, program headers (written at phoff) and
// the file size.
struct Image {
	Ehdr eh;
	std::vector<Phdr> ph;
	uint64_t size;

	std::vector<uint8_t> Bytes() const
	{
		Ehdr h = eh;
		h.phnum = (uint16_t)ph.size();
		uint64_t end = h.phoff + ph.size() * sizeof(Phdr);
		std::vector<uint8_t> b(std::max<uint64_t>(size, end));
		// Recognisable contents, so a mis-set offset shows.
		for (size_t i = 0; i < b.size(); i++)
			b[i] = (uint8_t)(i * 7 + 3);
		memcpy(b.data(), &h, sizeof(h));
		for (size_t i = 0; i < ph.size(); i++)
			memcpy(b.data() + h.phoff + i * sizeof(Phdr), &ph[i], sizeof(Phdr));
		return b;
	}
};

Phdr Load(uint32_t flags, uint64_t offset, uint64_t vaddr, uint64_t filesz, uint64_t memsz)
{
	return Phdr{kPtLoad, flags, offset, vaddr, vaddr, filesz, memsz, kPage};
}

// Text (RX) holding the headers and the entry; data (RW) with a tail of
// zeroed memory, starting mid-page.
Image Valid()
{
	Image img;
	memset(&img.eh, 0, sizeof(img.eh));
	memcpy(img.eh.ident, "\177ELF", 4);
	img.eh.ident[4] = 2; // ELFCLASS64
	img.eh.ident[5] = 1; // little endian
	img.eh.ident[6] = 1; // EV_CURRENT
	img.eh.type = kEtExec;
	img.eh.machine = kEmAarch64;
	img.eh.version = 1;
	img.eh.entry = 0x400100;
	img.eh.phoff = sizeof(Ehdr);
	img.eh.ehsize = sizeof(Ehdr);
	img.eh.phentsize = sizeof(Phdr);
	img.ph = {
		Load(kPfR | kPfX, 0, 0x400000, 0x1800, 0x1800),
		Load(kPfR | kPfW, 0x2010, 0x403010, 0x100, 0x2000),
	};
	img.size = 0x2110;
	return img;
}

// A file offset that agrees with `vaddr` modulo the page size (as the
// alignment check wants) and lies inside Valid()'s file.
uint64_t CongruentOffset(uint64_t vaddr)
{
	return 0x1000 | (vaddr & (kPage - 1));
}

template <typename T> void Poke(std::vector<uint8_t> &b, size_t offset, T value)
{
	memcpy(b.data() + offset, &value, sizeof(value));
}

err_t Parse(const std::vector<uint8_t> &b, struct elf_image *out, uint64_t top = kUserTop)
{
	return elf_parse(b.data(), b.size(), top, out);
}

err_t Parse(const Image &img, uint64_t top = kUserTop)
{
	struct elf_image out;
	return Parse(img.Bytes(), &out, top);
}

TEST(Elf, ValidImage)
{
	std::vector<uint8_t> b = Valid().Bytes();
	ASSERT_EQ(b.size(), 0x2110u);
	struct elf_image out;
	memset(&out, 0xcc, sizeof(out));
	ASSERT_EQ(Parse(b, &out), VIPER_OK);
	EXPECT_EQ(out.entry, 0x400100u);
	ASSERT_EQ(out.count, 2u);
	const struct elf_segment &text = out.segments[0];
	EXPECT_EQ(text.vaddr, 0x400000u);
	EXPECT_EQ(text.mem_size, 0x2000u);
	EXPECT_EQ(text.file_offset, 0u);
	EXPECT_EQ(text.file_size, 0x1800u);
	EXPECT_EQ(text.data_vaddr, 0x400000u);
	EXPECT_EQ(text.prot, (unsigned)(VIPER_PROT_READ | VIPER_PROT_EXEC));
	const struct elf_segment &data = out.segments[1];
	EXPECT_EQ(data.vaddr, 0x403000u);
	EXPECT_EQ(data.mem_size, 0x3000u); // 0x403010 + 0x2000 rounds up to 0x406000
	EXPECT_EQ(data.file_offset, 0x2010u);
	EXPECT_EQ(data.file_size, 0x100u);
	EXPECT_EQ(data.data_vaddr, 0x403010u);
	EXPECT_EQ(data.prot, (unsigned)(VIPER_PROT_READ | VIPER_PROT_WRITE));
	// The same against the whole user address space.
	EXPECT_EQ(Parse(b, &out, VIPER_USER_TOP), VIPER_OK);
	EXPECT_EQ(out.count, 2u);
}

TEST(Elf, ProtectionBits)
{
	const struct {
		uint32_t flags;
		unsigned prot;
	} cases[] = {
		{0, 0},
		{kPfR, VIPER_PROT_READ},
		{kPfW, VIPER_PROT_WRITE},
		{kPfR | kPfW, VIPER_PROT_READ | VIPER_PROT_WRITE},
		{kPfX, VIPER_PROT_EXEC},
		{kPfR | kPfX, VIPER_PROT_READ | VIPER_PROT_EXEC},
		{kPfR | 0xf0000000u, VIPER_PROT_READ}, // processor-specific bits ignored
	};
	for (const auto &c : cases) {
		Image img = Valid();
		img.ph[1].flags = c.flags;
		struct elf_image out;
		ASSERT_EQ(Parse(img.Bytes(), &out), VIPER_OK) << c.flags;
		EXPECT_EQ(out.segments[1].prot, c.prot) << c.flags;
	}
}

TEST(Elf, PageAlignedSegmentsAndZeroFileSize)
{
	Image img = Valid();
	img.ph[1] = Load(kPfR | kPfW, 0x2000, 0x402000, 0, 0x1000); // all bss
	struct elf_image out;
	ASSERT_EQ(Parse(img.Bytes(), &out), VIPER_OK);
	EXPECT_EQ(out.segments[1].vaddr, 0x402000u);
	EXPECT_EQ(out.segments[1].mem_size, 0x1000u);
	EXPECT_EQ(out.segments[1].file_size, 0u);
	// A segment may end exactly at the end of the file, and at user_top.
	img.ph[1] = Load(kPfR, img.size - 0x110, kUserTop - kPage, 0x110, kPage);
	ASSERT_EQ(Parse(img.Bytes(), &out), VIPER_OK);
	EXPECT_EQ(out.segments[1].vaddr, kUserTop - kPage);
	EXPECT_EQ(out.segments[1].mem_size, kPage);
	// And start at the second page of the address space.
	img.ph[1] = Load(kPfR, 0, kPage, 0x10, 0x10);
	EXPECT_EQ(Parse(img), VIPER_OK);
}

TEST(Elf, OtherProgramHeadersAreIgnored)
{
	Image img = Valid();
	// Non-loadable entries and empty loads, with nonsense in them.
	img.ph.insert(img.ph.begin(), Phdr{kPtNote, kPfW | kPfX, ~0ull, 0, 0, ~0ull, ~0ull, 0});
	img.ph.push_back(Phdr{kPtGnuStack, kPfR | kPfW, 0, 0, 0, 0, 0, 16});
	img.ph.push_back(Phdr{kPtLoad, kPfW | kPfX, ~0ull, 0, 0, ~0ull, 0, 0}); // memsz 0
	struct elf_image out;
	ASSERT_EQ(Parse(img.Bytes(), &out), VIPER_OK);
	EXPECT_EQ(out.count, 2u);
	EXPECT_EQ(out.segments[0].vaddr, 0x400000u);
	EXPECT_EQ(out.segments[1].vaddr, 0x403000u);
}

TEST(Elf, ProgramHeadersAnywhereInTheFile)
{
	Image img = Valid();
	img.eh.phoff = 0x1000;
	img.size = 0x2110;
	struct elf_image out;
	ASSERT_EQ(Parse(img.Bytes(), &out), VIPER_OK);
	EXPECT_EQ(out.count, 2u);
	// Ending exactly at the end of the file.
	img.eh.phoff = 0x2110 - 2 * sizeof(Phdr);
	EXPECT_EQ(Parse(img), VIPER_OK);
}

TEST(Elf, ShortFile)
{
	std::vector<uint8_t> b = Valid().Bytes();
	struct elf_image out;
	for (uint64_t size : {0ul, 1ul, 4ul, 16ul, 63ul})
		EXPECT_EQ(elf_parse(b.data(), size, kUserTop, &out), VIPER_E_CORRUPT) << size;
	// Headers that fit but segments that do not.
	EXPECT_EQ(elf_parse(b.data(), 64, kUserTop, &out), VIPER_E_CORRUPT);
	EXPECT_EQ(elf_parse(b.data(), 64 + 56, kUserTop, &out), VIPER_E_CORRUPT);
	EXPECT_EQ(elf_parse(b.data(), 0x2110 - 1, kUserTop, &out), VIPER_E_CORRUPT);
}

TEST(Elf, BadIdentification)
{
	for (size_t i = 0; i < 4; i++) {
		std::vector<uint8_t> b = Valid().Bytes();
		b[i] ^= 0x20;
		struct elf_image out;
		EXPECT_EQ(Parse(b, &out), VIPER_E_CORRUPT) << "magic byte " << i;
	}
	for (uint8_t cls : {0, 1, 3}) {
		std::vector<uint8_t> b = Valid().Bytes();
		b[4] = cls; // 1: 32-bit
		struct elf_image out;
		EXPECT_EQ(Parse(b, &out), VIPER_E_CORRUPT) << "class " << (int)cls;
	}
	for (uint8_t data : {0, 2, 3}) {
		std::vector<uint8_t> b = Valid().Bytes();
		b[5] = data; // 2: big endian
		struct elf_image out;
		EXPECT_EQ(Parse(b, &out), VIPER_E_CORRUPT) << "data " << (int)data;
	}
}

TEST(Elf, OtherKindsOfElfAreUnsupported)
{
	struct elf_image out;
	for (uint16_t machine : {kEmX86_64, (uint16_t)0, (uint16_t)40 /* ARM */}) {
		std::vector<uint8_t> b = Valid().Bytes();
		Poke<uint16_t>(b, kOffMachine, machine);
		EXPECT_EQ(Parse(b, &out), VIPER_E_UNSUPPORTED) << machine;
	}
	for (uint16_t type : {kEtDyn, kEtRel, (uint16_t)0, (uint16_t)4}) {
		std::vector<uint8_t> b = Valid().Bytes();
		Poke<uint16_t>(b, kOffType, type);
		EXPECT_EQ(Parse(b, &out), VIPER_E_UNSUPPORTED) << type;
	}
}

TEST(Elf, BadProgramHeaderTable)
{
	struct elf_image out;
	const uint64_t size = Valid().Bytes().size();
	for (uint16_t entsize : {0, 32, 55, 57, 64}) {
		std::vector<uint8_t> b = Valid().Bytes();
		Poke<uint16_t>(b, kOffPhentsize, entsize);
		EXPECT_EQ(Parse(b, &out), VIPER_E_CORRUPT) << "phentsize " << entsize;
	}
	const uint64_t phoffs[] = {size,	 size + 1,	size - 1,	  size - 56,
				   ~uint64_t{0}, ~uint64_t{55}, uint64_t{1} << 63};
	for (uint64_t phoff : phoffs) {
		std::vector<uint8_t> b = Valid().Bytes();
		Poke<uint64_t>(b, kOffPhoff, phoff);
		EXPECT_EQ(Parse(b, &out), VIPER_E_CORRUPT) << "phoff " << phoff;
	}
	for (uint16_t phnum : {0, 1000, 0xffff}) {
		std::vector<uint8_t> b = Valid().Bytes();
		Poke<uint16_t>(b, kOffPhnum, phnum);
		EXPECT_EQ(Parse(b, &out), VIPER_E_CORRUPT) << "phnum " << phnum;
	}
	// The table runs past the end of the file by one byte.
	std::vector<uint8_t> b = Valid().Bytes();
	Poke<uint64_t>(b, kOffPhoff, size - 2 * sizeof(Phdr) + 1);
	EXPECT_EQ(Parse(b, &out), VIPER_E_CORRUPT);
}

TEST(Elf, WritableAndExecutableSegment)
{
	Image img = Valid();
	img.ph[0].flags = kPfR | kPfW | kPfX;
	EXPECT_EQ(Parse(img), VIPER_E_CORRUPT);
	img = Valid();
	img.ph[1].flags = kPfW | kPfX;
	EXPECT_EQ(Parse(img), VIPER_E_CORRUPT);
}

TEST(Elf, FileSizeAboveMemorySize)
{
	Image img = Valid();
	img.ph[1].filesz = img.ph[1].memsz + 1;
	img.size = 0x10000;
	EXPECT_EQ(Parse(img), VIPER_E_CORRUPT);
}

TEST(Elf, SegmentBytesOutsideTheFile)
{
	const uint64_t size = Valid().size;
	const struct {
		uint64_t offset, filesz;
	} cases[] =
		{
			{size - 0x10, 0x20}, {size - 0xff, 0x100},  {size, 1},
			{size + 1, 0},	     {size + 0x1000, 0x10}, {~0ull, 0x10},
			{~0ull - 0x7, 0x10}, // offset + filesz wraps around
			{0x10, ~0ull - 0x8},
		};
	for (const auto &c : cases) {
		Image img = Valid();
		img.ph[1].offset = c.offset;
		img.ph[1].vaddr = 0x403000 + (c.offset & (kPage - 1)); // aligned as the offset
		img.ph[1].filesz = c.filesz;
		img.ph[1].memsz = std::max<uint64_t>(c.filesz, 0x2000); // filesz <= memsz
		EXPECT_EQ(Parse(img), VIPER_E_CORRUPT) << std::hex << c.offset << " " << c.filesz;
	}
	// Even when user space is as large as can be, so that no address check
	// catches a file size whose end wraps around.
	Image img = Valid();
	img.ph = {Load(kPfR | kPfX, 0x2000, 0x1000, ~uint64_t{0} - 0x1000, ~uint64_t{0} - 0x1000)};
	img.eh.entry = 0x1000;
	EXPECT_EQ(Parse(img, ~uint64_t{0}), VIPER_E_CORRUPT);
	img.ph[0].filesz = img.ph[0].memsz = 0x10;
	EXPECT_EQ(Parse(img, ~uint64_t{0}), VIPER_OK); // the same with sane sizes
}

TEST(Elf, SegmentsOutsideUserSpace)
{
	const struct {
		uint64_t vaddr, memsz;
	} cases[] = {
		{0, 0x100},		       // the first page is never mapped
		{0x10, 0x100},		       //
		{kPage - 1, 0x100},	       //
		{kUserTop, 0x1000},	       // at the top
		{kUserTop - 0x1000, 0x1001},   // across the top
		{kUserTop + 0x100000, 0x10},   // above it
		{VIPER_USER_TOP, 0x1000},      //
		{0xffff000000000000ull, 0x10}, // kernel addresses
		{0x500000, ~0ull - 0x1000},    // vaddr + memsz wraps around
		{0x500000, ~0ull},	       //
		{~0ull - 0xfff, 0x2000},       //
	};
	for (const auto &c : cases) {
		Image img = Valid();
		img.ph[1].vaddr = c.vaddr;
		img.ph[1].offset = CongruentOffset(c.vaddr);
		img.ph[1].memsz = c.memsz;
		img.ph[1].filesz = 0;
		EXPECT_EQ(Parse(img), VIPER_E_CORRUPT) << std::hex << c.vaddr << " " << c.memsz;
	}
	// A smaller user_top is respected too.
	EXPECT_EQ(Parse(Valid(), 0x404000), VIPER_E_CORRUPT);
	EXPECT_EQ(Parse(Valid(), 0x405000), VIPER_E_CORRUPT);
	EXPECT_EQ(Parse(Valid(), 0x406000), VIPER_OK);
}

TEST(Elf, SegmentsSharingAPage)
{
	const struct {
		uint64_t vaddr, memsz;
	} cases[] = {
		{0x401800, 0x100},    // right after text, in its last page
		{0x401fff, 0x100},    //
		{0x3ff000, 0x1001},   // ending in text's first page
		{0x3fffff, 0x2},      //
		{0x400000, 0x1800},   // the same range
		{0x300000, 0x200000}, // around it
	};
	for (const auto &c : cases) {
		Image img = Valid();
		img.ph[1].vaddr = c.vaddr;
		img.ph[1].offset = CongruentOffset(c.vaddr);
		img.ph[1].memsz = c.memsz;
		img.ph[1].filesz = 0;
		EXPECT_EQ(Parse(img), VIPER_E_CORRUPT) << std::hex << c.vaddr << " " << c.memsz;
		// In either order.
		std::swap(img.ph[0], img.ph[1]);
		EXPECT_EQ(Parse(img), VIPER_E_CORRUPT) << std::hex << c.vaddr << " " << c.memsz;
	}
	// Adjacent pages are fine.
	Image img = Valid();
	img.ph[1].vaddr = 0x402000;
	img.ph[1].offset = 0x2000;
	EXPECT_EQ(Parse(img), VIPER_OK);
	img.ph[1].vaddr = 0x3fe000;
	img.ph[1].memsz = 0x2000;
	EXPECT_EQ(Parse(img), VIPER_OK);
}

TEST(Elf, SegmentCountLimit)
{
	Image img = Valid();
	img.ph.resize(1);
	for (unsigned i = 1; i < ELF_MAX_SEGMENTS; i++)
		img.ph.push_back(Load(kPfR, 0x2000, 0x500000 + i * 0x10000, 0x10, 0x10));
	img.size = 0x3000;
	struct elf_image out;
	ASSERT_EQ(Parse(img.Bytes(), &out), VIPER_OK);
	EXPECT_EQ(out.count, (unsigned)ELF_MAX_SEGMENTS);
	for (unsigned i = 1; i < ELF_MAX_SEGMENTS; i++)
		EXPECT_EQ(out.segments[i].vaddr, 0x500000 + i * 0x10000);
	img.ph.push_back(Load(kPfR, 0x2000, 0x600000, 0x10, 0x10));
	EXPECT_EQ(Parse(img), VIPER_E_CORRUPT);
	// Entries that load nothing do not count.
	img.ph.back().memsz = 0;
	img.ph.back().filesz = 0;
	EXPECT_EQ(Parse(img), VIPER_OK);
}

TEST(Elf, EntryMustBeInAnExecutableSegment)
{
	for (uint64_t entry : {0x0ull, 0x3ffffcull, 0x401800ull, 0x401900ull, 0x403010ull,
			       0x403100ull, 0x404000ull, ~0ull - 3}) {
		Image img = Valid();
		img.eh.entry = entry;
		EXPECT_EQ(Parse(img), VIPER_E_CORRUPT) << std::hex << entry;
	}
	// Instructions are 4-byte aligned: so must the entry point be.
	for (uint64_t entry : {0x400001ull, 0x400102ull, 0x4017ffull}) {
		Image img = Valid();
		img.eh.entry = entry;
		EXPECT_EQ(Parse(img), VIPER_E_CORRUPT) << std::hex << entry;
	}
	for (uint64_t entry : {0x400000ull, 0x4017fcull}) {
		Image img = Valid();
		img.eh.entry = entry;
		EXPECT_EQ(Parse(img), VIPER_OK) << std::hex << entry;
	}
	// Executable segments without R still count; a non-executable one never does.
	Image img = Valid();
	img.ph[0].flags = kPfX;
	EXPECT_EQ(Parse(img), VIPER_OK);
	img.ph[0].flags = kPfR;
	EXPECT_EQ(Parse(img), VIPER_E_CORRUPT);
}

TEST(Elf, NothingToLoad)
{
	Image img = Valid();
	img.ph[0].type = kPtNote;
	img.ph[1].type = kPtGnuStack;
	EXPECT_EQ(Parse(img), VIPER_E_CORRUPT);
	img = Valid();
	img.ph[0].memsz = img.ph[0].filesz = 0;
	img.ph[1].memsz = img.ph[1].filesz = 0;
	EXPECT_EQ(Parse(img), VIPER_E_CORRUPT);
	img = Valid();
	img.ph.clear();
	EXPECT_EQ(Parse(img), VIPER_E_CORRUPT);
}

TEST(Elf, ProgramHeaderCountLimit)
{
	// Up to ELF_MAX_PROGRAM_HEADERS entries, however few of them load.
	Image img = Valid();
	while (img.ph.size() < ELF_MAX_PROGRAM_HEADERS)
		img.ph.push_back(Phdr{kPtNote, 0, 0, 0, 0, 0, 0, 4});
	img.size = 0x10000;
	EXPECT_EQ(Parse(img), VIPER_OK);
	img.ph.push_back(Phdr{kPtNote, 0, 0, 0, 0, 0, 0, 4});
	EXPECT_EQ(Parse(img), VIPER_E_CORRUPT);
}

TEST(Elf, MisalignedSegments)
{
	// The address and the file offset must agree modulo the alignment...
	for (uint64_t offset : {0x2011ull, 0x2000ull, 0x3010ull - 4, 0x2018ull}) {
		Image img = Valid();
		img.ph[1].offset = offset;
		img.size = 0x4000;
		EXPECT_EQ(Parse(img), VIPER_E_CORRUPT) << std::hex << offset;
	}
	// ...which must be a power of two.
	for (uint64_t align : {3ull, 0x1800ull, 0x1001ull, ~0ull}) {
		Image img = Valid();
		img.ph[1].align = align;
		EXPECT_EQ(Parse(img), VIPER_E_CORRUPT) << std::hex << align;
	}
	// 0 and 1 ask for no alignment; larger powers of two are fine when they agree.
	for (uint64_t align : {0ull, 1ull, 0x10ull, 0x1000ull, 0x10000ull, 1ull << 63}) {
		Image img = Valid();
		img.ph[0].align = align;
		EXPECT_EQ(Parse(img), align <= 0x10000 ? VIPER_OK : VIPER_E_CORRUPT) << align;
	}
	Image img = Valid();
	img.ph[1].align = 0;
	img.ph[1].offset = 0x2011;
	img.size = 0x4000;
	EXPECT_EQ(Parse(img), VIPER_OK); // no alignment asked, none checked
	img.ph[1].align = 0x10000;
	EXPECT_EQ(Parse(img), VIPER_E_CORRUPT);
}

// Reads an image like the kernel's memory-object reader, counting every
// byte range it is asked for, and failing from read number `fail_at` on.
struct CountingReader {
	const std::vector<uint8_t> *bytes;
	int reads = 0;
	int fail_at = -1;
	std::map<std::pair<uint64_t, uint64_t>, int> ranges;

	static bool Read(const void *ctx, uint64_t offset, void *buf, uint64_t len)
	{
		auto *self = const_cast<CountingReader *>(static_cast<const CountingReader *>(ctx));
		if (self->fail_at >= 0 && self->reads >= self->fail_at)
			return false;
		self->reads++;
		self->ranges[{offset, len}]++;
		struct elf_buffer b = {self->bytes->data(), self->bytes->size()};
		return elf_buffer_read(&b, offset, buf, len);
	}
};

TEST(Elf, ReaderReadsEachHeaderOnce)
{
	std::vector<uint8_t> b = Valid().Bytes();
	CountingReader cr;
	cr.bytes = &b;
	struct elf_reader r = {CountingReader::Read, &cr};
	struct elf_image out;
	ASSERT_EQ(elf_parse_from(&r, b.size(), kUserTop, &out), VIPER_OK);
	EXPECT_EQ(out.count, 2u);
	// The file header and each program header, each exactly once: what the
	// file says afterwards cannot change what was checked.
	EXPECT_EQ(cr.reads, 3);
	for (const auto &range : cr.ranges)
		EXPECT_EQ(range.second, 1) << range.first.first;
	EXPECT_EQ(cr.ranges.count({0, sizeof(Ehdr)}), 1u);
	EXPECT_EQ(cr.ranges.count({sizeof(Ehdr), sizeof(Phdr)}), 1u);
	EXPECT_EQ(cr.ranges.count({sizeof(Ehdr) + sizeof(Phdr), sizeof(Phdr)}), 1u);
}

TEST(Elf, ReaderFailureIsCorrupt)
{
	std::vector<uint8_t> b = Valid().Bytes();
	for (int fail_at = 0; fail_at < 3; fail_at++) {
		CountingReader cr;
		cr.bytes = &b;
		cr.fail_at = fail_at;
		struct elf_reader r = {CountingReader::Read, &cr};
		struct elf_image out;
		EXPECT_EQ(elf_parse_from(&r, b.size(), kUserTop, &out), VIPER_E_CORRUPT) << fail_at;
	}
	// A size larger than what the reader holds: the reads beyond it fail.
	CountingReader cr;
	cr.bytes = &b;
	std::vector<uint8_t> header(b.begin(), b.begin() + sizeof(Ehdr));
	cr.bytes = &header;
	struct elf_reader r = {CountingReader::Read, &cr};
	struct elf_image out;
	EXPECT_EQ(elf_parse_from(&r, b.size(), kUserTop, &out), VIPER_E_CORRUPT);
}

TEST(Elf, BufferReaderBounds)
{
	const uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct elf_buffer b = {data, sizeof(data)};
	uint8_t out[8] = {};
	EXPECT_TRUE(elf_buffer_read(&b, 0, out, 8));
	EXPECT_EQ(out[7], 8);
	EXPECT_TRUE(elf_buffer_read(&b, 8, out, 0));
	EXPECT_TRUE(elf_buffer_read(&b, 6, out, 2));
	EXPECT_EQ(out[1], 8);
	EXPECT_FALSE(elf_buffer_read(&b, 7, out, 2));
	EXPECT_FALSE(elf_buffer_read(&b, 9, out, 0));
	EXPECT_FALSE(elf_buffer_read(&b, 1, out, ~uint64_t{0})); // offset + len wraps
	EXPECT_FALSE(elf_buffer_read(&b, ~uint64_t{0}, out, 2));
}

// Checks an image elf_parse accepted: everything must be safe to load.
void CheckAccepted(const std::vector<uint8_t> &b, const struct elf_image &out, uint64_t top)
{
	ASSERT_GE(out.count, 1u);
	ASSERT_LE(out.count, (unsigned)ELF_MAX_SEGMENTS);
	bool entry_ok = false;
	for (unsigned i = 0; i < out.count; i++) {
		const struct elf_segment &s = out.segments[i];
		ASSERT_EQ(s.vaddr % kPage, 0u);
		ASSERT_EQ(s.mem_size % kPage, 0u);
		ASSERT_GT(s.mem_size, 0u);
		ASSERT_GE(s.vaddr, kPage);
		ASSERT_LT(s.vaddr, top);
		ASSERT_LE(s.mem_size, top - s.vaddr);
		ASSERT_LE(s.file_offset, b.size());
		ASSERT_LE(s.file_size, b.size() - s.file_offset);
		ASSERT_GE(s.data_vaddr, s.vaddr);
		ASSERT_LT(s.data_vaddr - s.vaddr, s.mem_size);
		ASSERT_LE(s.file_size, s.mem_size - (s.data_vaddr - s.vaddr));
		ASSERT_FALSE((s.prot & VIPER_PROT_WRITE) && (s.prot & VIPER_PROT_EXEC));
		ASSERT_EQ(s.prot &
				  ~(unsigned)(VIPER_PROT_READ | VIPER_PROT_WRITE | VIPER_PROT_EXEC),
			  0u);
		for (unsigned j = 0; j < i; j++) {
			const struct elf_segment &o = out.segments[j];
			ASSERT_TRUE(s.vaddr >= o.vaddr + o.mem_size ||
				    o.vaddr >= s.vaddr + s.mem_size)
				<< "segments " << j << " and " << i << " overlap";
		}
		if ((s.prot & VIPER_PROT_EXEC) && out.entry >= s.vaddr &&
		    out.entry < s.vaddr + s.mem_size)
			entry_ok = true;
	}
	ASSERT_TRUE(entry_ok);
	ASSERT_EQ(out.entry % 4, 0u);
}

TEST(Elf, RandomCorruption)
{
	const std::vector<uint8_t> valid = Valid().Bytes();
	const size_t headers = sizeof(Ehdr) + 2 * sizeof(Phdr);
	std::mt19937 rng(31337);
	int accepted = 0, rejected = 0;
	for (int iter = 0; iter < 5000; iter++) {
		std::vector<uint8_t> b = valid;
		int flips = 1 + rng() % 8;
		for (int k = 0; k < flips; k++) {
			// Mostly in the headers, where it matters.
			size_t at = rng() % 4 ? rng() % headers : rng() % b.size();
			if (rng() % 2)
				b[at] ^= (uint8_t)(1u << (rng() % 8));
			else
				b[at] = (uint8_t)rng();
		}
		if (rng() % 8 == 0)
			b.resize(rng() % b.size());
		// An exact-size copy, so reading past the end would be caught by a sanitizer.
		std::vector<uint8_t> exact(b);
		exact.shrink_to_fit();
		const uint64_t top = rng() % 2 ? kUserTop : VIPER_USER_TOP;
		struct elf_image out;
		err_t err = elf_parse(exact.data(), exact.size(), top, &out);
		if (err == VIPER_OK) {
			accepted++;
			CheckAccepted(exact, out, top);
			if (HasFatalFailure()) {
				ADD_FAILURE() << "iteration " << iter;
				return;
			}
		} else {
			rejected++;
			ASSERT_TRUE(err == VIPER_E_CORRUPT || err == VIPER_E_UNSUPPORTED)
				<< "iteration " << iter << ": " << err;
		}
	}
	// Both outcomes happen, or the fuzzing proves little.
	EXPECT_GT(accepted, 100);
	EXPECT_GT(rejected, 100);
}

TEST(Elf, RandomProgramHeaders)
{
	// Program headers with random fields near the interesting boundaries.
	std::mt19937_64 rng(7);
	const uint64_t values[] = {0,
				   1,
				   kPage - 1,
				   kPage,
				   0x400000,
				   0x401800,
				   0x2110,
				   0x2111,
				   kUserTop - kPage,
				   kUserTop,
				   kUserTop + 1,
				   ~0ull,
				   ~0ull - kPage,
				   1ull << 63};
	auto pick = [&] {
		return rng() % 3 ? values[rng() % (sizeof(values) / sizeof(values[0]))]
				 : rng() % 0x10000;
	};
	int accepted = 0;
	for (int iter = 0; iter < 5000; iter++) {
		Image img = Valid();
		img.ph.resize(1 + rng() % 10);
		for (size_t i = 0; i < img.ph.size(); i++) {
			if (rng() % 3 == 0)
				continue; // keep some sane ones
			Phdr &p = img.ph[i];
			p.type = rng() % 4 ? kPtLoad : kPtNote;
			p.flags = rng() % 8;
			p.offset = pick();
			p.vaddr = pick();
			p.filesz = pick();
			p.memsz = pick();
		}
		img.eh.entry = rng() % 2 ? 0x400100 : pick();
		std::vector<uint8_t> b = img.Bytes();
		struct elf_image out;
		if (Parse(b, &out) == VIPER_OK) {
			accepted++;
			CheckAccepted(b, out, kUserTop);
			if (HasFatalFailure()) {
				ADD_FAILURE() << "iteration " << iter;
				return;
			}
		}
	}
	EXPECT_GT(accepted, 0);
}

} // namespace
