// Host tests of reading a program's slot declarations from its ELF file:
// what VIPER_PROGRAM_SLOTS emits reads back, other notes are skipped, and
// every malformed file or note is refused without reading outside it.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include <viper/program_slots.h>

const void *declared_note(uint32_t *size);
viper_handle_t declared_slot(const struct viper_startup *s, const char *name);
}

namespace
{

constexpr uint32_t kPtLoad = 1, kPtNote = 4;

void Put16(std::vector<uint8_t> &b, size_t at, uint16_t v)
{
	memcpy(b.data() + at, &v, sizeof(v));
}
void Put32(std::vector<uint8_t> &b, size_t at, uint32_t v)
{
	memcpy(b.data() + at, &v, sizeof(v));
}
void Put64(std::vector<uint8_t> &b, size_t at, uint64_t v)
{
	memcpy(b.data() + at, &v, sizeof(v));
}

// A note: header, name padded to 4, descriptor padded to 4.
std::vector<uint8_t> Note(const std::string &owner, uint32_t type, const std::vector<uint8_t> &desc)
{
	std::vector<uint8_t> n(12);
	Put32(n, 0, (uint32_t)owner.size() + 1);
	Put32(n, 4, (uint32_t)desc.size());
	Put32(n, 8, type);
	n.insert(n.end(), owner.begin(), owner.end());
	n.push_back(0);
	while (n.size() % 4)
		n.push_back(0);
	n.insert(n.end(), desc.begin(), desc.end());
	while (n.size() % 4)
		n.push_back(0);
	return n;
}

std::vector<uint8_t> Slots(const std::vector<std::pair<std::string, std::string>> &slots)
{
	std::vector<uint8_t> d;
	for (const auto &s : slots) {
		struct viper_slot_decl decl;
		memset(&decl, 0, sizeof(decl));
		strncpy(decl.slot, s.first.c_str(), sizeof(decl.slot));
		strncpy(decl.interface, s.second.c_str(), sizeof(decl.interface));
		const uint8_t *p = reinterpret_cast<const uint8_t *>(&decl);
		d.insert(d.end(), p, p + sizeof(decl));
	}
	return d;
}

// An ELF64 file: a header, a PT_LOAD and one PT_NOTE per note blob, the
// blobs after the program headers.
std::vector<uint8_t> Elf(const std::vector<std::vector<uint8_t>> &notes)
{
	const size_t phnum = 1 + notes.size();
	std::vector<uint8_t> b(64 + 56 * phnum);
	memcpy(b.data(), "\177ELF", 4);
	b[4] = 2;
	b[5] = 1;
	b[6] = 1;
	Put16(b, 16, 2);   // ET_EXEC
	Put16(b, 18, 183); // AArch64
	Put64(b, 32, 64);  // phoff
	Put16(b, 52, 64);
	Put16(b, 54, 56);
	Put16(b, 56, (uint16_t)phnum);
	Put32(b, 64, kPtLoad);
	for (size_t i = 0; i < notes.size(); i++) {
		size_t ph = 64 + 56 * (i + 1);
		Put32(b, ph, kPtNote);
		Put64(b, ph + 8, b.size());
		Put64(b, ph + 32, notes[i].size());
		b.insert(b.end(), notes[i].begin(), notes[i].end());
	}
	return b;
}

int32_t Read(const std::vector<uint8_t> &b, std::vector<viper_slot_decl> *out = nullptr,
	     uint32_t max = VIPER_PROGRAM_MAX_SLOTS)
{
	// An exact-size copy: a read past the end shows under a sanitizer.
	std::vector<uint8_t> exact(b);
	exact.shrink_to_fit();
	std::vector<viper_slot_decl> slots(VIPER_PROGRAM_MAX_SLOTS + 1);
	int32_t n = viper_program_slots(exact.data(), exact.size(), slots.data(), max);
	if (out)
		*out = slots;
	return n;
}

TEST(ProgramSlots, TheMacroDeclaresWhatTheReaderReads)
{
	uint32_t size = 0;
	const uint8_t *note = static_cast<const uint8_t *>(declared_note(&size));
	ASSERT_EQ(size, 20u + 2 * sizeof(viper_slot_decl));
	std::vector<uint8_t> blob(note, note + size);
	std::vector<viper_slot_decl> slots;
	ASSERT_EQ(Read(Elf({blob}), &slots), 2);
	EXPECT_STREQ(slots[0].slot, "console");
	EXPECT_STREQ(slots[0].interface, "console");
	EXPECT_STREQ(slots[1].slot, "store");
	EXPECT_STREQ(slots[1].interface, "kv");
	// viper_slot: slot i is startup handle i.
	struct viper_startup st;
	memset(&st, 0, sizeof(st));
	st.handle_count = 2;
	st.handles[0].handle = 0x1001;
	st.handles[1].handle = 0x2002;
	EXPECT_EQ(declared_slot(&st, "console"), 0x1001u);
	EXPECT_EQ(declared_slot(&st, "store"), 0x2002u);
	EXPECT_EQ(declared_slot(&st, "kv"), VIPER_HANDLE_INVALID);
	st.handle_count = 1; // given fewer handles than it declares
	EXPECT_EQ(declared_slot(&st, "store"), VIPER_HANDLE_INVALID);
	EXPECT_EQ(declared_slot(nullptr, "console"), VIPER_HANDLE_INVALID);
}

TEST(ProgramSlots, NoNoteMeansNoSlots)
{
	EXPECT_EQ(Read(Elf({})), 0);
	// Notes of other owners and other types are skipped.
	EXPECT_EQ(Read(Elf({Note("GNU", 1, std::vector<uint8_t>(16, 7))})), 0);
	EXPECT_EQ(Read(Elf({Note("ViperOS", 2, Slots({{"a", "b"}}))})), 0);
	EXPECT_EQ(Read(Elf({Note("ViperOSX", 1, Slots({{"a", "b"}}))})), 0);
	// An empty slot list declares nothing.
	EXPECT_EQ(Read(Elf({Note("ViperOS", VIPER_NOTE_SLOTS, {})})), 0);
}

TEST(ProgramSlots, FindsTheSlotNoteAmongOthers)
{
	std::vector<uint8_t> blob = Note("GNU", 3, std::vector<uint8_t>(20, 1));
	std::vector<uint8_t> ours = Note("ViperOS", VIPER_NOTE_SLOTS, Slots({{"log", "log"}}));
	blob.insert(blob.end(), ours.begin(), ours.end());
	std::vector<viper_slot_decl> slots;
	ASSERT_EQ(Read(Elf({Note("GNU", 1, {1, 2, 3}), blob}), &slots), 1);
	EXPECT_STREQ(slots[0].slot, "log");
	// At most `max` are copied; the count is all of them.
	ASSERT_EQ(Read(Elf({Note("ViperOS", VIPER_NOTE_SLOTS,
				 Slots({{"a", "x"}, {"b", "y"}, {"c", "z"}}))}),
		       &slots, 2),
		  3);
	EXPECT_STREQ(slots[1].slot, "b");
	EXPECT_EQ(slots[2].slot[0], '\0');
	// The most there may be.
	std::vector<std::pair<std::string, std::string>> many;
	for (unsigned i = 0; i < VIPER_PROGRAM_MAX_SLOTS; i++)
		many.push_back({"s" + std::to_string(i), "i"});
	EXPECT_EQ(Read(Elf({Note("ViperOS", VIPER_NOTE_SLOTS, Slots(many))})),
		  (int32_t)VIPER_PROGRAM_MAX_SLOTS);
	many.push_back({"one_more", "i"});
	EXPECT_EQ(Read(Elf({Note("ViperOS", VIPER_NOTE_SLOTS, Slots(many))})), VIPER_E_CORRUPT);
}

TEST(ProgramSlots, BadFilesAreCorrupt)
{
	std::vector<uint8_t> good = Elf({Note("ViperOS", VIPER_NOTE_SLOTS, Slots({{"a", "b"}}))});
	ASSERT_EQ(Read(good), 1);
	for (size_t size : {0, 4, 16, 63})
		EXPECT_EQ(Read(std::vector<uint8_t>(good.begin(), good.begin() + size)),
			  VIPER_E_CORRUPT)
			<< size;
	// Cut inside the program headers, or inside the note.
	EXPECT_EQ(Read(std::vector<uint8_t>(good.begin(), good.begin() + 64 + 56 + 10)),
		  VIPER_E_CORRUPT);
	EXPECT_EQ(Read(std::vector<uint8_t>(good.begin(), good.end() - 1)), VIPER_E_CORRUPT);
	auto bad = good;
	bad[0] = 0;
	EXPECT_EQ(Read(bad), VIPER_E_CORRUPT);
	bad = good;
	bad[4] = 1; // 32-bit
	EXPECT_EQ(Read(bad), VIPER_E_CORRUPT);
	bad = good;
	bad[5] = 2; // big-endian
	EXPECT_EQ(Read(bad), VIPER_E_CORRUPT);
	bad = good;
	Put16(bad, 54, 32); // phentsize
	EXPECT_EQ(Read(bad), VIPER_E_CORRUPT);
	bad = good;
	Put64(bad, 32, ~0ull - 8); // phoff
	EXPECT_EQ(Read(bad), VIPER_E_CORRUPT);
	bad = good;
	Put16(bad, 56, 65); // phnum over the kernel's limit
	EXPECT_EQ(Read(bad), VIPER_E_CORRUPT);
	bad = good;
	Put16(bad, 56, 5); // the table runs past the file
	EXPECT_EQ(Read(bad), VIPER_E_CORRUPT);
}

TEST(ProgramSlots, NoteSegmentsAndNotesStayInside)
{
	std::vector<uint8_t> good = Elf({Note("ViperOS", VIPER_NOTE_SLOTS, Slots({{"a", "b"}}))});
	const size_t ph = 64 + 56;
	const uint64_t offset = 64 + 2 * 56, filesz = good.size() - offset;
	for (auto c : std::vector<std::pair<uint64_t, uint64_t>>{
		     {offset, filesz + 1},
		     {offset + 1, filesz},
		     {good.size() + 1, 0},
		     {~0ull, 2},
		     {8, ~0ull - 4}, // offset + filesz wraps
	     }) {
		auto bad = good;
		Put64(bad, ph + 8, c.first);
		Put64(bad, ph + 32, c.second);
		EXPECT_EQ(Read(bad), VIPER_E_CORRUPT) << c.first << " " << c.second;
	}
	// A segment too short for the note in it: each field's size is checked.
	for (uint64_t short_by : {1, 4, 12, 40}) {
		auto bad = good;
		Put64(bad, ph + 32, filesz - short_by);
		EXPECT_EQ(Read(bad), VIPER_E_CORRUPT) << short_by;
	}
	for (uint32_t size : {0xffffffffu, 0xfffffffdu, 0x10000u}) {
		auto bad = good;
		Put32(bad, offset, size); // namesz
		EXPECT_EQ(Read(bad), VIPER_E_CORRUPT) << size;
		bad = good;
		Put32(bad, offset + 4, size); // descsz
		EXPECT_EQ(Read(bad), VIPER_E_CORRUPT) << size;
	}
}

TEST(ProgramSlots, BadSlotListsAreCorrupt)
{
	auto read = [](const std::vector<uint8_t> &desc) {
		return Read(Elf({Note("ViperOS", VIPER_NOTE_SLOTS, desc)}));
	};
	auto desc = Slots({{"a", "b"}});
	desc.pop_back(); // not whole slots
	EXPECT_EQ(read(desc), VIPER_E_CORRUPT);
	EXPECT_EQ(read(Slots({{"", "b"}})), VIPER_E_CORRUPT);
	EXPECT_EQ(read(Slots({{"a", ""}})), VIPER_E_CORRUPT);
	EXPECT_EQ(read(Slots({{"a", "b"}, {"a", "c"}})), VIPER_E_CORRUPT); // twice
	desc = Slots({{"a", "b"}});
	memset(desc.data(), 'x', VIPER_SLOT_NAME_MAX); // no NUL in the slot name
	EXPECT_EQ(read(desc), VIPER_E_CORRUPT);
	desc = Slots({{"a", "b"}});
	memset(desc.data() + VIPER_SLOT_NAME_MAX, 'y', VIPER_SLOT_NAME_MAX);
	EXPECT_EQ(read(desc), VIPER_E_CORRUPT);
	// Two slot lists, in one segment or two.
	auto one = Note("ViperOS", VIPER_NOTE_SLOTS, Slots({{"a", "b"}}));
	auto two = one;
	two.insert(two.end(), one.begin(), one.end());
	EXPECT_EQ(Read(Elf({two})), VIPER_E_CORRUPT);
	EXPECT_EQ(Read(Elf({one, one})), VIPER_E_CORRUPT);
}

} // namespace
