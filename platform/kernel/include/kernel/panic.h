/* Stopping the machine when a kernel invariant is broken. */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

/*
 * Prints "kernel panic: <message>" and powers the machine off. Only for
 * broken kernel invariants, never for bad input from a process.
 */
_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
