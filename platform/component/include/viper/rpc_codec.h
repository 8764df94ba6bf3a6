/*
 * Encoding and decoding shared by every generated interface (the code
 * toolchain/interfaces/generate.py writes calls these, so each interface's
 * glue stays small). Wire format: viper/rpc.h. Not for component code.
 *
 * Handle fields travel as a list of pointers to the uint32_t members of a
 * nanopb message that carry handles (`fields`, `field_count` of them). On
 * the wire such a member holds the handle's 1-based position in the
 * message's handle array, or 0 for none.
 */
#ifndef VIPER_RPC_CODEC_H
#define VIPER_RPC_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pb.h>

#include <viper/rpc.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A message's encoder and decoder. The generator writes straight-line ones
 * for messages made only of singular scalars, bounded strings and bounded
 * bytes (the common case), and ones over nanopb for the rest (nested,
 * repeated, oneof and optional fields); both produce and accept the same
 * Protocol Buffers encoding.
 */
struct viper_codec {
	/*
	 * Encodes `msg` into `out` (room for `cap` bytes, at least the
	 * message's worst case). Returns the length, or -1 when a field is over
	 * its bound (a string without its NUL, a bytes size over its array).
	 */
	int32_t (*encode)(const void *msg, uint8_t *out, uint32_t cap);
	/*
	 * Decodes `len` bytes into `msg`, which holds the message's defaults
	 * (zeroes in proto3). Unknown fields are skipped; false when the bytes are
	 * malformed: truncated, a field over its bound or of the wrong wire
	 * type, a value out of its type's range.
	 */
	bool (*decode)(const uint8_t *in, uint32_t len, void *msg);
};

/*
 * The halves of a viper_codec for a proto3 message without fields: it
 * encodes to nothing, and any well-formed body decodes to it (unknown
 * fields skipped, as for every message).
 */
int32_t viper_rpc_empty_encode(const void *msg, uint8_t *out, uint32_t cap);
bool viper_rpc_empty_decode(const uint8_t *in, uint32_t len, void *msg);

/* The nanopb halves of a viper_codec, for messages the generator leaves to nanopb. */
int32_t viper_rpc_nanopb_encode(const pb_msgdesc_t *fields, const void *msg, uint8_t *out,
				uint32_t cap);
bool viper_rpc_nanopb_decode(const pb_msgdesc_t *fields, const uint8_t *in, uint32_t len,
			     void *msg);

/* Writes an error reply (header only) with negative `status`; returns it. */
int32_t viper_rpc_reply_error(struct viper_rpc_out *out, uint32_t request_id, int32_t status);

/*
 * Request and reply headers (viper/rpc.h) are 8 little-endian bytes: read
 * and written as one word, which is one load or store where the target
 * allows unaligned access.
 */
