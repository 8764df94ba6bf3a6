/* The trust store's anchors from VTA1 images and PEM text: see viper/tls_trust.h. */
#include <viper/tls_trust.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <bearssl_pem.h>

/* A heap block the anchors point into; the store frees them all at once. */
struct tls_trust_block {
	struct tls_trust_block *next;
	uint8_t data[];
};

#define VTA_HEADER 8u
#define VTA_RECORD 12u

void tls_trust_init(struct tls_trust *t)
{
	memset(t, 0, sizeof(*t));
}

void tls_trust_free(struct tls_trust *t)
{
	while (t->blocks) {
		struct tls_trust_block *b = t->blocks;
		t->blocks = b->next;
		free(b);
	}
	free(t->anchors);
	tls_trust_init(t);
}

static uint8_t *block_new(struct tls_trust *t, size_t len)
{
	struct tls_trust_block *b = malloc(sizeof(*b) + len);

	if (!b)
		return NULL;
	b->next = t->blocks;
	t->blocks = b;
	return b->data;
}

/* Makes room for n more anchors. */
static int reserve(struct tls_trust *t, size_t n)
{
	if (n > TLS_TRUST_MAX - t->count)
		return TLS_TRUST_E_FULL;
	if (t->count + n <= t->cap)
		return 0;
	size_t cap = t->cap ? t->cap : 16;
	while (cap < t->count + n)
		cap *= 2;
	br_x509_trust_anchor *a = realloc(t->anchors, cap * sizeof(*a));
	if (!a)
		return TLS_TRUST_E_NO_MEMORY;
	t->anchors = a;
	t->cap = cap;
	return 0;
}

