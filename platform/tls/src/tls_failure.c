/* The failures of a TLS connection in words: see viper/tls_failure.h. */
#include <viper/tls_failure.h>

static const struct {
	const char *name, *message;
} failures[] = {
	[TLS_OK] = {"ok", "success"},
	[TLS_F_NO_ENTROPY] = {"no-entropy",
			      "no entropy source: TLS needs the random-number device (virtio-rng)"},
	[TLS_F_NO_CLOCK] = {"no-clock",
			    "no clock: the certificate's dates cannot be checked without the "
			    "real-time clock"},
	[TLS_F_NO_TRUST] = {"no-trust", "the trust store (CERTS:) holds no certificates"},
	[TLS_F_IP_ADDRESS] = {"ip-address", "a certificate cannot be checked against an IP "
					    "address (BearSSL matches DNS names only): use "
					    "the host's name"},
	[TLS_F_EXPIRED] = {"expired", "the certificate has expired"},
	[TLS_F_NOT_YET_VALID] = {"not-yet-valid", "the certificate is not valid yet"},
	[TLS_F_WRONG_HOST] = {"wrong-host", "the certificate is for another host"},
	[TLS_F_UNKNOWN_ISSUER] = {"unknown-issuer",
				  "the certificate's issuer is not in the trust store (CERTS:)"},
	[TLS_F_SELF_SIGNED] = {"self-signed", "the certificate is self-signed and not in the "
					      "trust store (CERTS:)"},
	[TLS_F_INCOMPLETE] = {"incomplete-chain",
			      "the server sent an incomplete certificate chain"},
	[TLS_F_BAD_SIGNATURE] = {"bad-signature",
				 "a certificate's signature is not valid (it was altered)"},
	[TLS_F_CERTIFICATE] = {"bad-certificate", "the server's certificate was refused"},
	[TLS_F_VERSION] = {"version", "the server does not speak TLS 1.2 (older versions are "
				      "refused)"},
	[TLS_F_PEER_ALERT] = {"peer-alert", "the server refused the handshake"},
	[TLS_F_NOT_TLS] = {"not-tls", "the server's answer is not TLS"},
	[TLS_F_RESET] = {"reset", "the connection was reset during the TLS handshake"},
	[TLS_F_CLOSED] = {"closed", "the server closed the connection during the TLS handshake"},
	[TLS_F_TIMED_OUT] = {"timed-out", "the server stopped answering during the TLS "
					  "handshake"},
	[TLS_F_PROTOCOL] = {"protocol", "TLS protocol error"},
	[TLS_F_NETWORK] = {"network", "the connection failed"},
	[TLS_F_NO_MEMORY] = {"no-memory", "out of memory for the TLS connection"},
};

_Static_assert(sizeof(failures) / sizeof(failures[0]) == TLS_FAILURE_LAST + 1,
	       "every enum tls_failure has a name and a message");

const char *tls_failure_message(enum tls_failure f)
{
	return (unsigned)f <= TLS_FAILURE_LAST ? failures[f].message : "unknown TLS failure";
}

const char *tls_failure_name(enum tls_failure f)
{
	return (unsigned)f <= TLS_FAILURE_LAST ? failures[f].name : "unknown";
}
