// The generator's straight-line codecs (test/codec.proto) against nanopb:
// the same bytes for every value of every scalar type, the same message
// from any encoding nanopb accepts, and a refusal of malformed input.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include <pb_decode.h>
#include <pb_encode.h>

extern "C" {
#include <viper/host_transport.h>

#include "toolchain/interfaces/test/codec.viper.h"
}

namespace
{

using Bytes = std::vector<uint8_t>;

Bytes NanopbEncode(const viper_codec_Scalars &m)
{
	uint8_t buf[VIPER_MSG_MAX_BYTES];
	pb_ostream_t s = pb_ostream_from_buffer(buf, sizeof(buf));
	EXPECT_TRUE(pb_encode(&s, viper_codec_Scalars_fields, &m)) << PB_GET_ERROR(&s);
	return Bytes(buf, buf + s.bytes_written);
}

bool NanopbDecode(const Bytes &in, viper_codec_Scalars *m)
{
	memset(m, 0, sizeof(*m));
	pb_istream_t s = pb_istream_from_buffer(in.data(), in.size());
	return pb_decode_ex(&s, viper_codec_Scalars_fields, m, PB_DECODE_NOINIT);
}

int32_t Encode(const viper_codec_Scalars &m, Bytes *out, uint32_t cap = VIPER_RPC_BODY_MAX)
{
	uint8_t buf[VIPER_MSG_MAX_BYTES];
	int32_t n = codec_scalars_codec.encode(&m, buf, cap);
	out->assign(buf, buf + (n > 0 ? n : 0));
	return n;
}

bool Decode(const Bytes &in, viper_codec_Scalars *m)
{
	memset(m, 0, sizeof(*m));
	return codec_scalars_codec.decode(in.data(), uint32_t(in.size()), m);
}

bool Same(const viper_codec_Scalars &a, const viper_codec_Scalars &b)
{
	return memcmp(&a, &b, sizeof(a)) == 0;
}

// A message with each field zero (left out on the wire) or a value drawn
// to reach every varint length, sign and edge.
viper_codec_Scalars RandomScalars(std::mt19937_64 &rng)
{
	viper_codec_Scalars m;
	memset(&m, 0, sizeof(m));
	auto pick = [&]() -> uint64_t {
		switch (rng() % 6) {
		case 0:
			return 0;
		case 1:
			return rng() % 128;
		case 2:
			return ~uint64_t(0) - rng() % 4;
		case 3:
			return uint64_t(1) << (rng() % 64);
		default:
			return rng() >> (rng() % 64);
		}
	};
	m.flag = rng() % 2;
	m.i32 = int32_t(pick());
	m.i64 = int64_t(pick());
	m.u32 = uint32_t(pick());
	m.u64 = pick();
	m.s32 = int32_t(pick());
	m.s64 = int64_t(pick());
	const viper_codec_Colour colours[] = {viper_codec_Colour_COLOUR_NONE,
					      viper_codec_Colour_COLOUR_RED,
					      viper_codec_Colour_COLOUR_NEGATIVE};
	m.colour = colours[rng() % 3];
	m.f32 = uint32_t(pick());
	m.sf32 = int32_t(pick());
	uint32_t r32 = uint32_t(pick());
	memcpy(&m.real32, &r32, sizeof(r32));
	m.f64 = pick();
	m.sf64 = int64_t(pick());
	uint64_t r64 = pick();
	memcpy(&m.real64, &r64, sizeof(r64));
	size_t text = rng() % sizeof(m.text);
	for (size_t i = 0; i < text; i++)
		m.text[i] = char(1 + rng() % 255);
	m.blob.size = pb_size_t(rng() % (sizeof(m.blob.bytes) + 1));
	for (size_t i = 0; i < m.blob.size; i++)
		m.blob.bytes[i] = uint8_t(rng());
	m.far = uint32_t(pick());
	return m;
}

void PutVarint(Bytes *out, uint64_t v, size_t min_len = 1)
{
	size_t n = 0;
	while (v >= 0x80 || n + 1 < min_len) {
		out->push_back(uint8_t(v | 0x80));
		v >>= 7;
		n++;
	}
	out->push_back(uint8_t(v));
}

TEST(CodecTest, EncodesExactlyAsNanopb)
{
	std::mt19937_64 rng(1);
	for (int i = 0; i < 20000; i++) {
		viper_codec_Scalars m = RandomScalars(rng);
		Bytes ours;
		ASSERT_GE(Encode(m, &ours), 0);
		ASSERT_EQ(ours, NanopbEncode(m)) << "message " << i;
		viper_codec_Scalars back;
		ASSERT_TRUE(Decode(ours, &back)) << "message " << i;
		ASSERT_TRUE(Same(back, m)) << "message " << i;
	}
}

TEST(CodecTest, ZeroMessageIsEmpty)
{
	viper_codec_Scalars m;
	memset(&m, 0, sizeof(m));
	Bytes out;
	EXPECT_EQ(Encode(m, &out), 0);
	viper_codec_Scalars back;
	EXPECT_TRUE(Decode({}, &back));
	EXPECT_TRUE(Same(back, m));
}

TEST(CodecTest, EncoderRefusesValuesOverTheirBounds)
{
	viper_codec_Scalars m;
	memset(&m, 0, sizeof(m));
	Bytes out;
	memset(m.text, 'x', sizeof(m.text));
	EXPECT_EQ(Encode(m, &out), -1) << "string without its NUL";
	m.text[0] = '\0';
	m.blob.size = sizeof(m.blob.bytes) + 1;
	EXPECT_EQ(Encode(m, &out), -1) << "bytes size over the array";
	m.blob.size = 0;
	EXPECT_EQ(Encode(m, &out, 16), -1) << "a buffer under the worst case";
	EXPECT_EQ(Encode(m, &out), 0);
}

// Valid encodings nanopb accepts that a canonical encoder never writes.
TEST(CodecTest, DecodesNonCanonicalEncodingsAsNanopb)
{
	std::vector<Bytes> inputs = {
		{0x20, 0x85, 0x80, 0x80, 0x00},		      // u32 5 in an overlong varint
		{0x20, 0x01, 0x20, 0x02},		      // a repeated scalar: the last wins
		{0x7a, 0x03, 'a', 'b', 'c', 0x7a, 0x01, 'z'}, // a shorter string after a longer one
		{0x7a, 0x00},				      // an explicit empty string
		{0x20, 0x07, 0x08, 0x01},		      // fields out of order
		{0x98, 0x01, 0x05, 0x20, 0x03},		      // unknown varint field 19
		{0xa1, 0x01, 1, 2, 3, 4, 5, 6, 7, 8},	      // unknown 64-bit field 20
		{0xaa, 0x01, 0x02, 0xff, 0xff},		      // unknown length-delimited field 21
		{0xb5, 0x01, 1, 2, 3, 4, 0x08, 0x01},	      // unknown 32-bit field 22
		{0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, // i32 -1
		{0x40, 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, // enum -3
		{0x40, 0x07},	    // an enum value the enum does not name
		{0x08, 0x02},	    // bool from a value other than 1
		{0xe0, 0x12, 0x2a}, // field 300
		{0x82, 0x01, 0x00}, // empty bytes
	};
	for (size_t i = 0; i < inputs.size(); i++) {
		viper_codec_Scalars ours, theirs;
		ASSERT_TRUE(NanopbDecode(inputs[i], &theirs)) << "input " << i;
		ASSERT_TRUE(Decode(inputs[i], &ours)) << "input " << i;
		EXPECT_TRUE(Same(ours, theirs)) << "input " << i;
	}
}

TEST(CodecTest, RefusesMalformedInput)
{
	struct Case {
		const char *what;
		Bytes bytes;
	};
	const Case cases[] = {
		{"truncated tag", {0x80}},
		{"truncated varint", {0x20, 0x80}},
		{"varint of 11 bytes",
		 {0x28, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}},
		{"varint over 64 bits",
		 {0x28, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}},
		{"tag over 32 bits", {0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x00}},
		{"field number 0", {0x00, 0x00}},
		{"field number 0, other wire type", {0x02, 0x00}},
		{"length beyond the end", {0x7a, 0x05, 'a', 'b'}},
		{"string over its bound",
		 {0x7a, 21,  'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a',
		  'a',	'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a'}},
		{"bytes over their bound", {0x82, 0x01, 25, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					    0,	  0,	0,  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
		{"known field, wrong wire type", {0x0a, 0x01, 0x01}},
		{"known far field, wrong wire type", {0xe5, 0x12, 0, 0, 0, 0}},
		{"group start", {0x0b}},
		{"group end", {0x9c, 0x01}},
		{"wire type 6", {0x9e, 0x01, 0x00}},
		{"wire type 7", {0x9f, 0x01, 0x00}},
		{"u32 over 32 bits", {0x20, 0x80, 0x80, 0x80, 0x80, 0x10}},
		{"i32 over 31 bits", {0x10, 0x80, 0x80, 0x80, 0x80, 0x08}},
		{"s32 over 32 bits", {0x30, 0x80, 0x80, 0x80, 0x80, 0x10}},
		{"enum over 31 bits", {0x40, 0x80, 0x80, 0x80, 0x80, 0x08}},
		{"bool over 32 bits", {0x08, 0x80, 0x80, 0x80, 0x80, 0x10}},
		{"truncated fixed32", {0x4d, 1, 2, 3}},
		{"truncated fixed64", {0x61, 1, 2, 3, 4, 5, 6, 7}},
		{"truncated unknown fixed64", {0xa1, 0x01, 1, 2}},
		{"truncated unknown length", {0xaa, 0x01, 0x04, 1}},
	};
	for (const Case &c : cases) {
		viper_codec_Scalars m;
		EXPECT_FALSE(Decode(c.bytes, &m)) << c.what;
	}
}

// Random inputs built from tags and values of every kind: whatever the
// generated decoder accepts, nanopb accepts too, with the same result.
TEST(CodecTest, AcceptsNothingNanopbRefuses)
{
	std::mt19937_64 rng(2);
	const uint32_t numbers[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 300};
	int accepted = 0;
	for (int i = 0; i < 100000; i++) {
		Bytes in;
		int fields = int(rng() % 6);
		for (int f = 0; f < fields; f++) {
			uint32_t number = numbers[rng() % (sizeof(numbers) / sizeof(numbers[0]))];
			uint32_t wire = uint32_t(rng() % 8);
			PutVarint(&in, uint64_t(number) << 3 | wire, 1 + rng() % 2);
			switch (rng() % 4) {
			case 0:
				PutVarint(&in, rng() >> (rng() % 64), 1 + rng() % 3);
				break;
			case 1: {
				size_t n = rng() % 30;
				PutVarint(&in, n);
				for (size_t k = 0; k < n; k++)
					in.push_back(uint8_t(rng()));
				break;
			}
			case 2:
				for (int k = 0; k < 4 + 4 * int(rng() % 2); k++)
					in.push_back(uint8_t(rng()));
				break;
			default:
				for (int k = int(rng() % 4); k > 0; k--)
					in.push_back(uint8_t(rng()));
			}
		}
		if (rng() % 4 == 0 && !in.empty())
			in.resize(rng() % in.size());
		viper_codec_Scalars ours, theirs;
		if (!Decode(in, &ours))
			continue;
		accepted++;
		ASSERT_TRUE(NanopbDecode(in, &theirs)) << "input " << i;
		ASSERT_TRUE(Same(ours, theirs)) << "input " << i;
	}
	EXPECT_GT(accepted, 1000) << "the generator of inputs should reach valid ones";
}

TEST(CodecTest, EmptyMessageSkipsUnknownFieldsOnly)
{
	viper_codec_Empty m;
	const Bytes unknown = {0x08, 0x01, 0x12, 0x01, 'x'};
	EXPECT_TRUE(codec_empty_codec.decode(unknown.data(), uint32_t(unknown.size()), &m));
	const Bytes truncated = {0x08, 0x01, 0x12, 0x05, 'x'};
	EXPECT_FALSE(codec_empty_codec.decode(truncated.data(), uint32_t(truncated.size()), &m));
	uint8_t out[8];
	EXPECT_EQ(codec_empty_codec.encode(&m, out, sizeof(out)), 0);
}

TEST(CodecTest, NanopbMessagesRoundTrip)
{
	viper_codec_Mixed m = viper_codec_Mixed_init_zero;
	m.values_count = 3;
	m.values[0] = 1;
	m.values[2] = 0xffffffffu;
	uint8_t buf[VIPER_MSG_MAX_BYTES];
	int32_t n = codec_mixed_codec.encode(&m, buf, sizeof(buf));
	ASSERT_GT(n, 0);
	viper_codec_Mixed back = viper_codec_Mixed_init_zero;
	ASSERT_TRUE(codec_mixed_codec.decode(buf, uint32_t(n), &back));
	EXPECT_EQ(back.values_count, 3u);
	EXPECT_EQ(back.values[2], 0xffffffffu);
	m.values_count = 5;
	EXPECT_EQ(codec_mixed_codec.encode(&m, buf, sizeof(buf)), -1) << "count over max_count";
	const uint8_t bad[] = {0x0a, 0x09};
	EXPECT_FALSE(codec_mixed_codec.decode(bad, sizeof(bad), &back));
}

int32_t DoEcho(void *, viper_rpc_context *, const viper_codec_Scalars *req,
	       viper_codec_Scalars *rep)
{
	*rep = *req;
	return VIPER_OK;
}

const codec_server kServer = {DoEcho, nullptr, nullptr};

// The same messages through the generated stubs, the host transport and
// the generated dispatch come back unchanged.
TEST(CodecTest, RemoteCallsCarryEveryValue)
{
	viper_host_reset();
	viper_slot slot;
	viper_host_bind_remote(&slot, &codec_interface,
			       viper_host_serve(&codec_interface, &kServer, nullptr));
	std::mt19937_64 rng(3);
	for (int i = 0; i < 2000; i++) {
		viper_codec_Scalars req = RandomScalars(rng), rep;
		ASSERT_EQ(codec_echo(&slot, &req, &rep), VIPER_OK);
		// The reply's padding is not the request's: compare what is sent.
		ASSERT_EQ(NanopbEncode(rep), NanopbEncode(req)) << "call " << i;
		ASSERT_STREQ(rep.text, req.text);
	}
	viper_codec_Mixed mixed = viper_codec_Mixed_init_zero;
	viper_codec_Scalars rep;
	EXPECT_EQ(codec_sum(&slot, &mixed, &rep), VIPER_E_NOSYS);
	viper_host_reset();
}

} // namespace
