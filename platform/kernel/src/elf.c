#include <kernel/elf.h>

#include <stdbool.h>

#include <viper/abi.h>

#include <kernel/string.h>

enum {
	ET_EXEC = 2,
	EM_AARCH64 = 183,
	PT_LOAD = 1,
	PF_X = 1,
	PF_W = 2,
	PF_R = 4,
	PAGE = 4096,
};

struct ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

err_t elf_parse(const uint8_t *data, uint64_t size, uint64_t user_top, struct elf_image *out)
{
	struct ehdr h;
	bool entry_ok = false;

	if (size < sizeof(h))
		return VIPER_E_CORRUPT;
	memcpy(&h, data, sizeof(h));
	if (memcmp(h.ident, "\177ELF", 4) != 0 || h.ident[4] != 2 || h.ident[5] != 1)
		return VIPER_E_CORRUPT;
	if (h.type != ET_EXEC || h.machine != EM_AARCH64)
		return VIPER_E_UNSUPPORTED;
	if (h.phentsize != sizeof(struct phdr) || h.phnum == 0 || h.phoff > size ||
	    (uint64_t)h.phnum * sizeof(struct phdr) > size - h.phoff)
		return VIPER_E_CORRUPT;
	out->count = 0;
	out->entry = h.entry;
	for (unsigned i = 0; i < h.phnum; i++) {
		struct phdr p;
		struct elf_segment *s;
		uint64_t start, end;

		memcpy(&p, data + h.phoff + (uint64_t)i * sizeof(p), sizeof(p));
		if (p.type != PT_LOAD || p.memsz == 0)
			continue;
		if (out->count == ELF_MAX_SEGMENTS)
			return VIPER_E_CORRUPT;
		if ((p.flags & PF_W) && (p.flags & PF_X))
			return VIPER_E_CORRUPT; /* W^X */
		if (p.filesz > p.memsz || p.offset > size || p.filesz > size - p.offset)
			return VIPER_E_CORRUPT;
		if (p.vaddr >= user_top || p.memsz > user_top - p.vaddr || p.vaddr < PAGE)
			return VIPER_E_CORRUPT;
		start = p.vaddr & ~(uint64_t)(PAGE - 1);
		end = (p.vaddr + p.memsz + PAGE - 1) & ~(uint64_t)(PAGE - 1);
		for (unsigned j = 0; j < out->count; j++) {
			const struct elf_segment *o = &out->segments[j];
			if (start < o->vaddr + o->mem_size && o->vaddr < end)
				return VIPER_E_CORRUPT; /* segments share a page */
		}
		s = &out->segments[out->count++];
		s->vaddr = start;
		s->mem_size = end - start;
		s->file_offset = p.offset;
		s->file_size = p.filesz;
		s->data_vaddr = p.vaddr;
		s->prot = ((p.flags & PF_R) ? VIPER_PROT_READ : 0) |
			  ((p.flags & PF_W) ? VIPER_PROT_WRITE : 0) |
			  ((p.flags & PF_X) ? VIPER_PROT_EXEC : 0);
		if ((p.flags & PF_X) && h.entry >= p.vaddr && h.entry < p.vaddr + p.memsz)
			entry_ok = true;
	}
	if (out->count == 0 || !entry_ok)
		return VIPER_E_CORRUPT;
	return VIPER_OK;
}
