/*
 * vc_log's line, the same in every environment: formatted, cut at 255
 * bytes, ending in exactly one added newline unless it has one.
 */
#ifndef VIPER_COMPONENT_LOG_LINE_H
#define VIPER_COMPONENT_LOG_LINE_H

#include <viper/component.h>

#define LOG_LINE_BYTES 257

/* Formats into `line`; returns the length to write (0: nothing). */
static inline size_t log_line(char line[LOG_LINE_BYTES], const char *fmt, va_list ap)
{
	int n = vc_vsnprintf(line, LOG_LINE_BYTES - 1, fmt, ap);

	if (n < 0)
		return 0;
	if (n > LOG_LINE_BYTES - 2)
		n = LOG_LINE_BYTES - 2;
	if (n == 0 || line[n - 1] != '\n')
		line[n++] = '\n';
	return (size_t)n;
}

#endif
