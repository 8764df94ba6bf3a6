/*
 * The HTTP client's one error type: 0 is success, every failure a negative
 * enum http_error. Transports (plain TCP, TLS in platform/tls) map their
 * own failures to these codes, so a program reports any of them with
 * http_error_message; a TLS transport's report says more.
 */
#ifndef VIPER_HTTP_ERROR_H
#define VIPER_HTTP_ERROR_H

#include <stdbool.h>

/* On functions whose result must be looked at. */
#define HTTP_MUST_CHECK __attribute__((warn_unused_result))

enum http_error {
	HTTP_OK = 0,
	HTTP_E_BAD_URL = -1,		 /* the URL is malformed */
	HTTP_E_URL_TOO_LONG = -2,	 /* a URL or Location is over HTTP_URL_MAX */
	HTTP_E_UNSUPPORTED_SCHEME = -3,	 /* not http, or https without a TLS transport */
	HTTP_E_NO_SUCH_HOST = -4,	 /* the transport could not resolve the name */
	HTTP_E_CONNECTION_REFUSED = -5,	 /* nothing listens on that port */
	HTTP_E_CONNECTION_RESET = -6,	 /* the peer aborted the connection */
	HTTP_E_TIMED_OUT = -7,		 /* a connect, send or recv took too long */
	HTTP_E_NETWORK_UNREACHABLE = -8, /* no route to the host */
	HTTP_E_NETWORK = -9,		 /* any other transport failure */
	HTTP_E_NO_RESPONSE = -10,	 /* the connection closed before any reply */
	HTTP_E_BAD_RESPONSE = -11,	 /* the status line or a header is malformed */
	HTTP_E_TRUNCATED = -12,		 /* the connection closed before the body ended */
	HTTP_E_BAD_CHUNK = -13,		 /* the chunked framing is malformed */
	HTTP_E_TOO_MANY_REDIRECTS = -14, /* over the options' max_redirects */
	HTTP_E_REDIRECT_LOOP = -15,	 /* a redirect to a URL already requested */
	HTTP_E_STATUS = -16,		 /* the final status is not 2xx */
	HTTP_E_SINK = -17,		 /* the body sink returned an error */
	HTTP_E_NO_MEMORY = -18,		 /* the transport ran out of memory */
	HTTP_E_INVALID = -19,		 /* a NULL or out-of-range argument */
	HTTP_E_TLS_CERTIFICATE = -20,	 /* TLS: the server's certificate chain was refused */
	HTTP_E_TLS_HANDSHAKE = -21,	 /* TLS: the handshake failed for another reason */
	HTTP_E_TLS_PROTOCOL = -22,	 /* TLS: a protocol error after the handshake */
};

/* The lowest code: every value in [HTTP_E_LOWEST, -1] is an enum http_error. */
#define HTTP_E_LOWEST HTTP_E_TLS_PROTOCOL

/* Whether `err` is HTTP_OK or one of enum http_error. */
bool http_error_is_known(int err);

/*
 * Short English text for `err` ("bad URL", "timed out", ...), "success"
 * for 0 and "unknown error" for anything else. A static string.
 */
const char *http_error_message(int err);

#endif
