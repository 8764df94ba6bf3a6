/*
 * ta_pack: writes the trust anchors that `brssl ta` made of the Mozilla
 * root certificates (roots_ta.c, compiled in) as a VTA1 file: the trust
 * store the TLS library loads at run time (format in ../README.md).
 *
 *   ta_pack OUTPUT
 *
 * Deterministic: the bytes depend on the anchors alone, in brssl's order
 * (the certificate files' sorted names). Every anchor is checked against
 * the limits the run-time loader enforces before a byte is written, so the
 * build never makes a store the loader would refuse: an anchor outside
 * them, or a failed write, ends with exit status 1, a message naming the
 * anchor, and no OUTPUT. Exit status 2 for a usage error.
 */
#define _POSIX_C_SOURCE 200809L /* fileno */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <bearssl.h>

/* TAs[] and TAs_NUM, as brssl prints them; a test names other anchors. */
#ifdef TA_PACK_ANCHORS
#include TA_PACK_ANCHORS
#else
#include "platform/tls/store/roots_ta.c"
#endif

#define VTA_MAGIC	  "VTA1"
#define VTA_HEADER_SIZE	  8  /* magic, u32 count */
#define VTA_RECORD_HEADER 12 /* 4 bytes, then 4 u16 */
#define VTA_MAX_COUNT	  4096
#define VTA_MAX_DN	  1024
#define VTA_MAX_A	  1024
#define VTA_MAX_RSA_E	  16
#define VTA_MAX_CURVE	  31 /* BearSSL's curve ids index 32-bit masks */
#define VTA_KEY_RSA	  1
#define VTA_KEY_EC	  2
#define VTA_FLAG_CA	  0x01

/* The format stores BearSSL's own values, so the loader copies them back. */
_Static_assert(BR_KEYTYPE_RSA == VTA_KEY_RSA, "VTA1 key type 1 is BearSSL's RSA");
_Static_assert(BR_KEYTYPE_EC == VTA_KEY_EC, "VTA1 key type 2 is BearSSL's EC");
_Static_assert(BR_X509_TA_CA == VTA_FLAG_CA, "VTA1 flag bit 0 is BearSSL's CA flag");
_Static_assert(sizeof(TAs) / sizeof(TAs[0]) == TAs_NUM, "brssl's TAs_NUM counts TAs[]");

/* One anchor in the record's terms: a is RSA's n or EC's q, b RSA's e. */
struct record {
	uint8_t key_type;
	uint8_t flags;
	uint8_t curve;
	const unsigned char *dn, *a, *b;
	size_t dn_len, a_len, b_len;
};

static int refuse(size_t i, const char *what, size_t len, int min, int max)
{
	fprintf(stderr, "ta_pack: anchor TA%zu: its %s is %zu bytes, the loader takes %d to %d\n",
		i, what, len, min, max);
	return -1;
}

/* Fills r from anchor i; -1, with the reason on stderr, if the loader would refuse it. */
static int to_record(size_t i, const br_x509_trust_anchor *ta, struct record *r)
{
	memset(r, 0, sizeof(*r));
	if (ta->flags & ~(unsigned)BR_X509_TA_CA) {
		fprintf(stderr, "ta_pack: anchor TA%zu: flags 0x%x, VTA1 has only BR_X509_TA_CA\n",
			i, ta->flags);
		return -1;
	}
	r->flags = ta->flags & BR_X509_TA_CA ? VTA_FLAG_CA : 0;
	r->dn = ta->dn.data;
	r->dn_len = ta->dn.len;
	if (r->dn_len < 1 || r->dn_len > VTA_MAX_DN)
		return refuse(i, "distinguished name", r->dn_len, 1, VTA_MAX_DN);
	switch (ta->pkey.key_type) {
	case BR_KEYTYPE_RSA:
		r->key_type = VTA_KEY_RSA;
		r->a = ta->pkey.key.rsa.n;
		r->a_len = ta->pkey.key.rsa.nlen;
		r->b = ta->pkey.key.rsa.e;
		r->b_len = ta->pkey.key.rsa.elen;
		if (r->a_len < 1 || r->a_len > VTA_MAX_A)
			return refuse(i, "RSA modulus", r->a_len, 1, VTA_MAX_A);
		if (r->b_len < 1 || r->b_len > VTA_MAX_RSA_E)
			return refuse(i, "RSA exponent", r->b_len, 1, VTA_MAX_RSA_E);
		return 0;
	case BR_KEYTYPE_EC:
		r->key_type = VTA_KEY_EC;
		r->a = ta->pkey.key.ec.q;
		r->a_len = ta->pkey.key.ec.qlen;
		if (ta->pkey.key.ec.curve < 1 || ta->pkey.key.ec.curve > VTA_MAX_CURVE) {
			fprintf(stderr,
				"ta_pack: anchor TA%zu: EC curve %d, the loader takes 1 to %d\n", i,
				ta->pkey.key.ec.curve, VTA_MAX_CURVE);
			return -1;
		}
		r->curve = (uint8_t)ta->pkey.key.ec.curve;
		if (r->a_len < 1 || r->a_len > VTA_MAX_A)
			return refuse(i, "EC point", r->a_len, 1, VTA_MAX_A);
		return 0;
	default:
		fprintf(stderr,
			"ta_pack: anchor TA%zu: key type %u is neither RSA (%d) nor EC (%d)\n", i,
			ta->pkey.key_type, BR_KEYTYPE_RSA, BR_KEYTYPE_EC);
		return -1;
	}
}

