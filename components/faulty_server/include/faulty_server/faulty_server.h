/*
 * faulty_server: provides interface faulty (interfaces/faulty.proto), a
 * server that answers, echoes, faults or exits on request, for the tests
 * of supervision. Process placement only: a fault in the kernel would be a
 * kernel panic, and Exit ends the process with the C library's exit().
 */
#ifndef FAULTY_SERVER_FAULTY_SERVER_H
#define FAULTY_SERVER_FAULTY_SERVER_H

#include <stdint.h>

#include "faulty.viper.h"

/* How many connections an instance counts calls for. */
#define FAULTY_SERVER_CONNECTIONS 8

/* The longest Fault delay the server accepts. */
#define FAULTY_SERVER_MAX_DELAY_MS 5000u

/* One instance's state; the component host zeroes it before init. */
struct faulty_server_state {
	const char *name;    /* the instance's name, for the log */
	uint64_t started_ns; /* when init ran: tells instances apart */
	struct faulty_server_connection {
		uint32_t connection; /* ctx->connection, 0 when the entry is free */
		uint32_t pings;
	} connections[FAULTY_SERVER_CONNECTIONS];
};

/* The server's implementation of interface faulty (struct faulty_server is generated). */
extern const struct faulty_server faulty_server_methods;

#endif
