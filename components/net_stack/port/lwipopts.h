/*
 * lwIP's configuration for components/net_stack (README.md, "lwIP
 * options", says why each value): the raw API in one thread of the stack
 * (NO_SYS, under the stack's lock), IPv4 and IPv6, TCP tuned for bulk
 * transfer, DHCP, SLAAC and DNS. lwIP's memory is static: one stack per
 * address space.
 */
#ifndef NET_STACK_LWIPOPTS_H
#define NET_STACK_LWIPOPTS_H

#include "net_hooks.h"

/* The raw API, called only with the stack's lock held. */
#define NO_SYS		     1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_TIMERS	     1
#define LWIP_SOCKET	     0
#define LWIP_NETCONN	     0
#define LWIP_RAW	     1 /* ping's echo requests and replies */
#define LWIP_ALTCP	     0

/* Protocols. */
#define LWIP_IPV4		       1
#define LWIP_IPV6		       1
#define LWIP_ARP		       1
#define LWIP_ETHERNET		       1
#define LWIP_ICMP		       1
#define LWIP_UDP		       1
#define LWIP_TCP		       1
#define LWIP_IGMP		       0
#define LWIP_AUTOIP		       0
#define IP_REASSEMBLY		       1
#define IP_FRAG			       1
#define LWIP_IPV6_FRAG		       1
#define LWIP_IPV6_REASS		       1
#define IPV6_FRAG_COPYHEADER	       1 /* 64-bit pointers do not fit in the fragment header */
#define LWIP_IPV6_AUTOCONFIG	       1 /* SLAAC from router advertisements */
#define LWIP_IPV6_MLD		       1 /* neighbour discovery joins solicited-node groups */
#define LWIP_IPV6_DHCP6		       0
#define LWIP_ND6_RDNSS_MAX_DNS_SERVERS 0 /* DNS servers come from the description only */
#define LWIP_IPV6_NUM_ADDRESSES	       3
#define LWIP_ICMP6_DATASIZE	       8

/* DHCPv4, whose DNS servers are ignored: they come from the description. */
#define LWIP_DHCP		  1
#define DHCP_DOES_ARP_CHECK	  0
#define LWIP_DHCP_MAX_DNS_SERVERS 0
#define LWIP_DHCP_CHECK_LINK_UP	  1
#define LWIP_NETIF_HOSTNAME	  1
/* Full-size BOOTP messages (548 bytes): QEMU's user networking (libslirp
 * 4.7) drops shorter DHCP requests unanswered, so every request is padded
 * (net_dhcp_pad, src/dhcp_pad.c). */
#define DHCP_OPTIONS_LEN 312
#define LWIP_HOOK_DHCP_APPEND_OPTIONS(netif, dhcp, state, msg, msg_type, options_len_ptr)          \
	net_dhcp_pad((msg)->options, (options_len_ptr))

/* DNS: A and AAAA against the configured servers, port 53. */
#define LWIP_DNS		      1
#define DNS_MAX_SERVERS		      2
#define DNS_TABLE_SIZE		      8
#define DNS_MAX_NAME_LENGTH	      256
#define DNS_MAX_RETRIES		      3
#define LWIP_DNS_SECURE		      7 /* random ID, random port, check the question */
#define LWIP_DNS_SUPPORT_MDNS_QUERIES 0
/* One local name, "gateway": the IPv4 gateway (under QEMU's user networking, the host). */
#define DNS_LOCAL_HOSTLIST	      1
#define DNS_LOCAL_HOSTLIST_IS_DYNAMIC 1
#define MEMP_NUM_LOCALHOSTLIST	      2

