/*
 * Device regions (VIPER_OBJ_DEVICE): a board device's registers, which a
 * holder with the device right may map. Made at boot for every device the
 * device tree names and handed to the root process; page-aligned around
 * the device, so a device smaller than a page (a virtio-mmio slot is 0x200
 * bytes) shares its region's page with its neighbours. device_base tells
 * where in the region the device itself starts.
 */
#ifndef KERNEL_DEVICE_REGION_H
#define KERNEL_DEVICE_REGION_H

#include <stdint.h>

#include <kernel/board.h>
#include <kernel/object.h>

struct device_region {
	struct kobject obj;
	uint64_t base;	      /* page-aligned */
	uint64_t size;	      /* whole pages */
	uint64_t device_base; /* the device's registers: base <= device_base < base + size */
	enum device_kind kind;
};

/* Registers the kind with the object layer (at boot). */
void device_region_register(void);

/* A region covering device `d` (NULL without memory). */
struct device_region *device_region_create(const struct board_device *d);

static inline struct device_region *device_region_of(const struct kobject *o)
{
	return container_of(o, struct device_region, obj);
}

#endif
