/*
 * lwIP configuration for the library checks of the build foundation: the raw
 * API, no OS layer, IPv4 and IPv6, TCP and UDP. The network component will
 * carry its own configuration.
 */
#ifndef VIPEROS_LWIPOPTS_H
#define VIPEROS_LWIPOPTS_H

#define NO_SYS		     1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_TIMERS	     0
#define LWIP_SOCKET	     0
#define LWIP_NETCONN	     0
#define LWIP_IPV4	     1
#define LWIP_IPV6	     1
#define LWIP_TCP	     1
#define LWIP_UDP	     1
#define LWIP_ICMP	     1
#define LWIP_ARP	     1
#define LWIP_ETHERNET	     1
#define MEM_ALIGNMENT	     8
#define MEM_SIZE	     (64 * 1024)
#define LWIP_STATS	     0

#endif
