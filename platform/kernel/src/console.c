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

/*
 * Output is serialised per message across CPUs, whatever locks the writer
 * holds (a fault or overflow report can come from a kernel thread that runs
 * without the big lock): a writer takes the console, again freely on the
 * CPU that has it (a report while printing), and waits for another CPU's
 * message at most a tenth of a second, then prints anyway (that CPU may have
 * stopped while it printed). The owner is named by MPIDR, valid from reset.
 */
static volatile uint32_t console_taken;
static volatile uint64_t console_owner = UINT64_MAX;
static unsigned console_depth;

static uint64_t this_cpu_id(void)
{
	return read_sysreg(mpidr_el1) & 0xff00ffffffull;
}

bool kconsole_hold(void)
{
	uint64_t me = this_cpu_id(), until;

	if (console_owner == me) {
		console_depth++;
		return true;
	}
	until = read_sysreg(cntpct_el0) + read_sysreg(cntfrq_el0) / 10;
	while (__atomic_exchange_n(&console_taken, 1, __ATOMIC_ACQUIRE)) {
		if (read_sysreg(cntpct_el0) > until)
			return false;
		__asm__ volatile("yield");
	}
	console_owner = me;
	console_depth = 1;
	return true;
}

void kconsole_release(bool taken)
{
	if (!taken || --console_depth)
		return;
	console_owner = UINT64_MAX;
	__atomic_store_n(&console_taken, 0, __ATOMIC_RELEASE);
}

static void console_put(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			pl011_putc(uart, '\r');
		pl011_putc(uart, s[i]);
	}
}

void kconsole_write(const char *s, size_t n)
{
	bool taken = kconsole_hold();

	console_put(s, n);
	kconsole_release(taken);
}

static void kconsole_sink(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	console_put(s, n);
}

void kvprintf(const char *fmt, va_list ap)
{
	bool taken = kconsole_hold();

	format_v(kconsole_sink, NULL, fmt, ap);
	kconsole_release(taken);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}
