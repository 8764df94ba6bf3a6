/*
 * Sockets for ViperOS programs (src/posix_sockets.c), over the network
 * stack's interface net: TCP and UDP, IPv4 and IPv6, blocking or not
 * (SOCK_NONBLOCK, MSG_DONTWAIT), with SO_RCVTIMEO and SO_SNDTIMEO. A
 * program that uses them declares the slot {"net", "net"}. picolibc has
 * no <sys/socket.h>; this is the layer's own, with BSD-style address
 * structures (a length byte before the family).
 */
#ifndef VIPER_SYS_SOCKET_H
#define VIPER_SYS_SOCKET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/_timeval.h>
#include <sys/types.h>

typedef __socklen_t socklen_t;
typedef __sa_family_t sa_family_t;

#define AF_UNSPEC 0
#define AF_INET	  2
#define AF_INET6  10
#define PF_UNSPEC AF_UNSPEC
#define PF_INET	  AF_INET
#define PF_INET6  AF_INET6

#define SOCK_STREAM   1
#define SOCK_DGRAM    2
#define SOCK_NONBLOCK 0x800

#define SOL_SOCKET   1
#define SO_REUSEADDR 2 /* accepted, nothing to do: lwIP reuses TIME_WAIT ports itself */
#define SO_ERROR     4
#define SO_RCVTIMEO  20
#define SO_SNDTIMEO  21

#define MSG_DONTWAIT 0x40

#define SHUT_RD	  0
#define SHUT_WR	  1
#define SHUT_RDWR 2

struct sockaddr {
	uint8_t sa_len;
	sa_family_t sa_family;
	char sa_data[14];
};

struct sockaddr_storage {
	uint8_t ss_len;
	sa_family_t ss_family;
	char ss_data[126];
};

int socket(int domain, int type, int protocol);
int connect(int fd, const struct sockaddr *addr, socklen_t len);
int bind(int fd, const struct sockaddr *addr, socklen_t len);
int listen(int fd, int backlog);
int accept(int fd, struct sockaddr *addr, socklen_t *len);
ssize_t send(int fd, const void *buf, size_t len, int flags);
ssize_t recv(int fd, void *buf, size_t len, int flags);
ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
	       socklen_t tolen);
ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
		 socklen_t *fromlen);
int shutdown(int fd, int how);
int setsockopt(int fd, int level, int name, const void *value, socklen_t len);
int getsockopt(int fd, int level, int name, void *value, socklen_t *len);
int getsockname(int fd, struct sockaddr *addr, socklen_t *len);
int getpeername(int fd, struct sockaddr *addr, socklen_t *len);

#endif
