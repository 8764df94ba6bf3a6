/*
 * memset, memcpy and strcmp eight bytes a step, for the kernel's string
 * functions and the user runtime's (each defines the C names over these;
 * picolibc's and the compiler's generic ones work a byte at a time). They
 * need no alignment: AArch64 takes unaligned accesses to normal memory
 * (SCTLR_EL1.A is clear, and the kernel turns the MMU on before any C code
 * runs), so the files that include this are built with unaligned access
 * allowed. Never for device memory.
 */
#ifndef VIPER_WORD_STRING_H
#define VIPER_WORD_STRING_H

#include <stddef.h>
#include <stdint.h>

typedef uint64_t __attribute__((may_alias, aligned(1))) word_string_u64;

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "word_strcmp reads bytes little-endian");

/* The compiler must not turn these loops back into calls of the functions they implement. */
#ifdef __clang__
#define WORD_STRING_NO_BUILTIN __attribute__((no_builtin))
#else
#define WORD_STRING_NO_BUILTIN
#endif

static inline WORD_STRING_NO_BUILTIN void *word_memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;
	uint64_t v = (uint8_t)c * 0x0101010101010101ull;

	/* Sixteen bytes a step (one stp) while they last: pages are cleared with this. */
	for (; n >= 16; n -= 16, d += 16) {
		((word_string_u64 *)d)[0] = v;
		((word_string_u64 *)d)[1] = v;
	}
	for (; n >= 8; n -= 8, d += 8)
		*(word_string_u64 *)d = v;
	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

static inline WORD_STRING_NO_BUILTIN void *word_memcpy(void *restrict dst, const void *restrict src,
						       size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	for (; n >= 16; n -= 16, d += 16, s += 16) {
		uint64_t a = ((const word_string_u64 *)s)[0], b = ((const word_string_u64 *)s)[1];

		((word_string_u64 *)d)[0] = a;
		((word_string_u64 *)d)[1] = b;
	}
	for (; n >= 8; n -= 8, d += 8, s += 8)
		*(word_string_u64 *)d = *(const word_string_u64 *)s;
	while (n--)
		*d++ = *s++;
	return dst;
}

/* Whether any byte of `x` is zero. */
static inline uint64_t word_has_zero_byte(uint64_t x)
{
	return (x - 0x0101010101010101ull) & ~x & 0x8080808080808080ull;
}

/* The bytes from `p` to the end of its page: reads there cannot fault where p's byte does not. */
static inline size_t word_page_room(const void *p)
{
	return 4096 - ((uintptr_t)p & 4095);
}

/*
 * strcmp eight bytes a step while neither read leaves its page (a string
 * may end just before an unmapped one): the first byte where the strings
 * differ or `a` ends decides (the lowest bit of word_has_zero_byte is exact,
 * and the bytes are little-endian), then byte by byte.
 */
static inline WORD_STRING_NO_BUILTIN int word_strcmp(const char *a, const char *b)
{
	size_t room_a = word_page_room(a), room_b = word_page_room(b);
	size_t room = room_a < room_b ? room_a : room_b;

	for (; room >= 8; room -= 8) {
		uint64_t x = *(const word_string_u64 *)a;
		uint64_t stop = (x ^ *(const word_string_u64 *)b) | word_has_zero_byte(x);

		if (stop) {
			unsigned at = (unsigned)__builtin_ctzll(stop) / 8;

			return (unsigned char)a[at] - (unsigned char)b[at];
		}
		a += 8;
		b += 8;
	}
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

#endif
