/*
 * The certificate checker the engine calls: BearSSL's x509_minimal,
 * wrapped so that the client can explain what it refused. Every call is
 * passed on unchanged, so x509_minimal alone decides; the wrapper also
 * keeps each certificate (up to TLS_TRUST_CERT_MAX bytes) long enough to
 * note its names and dates, then tls_chain_explain turns x509_minimal's
 * error into a failure with its particulars.
 */
#ifndef TLS_CHAIN_H
#define TLS_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bearssl_x509.h>

#include <viper/tls_failure.h>
#include <viper/tls_trust.h>

/* Bytes of an issuer name the wrapper keeps to find it among the anchors. */
#define TLS_CHAIN_DN_KEEP 256u

/* What the wrapper notes of one certificate. */
struct tls_cert_facts {
	bool known;	  /* the names could be read */
	bool self_issued; /* its issuer name equals its subject name */
	bool dated;	  /* BearSSL's decoder read its validity */
	uint32_t notbefore_days, notbefore_secs, notafter_days, notafter_secs;
	char subject[64], issuer[64];	      /* their common names */
	uint8_t issuer_dn[TLS_CHAIN_DN_KEEP]; /* the issuer's DER name, when it fits */
	size_t issuer_dn_len;		      /* 0 when it did not */
};

struct tls_chain {
	const br_x509_class *vtable; /* first: the engine calls through it */
	br_x509_minimal_context minimal;
	br_x509_decoder_context decoder;
	uint32_t now_days, now_secs;
	unsigned count;				 /* certificates the server sent */
	struct tls_cert_facts leaf, last, dates; /* dates: the first with bad dates */
	bool dates_bad;
	struct tls_cert_facts cur;
	size_t cur_len;
	bool cur_whole; /* all of the current certificate is in buf */
	uint8_t buf[TLS_TRUST_CERT_MAX];
};

/*
 * Sets the checker up over an initialised x509_minimal (chain->minimal,
 * br_ssl_client_init_full did that) and gives it the time.
 */
void tls_chain_init(struct tls_chain *chain, uint64_t unix_seconds);

/*
 * The failure behind x509_minimal's error code `err` (a BR_ERR_X509_*)
 * for a chain checked against `trust`, with its particulars in
 * detail[0, cap) ("" when none).
 */
enum tls_failure tls_chain_explain(const struct tls_chain *chain, const struct tls_trust *trust,
				   int err, char *detail, size_t cap);

#endif
