/*
 * Absolute URLs of the schemes the client knows, parsed into their parts,
 * and references (redirect Locations) resolved against them (RFC 3986).
 * Pure functions: no calls out, no allocation.
 *
 * Accepted: scheme://host[:port][/path][?query][#fragment], with scheme
 * http or https (case-insensitive), host a DNS name, a dotted IPv4 address
 * or an IPv6 address in brackets, port 1..65535. The fragment is dropped;
 * "." and ".." segments of the path are taken away. Refused with
 * HTTP_E_BAD_URL: no scheme, no "//", an empty host, a bad port (empty,
 * 0, over 65535, not digits), user-info ("user@"), spaces, control
 * characters and bytes over 0x7e anywhere (percent-encode them); with
 * HTTP_E_UNSUPPORTED_SCHEME: any other scheme.
 */
#ifndef VIPER_HTTP_URL_H
#define VIPER_HTTP_URL_H

#include <stddef.h>
#include <stdint.h>

#include <viper/http_error.h>

#define HTTP_URL_MAX  1024u /* bytes of a URL in canonical form (http_url_format) */
#define HTTP_HOST_MAX 253u  /* bytes of a host name (an IPv6 address without brackets) */

/*
 * The schemes the parser knows. Each has a default port; which of them can
 * be fetched is the client's choice (http_get: http only, for now).
 */
enum http_scheme {
	HTTP_SCHEME_HTTP,
	HTTP_SCHEME_HTTPS,
};

enum http_host_kind {
	HTTP_HOST_NAME, /* a DNS name: the transport resolves it */
	HTTP_HOST_IPV4, /* dotted decimal, four parts of 0..255 */
	HTTP_HOST_IPV6, /* written in brackets in a URL, kept here without */
};

struct http_url {
	enum http_scheme scheme;
	enum http_host_kind host_kind;
	uint16_t port;		       /* the scheme's default when none was given */
	char host[HTTP_HOST_MAX + 1];  /* lower case, NUL-terminated */
	char target[HTTP_URL_MAX + 1]; /* path and query, "/" at least: the request-target */
};

/*
 * Parses the absolute URL `text` into *url. Returns 0, HTTP_E_BAD_URL,
 * HTTP_E_UNSUPPORTED_SCHEME, or HTTP_E_URL_TOO_LONG when the canonical
 * form would be over HTTP_URL_MAX bytes. *url is undefined on failure.
 */
HTTP_MUST_CHECK int http_url_parse(const char *text, struct http_url *url);

/*
 * Resolves the reference `ref` (a Location) against `base` into *url (not
 * `base`): an absolute URL, "//host/path" (base's scheme), "/path" (base's
 * host), "?query" (base's path), "" (base itself), or a relative path
 * ("x", "../x") taken from the directory of base's path. Returns what
 * http_url_parse returns.
 */
HTTP_MUST_CHECK int http_url_resolve(const struct http_url *base, const char *ref,
				     struct http_url *url);

/*
 * Writes the canonical form "scheme://authority/target" to buf[0, cap),
 * NUL-terminated: the port only when not the default, IPv6 hosts in
 * brackets. Two URLs name the same resource when these are equal. Returns
 * its length, or HTTP_E_URL_TOO_LONG when cap is too small (cap >
 * HTTP_URL_MAX always suffices for a parsed URL).
 */
HTTP_MUST_CHECK int http_url_format(const struct http_url *url, char *buf, size_t cap);

/*
 * Writes "host[:port]" as a Host header carries it (brackets for IPv6,
 * the port only when not the default) to buf[0, cap), NUL-terminated.
 * Returns its length, or HTTP_E_URL_TOO_LONG when cap is too small.
 */
HTTP_MUST_CHECK int http_url_authority(const struct http_url *url, char *buf, size_t cap);

/* The scheme's name as written in URLs ("http"). */
const char *http_scheme_name(enum http_scheme scheme);

/* The scheme's port when a URL names none (80, 443). */
uint16_t http_scheme_default_port(enum http_scheme scheme);

#endif
