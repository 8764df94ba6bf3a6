/*
 * The server side every host runs for a provided interface: receive a
 * request on a channel, let the interface's generated dispatch decode it
 * and call the instance, reply, unless the method kept the call to answer
 * later (vc_defer). The same code serves in a process (process_host.c)
 * and, over kthread_syscall, in the kernel (kernel_host.c).
 *
 * A serve_loop is one receive end and who answers on it: a channel of the
 * manifest, or a session the instance opened (vc_session_open). A
 * serve_set serves many from one poll set, and takes sessions as they are
 * opened, from any thread.
 */
#ifndef VIPER_COMPONENT_SERVE_H
#define VIPER_COMPONENT_SERVE_H

#include <viper/component.h>

#include "session_clients.h"

struct serve_loop {
	viper_handle_t channel; /* receive end */
	const struct viper_provided *provided;
	void *state;		       /* the instance's */
	struct viper_entry_lock *lock; /* the instance's, NULL when it needs none */
	struct viper_rpc_context ctx;
	struct viper_call_state call; /* the call being served, for vc_defer */
	bool closed;		      /* the channel's clients are gone (serve_set) */
	/* A session's: the connection that opened it; 0 for a manifest channel. */
	uint32_t origin;
};

/* Sessions an instance may open, and where they are served. */
#define SESSION_CLIENTS_MAX 32u
struct viper_session_host {
	void *state;
	struct viper_entry_lock *lock;
	uint32_t max;	     /* open at once, for the instance */
	uint32_t per_client; /* open at once, through one connection */
	uint32_t open;
	uint32_t next_connection;
	struct serve_set *set;
	struct session_client clients[SESSION_CLIENTS_MAX];
};

/* First connection number of sessions: above every channel's and direct call's. */
#define SESSION_CONNECTION_BASE 0x10000u

struct serve_set {
	viper_handle_t poll;
	uint32_t capacity;
	uint32_t live;		     /* entries in the set (atomic) */
	struct serve_loop **entries; /* by poll key; NULL: free (atomic) */
};

/*
 * Handles one received request with reply token `token`: dispatch, then
 * close the request's handles unless the method took them. The reply, or
 * out->deferred, is in *out. `bytes` may be out->bytes: dispatch reads the
 * whole request before it writes the reply.
 */
void serve_request(struct serve_loop *loop, uint32_t token, const uint8_t *bytes, uint32_t len,
		   const viper_handle_t *handles, uint32_t handle_count, struct viper_rpc_out *out);

/*
 * Answers call `token` with `status` alone, for a request whose real reply
 * in `out` could not go (its handles could not move, say), and closes the
 * reply's handles: the caller gets an error, not a hang. The request id is
 * the reply's (dispatch always writes a reply header).
 */
void serve_reply_error(uint32_t token, int32_t status, struct viper_rpc_out *out);

/*
 * Serves `loop`'s channel with channel_reply_recv until it fails for good.
 * Returns VIPER_E_PEERCLOSED when every client end and every copy of the
 * receive end is gone, or the error that stopped it.
 */
int64_t serve_forever(struct serve_loop *loop);

/* An empty set over poll set `poll` (its handle moves in), room for `capacity` entries. */
int32_t serve_set_init(struct serve_set *set, viper_handle_t poll, uint32_t capacity);

/* Adds `loop` (kept by the caller until the set drops it); any thread. */
int32_t serve_set_add(struct serve_set *set, struct serve_loop *loop);

/*
 * Makes serve_set_run return VIPER_OK once `recv` (a channel receive end)
 * is notified: for a process whose sessions serve only its own threads.
 */
int32_t serve_set_stop_on(struct serve_set *set, viper_handle_t recv);

/*
 * Serves every entry of `set` until none is left (VIPER_OK) or a system
 * call fails (its error). A session whose clients are gone is dropped:
 * its receive end closed, provided->session_closed called, its loop freed.
 * A set that starts empty waits for entries.
 */
int64_t serve_set_run(struct serve_set *set, bool wait_when_empty);

#endif
