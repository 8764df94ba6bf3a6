/*
 * memset and memcpy for user programs, eight bytes a step. picolibc's are
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
