// The generated dispatch (kv's) against malformed requests, and the generated
// client stubs against malformed replies: every case must end in a
// well-formed error, never a crash. The fake transport below stands in for a
// channel whose far end misbehaves.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <random>
#include <vector>

extern "C" {
#include "kv.viper.h"
}

namespace
{

struct FakeStore {
	int calls = 0;
	viper_handle_t got_handle = 0;
};

int32_t FakePut(void *self, viper_rpc_context *, const viper_kv_PutRequest *req,
		viper_kv_PutReply *)
{
	static_cast<FakeStore *>(self)->calls++;
	return req->key[0] == '\0' ? VIPER_E_INVAL : VIPER_OK;
}

int32_t FakeCount(void *self, viper_rpc_context *, const viper_kv_CountRequest *,
		  viper_kv_CountReply *rep)
{
	static_cast<FakeStore *>(self)->calls++;
	rep->count = 7;
	return VIPER_OK;
}

int32_t FakeAttach(void *self, viper_rpc_context *, const viper_kv_AttachRequest *req,
		   viper_kv_AttachReply *rep)
{
	auto *s = static_cast<FakeStore *>(self);
	s->calls++;
	s->got_handle = req->memory;
	rep->size = req->size;
	return VIPER_OK;
}

int32_t FakeDetach(void *self, viper_rpc_context *, const viper_kv_DetachRequest *,
		   viper_kv_DetachReply *rep)
{
	static_cast<FakeStore *>(self)->calls++;
	rep->memory = 0x77;
	rep->size = 9;
	return VIPER_OK;
}

// Get and Delete are left NULL: they must answer VIPER_E_NOSYS.
const kv_server kFakeServer = {FakePut,	   nullptr,    nullptr, FakeCount,
			       FakeAttach, FakeDetach, nullptr};

std::vector<uint8_t> Header(uint16_t iface, uint16_t method, uint32_t id)
{
	return {uint8_t(iface), uint8_t(iface >> 8), uint8_t(method),	uint8_t(method >> 8),
		uint8_t(id),	uint8_t(id >> 8),    uint8_t(id >> 16), uint8_t(id >> 24)};
}

uint32_t U32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | uint32_t(p[3]) << 24;
}

class DispatchTest : public ::testing::Test
{
      protected:
	int32_t Send(const std::vector<uint8_t> &bytes, std::vector<viper_handle_t> handles = {},
		     uint32_t len_override = 0)
	{
		viper_rpc_in in = {bytes.data(),
				   len_override ? len_override : uint32_t(bytes.size()),
				   handles.data(), uint32_t(handles.size())};
		memset(&out_, 0xA5, sizeof(out_));
		viper_rpc_context ctx = {};
		ctx.connection = 1;
		int32_t status = kv_dispatch(&kFakeServer, &store_, &ctx, &in, &out_);
		// Always a well-formed reply that carries the returned status.
		EXPECT_GE(out_.len, VIPER_RPC_HEADER_BYTES);
		EXPECT_LE(out_.len, VIPER_MSG_MAX_BYTES);
		EXPECT_LE(out_.handle_count, VIPER_MSG_MAX_HANDLES);
		EXPECT_EQ(int32_t(U32(out_.bytes)), status);
		if (status < 0) {
			EXPECT_EQ(out_.len, VIPER_RPC_HEADER_BYTES);
			EXPECT_EQ(out_.handle_count, 0u);
		}
		return status;
	}
	std::vector<uint8_t> Req(uint16_t method, std::vector<uint8_t> body = {}, uint32_t id = 42)
	{
		auto b = Header(KV_INTERFACE_ID, method, id);
		b.insert(b.end(), body.begin(), body.end());
		return b;
	}

	FakeStore store_;
	viper_rpc_out out_;
};

