/* Decoding one line of a response: see http_line.h. */
#include "http_line.h"

#include <viper/http_error.h>

#include "http_ascii.h"

struct field_row {
	const char *name;
	enum http_field_name field;
};

static const struct field_row fields[] = {
	{"content-length", HTTP_FIELD_CONTENT_LENGTH},
	{"transfer-encoding", HTTP_FIELD_TRANSFER_ENCODING},
	{"location", HTTP_FIELD_LOCATION},
	{"connection", HTTP_FIELD_CONNECTION},
};

int http_line_status(const char *line, size_t len, struct http_status_line *out)
{
	static const char version[] = "HTTP/1.";
	size_t v = sizeof(version) - 1;

	if (len < v + 5)
		return HTTP_E_BAD_RESPONSE;
	for (size_t i = 0; i < v; i++)
		if (line[i] != version[i])
			return HTTP_E_BAD_RESPONSE;
	if (!http_ascii_digit(line[v]) || line[v + 1] != ' ')
		return HTTP_E_BAD_RESPONSE;
	if (line[v + 2] < '1' || line[v + 2] > '5' || !http_ascii_digit(line[v + 3]) ||
	    !http_ascii_digit(line[v + 4]))
		return HTTP_E_BAD_RESPONSE;
	if (len > v + 5 && line[v + 5] != ' ')
		return HTTP_E_BAD_RESPONSE;
	out->version_minor = line[v] - '0';
	out->status = (line[v + 2] - '0') * 100 + (line[v + 3] - '0') * 10 + (line[v + 4] - '0');
	out->reason = len > v + 5 ? line + v + 6 : line + len;
	out->reason_len = len > v + 5 ? len - v - 6 : 0;
	return HTTP_OK;
}

int http_line_field(const char *line, size_t len, struct http_field *out)
{
	size_t colon = 0, start, end = len;

	while (colon < len && http_ascii_token(line[colon]))
		colon++;
	if (colon == 0 || colon == len || line[colon] != ':')
		return HTTP_E_BAD_RESPONSE;
	out->name = HTTP_FIELD_OTHER;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (http_ascii_same(line, colon, fields[i].name))
			out->name = fields[i].field;
	start = colon + 1;
	while (start < end && http_ascii_blank(line[start]))
		start++;
	while (end > start && http_ascii_blank(line[end - 1]))
		end--;
	out->value = line + start;
	out->value_len = end - start;
	return HTTP_OK;
}

/* The next element of a comma-separated list from *pos, blanks trimmed; false at the end. */
static bool list_next(const char *v, size_t len, size_t *pos, const char **item, size_t *n)
{
	while (*pos < len) {
		size_t start = *pos, end;

		while (*pos < len && v[*pos] != ',')
			(*pos)++;
		end = *pos;
		if (*pos < len)
			(*pos)++;
		while (start < end && http_ascii_blank(v[start]))
			start++;
		while (end > start && http_ascii_blank(v[end - 1]))
			end--;
		if (end > start) {
			*item = v + start;
			*n = end - start;
			return true;
		}
	}
	return false;
}

/* A decimal number of 1 or more digits, at most INT64_MAX. */
static int decimal_parse(const char *s, size_t n, int64_t *value)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++) {
		if (!http_ascii_digit(s[i]))
			return HTTP_E_BAD_RESPONSE;
		if (v > ((uint64_t)INT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return HTTP_E_BAD_RESPONSE;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*value = (int64_t)v;
	return n > 0 ? HTTP_OK : HTTP_E_BAD_RESPONSE;
}

int http_line_content_length(const char *value, size_t len, int64_t *length)
{
	size_t pos = 0, n;
	const char *item;
	int64_t first = HTTP_E_BAD_RESPONSE, v;

	while (list_next(value, len, &pos, &item, &n)) {
		if (decimal_parse(item, n, &v) != HTTP_OK || (first >= 0 && v != first))
			return HTTP_E_BAD_RESPONSE;
		first = v;
	}
	if (first < 0)
		return HTTP_E_BAD_RESPONSE;
	*length = first;
	return HTTP_OK;
}

int http_line_codings(const char *value, size_t len, unsigned *chunked)
{
	size_t pos = 0, n;
	const char *item;

	while (list_next(value, len, &pos, &item, &n)) {
		if (!http_ascii_same(item, n, "chunked"))
			return HTTP_E_BAD_RESPONSE;
		(*chunked)++;
	}
	return HTTP_OK;
}

bool http_line_has_token(const char *value, size_t len, const char *token)
{
	size_t pos = 0, n;
	const char *item;

	while (list_next(value, len, &pos, &item, &n))
		if (http_ascii_same(item, n, token))
			return true;
	return false;
}

int http_line_chunk_size(const char *line, size_t len, uint64_t *size)
{
	uint64_t v = 0;
	size_t i = 0;

	for (; i < len && http_ascii_hex(line[i]) >= 0; i++) {
		if (v > ((uint64_t)INT64_MAX >> 4))
			return HTTP_E_BAD_CHUNK;
		v = v << 4 | (uint64_t)http_ascii_hex(line[i]);
	}
	if (i == 0)
		return HTTP_E_BAD_CHUNK;
	while (i < len && http_ascii_blank(line[i]))
		i++;
	if (i < len && line[i] != ';')
		return HTTP_E_BAD_CHUNK;
	*size = v;
	return HTTP_OK;
}
