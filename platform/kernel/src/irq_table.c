/* The table of interrupt handlers (see kernel/irq_table.h). */
#include <kernel/irq_table.h>

#include <stddef.h>

static struct {
	irq_handler_fn fn;
	void *ctx;
} handlers[IRQ_MAX];

static uint64_t unexpected;

err_t irq_set_handler(uint32_t irq, irq_handler_fn fn, void *ctx)
{
	if (irq >= IRQ_MAX)
		return VIPER_E_RANGE;
	if (handlers[irq].fn)
		return VIPER_E_INVAL;
	handlers[irq].fn = fn;
	handlers[irq].ctx = ctx;
	return VIPER_OK;
}

void irq_dispatch(uint32_t irq)
{
	if (irq < IRQ_MAX && handlers[irq].fn)
		handlers[irq].fn(handlers[irq].ctx);
	else
		unexpected++;
}

uint64_t irq_unexpected(void)
{
	return unexpected;
}
