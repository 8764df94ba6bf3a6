/*
 * DHCP requests padded to a full BOOTP message: 312 bytes of options, the
 * size RFC 2131 calls the minimum a client must accept, and the least
 * that QEMU's user networking (libslirp 4.7) reads a request from: it
 * drops a shorter one unanswered. lwIP appends the END option after this
 * hook, so the pad (option 0) stops one byte short.
 */
#include "lwip/opt.h"
#include "lwip/prot/dhcp.h"
#include "net_hooks.h"

void net_dhcp_pad(uint8_t *options, uint16_t *len)
{
	while (*len + 1 < DHCP_OPTIONS_LEN)
		options[(*len)++] = DHCP_OPTION_PAD;
}
