/* The ARM PL011 UART, used polled for output and by interrupt for input. */
#ifndef KERNEL_PL011_H
#define KERNEL_PL011_H

#include <stdbool.h>
#include <stdint.h>

/* Enables the UART at `base`: 8N1, FIFO setting kept, receive interrupts masked. */
void pl011_init(uintptr_t base);

/* Waits for room in the transmit FIFO, then sends `c`. */
void pl011_putc(uintptr_t base, char c);

/* Takes a byte from the receive FIFO; false when it is empty. */
bool pl011_getc(uintptr_t base, char *c);

/* Unmasks the receive and receive-timeout interrupts. */
void pl011_enable_rx_irq(uintptr_t base);

/* Clears the receive interrupts; call before draining the FIFO, so a byte
 * that arrives during the drain raises the interrupt again. */
void pl011_clear_rx_irq(uintptr_t base);

#endif
