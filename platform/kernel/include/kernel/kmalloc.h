/*
 * The kernel heap: kernel objects of up to 2016 bytes come from slab caches
 * in size classes, larger ones take whole pages (kernel/page_alloc.h).
 * Under the big kernel lock.
 */
#ifndef KERNEL_KMALLOC_H
#define KERNEL_KMALLOC_H

#include <stddef.h>

#include <kernel/err.h>
#include <kernel/quota.h>

/* Sets up the size classes (memory_init calls it once the pages exist). */
MUST_CHECK err_t kmalloc_init(void);

/* A zeroed kernel object of `size` bytes, or NULL. */
void *kmalloc(size_t size);
/* Frees a kmalloc'd object (NULL is ignored; a bad pointer is reported and ignored). */
void kfree(void *ptr);
/* The bytes kmalloc(size) takes: its size class, or the pages above them. */
size_t kmalloc_usable(size_t size);

/*
 * kmalloc, charged to the kernel bookkeeping of `a` (kmalloc_usable bytes),
 * which gains a reference: VIPER_E_LIMIT when the charge does not fit its
 * limit, VIPER_E_NOMEM without memory.
 */
MUST_CHECK err_t kmalloc_charged(struct mem_account *a, size_t size, void **out);
/* Frees what kmalloc_charged(a, size) gave, giving back the charge and the reference. */
void kfree_charged(struct mem_account *a, void *ptr, size_t size);

/* Bytes kmalloc'd and not freed, counted by size class. */
size_t kmalloc_bytes(void);

#endif
