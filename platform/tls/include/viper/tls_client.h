/*
 * A TLS 1.2 client on BearSSL, as a transport of the HTTP client
 * (struct http_transport), over a non-blocking byte stream (struct
 * tls_io). It runs in the process that uses it: the keys and the
 * plaintext never leave that process.
 *
 * What it asks of BearSSL: TLS 1.2 only; the ECDHE suites with
 * ChaCha20-Poly1305 and AES-GCM (RSA and ECDSA certificates); curves
 * X25519, P-256 and P-384; SNI and the host-name check (DNS names only:
 * an IP-address host is refused before any connection, BearSSL cannot
 * match iPAddress names); the chain checked against a trust store
 * (viper/tls_trust.h) at the time the clock function gives; 32 bytes
 * from the entropy function injected before every handshake (no source,
 * no handshake: there is no fallback). Sessions are resumed by session ID
 * for repeated connections to one host and port (struct
 * tls_session_cache). Every failure is classified (enum tls_failure,
 * viper/tls_failure.h) and explained in tls_transport's report.
 *
 * The engine is driven by its state bits (BR_SSL_SENDREC, _RECVREC,
 * _SENDAPP, _RECVAPP), never by br_sslio's blocking callbacks: the
 * stream's send and recv never block, and the transport waits on the
 * stream (tls_io.wait) only when the engine can make no progress.
 */
#ifndef VIPER_TLS_CLIENT_H
#define VIPER_TLS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bearssl_ssl.h>

#include <viper/http_client.h>
#include <viper/tls_failure.h>
#include <viper/tls_trust.h>

/* tls_io.send and .recv: nothing can move now (try again after wait). */
#define TLS_IO_WOULDBLOCK (-1000)
/* tls_io.wait's events. */
#define TLS_IO_READ  1u
#define TLS_IO_WRITE 2u

/*
 * A byte stream that never blocks in send or recv. Errors are negative
 * enum http_error codes (HTTP_E_CONNECTION_RESET, HTTP_E_TIMED_OUT, ...).
 */
struct tls_io {
	void *ctx;
	/* As struct http_transport's connect: blocks at most timeout_ms. */
	int (*connect)(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms);
	/* 1..len bytes sent, TLS_IO_WOULDBLOCK, or an error. */
	int (*send)(void *ctx, const void *buf, size_t len);
	/* 1..cap bytes, 0 at the end of the stream, TLS_IO_WOULDBLOCK, or an error. */
	int (*recv)(void *ctx, void *buf, size_t cap);
	/* Waits until one of `events` may move: 0, HTTP_E_TIMED_OUT after timeout_ms, or an error.
	 */
	int (*wait)(void *ctx, unsigned events, uint32_t timeout_ms);
	/* Ends the connection: once after every connect that returned 0. */
	void (*close)(void *ctx);
};

/* Fills buf[0, len) with random bytes: 0, or negative when there is no source. */
typedef int (*tls_entropy_fn)(void *ctx, uint8_t *buf, size_t len);
/* The time now in seconds since 1970-01-01 UTC: 0, or negative when unknown. */
typedef int (*tls_clock_fn)(void *ctx, uint64_t *unix_seconds);

#define TLS_SESSIONS_MAX 4u
#define TLS_HOST_MAX	 255u

/* The sessions of successful handshakes, by host and port, least recently used first out. */
struct tls_session_cache {
	struct tls_session_entry {
		char host[TLS_HOST_MAX + 1];
		uint16_t port;
		uint32_t used; /* the cache's clock when last used; 0: free */
		br_ssl_session_parameters params;
	} entry[TLS_SESSIONS_MAX];
	uint32_t clock;
};

void tls_session_cache_init(struct tls_session_cache *c);
/* Sessions held (a refused handshake never leaves one). */
unsigned tls_session_cache_count(const struct tls_session_cache *c);
/* Whether a session for host and port is held. */
bool tls_session_cache_has(const struct tls_session_cache *c, const char *host, uint16_t port);

struct tls_config {
	const struct tls_trust *trust;
	tls_entropy_fn entropy;		    /* NULL: no source (every handshake fails) */
	tls_clock_fn clock;		    /* NULL: no clock (every handshake fails) */
	void *ctx;			    /* first argument of entropy and clock */
	struct tls_session_cache *sessions; /* NULL: no resumption */
};

/* What the last connect did, or why it failed. */
struct tls_report {
	enum tls_failure failure; /* TLS_OK after a handshake */
	int engine_error;	  /* BearSSL's br_ssl_engine_last_error, 0 when none */
	char detail[160];	  /* the failure's particulars (a name, a date), or "" */
	bool resumed;		  /* the handshake resumed a cached session */
	uint16_t version;	  /* BR_TLS12 */
	uint16_t suite;	       /* the cipher suite, e.g. BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 */
	unsigned chain_length; /* certificates the server sent (0 when resumed) */
};

struct tls_connection; /* the engine and its buffers: on the heap while connected */

/*
 * The transport: give &t->http to http_get (as http_get_options.https). Its
 * connect opens the stream and does the handshake; its errors are the
 * stream's, or HTTP_E_TLS_CERTIFICATE, HTTP_E_TLS_HANDSHAKE,
 * HTTP_E_TLS_PROTOCOL and HTTP_E_NO_MEMORY, with t->report saying more.
 */
struct tls_transport {
	struct http_transport http; /* ctx is the tls_transport itself */
	const struct tls_config *config;
	const struct tls_io *io;
	struct tls_connection *conn;
	uint32_t timeout_ms;
	struct tls_report report;
};

void tls_transport_init(struct tls_transport *t, const struct tls_config *config,
			const struct tls_io *io);

/* Connections open now, in this process: 0 after every close (for leak checks). */
unsigned tls_connections_live(void);

/* The suite's name as in RFC 8446's registry, e.g. "ECDHE-RSA-CHACHA20-POLY1305" ("" if unknown).
 */
const char *tls_suite_name(uint16_t suite);

#endif
