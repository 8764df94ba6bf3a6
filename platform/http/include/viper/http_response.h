/*
 * An incremental parser of one HTTP/1.x response, fed the bytes of the
 * connection in slices of any size (one byte at a time works as well as
 * all at once). It reads the status line and header fields, then frames
 * the body (Content-Length, chunked, or until the connection closes) and
 * hands each slice of the body to a sink. No allocation: every limit is a
 * fixed buffer in struct http_response.
 *
 * Lines end with LF, optionally preceded by CR; a CR anywhere else, any
 * other control character but HT, a folded header line or a line starting
 * with a space is malformed. Interim 1xx responses (not 101) are skipped.
 * 1xx, 204 and 304 responses have no body whatever their fields say.
 */
#ifndef VIPER_HTTP_RESPONSE_H
#define VIPER_HTTP_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <viper/http_error.h>
#include <viper/http_url.h>

/* Bytes of a status line and its header fields, line ends and the empty line included. */
#define HTTP_HEADER_BLOCK_MAX 8192u
/* Bytes of a chunked body's trailer section. */
#define HTTP_TRAILER_MAX 8192u
/* Bytes of one line kept: a longer field is skipped unless the parser reads it. */
#define HTTP_LINE_MAX (HTTP_URL_MAX + 128u)
/* Bytes of the reason phrase kept; the rest is dropped. */
#define HTTP_REASON_MAX 63u
/* Content-Length, expected totals: not known. */
#define HTTP_LENGTH_UNKNOWN (-1)

/*
 * Takes data[0, len) of the body (len > 0). Returns 0 (or any value >= 0)
 * to go on, or a negative value of its own choosing to stop the transfer:
 * the parser then fails with HTTP_E_SINK and keeps the value in sink_error.
 */
typedef int (*http_sink_fn)(void *ctx, const uint8_t *data, size_t len);

/* What http_response_feed reached. */
enum http_parse_event {
	HTTP_PARSE_MORE = 0,	/* every byte was taken; feed more */
	HTTP_PARSE_HEADERS = 1, /* the header block is complete; the body starts after *used */
	HTTP_PARSE_DONE = 2,	/* the response is complete; bytes after *used are not part of it */
};

struct http_response {
	/* The header block: set once HTTP_PARSE_HEADERS has been returned. */
	int version_minor;		  /* HTTP/1.0 or HTTP/1.1 (any 1.x) */
	int status;			  /* 100..599 */
	char reason[HTTP_REASON_MAX + 1]; /* the reason phrase, maybe cut short */
	int64_t content_length;		  /* the body's: 0 for 204 and 304; HTTP_LENGTH_UNKNOWN when
					     chunked or not given (until the close) */
	bool chunked;			 /* Transfer-Encoding: chunked (wins over Content-Length) */
	bool connection_close;		 /* Connection: close, or HTTP/1.0 */
	bool location_too_long;		 /* a Location over HTTP_URL_MAX bytes: location is "" */
	char location[HTTP_URL_MAX + 1]; /* the first Location field, "" when none */

	/* The body so far. */
	uint64_t body_bytes; /* bytes the sink accepted */
	int sink_error;	     /* what the sink returned when the parser failed with HTTP_E_SINK */

	/* The parser's own state: read none of it. */
	http_sink_fn sink;
	void *sink_ctx;
	int error;		/* sticky: once failed, every call returns it */
	uint8_t state;		/* enum in http_response.c */
	bool any_bytes;		/* some byte was fed: tells a bad reply from none */
	bool line_cr;		/* the line's last byte was a CR */
	bool line_cut;		/* the line is longer than HTTP_LINE_MAX: the rest dropped */
	uint32_t block_bytes;	/* bytes of the header block or trailer section so far */
	uint32_t line_len;	/* bytes kept in line */
	uint64_t remaining;	/* bytes left of the Content-Length body or of the chunk */
	unsigned chunked_count; /* how many times "chunked" was listed */
	char line[HTTP_LINE_MAX + 1];
};

/*
 * Makes *r ready for a response whose body goes to sink(sink_ctx, ...);
 * sink may be NULL, to count the body and drop it.
 */
void http_response_init(struct http_response *r, http_sink_fn sink, void *sink_ctx);

/*
 * Parses data[0, len), calling the sink with body bytes, until it reaches
 * an event or the end of the slice; *used says how many bytes it took.
 * Returns an enum http_parse_event: MORE (all taken), HEADERS (once per
 * response; call again with the rest for the body, or stop here to leave
 * the body unread) or DONE (and DONE again on every later call). Or fails
 * with HTTP_E_BAD_RESPONSE (the status line or a field, or a header block
 * over HTTP_HEADER_BLOCK_MAX), HTTP_E_BAD_CHUNK (chunked framing, a chunk
 * size over 2^63 - 1 or a trailer section over HTTP_TRAILER_MAX) or
 * HTTP_E_SINK; after a failure every call returns the same error.
 */
HTTP_MUST_CHECK int http_response_feed(struct http_response *r, const uint8_t *data, size_t len,
				       size_t *used);

/*
 * Tells the parser the connection has ended. Returns 0 when the response
 * is complete (or its body ran until the close), HTTP_E_NO_RESPONSE when
 * no byte came, HTTP_E_BAD_RESPONSE when the header block was cut short,
 * HTTP_E_TRUNCATED when the body was (body_bytes tells how much came,
 * content_length how much was due), or the parser's earlier error.
 */
HTTP_MUST_CHECK int http_response_finish(struct http_response *r);

#endif
