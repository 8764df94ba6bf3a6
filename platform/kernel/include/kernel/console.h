/*
 * The kernel's own console on the PL011: early boot messages, fault
 * reports and the boot monitor. (The console component takes the UART over
 * once user space runs.) Output is polled so it works in any context; input
 * arrives by interrupt into a small ring.
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kernel/err.h>

/*
 * Starts polled output on the PL011 at `base` without losing bytes already
 * received. Calling it again with the same base does nothing.
 */
void kconsole_init(uintptr_t base);

/* Turns on interrupt-driven input on GIC interrupt `irq`. */
MUST_CHECK err_t kconsole_enable_input(uint32_t irq);

/*
 * Writes `n` bytes, turning "\n" into "\r\n". Each write, and each
 * kprintf, comes out whole: another CPU's output never lands inside it.
 */
void kconsole_write(const char *s, size_t n);

/* printf-style output to the console (see kernel/format.h). */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Keeps other CPUs' output out of several writes (a report of many lines):
 * kconsole_hold, the writes, then kconsole_release with what it returned.
 * Nests. A CPU that stopped while holding it delays others by at most a
 * tenth of a second, after which they print anyway.
 */
bool kconsole_hold(void);
void kconsole_release(bool held);

/* kprintf with a va_list. */
void kvprintf(const char *fmt, va_list ap);

/* Takes one received byte; false when none is waiting. */
bool kconsole_read(char *c);

/* Bytes dropped because input arrived faster than it was read. */
uint64_t kconsole_dropped(void);

#endif
