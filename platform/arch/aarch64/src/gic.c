#include <arch/gic.h>

#include <stddef.h>

#include <arch/mmio.h>

enum { GICD_TYPER = 0x004 }; /* same offset in GICv2 and GICv3 */

static const struct gic_driver *driver;

err_t gic_init(const struct board_info *board)
{
	const struct gic_driver *d = board->gic_version == 2   ? &gicv2_driver
				     : board->gic_version == 3 ? &gicv3_driver
							       : NULL;
	err_t err;

	if (!d)
		return VIPER_E_UNSUPPORTED;
	err = d->init(board);
	if (err)
		return err;
	d->init_cpu();
	driver = d;
	return VIPER_OK;
}

void gic_init_cpu(void)
{
	driver->init_cpu();
}

void gic_send_sgi(unsigned cpu, uint32_t sgi)
{
	driver->send_sgi(cpu, sgi);
}

err_t gic_enable(uint32_t irq)
{
	if (irq > driver->max_irq())
		return VIPER_E_RANGE;
	driver->enable(irq);
	return VIPER_OK;
}

void gic_disable(uint32_t irq)
{
	if (irq <= driver->max_irq())
		driver->disable(irq);
}

uint32_t gic_ack(void)
{
	return driver->ack();
}

void gic_eoi(uint32_t irq)
{
	driver->eoi(irq);
}

bool gic_pending(uint32_t irq)
{
	return irq <= driver->max_irq() && driver->pending(irq);
}

uint32_t gic_distributor_lines(uintptr_t gicd)
{
	/* GICD_TYPER.ITLinesNumber: 32 * (N + 1) ids; 1020 and up are special. */
	uint32_t lines = 32 * ((mmio_read32(gicd + GICD_TYPER) & 0x1f) + 1);

	return lines > 1020 ? 1020 : lines;
}

unsigned gic_version(void)
{
	return driver ? driver->version : 0;
}
