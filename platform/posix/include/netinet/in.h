/*
 * Internet addresses for the POSIX layer's sockets (sys/socket.h), and
 * inet_pton/inet_ntop, which picolibc's <arpa/inet.h> lacks.
 */
#ifndef VIPER_NETINET_IN_H
#define VIPER_NETINET_IN_H

#include <arpa/inet.h>
#include <stdint.h>
#include <sys/socket.h>

typedef uint32_t in_addr_t; /* as picolibc's <sys/types.h>, which shows them to BSD code only */
typedef uint16_t in_port_t;

#define IPPROTO_IP   0
#define IPPROTO_ICMP 1
#define IPPROTO_TCP  6
#define IPPROTO_UDP  17
#define IPPROTO_IPV6 41

#define INADDR_ANY	((in_addr_t)0)
#define INADDR_LOOPBACK ((in_addr_t)0x7f000001)

#define INET_ADDRSTRLEN	 16
#define INET6_ADDRSTRLEN 46

struct in_addr {
	in_addr_t s_addr;
};

struct in6_addr {
	uint8_t s6_addr[16];
};

struct sockaddr_in {
	uint8_t sin_len;
	sa_family_t sin_family;
	in_port_t sin_port;
	struct in_addr sin_addr;
	char sin_zero[8];
};

struct sockaddr_in6 {
	uint8_t sin6_len;
	sa_family_t sin6_family;
	in_port_t sin6_port;
	uint32_t sin6_flowinfo;
	struct in6_addr sin6_addr;
	uint32_t sin6_scope_id;
};

/* 1 when `src` is an address of family `af` (written to dst), 0 when not, -1 (EAFNOSUPPORT). */
int inet_pton(int af, const char *src, void *dst);
/* `src` of family `af` as text in dst[size]; NULL (ENOSPC, EAFNOSUPPORT) on failure. */
const char *inet_ntop(int af, const void *src, char *dst, socklen_t size);

#endif
