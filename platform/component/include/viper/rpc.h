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
	uint8_t bytes[VIPER_MSG_MAX_BYTES]
		__attribute__((aligned(8))); /* a short message in place */
	uint32_t len;
	viper_handle_t handles[VIPER_MSG_MAX_HANDLES];
	uint32_t handle_count;
	/* Set by dispatch: the received handles now belong to the component. */
	bool handles_taken;
	/* Set by dispatch: the method kept the call (vc_defer); send no reply now. */
	bool deferred;
};

/*
 * What a (viper.deferrable) method returns after vc_defer: the reply comes
 * later, through the generated <iface>_<method>_complete. Never a status a
 * caller sees.
 */
#define VIPER_DEFERRED 0x7fffffff

/* A token for a deferred call: answered exactly once (viper/component.h, vc_defer). */
typedef uint64_t viper_deferred_t;

/* A direct caller waiting for a deferred reply: on the generated stub's stack. */
struct viper_direct_wait {
	void *rep;		  /* the caller's reply message, filled by the completion */
	int32_t status;		  /* the completion's status */
	viper_handle_t wake_send; /* made by vc_defer; the completion notifies it */
	viper_handle_t wake_recv;
};

/*
 * The call being served, for vc_defer: the host fills `reply_token` (the
 * kernel's, 0 on a direct call), the generated dispatch or stub the rest
 * for a (viper.deferrable) method.
 */
struct viper_call_state {
	uint32_t reply_token;
	/* A remote call's leases, kept with the call when it is deferred. */
	struct viper_lease_view *leases;
	uint32_t lease_count;
	uint32_t request_id;
	uint32_t interface_id;
	uint16_t method;
	bool deferrable; /* the method is (viper.deferrable) */
	bool deferred;	 /* vc_defer kept it: `token` */
	viper_deferred_t token;
	struct viper_direct_wait *direct; /* a direct call's waiter; NULL for a remote call */
};

/*
 * A lease as the provider sees it during one call: bytes [offset, offset +
 * length) of a memory object the caller lent, checked against the object.
 * vc_lease_map maps them for the call (read-only for a "read" lease) when
 * the provider needs the bytes; a provider that only passes the lease on
 * lends `memory` (its handle, which dies when the call ends) in a call of
 * its own and never maps it.
 */
struct viper_lease_view {
	uint8_t *data; /* after vc_lease_map; NULL before, and for 0 bytes */
	uint64_t length;
	viper_handle_t memory;
	uint64_t offset;
	uint32_t prot; /* VIPER_PROT_READ, | VIPER_PROT_WRITE for a "write" lease */
	bool mapped;   /* the dispatch's */
};

/* Where the sessions an instance opens are served: the host's (vc_session_open). */
struct viper_session_host;

/*
 * What a server function learns about the call besides its arguments:
 * which connection it came through (to keep per-client state), that
 * connection's bulk buffer, when the interface declares one, the session
 * it belongs to, and the call itself (for vc_defer).
 */
struct viper_rpc_context {
	uint32_t connection; /* stable per client connection within the instance */
	void *bulk;	     /* shared with the client; NULL when none */
	uint32_t bulk_size;
	void *session;		       /* vc_session_open's state; NULL on a bound connection */
	struct viper_call_state *call; /* the call being served; NULL outside one */
	struct viper_session_host *sessions; /* the instance's; NULL where it cannot open any */
	/* The request's leases, in field order ((viper.lease) fields); only during the call. */
	struct viper_lease_view *leases;
	uint32_t lease_count;
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
 * `request` and `reply` may be one buffer, 8-byte aligned and of
 * VIPER_MSG_MAX_BYTES whatever `reply_capacity` says: then a short call
 * travels in it without a copy.
 */
int32_t viper_transport_call(viper_handle_t channel, const void *request, uint32_t request_len,
			     const viper_handle_t *handles, uint32_t handle_count, void *reply,
			     uint32_t reply_capacity, uint32_t *reply_len,
			     viper_handle_t *reply_handles, uint32_t reply_handle_capacity,
			     uint32_t *reply_handle_count);

/*
 * viper_transport_call for a call whose request (`request_len` bytes) and
 * reply (at most `reply_capacity`) both fit VIPER_SHORT_MSG_BYTES and carry
 * no handles: both travel in `buf`, 8-byte aligned and of
 * VIPER_MSG_MAX_BYTES (in registers, over a kernel channel). Returns as
 * viper_transport_call does, the reply's length in *reply_len.
 */
int32_t viper_transport_call_short(viper_handle_t channel, void *buf, uint32_t request_len,
				   uint32_t reply_capacity, uint32_t *reply_len);

/* Closes a handle the client received but will not keep (in a malformed reply). */
void viper_transport_drop(viper_handle_t handle);

/*
 * Sends the reply `out` for call `reply_token` (the kernel's, or the host
 * simulation's): VIPER_OK, or VIPER_E_PEERCLOSED when the caller gave up
 * or ended. On any error the reply's handles are closed and the caller, if
 * still waiting, gets an error. Each environment implements it.
 */
int32_t viper_transport_reply(uint32_t reply_token, uint32_t request_id, struct viper_rpc_out *out);

#endif
