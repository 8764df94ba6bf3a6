/*
 * pl011_console's device access: plain volatile loads and stores of the
 * mapped registers. Weak, so that a host test can put a model of the UART
 * behind the same two calls (see include/pl011_console/pl011_console.h).
 */
#include <pl011_console/pl011_console.h>

__attribute__((weak)) uint32_t pl011_console_reg_read(volatile uint32_t *regs, uint32_t offset)
{
	return regs[offset / 4];
}

__attribute__((weak)) void pl011_console_reg_write(volatile uint32_t *regs, uint32_t offset,
						   uint32_t value)
{
	regs[offset / 4] = value;
}
