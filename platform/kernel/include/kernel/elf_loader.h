/*
 * The boot image's programs and the loader that puts one into an address
 * space. A program is parsed (elf_parse, kernel/elf.h) and its segments
 * copied into memory objects of the kernel's once, at its first spawn
 * (a struct program_image, kernel/program_cache.h); then each process
 * maps the read-only and executable segments as they are and a
 * copy-on-write clone of each writable one, charged to its own account,
 * so two processes running the same program share every page neither
 * writes. A program may also come from an ELF file in a memory object
 * (elf_load_image, for process_spawn_image): it is parsed from the
 * object's pages and loaded the same way, its image kept by the program
 * cache for the next load of the same bytes. Under the big kernel lock.
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

/*
 * Maps the program in the first `size` bytes of memory object `file` into
 * `as`; the entry point goes to *entry. The file is read through the
 * kernel's view of the object's pages (absent pages read as zeros), every
 * range checked against `size`; another process may be writing it: each
 * header is read once into kernel memory and checked there
 * (elf_parse_from), and what is read afterwards is only the segments'
 * bytes, which cannot make the checked layout unsafe. The program cache
 * (kernel/program_cache.h) is asked first for an image laid out the same
 * with the same bytes; else each segment becomes a new memory object of
 * the kernel's, filled with its bytes (zeros after them), and the image is
 * offered to the cache once it is mapped. Either way read-only segments
 * are mapped as they are, read-only (code read-only and executable), their
 * size charged to `as`'s account while mapped, and writable ones as a
 * copy-on-write clone of `as`'s own, never writable and executable. The
 * copy and the comparison give the big lock back every MiB, so other CPUs
 * are not kept out for the whole image. Errors: those of elf_parse_from
 * (VIPER_E_CORRUPT, VIPER_E_UNSUPPORTED), VIPER_E_RANGE when `size` is
 * over the object's, VIPER_E_INVAL for a segment over 64 MiB or with no
 * access rights, VIPER_E_LIMIT when the segments do not fit the account
 * (checked before anything is copied), VIPER_E_NOMEM. On failure what was
 * mapped stays in `as`, for the caller to destroy.
 */
struct memory_object;
MUST_CHECK err_t elf_load_image(struct aspace *as, struct memory_object *file, uint64_t size,
				uint64_t *entry);

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