/* TCP for throughput: full-size segments, a scaled 128 KiB window, a 64 KiB send buffer. */
#define TCP_MSS			   1460
#define LWIP_WND_SCALE		   1
#define TCP_RCV_SCALE		   2
#define TCP_WND			   (128 * 1024)
#define TCP_SND_BUF		   (64 * 1024)
#define TCP_SND_QUEUELEN	   ((4 * TCP_SND_BUF) / TCP_MSS)
#define TCP_SNDLOWAT		   (TCP_SND_BUF / 2)
#define TCP_QUEUE_OOSEQ		   1
#define TCP_OOSEQ_MAX_PBUFS	   64
#define LWIP_TCP_SACK_OUT	   1
#define LWIP_TCP_MAX_SACK_NUM	   4
#define TCP_LISTEN_BACKLOG	   1
#define TCP_DEFAULT_LISTEN_BACKLOG 16
#define LWIP_TCP_KEEPALIVE	   1
#define TCP_OVERSIZE		   TCP_MSS
#define LWIP_TCP_TIMESTAMPS	   0
#define TCP_CALCULATE_EFF_SEND_MSS 1
#define TCP_TMR_INTERVAL	   250

/* Memory: static pools in the stack's image. */
#define MEM_ALIGNMENT		8
#define MEM_SIZE		(192 * 1024)
#define MEMP_NUM_PBUF		64
#define MEMP_NUM_TCP_PCB	64
#define MEMP_NUM_TCP_PCB_LISTEN 8
#define MEMP_NUM_TCP_SEG	512 /* several senders at TCP_SND_QUEUELEN each */
#define MEMP_NUM_UDP_PCB	16
#define MEMP_NUM_RAW_PCB	4
#define MEMP_NUM_REASSDATA	8
#define MEMP_NUM_FRAG_PBUF	16
#define MEMP_NUM_ARP_QUEUE	16
#define MEMP_NUM_ND6_QUEUE	16
#define MEMP_NUM_SYS_TIMEOUT	(LWIP_NUM_SYS_TIMEOUT_INTERNAL + 4)
#define PBUF_POOL_SIZE		128
#define PBUF_POOL_BUFSIZE	1536
#define ETH_PAD_SIZE		0
#define ARP_TABLE_SIZE		16
#define ARP_QUEUEING		1

/* Checksums: generated and checked in software, every protocol. */
#define CHECKSUM_GEN_IP	      1
#define CHECKSUM_GEN_UDP      1
#define CHECKSUM_GEN_TCP      1
#define CHECKSUM_GEN_ICMP     1
#define CHECKSUM_GEN_ICMP6    1
#define CHECKSUM_CHECK_IP     1
#define CHECKSUM_CHECK_UDP    1
#define CHECKSUM_CHECK_TCP    1
#define CHECKSUM_CHECK_ICMP   1
#define CHECKSUM_CHECK_ICMP6  1
#define LWIP_CHECKSUM_ON_COPY 1

/* The interface. */
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK   1
#define LWIP_SINGLE_NETIF	   1
#define LWIP_NETIF_TX_SINGLE_PBUF  1 /* one frame, one copy into a driver buffer */

/* Counters for netstat. */
#define LWIP_STATS	   1
#define LWIP_STATS_DISPLAY 0
#define LWIP_STATS_LARGE   1 /* 32-bit counters: 16 bits wrap within a second */
#define LINK_STATS	   1
#define ETHARP_STATS	   1
#define IP_STATS	   1
#define IP6_STATS	   1
#define ICMP_STATS	   1
#define ICMP6_STATS	   1
#define TCP_STATS	   1
#define UDP_STATS	   1
#define MEM_STATS	   1
#define MEMP_STATS	   1
#define SYS_STATS	   0
#define MIB2_STATS	   1 /* TCP retransmissions */
#define ND6_STATS	   1
#define MLD6_STATS	   0
#define IPFRAG_STATS	   0
#define IP6_FRAG_STATS	   0

/* Randomness from the virtio entropy device, and RFC 6528 initial sequence numbers. */
#define LWIP_RAND() net_random_u32()
#define LWIP_HOOK_TCP_ISN(local_ip, local_port, remote_ip, remote_port)                            \
	net_tcp_isn((local_ip), (local_port), (remote_ip), (remote_port))

#endif