TEST_F(DispatchTest, WellFormedCallsWork)
{
	EXPECT_EQ(Send(Req(KV_METHOD_COUNT)), VIPER_OK);
	EXPECT_EQ(U32(out_.bytes + 4), 42u) << "request id echoed";
	EXPECT_EQ(out_.len, 10u); // header + field 1 varint 7
	EXPECT_EQ(out_.bytes[8], 0x08);
	EXPECT_EQ(out_.bytes[9], 7);
	EXPECT_EQ(Send(Req(KV_METHOD_PUT, {0x0a, 0x01, 'k', 0x12, 0x01, 'v'})), VIPER_OK);
	EXPECT_EQ(store_.calls, 2);
}

TEST_F(DispatchTest, TruncatedHeader)
{
	auto full = Req(KV_METHOD_COUNT);
	for (size_t n = 0; n < VIPER_RPC_HEADER_BYTES; n++) {
		std::vector<uint8_t> cut(full.begin(), full.begin() + n);
		EXPECT_EQ(Send(cut), VIPER_E_INVAL) << n << " bytes";
	}
	EXPECT_EQ(store_.calls, 0);
}

TEST_F(DispatchTest, UnknownMethod)
{
	EXPECT_EQ(Send(Req(999)), VIPER_E_NOSYS);
	EXPECT_EQ(U32(out_.bytes + 4), 42u);
	EXPECT_EQ(Send(Req(0)), VIPER_E_NOSYS);
	EXPECT_EQ(Send(Req(KV_METHOD_GET, {0x0a, 0x01, 'k'})), VIPER_E_NOSYS) << "NULL entry";
}

TEST_F(DispatchTest, WrongInterface)
{
	auto b = Header(KV_INTERFACE_ID + 1, KV_METHOD_COUNT, 5);
	EXPECT_EQ(Send(b), VIPER_E_INVAL);
	EXPECT_EQ(U32(out_.bytes + 4), 5u);
	EXPECT_EQ(store_.calls, 0);
}

TEST_F(DispatchTest, Oversized)
{
	std::vector<uint8_t> big = Req(KV_METHOD_COUNT);
	big.resize(VIPER_MSG_MAX_BYTES + 1);
	EXPECT_EQ(Send(big), VIPER_E_TOOBIG);
	EXPECT_EQ(Send(Req(KV_METHOD_COUNT), {1, 2, 3, 4, 5}), VIPER_E_TOOBIG);
	EXPECT_EQ(store_.calls, 0);
}

TEST_F(DispatchTest, WrongHandleCount)
{
	// Put has no handle fields: any handle is one too many.
	EXPECT_EQ(Send(Req(KV_METHOD_PUT, {0x0a, 0x01, 'k'}), {9}), VIPER_E_INVAL);
	EXPECT_FALSE(out_.handles_taken);
	// Attach names position 1 but no handle came.
	EXPECT_EQ(Send(Req(KV_METHOD_ATTACH, {0x08, 0x01})), VIPER_E_INVAL);
	// A handle came but the field says none.
	EXPECT_EQ(Send(Req(KV_METHOD_ATTACH, {0x10, 0x05}), {9}), VIPER_E_INVAL);
	EXPECT_FALSE(out_.handles_taken);
	EXPECT_EQ(store_.calls, 0);
}

TEST_F(DispatchTest, BadHandleIndex)
{
	EXPECT_EQ(Send(Req(KV_METHOD_ATTACH, {0x08, 0x02}), {9}), VIPER_E_INVAL);
	EXPECT_EQ(Send(Req(KV_METHOD_ATTACH, {0x08, 0xff, 0xff, 0xff, 0xff, 0x0f}), {9}),
		  VIPER_E_INVAL);
	EXPECT_EQ(store_.calls, 0);
}

