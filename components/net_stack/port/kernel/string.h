/*
 * The string functions lwIP needs, for the kernel, which has no C library:
 * the kernel supplies them (platform/kernel/src/string.c, and
 * src/lwip_sys.c for strncmp). Only kernel builds of net_stack see this
 * directory.
 */
#ifndef NET_STACK_KERNEL_STRING_H
#define NET_STACK_KERNEL_STRING_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

#endif
