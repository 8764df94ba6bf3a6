/*
 * What the kernel needs to know about the machine, read once from the device
 * tree at boot: memory, interrupt controller, timer, console, firmware
 * interface, CPUs and devices.
 */
#ifndef KERNEL_BOARD_H
#define KERNEL_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kernel/err.h>

#define BOARD_MAX_MEMORY   8
#define BOARD_MAX_DEVICES  48
#define BOARD_BOOTARGS_MAX 256

enum psci_conduit {
	PSCI_NONE = 0,
	PSCI_HVC,
	PSCI_SMC,
};

enum device_kind {
	DEVICE_UART_PL011 = 1,
	DEVICE_RTC_PL031,
	DEVICE_VIRTIO_MMIO,
	DEVICE_FW_CFG,
	DEVICE_GPIO_PL061,
};

struct mem_range {
	uint64_t base;
	uint64_t size;
};

/* A device the kernel may later grant to a component by capability. */
struct board_device {
	enum device_kind kind;
	uint64_t base;
	uint64_t size;
	uint32_t irq; /* GIC interrupt id, 0 when none */
};

struct board_info {
	struct mem_range memory[BOARD_MAX_MEMORY];
	unsigned memory_count;

	unsigned gic_version; /* 2 or 3 */
	uint64_t gicd_base;   /* distributor */
	uint64_t gicc_base;   /* GICv2 CPU interface */
	uint64_t gicr_base;   /* GICv3 redistributors */
	uint64_t gicr_size;

	uint32_t timer_phys_irq; /* EL1 physical timer interrupt id */
	uint32_t timer_virt_irq; /* virtual timer interrupt id */

	enum psci_conduit psci;
	unsigned cpu_count;

	struct board_device devices[BOARD_MAX_DEVICES];
	unsigned device_count;
	unsigned devices_dropped; /* devices beyond BOARD_MAX_DEVICES */

	char bootargs[BOARD_BOOTARGS_MAX];
};

/*
 * Reads the device tree at `blob` (at most `max_size` bytes) into `out`.
 * VIPER_E_CORRUPT for a malformed blob; VIPER_E_NOTFOUND when something the
 * kernel cannot run without is missing (memory, a GIC, the timer).
 */
MUST_CHECK err_t board_from_fdt(const void *blob, size_t max_size, struct board_info *out);

/* The first device of `kind`, or NULL. */
const struct board_device *board_find_device(const struct board_info *board, enum device_kind kind);

/* A short lower-case name for a device kind ("pl011"). */
const char *board_device_name(enum device_kind kind);

/* Total bytes of RAM. */
uint64_t board_memory_size(const struct board_info *board);

#endif
