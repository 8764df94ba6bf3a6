/* Absolute URLs and references resolved against them: see viper/http_url.h. */
#include <viper/http_url.h>

#include <string.h>

#include "http_ascii.h"
#include "http_host.h"
#include "http_path.h"
#include "http_text.h"

struct scheme_row {
	const char *name;
	uint16_t port;
};

/* Indexed by enum http_scheme: a new scheme is a new row. */
static const struct scheme_row schemes[] = {
	[HTTP_SCHEME_HTTP] = {"http", 80},
	[HTTP_SCHEME_HTTPS] = {"https", 443},
};

#define SCHEME_COUNT (sizeof(schemes) / sizeof(schemes[0]))

const char *http_scheme_name(enum http_scheme scheme)
{
	return (size_t)scheme < SCHEME_COUNT ? schemes[scheme].name : "";
}

uint16_t http_scheme_default_port(enum http_scheme scheme)
{
	return (size_t)scheme < SCHEME_COUNT ? schemes[scheme].port : 0;
}

/*
 * The length of text before its fragment, or HTTP_E_BAD_URL for a space,
 * a control character or a byte over 0x7e anywhere in it.
 */
static int url_span(const char *text, size_t *len)
{
	size_t n = 0, cut = 0;
	bool fragment = false;

	for (; text[n]; n++) {
		unsigned char c = (unsigned char)text[n];
		if (c <= ' ' || c >= 0x7f)
			return HTTP_E_BAD_URL;
		if (c == '#' && !fragment) {
			fragment = true;
			cut = n;
		}
	}
	*len = fragment ? cut : n;
	return HTTP_OK;
}

/* The length of a scheme and its ':' at the start of text[0, len), or 0 when there is none. */
static size_t scheme_length(const char *text, size_t len)
{
	size_t n = 0;

	if (len == 0 || !http_ascii_alpha(text[0]))
		return 0;
	while (n < len && (http_ascii_alpha(text[n]) || http_ascii_digit(text[n]) ||
			   text[n] == '+' || text[n] == '-' || text[n] == '.'))
		n++;
	return n < len && text[n] == ':' ? n + 1 : 0;
}

static int port_parse(const char *s, size_t n, uint16_t *port)
{
	uint32_t value = 0;

	if (n == 0 || n > 5)
		return HTTP_E_BAD_URL;
	for (size_t i = 0; i < n; i++) {
		if (!http_ascii_digit(s[i]))
			return HTTP_E_BAD_URL;
		value = value * 10 + (uint32_t)(s[i] - '0');
	}
	if (value == 0 || value > 65535)
		return HTTP_E_BAD_URL;
	*port = (uint16_t)value;
	return HTTP_OK;
}

/* Sets url's host and port from the authority a[0, n): "host[:port]" or "[v6][:port]". */
static int authority_parse(const char *a, size_t n, struct http_url *url)
{
	size_t host_start = 0, host_len, rest;
	bool bracketed = n > 0 && a[0] == '[';

	if (memchr(a, '@', n))
		return HTTP_E_BAD_URL; /* user-info: never sent, and a phishing trick */
	if (bracketed) {
		const char *close = memchr(a, ']', n);
		if (!close)
			return HTTP_E_BAD_URL;
		host_start = 1;
		host_len = (size_t)(close - a) - 1;
		rest = host_len + 2;
	} else {
		const char *colon = memchr(a, ':', n);
		host_len = colon ? (size_t)(colon - a) : n;
		rest = host_len;
	}
	if (!http_host_check(a + host_start, host_len, bracketed, &url->host_kind))
		return HTTP_E_BAD_URL;
	for (size_t i = 0; i < host_len; i++)
		url->host[i] = http_ascii_lower(a[host_start + i]);
	url->host[host_len] = 0;
	url->port = http_scheme_default_port(url->scheme);
	if (rest == n)
		return HTTP_OK;
	if (a[rest] != ':')
		return HTTP_E_BAD_URL;
	return port_parse(a + rest + 1, n - rest - 1, &url->port);
}

/* The length of http_url_format's text. */
static size_t canonical_length(const struct http_url *url)
{
	char authority[HTTP_HOST_MAX + 16]; /* brackets, ":65535", NUL */
	int n = http_url_authority(url, authority, sizeof(authority));

	return strlen(http_scheme_name(url->scheme)) + 3 + (size_t)n + strlen(url->target);
}

/*
 * Sets url->target from the path p[0, n) (empty, or from '/') and the
 * query q[0, qn) (empty, or from '?'), the path's dot segments taken away.
 */
