/* The HTTP client's transports over the POSIX layer's sockets (src/socket_transport.c). */
#ifndef FETCH_SOCKET_TRANSPORT_H
#define FETCH_SOCKET_TRANSPORT_H

#include <viper/http_client.h>
#include <viper/tls_client.h>

#define SOCKET_READ_AHEAD 32768u

struct socket_transport {
	int fd;
	uint32_t timeout_ms;
	char address[48]; /* of the peer connected to, for messages */
	int last_errno;	  /* of the last socket call that failed */
	/*
	 * The stream's read-ahead: one socket call takes what the stack holds,
	 * up to 32 KiB, and the TLS engine's small asks (a record's 5-byte
	 * header, then its body) are served from here.
	 */
	size_t ahead_pos, ahead_len;
	uint8_t ahead[SOCKET_READ_AHEAD];
};

/* A transport over `st`, which it fills as it connects. */
void socket_transport_init(struct socket_transport *st, struct http_transport *t);

/*
 * The same connection as a non-blocking stream for the TLS transport:
 * send and recv with MSG_DONTWAIT, wait with poll bounded by its time-out.
 */
void socket_transport_stream(struct socket_transport *st, struct tls_io *io);

#endif
