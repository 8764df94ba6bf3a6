/*
 * Checks that the third-party libraries ViperOS builds from Debian sources
 * work: the nanopb runtime, BearSSL and lwIP. The same checks run in a host
 * GoogleTest and in an aarch64 image on QEMU. Each returns NULL on success
 * or a sentence saying what differed.
 */
#ifndef TESTS_LIBRARY_CHECKS_H
#define TESTS_LIBRARY_CHECKS_H

/* Encodes a bounded message, checks its size bound, decodes it back. */
const char *check_nanopb_round_trip(void);

/* Rejects a truncated and a corrupt encoding of the same message. */
const char *check_nanopb_rejects_bad_input(void);

/* SHA-256 of "abc" and of the empty string (FIPS 180-2 vectors). */
const char *check_sha256_vectors(void);

/* AES-128-GCM test cases 2 and 4 of the GCM specification, plus a forged tag. */
const char *check_aes_gcm_vectors(void);

/* lwIP's Internet checksum of a known IPv4 header and address parsing. */
const char *check_lwip(void);

struct library_check {
	const char *name;
	const char *(*run)(void);
};

/* Every check above, for runners that run them all. */
extern const struct library_check library_checks[];
extern const unsigned library_check_count;

#endif