static int target_set(struct http_url *url, const char *p, size_t n, const char *q, size_t qn)
{
	struct http_text t;

	http_text_init(&t, url->target, sizeof(url->target));
	http_path_append(&t, 0, n > 0 ? p + 1 : p, n > 0 ? n - 1 : 0);
	http_text_put(&t, q, qn);
	if (t.overflow || canonical_length(url) > HTTP_URL_MAX)
		return HTTP_E_URL_TOO_LONG;
	return HTTP_OK;
}

/* Splits r[0, n) at its query: the path's length. */
static size_t path_length(const char *r, size_t n)
{
	const char *q = memchr(r, '?', n);

	return q ? (size_t)(q - r) : n;
}

/* Parses "authority[/path][?query]" (after "scheme://") into url, whose scheme is set. */
static int hierarchy_parse(const char *h, size_t n, struct http_url *url)
{
	size_t a = 0, p;
	int err;

	while (a < n && h[a] != '/' && h[a] != '?')
		a++;
	err = authority_parse(h, a, url);
	if (err)
		return err;
	p = path_length(h + a, n - a);
	return target_set(url, h + a, p, h + a + p, n - a - p);
}

/* Parses the absolute URL text[0, len) (no fragment). */
static int absolute_parse(const char *text, size_t len, struct http_url *url)
{
	size_t n = scheme_length(text, len);
	size_t s = 0;

	if (n == 0)
		return HTTP_E_BAD_URL;
	while (s < SCHEME_COUNT && !http_ascii_same(text, n - 1, schemes[s].name))
		s++;
	if (s == SCHEME_COUNT)
		return HTTP_E_UNSUPPORTED_SCHEME;
	url->scheme = (enum http_scheme)s;
	if (len < n + 2 || text[n] != '/' || text[n + 1] != '/')
		return HTTP_E_BAD_URL;
	return hierarchy_parse(text + n + 2, len - n - 2, url);
}

int http_url_parse(const char *text, struct http_url *url)
{
	size_t len;
	int err = url_span(text, &len);

	if (err)
		return err;
	return absolute_parse(text, len, url);
}

/* Sets url->target for a reference ref[0, n) without scheme or authority, against base. */
static int reference_target(const struct http_url *base, const char *ref, size_t n,
			    struct http_url *url)
{
	size_t p = path_length(ref, n);
	size_t base_path = path_length(base->target, strlen(base->target));
	struct http_text t;

	if (n == 0)
		return target_set(url, base->target, base_path, base->target + base_path,
				  strlen(base->target + base_path));
	if (p == 0)
		return target_set(url, base->target, base_path, ref, n);
	if (ref[0] == '/')
		return target_set(url, ref, p, ref + p, n - p);
	http_text_init(&t, url->target, sizeof(url->target));
	while (base_path > 0 && base->target[base_path - 1] != '/')
		base_path--;
	http_text_put(&t, base->target, base_path > 0 ? base_path - 1 : 0);
	http_path_append(&t, 0, ref, p);
	http_text_put(&t, ref + p, n - p);
	if (t.overflow || canonical_length(url) > HTTP_URL_MAX)
		return HTTP_E_URL_TOO_LONG;
	return HTTP_OK;
}

int http_url_resolve(const struct http_url *base, const char *ref, struct http_url *url)
{
	size_t len;
	int err = url_span(ref, &len);

	if (err)
		return err;
	if (scheme_length(ref, len) > 0)
		return absolute_parse(ref, len, url);
	url->scheme = base->scheme;
	if (len >= 2 && ref[0] == '/' && ref[1] == '/')
		return hierarchy_parse(ref + 2, len - 2, url);
	url->host_kind = base->host_kind;
	url->port = base->port;
	memcpy(url->host, base->host, sizeof(url->host));
	return reference_target(base, ref, len, url);
}

int http_url_authority(const struct http_url *url, char *buf, size_t cap)
{
	struct http_text t;
	bool v6 = url->host_kind == HTTP_HOST_IPV6;

	http_text_init(&t, buf, cap);
	http_text_put(&t, "[", v6 ? 1 : 0);
	http_text_puts(&t, url->host);
	http_text_put(&t, "]", v6 ? 1 : 0);
	if (url->port != http_scheme_default_port(url->scheme)) {
		http_text_put(&t, ":", 1);
		http_text_put_uint(&t, url->port);
	}
	return http_text_result(&t, HTTP_E_URL_TOO_LONG);
}

int http_url_format(const struct http_url *url, char *buf, size_t cap)
{
	struct http_text t;
	int n;

	http_text_init(&t, buf, cap);
	http_text_puts(&t, http_scheme_name(url->scheme));
	http_text_put(&t, "://", 3);
	n = http_url_authority(url, buf + t.len, t.overflow ? 0 : cap - t.len);
	if (n < 0)
		return n;
	t.len += (size_t)n;
	http_text_puts(&t, url->target);
	return http_text_result(&t, HTTP_E_URL_TOO_LONG);
}
