/* The kernel's table of interrupt handlers, indexed by GIC interrupt id. */
#ifndef KERNEL_IRQ_TABLE_H
#define KERNEL_IRQ_TABLE_H

#include <stdint.h>

#include <kernel/err.h>

#define IRQ_MAX 1020 /* ids 1020-1023 are special */

typedef void (*irq_handler_fn)(void *ctx);

/*
 * Installs `fn` for `irq`. VIPER_E_RANGE for an id >= IRQ_MAX; VIPER_E_INVAL
 * when the line already has a handler (an interrupt belongs to one owner).
 */
MUST_CHECK err_t irq_set_handler(uint32_t irq, irq_handler_fn fn, void *ctx);

/* Runs the handler of `irq`; counts the interrupt as unexpected if there is none. */
void irq_dispatch(uint32_t irq);

/* Interrupts that arrived with no handler installed. */
uint64_t irq_unexpected(void);

#endif
