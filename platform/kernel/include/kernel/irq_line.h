/*
 * IRQ lines (VIPER_OBJ_IRQ): one interrupt of a board device, which a
 * holder with the IRQ right may wait for and acknowledge. A line is masked
 * at the interrupt controller when it fires and stays masked until its
 * owner acknowledges it, so a level-triggered device cannot storm. Lines
 * are made at boot and live for ever (the interrupt handler holds a
 * reference). Under the big kernel lock.
 */
#ifndef KERNEL_IRQ_LINE_H
#define KERNEL_IRQ_LINE_H

#include <stdbool.h>
#include <stdint.h>

#include <kernel/object.h>

struct irq_line {
	struct kobject obj;
	uint32_t irq;
	bool pending;
	bool enabled;
};

/* Registers the kind with the object layer (at boot). */
void irq_line_register(void);

/* The line for interrupt `irq`, its handler installed; NULL without memory or when taken. */
struct irq_line *irq_line_create(uint32_t irq);
/* Unmasks the line unless it is pending (a waiter is about to wait for it). */
void irq_line_arm(struct irq_line *l);
/* Acknowledges the interrupt: clears pending and unmasks the line. */
void irq_line_ack(struct irq_line *l);

static inline struct irq_line *irq_line_of(const struct kobject *o)
{
	return container_of(o, struct irq_line, obj);
}

#endif
