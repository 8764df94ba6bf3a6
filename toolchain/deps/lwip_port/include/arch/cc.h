/*
 * lwIP's platform hooks for ViperOS: diagnostics go nowhere, a failed lwIP
 * assertion stops the caller through lwip_port_assert().
 */
#ifndef VIPEROS_LWIP_ARCH_CC_H
#define VIPEROS_LWIP_ARCH_CC_H

/* Reports a failed lwIP assertion and stops the calling program. */
void lwip_port_assert(const char *msg, const char *file, int line);

#define LWIP_PLATFORM_DIAG(x)                                                                      \
	do {                                                                                       \
	} while (0)
#define LWIP_PLATFORM_ASSERT(x) lwip_port_assert((x), __FILE__, __LINE__)
#define LWIP_NO_CTYPE_H		1

#endif
