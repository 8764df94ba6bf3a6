/*
 * What lwIP needs from its platform in NO_SYS mode: the millisecond clock,
 * and a stop on a failed assertion (port/arch/cc.h). In the kernel, also
 * the one string function lwIP uses that the kernel lacks.
 */
#include <stddef.h>

#include <viper/component.h>

#include "arch/cc.h"
#include "lwip/sys.h"

u32_t sys_now(void)
{
	return (u32_t)(vc_now_ns() / 1000000u);
}

void net_lwip_assert(const char *msg, const char *file, int line)
{
	vc_log("net_stack: lwIP assertion failed at %s:%d: %s", file, line, msg);
	/* Never run lwIP on in an unknown state: in a process this fault ends
	 * the stack, whose supervisor restarts it and whose clients see their
	 * sessions close; in the kernel it stops the system. */
	__builtin_trap();
}

#ifdef NET_STACK_KERNEL
int strncmp(const char *a, const char *b, size_t n)
{
	for (; n > 0; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (*a == '\0')
			return 0;
	}
	return 0;
}
#endif
