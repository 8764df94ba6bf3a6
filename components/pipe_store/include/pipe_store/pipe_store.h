/*
 * pipe_store: provides interface pipes (and serves its sessions, interface
 * pipe): at most PIPE_STORE_PIPES pipes of PIPE_STORE_BYTES bytes each,
 * shared by every session opened on them. The example of run-time sessions
 * and deferred replies; see README.md.
 */
#ifndef PIPE_STORE_PIPE_STORE_H
#define PIPE_STORE_PIPE_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include <viper/component.h>

#define PIPE_STORE_PIPES   8u
#define PIPE_STORE_BYTES   256u
#define PIPE_STORE_CLOSERS 4u

struct pipe_end;

struct pipe {
	uint32_t serial;   /* 0: free */
	uint32_t sessions; /* open on it */
	uint32_t len;
	uint8_t data[PIPE_STORE_BYTES];
	/* A Read kept until data comes: its token, its max and its session. */
	struct pipe_end *reader;
	viper_deferred_t reader_token;
	uint32_t reader_max;
};

/* A session's state (ctx->session): the pipe it is on. */
struct pipe_end {
	struct pipe *pipe;
};

struct pipe_store {
	struct pipe pipes[PIPE_STORE_PIPES];
	uint32_t next_serial;
	uint32_t sessions, opened, closed;
	struct {
		bool used;
		uint32_t want;
		viper_deferred_t token;
	} closers[PIPE_STORE_CLOSERS];
	uint32_t late_answers; /* completions whose caller had gone */
};

#endif