TEST_F(DispatchTest, HandlesMove)
{
	EXPECT_EQ(Send(Req(KV_METHOD_ATTACH, {0x08, 0x01, 0x10, 0x05}), {0x99}), VIPER_OK);
	EXPECT_TRUE(out_.handles_taken);
	EXPECT_EQ(store_.got_handle, 0x99u);
	EXPECT_EQ(Send(Req(KV_METHOD_DETACH)), VIPER_OK);
	ASSERT_EQ(out_.handle_count, 1u);
	EXPECT_EQ(out_.handles[0], 0x77u);
	EXPECT_EQ(out_.bytes[8], 0x08) << "field 1 carries the position";
	EXPECT_EQ(out_.bytes[9], 0x01);
}

TEST_F(DispatchTest, BadNanopbEncoding)
{
	EXPECT_EQ(Send(Req(KV_METHOD_PUT, {0xff, 0xff, 0xff})), VIPER_E_INVAL);
	EXPECT_EQ(Send(Req(KV_METHOD_PUT, {0x0a, 0x10, 'k'})), VIPER_E_INVAL) << "length past end";
	std::vector<uint8_t> long_key = {0x0a, 40};
	long_key.resize(42, 'x');
	EXPECT_EQ(Send(Req(KV_METHOD_PUT, long_key)), VIPER_E_INVAL) << "key over its bound";
	EXPECT_EQ(Send(Req(KV_METHOD_COUNT, {0x0b})), VIPER_E_INVAL) << "group wire type";
	EXPECT_EQ(store_.calls, 0);
}

TEST_F(DispatchTest, EmptyMessage)
{
	EXPECT_EQ(Send(Req(KV_METHOD_COUNT, {})), VIPER_OK) << "an empty body is a valid message";
	EXPECT_EQ(Send(Req(KV_METHOD_PUT, {})), VIPER_E_INVAL) << "the method refuses an empty key";
	EXPECT_EQ(Send({}), VIPER_E_INVAL);
}

TEST_F(DispatchTest, RandomRequestsNeverCrash)
{
	std::mt19937 rng(1234);
	for (int i = 0; i < 20000; i++) {
		std::vector<uint8_t> b = Req(uint16_t(1 + rng() % 7));
		size_t n = rng() % 40;
		for (size_t j = 0; j < n; j++)
			b.push_back(uint8_t(rng()));
		std::vector<viper_handle_t> h(rng() % 3, 0x10);
		Send(b, h);
	}
}

// ---- client stubs against a misbehaving channel ----

std::function<int32_t(const uint8_t *, uint32_t, uint8_t *, uint32_t *, viper_handle_t *,
		      uint32_t *)>
	g_peer;
std::vector<viper_handle_t> g_dropped; // what viper_transport_drop closed

class StubTest : public ::testing::Test
{
      protected:
	void SetUp() override
	{
		memset(&slot_, 0, sizeof(slot_));
		slot_.interface = &kv_interface;
		slot_.channel = 5;
		g_dropped.clear();
	}
	// Replies with header (status, echoed id or `id`) then `body` and `handles`.
	void Reply(int32_t status, std::vector<uint8_t> body,
		   std::vector<viper_handle_t> handles = {}, bool echo = true, uint32_t len = 0)
	{
		g_peer = [=](const uint8_t *req, uint32_t, uint8_t *rep, uint32_t *rep_len,
			     viper_handle_t *rh, uint32_t *rh_count) {
			uint32_t id = echo ? U32(req + 4) : U32(req + 4) + 1;
			for (int i = 0; i < 4; i++) {
				rep[i] = uint8_t(uint32_t(status) >> (8 * i));
				rep[4 + i] = uint8_t(id >> (8 * i));
			}
			memcpy(rep + 8, body.data(), body.size());
			*rep_len = len ? len : uint32_t(8 + body.size());
			for (size_t i = 0; i < handles.size(); i++)
				rh[i] = handles[i];
			*rh_count = uint32_t(handles.size());
			return VIPER_OK;
		};
	}
	viper_slot slot_;
};

