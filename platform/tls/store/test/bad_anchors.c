/*
 * Anchors for //platform/tls/store:ta_pack_test: each BAD_* case, a macro
 * the BUILD file sets, gives TAs[] one anchor the run-time loader would
 * refuse, after a good one, so the test sees ta_pack refuse it by name.
 * Included by src/ta_pack.c in place of brssl's roots_ta.c.
 */

/* One byte longer than the loader takes, so every limit can be passed. */
static const unsigned char dn[1025] = {0x30, 0x00};
static const unsigned char modulus[1025] = {0xc0};
static const unsigned char exponent[17] = {0x01, 0x00, 0x01};

#define RSA(n_len, e_len)                                                                          \
	{                                                                                          \
		.rsa = {(unsigned char *)modulus, (n_len), (unsigned char *)exponent, (e_len) }    \
	}
#define EC(curve, q_len)                                                                           \
	{                                                                                          \
		.ec = {(curve), (unsigned char *)modulus, (q_len) }                                \
	}
#define ANCHOR(dn_len, type, key)                                                                  \
	{                                                                                          \
		{(unsigned char *)dn, (dn_len)}, BR_X509_TA_CA,                                    \
		{                                                                                  \
			(type), key                                                                \
		}                                                                                  \
	}
#define GOOD ANCHOR(2, BR_KEYTYPE_RSA, RSA(256, 3))

#if defined(BAD_TOO_MANY)
static const br_x509_trust_anchor TAs[4097] = {GOOD};
#elif defined(BAD_NO_DN)
static const br_x509_trust_anchor TAs[] = {GOOD, ANCHOR(0, BR_KEYTYPE_RSA, RSA(256, 3))};
#elif defined(BAD_LONG_DN)
static const br_x509_trust_anchor TAs[] = {GOOD, ANCHOR(1025, BR_KEYTYPE_RSA, RSA(256, 3))};
#elif defined(BAD_LONG_MODULUS)
static const br_x509_trust_anchor TAs[] = {GOOD, ANCHOR(2, BR_KEYTYPE_RSA, RSA(1025, 3))};
#elif defined(BAD_LONG_EXPONENT)
static const br_x509_trust_anchor TAs[] = {GOOD, ANCHOR(2, BR_KEYTYPE_RSA, RSA(256, 17))};
#elif defined(BAD_UNKNOWN_KEY)
static const br_x509_trust_anchor TAs[] = {GOOD, ANCHOR(2, 0, RSA(256, 3))};
#elif defined(BAD_EC_CURVE)
static const br_x509_trust_anchor TAs[] = {GOOD, ANCHOR(2, BR_KEYTYPE_EC, EC(32, 65))};
#else
#error "set one BAD_* case"
#endif

#define TAs_NUM (sizeof(TAs) / sizeof(TAs[0]))
