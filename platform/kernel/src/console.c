#include <kernel/console.h>

#include <arch/gic.h>
#include <arch/sysreg.h>
#include <kernel/format.h>
#include <kernel/irq_table.h>
#include <kernel/pl011.h>

enum { RX_RING = 256 }; /* a power of two */

static uintptr_t uart;
static char rx_ring[RX_RING];
static volatile uint32_t rx_head; /* written by the interrupt handler */
static volatile uint32_t rx_tail; /* written by the reader */
static volatile uint64_t rx_dropped;

/* Moves every byte waiting in the UART into the ring. */
static void rx_drain(void)
{
	char c;

	while (pl011_getc(uart, &c)) {
		if (rx_head - rx_tail == RX_RING) {
			rx_dropped++;
			continue;
		}
		rx_ring[rx_head % RX_RING] = c;
		rx_head++;
	}
}

void kconsole_init(uintptr_t base)
{
	if (base == uart)
		return;
	uart = base;
	pl011_init(base);
}

static void rx_irq(void *ctx)
{
	(void)ctx;
	pl011_clear_rx_irq(uart);
	rx_drain();
}

err_t kconsole_enable_input(uint32_t irq)
{
	err_t err = irq_set_handler(irq, rx_irq, NULL);

	if (err)
		return err;
	pl011_enable_rx_irq(uart);
	return gic_enable(irq);
}

bool kconsole_read(char *c)
{
	if (rx_tail == rx_head)
		return false;
	*c = rx_ring[rx_tail % RX_RING];
	rx_tail++;
	return true;
}

uint64_t kconsole_dropped(void)
{
	return rx_dropped;
}

void kconsole_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			pl011_putc(uart, '\r');
		pl011_putc(uart, s[i]);
	}
}

static void kconsole_sink(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	kconsole_write(s, n);
}

void kvprintf(const char *fmt, va_list ap)
{
	format_v(kconsole_sink, NULL, fmt, ap);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}
