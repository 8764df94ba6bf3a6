#include <kernel/pl011.h>

#include <arch/mmio.h>

enum {
	UART_DR = 0x00,
	UART_FR = 0x18,
	UART_IBRD = 0x24,
	UART_FBRD = 0x28,
	UART_LCRH = 0x2c,
	UART_CR = 0x30,
	UART_IMSC = 0x38,
	UART_ICR = 0x44,

	FR_RXFE = 1u << 4,
	FR_TXFF = 1u << 5,
	LCRH_FEN = 1u << 4,
	LCRH_WLEN8 = 3u << 5,
	CR_UARTEN = 1u << 0,
	CR_TXE = 1u << 8,
	CR_RXE = 1u << 9,
	INT_RX = 1u << 4,
	INT_RT = 1u << 6,
};

void pl011_init(uintptr_t base)
{
	/*
	 * Switching the FIFOs on or off empties them, losing bytes already
	 * received (typed or piped in before boot), so the FIFO setting is
	 * kept as firmware or QEMU left it.
	 */
	uint32_t fifo = mmio_read32(base + UART_LCRH) & LCRH_FEN;

	mmio_write32(base + UART_IMSC, 0);
	/* 115200 baud from a 24 MHz clock; QEMU ignores it, hardware does not. */
	mmio_write32(base + UART_IBRD, 13);
	mmio_write32(base + UART_FBRD, 1);
	mmio_write32(base + UART_LCRH, LCRH_WLEN8 | fifo);
	mmio_write32(base + UART_CR, CR_UARTEN | CR_TXE | CR_RXE);
}

void pl011_putc(uintptr_t base, char c)
{
	while (mmio_read32(base + UART_FR) & FR_TXFF)
		;
	mmio_write32(base + UART_DR, (uint8_t)c);
}

bool pl011_getc(uintptr_t base, char *c)
{
	if (mmio_read32(base + UART_FR) & FR_RXFE)
		return false;
	*c = (char)(mmio_read32(base + UART_DR) & 0xff);
	return true;
}

void pl011_enable_rx_irq(uintptr_t base)
{
	mmio_write32(base + UART_IMSC, INT_RX | INT_RT);
}

void pl011_clear_rx_irq(uintptr_t base)
{
	mmio_write32(base + UART_ICR, INT_RX | INT_RT);
}