TEST_F(StubTest, GoodReply)
{
	Reply(VIPER_OK, {0x08, 0x03});
	viper_kv_CountRequest req = viper_kv_CountRequest_init_zero;
	viper_kv_CountReply rep;
	EXPECT_EQ(kv_count(&slot_, &req, &rep), VIPER_OK);
	EXPECT_EQ(rep.count, 3u);
	Reply(VIPER_E_LIMIT, {});
	EXPECT_EQ(kv_count(&slot_, &req, &rep), VIPER_E_LIMIT);
}

TEST_F(StubTest, MalformedRepliesAreCorrupt)
{
	viper_kv_CountRequest req = viper_kv_CountRequest_init_zero;
	viper_kv_CountReply rep;
	Reply(VIPER_OK, {}, {}, true, 4);
	EXPECT_EQ(kv_count(&slot_, &req, &rep), VIPER_E_CORRUPT) << "short header";
	Reply(VIPER_OK, {}, {}, false);
	EXPECT_EQ(kv_count(&slot_, &req, &rep), VIPER_E_CORRUPT) << "wrong request id";
	Reply(VIPER_OK, {0xff, 0xff});
	EXPECT_EQ(kv_count(&slot_, &req, &rep), VIPER_E_CORRUPT) << "body does not decode";
	Reply(VIPER_E_INVAL, {0x08, 0x01});
	EXPECT_EQ(kv_count(&slot_, &req, &rep), VIPER_E_CORRUPT) << "error with a body";
	// kv_count's call is short: a reply with handles never reaches it (the kernel
	// refuses it, as the fake short transport does), so nothing is left to close.
	g_dropped.clear();
	Reply(VIPER_OK, {}, {7});
	EXPECT_EQ(kv_count(&slot_, &req, &rep), VIPER_E_RANGE) << "unexpected handle";
	EXPECT_TRUE(g_dropped.empty());
	// kv_attach's call carries a handle, so it takes the general path, which closes a
	// stray handle in the reply.
	viper_kv_AttachRequest attach = viper_kv_AttachRequest_init_zero;
	viper_kv_AttachReply attached;
	attach.memory = 9;
	Reply(VIPER_OK, {}, {7});
	EXPECT_EQ(kv_attach(&slot_, &attach, &attached), VIPER_E_CORRUPT) << "unexpected handle";
	EXPECT_EQ(g_dropped, std::vector<viper_handle_t>({7})) << "the stray handle is closed";
}

TEST_F(StubTest, ReplyHandles)
{
	viper_kv_DetachRequest req = viper_kv_DetachRequest_init_zero;
	viper_kv_DetachReply rep;
	Reply(VIPER_OK, {0x08, 0x01}, {0x55});
	EXPECT_EQ(kv_detach(&slot_, &req, &rep), VIPER_OK);
	EXPECT_EQ(rep.memory, 0x55u);
	EXPECT_TRUE(g_dropped.empty());
	Reply(VIPER_OK, {0x08, 0x02}, {0x55});
	EXPECT_EQ(kv_detach(&slot_, &req, &rep), VIPER_E_CORRUPT) << "bad handle index";
	Reply(VIPER_OK, {0x08, 0x01}, {});
	EXPECT_EQ(kv_detach(&slot_, &req, &rep), VIPER_E_CORRUPT) << "missing handle";
	Reply(VIPER_OK, {0x08, 0x01, 0xff}, {0x56});
	EXPECT_EQ(kv_detach(&slot_, &req, &rep), VIPER_E_CORRUPT) << "body does not decode";
	Reply(VIPER_E_BUSY, {}, {0x57});
	EXPECT_EQ(kv_detach(&slot_, &req, &rep), VIPER_E_CORRUPT) << "error with a handle";
	EXPECT_EQ(g_dropped, std::vector<viper_handle_t>({0x55, 0x56, 0x57}))
		<< "every handle of a refused reply is closed";
}