static unsigned le16(const uint8_t *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

/* Checks one record at p (of `left` bytes) and returns its length, or 0 when it is malformed. */
static size_t vta_record_check(const uint8_t *p, size_t left)
{
	if (left < VTA_RECORD)
		return 0;
	unsigned type = p[0], flags = p[1], curve = p[2];
	size_t dn = le16(p + 4), a = le16(p + 6), b = le16(p + 8);
	bool rsa = type == BR_KEYTYPE_RSA, ec = type == BR_KEYTYPE_EC;

	if ((!rsa && !ec) || (flags & ~BR_X509_TA_CA) || p[3] || le16(p + 10))
		return 0;
	if (dn == 0 || dn > TLS_TRUST_DN_MAX || a == 0 || a > TLS_TRUST_KEY_MAX)
		return 0;
	if ((rsa && (b == 0 || b > TLS_TRUST_EXP_MAX || curve != 0)) ||
	    (ec && (b != 0 || curve == 0 || curve > 31)))
		return 0;
	if (dn + a + b > left - VTA_RECORD)
		return 0;
	return VTA_RECORD + dn + a + b;
}

static void vta_record_anchor(const uint8_t *p, br_x509_trust_anchor *ta)
{
	size_t dn = le16(p + 4), a = le16(p + 6), b = le16(p + 8);
	unsigned char *body = (unsigned char *)(uintptr_t)(p + VTA_RECORD);

	memset(ta, 0, sizeof(*ta));
	ta->dn.data = body;
	ta->dn.len = dn;
	ta->flags = p[1];
	ta->pkey.key_type = p[0];
	if (p[0] == BR_KEYTYPE_RSA) {
		ta->pkey.key.rsa.n = body + dn;
		ta->pkey.key.rsa.nlen = a;
		ta->pkey.key.rsa.e = body + dn + a;
		ta->pkey.key.rsa.elen = b;
	} else {
		ta->pkey.key.ec.curve = p[2];
		ta->pkey.key.ec.q = body + dn;
		ta->pkey.key.ec.qlen = a;
	}
}

int tls_trust_add_vta(struct tls_trust *t, const uint8_t *data, size_t len)
{
	if (len < VTA_HEADER || memcmp(data, "VTA1", 4) != 0)
		return TLS_TRUST_E_FORMAT;
	size_t count = le16(data + 4) | (size_t)le16(data + 6) << 16;
	if (count > TLS_TRUST_MAX)
		return TLS_TRUST_E_FORMAT;
	/* Every record checked before any is used: a bad image adds nothing. */
	size_t at = VTA_HEADER;
	for (size_t i = 0; i < count; i++) {
		size_t n = vta_record_check(data + at, len - at);
		if (n == 0)
			return TLS_TRUST_E_FORMAT;
		at += n;
	}
	if (at != len)
		return TLS_TRUST_E_FORMAT;
	int err = reserve(t, count);
	if (err)
		return err;
	uint8_t *copy = block_new(t, len);
	if (!copy)
		return TLS_TRUST_E_NO_MEMORY;
	memcpy(copy, data, len);
	at = VTA_HEADER;
	for (size_t i = 0; i < count; i++) {
		vta_record_anchor(copy + at, &t->anchors[t->count + i]);
		at += vta_record_check(copy + at, len - at);
	}
	t->count += count;
	return (int)count;
}

/* A growing byte buffer for a DER object or a name, bounded by cap. */
struct bytes {
	uint8_t *p;
	size_t len, cap;
	bool over;
};

static void bytes_append(void *ctx, const void *src, size_t len)
{
	struct bytes *b = ctx;

	if (b->over || len > b->cap - b->len) {
		b->over = true;
		return;
	}
	memcpy(b->p + b->len, src, len);
	b->len += len;
}

/* The anchor of one DER certificate, in a block of its own. */
static int anchor_of_der(struct tls_trust *t, const uint8_t *der, size_t len,
			 br_x509_trust_anchor *ta)
{
	uint8_t dn_buf[TLS_TRUST_DN_MAX];
	struct bytes dn = {dn_buf, 0, sizeof(dn_buf), false};
	br_x509_decoder_context dc;

	br_x509_decoder_init(&dc, bytes_append, &dn);
	br_x509_decoder_push(&dc, der, len);
	const br_x509_pkey *pk = br_x509_decoder_get_pkey(&dc);
	if (!pk || dn.over || dn.len == 0)
		return TLS_TRUST_E_CERT;
	size_t a = pk->key_type == BR_KEYTYPE_RSA ? pk->key.rsa.nlen : pk->key.ec.qlen;
	size_t b = pk->key_type == BR_KEYTYPE_RSA ? pk->key.rsa.elen : 0;
	if (a == 0 || a > TLS_TRUST_KEY_MAX || b > TLS_TRUST_EXP_MAX)
		return TLS_TRUST_E_CERT;
	uint8_t *p = block_new(t, dn.len + a + b);
	if (!p)
		return TLS_TRUST_E_NO_MEMORY;
	memcpy(p, dn.p, dn.len);
	memset(ta, 0, sizeof(*ta));
	ta->dn.data = p;
	ta->dn.len = dn.len;
	ta->flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
	ta->pkey.key_type = pk->key_type;
	if (pk->key_type == BR_KEYTYPE_RSA) {
		memcpy(p + dn.len, pk->key.rsa.n, a);
		memcpy(p + dn.len + a, pk->key.rsa.e, b);
		ta->pkey.key.rsa.n = p + dn.len;
		ta->pkey.key.rsa.nlen = a;
		ta->pkey.key.rsa.e = p + dn.len + a;
		ta->pkey.key.rsa.elen = b;
	} else {
		memcpy(p + dn.len, pk->key.ec.q, a);
		ta->pkey.key.ec.curve = pk->key.ec.curve;
		ta->pkey.key.ec.q = p + dn.len;
		ta->pkey.key.ec.qlen = a;
	}
	return 0;
}

/* The PEM text's certificates, decoded one by one; stops at the first error. */
struct pem_run {
	br_pem_decoder_context pc;
	struct bytes der;
	bool in_cert, in_other;
	size_t found;
};

static bool pem_is_certificate(const char *name)
{
	return strcmp(name, "CERTIFICATE") == 0 || strcmp(name, "X509 CERTIFICATE") == 0;
}

/* Handles one decoder event: 0, or an error. */
static int pem_event(struct tls_trust *t, struct pem_run *r, int event)
{
	switch (event) {
	case BR_PEM_BEGIN_OBJ:
		r->in_cert = pem_is_certificate(br_pem_decoder_name(&r->pc));
		r->in_other = !r->in_cert;
		r->der.len = 0;
		r->der.over = false;
		br_pem_decoder_setdest(&r->pc, r->in_cert ? bytes_append : NULL, &r->der);
		return 0;
	case BR_PEM_END_OBJ:
		if (r->in_cert) {
			int err;
			if (r->der.over)
				return TLS_TRUST_E_CERT;
			if ((err = reserve(t, r->found + 1)) != 0)
				return err;
			err = anchor_of_der(t, r->der.p, r->der.len,
					    &t->anchors[t->count + r->found]);
			if (err)
				return err;
			r->found++;
		}
		r->in_cert = r->in_other = false;
		return 0;
	case BR_PEM_ERROR:
		return TLS_TRUST_E_PEM;
	default:
		return 0;
	}
}

int tls_trust_add_pem(struct tls_trust *t, const char *text, size_t len)
{
	struct pem_run *r = calloc(1, sizeof(*r));
	int err = 0;

	if (!r || !(r->der.p = malloc(TLS_TRUST_CERT_MAX))) {
		free(r);
		return TLS_TRUST_E_NO_MEMORY;
	}
	r->der.cap = TLS_TRUST_CERT_MAX;
	br_pem_decoder_init(&r->pc);
	/* A final newline, so that an END line without one still ends its object. */
	for (int pass = 0; pass < 2 && !err; pass++) {
		const char *p = pass ? "\n" : text;
		size_t left = pass ? 1 : len;
		while (left > 0 && !err) {
			size_t n = br_pem_decoder_push(&r->pc, p, left);
			p += n;
			left -= n;
			err = pem_event(t, r, br_pem_decoder_event(&r->pc));
		}
	}
	if (!err && (r->in_cert || r->in_other))
		err = TLS_TRUST_E_PEM; /* an object without its END line */
	if (!err && r->found == 0)
		err = TLS_TRUST_E_EMPTY;
	size_t found = r->found;
	free(r->der.p);
	free(r);
	if (err)
		return err; /* blocks already made stay owned by the store, unused */
	t->count += found;
	return (int)found;
}

const char *tls_trust_error_message(int error)
{
	switch (error) {
	case TLS_TRUST_E_FORMAT:
		return "not a trust-anchor file (VTA1), or a damaged one";
	case TLS_TRUST_E_PEM:
		return "not PEM text, or a damaged PEM object";
	case TLS_TRUST_E_CERT:
		return "a certificate that cannot be decoded (or an unsupported key)";
	case TLS_TRUST_E_FULL:
		return "the trust store is full";
	case TLS_TRUST_E_NO_MEMORY:
		return "out of memory";
	case TLS_TRUST_E_READ:
		return "cannot be read, or is too big";
	case TLS_TRUST_E_EMPTY:
		return "holds no certificate";
	default:
		return error >= 0 ? "success" : "unknown error";
	}
}
