/*
 * The generic interrupt controller, GICv2 or GICv3, chosen at boot from the
 * device tree. Interrupt ids: 0-15 SGIs, 16-31 PPIs (per CPU), 32+ SPIs.
 */
#ifndef ARCH_GIC_H
#define ARCH_GIC_H

#include <stdbool.h>
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
	void (*send_sgi)(unsigned cpu, uint32_t sgi);
	bool (*pending)(uint32_t irq);
};

extern const struct gic_driver gicv2_driver;
extern const struct gic_driver gicv3_driver;

/*
 * Picks the driver for board->gic_version and initialises the distributor
 * and the calling CPU's interface. VIPER_E_UNSUPPORTED for another version.
 */
MUST_CHECK err_t gic_init(const struct board_info *board);

/* Sets up the calling secondary CPU's interface (the boot CPU's is done by gic_init). */
void gic_init_cpu(void);

/* Raises software-generated interrupt `sgi` (0-15) on CPU `cpu`. */
void gic_send_sgi(unsigned cpu, uint32_t sgi);

/* Enables delivery of `irq` to the boot CPU. VIPER_E_RANGE beyond the controller. */
MUST_CHECK err_t gic_enable(uint32_t irq);

void gic_disable(uint32_t irq);

/*
 * Acknowledges the highest-priority pending interrupt. The interrupt id is
 * the low 10 bits (GIC_SPURIOUS when none); pass the whole value to gic_eoi.
 */
uint32_t gic_ack(void);

/* Ends handling of the interrupt gic_ack returned; called after its handler ran. */
void gic_eoi(uint32_t irq);

/* For drivers: the interrupt ids the distributor at `gicd` implements (GICD_TYPER). */
uint32_t gic_distributor_lines(uintptr_t gicd);

/*
 * True when the distributor (or, for SGIs and PPIs, the calling CPU's
 * redistributor or banked registers) holds `irq` pending: raised by its
 * source and not yet acknowledged.
 */
bool gic_pending(uint32_t irq);

/* The controller's version (2 or 3), 0 before gic_init. */
unsigned gic_version(void);

#endif
