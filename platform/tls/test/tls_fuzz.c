/*
 * libFuzzer target: a hostile server. The input is what the server sends,
 * cut into recv slices by its first byte; the TLS transport does its
 * handshake against it (records, ServerHello, Certificate, the chain
 * wrapper's DER walk, ServerKeyExchange, alerts). Input byte 0 also picks
 * a second target, the trust store's PEM and VTA1 parsers, for 1 in 8
 * inputs. Any crash, leak or sanitizer report is a failure; afterwards no
 * connection may be live and no session kept.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <viper/tls_client.h>
#include <viper/tls_trust.h>

struct hostile {
	const uint8_t *data;
	size_t len, at, slice;
	int connects, closes;
};

static int h_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
	struct hostile *h = ctx;
	(void)host, (void)port, (void)timeout_ms;
	h->connects++;
	return 0;
}

static int h_send(void *ctx, const void *buf, size_t len)
{
	(void)ctx, (void)buf;
	return len > 1000 ? 1000 : (int)len; /* short sends too */
}

static int h_recv(void *ctx, void *buf, size_t cap)
{
	struct hostile *h = ctx;
	size_t n = h->len - h->at;

	if (n == 0)
		return 0;
	if (n > h->slice)
		n = h->slice;
	if (n > cap)
		n = cap;
	memcpy(buf, h->data + h->at, n);
	h->at += n;
	return (int)n;
}

static int h_wait(void *ctx, unsigned events, uint32_t timeout_ms)
{
	(void)ctx, (void)events, (void)timeout_ms;
	return 0;
}

static void h_close(void *ctx)
{
	((struct hostile *)ctx)->closes++;
}

static int entropy(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	memset(buf, 0x5a, len); /* deterministic: the same input, the same run */
	return 0;
}

static int clock_now(void *ctx, uint64_t *now)
{
	(void)ctx;
	*now = 1796083200; /* 2026-12-01 */
	return 0;
}

/* One anchor, made of fixed bytes: enough for the client to start; nothing verifies against it. */
static unsigned char anchor_dn[] = {0x30, 0x0b, 0x31, 0x09, 0x30, 0x07, 0x06,
				    0x03, 0x55, 0x04, 0x03, 0x0c, 0x00};
static unsigned char anchor_q[65] = {0x04, 1, 2, 3};

static void fuzz_store(const uint8_t *data, size_t len)
{
	struct tls_trust t;

	tls_trust_init(&t);
	(void)tls_trust_add_vta(&t, data, len);
	(void)tls_trust_add_pem(&t, (const char *)data, len);
	tls_trust_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static br_x509_trust_anchor anchor;
	static struct tls_trust trust;
	struct tls_session_cache sessions;
	struct hostile h = {0};
	struct tls_io io = {&h, h_connect, h_send, h_recv, h_wait, h_close};
	struct tls_transport t;

	if (len < 1)
		return 0;
	if ((data[0] & 7) == 7) {
		fuzz_store(data + 1, len - 1);
		return 0;
	}
	anchor.dn.data = anchor_dn;
	anchor.dn.len = sizeof(anchor_dn);
	anchor.flags = BR_X509_TA_CA;
	anchor.pkey.key_type = BR_KEYTYPE_EC;
	anchor.pkey.key.ec.curve = BR_EC_secp256r1;
	anchor.pkey.key.ec.q = anchor_q;
	anchor.pkey.key.ec.qlen = sizeof(anchor_q);
	trust.anchors = &anchor;
	trust.count = 1;
	tls_session_cache_init(&sessions);
	struct tls_config cfg = {&trust, entropy, clock_now, NULL, &sessions};
	h.data = data + 1;
	h.len = len - 1;
	h.slice = 1 + (data[0] >> 3) * 64u;
	tls_transport_init(&t, &cfg, &io);
	if (t.http.connect(&t, "fuzz.test", 443, 1000) == 0) {
		/* A handshake the fuzzer cannot sign for: should never happen. */
		fprintf(stderr, "tls_fuzz: a handshake completed against fuzzed input\n");
		abort();
	}
	if (tls_connections_live() != 0 || tls_session_cache_count(&sessions) != 0 ||
	    h.closes != h.connects) {
		fprintf(stderr, "tls_fuzz: a refused handshake left a connection or a session\n");
		abort();
	}
	(void)tls_failure_message(t.report.failure);
	return 0;
}
