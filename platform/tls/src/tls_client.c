/*
 * The TLS transport: BearSSL's client engine driven by its state bits
 * over a non-blocking stream. See viper/tls_client.h.
 */
#include <viper/tls_client.h>
#include <viper/tls_profile.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls_connection.h"
#include "tls_explain.h"
#include "tls_session.h"

/* pump's answer when the engine closed cleanly (the server's close_notify came). */
#define PUMP_CLOSED 1

static unsigned live;

const char *tls_suite_name(uint16_t suite)
{
	return tls_profile_suite_name(suite);
}

unsigned tls_connections_live(void)
{
	return live;
}

/* Whether host is an IPv4 or IPv6 literal, which BearSSL's name check cannot match. */
static bool is_address(const char *host)
{
	bool digits_and_dots = *host != '\0';

	for (const char *p = host; *p; p++) {
		if (*p == ':')
			return true;
		if (!((*p >= '0' && *p <= '9') || *p == '.'))
			digits_and_dots = false;
	}
	return digits_and_dots;
}

static int fail(struct tls_transport *t, enum tls_failure f, int http_error)
{
	t->report.failure = f;
	return http_error;
}

/* Sends what the engine has; 0 or an error (the engine's state moves on). */
static int pump_send(struct tls_transport *t, br_ssl_engine_context *eng, unsigned st)
{
	struct tls_connection *c = t->conn;
	size_t len;
	unsigned char *buf = br_ssl_engine_sendrec_buf(eng, &len);
	int n = t->io->send(t->io->ctx, buf, len);

	if (n == TLS_IO_WOULDBLOCK) {
		unsigned events = TLS_IO_WRITE | (st & BR_SSL_RECVREC ? TLS_IO_READ : 0);
		n = t->io->wait(t->io->ctx, events, t->timeout_ms);
		return n < 0 ? (c->io_error = n) : 0;
	}
	if (n <= 0 || (size_t)n > len)
		return c->io_error = n < 0 ? n : HTTP_E_NETWORK;
	br_ssl_engine_sendrec_ack(eng, (size_t)n);
	return 0;
}

/* Gives the engine what the stream has; 0 or an error. */
static int pump_recv(struct tls_transport *t, br_ssl_engine_context *eng)
{
	struct tls_connection *c = t->conn;
	size_t len;
	unsigned char *buf = br_ssl_engine_recvrec_buf(eng, &len);
	int n = t->io->recv(t->io->ctx, buf, len);

	if (n == TLS_IO_WOULDBLOCK) {
		n = t->io->wait(t->io->ctx, TLS_IO_READ, t->timeout_ms);
		return n < 0 ? (c->io_error = n) : 0;
	}
	if (n == 0) {
		c->eof = true;
		return c->io_error = c->established ? HTTP_E_TLS_PROTOCOL : HTTP_E_NO_RESPONSE;
	}
	if (n < 0 || (size_t)n > len)
		return c->io_error = n < 0 ? n : HTTP_E_NETWORK;
	for (size_t i = 0; c->first_len < sizeof(c->first) && i < (size_t)n; i++)
		c->first[c->first_len++] = buf[i];
	br_ssl_engine_recvrec_ack(eng, (size_t)n);
	return 0;
}

/* Moves the engine's record to the stage when it fits there: true when it did. */
static bool stage_record(struct tls_connection *c, br_ssl_engine_context *eng)
{
	size_t len;
	unsigned char *buf = br_ssl_engine_sendrec_buf(eng, &len);

	if (len > sizeof(c->stage) - c->staged)
		return false;
	memcpy(c->stage + c->staged, buf, len);
	c->staged += len;
	br_ssl_engine_sendrec_ack(eng, len);
	return true;
}

/* Sends the staged records, waiting while the stream is full: 0 or an error. */
static int flush_stage(struct tls_transport *t)
{
	struct tls_connection *c = t->conn;

	while (c->staged > 0) {
		int n = t->io->send(t->io->ctx, c->stage, c->staged);
		if (n == TLS_IO_WOULDBLOCK) {
			n = t->io->wait(t->io->ctx, TLS_IO_WRITE, t->timeout_ms);
			if (n < 0)
				return c->io_error = n;
			continue;
		}
		if (n <= 0 || (size_t)n > c->staged)
			return c->io_error = n < 0 ? n : HTTP_E_NETWORK;
		memmove(c->stage, c->stage + n, c->staged - (size_t)n);
		c->staged -= (size_t)n;
	}
	return 0;
}

/*
 * The engine has a record to send: staged with the rest of its flight
 * when it fits, else sent straight after what is staged. 0 or an error.
 */
static int take_record(struct tls_transport *t, br_ssl_engine_context *eng, unsigned st)
{
	int err;

	if (stage_record(t->conn, eng))
		return 0;
	if ((err = flush_stage(t)) < 0)
		return err;
	return stage_record(t->conn, eng) ? 0 : pump_send(t, eng, st);
}

