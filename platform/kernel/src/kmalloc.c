/* The kernel heap: slab caches in size classes, whole pages above them (kernel/kmalloc.h). */
#include <kernel/kmalloc.h>

#include <kernel/console.h>
#include <kernel/page_alloc.h>
#include <kernel/slab.h>

static size_t heap_bytes;

/* kmalloc's size classes; anything larger takes whole pages. */
static const size_t class_sizes[] = {32, 64, 128, 256, 512, 1024, 2016};
#define CLASSES (sizeof(class_sizes) / sizeof(class_sizes[0]))
static struct slab_cache classes[CLASSES];
static const char *const class_names[CLASSES] = {"kmalloc-32",	"kmalloc-64",  "kmalloc-128",
						 "kmalloc-256", "kmalloc-512", "kmalloc-1024",
						 "kmalloc-2016"};

static void *slab_page_alloc(void)
{
	uint64_t pa = page_alloc(0);

	return pa ? phys_to_virt(pa) : NULL;
}

static void slab_page_free(void *page)
{
	page_free(virt_to_phys(page));
}

static const struct slab_page_source slab_pages = {slab_page_alloc, slab_page_free};

err_t kmalloc_init(void)
{
	slab_set_page_source(&slab_pages);
	for (unsigned i = 0; i < CLASSES; i++) {
		err_t err = slab_cache_init(&classes[i], class_names[i], class_sizes[i]);
		if (err)
			return err;
	}
	return VIPER_OK;
}

void *kmalloc(size_t size)
{
	for (unsigned i = 0; i < CLASSES; i++) {
		if (size <= classes[i].size) {
			void *p = slab_alloc(&classes[i]);
			if (p)
				heap_bytes += classes[i].size;
			return p;
		}
	}
	uint64_t pa = page_alloc(buddy_order_for(size));
	if (!pa)
		return NULL;
	heap_bytes += PAGE_SIZE << page_block_order(pa);
	return phys_to_virt(pa);
}

void kfree(void *ptr)
{
	struct slab_cache *c;

	if (!ptr)
		return;
	c = slab_owner(ptr);
	if (c) {
		if (slab_free(c, ptr) == VIPER_OK)
			heap_bytes -= c->size;
		else
			kprintf("kernel: bad kfree of %p ignored\n", ptr);
		return;
	}
	int order = page_block_order(virt_to_phys(ptr));
	if (order < 0) {
		kprintf("kernel: bad kfree of %p ignored\n", ptr);
		return;
	}
	heap_bytes -= PAGE_SIZE << order;
	page_free(virt_to_phys(ptr));
}

size_t kmalloc_usable(size_t size)
{
	for (unsigned i = 0; i < CLASSES; i++) {
		if (size <= classes[i].size)
			return classes[i].size;
	}
	return (size_t)PAGE_SIZE << buddy_order_for(size);
}

err_t kmalloc_charged(struct mem_account *a, size_t size, void **out)
{
	size_t bytes = kmalloc_usable(size);
	err_t err = mem_charge_kernel(a, bytes);

	if (err)
		return err;
	*out = kmalloc(size);
	if (!*out) {
		mem_uncharge_kernel(a, bytes);
		return VIPER_E_NOMEM;
	}
	a->refs++;
	return VIPER_OK;
}

void kfree_charged(struct mem_account *a, void *ptr, size_t size)
{
	if (!ptr)
		return;
	kfree(ptr);
	mem_uncharge_kernel(a, kmalloc_usable(size));
	mem_account_put(a);
}

size_t kmalloc_bytes(void)
{
	return heap_bytes;
}
