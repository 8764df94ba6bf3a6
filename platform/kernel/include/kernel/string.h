/*
 * The C string and memory functions the kernel provides itself (it has no C
 * library), with the standard names and contracts: the compiler also calls
 * memset and memcpy on its own. Portable kernel code that is tested on the
 * host gets the host C library's versions of the same functions.
 */
#ifndef KERNEL_STRING_H
#define KERNEL_STRING_H

#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
/* The first occurrence of `needle` in `haystack`, or NULL. */
char *strstr(const char *haystack, const char *needle);
/* Copies at most size - 1 bytes and always terminates (size > 0); returns strlen(src). */
size_t strlcpy(char *restrict dst, const char *restrict src, size_t size);

#endif
