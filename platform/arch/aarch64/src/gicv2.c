/* GICv2: memory-mapped distributor and CPU interface (QEMU virt's default). */
#include <arch/gic.h>

#include <arch/mmio.h>
#include <kernel/page_alloc.h>

enum {
	GICD_CTLR = 0x000,
	GICD_ISENABLER = 0x100,
	GICD_ICENABLER = 0x180,
	GICD_ISPENDR = 0x200,
	GICD_IPRIORITYR = 0x400,
	GICD_ITARGETSR = 0x800,
	GICD_SGIR = 0xf00,

	GICC_CTLR = 0x000,
	GICC_PMR = 0x004,
	GICC_BPR = 0x008,
	GICC_IAR = 0x00c,
	GICC_EOIR = 0x010,

	DEFAULT_PRIORITY = 0xa0,
	PRIORITY_MASK = 0xf0, /* lets every priority below 0xf0 through */
};

static uintptr_t gicd;
static uintptr_t gicc;
static uint32_t lines; /* number of interrupt ids the distributor implements */

static err_t v2_init(const struct board_info *board)
{
	gicd = (uintptr_t)phys_to_virt(board->gicd_base);
	gicc = (uintptr_t)phys_to_virt(board->gicc_base);
	lines = gic_distributor_lines(gicd);

	mmio_write32(gicd + GICD_CTLR, 0);
	for (uint32_t i = 32; i < lines; i += 32)
		mmio_write32(gicd + GICD_ICENABLER + i / 8, 0xffffffff);
	for (uint32_t i = 32; i < lines; i += 4) {
		mmio_write32(gicd + GICD_IPRIORITYR + i, 0x01010101u * DEFAULT_PRIORITY);
		mmio_write32(gicd + GICD_ITARGETSR + i, 0x01010101u); /* CPU 0 */
	}
	mmio_write32(gicd + GICD_CTLR, 1);
	return VIPER_OK;
}

static void v2_init_cpu(void)
{
	/* SGIs and PPIs are banked per CPU. */
	mmio_write32(gicd + GICD_ICENABLER, 0xffffffff);
	for (uint32_t i = 0; i < 32; i += 4)
		mmio_write32(gicd + GICD_IPRIORITYR + i, 0x01010101u * DEFAULT_PRIORITY);
	mmio_write32(gicc + GICC_PMR, PRIORITY_MASK);
	mmio_write32(gicc + GICC_BPR, 0);
	mmio_write32(gicc + GICC_CTLR, 1);
}

static void v2_enable(uint32_t irq)
{
	mmio_write32(gicd + GICD_ISENABLER + 4 * (irq / 32), 1u << (irq % 32));
}

static void v2_disable(uint32_t irq)
{
	mmio_write32(gicd + GICD_ICENABLER + 4 * (irq / 32), 1u << (irq % 32));
}

static uint32_t v2_ack(void)
{
	return mmio_read32(gicc + GICC_IAR) & 0x1fff; /* id and, for SGIs, the source CPU */
}

static void v2_eoi(uint32_t irq)
{
	mmio_write32(gicc + GICC_EOIR, irq);
}

static bool v2_pending(uint32_t irq)
{
	/* SGIs and PPIs are banked: the calling CPU's view. */
	return mmio_read32(gicd + GICD_ISPENDR + 4 * (irq / 32)) & (1u << (irq % 32));
}

static void v2_send_sgi(unsigned cpu, uint32_t sgi)
{
	__asm__ volatile("dsb ishst" ::: "memory");
	mmio_write32(gicd + GICD_SGIR, (1u << (16 + cpu)) | sgi);
}

static uint32_t v2_max_irq(void)
{
	return lines - 1;
}

const struct gic_driver gicv2_driver = {
	.version = 2,
	.init = v2_init,
	.init_cpu = v2_init_cpu,
	.enable = v2_enable,
	.disable = v2_disable,
	.ack = v2_ack,
	.eoi = v2_eoi,
	.max_irq = v2_max_irq,
	.send_sgi = v2_send_sgi,
	.pending = v2_pending,
};
