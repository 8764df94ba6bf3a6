#include "library_checks.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <bearssl.h>
#include <pb_decode.h>
#include <pb_encode.h>

#include "lwip/inet_chksum.h"
#include "lwip/init.h"
#include "lwip/ip4_addr.h"
#include "tests/libraries/library_message.pb.h"

static bool equal(const void *a, const void *b, size_t n)
{
	return memcmp(a, b, n) == 0;
}

static void sample_message(viperos_tests_LibraryCheck *m)
{
	*m = (viperos_tests_LibraryCheck)viperos_tests_LibraryCheck_init_zero;
	m->id = 0xc0ffee;
	strcpy(m->name, "viper");
	m->payload.size = 5;
	memcpy(m->payload.bytes, "\x00\x01\xfe\xff\x80", 5);
	m->values_count = 3;
	m->values[0] = -1;
	m->values[1] = 2147483647;
	m->values[2] = -2147483647 - 1;
	m->flag = true;
}

const char *check_nanopb_round_trip(void)
{
	viperos_tests_LibraryCheck in, out = viperos_tests_LibraryCheck_init_zero;
	uint8_t buf[viperos_tests_LibraryCheck_size];
	pb_ostream_t os = pb_ostream_from_buffer(buf, sizeof(buf));
	pb_istream_t is;

	/*
	 * The generated worst case, field by field (tag + length + value):
	 * id 1+5, name 1+1+31, payload 1+1+64, values 8 x (1+5) (nanopb counts
	 * repeated fields unpacked, the larger form a decoder must accept),
	 * flag 1+1.
	 */
	if (viperos_tests_LibraryCheck_size != 6 + 33 + 66 + 8 * 6 + 2)
		return "the generated worst-case size is not the sum of the field bounds";
	sample_message(&in);
	if (!pb_encode(&os, viperos_tests_LibraryCheck_fields, &in))
		return "pb_encode failed";
	is = pb_istream_from_buffer(buf, os.bytes_written);
	if (!pb_decode(&is, viperos_tests_LibraryCheck_fields, &out))
		return "pb_decode failed";
	if (out.id != in.id || strcmp(out.name, in.name) != 0 || out.flag != in.flag)
		return "scalar or string fields differ after the round trip";
	if (out.payload.size != in.payload.size ||
	    !equal(out.payload.bytes, in.payload.bytes, in.payload.size))
		return "bytes field differs after the round trip";
	if (out.values_count != 3 || out.values[0] != -1 || out.values[1] != 2147483647 ||
	    out.values[2] != -2147483647 - 1)
		return "repeated field differs after the round trip";
	return NULL;
}

const char *check_nanopb_rejects_bad_input(void)
{
	viperos_tests_LibraryCheck in, out;
	uint8_t buf[viperos_tests_LibraryCheck_size];
	pb_ostream_t os = pb_ostream_from_buffer(buf, sizeof(buf));
	pb_istream_t is;
	/* Field 2 (name) claiming 40 bytes, more than its bound of 31 + NUL. */
	static const uint8_t too_long[42] = {0x12, 40};
	/* Field 1 with wire type 7, which does not exist. */
	static const uint8_t bad_wire_type[] = {0x0f, 0x01};

	sample_message(&in);
	if (!pb_encode(&os, viperos_tests_LibraryCheck_fields, &in))
		return "pb_encode failed";
	is = pb_istream_from_buffer(buf, os.bytes_written - 3);
	if (pb_decode(&is, viperos_tests_LibraryCheck_fields, &out))
		return "a truncated message decoded";
	is = pb_istream_from_buffer(too_long, sizeof(too_long));
	if (pb_decode(&is, viperos_tests_LibraryCheck_fields, &out))
		return "a string longer than its bound decoded";
	is = pb_istream_from_buffer(bad_wire_type, sizeof(bad_wire_type));
	if (pb_decode(&is, viperos_tests_LibraryCheck_fields, &out))
		return "an invalid wire type decoded";
	return NULL;
}

