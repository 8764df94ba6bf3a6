/* Loading boot-image programs (kernel/elf_loader.h). */
#include <kernel/elf_loader.h>

#include <arch/mmu.h>
#include <kernel/elf.h>
#include <kernel/memory_object.h>
#include <kernel/page_alloc.h>
#include <kernel/string.h>

const struct boot_program *boot_program_find(const char *name)
{
	for (unsigned i = 0; i < boot_program_count; i++) {
		if (strcmp(boot_programs[i].name, name) == 0)
			return &boot_programs[i];
	}
	return NULL;
}

/* Copies the data of `nm` into the fresh object `m`, syncing the caches for code. */
static void fill(struct memory_object *m, const struct new_memory *nm)
{
	for (uint64_t done = 0; done < nm->data_size;) {
		uint64_t at = nm->data_offset + done;
		uint64_t chunk = PAGE_SIZE - (at & (PAGE_SIZE - 1));
		uint8_t *dst = (uint8_t *)phys_to_virt(memory_object_frame(m, at)) +
			       (at & (PAGE_SIZE - 1));
		if (chunk > nm->data_size - done)
			chunk = nm->data_size - done;
		memcpy(dst, nm->data + done, chunk);
		if (nm->prot & VIPER_PROT_EXEC)
			mmu_sync_icache(dst, chunk);
		done += chunk;
	}
}

err_t map_new_memory(struct aspace *as, const struct new_memory *nm)
{
	struct memory_object *m;
	uint64_t mapped;
	err_t err = memory_object_create(nm->size, 0, as->account, &m);

	if (err)
		return err;
	fill(m, nm);
	struct map_request rq = {&m->obj, 0, m->size, nm->prot, nm->va};
	err = aspace_map(as, &rq, &mapped);
	kobject_unref(&m->obj); /* the mapping holds it now */
	return err;
}

err_t elf_load(struct aspace *as, const struct boot_program *prog, uint64_t *entry)
{
	struct elf_image img;
	err_t err = elf_parse(prog->data, prog->size, USER_MAP_BASE, &img);

	if (err)
		return err;
	for (unsigned i = 0; i < img.count; i++) {
		const struct elf_segment *s = &img.segments[i];
		struct new_memory nm = {s->vaddr,
					s->mem_size,
					s->prot,
					s->data_vaddr - s->vaddr,
					prog->data + s->file_offset,
					s->file_size};
		err = map_new_memory(as, &nm);
		if (err)
			return err;
	}
	*entry = img.entry;
	return VIPER_OK;
}
