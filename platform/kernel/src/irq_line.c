/* IRQ lines (kernel/irq_line.h). */
#include <kernel/irq_line.h>

#include <arch/gic.h>
#include <kernel/irq_table.h>
#include <kernel/kmalloc.h>

static void irq_fired(void *ctx)
{
	struct irq_line *l = ctx;

	/* Masked until the owner acknowledges, so a level-triggered line stays quiet. */
	gic_disable(l->irq);
	l->enabled = false;
	l->pending = true;
	kobject_signal(&l->obj);
}

static uint32_t irq_signals(const struct kobject *o)
{
	return irq_line_of(o)->pending ? VIPER_SIGNAL_IRQ : 0;
}

static void irq_last_handle(struct kobject *o)
{
	struct irq_line *l = irq_line_of(o);

	gic_disable(l->irq);
	l->enabled = false;
}

static const struct kobject_ops irq_ops = {irq_last_handle, NULL, irq_signals, NULL};

void irq_line_register(void)
{
	kobject_register(VIPER_OBJ_IRQ, &irq_ops);
}

struct irq_line *irq_line_create(uint32_t irq)
{
	struct irq_line *l = kmalloc(sizeof(*l));

	if (!l)
		return NULL;
	kobject_init(&l->obj, VIPER_OBJ_IRQ);
	l->irq = irq;
	if (irq_set_handler(irq, irq_fired, l)) {
		kfree(l);
		return NULL;
	}
	l->obj.refs++; /* the interrupt handler's reference: lines live for ever */
	return l;
}

void irq_line_arm(struct irq_line *l)
{
	if (!l->pending && !l->enabled && gic_enable(l->irq) == VIPER_OK)
		l->enabled = true;
}

void irq_line_ack(struct irq_line *l)
{
	l->pending = false;
	irq_line_arm(l);
}
