/*
 * GICv3: memory-mapped distributor and per-CPU redistributors, system
 * register CPU interface (QEMU virt with gic-version=3).
 */
#include <arch/gic.h>

#include <arch/boot.h>
#include <arch/mmio.h>
#include <arch/sysreg.h>
#include <kernel/page_alloc.h>

enum {
	GICD_CTLR = 0x0000,
	GICD_IGROUPR = 0x0080,
	GICD_ISENABLER = 0x0100,
	GICD_ICENABLER = 0x0180,
	GICD_ISPENDR = 0x0200,
	GICD_IPRIORITYR = 0x0400,
	GICD_IROUTER = 0x6000,

	GICD_CTLR_RWP = 1u << 31,
	GICD_CTLR_ARE = 1u << 4,
	GICD_CTLR_GRP1 = (1u << 1) | (1u << 0), /* both security views */

	GICR_TYPER = 0x0008,
	GICR_WAKER = 0x0014,
	GICR_SGI = 0x10000, /* the SGI/PPI frame follows the control frame */
	GICR_IGROUPR0 = GICR_SGI + 0x0080,
	GICR_ISENABLER0 = GICR_SGI + 0x0100,
	GICR_ICENABLER0 = GICR_SGI + 0x0180,
	GICR_ISPENDR0 = GICR_SGI + 0x0200,
	GICR_IPRIORITYR = GICR_SGI + 0x0400,

	GICR_TYPER_VLPIS = 1u << 1,
	GICR_TYPER_LAST = 1u << 4,
	GICR_WAKER_SLEEP = 1u << 1,
	GICR_WAKER_ASLEEP = 1u << 2,

	DEFAULT_PRIORITY = 0xa0,
	PRIORITY_MASK = 0xf0,
	SPIN_LIMIT = 1000000,
};

static uintptr_t gicd;
static uintptr_t gicr_base;
static uint64_t gicr_size;
static uintptr_t gicr_of[MAX_CPUS]; /* each CPU's redistributor */
static uint32_t lines;

static err_t wait_clear(uintptr_t reg, uint32_t mask)
{
	for (int i = 0; i < SPIN_LIMIT; i++) {
		if ((mmio_read32(reg) & mask) == 0)
			return VIPER_OK;
	}
	return VIPER_E_UNSUPPORTED;
}

/* Finds the redistributor whose affinity matches this CPU's MPIDR. */
static uintptr_t find_redistributor(void)
{
	uint64_t mpidr = read_sysreg(mpidr_el1);
	uint32_t aff = (uint32_t)((mpidr & 0xffffff) | ((mpidr >> 8) & 0xff000000));
	uint64_t off = 0;

	while (off + 2 * GICR_SGI <= gicr_size) {
		uint64_t typer = mmio_read64(gicr_base + off + GICR_TYPER);
		if ((uint32_t)(typer >> 32) == aff)
			return gicr_base + off;
		if (typer & GICR_TYPER_LAST)
			break;
		off += (typer & GICR_TYPER_VLPIS) ? 4 * GICR_SGI : 2 * GICR_SGI;
	}
	return 0;
}

static err_t v3_init(const struct board_info *board)
{
	gicd = (uintptr_t)phys_to_virt(board->gicd_base);
	gicr_base = (uintptr_t)phys_to_virt(board->gicr_base);
	gicr_size = board->gicr_size;
	lines = gic_distributor_lines(gicd);

	mmio_write32(gicd + GICD_CTLR, 0);
	if (wait_clear(gicd + GICD_CTLR, GICD_CTLR_RWP))
		return VIPER_E_UNSUPPORTED;
	for (uint32_t i = 32; i < lines; i += 32) {
		mmio_write32(gicd + GICD_ICENABLER + i / 8, 0xffffffff);
		mmio_write32(gicd + GICD_IGROUPR + i / 8, 0xffffffff);
	}
	for (uint32_t i = 32; i < lines; i += 4)
		mmio_write32(gicd + GICD_IPRIORITYR + i, 0x01010101u * DEFAULT_PRIORITY);
	mmio_write32(gicd + GICD_CTLR, GICD_CTLR_ARE);
	if (wait_clear(gicd + GICD_CTLR, GICD_CTLR_RWP))
		return VIPER_E_UNSUPPORTED;
	mmio_write32(gicd + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_GRP1);
	/* Route every SPI to the boot CPU (affinity 0.0.0.0). */
	for (uint32_t i = 32; i < lines; i++)
		mmio_write64(gicd + GICD_IROUTER + 8 * i, 0);

	if (!find_redistributor())
		return VIPER_E_NOTFOUND;
	return VIPER_OK;
}

