/*
 * The text of a GET request for a URL: what the client sends, exactly.
 *
 *   GET <target> HTTP/1.1\r\n
 *   Host: <host[:port]>\r\n
 *   User-Agent: ViperOS-Fetch/1.0\r\n
 *   Accept: * / *\r\n       (any media type; no spaces on the wire)
 *   Connection: close\r\n
 *   \r\n
 *
 * Connection: close makes the end of the connection the end of the
 * exchange, so the client never keeps or reuses connections.
 */
#ifndef VIPER_HTTP_REQUEST_H
#define VIPER_HTTP_REQUEST_H

#include <stddef.h>

#include <viper/http_url.h>

#define HTTP_USER_AGENT "ViperOS-Fetch/1.0"

/* Bytes of the longest request: a canonical URL's host and target, and the fixed text. */
#define HTTP_REQUEST_MAX (HTTP_URL_MAX + 128u)

/*
 * Writes the GET request for `url` to buf[0, cap), NUL-terminated (the NUL
 * is not sent). Returns its length, or HTTP_E_URL_TOO_LONG when cap is too
 * small (cap > HTTP_REQUEST_MAX always suffices for a parsed URL).
 */
HTTP_MUST_CHECK int http_request_format(const struct http_url *url, char *buf, size_t cap);

#endif
