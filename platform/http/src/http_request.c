/* The text of a GET request: see viper/http_request.h. */
#include <viper/http_request.h>

#include "http_text.h"

int http_request_format(const struct http_url *url, char *buf, size_t cap)
{
	struct http_text t;
	int n;

	http_text_init(&t, buf, cap);
	http_text_puts(&t, "GET ");
	http_text_puts(&t, url->target);
	http_text_puts(&t, " HTTP/1.1\r\nHost: ");
	n = http_url_authority(url, buf + t.len, t.overflow ? 0 : cap - t.len);
	if (n < 0)
		return n;
	t.len += (size_t)n;
	http_text_puts(&t, "\r\nUser-Agent: " HTTP_USER_AGENT "\r\n"
			   "Accept: */*\r\n"
			   "Connection: close\r\n"
			   "\r\n");
	return http_text_result(&t, HTTP_E_URL_TOO_LONG);
}
