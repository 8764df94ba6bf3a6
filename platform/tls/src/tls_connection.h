/* One TLS connection's state, shared by the transport (tls_client.c) and tls_explain.c. */
#ifndef TLS_CONNECTION_H
#define TLS_CONNECTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bearssl_ssl.h>

#include <viper/tls_client.h>

#include "tls_chain.h"

/*
 * Room for a flight of small records (ClientHello; or ClientKeyExchange,
 * ChangeCipherSpec and Finished, which the engine hands out one at a
 * time), so each flight is one send on the stream and one TCP segment.
 */
#define TLS_STAGE_BYTES 1024

/* The engine and its buffers, for one connection. */
struct tls_connection {
	br_ssl_client_context sc;
	struct tls_chain chain;
	br_ec_impl curves;
	char host[TLS_HOST_MAX + 1];
	uint16_t port;
	bool established; /* the handshake completed */
	int io_error;	  /* the stream's error that stopped the engine, 0 when none */
	bool eof;	  /* the stream ended */
	uint8_t first[5]; /* the first bytes the server sent: a record header, if TLS */
	size_t first_len;
	/* Records taken from the engine, not yet sent: a flight goes out in one send. */
	uint8_t stage[TLS_STAGE_BYTES];
	size_t staged;
	unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
};

#endif