/*
 * Moves records between the engine and the stream until `want`
 * (BR_SSL_SENDAPP or BR_SSL_RECVAPP) is possible: 0, PUMP_CLOSED, or an
 * error (the engine's, HTTP_E_TLS_PROTOCOL, or the stream's). Whatever is
 * staged is sent before it waits for the peer or returns.
 */
static int pump(struct tls_transport *t, unsigned want)
{
	br_ssl_engine_context *eng = &t->conn->sc.eng;

	for (;;) {
		unsigned st = br_ssl_engine_current_state(eng);
		int err;

		if (st & BR_SSL_CLOSED)
			return br_ssl_engine_last_error(eng) == BR_ERR_OK ? PUMP_CLOSED
									  : HTTP_E_TLS_PROTOCOL;
		if (st & BR_SSL_SENDREC) {
			if ((err = take_record(t, eng, st)) < 0)
				return err;
			continue;
		}
		if ((err = flush_stage(t)) < 0)
			return err;
		if (st & want)
			return 0;
		if (st & BR_SSL_RECVREC) {
			if ((err = pump_recv(t, eng)) < 0)
				return err;
			continue;
		}
		/* Application data waits in the engine: push it out as a record. */
		br_ssl_engine_flush(eng, 0);
		if (br_ssl_engine_current_state(eng) == st)
			return HTTP_E_TLS_PROTOCOL; /* the engine can do nothing: never spin */
	}
}

static void connection_free(struct tls_transport *t)
{
	struct tls_connection *c = t->conn;

	if (!c)
		return;
	memset(c, 0, sizeof(*c)); /* keys and plaintext do not linger in the heap */
	free(c);
	t->conn = NULL;
	live--;
}

/* Sets the engine up: TLS 1.2, the suites and curves, the chain checker, the buffer. */
static void engine_setup(struct tls_connection *c, const struct tls_config *cfg, uint64_t now)
{
	br_ssl_client_init_full(&c->sc, &c->chain.minimal, cfg->trust->anchors, cfg->trust->count);
	tls_profile_apply(&c->sc.eng, &c->curves);
	tls_chain_init(&c->chain, now);
	br_ssl_engine_set_x509(&c->sc.eng, &c->chain.vtable);
	br_ssl_engine_set_buffer(&c->sc.eng, c->iobuf, sizeof(c->iobuf), 1);
}

/* What the configuration must give before anything reaches the network. */
static int preflight(struct tls_transport *t, const char *host, uint8_t *seed, uint64_t *now)
{
	const struct tls_config *cfg = t->config;

	if (!host || strlen(host) > TLS_HOST_MAX)
		return fail(t, TLS_F_NETWORK, HTTP_E_INVALID);
	if (is_address(host))
		return fail(t, TLS_F_IP_ADDRESS, HTTP_E_TLS_HANDSHAKE);
	if (!cfg->trust || cfg->trust->count == 0)
		return fail(t, TLS_F_NO_TRUST, HTTP_E_TLS_HANDSHAKE);
	if (!cfg->entropy || cfg->entropy(cfg->ctx, seed, 32) < 0)
		return fail(t, TLS_F_NO_ENTROPY, HTTP_E_TLS_HANDSHAKE);
	if (!cfg->clock || cfg->clock(cfg->ctx, now) < 0)
		return fail(t, TLS_F_NO_CLOCK, HTTP_E_TLS_HANDSHAKE);
	return 0;
}

/* After the handshake: what it was, and the session kept for the next time. */
static void established(struct tls_transport *t, bool offered, const uint8_t *offered_id,
			size_t offered_len)
{
	struct tls_connection *c = t->conn;
	br_ssl_session_parameters now;

	c->established = true;
	br_ssl_engine_get_session_parameters(&c->sc.eng, &now);
	t->report.version = now.version;
	t->report.suite = now.cipher_suite;
	t->report.chain_length = c->chain.count;
	t->report.resumed = offered && now.session_id_len == offered_len &&
			    memcmp(now.session_id, offered_id, offered_len) == 0;
	tls_session_put(t->config->sessions, c->host, c->port, &now);
	memset(&now, 0, sizeof(now));
}