TEST_F(StubTest, TransportErrorsPassThrough)
{
	g_peer = [](const uint8_t *, uint32_t, uint8_t *, uint32_t *, viper_handle_t *,
		    uint32_t *) { return int32_t(VIPER_E_PEERCLOSED); };
	viper_kv_CountRequest req = viper_kv_CountRequest_init_zero;
	viper_kv_CountReply rep;
	EXPECT_EQ(kv_count(&slot_, &req, &rep), VIPER_E_PEERCLOSED);
}

TEST_F(StubTest, RequestHandlesUsePositions)
{
	std::vector<uint8_t> sent;
	std::vector<viper_handle_t> sent_handles;
	g_peer = [&](const uint8_t *req, uint32_t len, uint8_t *rep, uint32_t *rep_len,
		     viper_handle_t *, uint32_t *rh_count) {
		sent.assign(req, req + len);
		memcpy(rep, "\0\0\0\0", 4);
		memcpy(rep + 4, req + 4, 4);
		*rep_len = 8;
		*rh_count = 0;
		return VIPER_OK;
	};
	viper_kv_AttachRequest req = viper_kv_AttachRequest_init_zero;
	viper_kv_AttachReply rep;
	req.memory = 0x4321;
	EXPECT_EQ(kv_attach(&slot_, &req, &rep), VIPER_OK);
	ASSERT_GE(sent.size(), 10u);
	EXPECT_EQ(sent[8], 0x08);
	EXPECT_EQ(sent[9], 0x01) << "the body names position 1, not the handle";
}

} // namespace

// The stubs here only ever call remotely: a direct call's entry lock is unused.
extern "C" void viper_entry_lock(struct viper_entry_lock *)
{
	ADD_FAILURE() << "no direct calls in this test";
}

extern "C" void viper_entry_unlock(struct viper_entry_lock *)
{
	ADD_FAILURE() << "no direct calls in this test";
}

extern "C" void viper_transport_drop(viper_handle_t handle)
{
	g_dropped.push_back(handle);
}

extern "C" int32_t viper_transport_call(viper_handle_t, const void *request, uint32_t request_len,
					const viper_handle_t *, uint32_t, void *reply,
					uint32_t reply_capacity, uint32_t *reply_len,
					viper_handle_t *reply_handles, uint32_t,
					uint32_t *reply_handle_count)
{
	// The stub asks for the method's worst-case reply, never more than a message.
	EXPECT_GE(reply_capacity, VIPER_RPC_HEADER_BYTES);
	EXPECT_LE(reply_capacity, VIPER_MSG_MAX_BYTES);
	return g_peer(static_cast<const uint8_t *>(request), request_len,
		      static_cast<uint8_t *>(reply), reply_len, reply_handles, reply_handle_count);
}

// Short calls (no handles either way) reach the same peer. As over a kernel channel,
// a reply that carries handles or does not fit is refused with VIPER_E_RANGE, and its
// handles stay with the peer.
extern "C" int32_t viper_transport_call_short(viper_handle_t channel, void *buf,
					      uint32_t request_len, uint32_t reply_capacity,
					      uint32_t *reply_len)
{
	uint8_t reply[VIPER_MSG_MAX_BYTES];
	viper_handle_t handles[VIPER_MSG_MAX_HANDLES];
	uint32_t len = 0, handle_count = 0;
	(void)channel;
	EXPECT_LE(request_len, VIPER_SHORT_MSG_BYTES);
	EXPECT_LE(reply_capacity, VIPER_SHORT_MSG_BYTES);
	*reply_len = 0;
	int32_t err = g_peer(static_cast<const uint8_t *>(buf), request_len, reply, &len, handles,
			     &handle_count);
	if (err < 0)
		return err;
	if (handle_count > 0 || len > reply_capacity)
		return VIPER_E_RANGE;
	memcpy(buf, reply, len);
	*reply_len = len;
	return VIPER_OK;
}
