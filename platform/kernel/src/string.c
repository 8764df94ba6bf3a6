/* The kernel's string and memory functions (see kernel/string.h). */
#include <kernel/string.h>

#include <stdint.h>

#include <viper/word_string.h>

/*
 * memset, memcpy and strcmp eight bytes a step (viper/word_string.h): this
 * file is built with unaligned access allowed, which the rest of the kernel
 * is not (its callers never pass device memory).
 */
void *memset(void *dst, int c, size_t n)
{
	return word_memset(dst, c, n);
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	return word_memcpy(dst, src, n);
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d < s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a;
	const unsigned char *y = b;

	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	}
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	return word_strcmp(a, b);
}

size_t strlcpy(char *restrict dst, const char *restrict src, size_t size)
{
	size_t n = strlen(src);

	if (size) {
		size_t c = n < size - 1 ? n : size - 1;
		memcpy(dst, src, c);
		dst[c] = 0;
	}
	return n;
}

char *strstr(const char *haystack, const char *needle)
{
	for (;; haystack++) {
		size_t i = 0;

		/* Stops at the first difference, which a shorter haystack's NUL is. */
		while (needle[i] && haystack[i] == needle[i])
			i++;
		if (!needle[i])
			return (char *)(uintptr_t)haystack;
		if (!*haystack)
			return NULL;
	}
}
