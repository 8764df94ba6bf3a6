/*
 * Why a connection failed, from what the engine, the chain checker and
 * the stream saw: fills the transport's report and gives the error the
 * HTTP client returns. Shared by the transport's functions only.
 */
#ifndef TLS_EXPLAIN_H
#define TLS_EXPLAIN_H

#include <viper/tls_client.h>

/*
 * The report for a failure of the connection t->conn, whose pump or reset
 * gave `err`; returns the error for the caller (HTTP_E_TLS_CERTIFICATE,
 * _HANDSHAKE or _PROTOCOL, or the stream's own after the handshake).
 */
int tls_explain(struct tls_transport *t, int err);

#endif
