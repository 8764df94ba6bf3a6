/* The client's error codes in words: see viper/http_error.h. */
#include <viper/http_error.h>

/* Indexed by -code. */
static const char *const messages[] = {
	[-HTTP_OK] = "success",
	[-HTTP_E_BAD_URL] = "bad URL",
	[-HTTP_E_URL_TOO_LONG] = "URL too long",
	[-HTTP_E_UNSUPPORTED_SCHEME] = "unsupported scheme",
	[-HTTP_E_NO_SUCH_HOST] = "no such host",
	[-HTTP_E_CONNECTION_REFUSED] = "connection refused",
	[-HTTP_E_CONNECTION_RESET] = "connection reset",
	[-HTTP_E_TIMED_OUT] = "timed out",
	[-HTTP_E_NETWORK_UNREACHABLE] = "network unreachable",
	[-HTTP_E_NETWORK] = "network error",
	[-HTTP_E_NO_RESPONSE] = "no response from the server",
	[-HTTP_E_BAD_RESPONSE] = "bad response",
	[-HTTP_E_TRUNCATED] = "truncated body",
	[-HTTP_E_BAD_CHUNK] = "bad chunk in a chunked body",
	[-HTTP_E_TOO_MANY_REDIRECTS] = "too many redirects",
	[-HTTP_E_REDIRECT_LOOP] = "redirect loop",
	[-HTTP_E_STATUS] = "HTTP error status",
	[-HTTP_E_SINK] = "the receiver refused the data",
	[-HTTP_E_NO_MEMORY] = "out of memory",
	[-HTTP_E_INVALID] = "invalid argument",
	[-HTTP_E_TLS_CERTIFICATE] = "the server's certificate was refused",
	[-HTTP_E_TLS_HANDSHAKE] = "TLS handshake failed",
	[-HTTP_E_TLS_PROTOCOL] = "TLS protocol error",
};

_Static_assert(sizeof(messages) / sizeof(messages[0]) == 1 - HTTP_E_LOWEST,
	       "every enum http_error code has a message");

bool http_error_is_known(int err)
{
	return err <= 0 && err >= HTTP_E_LOWEST;
}

const char *http_error_message(int err)
{
	return http_error_is_known(err) ? messages[-err] : "unknown error";
}
