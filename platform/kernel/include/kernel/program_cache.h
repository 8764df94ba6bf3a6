/*
 * Loaded programs, and the cache that keeps those loaded from files.
 *
 * A struct program_image is a program as it is loaded: its checked layout
 * and each segment's bytes in a memory object of the kernel's. A process
 * maps the read-only and executable segments themselves and a
 * copy-on-write clone of each writable one (kernel/elf_loader.h), so
 * processes running one image share every page none of them writes.
 *
 * Boot-image programs have one image each for good. Programs loaded from
 * ELF files (process_spawn_image) are looked up here by their bytes: an
 * image is kept after its load, and the next load whose layout is the
 * same and whose every byte compares equal maps the kept pages instead of
 * copying the file again. So a program run again and again keeps its code
 * in the same frames, as a page cache would (under QEMU the translations
 * of its code stay valid; on hardware its cache lines stay warm). A file
 * that changed in any byte never matches: it is loaded afresh.
 *
 * The cache holds at most PROGRAM_CACHE_IMAGES images and
 * program_cache_budget() bytes, charged to the kernel's account; the
 * least recently used image goes first when a new one needs room, and
 * every image no process maps is given back when the page allocator runs
 * short (program_cache_trim, from memory_object.c). An image a process
 * still maps lives on until its last mapping goes. Under the big kernel
 * lock.
 */
#ifndef KERNEL_PROGRAM_CACHE_H
#define KERNEL_PROGRAM_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include <kernel/elf.h>
#include <kernel/memory_object.h>

#define PROGRAM_CACHE_IMAGES	8
#define PROGRAM_CACHE_MAX_BYTES (8ull << 20)

struct program_image {
	uint32_t refs; /* the cache's and each loader's now */
	uint64_t used; /* the cache's count of loads at its last use: the least is the oldest */
	struct elf_image img;
	struct memory_object *segments[ELF_MAX_SEGMENTS];
};

/* The bytes of the pages the segments of `img` cover: its segments' objects' sizes. */
uint64_t program_image_bytes(const struct elf_image *img);

/* Drops a reference; the last one frees the image and its segments' references. */
void program_image_put(struct program_image *pi);

/*
 * Whether the bytes of file image `pi` would be what a load of the file
 * `ctx` describes puts there (elf_loader.c compares the file's pages).
 */
typedef bool (*program_same_fn)(const struct program_image *pi, const void *ctx);

/*
 * The kept image laid out exactly as `img` whose bytes `same` confirms,
 * with a reference for the caller (program_image_put), or NULL. `same`
 * may give the big lock back for a moment: the candidates are held.
 */
struct program_image *program_cache_find(const struct elf_image *img, program_same_fn same,
					 const void *ctx);

/*
 * Keeps `pi` (taking a reference of its own) when it fits the budget,
 * making room by dropping the least recently used images; false when it
 * is larger than the whole budget.
 */
bool program_cache_add(struct program_image *pi);

/* Drops every kept image none of whose segments is mapped; returns the bytes let go. */
uint64_t program_cache_trim(void);

/* The cache's budget: PROGRAM_CACHE_MAX_BYTES, or a sixteenth of the RAM if less. */
uint64_t program_cache_budget(void);

/* What system_info reports. */
struct program_cache_stats {
	uint32_t images;
	uint64_t bytes;
	uint64_t hits;	 /* loads that found their image, since boot */
	uint64_t misses; /* loads from files that did not */
};
void program_cache_stats(struct program_cache_stats *out);

#endif
