/*
 * Checking ELF64 program images before loading them: AArch64 executables
 * whose loadable segments lie inside user space, inside the file, do not
 * overlap, are aligned as their headers say, and are never both writable
 * and executable. Portable: the host tests feed it broken images.
 *
 * The image is read through a reader, so it may lie in a buffer (a
 * boot-image program) or in the pages of a memory object that another
 * process can still write (process_spawn_image). Every header is read
 * exactly once into kernel memory and checked there; elf_image holds only
 * checked values, so what the file says later cannot change them.
 */
#ifndef KERNEL_ELF_H
#define KERNEL_ELF_H

#include <stdbool.h>
#include <stdint.h>

#include <kernel/err.h>

#define ELF_MAX_SEGMENTS	8  /* loadable segments with something in them */
#define ELF_MAX_PROGRAM_HEADERS 64 /* entries of the program header table */

struct elf_segment {
	uint64_t vaddr;	      /* page-aligned start of the pages it covers */
	uint64_t mem_size;    /* bytes of pages from vaddr */
	uint64_t file_offset; /* where the bytes for the segment's first byte are */
	uint64_t file_size;
	uint64_t data_vaddr; /* the segment's own first byte */
	unsigned prot;	     /* VIPER_PROT_* */
};

struct elf_image {
	uint64_t entry;
	unsigned count;
	struct elf_segment segments[ELF_MAX_SEGMENTS];
};

/*
 * Where an image's bytes come from: read(ctx, offset, buf, len) copies
 * bytes [offset, offset + len) of the image to `buf`, or returns false
 * when they are not all inside it. elf_parse_from asks only for ranges it
 * has checked against the image's size.
 */
struct elf_reader {
	bool (*read)(const void *ctx, uint64_t offset, void *buf, uint64_t len);
	const void *ctx;
};

/*
 * Fills `out` from the `size`-byte image `r` reads. VIPER_E_CORRUPT for
 * anything malformed or unsafe (a truncated file, another class or byte
 * order, more than ELF_MAX_PROGRAM_HEADERS headers, a segment outside the
 * file or below `user_top`'s range, segments sharing a page, W and X
 * together, a segment whose address and offset disagree modulo its
 * alignment or whose alignment is not a power of two, an entry point
 * outside every executable segment or not 4-byte aligned),
 * VIPER_E_UNSUPPORTED for a valid ELF of another kind (not an AArch64
 * executable).
 */
MUST_CHECK err_t elf_parse_from(const struct elf_reader *r, uint64_t size, uint64_t user_top,
				struct elf_image *out);

/* elf_parse_from for an image in memory at `data`. */
MUST_CHECK err_t elf_parse(const uint8_t *data, uint64_t size, uint64_t user_top,
			   struct elf_image *out);

/* A reader of `size` bytes at `data` (ctx points at the struct elf_buffer). */
struct elf_buffer {
	const uint8_t *data;
	uint64_t size;
};
bool elf_buffer_read(const void *ctx, uint64_t offset, void *buf, uint64_t len);

#endif
