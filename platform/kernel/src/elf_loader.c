/* Loading boot-image programs and ELF files in memory objects (kernel/elf_loader.h). */
#include <kernel/elf_loader.h>

#include <arch/mmu.h>
#include <kernel/elf.h>
#include <kernel/kmalloc.h>
#include <kernel/lock.h>
#include <kernel/memory_object.h>
#include <kernel/page_alloc.h>
#include <kernel/process.h>
#include <kernel/program_cache.h>
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
		bool exclusive;
		uint8_t *dst = (uint8_t *)phys_to_virt(
				       memory_object_page(m, at / PAGE_SIZE, true, &exclusive)) +
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
	struct map_request rq = {&m->obj, 0, m->size, nm->prot, nm->va, 0};
	err = aspace_map(as, &rq, &mapped);
	kobject_unref(&m->obj); /* the mapping holds it now */
	return err;
}

/* The boot-image programs' images, boot_program_count of them, made on first use. */
static struct program_image *images;

/* Makes `pi` from `prog`: parses it and fills a template object per segment. */
static err_t make_image(struct program_image *pi, const struct boot_program *prog)
{
	err_t err = elf_parse(prog->data, prog->size, USER_MAP_BASE, &pi->img);

	for (unsigned i = 0; !err && i < pi->img.count; i++) {
		const struct elf_segment *s = &pi->img.segments[i];
		struct new_memory nm = {s->vaddr,
					s->mem_size,
					s->prot,
					s->data_vaddr - s->vaddr,
					prog->data + s->file_offset,
					s->file_size};
		err = memory_object_check(s->mem_size, 0);
		if (!err)
			err = memory_object_create(s->mem_size, 0, kernel_process.as.account,
						   &pi->segments[i]);
		if (!err)
			fill(pi->segments[i], &nm);
	}
	for (unsigned i = 0; err && i < ELF_MAX_SEGMENTS; i++) {
		if (pi->segments[i])
			kobject_unref(&pi->segments[i]->obj);
		pi->segments[i] = NULL;
	}
	pi->refs = err ? 0 : 1; /* kept for good */
	return err;
}

/* The loaded form of `prog`, made now if this is its first spawn. */
static err_t image_of(const struct boot_program *prog, struct program_image **out)
{
	struct program_image *pi;
	err_t err;

	if (!images) {
		images = kmalloc(boot_program_count * sizeof(*images));
		if (!images)
			return VIPER_E_NOMEM;
		memset(images, 0, boot_program_count * sizeof(*images));
	}
	pi = &images[prog - boot_programs];
	if (!pi->refs && (err = make_image(pi, prog)))
		return err;
	*out = pi;
	return VIPER_OK;
}

/*
 * Maps segment `i` of `pi` into `as`: itself when read-only, a clone when
 * writable. The clone is charged to `as`'s account; with `pays_shared` so
 * is the read-only object, for as long as the mapping lasts.
 */
static err_t map_segment(struct aspace *as, const struct program_image *pi, unsigned i,
			 bool pays_shared)
{
	const struct elf_segment *s = &pi->img.segments[i];
	struct memory_object *m = pi->segments[i];
	uint64_t mapped, charge = 0;
	err_t err = VIPER_OK;

	if (s->prot & VIPER_PROT_WRITE)
		err = memory_object_clone(m, as->account, &m);
	else
		kobject_ref(&m->obj);
	if (err)
		return err;
	if (pays_shared && !(s->prot & VIPER_PROT_WRITE))
		charge = m->size;
	struct map_request rq = {&m->obj, 0, m->size, s->prot, s->vaddr, charge};
	err = aspace_map(as, &rq, &mapped);
	kobject_unref(&m->obj); /* the mapping holds it now */
	return err;
}

/* Maps every segment of `pi` into `as`; the entry point goes to *entry. */
static err_t map_image(struct aspace *as, const struct program_image *pi, bool pays_shared,
		       uint64_t *entry)
{
	err_t err = VIPER_OK;

	for (unsigned i = 0; !err && i < pi->img.count; i++)
		err = map_segment(as, pi, i, pays_shared);
	if (!err)
		*entry = pi->img.entry;
	return err;
}

err_t elf_load(struct aspace *as, const struct boot_program *prog, uint64_t *entry)
{
	struct program_image *pi;
	err_t err = image_of(prog, &pi);

	return err ? err : map_image(as, pi, false, entry);
}

/* An ELF file in the first `size` bytes of a memory object, as an elf_reader reads it. */
struct object_file {
	struct memory_object *m;
	uint64_t size;
};

/*
 * Copies bytes [offset, offset + len) of the file through the kernel's view
 * of the object's pages; a page that is not there yet reads as zeros (and
 * stays absent). False when the range is not inside the file.
 */
static bool object_read(const void *ctx, uint64_t offset, void *buf, uint64_t len)
{
	const struct object_file *f = ctx;
	uint8_t *out = buf;

	if (offset > f->size || len > f->size - offset)
		return false;
	for (uint64_t done = 0; done < len;) {
		uint64_t at = offset + done, in_page = at & (PAGE_SIZE - 1);
		uint64_t chunk = PAGE_SIZE - in_page;
		uint64_t pa = memory_object_present(f->m, at / PAGE_SIZE);
		if (chunk > len - done)
			chunk = len - done;
		if (pa)
			memcpy(out + done, (const uint8_t *)phys_to_virt(pa) + in_page, chunk);
		else
			memset(out + done, 0, chunk);
		done += chunk;
	}
	return true;
}

/* Bytes copied between two chances for other CPUs to take the big lock. */
#define IMAGE_COPY_BATCH (1ull << 20)