static inline uint64_t viper_rpc_get_header(const uint8_t *p)
{
	uint64_t v;

	__builtin_memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static inline void viper_rpc_put_header(uint8_t *p, uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	__builtin_memcpy(p, &v, sizeof(v));
}

/*
 * Starts serving request `in` for the interface with id `interface_id`:
 * resets `out`, checks the size, the handle count, the header and the
 * interface id, and fills `hdr`. On a problem it writes the error reply to
 * `out` and returns its (negative) status; else returns VIPER_OK. Inline:
 * every dispatch of every call runs it.
 */
static inline int32_t viper_rpc_begin(const struct viper_rpc_in *in, uint32_t interface_id,
				      struct viper_rpc_request_header *hdr,
				      struct viper_rpc_out *out)
{
	out->len = 0;
	out->handle_count = 0;
	out->handles_taken = false;
	hdr->interface_id = 0;
	hdr->method = 0;
	hdr->request_id = 0;
	if (in->len < VIPER_RPC_HEADER_BYTES || in->bytes == NULL)
		return viper_rpc_reply_error(out, 0, VIPER_E_INVAL);
	uint64_t h = viper_rpc_get_header(in->bytes);
	hdr->interface_id = (uint16_t)h;
	hdr->method = (uint16_t)(h >> 16);
	hdr->request_id = (uint32_t)(h >> 32);
	if (in->len > VIPER_MSG_MAX_BYTES || in->handle_count > VIPER_MSG_MAX_HANDLES)
		return viper_rpc_reply_error(out, hdr->request_id, VIPER_E_TOOBIG);
	if (in->handle_count > 0 && in->handles == NULL)
		return viper_rpc_reply_error(out, hdr->request_id, VIPER_E_INVAL);
	if (hdr->interface_id != (uint16_t)interface_id)
		return viper_rpc_reply_error(out, hdr->request_id, VIPER_E_INVAL);
	return VIPER_OK;
}

/*
 * Decodes the body of request `in` into `msg` (holding its defaults) with
 * `codec` and replaces
 * each handle field's position by the handle from `in`. VIPER_E_INVAL when
 * the body does not decode, a position is out of range or repeated, or the
 * number of handles differs from the number of handle fields set.
 */
int32_t viper_rpc_decode_request(const struct viper_rpc_in *in, const struct viper_codec *codec,
				 void *msg, uint32_t *const *handle_fields, uint32_t field_count);

/*
 * Writes the reply to request `request_id` into `out`: the header and, when
 * `status` >= 0, `msg` encoded with `codec`, its handle fields moved to
 * out->handles. Returns the status sent: `status`, or VIPER_E_CORRUPT when
 * the method filled a reply that does not encode. Handles the method put in
 * a reply that is not sent (an error status, or one that does not encode)
 * are closed with viper_transport_drop.
 */
int32_t viper_rpc_reply(struct viper_rpc_out *out, uint32_t request_id, int32_t status,
			const struct viper_codec *codec, void *msg, uint32_t *const *handle_fields,
			uint32_t field_count);

/*
 * Finishes a reply whose body of `len` bytes (len < 0: it did not encode)
 * was written after the header in out->bytes, without handles: the header,
 * or the error reply viper_rpc_reply sends. Returns the status sent.
 */
static inline int32_t viper_rpc_reply_body(struct viper_rpc_out *out, uint32_t request_id,
					   int32_t status, int32_t len)
{
	if (len < 0)
		return viper_rpc_reply_error(out, request_id,
					     status < 0 ? status : VIPER_E_CORRUPT);
	viper_rpc_put_header(out->bytes, (uint32_t)status | (uint64_t)request_id << 32);
	out->len = VIPER_RPC_HEADER_BYTES + (uint32_t)len;
	out->handle_count = 0;
	return status;
}

/*
 * viper_rpc_decode_request and viper_rpc_reply for messages without handle
 * fields, inline so that the generated dispatch, whose codecs are constants
 * of its own file, calls their functions directly.
 */
static inline int32_t viper_rpc_decode_plain(const struct viper_rpc_in *in,
					     const struct viper_codec *codec, void *msg)
{
	if (!codec->decode(in->bytes + VIPER_RPC_HEADER_BYTES, in->len - VIPER_RPC_HEADER_BYTES,
			   msg) ||
	    in->handle_count != 0)
		return VIPER_E_INVAL;
	return VIPER_OK;
}

static inline int32_t viper_rpc_reply_plain(struct viper_rpc_out *out, uint32_t request_id,
					    int32_t status, const struct viper_codec *codec,
					    void *msg)
{
	int32_t len = -1;

	if (status >= 0)
		len = codec->encode(msg, out->bytes + VIPER_RPC_HEADER_BYTES, VIPER_RPC_BODY_MAX);
	return viper_rpc_reply_body(out, request_id, status, len);
}

/*
 * Moves the handles in the handle fields (non-zero ones, in order) to
 * `handles` (room for VIPER_MSG_MAX_HANDLES) and puts each one's 1-based
 * position in its field instead. Returns how many there were.
 */
uint32_t viper_rpc_give_handles(uint32_t *const *handle_fields, uint32_t field_count,
				viper_handle_t *handles);

/*
 * The reverse: replaces each non-zero position in the handle fields by the
 * handle at that position of `handles`. VIPER_E_INVAL when a position is
 * out of range or used twice, or `count` is not the number of positions.
 */
int32_t viper_rpc_take_handles(uint32_t *const *handle_fields, uint32_t field_count,
			       const viper_handle_t *handles, uint32_t count);

/*
 * One remote call of `iface`'s `method` through `slot`'s channel, whose
 * reply is at most `reply_max` bytes with the header (the generator's
 * worst case; small enough, the call travels in registers): encodes the
 * header and `req` with `req_codec` (its handle fields already given to
 * `handles`), waits for the reply, checks it and decodes it into `rep`
 * (holding its defaults) with `rep_codec`, taking its handles into `rep_handle_fields`.
 * Returns the method's status, VIPER_E_INVAL when `req` does not encode (a
 * field over its bound), the transport's error, or VIPER_E_CORRUPT for a
 * malformed reply, whose handles are then closed.
 */
int32_t viper_rpc_call(struct viper_slot *slot, const struct viper_interface *iface,
		       uint16_t method, uint32_t reply_max, const struct viper_codec *req_codec,
		       const void *req, const viper_handle_t *handles, uint32_t handle_count,
		       const struct viper_codec *rep_codec, void *rep,
		       uint32_t *const *rep_handle_fields, uint32_t rep_field_count);

/* A method whose request and reply carry no handles, as viper_rpc_call_plain calls it. */
struct viper_rpc_method {
	uint32_t interface_id; /* the wire carries its low 16 bits, as viper_rpc_call sends it */
	uint16_t method;
	uint32_t reply_max; /* the reply's worst case, header included */
	const struct viper_codec *request;
	const struct viper_codec *reply;
};

/*
 * The status of reply `buf` (rep_len bytes, handle_count handles) to request
 * `request_id`, or VIPER_E_CORRUPT when it is malformed: too short or long,
 * another request's, more handles than fields, or an error with a body or
 * handles.
 */
static inline int32_t viper_rpc_reply_status(const uint8_t *buf, uint32_t rep_len,
					     uint32_t request_id, uint32_t handle_count,
					     uint32_t field_count)
{
	if (handle_count > field_count || rep_len < VIPER_RPC_HEADER_BYTES ||
	    rep_len > VIPER_MSG_MAX_BYTES || viper_rpc_get_header(buf) >> 32 != request_id)
		return VIPER_E_CORRUPT;
	int32_t status = (int32_t)(uint32_t)viper_rpc_get_header(buf);
	if (status < 0 && (rep_len != VIPER_RPC_HEADER_BYTES || handle_count != 0))
		return VIPER_E_CORRUPT;
	return status;
}

/* The header of the next request on `slot` into `buf`; returns its request id. */
static inline uint32_t viper_rpc_put_request(struct viper_slot *slot, uint8_t *buf,
					     uint16_t interface_id, uint16_t method)
{
	uint32_t request_id = ++slot->next_request;

	viper_rpc_put_header(buf,
			     interface_id | (uint32_t)method << 16 | (uint64_t)request_id << 32);
	return request_id;
}

/* The reply room a call asks for: the method's worst case, at most a message. */
static inline uint32_t viper_rpc_reply_capacity(uint32_t reply_max)
{
	return reply_max < VIPER_MSG_MAX_BYTES ? reply_max : VIPER_MSG_MAX_BYTES;
}

/*
 * The middle of viper_rpc_call_plain: the header into `buf` (the body of
 * `body_len` bytes follows it already), the call, and the reply's checks.
 * Returns the method's status (>= 0: a body of *rep_len - 8 bytes to
 * decode follows the header), the transport's error, or VIPER_E_CORRUPT.
 * `buf` is 8-byte aligned and has VIPER_MSG_MAX_BYTES.
 */
static inline int32_t viper_rpc_exchange(struct viper_slot *slot, const struct viper_rpc_method *m,
					 uint8_t *buf, uint32_t body_len, uint32_t *rep_len)
{
	uint32_t request_id =
		viper_rpc_put_request(slot, buf, (uint16_t)m->interface_id, m->method);
	uint32_t len = VIPER_RPC_HEADER_BYTES + body_len;
	uint32_t capacity = viper_rpc_reply_capacity(m->reply_max);
	uint32_t rep_handle_count = 0;
	int32_t err;

	if (len <= VIPER_SHORT_MSG_BYTES && capacity <= VIPER_SHORT_MSG_BYTES)
		err = viper_transport_call_short(slot->channel, buf, len, capacity, rep_len);
	else
		err = viper_transport_call(slot->channel, buf, len, NULL, 0, buf, capacity, rep_len,
					   NULL, 0, &rep_handle_count);
	if (err < 0)
		return err;
	return viper_rpc_reply_status(buf, *rep_len, request_id, rep_handle_count, 0);
}

/*
 * viper_rpc_call for a method without handles, inline so that the
 * generated stub, whose codecs are constants of its own file, calls their
 * functions directly.
 */
static inline int32_t viper_rpc_call_plain(struct viper_slot *slot,
					   const struct viper_rpc_method *m, const void *req,
					   void *rep)
{
	uint64_t buf[VIPER_MSG_MAX_BYTES / 8];
	uint8_t *bytes = (uint8_t *)buf;
	uint32_t rep_len = 0;
	int32_t len = m->request->encode(req, bytes + VIPER_RPC_HEADER_BYTES, VIPER_RPC_BODY_MAX);

	if (len < 0)
		return VIPER_E_INVAL;
	int32_t status = viper_rpc_exchange(slot, m, bytes, (uint32_t)len, &rep_len);
	if (status < 0 ||
	    m->reply->decode(bytes + VIPER_RPC_HEADER_BYTES, rep_len - VIPER_RPC_HEADER_BYTES, rep))
		return status;
	return VIPER_E_CORRUPT;
}

/*
 * Deferred calls (src/deferred.c), for the generated code of
 * (viper.deferrable) methods.
 */

/* What vc_defer kept of a call, handed back once by viper_deferred_take. */
struct viper_deferred_call {
	uint32_t reply_token;
	uint32_t request_id;
	struct viper_direct_wait *direct; /* a direct call's waiter; NULL for a remote call */
	struct viper_lease_view leases[VIPER_MSG_MAX_HANDLES]; /* a remote call's, to close */
	uint32_t lease_count;
};

/*
 * Leases (src/lease.c), for the generated code of (viper.lease) fields.
 *
 * The client's remote stub lends: checks [offset, offset + length) against
 * the object and replaces *field by a derived handle with only the lease's
 * rights (prot: read, or read and write; map and transfer), which moves
 * with the request; the client keeps its own.
 */
int32_t viper_lease_lend(uint32_t *field, uint64_t offset, uint64_t length, uint32_t prot);

/*
 * The provider's side of the dispatch, or the direct stub: maps the lease
 * for the call into *view (nothing for 0 bytes). VIPER_E_INVAL without a
 * handle, VIPER_E_RANGE out of the object, vc_memory_map_range's errors.
 */
int32_t viper_lease_open(uint32_t handle, uint64_t offset, uint64_t length, uint32_t prot,
			 struct viper_lease_view *view);

/* Ends the views of a call: unmaps each, and closes its handle when `close_handles`. */
void viper_lease_close(struct viper_lease_view *views, uint32_t count, bool close_handles);

/*
 * Takes deferred call `token` for an answer, exactly once: VIPER_OK and
 * *call, or VIPER_E_BADHANDLE when the token is not held (never given, or
 * answered already) or VIPER_E_INVAL when it is another method's. The
 * token is free again afterwards.
 */
int32_t viper_deferred_take(viper_deferred_t token, const struct viper_interface *iface,
			    uint16_t method, struct viper_deferred_call *call);

/* The generated dispatch's note, before a deferrable method: vc_defer may keep this call. */
static inline void viper_rpc_deferrable(struct viper_call_state *call, uint32_t interface_id,
					uint16_t method, uint32_t request_id)
{
	call->interface_id = interface_id;
	call->method = method;
	call->request_id = request_id;
	call->deferrable = true;
}

/* The direct path's viper_rpc_keep: true when the caller must wait for the answer. */
bool viper_rpc_keep_direct(int32_t status, struct viper_call_state *call);

/*
 * After a deferrable method returned: true when it kept the call with
 * `status` VIPER_DEFERRED (out->deferred set: nothing to send now). A
 * method that called vc_defer but returned another status answers now,
 * and its token is void (false).
 */
bool viper_rpc_keep(struct viper_rpc_out *out, int32_t status, struct viper_call_state *call);

/* A direct call's answer: wakes the caller waiting in viper_direct_wait_reply. */
int32_t viper_direct_finish(struct viper_direct_wait *wait, int32_t status);

/* The direct caller's side: waits for the deferred answer; returns its status. */
int32_t viper_direct_wait_reply(struct viper_direct_wait *wait);

/* Sends a remote deferred call's reply: viper_transport_reply, with the cleanup. */
int32_t viper_deferred_send(const struct viper_deferred_call *call, struct viper_rpc_out *out);

/* Whether the first `cap` - 1 bytes of `s` hold its terminating NUL. */
bool viper_rpc_string_terminated(const char *s, size_t cap);

/* A cheap test for the common case (a NUL in the last byte) first. */
static inline bool viper_rpc_string_ok(const char *s, size_t cap)
{
	return s[cap - 1] == '\0' || viper_rpc_string_terminated(s, cap);
}

#ifdef __cplusplus
}
#endif

#endif
