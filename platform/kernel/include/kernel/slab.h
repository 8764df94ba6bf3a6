/*
 * The slab allocator for kernel objects: each cache hands out objects of one
 * size from whole pages, each page starting with a header (so an object is
 * never page-aligned, and its page header is found by rounding down). Pages
 * come from a page source set once with slab_set_page_source. Portable: the
 * host tests run it over malloc'd pages.
 */
#ifndef KERNEL_SLAB_H
#define KERNEL_SLAB_H

#include <stddef.h>
#include <stdint.h>

#include <kernel/err.h>

struct slab_page;

struct slab_cache {
	const char *name;
	size_t size;		   /* object size, rounded to 16 */
	unsigned per_page;	   /* objects in one page */
	struct slab_page *partial; /* pages with free objects */
	struct slab_page *full;	   /* pages without */
	size_t pages;
	size_t in_use;
};

/* Where slab pages come from: one 4 KiB-aligned page, or NULL. */
struct slab_page_source {
	void *(*alloc)(void);
	void (*free)(void *page);
};

void slab_set_page_source(const struct slab_page_source *source);

/* Sets up a cache of `size`-byte objects. VIPER_E_RANGE when one would not fit a page. */
MUST_CHECK err_t slab_cache_init(struct slab_cache *c, const char *name, size_t size);

/* A zeroed object, or NULL when no page is available. */
void *slab_alloc(struct slab_cache *c);

/*
 * Returns `obj` to its cache. VIPER_E_INVAL when `obj` is not an allocated
 * object of this cache (a wild or double free); nothing changes then.
 */
MUST_CHECK err_t slab_free(struct slab_cache *c, void *obj);

/* The cache that owns the slab page `obj` lies in; NULL when it is not a slab object. */
struct slab_cache *slab_owner(const void *obj);

#endif
