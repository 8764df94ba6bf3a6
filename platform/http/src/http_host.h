/*
 * The host part of a URL: a DNS name, a dotted IPv4 address or an IPv6
 * address (RFC 3986 3.2.2, without zone identifiers). Checks only.
 */
#ifndef HTTP_HOST_H
#define HTTP_HOST_H

#include <stdbool.h>
#include <stddef.h>

#include <viper/http_url.h>

/*
 * Whether host[0, len) is a host, and which kind: `bracketed` says it was
 * written in brackets, so it must be an IPv6 address (and nothing else
 * may be). A name whose last label is all digits must be an IPv4 address.
 */
bool http_host_check(const char *host, size_t len, bool bracketed, enum http_host_kind *kind);

#endif
