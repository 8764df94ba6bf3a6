/* x509_minimal with notes for the messages: see tls_chain.h. */
#include "tls_chain.h"

#include <stdio.h>
#include <string.h>

#include "tls_cert.h"

static struct tls_chain *chain_of(const br_x509_class *const *ctx)
{
	return (struct tls_chain *)(uintptr_t)ctx;
}

static const br_x509_class **inner(struct tls_chain *c)
{
	return &c->minimal.vtable;
}

static void start_chain(const br_x509_class **ctx, const char *server_name)
{
	struct tls_chain *c = chain_of(ctx);

	c->count = 0;
	c->dates_bad = false;
	memset(&c->leaf, 0, sizeof(c->leaf));
	memset(&c->last, 0, sizeof(c->last));
	c->minimal.vtable->start_chain(inner(c), server_name);
}

static void start_cert(const br_x509_class **ctx, uint32_t length)
{
	struct tls_chain *c = chain_of(ctx);

	memset(&c->cur, 0, sizeof(c->cur));
	c->cur_len = 0;
	c->cur_whole = length <= sizeof(c->buf);
	br_x509_decoder_init(&c->decoder, NULL, NULL);
	c->minimal.vtable->start_cert(inner(c), length);
}

static void append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
	struct tls_chain *c = chain_of(ctx);

	if (c->cur_whole && len <= sizeof(c->buf) - c->cur_len) {
		memcpy(c->buf + c->cur_len, buf, len);
		c->cur_len += len;
	} else {
		c->cur_whole = false;
	}
	/* Never after an error: BearSSL's decoder would resume past its own failure. */
	if (c->decoder.err == 0)
		br_x509_decoder_push(&c->decoder, buf, len);
	c->minimal.vtable->append(inner(c), buf, len);
}

/* Whether the time now is outside the certificate's validity. */
static bool outside(const struct tls_chain *c, const struct tls_cert_facts *f)
{
	bool before = c->now_days < f->notbefore_days ||
		      (c->now_days == f->notbefore_days && c->now_secs < f->notbefore_secs);
	bool after = c->now_days > f->notafter_days ||
		     (c->now_days == f->notafter_days && c->now_secs > f->notafter_secs);
	return before || after;
}

static void note(struct tls_chain *c)
{
	struct tls_cert_facts *f = &c->cur;
	struct der_span issuer, subject;

	if (c->cur_whole && tls_cert_names(c->buf, c->cur_len, &issuer, &subject)) {
		f->known = true;
		f->self_issued = der_span_equal(issuer, subject);
		tls_name_text(subject, f->subject, sizeof(f->subject));
		tls_name_text(issuer, f->issuer, sizeof(f->issuer));
		if (issuer.len <= sizeof(f->issuer_dn)) {
			memcpy(f->issuer_dn, issuer.p, issuer.len);
			f->issuer_dn_len = issuer.len;
		}
	}
	if (br_x509_decoder_last_error(&c->decoder) == 0) {
		f->dated = true;
		f->notbefore_days = c->decoder.notbefore_days;
		f->notbefore_secs = c->decoder.notbefore_seconds;
		f->notafter_days = c->decoder.notafter_days;
		f->notafter_secs = c->decoder.notafter_seconds;
	}
	if (c->count == 0)
		c->leaf = *f;
	c->last = *f;
	if (!c->dates_bad && f->dated && outside(c, f)) {
		c->dates_bad = true;
		c->dates = *f;
	}
	c->count++;
}

static void end_cert(const br_x509_class **ctx)
{
	struct tls_chain *c = chain_of(ctx);

	note(c);
	c->minimal.vtable->end_cert(inner(c));
}

static unsigned end_chain(const br_x509_class **ctx)
{
	struct tls_chain *c = chain_of(ctx);

	return c->minimal.vtable->end_chain(inner(c));
}

static const br_x509_pkey *get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	struct tls_chain *c = chain_of(ctx);

	return c->minimal.vtable->get_pkey((const br_x509_class *const *)inner(c), usages);
}

static const br_x509_class chain_class = {
	sizeof(struct tls_chain), start_chain, start_cert, append, end_cert, end_chain, get_pkey,
};

