/* A failed connection explained: see tls_explain.h. */
#include "tls_explain.h"

#include <stdio.h>
#include <string.h>

#include "tls_connection.h"

static const struct {
	unsigned char code;
	const char *name;
} alerts[] = {
	{0, "close_notify"},
	{10, "unexpected_message"},
	{20, "bad_record_mac"},
	{22, "record_overflow"},
	{40, "handshake_failure"},
	{42, "bad_certificate"},
	{43, "unsupported_certificate"},
	{44, "certificate_revoked"},
	{45, "certificate_expired"},
	{46, "certificate_unknown"},
	{47, "illegal_parameter"},
	{48, "unknown_ca"},
	{49, "access_denied"},
	{50, "decode_error"},
	{51, "decrypt_error"},
	{70, "protocol_version"},
	{71, "insufficient_security"},
	{80, "internal_error"},
	{86, "inappropriate_fallback"},
	{90, "user_canceled"},
	{112, "unrecognized_name"},
};

static const char *alert_name(int code)
{
	for (size_t i = 0; i < sizeof(alerts) / sizeof(alerts[0]); i++)
		if (alerts[i].code == code)
			return alerts[i].name;
	return "unknown alert";
}

static int report(struct tls_transport *t, enum tls_failure f, int error)
{
	t->report.failure = f;
	return error;
}

/* Whether the first bytes from the server can start a TLS record (SSL 3.0 to TLS 1.3 headers). */
static bool looks_like_tls(const struct tls_connection *c)
{
	return c->first_len >= 3 && c->first[0] >= 20 && c->first[0] <= 23 && c->first[1] == 3 &&
	       c->first[2] <= 4;
}

/* The server's records are of a version below TLS 1.2. */
static bool older_version(const struct tls_connection *c)
{
	return looks_like_tls(c) && c->first[2] < 3;
}

static void version_detail(struct tls_transport *t)
{
	static const char *const names[] = {"SSL 3.0", "TLS 1.0", "TLS 1.1"};

	snprintf(t->report.detail, sizeof(t->report.detail), "it answered with %s",
		 names[t->conn->first[2]]);
}

/* The stream failed during the handshake. */
static int stream_failure(struct tls_transport *t)
{
	struct tls_connection *c = t->conn;

	snprintf(t->report.detail, sizeof(t->report.detail), "%s", http_error_message(c->io_error));
	if (c->eof)
		return report(t, older_version(c) ? TLS_F_VERSION : TLS_F_CLOSED,
			      HTTP_E_TLS_HANDSHAKE);
	switch (c->io_error) {
	case HTTP_E_CONNECTION_RESET:
		return report(t, TLS_F_RESET, HTTP_E_TLS_HANDSHAKE);
	case HTTP_E_TIMED_OUT:
		return report(t, TLS_F_TIMED_OUT, HTTP_E_TLS_HANDSHAKE);
	default:
		return report(t, TLS_F_NETWORK, HTTP_E_TLS_HANDSHAKE);
	}
}

static int handshake_failure(struct tls_transport *t, int e)
{
	struct tls_connection *c = t->conn;
	struct tls_report *r = &t->report;

	if (e > BR_ERR_X509_OK && e < BR_ERR_RECV_FATAL_ALERT) {
		r->failure = tls_chain_explain(&c->chain, t->config->trust, e, r->detail,
					       sizeof(r->detail));
		return HTTP_E_TLS_CERTIFICATE;
	}
	if (c->first_len > 0 && !looks_like_tls(c)) {
		snprintf(r->detail, sizeof(r->detail), "its first bytes are %02x %02x %02x",
			 c->first[0], c->first_len > 1 ? c->first[1] : 0,
			 c->first_len > 2 ? c->first[2] : 0);
		return report(t, TLS_F_NOT_TLS, HTTP_E_TLS_HANDSHAKE);
	}
	if (older_version(c) || e == BR_ERR_UNSUPPORTED_VERSION ||
	    e == BR_ERR_RECV_FATAL_ALERT + 70) {
		if (older_version(c))
			version_detail(t);
		return report(t, TLS_F_VERSION, HTTP_E_TLS_HANDSHAKE);
	}
	if (e >= BR_ERR_RECV_FATAL_ALERT && e < BR_ERR_SEND_FATAL_ALERT) {
		snprintf(r->detail, sizeof(r->detail), "alert %d, %s", e - BR_ERR_RECV_FATAL_ALERT,
			 alert_name(e - BR_ERR_RECV_FATAL_ALERT));
		return report(t, TLS_F_PEER_ALERT, HTTP_E_TLS_HANDSHAKE);
	}
	if (e == BR_ERR_NO_RANDOM)
		return report(t, TLS_F_NO_ENTROPY, HTTP_E_TLS_HANDSHAKE);
	if (c->io_error)
		return stream_failure(t);
	snprintf(r->detail, sizeof(r->detail), "BearSSL error %d", e);
	return report(t, TLS_F_PROTOCOL, HTTP_E_TLS_HANDSHAKE);
}

int tls_explain(struct tls_transport *t, int err)
{
	struct tls_connection *c = t->conn;
	struct tls_report *r = &t->report;
	int e = br_ssl_engine_last_error(&c->sc.eng);

	r->engine_error = e;
	r->detail[0] = '\0';
	if (!c->established)
		return e == BR_ERR_OK && c->io_error ? stream_failure(t) : handshake_failure(t, e);
	if (c->eof) {
		snprintf(r->detail, sizeof(r->detail),
			 "the connection ended without TLS close_notify: what came may be cut "
			 "short");
		return report(t, TLS_F_PROTOCOL, HTTP_E_TLS_PROTOCOL);
	}
	if (c->io_error && err == c->io_error)
		return report(t, TLS_F_NETWORK, err);
	if (e >= BR_ERR_RECV_FATAL_ALERT && e < BR_ERR_SEND_FATAL_ALERT)
		snprintf(r->detail, sizeof(r->detail), "alert %d, %s", e - BR_ERR_RECV_FATAL_ALERT,
			 alert_name(e - BR_ERR_RECV_FATAL_ALERT));
	else
		snprintf(r->detail, sizeof(r->detail), "BearSSL error %d", e);
	return report(t, TLS_F_PROTOCOL, HTTP_E_TLS_PROTOCOL);
}
