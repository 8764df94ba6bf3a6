/*
 * The HTTP library in a ViperOS process: every entry point called once, so
 * the linker pulls the library's objects in for the target. Never run; it
 * only has to build (see ../BUILD).
 */
#include <viper/http.h>
#include <viper/runtime.h>

static struct http_result result;
static struct http_response response;

int main(const struct viper_startup *startup)
{
	static const uint8_t reply[] = "HTTP/1.1 204 No Content\r\n\r\n";
	struct http_url url, next;
	char request[HTTP_REQUEST_MAX + 1];
	size_t used;

	(void)startup;
	if (http_url_parse("http://[fec0::2]:8080/x", &url) != HTTP_OK ||
	    http_url_resolve(&url, "../y", &next) != HTTP_OK ||
	    http_request_format(&next, request, sizeof(request)) <= 0)
		return 1;
	http_response_init(&response, NULL, NULL);
	if (http_response_feed(&response, reply, sizeof(reply) - 1, &used) != HTTP_PARSE_HEADERS ||
	    http_response_finish(&response) != HTTP_OK)
		return 2;
	return http_get(NULL, "http://h/", NULL, &result) == HTTP_E_INVALID &&
			       http_error_message(result.error)[0]
		       ? 0
		       : 3;
}
