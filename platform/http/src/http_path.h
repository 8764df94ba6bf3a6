/*
 * The path of a request-target: segments appended with "." and ".." taken
 * away as RFC 3986 5.2.4 says, so "/a/./b/../c" is "/a/c" and ".." never
 * climbs above the root.
 */
#ifndef HTTP_PATH_H
#define HTTP_PATH_H

#include <stddef.h>

#include "http_text.h"

/*
 * Appends the segments of seg[0, n) ("a/b/c": no leading '/') to the path
 * that starts at out->buf[start] (a '/' before each segment), a ".."
 * taking back the last segment of that path. Leaves "/" when nothing is
 * left, and a trailing '/' after a last "." or "..".
 */
void http_path_append(struct http_text *out, size_t start, const char *seg, size_t n);

#endif
