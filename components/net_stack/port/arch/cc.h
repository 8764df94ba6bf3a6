/*
 * lwIP's platform hooks for components/net_stack: no C library's ctype or
 * printf, diagnostics dropped, a failed lwIP assertion logged and the
 * stack stopped (src/lwip_sys.c); lwIP never runs on after one.
 */
#ifndef NET_STACK_ARCH_CC_H
#define NET_STACK_ARCH_CC_H

void net_lwip_assert(const char *msg, const char *file, int line) __attribute__((noreturn));

#define LWIP_NO_CTYPE_H	   1
#define LWIP_NO_INTTYPES_H 1
#define X8_F		   "02x"
#define U16_F		   "u"
#define S16_F		   "d"
#define X16_F		   "x"
#define U32_F		   "u"
#define S32_F		   "d"
#define X32_F		   "x"
#define SZT_F		   "zu"
#define LWIP_PLATFORM_DIAG(x)                                                                      \
	do {                                                                                       \
	} while (0)
#define LWIP_PLATFORM_ASSERT(x) net_lwip_assert((x), __FILE__, __LINE__)

#endif
