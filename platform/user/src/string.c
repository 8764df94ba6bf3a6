/*
 * memset, memcpy and strcmp for user programs, eight bytes a step
 * (viper/word_string.h). picolibc's are built for size (a byte at a time),
 * and nanopb clears and copies its field iterators on every message: with
 * them a generated-stub round trip spent a third of its instructions here
 * (docs/benchmarks.md).
 */
#include <viper/word_string.h>

__attribute__((no_builtin)) void *memset(void *dst, int c, size_t n)
{
	return word_memset(dst, c, n);
}

__attribute__((no_builtin)) void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	return word_memcpy(dst, src, n);
}

__attribute__((no_builtin)) int strcmp(const char *a, const char *b)
{
	return word_strcmp(a, b);
}
