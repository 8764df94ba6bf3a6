/*
 * The wire format of generated interface calls, and the types generated
 * client stubs and server dispatch share (see docs/components.md).
 *
 * A request is an 8-byte header, then the nanopb encoding of the request
 * message; a reply is an 8-byte header, then the nanopb encoding of the
 * reply message (empty when status is negative). Both are little-endian and
 * at most VIPER_MSG_MAX_BYTES. A message field marked (viper.handle) travels
 * in the channel's handle array; in the body it is encoded as its 1-based
 * position there (0: no handle).
 */
#ifndef VIPER_RPC_H
#define VIPER_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <viper/abi.h>

#define VIPER_RPC_HEADER_BYTES 8u
#define VIPER_RPC_BODY_MAX     (VIPER_MSG_MAX_BYTES - VIPER_RPC_HEADER_BYTES)

/* Request header: which interface and method, and a request id echoed back. */
struct viper_rpc_request_header {
	uint16_t interface_id; /* low 16 bits of the interface id */
	uint16_t method;       /* the method's (viper.method_id) */
	uint32_t request_id;
};

/* Reply header: the method's status (VIPER_OK or a negative viper error). */
struct viper_rpc_reply_header {
	int32_t status;
	uint32_t request_id;
};

/* One call as the server host received it. */
struct viper_rpc_in {
	const uint8_t *bytes;
	uint32_t len;
	const viper_handle_t *handles;
	uint32_t handle_count;
};

/* The reply dispatch builds; always a well-formed reply, even for an error. */
struct viper_rpc_out {
	uint8_t bytes[VIPER_MSG_MAX_BYTES];
	uint32_t len;
	viper_handle_t handles[VIPER_MSG_MAX_HANDLES];
	uint32_t handle_count;
	/* Set by dispatch: the received handles now belong to the component. */
	bool handles_taken;
};

/*
 * What a server function learns about the call besides its arguments:
 * which connection it came through (to keep per-client state) and that
 * connection's bulk buffer, when the interface declares one.
 */
struct viper_rpc_context {
	uint32_t connection; /* stable per client connection within the instance */
	void *bulk;	     /* shared with the client; NULL when none */
	uint32_t bulk_size;
};

/*
 * Decodes one request for `ops` (the interface's server vtable) on behalf of
 * instance `self`, calls the method and encodes the reply into `out`. Never
 * trusts `in`: a truncated header, an unknown method, a body that does not
 * decode, an oversized message or the wrong number of handles yield a reply
 * with a negative status. Returns that status.
 */
typedef int32_t (*viper_dispatch_fn)(const void *ops, void *self, struct viper_rpc_context *ctx,
				     const struct viper_rpc_in *in, struct viper_rpc_out *out);

/* What the generator emits per interface (e.g. kv_interface for kv.proto). */
struct viper_interface {
	const char *name; /* the .proto file's stem: "kv" */
	uint32_t id;	  /* (viper.interface_id) */
	viper_dispatch_fn dispatch;
	uint32_t max_request; /* worst-case request size with header */
	uint32_t max_reply;   /* worst-case reply size with header */
	uint32_t bulk_bytes;  /* (viper.bulk_bytes), 0 for none */
};

/*
 * Serializes the calls into one provider instance when more than one thread
 * can make them (the host decides, see docs/components.md): a count of the
 * threads inside or waiting, and a channel on which waiters sleep.
 */
struct viper_entry_lock {
	uint32_t holders;
	viper_handle_t wake_send;
	viper_handle_t wake_recv;
};

void viper_entry_lock(struct viper_entry_lock *lock);
void viper_entry_unlock(struct viper_entry_lock *lock);

/*
 * A client's end of one slot, bound by the component host before the
 * component starts. Either `channel` (another process or the kernel) or
 * `peer_ops`/`peer` (the provider shares the address space: a direct call).
 */
struct viper_slot {
	const struct viper_interface *interface;
	viper_handle_t channel;
	const void *peer_ops;		    /* the provider's server vtable for this interface */
	void *peer;			    /* the provider instance's state */
	struct viper_entry_lock *peer_lock; /* taken around a direct call; NULL: none needed */
	struct viper_rpc_context peer_ctx;  /* what a direct call passes the provider */
	void *bulk;			    /* the connection's bulk buffer, NULL when none */
	uint32_t bulk_size;
	uint32_t next_request;
};

/*
 * Sends one request on `channel` and waits for the reply: the transport
 * each environment (process, kernel, host simulation) implements. Returns
 * VIPER_OK with the reply in `reply`/`*reply_len` and its handles, or a
 * negative error (VIPER_E_PEERCLOSED when the provider went away).
 */
int32_t viper_transport_call(viper_handle_t channel, const void *request, uint32_t request_len,
			     const viper_handle_t *handles, uint32_t handle_count, void *reply,
			     uint32_t reply_capacity, uint32_t *reply_len,
			     viper_handle_t *reply_handles, uint32_t reply_handle_capacity,
			     uint32_t *reply_handle_count);

/* Closes a handle the client received but will not keep (in a malformed reply). */
void viper_transport_drop(viper_handle_t handle);

#endif