/*
 * Copies the `s->file_size` bytes of segment `s` from `r` into the fresh
 * object `m`, page by page, syncing the caches for code. Between batches
 * the big lock is given back for a moment: `m` and the process it is for
 * are not visible to anyone yet, and the file's object is held by the
 * caller, so nothing used here can go away.
 */
static err_t fill_from(struct memory_object *m, const struct elf_segment *s,
		       const struct elf_reader *r)
{
	uint64_t base = s->data_vaddr - s->vaddr, since_pause = 0;

	for (uint64_t done = 0; done < s->file_size;) {
		uint64_t at = base + done;
		uint64_t chunk = PAGE_SIZE - (at & (PAGE_SIZE - 1));
		bool exclusive;
		uint8_t *dst = (uint8_t *)phys_to_virt(
				       memory_object_page(m, at / PAGE_SIZE, true, &exclusive)) +
			       (at & (PAGE_SIZE - 1));
		if (chunk > s->file_size - done)
			chunk = s->file_size - done;
		if (!r->read(r->ctx, s->file_offset + done, dst, chunk))
			return VIPER_E_CORRUPT; /* elf_parse_from checked the range: never */
		if (s->prot & VIPER_PROT_EXEC)
			mmu_sync_icache(dst, chunk);
		done += chunk;
		since_pause += chunk;
		if (since_pause >= IMAGE_COPY_BATCH && done < s->file_size) {
			since_pause = 0;
			kernel_unlock();
			kernel_lock();
		}
	}
	return VIPER_OK;
}

/*
 * Whether each segment of `pi` holds the bytes the file `ctx` (a struct
 * object_file) has for it: the image was laid out as the file's headers
 * say (program_cache_find compared them), so the bytes decide. An absent
 * page reads as zeros on either side. The big lock is given back every
 * MiB, as while copying: the caller holds `pi` and the file.
 */
static bool same_bytes(const struct program_image *pi, const void *ctx)
{
	static const uint8_t zeros[PAGE_SIZE];
	const struct object_file *f = ctx;
	uint64_t since_pause = 0;

	for (unsigned i = 0; i < pi->img.count; i++) {
		const struct elf_segment *s = &pi->img.segments[i];
		uint64_t base = s->data_vaddr - s->vaddr;
		for (uint64_t done = 0; done < s->file_size;) {
			uint64_t at = base + done, from = s->file_offset + done;
			uint64_t chunk = PAGE_SIZE - (at & (PAGE_SIZE - 1));
			uint64_t in_file = PAGE_SIZE - (from & (PAGE_SIZE - 1));
			uint64_t kept = memory_object_present(pi->segments[i], at / PAGE_SIZE);
			uint64_t file = memory_object_present(f->m, from / PAGE_SIZE);
			chunk = chunk < in_file ? chunk : in_file;
			chunk = chunk < s->file_size - done ? chunk : s->file_size - done;
			const uint8_t *a = kept ? (const uint8_t *)phys_to_virt(kept) : zeros;
			const uint8_t *b = file ? (const uint8_t *)phys_to_virt(file) : zeros;
			if (memcmp(a + (kept ? at & (PAGE_SIZE - 1) : 0),
				   b + (file ? from & (PAGE_SIZE - 1) : 0), chunk) != 0)
				return false;
			done += chunk;
			since_pause += chunk;
			if (since_pause >= IMAGE_COPY_BATCH) {
				since_pause = 0;
				kernel_unlock();
				kernel_lock();
			}
		}
	}
	return true;
}

/*
 * Checks that the segments of `img` fit `as`'s account as copies of its
 * own would, before anything is copied: VIPER_E_LIMIT when they do not.
 */
static err_t image_fits(struct aspace *as, const struct elf_image *img)
{
	uint64_t bytes = program_image_bytes(img);
	err_t err = mem_charge(as->account, bytes);

	if (!err)
		mem_uncharge(as->account, bytes);
	return err;
}

/* A new image of the file `r` reads, laid out as `img`, its segments the kernel's. */
static err_t image_from_file(const struct elf_image *img, const struct elf_reader *r,
			     struct program_image **out)
{
	struct program_image *pi = kmalloc(sizeof(*pi));
	err_t err = VIPER_OK;

	if (!pi)
		return VIPER_E_NOMEM;
	memset(pi, 0, sizeof(*pi));
	pi->refs = 1;
	pi->img = *img;
	for (unsigned i = 0; !err && i < img->count; i++) {
		const struct elf_segment *s = &img->segments[i];
		err = memory_object_check(s->mem_size, 0);
		if (!err && !s->prot)
			err = VIPER_E_INVAL; /* no access at all: aspace_map would refuse it */
		if (!err)
			err = memory_object_create(s->mem_size, 0, kernel_process.as.account,
						   &pi->segments[i]);
		if (!err)
			err = fill_from(pi->segments[i], s, r);
	}
	if (err) {
		program_image_put(pi);
		return err;
	}
	*out = pi;
	return VIPER_OK;
}

err_t elf_load_image(struct aspace *as, struct memory_object *file, uint64_t size, uint64_t *entry)
{
	struct object_file f = {file, size};
	struct elf_reader r = {object_read, &f};
	struct program_image *pi;
	struct elf_image img;
	err_t err;

	if (size > file->size)
		return VIPER_E_RANGE;
	err = elf_parse_from(&r, size, USER_MAP_BASE, &img);
	if (err)
		return err;
	pi = program_cache_find(&img, same_bytes, &f);
	bool found = pi != NULL;
	if (!found) {
		err = image_fits(as, &img);
		if (!err)
			err = image_from_file(&img, &r, &pi);
		if (err)
			return err;
	}
	err = map_image(as, pi, true, entry);
	if (!err && !found)
		(void)program_cache_add(pi); /* or, when larger than the cache, just this once */
	program_image_put(pi);
	return err;
}
