/*
 * The trust store: the anchors a TLS client accepts a certificate chain
 * from. Loaded at run time from the files of a directory (CERTS:):
 *
 *   *.vta        anchors in the VTA1 format that the build makes from
 *                Debian's ca-certificates with BearSSL's `brssl ta`
 *                (platform/tls/store/README.md);
 *   *.pem, *.crt PEM certificates a user added ("-----BEGIN CERTIFICATE-----"),
 *                each one an anchor: a CA's (its basicConstraints say CA)
 *                or, trusted directly, a server's own.
 *
 * The anchors point into copies the store owns (its heap blocks), so the
 * input may go away. tls_trust_free gives everything back.
 */
#ifndef VIPER_TLS_TRUST_H
#define VIPER_TLS_TRUST_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl_x509.h>

/* Limits of one store and of what the VTA1 format may hold. */
#define TLS_TRUST_MAX	   4096u      /* anchors in a store */
#define TLS_TRUST_DN_MAX   1024u      /* bytes of an anchor's DER distinguished name */
#define TLS_TRUST_KEY_MAX  1024u      /* bytes of an RSA modulus or an EC point */
#define TLS_TRUST_EXP_MAX  16u	      /* bytes of an RSA exponent */
#define TLS_TRUST_CERT_MAX 16384u     /* bytes of one DER certificate in a PEM file */
#define TLS_TRUST_FILE_MAX (1u << 20) /* bytes of one file the store reads */

/* Why a file or buffer gave no anchors (negative; 0 and up: anchors added). */
enum tls_trust_error {
	TLS_TRUST_E_FORMAT = -1, /* not VTA1, or a record out of its bounds */
	TLS_TRUST_E_PEM = -2,	 /* not PEM, or a PEM object that is not a certificate */
	TLS_TRUST_E_CERT = -3,	 /* a certificate BearSSL cannot decode (or key type) */
	TLS_TRUST_E_FULL = -4,	 /* the store holds TLS_TRUST_MAX anchors */
	TLS_TRUST_E_NO_MEMORY = -5,
	TLS_TRUST_E_READ = -6,	/* the file could not be read, or is too big */
	TLS_TRUST_E_EMPTY = -7, /* a PEM file without any certificate */
};

struct tls_trust_block; /* one heap block the anchors point into */

struct tls_trust {
	br_x509_trust_anchor *anchors;
	size_t count, cap;
	struct tls_trust_block *blocks;
};

/* What tls_trust_load_dir tells about each file it skips. */
typedef void (*tls_trust_warn_fn)(void *ctx, const char *path, int error);

void tls_trust_init(struct tls_trust *t);
void tls_trust_free(struct tls_trust *t);

/* Adds the anchors of a VTA1 image: how many, or an error (then none). */
int tls_trust_add_vta(struct tls_trust *t, const uint8_t *data, size_t len);

/* Adds every certificate of PEM text: how many, or an error (then none). */
int tls_trust_add_pem(struct tls_trust *t, const char *text, size_t len);

/*
 * Adds the anchors of every *.vta, *.pem and *.crt file in `dir` (other
 * names are left alone; subdirectories too). A file that gives an error is
 * skipped and reported to warn (when not NULL). Returns the anchors
 * added, or TLS_TRUST_E_READ when the directory cannot be read.
 */
int tls_trust_load_dir(struct tls_trust *t, const char *dir, tls_trust_warn_fn warn, void *ctx);

/* Short English text for a tls_trust_error ("not a PEM certificate", ...). */
const char *tls_trust_error_message(int error);

#endif