const char *check_sha256_vectors(void)
{
	static const uint8_t abc[32] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
		0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
		0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
	};
	static const uint8_t empty[32] = {
		0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4,
		0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b,
		0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
	};
	br_sha256_context ctx;
	uint8_t out[32];

	br_sha256_init(&ctx);
	br_sha256_update(&ctx, "abc", 3);
	br_sha256_out(&ctx, out);
	if (!equal(out, abc, 32))
		return "SHA-256(\"abc\") differs from FIPS 180-2";
	br_sha256_init(&ctx);
	br_sha256_out(&ctx, out);
	if (!equal(out, empty, 32))
		return "SHA-256(\"\") differs from FIPS 180-2";
	return NULL;
}

struct gcm_vector {
	uint8_t key[16];
	uint8_t iv[12];
	const uint8_t *aad;
	size_t aad_len;
	const uint8_t *plain;
	const uint8_t *cipher;
	size_t len;
	uint8_t tag[16];
};

/* One GCM pass over `data` in place: encrypt (1) or decrypt (0). */
static void gcm_pass(br_gcm_context *gcm, const struct gcm_vector *v, int encrypt, uint8_t *data)
{
	br_gcm_reset(gcm, v->iv, sizeof(v->iv));
	br_gcm_aad_inject(gcm, v->aad, v->aad_len);
	br_gcm_flip(gcm);
	br_gcm_run(gcm, encrypt, data, v->len);
}

/* Encrypts, compares, then decrypts and checks the tag; forges it last. */
static const char *run_gcm(const struct gcm_vector *v)
{
	br_aes_ct64_ctr_keys keys;
	br_gcm_context gcm;
	uint8_t data[64];
	uint8_t tag[16];

	br_aes_ct64_ctr_init(&keys, v->key, sizeof(v->key));
	br_gcm_init(&gcm, &keys.vtable, br_ghash_ctmul64);

	memcpy(data, v->plain, v->len);
	gcm_pass(&gcm, v, 1, data);
	br_gcm_get_tag(&gcm, tag);
	if (!equal(data, v->cipher, v->len))
		return "AES-GCM ciphertext differs from the specification";
	if (!equal(tag, v->tag, 16))
		return "AES-GCM tag differs from the specification";

	gcm_pass(&gcm, v, 0, data);
	if (!br_gcm_check_tag(&gcm, v->tag) || !equal(data, v->plain, v->len))
		return "AES-GCM decryption did not restore the plaintext";

	tag[0] ^= 1;
	gcm_pass(&gcm, v, 0, data);
	if (br_gcm_check_tag(&gcm, tag))
		return "AES-GCM accepted a forged tag";
	return NULL;
}

