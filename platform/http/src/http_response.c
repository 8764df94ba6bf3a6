/* The incremental response parser: see viper/http_response.h. */
#include <viper/http_response.h>

#include <string.h>

#include "http_line.h"

enum parse_state {
	S_STATUS,     /* the status line */
	S_HEADER,     /* header fields, up to the empty line */
	S_LENGTH,     /* a Content-Length body: remaining bytes */
	S_CLOSE,      /* a body until the connection closes */
	S_CHUNK_SIZE, /* a chunk-size line */
	S_CHUNK_DATA, /* a chunk's data: remaining bytes */
	S_CHUNK_END,  /* the line end after a chunk's data */
	S_TRAILER,    /* trailer fields, up to the empty line */
	S_DONE,
};

void http_response_init(struct http_response *r, http_sink_fn sink, void *sink_ctx)
{
	memset(r, 0, sizeof(*r));
	r->content_length = HTTP_LENGTH_UNKNOWN;
	r->sink = sink;
	r->sink_ctx = sink_ctx;
	r->state = S_STATUS;
}

/* The error for a malformed line in the current state. */
static int line_error(const struct http_response *r)
{
	return r->state == S_STATUS || r->state == S_HEADER ? HTTP_E_BAD_RESPONSE
							    : HTTP_E_BAD_CHUNK;
}

/* Counts one byte of a line against the limit of its section. */
static int line_count(struct http_response *r)
{
	if (r->state == S_STATUS || r->state == S_HEADER)
		return ++r->block_bytes > HTTP_HEADER_BLOCK_MAX ? HTTP_E_BAD_RESPONSE : HTTP_OK;
	if (r->state == S_TRAILER)
		return ++r->block_bytes > HTTP_TRAILER_MAX ? HTTP_E_BAD_CHUNK : HTTP_OK;
	return HTTP_OK;
}

/* Takes the bytes of a line from data[*pos, len) into r->line; *complete once its LF came. */
static int line_take(struct http_response *r, const uint8_t *data, size_t len, size_t *pos,
		     bool *complete)
{
	while (*pos < len) {
		uint8_t c = data[(*pos)++];
		int err = line_count(r);

		if (err)
			return err;
		if (c == '\n') {
			r->line[r->line_len] = 0;
			*complete = true;
			return HTTP_OK;
		}
		if (r->line_cr)
			return line_error(r); /* a CR not before LF */
		if (c == '\r') {
			r->line_cr = true;
			continue;
		}
		if ((c < ' ' && c != '\t') || c == 0x7f || r->state == S_CHUNK_END)
			return line_error(r);
		if (r->line_len < HTTP_LINE_MAX)
			r->line[r->line_len++] = (char)c;
		else if (r->state == S_CHUNK_SIZE)
			return HTTP_E_BAD_CHUNK;
		else
			r->line_cut = true;
	}
	return HTTP_OK;
}

static int status_apply(struct http_response *r)
{
	struct http_status_line s;
	size_t n;

	if (r->line_cut || http_line_status(r->line, r->line_len, &s) != HTTP_OK)
		return HTTP_E_BAD_RESPONSE;
	r->version_minor = s.version_minor;
	r->status = s.status;
	n = s.reason_len < HTTP_REASON_MAX ? s.reason_len : HTTP_REASON_MAX;
	memcpy(r->reason, s.reason, n);
	r->reason[n] = 0;
	r->state = S_HEADER;
	return HTTP_PARSE_MORE;
}

static void location_take(struct http_response *r, const struct http_field *f)
{
	if (r->location[0] || r->location_too_long)
		return; /* the first one counts */
	if (r->line_cut || f->value_len > HTTP_URL_MAX) {
		r->location_too_long = true;
		return;
	}
	memcpy(r->location, f->value, f->value_len);
	r->location[f->value_len] = 0;
}

static int field_apply(struct http_response *r)
{
	struct http_field f;
	int64_t length;

	if (http_line_field(r->line, r->line_len, &f) != HTTP_OK)
		return HTTP_E_BAD_RESPONSE;
	if (f.name == HTTP_FIELD_LOCATION)
		location_take(r, &f);
	if (f.name == HTTP_FIELD_OTHER || f.name == HTTP_FIELD_LOCATION)
		return HTTP_PARSE_MORE;
	if (r->line_cut)
		return HTTP_E_BAD_RESPONSE; /* a field we read, cut short */
	if (f.name == HTTP_FIELD_CONTENT_LENGTH) {
		if (http_line_content_length(f.value, f.value_len, &length) != HTTP_OK ||
		    (r->content_length >= 0 && r->content_length != length))
			return HTTP_E_BAD_RESPONSE;
		r->content_length = length;
	} else if (f.name == HTTP_FIELD_TRANSFER_ENCODING) {
		if (http_line_codings(f.value, f.value_len, &r->chunked_count) != HTTP_OK ||
		    r->chunked_count > 1)
			return HTTP_E_BAD_RESPONSE;
	} else if (http_line_has_token(f.value, f.value_len, "close")) {
		r->connection_close = true;
	}
	return HTTP_PARSE_MORE;
}

