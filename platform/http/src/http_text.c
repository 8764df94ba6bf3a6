/* Text built into a fixed buffer: see http_text.h. */
#include "http_text.h"

#include <string.h>

void http_text_init(struct http_text *t, char *buf, size_t cap)
{
	t->buf = buf;
	t->cap = cap;
	t->len = 0;
	t->overflow = cap == 0;
	if (cap > 0)
		buf[0] = 0;
}

void http_text_put(struct http_text *t, const char *s, size_t n)
{
	if (t->overflow || n >= t->cap - t->len) {
		t->overflow = true;
		return;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = 0;
}

void http_text_puts(struct http_text *t, const char *s)
{
	http_text_put(t, s, strlen(s));
}

void http_text_put_uint(struct http_text *t, uint32_t v)
{
	char digits[10];
	size_t n = sizeof(digits);

	do {
		digits[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	http_text_put(t, digits + n, sizeof(digits) - n);
}

void http_text_cut(struct http_text *t, size_t len)
{
	if (t->overflow || len > t->len)
		return;
	t->len = len;
	t->buf[len] = 0;
}

int http_text_result(const struct http_text *t, int err)
{
	return t->overflow ? err : (int)t->len;
}
