/* The host part of a URL: see http_host.h. */
#include "http_host.h"

#include "http_ascii.h"

#define LABEL_MAX 63u

/* Four decimal parts of 0..255, no leading zeros (they would read as octal elsewhere). */
static bool ipv4_valid(const char *s, size_t n)
{
	size_t i = 0;

	for (int part = 0; part < 4; part++) {
		size_t start = i;
		unsigned value = 0;

		if (part > 0) {
			if (i >= n || s[i] != '.')
				return false;
			start = ++i;
		}
		while (i < n && http_ascii_digit(s[i]) && i - start < 3)
			value = value * 10 + (unsigned)(s[i++] - '0');
		if (i == start || value > 255 || (s[start] == '0' && i - start > 1))
			return false;
	}
	return i == n;
}

/*
 * Eight groups of 1..4 hex digits separated by ':', one "::" standing for
 * one or more zero groups, the last two groups maybe an IPv4 address.
 */
static bool ipv6_valid(const char *s, size_t n)
{
	unsigned groups = 0;
	bool elided = false;
	size_t i = 0;

	if (n >= 2 && s[0] == ':' && s[1] == ':') {
		elided = true;
		i = 2;
	}
	while (i < n) {
		size_t start = i;

		while (i < n && http_ascii_hex(s[i]) >= 0)
			i++;
		if (i < n && s[i] == '.') {
			if (!ipv4_valid(s + start, n - start))
				return false;
			groups += 2;
			break;
		}
		if (i == start || i - start > 4)
			return false;
		groups++;
		if (i == n)
			break;
		if (s[i] != ':' || ++i == n)
			return false;
		if (s[i] == ':') {
			if (elided)
				return false;
			elided = true;
			i++;
		}
	}
	return elided ? groups <= 7 : groups == 8;
}

/* Labels of 1..63 letters, digits, '-' and '_', not starting or ending with '-'. */
static bool name_valid(const char *s, size_t n, bool *numeric_last)
{
	size_t i = 0;

	if (n > 0 && s[n - 1] == '.')
		n--; /* the root's empty label: "example.com." */
	while (i < n) {
		size_t start = i;
		bool numeric = true;

		for (; i < n && s[i] != '.'; i++) {
			char c = s[i];
			if (!http_ascii_alpha(c) && !http_ascii_digit(c) && c != '-' && c != '_')
				return false;
			numeric = numeric && http_ascii_digit(c);
		}
		if (i == start || i - start > LABEL_MAX || s[start] == '-' || s[i - 1] == '-')
			return false;
		*numeric_last = numeric;
		if (i < n)
			i++;
		if (i == n && s[n - 1] == '.')
			return false; /* "a..": an empty label */
	}
	return n > 0;
}

bool http_host_check(const char *host, size_t len, bool bracketed, enum http_host_kind *kind)
{
	bool numeric_last = false;

	if (len == 0 || len > HTTP_HOST_MAX)
		return false;
	if (bracketed) {
		*kind = HTTP_HOST_IPV6;
		return ipv6_valid(host, len);
	}
	if (!name_valid(host, len, &numeric_last))
		return false;
	if (!numeric_last) {
		*kind = HTTP_HOST_NAME;
		return true;
	}
	*kind = HTTP_HOST_IPV4;
	return ipv4_valid(host, len);
}
