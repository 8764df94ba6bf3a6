/*
 * What lwipopts.h hooks into lwIP: randomness seeded from the entropy
 * device and RFC 6528 initial sequence numbers (src/net_random.c), and
 * the padding of DHCP requests (src/dhcp_pad.c).
 */
#ifndef NET_STACK_NET_HOOKS_H
#define NET_STACK_NET_HOOKS_H

#include <stdint.h>

struct ip_addr; /* lwIP's ip_addr_t */

uint32_t net_random_u32(void);
/* Pads DHCP options (options[*len] on) to a full-size BOOTP message, leaving room for END. */
void net_dhcp_pad(uint8_t *options, uint16_t *len);
uint32_t net_tcp_isn(const struct ip_addr *local_ip, uint16_t local_port,
		     const struct ip_addr *remote_ip, uint16_t remote_port);

#endif
