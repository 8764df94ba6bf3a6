/*
 * The kernel heap: kernel objects of up to 2016 bytes come from slab caches
 * in size classes, larger ones take whole pages (kernel/page_alloc.h).
 * Under the big kernel lock.
 */
#ifndef KERNEL_KMALLOC_H
#define KERNEL_KMALLOC_H

#include <stddef.h>

#include <kernel/err.h>

/* Sets up the size classes (memory_init calls it once the pages exist). */
MUST_CHECK err_t kmalloc_init(void);

/* A zeroed kernel object of `size` bytes, or NULL. */
void *kmalloc(size_t size);
/* Frees a kmalloc'd object (NULL is ignored; a bad pointer is reported and ignored). */
void kfree(void *ptr);
/* Bytes kmalloc'd and not freed, counted by size class. */
size_t kmalloc_bytes(void);

#endif
