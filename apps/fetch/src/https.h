/*
 * Fetch's https side (src/https.c): the TLS transport of platform/tls over
 * a socket, with the trust store read from CERTS: when the first https
 * connection needs it, 32 bytes from the entropy slot (virtio-rng) before
 * every handshake, the real-time clock (slot rtc, read once per run and
 * carried on by the monotonic clock) for the certificates' dates, and the
 * sessions of this run kept for the next connection to the same host.
 */
#ifndef FETCH_HTTPS_H
#define FETCH_HTTPS_H

#include <stdbool.h>
#include <stdint.h>

#include <viper/component.h>
#include <viper/tls_client.h>
#include <viper/tls_trust.h>

#include "socket_transport.h"

#define HTTPS_STORE "CERTS:"

struct https {
	struct viper_slot entropy, rtc;
	bool have_entropy, have_rtc;
	bool clock_read;      /* the RTC was read, at monotonic rtc_read_ns: */
	uint64_t rtc_seconds; /* what it said */
	uint64_t rtc_read_ns;
	struct tls_trust trust;
	bool loaded; /* CERTS: was read */
	struct tls_session_cache sessions;
	struct tls_config config;
	struct socket_transport st;
	struct tls_io socket_io;     /* the socket's own stream functions */
	const struct tls_io *socket; /* = &socket_io */
	struct tls_io io;	     /* the same, with its connect timed */
	struct tls_transport tls;
	struct http_transport http; /* what http_get gets as its https transport */
	uint64_t tcp_ns;	    /* the last connect's name lookup and TCP connection */
	uint64_t handshake_ns;	    /* the last connect's TLS handshake */
};

/* Sets up the transport with the program's slots (either may be VIPER_HANDLE_INVALID). */
void https_init(struct https *h, viper_handle_t entropy_slot, viper_handle_t rtc_slot);

/* Frees the trust store. */
void https_free(struct https *h);

#endif
