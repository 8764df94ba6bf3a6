/*
 * The per-client counts behind a session limit (vc_session_open's
 * per_client), the same on the target (session.c) and the host
 * (host_transport.c): a small table of connections and their open sessions.
 */
#ifndef VIPER_COMPONENT_SESSION_CLIENTS_H
#define VIPER_COMPONENT_SESSION_CLIENTS_H

#include <stddef.h>
#include <stdint.h>

struct session_client {
	uint32_t connection;
	uint32_t count; /* 0: a free entry */
};

/*
 * The count of `connection` in clients[0, n): its entry, or a free one
 * claimed for it; NULL when every entry counts another connection.
 */
static inline uint32_t *session_client_count(struct session_client *clients, size_t n,
					     uint32_t connection)
{
	struct session_client *free_entry = NULL;

	for (size_t i = 0; i < n; i++) {
		if (clients[i].count && clients[i].connection == connection)
			return &clients[i].count;
		if (!clients[i].count && !free_entry)
			free_entry = &clients[i];
	}
	if (!free_entry)
		return NULL;
	free_entry->connection = connection;
	return &free_entry->count;
}

#endif
