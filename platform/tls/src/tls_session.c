/* The session cache: see struct tls_session_cache in viper/tls_client.h. */
#include "tls_session.h"

#include <string.h>

void tls_session_cache_init(struct tls_session_cache *c)
{
	memset(c, 0, sizeof(*c));
}

unsigned tls_session_cache_count(const struct tls_session_cache *c)
{
	unsigned n = 0;

	for (unsigned i = 0; i < TLS_SESSIONS_MAX; i++)
		n += c->entry[i].used != 0;
	return n;
}

static struct tls_session_entry *find(const struct tls_session_cache *c, const char *host,
				      uint16_t port)
{
	for (unsigned i = 0; i < TLS_SESSIONS_MAX; i++) {
		const struct tls_session_entry *e = &c->entry[i];
		if (e->used && e->port == port && strcmp(e->host, host) == 0)
			return (struct tls_session_entry *)(uintptr_t)e;
	}
	return NULL;
}

bool tls_session_cache_has(const struct tls_session_cache *c, const char *host, uint16_t port)
{
	return find(c, host, port) != NULL;
}

bool tls_session_take(struct tls_session_cache *c, const char *host, uint16_t port,
		      br_ssl_session_parameters *out)
{
	struct tls_session_entry *e = c ? find(c, host, port) : NULL;

	if (!e)
		return false;
	e->used = ++c->clock;
	*out = e->params;
	return true;
}

void tls_session_put(struct tls_session_cache *c, const char *host, uint16_t port,
		     const br_ssl_session_parameters *params)
{
	struct tls_session_entry *e;

	if (!c || strlen(host) > TLS_HOST_MAX || params->session_id_len == 0)
		return;
	e = find(c, host, port);
	if (!e) { /* a free entry (used 0) or else the least recently used */
		e = &c->entry[0];
		for (unsigned i = 1; i < TLS_SESSIONS_MAX; i++)
			if (c->entry[i].used < e->used)
				e = &c->entry[i];
	}
	strcpy(e->host, host);
	e->port = port;
	e->params = *params;
	e->used = ++c->clock;
}

void tls_session_drop(struct tls_session_cache *c, const char *host, uint16_t port)
{
	struct tls_session_entry *e = c ? find(c, host, port) : NULL;

	if (e)
		memset(e, 0, sizeof(*e)); /* the master secret too */
}
