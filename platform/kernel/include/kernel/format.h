/*
 * printf-style formatting without a C library, for the kernel console and
 * anything else that formats text. Supports the conversions d i u x X p s c %,
 * the flags '-' and '0', a width (digits or '*'), a precision for %s, and the
 * length modifiers hh h l ll z. An unknown conversion is copied literally.
 */
#ifndef KERNEL_FORMAT_H
#define KERNEL_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/* Receives each piece of formatted output, in order. */
typedef void (*format_sink_fn)(void *ctx, const char *s, size_t n);

/*
 * Formats `fmt` with `ap`, handing the output to `sink` in pieces. Returns
 * the number of characters produced.
 */
size_t format_v(format_sink_fn sink, void *ctx, const char *fmt, va_list ap);

/*
 * Formats into `buf` of `size` bytes like snprintf: the output is cut to fit
 * and NUL-terminated when size > 0. Returns the untruncated length.
 */
size_t format_buf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
