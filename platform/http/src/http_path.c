/* The path of a request-target: see http_path.h. */
#include "http_path.h"

/* Takes back the last "/segment" of the path that starts at out->buf[start]. */
static void drop_last(struct http_text *out, size_t start)
{
	size_t len = out->len;

	while (len > start && out->buf[len - 1] != '/')
		len--;
	if (len > start)
		len--;
	http_text_cut(out, len);
}

void http_path_append(struct http_text *out, size_t start, const char *seg, size_t n)
{
	size_t i = 0;

	for (;;) {
		size_t len = 0;
		bool last;

		while (i + len < n && seg[i + len] != '/')
			len++;
		last = i + len == n;
		if (len == 2 && seg[i] == '.' && seg[i + 1] == '.')
			drop_last(out, start);
		if ((len == 1 || len == 2) && seg[i] == '.' && seg[i + len - 1] == '.') {
			if (last)
				http_text_put(out, "/", 1);
		} else {
			http_text_put(out, "/", 1);
			http_text_put(out, seg + i, len);
		}
		if (last)
			break;
		i += len + 1;
	}
	if (out->len == start)
		http_text_put(out, "/", 1);
}
