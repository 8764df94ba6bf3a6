/*
 * Addresses and names for the POSIX layer's sockets: sockaddr conversions,
 * inet_pton and inet_ntop, and getaddrinfo over the network stack's
 * Resolve (numeric hosts are parsed here and need no server).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "posix_sockets.h"

int posix_sockaddr_in(const struct sockaddr *addr, socklen_t len, uint8_t *bytes, pb_size_t *size,
		      uint32_t *port)
{
	if (addr == NULL)
		return errno = EINVAL, -1;
	if (addr->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)addr;
		memcpy(bytes, &in->sin_addr, 4);
		*size = 4;
		*port = ntohs(in->sin_port);
		return 0;
	}
	if (addr->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;
		memcpy(bytes, &in6->sin6_addr, 16);
		*size = 16;
		*port = ntohs(in6->sin6_port);
		return 0;
	}
	errno = addr->sa_family == AF_INET || addr->sa_family == AF_INET6 ? EINVAL : EAFNOSUPPORT;
	return -1;
}

void posix_sockaddr_out(const uint8_t *bytes, uint32_t size, uint32_t port, struct sockaddr *addr,
			socklen_t *len)
{
	struct sockaddr_in6 a6 = {.sin6_len = sizeof(a6), .sin6_family = AF_INET6};
	struct sockaddr_in a4 = {.sin_len = sizeof(a4), .sin_family = AF_INET};
	const void *src = &a4;
	socklen_t full = sizeof(a4);

	if (addr == NULL || len == NULL)
		return;
	if (size == 16) {
		memcpy(&a6.sin6_addr, bytes, 16);
		a6.sin6_port = htons((uint16_t)port);
		src = &a6;
		full = sizeof(a6);
	} else {
		if (size == 4)
			memcpy(&a4.sin_addr, bytes, 4);
		a4.sin_port = htons((uint16_t)port);
	}
	memcpy(addr, src, *len < full ? *len : full);
	*len = full;
}

bool posix_is_any(const uint8_t *bytes, uint32_t size)
{
	for (uint32_t i = 0; i < size; i++) {
		if (bytes[i])
			return false;
	}
	return true;
}

static int pton4(const char *s, uint8_t out[4])
{
	for (int i = 0; i < 4; i++) {
		unsigned v = 0, digits = 0;

		while (*s >= '0' && *s <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(*s++ - '0');
			digits++;
		}
		if (digits == 0 || digits > 3 || v > 255 || (digits > 1 && s[-(int)digits] == '0'))
			return 0;
		out[i] = (uint8_t)v;
		if (i < 3 && *s++ != '.')
			return 0;
	}
	return *s == '\0';
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* An IPv6 address: groups of hex, one "::" at most, an IPv4 tail allowed. */
static int pton6(const char *s, uint8_t out[16])
{
	uint8_t words[16] = {0};
	int n = 0, gap = -1;

	if (s[0] == ':' && s[1] == ':') {
		gap = 0;
		s += 2;
	}
	while (*s && n < 16) {
		unsigned v = 0, digits = 0;
		const char *start = s;

		while (hex_digit(*s) >= 0 && digits < 5) {
			v = v * 16 + (unsigned)hex_digit(*s++);
			digits++;
		}
		if (*s == '.' && n <= 12) {
			if (!pton4(start, words + n))
				return 0;
			n += 4;
			break;
		}
		if (digits == 0 || digits > 4)
			return 0;
		words[n++] = (uint8_t)(v >> 8);
		words[n++] = (uint8_t)v;
		if (*s == '\0')
			break;
		if (*s++ != ':')
			return 0;
		if (*s == ':') {
			if (gap >= 0)
				return 0;
			gap = n;
			s++;
			if (*s == '\0')
				break;
		} else if (*s == '\0') {
			return 0;
		}
	}
	if ((gap < 0 && n != 16) || (gap >= 0 && n > 14) || (*s && n >= 16 && gap < 0 && *s))
		return 0;
	memset(out, 0, 16);
	if (gap < 0) {
		memcpy(out, words, 16);
	} else {
		memcpy(out, words, (size_t)gap);
		memcpy(out + 16 - (n - gap), words + gap, (size_t)(n - gap));
	}
	return 1;
}

int inet_pton(int af, const char *src, void *dst)
{
	if (af == AF_INET)
		return pton4(src, dst);
	if (af == AF_INET6)
		return pton6(src, dst);
	errno = EAFNOSUPPORT;
	return -1;
}

/* The longest run of two or more zero words, for "::": its start, or -1. */
static int zero_run(const uint8_t *a, int *len)
{
	int best = -1, best_len = 0;

	for (int i = 0; i < 8;) {
		int j = i;

		while (j < 8 && a[2 * j] == 0 && a[2 * j + 1] == 0)
			j++;
		if (j - i > best_len && j - i >= 2) {
			best = i;
			best_len = j - i;
		}
		i = j > i ? j : i + 1;
	}
	*len = best_len;
	return best;
}

