/*
 * ASCII character classes for URLs and HTTP fields, without the C locale:
 * the same answers on the host and in a ViperOS process.
 */
#ifndef HTTP_ASCII_H
#define HTTP_ASCII_H

#include <stdbool.h>
#include <stddef.h>

static inline bool http_ascii_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool http_ascii_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The value of a hexadecimal digit, or -1. */
static inline int http_ascii_hex(char c)
{
	if (http_ascii_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static inline char http_ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Space or horizontal tab: the "optional whitespace" around field values. */
static inline bool http_ascii_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* A tchar of RFC 9110 5.6.2: what field names and codings are made of. */
static inline bool http_ascii_token(char c)
{
	if (http_ascii_alpha(c) || http_ascii_digit(c))
		return true;
	for (const char *p = "!#$%&'*+-.^_`|~"; *p; p++)
		if (*p == c)
			return true;
	return false;
}

/* Whether text[0, len) is `word` (NUL-terminated), ignoring ASCII case. */
static inline bool http_ascii_same(const char *text, size_t len, const char *word)
{
	size_t i = 0;

	for (; i < len && word[i]; i++)
		if (http_ascii_lower(text[i]) != http_ascii_lower(word[i]))
			return false;
	return i == len && word[i] == 0;
}

#endif