static void v3_init_cpu(void)
{
	uintptr_t gicr = find_redistributor();

	gicr_of[cpu_id() % MAX_CPUS] = gicr;
	uint32_t waker = mmio_read32(gicr + GICR_WAKER);

	mmio_write32(gicr + GICR_WAKER, waker & ~GICR_WAKER_SLEEP);
	(void)wait_clear(gicr + GICR_WAKER, GICR_WAKER_ASLEEP);
	mmio_write32(gicr + GICR_ICENABLER0, 0xffffffff);
	mmio_write32(gicr + GICR_IGROUPR0, 0xffffffff);
	for (uint32_t i = 0; i < 32; i += 4)
		mmio_write32(gicr + GICR_IPRIORITYR + i, 0x01010101u * DEFAULT_PRIORITY);

	write_sysreg(S3_0_C12_C12_5, read_sysreg(S3_0_C12_C12_5) | 1); /* ICC_SRE_EL1.SRE */
	isb();
	write_sysreg(S3_0_C4_C6_0, PRIORITY_MASK); /* ICC_PMR_EL1 */
	write_sysreg(S3_0_C12_C12_3, 0);	   /* ICC_BPR1_EL1 */
	write_sysreg(S3_0_C12_C12_7, 1);	   /* ICC_IGRPEN1_EL1 */
	isb();
}

static void v3_enable(uint32_t irq)
{
	if (irq < 32)
		mmio_write32(gicr_of[cpu_id() % MAX_CPUS] + GICR_ISENABLER0, 1u << irq);
	else
		mmio_write32(gicd + GICD_ISENABLER + 4 * (irq / 32), 1u << (irq % 32));
}

static void v3_disable(uint32_t irq)
{
	if (irq < 32)
		mmio_write32(gicr_of[cpu_id() % MAX_CPUS] + GICR_ICENABLER0, 1u << irq);
	else
		mmio_write32(gicd + GICD_ICENABLER + 4 * (irq / 32), 1u << (irq % 32));
}

static uint32_t v3_ack(void)
{
	return (uint32_t)read_sysreg(S3_0_C12_C12_0) & 0xffffff; /* ICC_IAR1_EL1 */
}

static void v3_eoi(uint32_t irq)
{
	write_sysreg(S3_0_C12_C12_1, irq); /* ICC_EOIR1_EL1 */
	isb();
}

static void v3_send_sgi(unsigned cpu, uint32_t sgi)
{
	__asm__ volatile("dsb ishst" ::: "memory");
	write_sysreg(S3_0_C12_C11_5, ((uint64_t)sgi << 24) | (1u << cpu)); /* ICC_SGI1R_EL1 */
	isb();
}

static bool v3_pending(uint32_t irq)
{
	if (irq < 32)
		return mmio_read32(gicr_of[cpu_id() % MAX_CPUS] + GICR_ISPENDR0) & (1u << irq);
	return mmio_read32(gicd + GICD_ISPENDR + 4 * (irq / 32)) & (1u << (irq % 32));
}

static uint32_t v3_max_irq(void)
{
	return lines - 1;
}

const struct gic_driver gicv3_driver = {
	.version = 3,
	.init = v3_init,
	.init_cpu = v3_init_cpu,
	.enable = v3_enable,
	.disable = v3_disable,
	.ack = v3_ack,
	.eoi = v3_eoi,
	.max_irq = v3_max_irq,
	.send_sgi = v3_send_sgi,
	.pending = v3_pending,
};