static void put_u16(unsigned char *p, size_t v)
{
	p[0] = (unsigned char)(v & 0xff);
	p[1] = (unsigned char)(v >> 8 & 0xff);
}

static void put_u32(unsigned char *p, size_t v)
{
	put_u16(p, v & 0xffff);
	put_u16(p + 2, v >> 16 & 0xffff);
}

/* Writes the store; the records were checked, so only the file can fail. */
static int write_store(FILE *f, size_t count)
{
	unsigned char head[VTA_HEADER_SIZE], rec[VTA_RECORD_HEADER];
	struct record r;

	memcpy(head, VTA_MAGIC, 4);
	put_u32(head + 4, count);
	if (fwrite(head, 1, sizeof(head), f) != sizeof(head))
		return -1;
	for (size_t i = 0; i < count; i++) {
		to_record(i, &TAs[i], &r);
		memset(rec, 0, sizeof(rec)); /* the reserved bytes are 0 */
		rec[0] = r.key_type;
		rec[1] = r.flags;
		rec[2] = r.curve;
		put_u16(rec + 4, r.dn_len);
		put_u16(rec + 6, r.a_len);
		put_u16(rec + 8, r.b_len);
		if (fwrite(rec, 1, sizeof(rec), f) != sizeof(rec) ||
		    fwrite(r.dn, 1, r.dn_len, f) != r.dn_len ||
		    fwrite(r.a, 1, r.a_len, f) != r.a_len ||
		    (r.b_len && fwrite(r.b, 1, r.b_len, f) != r.b_len))
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	size_t count = sizeof(TAs) / sizeof(TAs[0]);
	struct record r;
	struct stat st;
	bool regular;
	FILE *f;
	int bad = 0, err;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: ta_pack OUTPUT\n");
		return 2;
	}
	if (count > VTA_MAX_COUNT) {
		fprintf(stderr, "ta_pack: %zu anchors, the loader takes at most %d\n", count,
			VTA_MAX_COUNT);
		return 1;
	}
	/* Every refusal reported, not only the first: one build shows them all. */
	for (size_t i = 0; i < count; i++)
		bad |= to_record(i, &TAs[i], &r);
	if (bad)
		return 1;
	f = fopen(argv[1], "wb");
	if (!f) {
		fprintf(stderr, "ta_pack: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	/* A short write need not set errno: the failure and its cause apart. */
	errno = 0;
	bad = write_store(f, count);
	err = errno;
	/* What a failure may remove: a file, never a device such as /dev/full. */
	regular = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode);
	if (fclose(f) && !bad) {
		bad = -1;
		err = errno;
	}
	if (bad) {
		fprintf(stderr, "ta_pack: %s: cannot write it: %s\n", argv[1],
			strerror(err ? err : EIO));
		if (regular)
			remove(argv[1]);
		return 1;
	}
	return 0;
}
