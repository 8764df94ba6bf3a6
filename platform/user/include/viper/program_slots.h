/*
 * The slots a program declares: what it needs its starter to give it,
 * the way a component declares its slots. A program started at run time
 * from an ELF file (process_spawn_image) lists, once, at file scope:
 *
 *     VIPER_PROGRAM_SLOTS({"console", "console"}, {"store", "kv"});
 *
 * each a slot name and the interface the handle in it must serve. The
 * list goes into the program's ELF file as a note (a PT_NOTE segment,
 * owner "ViperOS", type VIPER_NOTE_SLOTS, the descriptor an array of
 * struct viper_slot_decl), so a launcher can read it from the file before
 * it starts anything (viper_program_slots) and tell a service the caller
 * did not provide ("program X needs slot 'console' (interface console),
 * which you did not give") from a program that is not valid. The starter
 * gives slot i as startup handle i, in declaration order; the program
 * finds them with viper_slot(startup, "console").
 *
 * viper_program_slots is portable and trusts nothing in the file: every
 * offset and size is checked against the file's size. Host tests:
 * platform/user/test/program_slots_test.cc.
 */
#ifndef VIPER_PROGRAM_SLOTS_H
#define VIPER_PROGRAM_SLOTS_H

#include <stdint.h>

#include <viper/abi.h>

#define VIPER_SLOT_NAME_MAX	32u /* bytes of a slot or interface name, with its NUL */
#define VIPER_PROGRAM_MAX_SLOTS 32u /* = VIPER_SPAWN_MAX_GRANTS */
#define VIPER_NOTE_SLOTS	1u  /* the note type of a slot list */
#define VIPER_NOTE_OWNER	"ViperOS"

/* One declared slot. Both names are NUL-terminated and non-empty. */
struct viper_slot_decl {
	char slot[VIPER_SLOT_NAME_MAX];
	char interface[VIPER_SLOT_NAME_MAX];
};

/* An ELF note's header with the owner "ViperOS" (8 bytes with the NUL). */
struct viper_slots_note_head {
	uint32_t namesz; /* 8 */
	uint32_t descsz; /* 64 per slot */
	uint32_t type;	 /* VIPER_NOTE_SLOTS */
	char owner[8];
};

/*
 * The slots the program in the `size` bytes at `elf` declares: at most
 * `max` are copied to out[]. Returns how many it declares (0 for none: no
 * slot note), or VIPER_E_CORRUPT when the file is not an ELF64
 * little-endian file with a program header table inside it, a note
 * segment lies outside the file, a note runs past its segment, or the
 * slot note is malformed (a descriptor that is not whole slots, more than
 * VIPER_PROGRAM_MAX_SLOTS, an empty or unterminated name, a slot declared
 * twice, two slot notes).
 */
int32_t viper_program_slots(const uint8_t *elf, uint64_t size, struct viper_slot_decl *out,
			    uint32_t max);

/*
 * The handle a program got for slot `name`: startup handle i for
 * table[i] (count entries), or VIPER_HANDLE_INVALID when it declares no
 * such slot or was given fewer handles.
 */
viper_handle_t viper_slot_find(const struct viper_startup *startup,
			       const struct viper_slot_decl *table, uint32_t count,
			       const char *name);

#define VIPER_SLOT_COUNT_(...)                                                                     \
	(sizeof((const struct viper_slot_decl[]){__VA_ARGS__}) / sizeof(struct viper_slot_decl))

/*
 * Declares the program's slots (see above) and defines
 * viper_slot(startup, name) for them. Once per program, at file scope.
 */
#define VIPER_PROGRAM_SLOTS(...)                                                                   \
	__attribute__((used, section(".note.viper.slots"), aligned(4))) static const struct {      \
		struct viper_slots_note_head head;                                                 \
		struct viper_slot_decl slots[VIPER_SLOT_COUNT_(__VA_ARGS__)];                      \
	} viper_program_slots_note = {                                                             \
		{8, (uint32_t)(VIPER_SLOT_COUNT_(__VA_ARGS__) * sizeof(struct viper_slot_decl)),   \
		 VIPER_NOTE_SLOTS, VIPER_NOTE_OWNER},                                              \
		{__VA_ARGS__}};                                                                    \
	__attribute__((unused)) static inline viper_handle_t viper_slot(                           \
		const struct viper_startup *startup_, const char *name_)                           \
	{                                                                                          \
		return viper_slot_find(startup_, viper_program_slots_note.slots,                   \
				       (uint32_t)VIPER_SLOT_COUNT_(__VA_ARGS__), name_);           \
	}                                                                                          \
	_Static_assert(VIPER_SLOT_COUNT_(__VA_ARGS__) <= VIPER_PROGRAM_MAX_SLOTS,                  \
		       "at most VIPER_PROGRAM_MAX_SLOTS slots")

#endif
