/*
 * Decoding one line of a response: the status line, a header field, a
 * field's value, a chunk-size line. Each only reads the line and says
 * what it holds; http_response.c acts on the answer.
 */
#ifndef HTTP_LINE_H
#define HTTP_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct http_status_line {
	int version_minor;
	int status;
	const char *reason; /* in the line, reason_len bytes */
	size_t reason_len;
};

/* The fields the parser reads; every other one is skipped. */
enum http_field_name {
	HTTP_FIELD_OTHER,
	HTTP_FIELD_CONTENT_LENGTH,
	HTTP_FIELD_TRANSFER_ENCODING,
	HTTP_FIELD_LOCATION,
	HTTP_FIELD_CONNECTION,
};

struct http_field {
	enum http_field_name name;
	const char *value; /* in the line, value_len bytes, without the whitespace around it */
	size_t value_len;
};

/* "HTTP/1.x NNN [reason]": 0, or HTTP_E_BAD_RESPONSE. */
int http_line_status(const char *line, size_t len, struct http_status_line *out);

/* "name: value": 0, or HTTP_E_BAD_RESPONSE (no colon, a bad name, space before the colon). */
int http_line_field(const char *line, size_t len, struct http_field *out);

/*
 * A Content-Length value: one decimal number, or a list of equal ones
 * ("5, 5"), at most 2^63 - 1. 0, or HTTP_E_BAD_RESPONSE.
 */
int http_line_content_length(const char *value, size_t len, int64_t *length);

/*
 * A Transfer-Encoding value: adds to *chunked how often "chunked" is
 * listed. 0, or HTTP_E_BAD_RESPONSE for any other coding (the client asks
 * for none, and cannot undo gzip).
 */
int http_line_codings(const char *value, size_t len, unsigned *chunked);

/* Whether the comma-separated list value[0, len) holds `token`, ignoring case. */
bool http_line_has_token(const char *value, size_t len, const char *token);

/*
 * A chunk-size line: hex digits, then maybe whitespace and ";extensions"
 * (ignored). 0 with *size, or HTTP_E_BAD_CHUNK (no digits, anything else
 * after them, a size over 2^63 - 1).
 */
int http_line_chunk_size(const char *line, size_t len, uint64_t *size);

#endif
