/*
 * Text built into a caller's fixed buffer: appends that stop at the
 * capacity and remember that they did, so a caller checks once at the end.
 */
#ifndef HTTP_TEXT_H
#define HTTP_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct http_text {
	char *buf;
	size_t cap; /* bytes of buf, the NUL included */
	size_t len; /* bytes written, without the NUL */
	bool overflow;
};

/* Starts empty text in buf[0, cap); cap 0 gives text that overflows at once. */
void http_text_init(struct http_text *t, char *buf, size_t cap);

/* Appends s[0, n), or marks the text overflowed when it does not fit. */
void http_text_put(struct http_text *t, const char *s, size_t n);

/* Appends the NUL-terminated s. */
void http_text_puts(struct http_text *t, const char *s);

/* Appends v in decimal. */
void http_text_put_uint(struct http_text *t, uint32_t v);

/* Cuts the text back to len bytes (len <= t->len). */
void http_text_cut(struct http_text *t, size_t len);

/* The text's length, or `err` when some append did not fit. */
int http_text_result(const struct http_text *t, int err);

#endif
