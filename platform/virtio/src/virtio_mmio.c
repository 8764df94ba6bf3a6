/* The virtio-mmio transport (viper/virtio_mmio.h). */
#include <viper/virtio_mmio.h>

#include <viper/abi.h>

#define CONFIG_RETRIES 8 /* reads of a modern device's configuration before VIPER_E_BUSY */

static uint32_t mmio_read(void *regs, uint32_t offset)
{
	return ((volatile const uint32_t *)regs)[offset / 4];
}

static void mmio_write(void *regs, uint32_t offset, uint32_t value)
{
	((volatile uint32_t *)regs)[offset / 4] = value;
}

struct virtio_bus virtio_mmio_bus(volatile void *regs)
{
	return (struct virtio_bus){mmio_read, mmio_write, (void *)(uintptr_t)regs};
}

static uint32_t rd(const struct virtio_device *d, uint32_t offset)
{
	return d->bus.read32(d->bus.context, offset);
}

static void wr(const struct virtio_device *d, uint32_t offset, uint32_t value)
{
	d->bus.write32(d->bus.context, offset, value);
}

static void add_status(struct virtio_device *d, uint32_t bits)
{
	wr(d, VIRTIO_MMIO_STATUS, rd(d, VIRTIO_MMIO_STATUS) | bits);
}

static int32_t fail(struct virtio_device *d, int32_t err)
{
	virtio_device_fail(d);
	return err;
}

/* The features the device offers: 32 bits for a legacy device, 64 for a modern one. */
static uint64_t device_features(const struct virtio_device *d)
{
	uint64_t f;

	wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	f = rd(d, VIRTIO_MMIO_DEVICE_FEATURES);
	if (d->version == 1)
		return f;
	wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	return f | (uint64_t)rd(d, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
}

static void driver_features(const struct virtio_device *d, uint64_t f)
{
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
	if (d->version == 1)
		return;
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
}

/* Feature negotiation (virtio 1.1, 3.1.1 steps 4-6). */
static int32_t negotiate(struct virtio_device *d, uint64_t wanted, uint64_t required)
{
	uint64_t offered = device_features(d);

	if (d->version == 2) {
		if (!(offered & VIRTIO_F_VERSION_1))
			return fail(d, VIPER_E_UNSUPPORTED);
		wanted |= VIRTIO_F_VERSION_1;
	} else {
		wanted &= 0xffffffffu;
	}
	d->features = offered & wanted;
	if ((d->features & required) != required)
		return fail(d, VIPER_E_UNSUPPORTED);
	driver_features(d, d->features);
	if (d->version == 1) {
		wr(d, VIRTIO_MMIO_GUEST_PAGE_SIZE, 4096); /* the legacy queue PFNs' unit */
		return VIPER_OK;
	}
	add_status(d, VIRTIO_STATUS_FEATURES_OK);
	if (!(rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
		return fail(d, VIPER_E_CORRUPT); /* it refused them, or never keeps the bit */
	return VIPER_OK;
}

int32_t virtio_device_init(struct virtio_device *d, const struct virtio_bus *bus,
			   uint32_t device_id, uint64_t wanted, uint64_t required)
{
	d->bus = *bus;
	d->version = 0;
	d->device_id = 0;
	d->features = 0;
	if (rd(d, VIRTIO_MMIO_MAGIC) != VIRTIO_MMIO_MAGIC_VALUE)
		return VIPER_E_NOTFOUND;
	d->version = rd(d, VIRTIO_MMIO_VERSION);
	d->device_id = rd(d, VIRTIO_MMIO_DEVICE_ID);
	if (d->device_id == 0 || d->device_id != device_id)
		return VIPER_E_NOTFOUND; /* an empty slot, or another kind of device */
	if (d->version != 1 && d->version != 2)
		return VIPER_E_UNSUPPORTED;
	virtio_device_reset(d);
	if (rd(d, VIRTIO_MMIO_STATUS) != 0)
		return fail(d, VIPER_E_CORRUPT); /* a reset it did not do */
	add_status(d, VIRTIO_STATUS_ACKNOWLEDGE);
	add_status(d, VIRTIO_STATUS_DRIVER);
	return negotiate(d, wanted, required);
}

void virtio_device_ready(struct virtio_device *d)
{
	add_status(d, VIRTIO_STATUS_DRIVER_OK);
}

void virtio_device_reset(struct virtio_device *d)
{
	wr(d, VIRTIO_MMIO_STATUS, 0);
}

void virtio_device_fail(struct virtio_device *d)
{
	add_status(d, VIRTIO_STATUS_FAILED);
}

bool virtio_device_needs_reset(const struct virtio_device *d)
{
	return (rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET) != 0;
}

/* `size` bytes at `offset` of the configuration, from the 32-bit words that hold them. */
static uint64_t config_bytes(const struct virtio_device *d, uint32_t offset, uint32_t size)
{
	uint64_t v = 0;

	for (uint32_t i = 0; i < size; i++) {
		uint32_t at = offset + i;
		uint32_t word = rd(d, VIRTIO_MMIO_CONFIG + (at & ~3u));

		v |= (uint64_t)((word >> (at & 3) * 8) & 0xff) << i * 8;
	}
	return v;
}

int32_t virtio_config_read(const struct virtio_device *d, uint32_t offset, uint32_t size,
			   uint64_t *value)
{
	if ((size != 1 && size != 2 && size != 4 && size != 8) || offset > 0xe00 - size)
		return VIPER_E_RANGE; /* the window is 0x1000 bytes, the configuration from 0x100 */
	if (d->version == 1) {
		*value = config_bytes(d, offset, size);
		return VIPER_OK;
	}
	for (int i = 0; i < CONFIG_RETRIES; i++) {
		uint32_t before = rd(d, VIRTIO_MMIO_CONFIG_GENERATION);
		uint64_t v = config_bytes(d, offset, size);

		if (rd(d, VIRTIO_MMIO_CONFIG_GENERATION) == before) {
			*value = v;
			return VIPER_OK;
		}
	}
	return VIPER_E_BUSY;
}

uint32_t virtio_interrupt_take(struct virtio_device *d)
{
	uint32_t causes = rd(d, VIRTIO_MMIO_INTERRUPT_STATUS);

	if (causes)
		wr(d, VIRTIO_MMIO_INTERRUPT_ACK, causes);
	return causes & (VIRTIO_INTERRUPT_USED | VIRTIO_INTERRUPT_CONFIG);
}
