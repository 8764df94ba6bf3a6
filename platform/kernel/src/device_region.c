/* Device regions (kernel/device_region.h). */
#include <kernel/device_region.h>

#include <kernel/kmalloc.h>
#include <kernel/page_alloc.h>

static void device_destroy(struct kobject *o)
{
	kfree(device_region_of(o));
}

static const struct kobject_ops device_ops = {NULL, device_destroy, NULL, NULL};

void device_region_register(void)
{
	kobject_register(VIPER_OBJ_DEVICE, &device_ops);
}

struct device_region *device_region_create(const struct board_device *d)
{
	struct device_region *r = kmalloc(sizeof(*r));

	if (!r)
		return NULL;
	kobject_init(&r->obj, VIPER_OBJ_DEVICE);
	r->base = d->base & ~(uint64_t)(PAGE_SIZE - 1);
	r->size = ((d->base + d->size + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1)) - r->base;
	r->device_base = d->base;
	r->kind = d->kind;
	return r;
}
