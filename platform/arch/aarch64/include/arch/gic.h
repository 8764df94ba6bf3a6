/*
 * The generic interrupt controller, GICv2 or GICv3, chosen at boot from the
 * device tree. Interrupt ids: 0-15 SGIs, 16-31 PPIs (per CPU), 32+ SPIs.
 */
#ifndef ARCH_GIC_H
#define ARCH_GIC_H

#include <stdint.h>

#include <kernel/board.h>
#include <kernel/err.h>

#define GIC_SPURIOUS 1023

/* One implementation of the controller (gicv2.c, gicv3.c). */
struct gic_driver {
	unsigned version;
	err_t (*init)(const struct board_info *board);
	void (*init_cpu)(void);
	void (*enable)(uint32_t irq);
	void (*disable)(uint32_t irq);
	uint32_t (*ack)(void);
	void (*eoi)(uint32_t irq);
	uint32_t (*max_irq)(void);
};

extern const struct gic_driver gicv2_driver;
extern const struct gic_driver gicv3_driver;

/*
 * Picks the driver for board->gic_version and initialises the distributor
 * and the calling CPU's interface. VIPER_E_UNSUPPORTED for another version.
 */
MUST_CHECK err_t gic_init(const struct board_info *board);

/* Enables delivery of `irq` to the boot CPU. VIPER_E_RANGE beyond the controller. */
MUST_CHECK err_t gic_enable(uint32_t irq);

void gic_disable(uint32_t irq);

/* Acknowledges the highest-priority pending interrupt; GIC_SPURIOUS when none. */
uint32_t gic_ack(void);

/* Ends handling of `irq`; called after its handler ran. */
void gic_eoi(uint32_t irq);

/* For drivers: the interrupt ids the distributor at `gicd` implements (GICD_TYPER). */
uint32_t gic_distributor_lines(uintptr_t gicd);

/* The controller's version (2 or 3), 0 before gic_init. */
unsigned gic_version(void);

#endif