void tls_chain_init(struct tls_chain *chain, uint64_t unix_seconds)
{
	chain->vtable = &chain_class;
	chain->now_days = (uint32_t)(unix_seconds / 86400u) + TLS_UNIX_EPOCH_DAYS;
	chain->now_secs = (uint32_t)(unix_seconds % 86400u);
	br_x509_minimal_set_time(&chain->minimal, chain->now_days, chain->now_secs);
	chain->count = 0;
}

/* Expired or not yet valid: which, and of whom. */
static enum tls_failure dates_failure(const struct tls_chain *c, char *detail, size_t cap)
{
	const struct tls_cert_facts *f = &c->dates;
	bool early = c->now_days < f->notbefore_days ||
		     (c->now_days == f->notbefore_days && c->now_secs < f->notbefore_secs);
	char date[16];

	tls_date_text(early ? f->notbefore_days : f->notafter_days, date, sizeof(date));
	snprintf(detail, cap, "\"%s\" %s %s", f->known ? f->subject : "a certificate",
		 early ? "is valid from" : "expired on", date);
	return early ? TLS_F_NOT_YET_VALID : TLS_F_EXPIRED;
}

/* Whether an anchor has the name the certificate gives as its issuer. */
static bool issuer_in_store(const struct tls_cert_facts *f, const struct tls_trust *trust)
{
	struct der_span issuer = {f->issuer_dn, f->issuer_dn_len};

	for (size_t i = 0; trust && f->issuer_dn_len && i < trust->count; i++) {
		struct der_span dn = {trust->anchors[i].dn.data, trust->anchors[i].dn.len};
		if (der_span_equal(issuer, dn))
			return true;
	}
	return false;
}

/*
 * Not trusted: a lone self-signed certificate, a root not in the store, a
 * chain cut short, or a certificate whose issuer is in the store but whose
 * signature that issuer's key does not verify (x509_minimal reports the
 * last as not trusted too).
 */
static enum tls_failure trust_failure(const struct tls_chain *c, const struct tls_trust *trust,
				      char *detail, size_t cap)
{
	const struct tls_cert_facts *last = &c->last;

	if (last->known && issuer_in_store(last, trust)) {
		snprintf(detail, cap, "\"%s\" is in CERTS:, but its key does not verify \"%s\"",
			 last->issuer, last->subject);
		return TLS_F_BAD_SIGNATURE;
	}
	if (!last->known) {
		snprintf(detail, cap, "its issuer is not in the trust store");
		return TLS_F_UNKNOWN_ISSUER;
	}
	if (c->count == 1 && last->self_issued) {
		snprintf(detail, cap, "\"%s\" signed its own certificate", last->subject);
		return TLS_F_SELF_SIGNED;
	}
	if (last->self_issued) {
		snprintf(detail, cap, "the chain ends at the root \"%s\"", last->subject);
		return TLS_F_UNKNOWN_ISSUER;
	}
	snprintf(detail, cap,
		 "\"%s\" was signed by \"%s\", which the server did not send and CERTS: "
		 "does not hold",
		 last->subject, last->issuer);
	return TLS_F_INCOMPLETE;
}

enum tls_failure tls_chain_explain(const struct tls_chain *c, const struct tls_trust *trust,
				   int err, char *detail, size_t cap)
{
	detail[0] = '\0';
	switch (err) {
	case BR_ERR_X509_EXPIRED:
		if (c->dates_bad)
			return dates_failure(c, detail, cap);
		return TLS_F_EXPIRED;
	case BR_ERR_X509_BAD_SERVER_NAME:
		if (c->leaf.known)
			snprintf(detail, cap, "it was issued to \"%s\"", c->leaf.subject);
		return TLS_F_WRONG_HOST;
	case BR_ERR_X509_NOT_TRUSTED:
		return trust_failure(c, trust, detail, cap);
	case BR_ERR_X509_BAD_SIGNATURE:
		return TLS_F_BAD_SIGNATURE;
	default:
		snprintf(detail, cap, "BearSSL X.509 error %d", err);
		return TLS_F_CERTIFICATE;
	}
}