const char *check_aes_gcm_vectors(void)
{
	static const uint8_t zeros[16] = {0};
	static const uint8_t case2_cipher[16] = {
		0x03, 0x88, 0xda, 0xce, 0x60, 0xb6, 0xa3, 0x92,
		0xf3, 0x28, 0xc2, 0xb9, 0x71, 0xb2, 0xfe, 0x78,
	};
	static const uint8_t case4_plain[60] = {
		0xd9, 0x31, 0x32, 0x25, 0xf8, 0x84, 0x06, 0xe5, 0xa5, 0x59, 0x09, 0xc5,
		0xaf, 0xf5, 0x26, 0x9a, 0x86, 0xa7, 0xa9, 0x53, 0x15, 0x34, 0xf7, 0xda,
		0x2e, 0x4c, 0x30, 0x3d, 0x8a, 0x31, 0x8a, 0x72, 0x1c, 0x3c, 0x0c, 0x95,
		0x95, 0x68, 0x09, 0x53, 0x2f, 0xcf, 0x0e, 0x24, 0x49, 0xa6, 0xb5, 0x25,
		0xb1, 0x6a, 0xed, 0xf5, 0xaa, 0x0d, 0xe6, 0x57, 0xba, 0x63, 0x7b, 0x39,
	};
	static const uint8_t case4_aad[20] = {
		0xfe, 0xed, 0xfa, 0xce, 0xde, 0xad, 0xbe, 0xef, 0xfe, 0xed,
		0xfa, 0xce, 0xde, 0xad, 0xbe, 0xef, 0xab, 0xad, 0xda, 0xd2,
	};
	static const uint8_t case4_cipher[60] = {
		0x42, 0x83, 0x1e, 0xc2, 0x21, 0x77, 0x74, 0x24, 0x4b, 0x72, 0x21, 0xb7,
		0x84, 0xd0, 0xd4, 0x9c, 0xe3, 0xaa, 0x21, 0x2f, 0x2c, 0x02, 0xa4, 0xe0,
		0x35, 0xc1, 0x7e, 0x23, 0x29, 0xac, 0xa1, 0x2e, 0x21, 0xd5, 0x14, 0xb2,
		0x54, 0x66, 0x93, 0x1c, 0x7d, 0x8f, 0x6a, 0x5a, 0xac, 0x84, 0xaa, 0x05,
		0x1b, 0xa3, 0x0b, 0x39, 0x6a, 0x0a, 0xac, 0x97, 0x3d, 0x58, 0xe0, 0x91,
	};
	static const struct gcm_vector vectors[] = {
		{
			.plain = zeros,
			.cipher = case2_cipher,
			.len = 16,
			.tag = {0xab, 0x6e, 0x47, 0xd4, 0x2c, 0xec, 0x13, 0xbd, 0xf5, 0x3a, 0x67,
				0xb2, 0x12, 0x57, 0xbd, 0xdf},
		},
		{
			.key = {0xfe, 0xff, 0xe9, 0x92, 0x86, 0x65, 0x73, 0x1c, 0x6d, 0x6a, 0x8f,
				0x94, 0x67, 0x30, 0x83, 0x08},
			.iv = {0xca, 0xfe, 0xba, 0xbe, 0xfa, 0xce, 0xdb, 0xad, 0xde, 0xca, 0xf8,
			       0x88},
			.aad = case4_aad,
			.aad_len = sizeof(case4_aad),
			.plain = case4_plain,
			.cipher = case4_cipher,
			.len = 60,
			.tag = {0x5b, 0xc9, 0x4f, 0xbc, 0x32, 0x21, 0xa5, 0xdb, 0x94, 0xfa, 0xe9,
				0x5a, 0xe7, 0x12, 0x1a, 0x47},
		},
	};

	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		const char *err = run_gcm(&vectors[i]);
		if (err)
			return err;
	}
	return NULL;
}

const char *check_lwip(void)
{
	uint8_t header[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			      0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
	u16_t sum;
	ip4_addr_t addr;

	lwip_init();
	sum = inet_chksum(header, sizeof(header));
	memcpy(&header[10], &sum, 2);
	if (header[10] != 0xb8 || header[11] != 0x61)
		return "lwIP's IPv4 header checksum differs from 0xb861";
	if (inet_chksum(header, sizeof(header)) != 0)
		return "lwIP's checksum over a checksummed header is not zero";
	if (!ip4addr_aton("192.168.0.1", &addr) ||
	    ip4_addr_get_u32(&addr) != PP_HTONL(0xc0a80001ul))
		return "lwIP parsed 192.168.0.1 wrongly";
	if (ip4addr_aton("300.1.1.1", &addr))
		return "lwIP accepted the address 300.1.1.1";
	return NULL;
}

const struct library_check library_checks[] = {
	{"nanopb round trip", check_nanopb_round_trip},
	{"nanopb rejects bad input", check_nanopb_rejects_bad_input},
	{"BearSSL SHA-256 vectors", check_sha256_vectors},
	{"BearSSL AES-GCM vectors", check_aes_gcm_vectors},
	{"lwIP checksum and addresses", check_lwip},
};

const unsigned library_check_count = sizeof(library_checks) / sizeof(library_checks[0]);