static void ntop6(const uint8_t *a, char *out, size_t size)
{
	int run_len, run = zero_run(a, &run_len);
	size_t at = 0;

	for (int i = 0; i < 8 && at < size; i++) {
		if (i == run) {
			at += (size_t)snprintf(out + at, size - at, "%s", i == 0 ? "::" : ":");
			i += run_len - 1;
			continue;
		}
		at += (size_t)snprintf(out + at, size - at, "%x%s", (a[2 * i] << 8) | a[2 * i + 1],
				       i < 7 ? ":" : "");
	}
}

const char *inet_ntop(int af, const void *src, char *dst, socklen_t size)
{
	char text[INET6_ADDRSTRLEN];
	const uint8_t *a = src;

	if (af == AF_INET)
		snprintf(text, sizeof(text), "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	else if (af == AF_INET6)
		ntop6(a, text, sizeof(text));
	else
		return errno = EAFNOSUPPORT, NULL;
	if (strlen(text) + 1 > size)
		return errno = ENOSPC, NULL;
	memcpy(dst, text, strlen(text) + 1);
	return dst;
}

static struct addrinfo *make_info(const uint8_t *bytes, uint32_t size, uint16_t port,
				  const struct addrinfo *hints)
{
	struct addrinfo *ai = calloc(1, sizeof(*ai) + sizeof(struct sockaddr_in6));
	socklen_t len = sizeof(struct sockaddr_in6);

	if (ai == NULL)
		return NULL;
	ai->ai_addr = (struct sockaddr *)(ai + 1);
	posix_sockaddr_out(bytes, size, port, ai->ai_addr, &len);
	ai->ai_addrlen = len;
	ai->ai_family = size == 16 ? AF_INET6 : AF_INET;
	ai->ai_socktype = hints && hints->ai_socktype ? hints->ai_socktype : SOCK_STREAM;
	ai->ai_protocol = ai->ai_socktype == SOCK_DGRAM ? IPPROTO_UDP : IPPROTO_TCP;
	return ai;
}

static int service_port(const char *service, uint16_t *port)
{
	char *end;
	unsigned long v;

	*port = 0;
	if (service == NULL)
		return 0;
	v = strtoul(service, &end, 10);
	if (*service == '\0' || *end != '\0' || v > 65535)
		return EAI_SERVICE; /* no services database: numbers only */
	*port = (uint16_t)v;
	return 0;
}

static int resolve_error(int32_t err)
{
	switch (err) {
	case VIPER_E_NOTFOUND:
		return EAI_NONAME;
	case VIPER_E_TIMEOUT:
		return EAI_AGAIN;
	case VIPER_E_NOMEM:
		return EAI_MEMORY;
	default:
		return EAI_FAIL;
	}
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
		struct addrinfo **res)
{
	viper_net_ResolveRequest req = viper_net_ResolveRequest_init_zero;
	viper_net_ResolveReply rep = viper_net_ResolveReply_init_zero;
	int family = hints ? hints->ai_family : AF_UNSPEC;
	struct addrinfo *head = NULL, **tail = &head;
	uint16_t port;
	int32_t err;
	int e = service_port(service, &port);

	*res = NULL;
	if (e)
		return e;
	if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6)
		return EAI_FAMILY;
	if (node == NULL)
		node = (hints && (hints->ai_flags & AI_PASSIVE)) ? "0.0.0.0" : "127.0.0.1";
	if (strlen(node) >= sizeof(req.name))
		return EAI_NONAME;
	if (!posix.has_net)
		return EAI_FAIL;
	strcpy(req.name, node);
	req.family = family == AF_INET ? 4 : family == AF_INET6 ? 6 : 0;
	err = net_resolve(&posix.net, &req, &rep);
	if (err)
		return resolve_error(err);
	for (pb_size_t i = 0; i < rep.addresses_count; i++) {
		*tail = make_info(rep.addresses[i].bytes, rep.addresses[i].size, port, hints);
		if (*tail == NULL) {
			freeaddrinfo(head);
			return EAI_MEMORY;
		}
		tail = &(*tail)->ai_next;
	}
	*res = head;
	return head ? 0 : EAI_NONAME;
}

void freeaddrinfo(struct addrinfo *res)
{
	while (res) {
		struct addrinfo *next = res->ai_next;

		free(res);
		res = next;
	}
}

const char *gai_strerror(int error)
{
	switch (error) {
	case 0:
		return "success";
	case EAI_NONAME:
		return "no such host";
	case EAI_AGAIN:
		return "no DNS server answered";
	case EAI_SERVICE:
		return "not a port number";
	case EAI_FAMILY:
		return "address family not supported";
	case EAI_MEMORY:
		return "out of memory";
	default:
		return "name resolution failed";
	}
}
