/* Reading the slots a program declares from its ELF file (viper/program_slots.h). */
#include <viper/program_slots.h>

#include <stdbool.h>
#include <string.h>

enum {
	PT_NOTE = 4,
	EHDR_BYTES = 64,
	PHDR_BYTES = 56,
	MAX_PROGRAM_HEADERS = 64, /* as the kernel's loader (ELF_MAX_PROGRAM_HEADERS) */
	NOTE_HEAD_BYTES = 12,
};

static uint16_t get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* `n` rounded up to a multiple of 4, or false when that overflows. */
static bool pad4(uint64_t n, uint64_t *out)
{
	if (n > UINT64_MAX - 3)
		return false;
	*out = (n + 3) & ~(uint64_t)3;
	return true;
}

/* True when `s` is a NUL-terminated, non-empty name of fewer than VIPER_SLOT_NAME_MAX bytes. */
static bool good_name(const char *s)
{
	return s[0] != '\0' && memchr(s, '\0', VIPER_SLOT_NAME_MAX) != NULL;
}

/* Checks a slot note's descriptor (`len` bytes at `desc`) and copies its slots out. */
static int32_t take_slots(const uint8_t *desc, uint64_t len, struct viper_slot_decl *out,
			  uint32_t max)
{
	struct viper_slot_decl all[VIPER_PROGRAM_MAX_SLOTS];
	uint64_t count = len / sizeof(struct viper_slot_decl);

	if (len % sizeof(struct viper_slot_decl) || count > VIPER_PROGRAM_MAX_SLOTS)
		return VIPER_E_CORRUPT;
	memcpy(all, desc, len);
	for (uint64_t i = 0; i < count; i++) {
		if (!good_name(all[i].slot) || !good_name(all[i].interface))
			return VIPER_E_CORRUPT;
		for (uint64_t j = 0; j < i; j++) {
			if (strcmp(all[i].slot, all[j].slot) == 0)
				return VIPER_E_CORRUPT; /* declared twice */
		}
	}
	for (uint64_t i = 0; i < count && i < max; i++)
		out[i] = all[i];
	return (int32_t)count;
}

/*
 * Walks the notes in bytes [start, start + len) of the file (checked to be
 * inside it) for the slot note: its slot count goes to *found (-1 while
 * none was seen).
 */
static int32_t scan_notes(const uint8_t *elf, uint64_t start, uint64_t len, int32_t *found,
			  struct viper_slot_decl *out, uint32_t max)
{
	uint64_t at = 0;

	while (at < len) {
		uint64_t namesz, descsz, name_pad, desc_pad;
		const uint8_t *note = elf + start + at;
		if (len - at < NOTE_HEAD_BYTES)
			return VIPER_E_CORRUPT;
		namesz = get32(note);
		descsz = get32(note + 4);
		if (!pad4(namesz, &name_pad) || !pad4(descsz, &desc_pad) ||
		    name_pad > len - at - NOTE_HEAD_BYTES ||
		    desc_pad > len - at - NOTE_HEAD_BYTES - name_pad)
			return VIPER_E_CORRUPT; /* runs past its segment */
		if (namesz == sizeof(VIPER_NOTE_OWNER) &&
		    memcmp(note + NOTE_HEAD_BYTES, VIPER_NOTE_OWNER, namesz) == 0 &&
		    get32(note + 8) == VIPER_NOTE_SLOTS) {
			if (*found >= 0)
				return VIPER_E_CORRUPT; /* two slot lists */
			*found = take_slots(note + NOTE_HEAD_BYTES + name_pad, descsz, out, max);
			if (*found < 0)
				return *found;
		}
		at += NOTE_HEAD_BYTES + name_pad + desc_pad;
	}
	return VIPER_OK;
}

int32_t viper_program_slots(const uint8_t *elf, uint64_t size, struct viper_slot_decl *out,
			    uint32_t max)
{
	uint64_t phoff;
	uint16_t phnum;
	int32_t found = -1;

	if (size < EHDR_BYTES || memcmp(elf, "\177ELF", 4) != 0 || elf[4] != 2 || elf[5] != 1)
		return VIPER_E_CORRUPT;
	phoff = get64(elf + 32);
	phnum = get16(elf + 56);
	if (get16(elf + 54) != PHDR_BYTES || phnum > MAX_PROGRAM_HEADERS || phoff > size ||
	    (uint64_t)phnum * PHDR_BYTES > size - phoff)
		return VIPER_E_CORRUPT;
	for (uint16_t i = 0; i < phnum; i++) {
		const uint8_t *ph = elf + phoff + (uint64_t)i * PHDR_BYTES;
		uint64_t offset = get64(ph + 8), filesz = get64(ph + 32);
		int32_t err;
		if (get32(ph) != PT_NOTE)
			continue;
		if (offset > size || filesz > size - offset)
			return VIPER_E_CORRUPT;
		err = scan_notes(elf, offset, filesz, &found, out, max);
		if (err < 0)
			return err;
	}
	return found < 0 ? 0 : found;
}

viper_handle_t viper_slot_find(const struct viper_startup *startup,
			       const struct viper_slot_decl *table, uint32_t count,
			       const char *name)
{
	for (uint32_t i = 0; i < count; i++) {
		if (strcmp(table[i].slot, name) == 0)
			return startup && i < startup->handle_count ? startup->handles[i].handle
								    : VIPER_HANDLE_INVALID;
	}
	return VIPER_HANDLE_INVALID;
}
