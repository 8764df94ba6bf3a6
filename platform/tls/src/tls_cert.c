/* Names and dates of a certificate, for messages: see tls_cert.h. */
#include "tls_cert.h"

#include <string.h>

#define DER_SEQUENCE   0x30
#define DER_SET	       0x31
#define DER_OID	       0x06
#define DER_EXPLICIT_0 0xa0

/*
 * Reads one TLV from *in: its tag, its value in *value and the whole TLV
 * in *whole; advances *in past it. Low tag numbers and lengths below
 * 2^24 only, which is all a certificate needs.
 */
static bool der_next(struct der_span *in, uint8_t *tag, struct der_span *value,
		     struct der_span *whole)
{
	size_t at = 2, len;

	if (in->len < 2 || (in->p[0] & 0x1f) == 0x1f)
		return false;
	*tag = in->p[0];
	len = in->p[1];
	if (len & 0x80) {
		size_t n = len & 0x7f;

		if (n == 0 || n > 3 || in->len < 2 + n)
			return false;
		len = 0;
		for (size_t i = 0; i < n; i++)
			len = (len << 8) | in->p[2 + i];
		at += n;
	}
	if (len > in->len - at)
		return false;
	value->p = in->p + at;
	value->len = len;
	if (whole) {
		whole->p = in->p;
		whole->len = at + len;
	}
	in->p += at + len;
	in->len -= at + len;
	return true;
}

/* Reads a TLV that must carry `want` as its tag. */
static bool der_expect(struct der_span *in, uint8_t want, struct der_span *value,
		       struct der_span *whole)
{
	uint8_t tag;

	return der_next(in, &tag, value, whole) && tag == want;
}

bool tls_cert_names(const uint8_t *cert, size_t len, struct der_span *issuer,
		    struct der_span *subject)
{
	struct der_span in = {cert, len}, c, tbs, skip;
	uint8_t tag;

	if (!der_expect(&in, DER_SEQUENCE, &c, NULL) || !der_expect(&c, DER_SEQUENCE, &tbs, NULL))
		return false;
	struct der_span peek = tbs;
	if (der_next(&peek, &tag, &skip, NULL) && tag == DER_EXPLICIT_0)
		tbs = peek;					/* the version */
	return der_next(&tbs, &tag, &skip, NULL) &&		/* serialNumber */
	       der_expect(&tbs, DER_SEQUENCE, &skip, NULL) &&	/* signature */
	       der_expect(&tbs, DER_SEQUENCE, &skip, issuer) && /* issuer */
	       der_expect(&tbs, DER_SEQUENCE, &skip, NULL) &&	/* validity */
	       der_expect(&tbs, DER_SEQUENCE, &skip, subject);	/* subject */
}

bool der_span_equal(struct der_span a, struct der_span b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

/* The value of the first attribute of type 2.5.4.3 (commonName) in a Name. */
static bool common_name(struct der_span name, struct der_span *value)
{
	static const uint8_t cn_oid[] = {0x55, 0x04, 0x03};
	struct der_span in = name, rdns, set, atv, oid;
	uint8_t tag;

	if (!der_expect(&in, DER_SEQUENCE, &rdns, NULL))
		return false;
	while (rdns.len > 0) {
		if (!der_expect(&rdns, DER_SET, &set, NULL))
			return false;
		while (set.len > 0) {
			if (!der_expect(&set, DER_SEQUENCE, &atv, NULL) ||
			    !der_expect(&atv, DER_OID, &oid, NULL))
				return false;
			if (oid.len == sizeof(cn_oid) && memcmp(oid.p, cn_oid, sizeof(cn_oid)) == 0)
				return der_next(&atv, &tag, value, NULL);
		}
	}
	return false;
}

void tls_name_text(struct der_span name, char *out, size_t cap)
{
	struct der_span v;
	size_t n = 0;

	if (cap == 0)
		return;
	if (!common_name(name, &v)) {
		strncpy(out, "(no common name)", cap - 1);
		out[cap - 1] = '\0';
		return;
	}
	for (size_t i = 0; i < v.len && n + 1 < cap; i++)
		out[n++] = v.p[i] >= 0x20 && v.p[i] < 0x7f ? (char)v.p[i] : '?';
	out[n] = '\0';
}

void tls_date_text(uint32_t days, char *out, size_t cap)
{
	/* Civil date from a day count, March-based years of 400-year eras. */
	int64_t z = (int64_t)days - TLS_UNIX_EPOCH_DAYS + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	int64_t y = yoe + era * 400 + (m <= 2);
	char text[16];
	int n = 0;

	/* No snprintf: the library stays free of stdio. */
	int64_t parts[3] = {y, m, d};
	int widths[3] = {4, 2, 2};
	for (int i = 0; i < 3; i++) {
		int64_t v = parts[i] < 0 ? 0 : parts[i];
		if (i)
			text[n++] = '-';
		for (int w = widths[i] - 1; w >= 0; w--) {
			int64_t p = 1;
			for (int k = 0; k < w; k++)
				p *= 10;
			text[n++] = (char)('0' + (v / p) % 10);
		}
	}
	text[n] = '\0';
	if (cap == 0)
		return;
	strncpy(out, text, cap - 1);
	out[cap - 1] = '\0';
}
