/* IRQ lines: wait, ack. */
#include "decode.h"

#include <kernel/irq_line.h>

int64_t sys_irq_wait(const uint64_t *a)
{
	struct handle_wait w = {a[0], VIPER_OBJ_IRQ, VIPER_RIGHT_IRQ, (int64_t)a[1],
				deadline_after((int64_t)a[1])};
	struct irq_line *l;
	struct cap *c;
	err_t err = lookup(a[0], VIPER_OBJ_IRQ, VIPER_RIGHT_IRQ, &c);

	if (err)
		return err;
	for (;;) {
		l = irq_line_of(c->object);
		if (l->pending)
			return VIPER_OK;
		irq_line_arm(l);
		err = wait_through(&l->obj.waiters, &w, &c);
		if (err)
			return err;
	}
}

int64_t sys_irq_ack(const uint64_t *a)
{
	struct cap *c;
	err_t err = lookup(a[0], VIPER_OBJ_IRQ, VIPER_RIGHT_IRQ, &c);

	if (err)
		return err;
	irq_line_ack(irq_line_of(c->object));
	return VIPER_OK;
}
