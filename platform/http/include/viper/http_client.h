/*
 * GET over any byte-stream transport: http_get connects, sends the request
 * of viper/http_request.h, parses the reply with viper/http_response.h and
 * follows redirects. The transport is a table of functions (a TCP socket
 * for http, a TLS session over one for https), so the client itself makes
 * no system calls. No allocation: the state lives in http_get's frame (about
 * 6 KiB of stack) and in struct http_result (about 9 KiB).
 */
#ifndef VIPER_HTTP_CLIENT_H
#define VIPER_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <viper/http_error.h>
#include <viper/http_response.h>
#include <viper/http_url.h>

#define HTTP_REDIRECTS_DEFAULT 5u     /* redirects followed unless the options say otherwise */
#define HTTP_REDIRECTS_MAX     8u     /* the most the options may ask for */
#define HTTP_TIMEOUT_DEFAULT   30000u /* milliseconds for each connect, send and recv */

/*
 * One connection at a time; every function takes ctx first. Errors are
 * negative enum http_error codes: the transport maps its own to them
 * (anything else counts as HTTP_E_NETWORK).
 */
struct http_transport {
	void *ctx;
	/*
	 * Opens a connection to host (a DNS name the transport resolves, or
	 * an IPv4 or IPv6 address without brackets) and port. timeout_ms
	 * bounds the connect and every later send and recv on the connection
	 * (0: the transport's own limit). Returns 0 or an error.
	 */
	int (*connect)(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms);
	/* Sends some of buf[0, len): returns how many bytes (1..len) or an error. */
	int (*send)(void *ctx, const void *buf, size_t len);
	/* Receives into buf[0, cap): bytes (1..cap), 0 at the end of the stream, or an error. */
	int (*recv)(void *ctx, void *buf, size_t cap);
	/* Ends the connection: called once after every connect that returned 0. */
	void (*close)(void *ctx);
};

/* Bytes of the body so far and the total due (HTTP_LENGTH_UNKNOWN when not known). */
typedef void (*http_progress_fn)(void *ctx, uint64_t received, int64_t total);

struct http_get_options {
	/*
	 * The transport for https URLs (a TLS one, platform/tls), or NULL:
	 * then https URLs, and redirects to them, are HTTP_E_UNSUPPORTED_SCHEME.
	 * http URLs go through http_get's own transport argument.
	 */
	const struct http_transport *https;
	unsigned max_redirects;	   /* 0..HTTP_REDIRECTS_MAX */
	uint32_t timeout_ms;	   /* passed to connect (see struct http_transport) */
	http_sink_fn sink;	   /* the final 2xx body; NULL: counted and dropped */
	http_progress_fn progress; /* NULL: none */
	void *ctx;		   /* first argument of sink and progress */
};

/* What http_get did: filled in as far as it went, on success and on failure. */
struct http_result {
	int error;			  /* what http_get returned */
	int status;			  /* the last status received, 0 when none */
	char reason[HTTP_REASON_MAX + 1]; /* its reason phrase */
	int64_t content_length;		  /* of the last response, or HTTP_LENGTH_UNKNOWN */
	bool chunked;			  /* the last response's body was chunked */
	uint64_t body_bytes;		  /* bytes the sink accepted */
	int sink_error;			  /* the sink's own code when error is HTTP_E_SINK */
	unsigned redirects;		  /* redirects followed */
	/*
	 * The chain in canonical form: the URL asked for, then each Location
	 * followed; chain[redirects] is the last one requested (or refused
	 * for its scheme). A refused redirect's Location is not in it.
	 */
	char chain[HTTP_REDIRECTS_MAX + 1][HTTP_URL_MAX + 1];
};

/* Sets the defaults: HTTP_REDIRECTS_DEFAULT, HTTP_TIMEOUT_DEFAULT, no sink, no progress. */
void http_get_options_init(struct http_get_options *opt);

/*
 * Fetches `url` through `t` (opt NULL: the defaults) and fills *res.
 * Follows 301, 302, 303, 307 and 308 with GET, each Location resolved
 * against the URL that answered, between http and https both ways (each
 * URL through its scheme's transport). Only a final 2xx body reaches the sink,
 * slice by slice, with progress called once before the body (0 bytes)
 * and after each slice; the bodies of redirects and errors are not read.
 *
 * Returns 0 when the whole body came, or: HTTP_E_INVALID (a NULL
 * argument or transport function, max_redirects over HTTP_REDIRECTS_MAX),
 * the errors of http_url_parse for `url` and of http_url_resolve for a
 * Location (HTTP_E_BAD_RESPONSE for a malformed one), a redirect without a
 * Location (HTTP_E_BAD_RESPONSE), HTTP_E_REDIRECT_LOOP (a Location already
 * requested in this chain), HTTP_E_TOO_MANY_REDIRECTS (one more than
 * max_redirects), HTTP_E_STATUS (any other final status: status and
 * reason tell which), the errors of http_response_feed and _finish, or
 * the transport's. Nothing reaches the transport before the URL is parsed.
 */
HTTP_MUST_CHECK int http_get(const struct http_transport *t, const char *url,
			     const struct http_get_options *opt, struct http_result *res);

/* The final URL: chain[redirects] ("" when the URL asked for did not parse). */
const char *http_result_url(const struct http_result *res);

/* Whether http_get follows a response of this status: 301, 302, 303, 307, 308. */
bool http_status_is_redirect(int status);

#endif