/* The empty line after the fields: how the body is framed, if there is one. */
static int headers_end(struct http_response *r)
{
	if (r->status < 200) {
		if (r->status == 101)
			return HTTP_E_BAD_RESPONSE; /* switching protocols: never asked for */
		http_response_init(r, r->sink, r->sink_ctx);
		r->any_bytes = true; /* an interim response: the real one follows */
		return HTTP_PARSE_MORE;
	}
	r->chunked = r->chunked_count > 0;
	r->connection_close = r->connection_close || r->version_minor == 0;
	if (r->status == 204 || r->status == 304) {
		r->chunked = false;
		r->content_length = 0;
		r->state = S_DONE;
	} else if (r->chunked) {
		r->content_length = HTTP_LENGTH_UNKNOWN;
		r->state = S_CHUNK_SIZE;
	} else if (r->content_length == 0) {
		r->state = S_DONE;
	} else if (r->content_length > 0) {
		r->remaining = (uint64_t)r->content_length;
		r->state = S_LENGTH;
	} else {
		r->state = S_CLOSE;
	}
	return HTTP_PARSE_HEADERS;
}

static int chunk_size_apply(struct http_response *r)
{
	uint64_t size;

	if (http_line_chunk_size(r->line, r->line_len, &size) != HTTP_OK)
		return HTTP_E_BAD_CHUNK;
	r->remaining = size;
	r->state = size > 0 ? S_CHUNK_DATA : S_TRAILER;
	r->block_bytes = 0;
	return HTTP_PARSE_MORE;
}

/* Acts on the complete line in r->line. */
static int line_done(struct http_response *r)
{
	int ev = HTTP_PARSE_MORE;
	bool empty = r->line_len == 0;

	if (r->state == S_STATUS)
		ev = status_apply(r);
	else if (r->state == S_HEADER)
		ev = empty ? headers_end(r) : field_apply(r);
	else if (r->state == S_CHUNK_SIZE)
		ev = chunk_size_apply(r);
	else if (r->state == S_CHUNK_END)
		r->state = S_CHUNK_SIZE;
	else if (empty) /* S_TRAILER: the fields themselves are not read */
		r->state = S_DONE;
	r->line_len = 0;
	r->line_cut = false;
	r->line_cr = false;
	return ev == HTTP_PARSE_MORE && r->state == S_DONE ? HTTP_PARSE_DONE : ev;
}

/* Hands body bytes to the sink. */
static int body_deliver(struct http_response *r, const uint8_t *data, size_t n)
{
	int rc = r->sink ? r->sink(r->sink_ctx, data, n) : 0;

	if (rc < 0) {
		r->sink_error = rc;
		return HTTP_E_SINK;
	}
	r->body_bytes += n;
	return HTTP_OK;
}

/* Takes body bytes from data[*pos, len): up to the end of the body or chunk. */
static int body_take(struct http_response *r, const uint8_t *data, size_t len, size_t *pos)
{
	size_t n = len - *pos;
	int err;

	if (r->state != S_CLOSE && n > r->remaining)
		n = (size_t)r->remaining;
	err = body_deliver(r, data + *pos, n);
	if (err)
		return err;
	*pos += n;
	if (r->state == S_CLOSE)
		return HTTP_PARSE_MORE;
	r->remaining -= n;
	if (r->remaining > 0)
		return HTTP_PARSE_MORE;
	r->state = r->state == S_LENGTH ? S_DONE : S_CHUNK_END;
	return r->state == S_DONE ? HTTP_PARSE_DONE : HTTP_PARSE_MORE;
}

int http_response_feed(struct http_response *r, const uint8_t *data, size_t len, size_t *used)
{
	size_t pos = 0;
	int ev = HTTP_PARSE_MORE;

	r->any_bytes = r->any_bytes || len > 0;
	while (ev == HTTP_PARSE_MORE && !r->error && r->state != S_DONE && pos < len) {
		bool complete = false;

		if (r->state == S_LENGTH || r->state == S_CLOSE || r->state == S_CHUNK_DATA) {
			ev = body_take(r, data, len, &pos);
			continue;
		}
		ev = line_take(r, data, len, &pos, &complete);
		if (ev == HTTP_OK && complete)
			ev = line_done(r);
	}
	if (ev < 0)
		r->error = ev;
	*used = pos;
	if (r->error)
		return r->error;
	return ev == HTTP_PARSE_MORE && r->state == S_DONE ? HTTP_PARSE_DONE : ev;
}

int http_response_finish(struct http_response *r)
{
	if (r->error)
		return r->error;
	if (r->state == S_DONE || r->state == S_CLOSE) {
		r->state = S_DONE;
		return HTTP_OK;
	}
	if (r->state == S_STATUS || r->state == S_HEADER)
		r->error = r->any_bytes ? HTTP_E_BAD_RESPONSE : HTTP_E_NO_RESPONSE;
	else
		r->error = HTTP_E_TRUNCATED;
	return r->error;
}
