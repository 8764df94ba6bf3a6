/*
 * The encoding and decoding every generated interface shares (see
 * viper/rpc_codec.h for the contracts and viper/rpc.h for the wire format).
 * Portable: built for the host, for processes and for the kernel, so it uses
 * nothing but nanopb and the compiler's own headers.
 */
#include <viper/rpc_codec.h>
#include <viper/rpc_wire.h>

#include <pb_decode.h>
#include <pb_encode.h>

static void write_reply_header(uint8_t *p, int32_t status, uint32_t request_id)
{
	viper_rpc_put_header(p, (uint32_t)status | (uint64_t)request_id << 32);
}

int32_t viper_rpc_reply_error(struct viper_rpc_out *out, uint32_t request_id, int32_t status)
{
	write_reply_header(out->bytes, status, request_id);
	out->len = VIPER_RPC_HEADER_BYTES;
	out->handle_count = 0;
	return status;
}

uint32_t viper_rpc_give_handles(uint32_t *const *handle_fields, uint32_t field_count,
				viper_handle_t *handles)
{
	uint32_t count = 0;
	for (uint32_t i = 0; i < field_count && i < VIPER_MSG_MAX_HANDLES; i++) {
		if (*handle_fields[i] == VIPER_HANDLE_INVALID)
			continue;
		handles[count] = *handle_fields[i];
		count++;
		*handle_fields[i] = count;
	}
	return count;
}

int32_t viper_rpc_take_handles(uint32_t *const *handle_fields, uint32_t field_count,
			       const viper_handle_t *handles, uint32_t count)
{
	uint32_t used = 0; /* bit i: position i + 1 is taken */
	uint32_t set = 0;
	for (uint32_t i = 0; i < field_count; i++) {
		uint32_t pos = *handle_fields[i];
		if (pos == 0)
			continue;
		if (pos > count || pos > VIPER_MSG_MAX_HANDLES || (used & (1u << (pos - 1))) != 0)
			return VIPER_E_INVAL;
		used |= 1u << (pos - 1);
		set++;
	}
	if (set != count)
		return VIPER_E_INVAL;
	for (uint32_t i = 0; i < field_count; i++) {
		if (*handle_fields[i] != 0)
			*handle_fields[i] = handles[*handle_fields[i] - 1];
	}
	return VIPER_OK;
}

int32_t viper_rpc_empty_encode(const void *msg, uint8_t *out, uint32_t cap)
{
	(void)msg;
	(void)out;
	(void)cap;
	return 0;
}

bool viper_rpc_empty_decode(const uint8_t *in, uint32_t len, void *msg)
{
	const uint8_t *p = in;
	const uint8_t *end = in + len;
	uint32_t tag;

	(void)msg;
	while (p < end) {
		p = viper_wire_tag(p, end, &tag);
		if (p != NULL)
			p = viper_wire_skip(p, end, tag);
		if (p == NULL)
			return false;
	}
	return true;
}

int32_t viper_rpc_nanopb_encode(const pb_msgdesc_t *fields, const void *msg, uint8_t *out,
				uint32_t cap)
{
	pb_ostream_t stream = pb_ostream_from_buffer(out, cap);

	return pb_encode(&stream, fields, msg) ? (int32_t)stream.bytes_written : -1;
}

bool viper_rpc_nanopb_decode(const pb_msgdesc_t *fields, const uint8_t *in, uint32_t len, void *msg)
{
	pb_istream_t stream = pb_istream_from_buffer(in, len);

	/* Sets the defaults first: proto2 messages may declare their own. */
	return pb_decode(&stream, fields, msg);
}

int32_t viper_rpc_decode_request(const struct viper_rpc_in *in, const struct viper_codec *codec,
				 void *msg, uint32_t *const *handle_fields, uint32_t field_count)
{
	if (!codec->decode(in->bytes + VIPER_RPC_HEADER_BYTES, in->len - VIPER_RPC_HEADER_BYTES,
			   msg))
		return VIPER_E_INVAL;
	return viper_rpc_take_handles(handle_fields, field_count, in->handles, in->handle_count);
}

static void drop_handles(const viper_handle_t *handles, uint32_t count)
{
	for (uint32_t i = 0; i < count && i < VIPER_MSG_MAX_HANDLES; i++)
		viper_transport_drop(handles[i]);
}

/* Closes the handles of a reply the client will not accept. */
static int32_t refuse_reply(const viper_handle_t *handles, uint32_t count)
{
	drop_handles(handles, count);
	return VIPER_E_CORRUPT;
}

int32_t viper_rpc_reply(struct viper_rpc_out *out, uint32_t request_id, int32_t status,
			const struct viper_codec *codec, void *msg, uint32_t *const *handle_fields,
			uint32_t field_count)
{
	uint32_t handle_count = viper_rpc_give_handles(handle_fields, field_count, out->handles);
	int32_t len = -1;

	if (status >= 0)
		len = codec->encode(msg, out->bytes + VIPER_RPC_HEADER_BYTES, VIPER_RPC_BODY_MAX);
	if (len < 0) {
		/* No reply carries them: handles the method put in its reply are closed. */
		drop_handles(out->handles, handle_count);
		return viper_rpc_reply_error(out, request_id,
					     status < 0 ? status : VIPER_E_CORRUPT);
	}
	write_reply_header(out->bytes, status, request_id);
	out->len = VIPER_RPC_HEADER_BYTES + (uint32_t)len;
	out->handle_count = handle_count;
	return status;
}

int32_t viper_rpc_call(struct viper_slot *slot, const struct viper_interface *iface,
		       uint16_t method, uint32_t reply_max, const struct viper_codec *req_codec,
		       const void *req, const viper_handle_t *handles, uint32_t handle_count,
		       const struct viper_codec *rep_codec, void *rep,
		       uint32_t *const *rep_handle_fields, uint32_t rep_field_count)
{
	_Alignas(8) uint8_t buf[VIPER_MSG_MAX_BYTES];
	viper_handle_t rep_handles[VIPER_MSG_MAX_HANDLES];
	uint32_t rep_len = 0;
	uint32_t rep_handle_count = 0;
	uint32_t request_id = viper_rpc_put_request(slot, buf, (uint16_t)iface->id, method);
	int32_t len = req_codec->encode(req, buf + VIPER_RPC_HEADER_BYTES, VIPER_RPC_BODY_MAX);

	if (len < 0)
		return VIPER_E_INVAL;
	int32_t err = viper_transport_call(
		slot->channel, buf, VIPER_RPC_HEADER_BYTES + (uint32_t)len, handles, handle_count,
		buf, viper_rpc_reply_capacity(reply_max), &rep_len, rep_handles, rep_field_count,
		&rep_handle_count);
	if (err < 0)
		return err;
	int32_t status =
		viper_rpc_reply_status(buf, rep_len, request_id, rep_handle_count, rep_field_count);
	if (status == VIPER_E_CORRUPT)
		return refuse_reply(rep_handles, rep_handle_count);
	if (status < 0)
		return status;
	if (!rep_codec->decode(buf + VIPER_RPC_HEADER_BYTES, rep_len - VIPER_RPC_HEADER_BYTES, rep))
		return refuse_reply(rep_handles, rep_handle_count);
	if (viper_rpc_take_handles(rep_handle_fields, rep_field_count, rep_handles,
				   rep_handle_count) < 0)
		return refuse_reply(rep_handles, rep_handle_count);
	return status;
}

bool viper_rpc_string_terminated(const char *s, size_t cap)
{
	for (size_t i = 0; i + 1 < cap; i++) {
		if (s[i] == '\0')
			return true;
	}
	return false;
}
