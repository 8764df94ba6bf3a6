/*
 * What the client reads of a certificate itself, to explain a refusal
 * (BearSSL's x509_minimal decides; this only describes): the issuer and
 * subject names found by walking the DER, a name's commonName as text,
 * and BearSSL's day numbers as dates. Nothing here verifies anything.
 */
#ifndef TLS_CERT_H
#define TLS_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct der_span {
	const uint8_t *p;
	size_t len;
};

/*
 * Finds the issuer and subject Names (each a whole SEQUENCE, tag and
 * length included) of the DER certificate cert[0, len): true when the
 * structure up to the subject is well formed.
 */
bool tls_cert_names(const uint8_t *cert, size_t len, struct der_span *issuer,
		    struct der_span *subject);

/* Whether two spans hold the same bytes. */
bool der_span_equal(struct der_span a, struct der_span b);

/*
 * Writes a Name's first commonName to out (printable ASCII, others as
 * '?'), or "(no common name)"; NUL-terminated, cut to cap - 1 bytes.
 */
void tls_name_text(struct der_span name, char *out, size_t cap);

/* Writes BearSSL's day number (days since 0000-01-01) as YYYY-MM-DD. */
void tls_date_text(uint32_t days, char *out, size_t cap);

/* Days from 0000-01-01 to 1970-01-01, as br_x509_minimal_set_time counts. */
#define TLS_UNIX_EPOCH_DAYS 719528u

#endif
