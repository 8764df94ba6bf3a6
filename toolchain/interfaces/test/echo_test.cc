// The golden interface (echo.proto) through its generated glue: the same
// calls by direct call and over the host transport give the same answers.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

extern "C" {
#include <viper/host_transport.h>

#include "toolchain/interfaces/test/echo.viper.h"
}

namespace
{

int32_t DoEcho(void *, viper_rpc_context *ctx, const viper_echo_EchoRequest *req,
	       viper_echo_EchoReply *rep)
{
	if (ctx->bulk == nullptr || ctx->bulk_size != ECHO_BULK_BYTES)
		return VIPER_E_FAULT;
	rep->has_echoed = true;
	rep->echoed = *req;
	return 3; // a positive status passes through
}

int32_t DoSwap(void *, viper_rpc_context *, const viper_echo_Pair *req, viper_echo_Pair *rep)
{
	rep->first = req->second;
	rep->second = req->first;
	return VIPER_OK;
}

// Later: opens a session for the caller now, and answers later (vc_defer);
// the test's main thread completes it. The provider's state:
struct Provider {
	std::atomic<viper_deferred_t> token{0};
	viper_handle_t session_end = VIPER_HANDLE_INVALID;
	int session_state = 0; // what ctx->session points at in the session's calls
	std::atomic<int> closed{0};
	std::atomic<int> echoes_in_session{0};
};
Provider g_provider;

int32_t DoEchoOrSession(void *self, viper_rpc_context *ctx, const viper_echo_EchoRequest *req,
			viper_echo_EchoReply *rep)
{
	if (ctx->session == nullptr)
		return DoEcho(self, ctx, req, rep);
	// A session has no bulk buffer (data goes by lease).
	EXPECT_EQ(ctx->session, &g_provider.session_state);
	EXPECT_EQ(ctx->bulk, nullptr);
	g_provider.echoes_in_session++;
	rep->has_echoed = true;
	rep->echoed = *req;
	return 3;
}

void SessionClosed(void *, void *session)
{
	EXPECT_EQ(session, &g_provider.session_state);
	g_provider.closed++;
}

extern const echo_server kServer;
const viper_provided kEchoSession = {&echo_interface, &kServer, SessionClosed};

int32_t DoLater(void *, viper_rpc_context *ctx, const viper_echo_Empty *, viper_echo_Opened *)
{
	int32_t err = vc_session_open(ctx, &kEchoSession, &g_provider.session_state,
				      &g_provider.session_end);
	if (err < 0)
		return err;
	viper_deferred_t token;
	err = vc_defer(ctx, &token);
	if (err < 0)
		return err;
	g_provider.token = token;
	return VIPER_DEFERRED;
}

// Sum: the bytes of the read lease, and "sum" written into the write lease.
int32_t DoSum(void *, viper_rpc_context *ctx, const viper_echo_SumRequest *req,
	      viper_echo_SumReply *rep)
{
	if (ctx->lease_count != 2 || ctx->leases[0].length != req->data_length ||
	    ctx->leases[1].length != req->out_length)
		return VIPER_E_CORRUPT;
	uint8_t *in, *out, *again;
	if (vc_lease_map(&ctx->leases[0], &in) != VIPER_OK ||
	    vc_lease_map(&ctx->leases[1], &out) != VIPER_OK ||
	    vc_lease_map(&ctx->leases[0], &again) != VIPER_OK || again != in)
		return VIPER_E_CORRUPT;
	for (uint64_t i = 0; i < ctx->leases[0].length; i++)
		rep->sum += in[i];
	if (ctx->leases[1].length >= 3)
		memcpy(out, "sum", 3);
	return VIPER_OK;
}

const echo_server kServer = {DoEchoOrSession, DoSwap, DoLater, DoSum, nullptr};

class EchoTest : public ::testing::TestWithParam<bool>
{
      protected:
	void SetUp() override
	{
		viper_host_reset();
		g_provider.token = 0;
		g_provider.closed = 0;
		g_provider.echoes_in_session = 0;
		ASSERT_EQ(viper_host_sessions(&g_provider, 2, 1), VIPER_OK);
		if (GetParam())
			viper_host_bind_remote(
				&slot_, &echo_interface,
				viper_host_serve(&echo_interface, &kServer, &g_provider));
		else
			viper_host_bind_direct(&slot_, &echo_interface, &kServer, &g_provider);
	}
	void TearDown() override
	{
		viper_host_reset();
	}
	viper_slot slot_;
};

TEST_P(EchoTest, EchoRoundTrips)
{
	viper_echo_EchoRequest req = viper_echo_EchoRequest_init_zero;
	strcpy(req.text, "hello");
	req.numbers_count = 2;
	req.numbers[1] = 0xffffffffu;
	req.points_count = 1;
	req.points[0].x = -5;
	strcpy(req.points[0].label, "p");
	req.which_extra = viper_echo_EchoRequest_blob_tag;
	req.extra.blob.size = 2;
	req.has_note = true;
	strcpy(req.note, "n");
	req.stamp = 1ull << 60;
	viper_echo_EchoReply rep;
	ASSERT_EQ(echo_echo(&slot_, &req, &rep), 3);
	ASSERT_TRUE(rep.has_echoed);
	EXPECT_STREQ(rep.echoed.text, "hello");
	EXPECT_EQ(rep.echoed.numbers[1], 0xffffffffu);
	EXPECT_EQ(rep.echoed.points[0].x, -5);
	EXPECT_EQ(rep.echoed.which_extra, viper_echo_EchoRequest_blob_tag);
	EXPECT_EQ(rep.echoed.stamp, 1ull << 60);

	req.extra.blob.size = 9; // over its bound of 8
	EXPECT_EQ(echo_echo(&slot_, &req, &rep), VIPER_E_INVAL);
	req.extra.blob.size = 1;
	req.points_count = 3; // over max_count 2
	EXPECT_EQ(echo_echo(&slot_, &req, &rep), VIPER_E_INVAL);
	req.points_count = 1;
	memset(req.points[0].label, 'x', sizeof(req.points[0].label)); // unterminated, nested
	EXPECT_EQ(echo_echo(&slot_, &req, &rep), VIPER_E_INVAL);
}

TEST_P(EchoTest, HandlesSwap)
{
	viper_echo_Pair req = viper_echo_Pair_init_zero;
	viper_echo_Pair rep;
	req.first = 0x11;
	req.second = 0x22;
	ASSERT_EQ(echo_swap_handles(&slot_, &req, &rep), VIPER_OK);
	EXPECT_EQ(rep.first, 0x22u);
	EXPECT_EQ(rep.second, 0x11u);
	req.first = 0;
	ASSERT_EQ(echo_swap_handles(&slot_, &req, &rep), VIPER_OK);
	EXPECT_EQ(rep.first, 0x22u);
	EXPECT_EQ(rep.second, 0u);
}

TEST_P(EchoTest, KeywordMethodWithoutImplementation)
{
	viper_echo_Empty req = viper_echo_Empty_init_zero, rep;
	EXPECT_EQ(echo_default(&slot_, &req, &rep), VIPER_E_NOSYS);
	EXPECT_EQ(ECHO_METHOD_DEFAULT, 65535u);
}

// A deferred call: the caller waits while the provider holds the call;
// the answer comes from another thread, once; the reply's session then
// serves the caller with the provider's per-session state until closed.
TEST_P(EchoTest, DeferredReplyOpensASession)
{
	viper_echo_Opened opened;
	int32_t status = VIPER_E_CORRUPT;
	std::thread caller([&] {
		viper_echo_Empty empty = {};
		status = echo_later(&slot_, &empty, &opened);
	});
	for (int i = 0; i < 2000 && g_provider.token == 0; i++)
		std::this_thread::sleep_for(std::chrono::milliseconds(1));
	ASSERT_NE(g_provider.token.load(), 0u) << "the provider never kept the call";
	EXPECT_EQ(status, VIPER_E_CORRUPT) << "the caller must still be waiting";
	viper_echo_Opened rep = {};
	rep.session = g_provider.session_end;
	rep.serial = 7;
	viper_echo_Empty wrong = {};
	EXPECT_EQ(echo_later_complete(g_provider.token + (1ull << 32), VIPER_OK, &rep),
		  VIPER_E_BADHANDLE)
		<< "a token of another generation is forged";
	EXPECT_EQ(echo_later_complete(g_provider.token, VIPER_OK, &rep), VIPER_OK);
	caller.join();
	EXPECT_EQ(echo_later_complete(g_provider.token, VIPER_OK, &rep), VIPER_E_BADHANDLE)
		<< "a call is answered exactly once";
	(void)wrong;
	ASSERT_EQ(status, VIPER_OK);
	EXPECT_EQ(opened.serial, 7u);
	ASSERT_NE(opened.session, VIPER_HANDLE_INVALID);
	EXPECT_EQ(viper_host_sessions_open(&g_provider), 1u);

	viper_slot session;
	vc_slot_bind(&session, &echo_interface, opened.session);
	viper_echo_EchoRequest req = viper_echo_EchoRequest_init_zero;
	strcpy(req.text, "in session");
	viper_echo_EchoReply echoed;
	EXPECT_EQ(echo_echo(&session, &req, &echoed), 3);
	EXPECT_STREQ(echoed.echoed.text, "in session");
	EXPECT_EQ(g_provider.echoes_in_session.load(), 1);

	// One session per client: the next Later is refused at once, never kept.
	g_provider.token = 0;
	viper_echo_Empty empty = {};
	EXPECT_EQ(echo_later(&slot_, &empty, &opened), VIPER_E_LIMIT);
	EXPECT_EQ(g_provider.token.load(), 0u);

	EXPECT_EQ(g_provider.closed.load(), 0);
	EXPECT_EQ(vc_slot_close(&session), VIPER_OK);
	EXPECT_EQ(g_provider.closed.load(), 1) << "the provider learns the session ended";
	EXPECT_EQ(viper_host_sessions_open(&g_provider), 0u);
	EXPECT_EQ(echo_echo(&session, &req, &echoed), VIPER_E_BADHANDLE);
}

// A lease lends bytes of the caller's memory for the call only: the
// provider sees exactly them (across a page boundary here), writes into the
// write lease, and nothing stays behind; bad ranges and handles are refused
// before the call.
TEST_P(EchoTest, LeasesLendMemoryForTheCall)
{
	viper_handle_t mem;
	void *p;
	uint64_t size;
	ASSERT_EQ(vc_memory_create(8192, &mem), VIPER_OK);
	ASSERT_EQ(vc_memory_map(mem, &p, &size), VIPER_OK);
	uint8_t *bytes = static_cast<uint8_t *>(p);
	uint64_t want = 0;
	for (int i = 0; i < 200; i++) {
		bytes[4000 + i] = uint8_t(i * 7);
		want += uint8_t(i * 7);
	}
	unsigned objects = viper_host_memory_objects();
	viper_echo_SumRequest req = {};
	req.data = mem;
	req.data_offset = 4000;
	req.data_length = 200;
	req.out = mem;
	req.out_offset = 8000;
	req.out_length = 8;
	viper_echo_SumReply rep;
	ASSERT_EQ(echo_sum(&slot_, &req, &rep), VIPER_OK);
	EXPECT_EQ(rep.sum, want);
	EXPECT_EQ(memcmp(bytes + 8000, "sum", 3), 0)
		<< "the write lease reached the caller's memory";
	EXPECT_EQ(viper_host_memory_objects(), objects);
	uint64_t still;
	EXPECT_EQ(vc_memory_size(mem, &still), VIPER_OK) << "the caller keeps its handle";

	req.data_length = 4193; // one byte past the object
	EXPECT_EQ(echo_sum(&slot_, &req, &rep), VIPER_E_RANGE);
	req.data_length = 200;
	req.out_offset = UINT64_MAX - 2; // would wrap
	EXPECT_EQ(echo_sum(&slot_, &req, &rep), VIPER_E_RANGE);
	req.out_offset = 8000;
	req.data = 0x20abcdefu; // forged
	EXPECT_EQ(echo_sum(&slot_, &req, &rep), VIPER_E_BADHANDLE);
	req.data = VIPER_HANDLE_INVALID;
	EXPECT_EQ(echo_sum(&slot_, &req, &rep), VIPER_E_INVAL);
	EXPECT_EQ(viper_host_memory_objects(), objects) << "refused leases leave nothing behind";
	EXPECT_EQ(vc_memory_unmap(p, size), VIPER_OK);
	EXPECT_EQ(vc_handle_close(mem), VIPER_OK);
}

// The typed ring calls of a (viper.ring_entry) message.
TEST(EchoRing, TypedCallsCarryTheStruct)
{
	alignas(64) static uint8_t mem[1024];
	viper_ring prod, cons;
	ASSERT_EQ(echo_chunk_ring_format(&prod, mem, sizeof(mem), 8, true), VIPER_OK);
	ASSERT_EQ(echo_chunk_ring_attach(&cons, mem, sizeof(mem), 8, false), VIPER_OK);
	viper_echo_Chunk in = {}, out = {};
	in.offset = 4096;
	in.length = 512;
	in.cookie = 1ull << 40;
	ASSERT_EQ(echo_chunk_push(&prod, &in), VIPER_OK);
	ASSERT_EQ(echo_chunk_pop(&cons, &out), VIPER_OK);
	EXPECT_EQ(out.offset, 4096u);
	EXPECT_EQ(out.length, 512u);
	EXPECT_EQ(out.cookie, 1ull << 40);
}

// vc_defer outside a deferrable method, or twice, is refused.
TEST_P(EchoTest, DeferOnlyInADeferrableMethod)
{
	viper_rpc_context none = {};
	viper_deferred_t token = 0;
	EXPECT_EQ(vc_defer(&none, &token), VIPER_E_UNSUPPORTED);
	EXPECT_EQ(vc_defer(nullptr, &token), VIPER_E_UNSUPPORTED);
	viper_call_state call = {};
	call.deferrable = true;
	viper_rpc_context ctx = {};
	ctx.call = &call;
	EXPECT_EQ(vc_defer(&ctx, &token), VIPER_OK);
	EXPECT_EQ(vc_defer(&ctx, &token), VIPER_E_BUSY);
	viper_echo_Opened rep = {};
	EXPECT_EQ(echo_later_complete(token, VIPER_OK, &rep), VIPER_E_INVAL)
		<< "the token is another method's (method 0)";
}

INSTANTIATE_TEST_SUITE_P(Placements, EchoTest, ::testing::Values(false, true),
			 [](const ::testing::TestParamInfo<bool> &info) {
				 return info.param ? "Remote" : "Direct";
			 });

} // namespace
