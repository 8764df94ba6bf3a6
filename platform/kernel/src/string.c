/* The kernel's string and memory functions (see kernel/string.h). */
#include <kernel/string.h>

#include <stdint.h>

/*
 * memset and memcpy move eight bytes at a time, strcmp compares eight at a
 * time when both strings are aligned alike. The kernel is built with strict
 * alignment (it copies before the MMU is on, where unaligned accesses
 * fault), so every word access here is aligned.
 */

typedef uint64_t __attribute__((may_alias)) word_t;

/* Whether any byte of `x` is zero. */
static inline uint64_t has_zero_byte(uint64_t x)
{
	return (x - 0x0101010101010101ull) & ~x & 0x8080808080808080ull;
}

/*
 * Copies `words` words to aligned `d` from `s`, which is not aligned: each
 * aligned source word is read once and merged with its neighbour by shifts.
 * Only words holding a byte of the source are read, so this faults exactly
 * where reading the bytes would.
 */
static void copy_shifted(word_t *d, const unsigned char *s, size_t words)
{
	unsigned lo = ((uintptr_t)s & 7) * 8;
	const word_t *w = (const word_t *)(const void *)(s - lo / 8);
	uint64_t cur = *w++;

	for (size_t i = 0; i < words; i++) {
		uint64_t next = *w++;

		d[i] = cur >> lo | next << (64 - lo);
		cur = next;
	}
}
void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	uint64_t pattern = 0x0101010101010101ull * (unsigned char)c;

	while (n && ((uintptr_t)d & 7)) {
		*d++ = (unsigned char)c;
		n--;
	}
	for (; n >= 16; n -= 16, d += 16) {
		((uint64_t *)(void *)d)[0] = pattern;
		((uint64_t *)(void *)d)[1] = pattern;
	}
	for (; n >= 8; n -= 8, d += 8)
		*(uint64_t *)(void *)d = pattern;
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	/* The common small case (IPC messages, receipts): whole aligned words. */
	if (n <= 32 && (((uintptr_t)d | (uintptr_t)s | n) & 7) == 0) {
		for (size_t i = 0; i < n / 8; i++)
			((uint64_t *)dst)[i] = ((const uint64_t *)src)[i];
		return dst;
	}
	if ((((uintptr_t)d ^ (uintptr_t)s) & 7) == 0) {
		while (n && ((uintptr_t)d & 7)) {
			*d++ = *s++;
			n--;
		}
		for (; n >= 16; n -= 16, d += 16, s += 16) {
			uint64_t a = ((const uint64_t *)(const void *)s)[0];
			uint64_t b = ((const uint64_t *)(const void *)s)[1];
			((uint64_t *)(void *)d)[0] = a;
			((uint64_t *)(void *)d)[1] = b;
		}
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(uint64_t *)(void *)d = *(const uint64_t *)(const void *)s;
	} else if (n >= 16) {
		while ((uintptr_t)d & 7) {
			*d++ = *s++;
			n--;
		}
		copy_shifted((word_t *)(void *)d, s, n / 8);
		d += n & ~(size_t)7;
		s += n & ~(size_t)7;
		n &= 7;
	}
	while (n--)
		*d++ = *s++;
	return dst;
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
	if ((((uintptr_t)a ^ (uintptr_t)b) & 7) == 0) {
		while (((uintptr_t)a & 7) && *a && *a == *b) {
			a++;
			b++;
		}
		/* Aligned words never cross a page, so these reads fault where the bytes' would. */
		while (!((uintptr_t)a & 7)) {
			uint64_t x = *(const word_t *)(const void *)a;

			if (x != *(const word_t *)(const void *)b || has_zero_byte(x))
				break;
			a += 8;
			b += 8;
		}
	}
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
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
