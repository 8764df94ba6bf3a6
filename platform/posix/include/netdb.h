/*
 * Name resolution for the POSIX layer's sockets: getaddrinfo asks the
 * network stack (interface net's Resolve, against its configured DNS
 * servers), numeric hosts and services need no server.
 */
#ifndef VIPER_NETDB_H
#define VIPER_NETDB_H

#include <netinet/in.h>
#include <sys/socket.h>

#define AI_PASSIVE     0x01
#define AI_CANONNAME   0x02
#define AI_NUMERICHOST 0x04
#define AI_NUMERICSERV 0x400

#define EAI_AGAIN    -3 /* no DNS server answered in time */
#define EAI_BADFLAGS -1
#define EAI_FAIL     -4 /* the network or the stack failed */
#define EAI_FAMILY   -6
#define EAI_MEMORY   -10
#define EAI_NONAME   -2 /* no such host (or no such service) */
#define EAI_SERVICE  -8
#define EAI_SOCKTYPE -7
#define EAI_SYSTEM   -11

struct addrinfo {
	int ai_flags;
	int ai_family;
	int ai_socktype;
	int ai_protocol;
	socklen_t ai_addrlen;
	struct sockaddr *ai_addr;
	char *ai_canonname;
	struct addrinfo *ai_next;
};

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
		struct addrinfo **res);
void freeaddrinfo(struct addrinfo *res);
const char *gai_strerror(int error);

#endif
