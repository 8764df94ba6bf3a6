/*
 * memset, memcpy and strcmp for user programs, eight bytes a step. picolibc's are
 * built for size (a byte at a time), and nanopb clears and copies its field
 * iterators on every message: with them a generated-stub round trip spent
 * a third of its instructions here (docs/benchmarks.md). User memory is
 * normal memory, where AArch64 allows unaligned accesses.
 */
#include <stddef.h>
#include <stdint.h>

typedef uint64_t __attribute__((may_alias, aligned(1))) unaligned_u64;

__attribute__((no_builtin)) void *memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;
	uint64_t v = (uint8_t)c * 0x0101010101010101ull;

	for (; n >= 8; n -= 8, d += 8)
		*(unaligned_u64 *)d = v;
	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

__attribute__((no_builtin)) void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	for (; n >= 8; n -= 8, d += 8, s += 8)
		*(unaligned_u64 *)d = *(const unaligned_u64 *)s;
	while (n--)
		*d++ = *s++;
	return dst;
}

/* Whether any byte of `x` is zero. */
static inline uint64_t has_zero_byte(uint64_t x)
{
	return (x - 0x0101010101010101ull) & ~x & 0x8080808080808080ull;
}

/* Whether an 8-byte read at `p` stays in p's page, so it cannot fault where p's byte does not. */
static inline int word_in_page(const void *p)
{
	return ((uintptr_t)p & 4095) <= 4096 - 8;
}

/*
 * strcmp eight bytes a step while neither string ends or differs in the
 * step and neither read leaves its page (the strings may end just before an
 * unmapped one); picolibc's compares a byte at a time.
 */
__attribute__((no_builtin)) int strcmp(const char *a, const char *b)
{
	while (word_in_page(a) && word_in_page(b)) {
		uint64_t x = *(const unaligned_u64 *)a;

		if (x != *(const unaligned_u64 *)b || has_zero_byte(x))
			break;
		a += 8;
		b += 8;
	}
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}
