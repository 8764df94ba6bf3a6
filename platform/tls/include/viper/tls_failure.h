/*
 * Why a TLS connection failed, in the terms a user needs: which check of
 * the certificate chain refused it, or what the server or the network
 * did. tls_failure_message gives the sentence; struct tls_report (in
 * viper/tls_client.h) adds the particulars.
 */
#ifndef VIPER_TLS_FAILURE_H
#define VIPER_TLS_FAILURE_H

enum tls_failure {
	TLS_OK = 0,
	TLS_F_NO_ENTROPY,     /* no random-number source: no handshake without one */
	TLS_F_NO_CLOCK,	      /* no clock: certificate dates cannot be checked */
	TLS_F_NO_TRUST,	      /* the trust store is empty */
	TLS_F_IP_ADDRESS,     /* the host is an IP address, which BearSSL cannot match */
	TLS_F_EXPIRED,	      /* a certificate's notAfter has passed */
	TLS_F_NOT_YET_VALID,  /* a certificate's notBefore is still to come */
	TLS_F_WRONG_HOST,     /* the server's certificate does not name the host */
	TLS_F_UNKNOWN_ISSUER, /* the chain ends at a root that is not in the store */
	TLS_F_SELF_SIGNED,    /* the server's only certificate is self-signed, not in the store */
	TLS_F_INCOMPLETE,     /* the chain stops short: its last issuer was not sent */
	TLS_F_BAD_SIGNATURE,  /* a certificate's signature does not verify */
	TLS_F_CERTIFICATE,    /* any other reason the chain is refused (malformed, weak key) */
	TLS_F_VERSION,	      /* the server does not speak TLS 1.2 */
	TLS_F_PEER_ALERT,     /* the server ended the handshake with a fatal alert */
	TLS_F_NOT_TLS,	      /* what the server sent is not TLS */
	TLS_F_RESET,	      /* the connection was reset during the handshake */
	TLS_F_CLOSED,	      /* the server closed the connection during the handshake */
	TLS_F_TIMED_OUT,      /* the server stopped answering during the handshake */
	TLS_F_PROTOCOL,	      /* a protocol error after the handshake (a bad record, say) */
	TLS_F_NETWORK,	      /* the connection itself failed (see the stream's error) */
	TLS_F_NO_MEMORY,      /* no memory for the connection's buffers */
};

#define TLS_FAILURE_LAST TLS_F_NO_MEMORY

/* One sentence without a final stop, e.g. "the certificate has expired". */
const char *tls_failure_message(enum tls_failure f);

/* A short name for tests and logs, e.g. "expired". */
const char *tls_failure_name(enum tls_failure f);

#endif
