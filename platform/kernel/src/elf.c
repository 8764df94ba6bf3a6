/* Checking ELF64 program images (kernel/elf.h). */
#include <kernel/elf.h>

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

bool elf_buffer_read(const void *ctx, uint64_t offset, void *buf, uint64_t len)
{
	const struct elf_buffer *b = ctx;

	if (offset > b->size || len > b->size - offset)
		return false;
	memcpy(buf, b->data + offset, len);
	return true;
}

/* Reads and checks the file header: the identification, the kind, the program header table. */
static err_t read_header(const struct elf_reader *r, uint64_t size, struct ehdr *h)
{
	if (size < sizeof(*h) || !r->read(r->ctx, 0, h, sizeof(*h)))
		return VIPER_E_CORRUPT;
	if (memcmp(h->ident, "\177ELF", 4) != 0 || h->ident[4] != 2 || h->ident[5] != 1)
		return VIPER_E_CORRUPT; /* not ELF, or not 64-bit little-endian */
	if (h->type != ET_EXEC || h->machine != EM_AARCH64)
		return VIPER_E_UNSUPPORTED;
	if (h->phentsize != sizeof(struct phdr) || h->phnum == 0 ||
	    h->phnum > ELF_MAX_PROGRAM_HEADERS || h->phoff > size ||
	    (uint64_t)h->phnum * sizeof(struct phdr) > size - h->phoff)
		return VIPER_E_CORRUPT;
	if (h->entry % 4)
		return VIPER_E_CORRUPT; /* AArch64 instructions are 4-byte aligned */
	return VIPER_OK;
}

/* Checks loadable header `p` on its own: W^X, bounds, alignment. */
static err_t check_load(const struct phdr *p, uint64_t size, uint64_t user_top)
{
	if ((p->flags & PF_W) && (p->flags & PF_X))
		return VIPER_E_CORRUPT; /* W^X */
	if (p->filesz > p->memsz || p->offset > size || p->filesz > size - p->offset)
		return VIPER_E_CORRUPT;
	if (p->vaddr >= user_top || p->memsz > user_top - p->vaddr || p->vaddr < PAGE)
		return VIPER_E_CORRUPT;
	if (p->align > 1 && ((p->align & (p->align - 1)) || (p->vaddr - p->offset) % p->align != 0))
		return VIPER_E_CORRUPT; /* misaligned */
	return VIPER_OK;
}

/* Adds loadable header `p` (checked) to `out`, refusing one that shares a page with another. */
static err_t add_segment(const struct phdr *p, struct elf_image *out)
{
	uint64_t start = p->vaddr & ~(uint64_t)(PAGE - 1);
	uint64_t end = (p->vaddr + p->memsz + PAGE - 1) & ~(uint64_t)(PAGE - 1);
	struct elf_segment *s;

	if (out->count == ELF_MAX_SEGMENTS)
		return VIPER_E_CORRUPT;
	for (unsigned j = 0; j < out->count; j++) {
		const struct elf_segment *o = &out->segments[j];
		if (start < o->vaddr + o->mem_size && o->vaddr < end)
			return VIPER_E_CORRUPT; /* segments share a page */
	}
	s = &out->segments[out->count++];
	s->vaddr = start;
	s->mem_size = end - start;
	s->file_offset = p->offset;
	s->file_size = p->filesz;
	s->data_vaddr = p->vaddr;
	s->prot = ((p->flags & PF_R) ? VIPER_PROT_READ : 0) |
		  ((p->flags & PF_W) ? VIPER_PROT_WRITE : 0) |
		  ((p->flags & PF_X) ? VIPER_PROT_EXEC : 0);
	return VIPER_OK;
}

err_t elf_parse_from(const struct elf_reader *r, uint64_t size, uint64_t user_top,
		     struct elf_image *out)
{
	struct ehdr h;
	bool entry_ok = false;
	err_t err = read_header(r, size, &h);

	if (err)
		return err;
	out->count = 0;
	out->entry = h.entry;
	for (unsigned i = 0; i < h.phnum; i++) {
		struct phdr p;

		/* Each header is read once, into kernel memory, and checked there. */
		if (!r->read(r->ctx, h.phoff + (uint64_t)i * sizeof(p), &p, sizeof(p)))
			return VIPER_E_CORRUPT;
		if (p.type != PT_LOAD || p.memsz == 0)
			continue; /* a load of nothing loads nothing */
		err = check_load(&p, size, user_top);
		if (!err)
			err = add_segment(&p, out);
		if (err)
			return err;
		if ((p.flags & PF_X) && h.entry >= p.vaddr && h.entry < p.vaddr + p.memsz)
			entry_ok = true;
	}
	if (out->count == 0 || !entry_ok)
		return VIPER_E_CORRUPT;
	return VIPER_OK;
}

err_t elf_parse(const uint8_t *data, uint64_t size, uint64_t user_top, struct elf_image *out)
{
	struct elf_buffer b = {data, size};
	struct elf_reader r = {elf_buffer_read, &b};

	return elf_parse_from(&r, size, user_top, out);
}
