/*
 * The virtio-mmio transport (virtio 1.1, 4.2), shared by every virtio
 * driver: legacy devices (version 1, QEMU 7.2's default) and modern ones
 * (version 2, -global virtio-mmio.force-legacy=false), the status
 * handshake, feature negotiation, configuration space and interrupts. The
 * queues are in viper/virtq.h. Portable C: the registers are reached
 * through a struct virtio_bus (volatile MMIO in a driver, a fake device in
 * host tests), so nothing here assumes a platform.
 *
 * Nothing a device says is trusted: a device that is not what the driver
 * asked for, that refuses the features the driver needs, or that never
 * sets a status gets an error (VIPER_E_UNSUPPORTED, VIPER_E_CORRUPT), and
 * the transport marks it FAILED.
 */
#ifndef VIPER_VIRTIO_MMIO_H
#define VIPER_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stdint.h>

/* Registers (offsets in the transport's window). */
enum virtio_mmio_reg {
	VIRTIO_MMIO_MAGIC = 0x000,
	VIRTIO_MMIO_VERSION = 0x004,
	VIRTIO_MMIO_DEVICE_ID = 0x008,
	VIRTIO_MMIO_VENDOR_ID = 0x00c,
	VIRTIO_MMIO_DEVICE_FEATURES = 0x010,
	VIRTIO_MMIO_DEVICE_FEATURES_SEL = 0x014,
	VIRTIO_MMIO_DRIVER_FEATURES = 0x020,
	VIRTIO_MMIO_DRIVER_FEATURES_SEL = 0x024,
	VIRTIO_MMIO_GUEST_PAGE_SIZE = 0x028, /* legacy */
	VIRTIO_MMIO_QUEUE_SEL = 0x030,
	VIRTIO_MMIO_QUEUE_NUM_MAX = 0x034,
	VIRTIO_MMIO_QUEUE_NUM = 0x038,
	VIRTIO_MMIO_QUEUE_ALIGN = 0x03c, /* legacy */
	VIRTIO_MMIO_QUEUE_PFN = 0x040,	 /* legacy */
	VIRTIO_MMIO_QUEUE_READY = 0x044, /* modern */
	VIRTIO_MMIO_QUEUE_NOTIFY = 0x050,
	VIRTIO_MMIO_INTERRUPT_STATUS = 0x060,
	VIRTIO_MMIO_INTERRUPT_ACK = 0x064,
	VIRTIO_MMIO_STATUS = 0x070,
	VIRTIO_MMIO_QUEUE_DESC_LOW = 0x080, /* modern, as the next five */
	VIRTIO_MMIO_QUEUE_DESC_HIGH = 0x084,
	VIRTIO_MMIO_QUEUE_DRIVER_LOW = 0x090,
	VIRTIO_MMIO_QUEUE_DRIVER_HIGH = 0x094,
	VIRTIO_MMIO_QUEUE_DEVICE_LOW = 0x0a0,
	VIRTIO_MMIO_QUEUE_DEVICE_HIGH = 0x0a4,
	VIRTIO_MMIO_CONFIG_GENERATION = 0x0fc, /* modern */
	VIRTIO_MMIO_CONFIG = 0x100,
};

#define VIRTIO_MMIO_MAGIC_VALUE 0x74726976u /* "virt", little-endian */

/* Device status bits (virtio 1.1, 2.1). */
enum virtio_status {
	VIRTIO_STATUS_ACKNOWLEDGE = 1,
	VIRTIO_STATUS_DRIVER = 2,
	VIRTIO_STATUS_DRIVER_OK = 4,
	VIRTIO_STATUS_FEATURES_OK = 8,
	VIRTIO_STATUS_NEEDS_RESET = 64,
	VIRTIO_STATUS_FAILED = 128,
};

#define VIRTIO_F_VERSION_1 (1ull << 32) /* a modern device: required in version 2 */

/* InterruptStatus bits. */
#define VIRTIO_INTERRUPT_USED	1u /* a queue has new used buffers */
#define VIRTIO_INTERRUPT_CONFIG 2u /* the configuration changed */

/* How the transport reaches a device's registers (32-bit, little-endian). */
struct virtio_bus {
	uint32_t (*read32)(void *context, uint32_t offset);
	void (*write32)(void *context, uint32_t offset, uint32_t value);
	void *context;
};

/*
 * The bus of a mapped register window (a driver's struct viper_device
 * `regs`): volatile 32-bit loads and stores.
 */
struct virtio_bus virtio_mmio_bus(volatile void *regs);

/* A device being driven. */
struct virtio_device {
	struct virtio_bus bus;
	uint32_t version;   /* 1 (legacy) or 2 (modern) */
	uint32_t device_id; /* 1 net, 2 blk, 4 rng, ... */
	uint64_t features;  /* what the driver and the device agreed on */
};

/*
 * Finds a device of `device_id` behind `bus`, resets it and negotiates:
 * it accepts the features it offers among `wanted` (VERSION_1 added for a
 * modern device), and fails unless every feature in `required` is among
 * them. Returns VIPER_OK, with the device in ACKNOWLEDGE | DRIVER (|
 * FEATURES_OK), ready for its queues; VIPER_E_NOTFOUND for no virtio-mmio
 * device or one of another ID; VIPER_E_UNSUPPORTED for a version this
 * transport does not know, a modern device without VERSION_1 or missing a
 * required feature; VIPER_E_CORRUPT for a device that does not keep
 * FEATURES_OK. On an error the device is left FAILED (when one answered).
 */
int32_t virtio_device_init(struct virtio_device *d, const struct virtio_bus *bus,
			   uint32_t device_id, uint64_t wanted, uint64_t required);

/* Sets DRIVER_OK once the queues are set up: the device may use them. */
void virtio_device_ready(struct virtio_device *d);

/* Resets the device (status 0): it forgets its queues and stops using their memory. */
void virtio_device_reset(struct virtio_device *d);

/* Marks the device FAILED: the driver gives up on it. */
void virtio_device_fail(struct virtio_device *d);

/* Whether the device asks to be reset (NEEDS_RESET). */
bool virtio_device_needs_reset(const struct virtio_device *d);

/*
 * Reads `size` bytes (1, 2, 4 or 8) of the device's configuration at
 * `offset` into *value, little-endian, as one consistent snapshot (a modern
 * device's generation counter is checked around the read). VIPER_E_RANGE
 * for an offset or size the transport cannot read; VIPER_E_BUSY when the
 * configuration kept changing.
 */
int32_t virtio_config_read(const struct virtio_device *d, uint32_t offset, uint32_t size,
			   uint64_t *value);

/* Reads and acknowledges the pending interrupt causes (VIRTIO_INTERRUPT_*). */
uint32_t virtio_interrupt_take(struct virtio_device *d);

#endif
