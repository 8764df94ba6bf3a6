/* The session cache's internal side: what the transport takes, keeps and drops. */
#ifndef TLS_SESSION_H
#define TLS_SESSION_H

#include <viper/tls_client.h>

/* The parameters kept for host and port into *out: true when there are some (c may be NULL). */
bool tls_session_take(struct tls_session_cache *c, const char *host, uint16_t port,
		      br_ssl_session_parameters *out);

/* Keeps the parameters of a successful handshake, replacing the least recently used. */
void tls_session_put(struct tls_session_cache *c, const char *host, uint16_t port,
		     const br_ssl_session_parameters *params);

/* Forgets (and wipes) what is kept for host and port. */
void tls_session_drop(struct tls_session_cache *c, const char *host, uint16_t port);

#endif