static int tt_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
	struct tls_transport *t = ctx;
	br_ssl_session_parameters kept;
	uint8_t seed[32];
	uint64_t now = 0;
	int err;

	memset(&t->report, 0, sizeof(t->report));
	if (t->conn)
		return fail(t, TLS_F_NETWORK, HTTP_E_INVALID); /* one connection at a time */
	if ((err = preflight(t, host, seed, &now)) != 0) {
		memset(seed, 0, sizeof(seed));
		return err;
	}
	if (!(t->conn = calloc(1, sizeof(*t->conn))))
		return fail(t, TLS_F_NO_MEMORY, HTTP_E_NO_MEMORY);
	live++;
	struct tls_connection *c = t->conn;
	strcpy(c->host, host);
	c->port = port;
	t->timeout_ms = timeout_ms ? timeout_ms : HTTP_TIMEOUT_DEFAULT;
	engine_setup(c, t->config, now);
	br_ssl_engine_inject_entropy(&c->sc.eng, seed, sizeof(seed));
	memset(seed, 0, sizeof(seed));
	bool offered = tls_session_take(t->config->sessions, host, port, &kept);
	if (offered)
		br_ssl_engine_set_session_parameters(&c->sc.eng, &kept);
	if (!br_ssl_client_reset(&c->sc, host, offered)) {
		err = tls_explain(t, HTTP_E_TLS_HANDSHAKE);
		connection_free(t);
		memset(&kept, 0, sizeof(kept));
		return err;
	}
	if ((err = t->io->connect(t->io->ctx, host, port, t->timeout_ms)) != 0) {
		connection_free(t);
		memset(&kept, 0, sizeof(kept));
		return fail(t, TLS_F_NETWORK, err);
	}
	err = pump(t, BR_SSL_SENDAPP);
	if (err != 0) {
		err = tls_explain(t, err);
		tls_session_drop(t->config->sessions, host, port);
		t->io->close(t->io->ctx);
		connection_free(t);
		memset(&kept, 0, sizeof(kept));
		return err;
	}
	established(t, offered, kept.session_id, offered ? kept.session_id_len : 0);
	memset(&kept, 0, sizeof(kept));
	return 0;
}

/*
 * Moves records until application data can go `want`'s way (BR_SSL_SENDAPP
 * or BR_SSL_RECVAPP) on an established connection: 0, PUMP_CLOSED, or the
 * error to return, reported.
 */
static int app_ready(struct tls_transport *t, unsigned want)
{
	if (!t->conn || !t->conn->established)
		return HTTP_E_INVALID;
	int err = pump(t, want);
	return err == 0 || err == PUMP_CLOSED ? err : tls_explain(t, err);
}

static int tt_send(void *ctx, const void *buf, size_t len)
{
	struct tls_transport *t = ctx;
	size_t avail;
	int err = app_ready(t, BR_SSL_SENDAPP);

	if (err == PUMP_CLOSED) { /* the server ended the session before we were done */
		snprintf(t->report.detail, sizeof(t->report.detail),
			 "the server closed the TLS session");
		return fail(t, TLS_F_PROTOCOL, HTTP_E_CONNECTION_RESET);
	}
	if (err != 0)
		return err;
	br_ssl_engine_context *eng = &t->conn->sc.eng;
	unsigned char *p = br_ssl_engine_sendapp_buf(eng, &avail);
	size_t n = len < avail ? len : avail;
	memcpy(p, buf, n);
	br_ssl_engine_sendapp_ack(eng, n);
	br_ssl_engine_flush(eng, 0);
	return (int)n;
}

static int tt_recv(void *ctx, void *buf, size_t cap)
{
	struct tls_transport *t = ctx;
	size_t avail;
	int err = app_ready(t, BR_SSL_RECVAPP);

	if (err == PUMP_CLOSED)
		return 0; /* close_notify: the real end of the stream */
	if (err != 0)
		return err;
	br_ssl_engine_context *eng = &t->conn->sc.eng;
	unsigned char *p = br_ssl_engine_recvapp_buf(eng, &avail);
	size_t n = cap < avail ? cap : avail;
	memcpy(buf, p, n);
	br_ssl_engine_recvapp_ack(eng, n);
	return (int)n;
}

/* Sends close_notify as far as the stream takes it without waiting long, then ends. */
static void tt_close(void *ctx)
{
	struct tls_transport *t = ctx;
	struct tls_connection *c = t->conn;

	if (!c)
		return;
	if (c->established && !c->io_error) {
		br_ssl_engine_context *eng = &c->sc.eng;
		br_ssl_engine_close(eng);
		for (int i = 0; i < 8 && (br_ssl_engine_current_state(eng) & BR_SSL_SENDREC); i++) {
			size_t len;
			unsigned char *b = br_ssl_engine_sendrec_buf(eng, &len);
			int n = t->io->send(t->io->ctx, b, len);
			if (n == TLS_IO_WOULDBLOCK &&
			    t->io->wait(t->io->ctx, TLS_IO_WRITE, 1000) == 0)
				continue;
			if (n <= 0)
				break;
			br_ssl_engine_sendrec_ack(eng, (size_t)n);
		}
	}
	t->io->close(t->io->ctx);
	connection_free(t);
}

void tls_transport_init(struct tls_transport *t, const struct tls_config *config,
			const struct tls_io *io)
{
	memset(t, 0, sizeof(*t));
	t->config = config;
	t->io = io;
	t->http = (struct http_transport){t, tt_connect, tt_send, tt_recv, tt_close};
}
