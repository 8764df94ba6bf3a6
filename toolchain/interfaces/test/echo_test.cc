// The golden interface (echo.proto) through its generated glue: the same
// calls by direct call and over the host transport give the same answers.
#include <gtest/gtest.h>

#include <cstring>

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

const echo_server kServer = {DoEcho, DoSwap, nullptr};

class EchoTest : public ::testing::TestWithParam<bool>
{
      protected:
	void SetUp() override
	{
		viper_host_reset();
		if (GetParam())
			viper_host_bind_remote(
				&slot_, &echo_interface,
				viper_host_serve(&echo_interface, &kServer, nullptr));
		else
			viper_host_bind_direct(&slot_, &echo_interface, &kServer, nullptr);
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

INSTANTIATE_TEST_SUITE_P(Placements, EchoTest, ::testing::Values(false, true),
			 [](const ::testing::TestParamInfo<bool> &info) {
				 return info.param ? "Remote" : "Direct";
			 });

} // namespace
