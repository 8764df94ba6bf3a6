/*
 * The component runtime (viper/component.h) on the host, for the host
 * simulation: the C library does the work; logs go to stderr.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime under -std=c17 */

#include <viper/component.h>

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The linker brackets section viper_components; weak for images without any. */
extern const struct viper_component __start_viper_components[] __attribute__((weak));
extern const struct viper_component __stop_viper_components[] __attribute__((weak));

const struct viper_component *viper_component_find(const char *name)
{
	for (const struct viper_component *c = __start_viper_components;
	     c != NULL && c < __stop_viper_components; c++) {
		if (strcmp(c->name, name) == 0)
			return c;
	}
	return NULL;
}

void *vc_alloc(size_t size)
{
	return calloc(1, size);
}

void vc_free(void *p)
{
	free(p);
}

void vc_log(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", line);
}

int vc_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return vsnprintf(buf, size, fmt, ap);
}

int vc_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void vc_yield(void)
{
	sched_yield();
}

uint64_t vc_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
