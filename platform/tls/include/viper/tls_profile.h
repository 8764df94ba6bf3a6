/*
 * What the TLS client asks of BearSSL's engine, in one place: TLS 1.2
 * only; ECDHE suites with AEAD ciphers only, ChaCha20-Poly1305 first (the
 * fastest without AES instructions), then AES-128-GCM and AES-256-GCM;
 * the curves X25519, P-256 and P-384. Header-only, so that the Linux
 * peer's benchmark client (tests/benchmarks/linux_peer/tls_bench_linux.c)
 * sets its engine up with the very same profile as platform/tls.
 */
#ifndef VIPER_TLS_PROFILE_H
#define VIPER_TLS_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl_ssl.h>

static const struct tls_profile_suite {
	uint16_t id;
	const char *name; /* as OpenSSL names it */
} tls_profile_suites[] = {
	{BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "ECDHE-ECDSA-CHACHA20-POLY1305"},
	{BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "ECDHE-RSA-CHACHA20-POLY1305"},
	{BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "ECDHE-ECDSA-AES128-GCM-SHA256"},
	{BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "ECDHE-RSA-AES128-GCM-SHA256"},
	{BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "ECDHE-ECDSA-AES256-GCM-SHA384"},
	{BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "ECDHE-RSA-AES256-GCM-SHA384"},
};

#define TLS_PROFILE_SUITES (sizeof(tls_profile_suites) / sizeof(tls_profile_suites[0]))

#define TLS_PROFILE_CURVES                                                                         \
	((1u << BR_EC_curve25519) | (1u << BR_EC_secp256r1) | (1u << BR_EC_secp384r1))

/* The suite's name ("" when it is none of the profile's). */
static inline const char *tls_profile_suite_name(uint16_t id)
{
	for (size_t i = 0; i < TLS_PROFILE_SUITES; i++)
		if (tls_profile_suites[i].id == id)
			return tls_profile_suites[i].name;
	return "";
}

/*
 * Narrows an engine set up by br_ssl_client_init_full to the profile;
 * *curves (br_ec_all_m31 with fewer curves) must live as long as it.
 */
static inline void tls_profile_apply(br_ssl_engine_context *eng, br_ec_impl *curves)
{
	uint16_t ids[TLS_PROFILE_SUITES];

	for (size_t i = 0; i < TLS_PROFILE_SUITES; i++)
		ids[i] = tls_profile_suites[i].id;
	br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
	br_ssl_engine_set_suites(eng, ids, TLS_PROFILE_SUITES); /* BearSSL copies the list */
	*curves = br_ec_all_m31;
	curves->supported_curves = TLS_PROFILE_CURVES;
	br_ssl_engine_set_ec(eng, curves);
}

#endif
