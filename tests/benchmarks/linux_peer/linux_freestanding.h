/*
 * What the Linux peer's freestanding benchmark programs share
 * (storage_bench_linux.c, net_bench_linux.c, tls_bench_linux.c): a system
 * call with up to six arguments, and the string functions the compiler may
 * call. Each program is one translation unit that includes this once.
 *
 * With LINUX_FREESTANDING_WORD_STRING defined first, memset and memcpy are
 * ViperOS's user ones (viper/word_string.h, eight bytes a step, as
 * platform/user/src/string.c defines them), for a program that compares
 * code running on both systems (tls_bench_linux.c, which takes the other
 * string functions BearSSL calls from picolibc, as ViperOS's programs do);
 * otherwise byte loops.
 */
#ifndef LINUX_PEER_FREESTANDING_H
#define LINUX_PEER_FREESTANDING_H

#include <stddef.h>

static long syscall6(long n, long a, long b, long c, long d, long e, long f)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;

	__asm__ volatile("svc #0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory");
	return x0;
}

#define SYS(n, a, b, c) syscall6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)

/*
 * The program's entry: the kernel starts _start with sp at argc, then
 * argv[], NULL, envp[]; it runs the program's
 * `static int bench(int argc, char **argv)` and exits with its result.
 * Once per program, after bench.
 */
#define LINUX_FREESTANDING_ENTRY                                                                   \
	void linux_freestanding_start(long *sp);                                                   \
	__attribute__((noreturn)) void linux_freestanding_start(long *sp)                          \
	{                                                                                          \
		int rc = bench((int)sp[0], (char **)(sp + 1));                                     \
		for (;;)                                                                           \
			SYS(SYS_exit_group, rc, 0, 0);                                             \
	}                                                                                          \
	__asm__(".text\n"                                                                          \
		".global _start\n"                                                                 \
		"_start:\n"                                                                        \
		"\tmov x29, #0\n"                                                                  \
		"\tmov x30, #0\n"                                                                  \
		"\tmov x0, sp\n"                                                                   \
		"\tb linux_freestanding_start\n")

#ifdef LINUX_FREESTANDING_WORD_STRING
#include <viper/word_string.h>

WORD_STRING_NO_BUILTIN void *memset(void *dst, int c, size_t n)
{
	return word_memset(dst, c, n);
}

WORD_STRING_NO_BUILTIN void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	return word_memcpy(dst, src, n);
}
#else
/* The compiler may call these for loops and copies even when freestanding. */
void *memset(void *dst, int c, size_t n)
{
	volatile unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	volatile unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}
#endif

static size_t length(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/*
 * The network programs' shared pieces (net_bench_linux.c,
 * tls_bench_linux.c define LINUX_FREESTANDING_NET, after uint16_t,
 * uint32_t and uint64_t).
 */
#ifdef LINUX_FREESTANDING_NET
struct sockaddr_in {
	uint16_t family, port; /* port in network order */
	uint32_t addr;	       /* network order */
	unsigned char zero[8];
};

/* A decimal number without sign into *out; 0 if it is not one (or too big). */
__attribute__((unused)) static int number(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 1844674407370955160ull)
			return 0;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 1;
}

/* "a.b.c.d" into network order; 0 if it is not one. */
__attribute__((unused)) static int parse_ipv4(const char *s, uint32_t *out)
{
	unsigned char b[4];

	for (int i = 0; i < 4; i++) {
		unsigned v = 0, digits = 0;

		while (*s >= '0' && *s <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(*s++ - '0');
			digits++;
		}
		if (!digits || v > 255 || *s != (i < 3 ? '.' : 0))
			return 0;
		if (i < 3)
			s++;
		b[i] = (unsigned char)v;
	}
	*out = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	return 1;
}

#endif /* LINUX_FREESTANDING_NET */

#endif
