/*
 * The boot image's programs and the loader that puts one into an address
 * space. A program is parsed (elf_parse, kernel/elf.h) and its segments
 * copied into memory objects of the kernel's once, at its first spawn;
 * then each process maps the read-only and executable segments as they
 * are and a copy-on-write clone of each writable one, charged to its own
 * account, so two processes running the same program share every page
 * neither writes. Under the big kernel lock.
 */
#ifndef KERNEL_ELF_LOADER_H
#define KERNEL_ELF_LOADER_H

#include <stdint.h>

#include <kernel/aspace.h>
#include <kernel/err.h>

/* A program of the boot image, linked in by the system build. */
struct boot_program {
	const char *name;
	const uint8_t *data;
	uint64_t size;
};
extern const struct boot_program boot_programs[];
extern const unsigned boot_program_count;

/* The boot-image program called `name`, or NULL. */
const struct boot_program *boot_program_find(const char *name);

/*
 * Maps program `prog`'s segments into `as` (loading the program first if
 * this is its first spawn); the entry point goes to *entry.
 * VIPER_E_CORRUPT (and the other elf_parse errors) for a bad image,
 * VIPER_E_LIMIT when the clones of its writable segments do not fit the
 * account, VIPER_E_NOMEM without memory.
 */
MUST_CHECK err_t elf_load(struct aspace *as, const struct boot_program *prog, uint64_t *entry);

/* What map_new_memory makes: `size` bytes at `va`, the first `data_size` from `data`. */
struct new_memory {
	uint64_t va;
	uint64_t size;
	unsigned prot;
	uint64_t data_offset; /* where in the object the data starts */
	const uint8_t *data;
	uint64_t data_size;
};

/* A fresh memory object mapped into `as` as `nm` describes (the program's stack, say). */
MUST_CHECK err_t map_new_memory(struct aspace *as, const struct new_memory *nm);

#endif
