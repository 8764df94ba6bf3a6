/*
 * Checking ELF64 program images before loading them: AArch64 executables
 * whose loadable segments lie inside user space, inside the file, do not
 * overlap, and are never both writable and executable. Portable: the host
 * tests feed it broken images.
 */
#ifndef KERNEL_ELF_H
#define KERNEL_ELF_H

#include <stdint.h>

#include <kernel/err.h>

#define ELF_MAX_SEGMENTS 8

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
 * Fills `out` from the image at `data`. VIPER_E_CORRUPT for anything
 * malformed or unsafe, VIPER_E_UNSUPPORTED for a valid ELF of another kind.
 */
MUST_CHECK err_t elf_parse(const uint8_t *data, uint64_t size, uint64_t user_top,
			   struct elf_image *out);

#endif
