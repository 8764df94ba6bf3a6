/* Loaded program images and the cache of those loaded from files (kernel/program_cache.h). */
#include <kernel/program_cache.h>

#include <kernel/kmalloc.h>
#include <kernel/page_alloc.h>

static struct program_image *kept[PROGRAM_CACHE_IMAGES];
static uint64_t kept_bytes, loads, hits, misses; /* loads: a count that orders uses */

uint64_t program_image_bytes(const struct elf_image *img)
{
	uint64_t bytes = 0;

	for (unsigned i = 0; i < img->count; i++)
		bytes += (img->segments[i].mem_size + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
	return bytes;
}

void program_image_put(struct program_image *pi)
{
	if (--pi->refs)
		return;
	for (unsigned i = 0; i < ELF_MAX_SEGMENTS; i++) {
		if (pi->segments[i])
			kobject_unref(&pi->segments[i]->obj);
	}
	kfree(pi);
}

/* Field by field: the structures have padding that nobody zeroed. */
static bool same_layout(const struct elf_image *a, const struct elf_image *b)
{
	if (a->entry != b->entry || a->count != b->count)
		return false;
	for (unsigned i = 0; i < a->count; i++) {
		const struct elf_segment *x = &a->segments[i], *y = &b->segments[i];
		if (x->vaddr != y->vaddr || x->mem_size != y->mem_size ||
		    x->file_offset != y->file_offset || x->file_size != y->file_size ||
		    x->data_vaddr != y->data_vaddr || x->prot != y->prot)
			return false;
	}
	return true;
}

struct program_image *program_cache_find(const struct elf_image *img, program_same_fn same,
					 const void *ctx)
{
	struct program_image *candidates[PROGRAM_CACHE_IMAGES], *found = NULL;
	unsigned n = 0;

	for (unsigned i = 0; i < PROGRAM_CACHE_IMAGES; i++) {
		if (kept[i] && same_layout(&kept[i]->img, img)) {
			kept[i]->refs++; /* `same` may let others in, who may drop it from the cache
					  */
			candidates[n++] = kept[i];
		}
	}
	for (unsigned i = 0; i < n; i++) {
		if (!found && same(candidates[i], ctx))
			found = candidates[i];
		else
			program_image_put(candidates[i]);
	}
	if (found) {
		found->used = ++loads;
		hits++;
	} else {
		misses++;
	}
	return found;
}

static void drop(unsigned slot)
{
	struct program_image *pi = kept[slot];

	kept[slot] = NULL;
	kept_bytes -= program_image_bytes(&pi->img);
	program_image_put(pi);
}

/* The slot of the least recently used image, or PROGRAM_CACHE_IMAGES when none is kept. */
static unsigned oldest(void)
{
	unsigned slot = PROGRAM_CACHE_IMAGES;

	for (unsigned i = 0; i < PROGRAM_CACHE_IMAGES; i++) {
		if (kept[i] && (slot == PROGRAM_CACHE_IMAGES || kept[i]->used < kept[slot]->used))
			slot = i;
	}
	return slot;
}

static unsigned free_slot(void)
{
	unsigned slot = 0;

	while (slot < PROGRAM_CACHE_IMAGES && kept[slot])
		slot++;
	return slot;
}

bool program_cache_add(struct program_image *pi)
{
	uint64_t budget = program_cache_budget(), bytes = program_image_bytes(&pi->img);
	unsigned slot;

	if (bytes > budget)
		return false;
	while (kept_bytes + bytes > budget || free_slot() == PROGRAM_CACHE_IMAGES)
		drop(oldest()); /* something is kept while either holds */
	slot = free_slot();
	kept[slot] = pi;
	pi->refs++;
	pi->used = ++loads;
	kept_bytes += bytes;
	return true;
}

static bool mapped(const struct program_image *pi)
{
	for (unsigned i = 0; i < pi->img.count; i++) {
		if (pi->segments[i] && pi->segments[i]->mappings)
			return true;
	}
	return false;
}

uint64_t program_cache_trim(void)
{
	uint64_t before = kept_bytes;

	for (unsigned i = 0; i < PROGRAM_CACHE_IMAGES; i++) {
		if (kept[i] && !mapped(kept[i]))
			drop(i);
	}
	return before - kept_bytes;
}

uint64_t program_cache_budget(void)
{
	struct memory_stats stats;
	uint64_t sixteenth;

	memory_stats(&stats);
	sixteenth = (uint64_t)stats.total_pages * PAGE_SIZE / 16;
	return sixteenth < PROGRAM_CACHE_MAX_BYTES ? sixteenth : PROGRAM_CACHE_MAX_BYTES;
}

void program_cache_stats(struct program_cache_stats *out)
{
	out->images = 0;
	for (unsigned i = 0; i < PROGRAM_CACHE_IMAGES; i++)
		out->images += kept[i] != NULL;
	out->bytes = kept_bytes;
	out->hits = hits;
	out->misses = misses;
}
