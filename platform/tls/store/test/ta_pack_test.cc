// //platform/tls/store:ta_pack_test: roots.vta read as the run-time loader
// reads it (header, every record within the loader's limits, nothing after
// the last) and compared, anchor by anchor, with the arrays brssl printed in
// roots_ta.c; ta_pack run twice writes those same bytes; and ta_pack built
// over test/bad_anchors.c refuses each anchor the loader would refuse,
// leaving no file behind.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <vector>

namespace
{

// Runfiles paths: a test runs in its runfiles tree, the workspace's root.
const char kStore[] = "platform/tls/store/roots.vta";
const char kSource[] = "platform/tls/store/roots_ta.c";
const char kPack[] = "platform/tls/store/ta_pack";

using Bytes = std::vector<uint8_t>;

std::string ReadText(const std::string &path)
{
	std::ifstream in(path, std::ios::binary);
	std::ostringstream text;
	text << in.rdbuf();
	return text.str();
}

Bytes ReadBytes(const std::string &path)
{
	std::string text = ReadText(path);
	return Bytes(text.begin(), text.end());
}

std::string TmpPath(const std::string &name)
{
	const char *dir = getenv("TEST_TMPDIR");
	return std::string(dir ? dir : "/tmp") + "/" + name;
}

// Runs a shell command; its exit status, or -1 when it did not exit.
int Shell(const std::string &command)
{
	int status = std::system(command.c_str());
	return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

unsigned U16(const Bytes &b, size_t at)
{
	return b[at] | b[at + 1] << 8;
}

uint32_t U32(const Bytes &b, size_t at)
{
	return U16(b, at) | static_cast<uint32_t>(U16(b, at + 2)) << 16;
}

// brssl's output, read back independently of ta_pack: its byte arrays by
// name (TA0_DN, TA0_RSA_N, TA1_EC_Q, ...), TAs_NUM, and each anchor's
// curve by its BR_EC_ name.
struct Brssl {
	std::map<std::string, Bytes> blobs;
	long count = -1;
	std::vector<std::string> curves;
};

Brssl ReadBrssl()
{
	Brssl out;
	std::string text = ReadText(kSource);
	std::regex blob("static const unsigned char (\\w+)\\[\\] = \\{([^}]*)\\};");
	for (std::sregex_iterator it(text.begin(), text.end(), blob), end; it != end; ++it) {
		Bytes bytes;
		std::string body = (*it)[2];
		std::regex hex("0x([0-9A-F]{2})");
		for (std::sregex_iterator h(body.begin(), body.end(), hex); h != end; ++h)
			bytes.push_back(static_cast<uint8_t>(std::stoul((*h)[1], nullptr, 16)));
		out.blobs[(*it)[1]] = bytes;
	}
	std::smatch num;
	if (std::regex_search(text, num, std::regex("#define TAs_NUM +([0-9]+)")))
		out.count = std::stol(num[1]);
	std::regex curve("BR_KEYTYPE_EC,\\s*\\{ \\.ec = \\{\\s*(\\w+),");
	for (std::sregex_iterator it(text.begin(), text.end(), curve), end; it != end; ++it)
		out.curves.push_back((*it)[1]);
	return out;
}

TEST(RootsVta, HeaderCountsWhatBrsslFound)
{
	Bytes store = ReadBytes(kStore);
	Brssl brssl = ReadBrssl();
	ASSERT_GE(store.size(), 8u);
	EXPECT_EQ(std::string(store.begin(), store.begin() + 4), "VTA1");
	// Debian's 20230311 bundle has about 140 roots; a count far off means
	// brssl was handed other files, or only some.
	ASSERT_GT(brssl.count, 100);
	EXPECT_LE(brssl.count, 4096);
	EXPECT_EQ(U32(store, 4), static_cast<uint32_t>(brssl.count));
}

TEST(RootsVta, RecordsAreWithinTheLoadersLimitsAndMatchBrssl)
{
	Bytes store = ReadBytes(kStore);
	Brssl brssl = ReadBrssl();
	ASSERT_GE(store.size(), 8u);
	uint32_t count = U32(store, 4);
	size_t at = 8, ec = 0;
	for (uint32_t i = 0; i < count; i++) {
		SCOPED_TRACE("record " + std::to_string(i));
		ASSERT_LE(at + 12, store.size());
		uint8_t key_type = store[at], flags = store[at + 1], curve = store[at + 2];
		unsigned dn_len = U16(store, at + 4), a_len = U16(store, at + 6),
			 b_len = U16(store, at + 8);
		EXPECT_EQ(store[at + 3], 0) << "reserved byte";
		EXPECT_EQ(U16(store, at + 10), 0u) << "reserved u16";
		EXPECT_EQ(flags & ~1u, 0u);
		EXPECT_TRUE(dn_len >= 1 && dn_len <= 1024) << dn_len;
		EXPECT_TRUE(a_len >= 1 && a_len <= 1024) << a_len;
		at += 12;
		ASSERT_LE(at + dn_len + a_len + b_len, store.size());
		Bytes dn(store.begin() + at, store.begin() + at + dn_len);
		Bytes a(store.begin() + at + dn_len, store.begin() + at + dn_len + a_len);
		Bytes b(store.begin() + at + dn_len + a_len,
			store.begin() + at + dn_len + a_len + b_len);
		at += dn_len + a_len + b_len;

		std::string ta = "TA" + std::to_string(i);
		EXPECT_EQ(dn, brssl.blobs[ta + "_DN"]);
		EXPECT_EQ(dn[0], 0x30) << "a DER distinguished name is a SEQUENCE";
		if (key_type == 1) {
			EXPECT_EQ(curve, 0);
			EXPECT_TRUE(b_len >= 1 && b_len <= 16) << b_len;
			EXPECT_EQ(a, brssl.blobs[ta + "_RSA_N"]);
			EXPECT_EQ(b, brssl.blobs[ta + "_RSA_E"]);
		} else if (key_type == 2) {
			EXPECT_EQ(b_len, 0u);
			EXPECT_EQ(a, brssl.blobs[ta + "_EC_Q"]);
			ASSERT_LT(ec, brssl.curves.size());
			// The two curves Mozilla's roots use, by BearSSL's ids.
			const std::string &name = brssl.curves[ec++];
			if (name == "BR_EC_secp256r1")
				EXPECT_EQ(curve, 23);
			else if (name == "BR_EC_secp384r1")
				EXPECT_EQ(curve, 24);
			else
				EXPECT_NE(curve, 0) << name;
		} else {
			ADD_FAILURE() << "key type " << unsigned(key_type);
		}
	}
	EXPECT_EQ(at, store.size()) << "bytes after the last record";
	EXPECT_EQ(ec, brssl.curves.size());
}

TEST(TaPack, TwoRunsWriteTheBuildsBytes)
{
	std::string one = TmpPath("one.vta"), two = TmpPath("two.vta");
	ASSERT_EQ(Shell(std::string(kPack) + " " + one), 0);
	ASSERT_EQ(Shell(std::string(kPack) + " " + two), 0);
	Bytes first = ReadBytes(one);
	EXPECT_FALSE(first.empty());
	EXPECT_EQ(first, ReadBytes(two));
	EXPECT_EQ(first, ReadBytes(kStore));
}

TEST(TaPack, UsageErrorsExitTwo)
{
	EXPECT_EQ(Shell(std::string(kPack) + " 2>/dev/null"), 2);
	EXPECT_EQ(Shell(std::string(kPack) + " a b 2>/dev/null"), 2);
}

TEST(TaPack, RefusesWhatTheLoaderWouldRefuse)
{
	const std::map<std::string, std::string> cases = {
		{"too_many", "4097 anchors, the loader takes at most 4096"},
		{"no_dn",
		 "anchor TA1: its distinguished name is 0 bytes, the loader takes 1 to 1024"},
		{"long_dn", "anchor TA1: its distinguished name is 1025 bytes"},
		{"long_modulus", "anchor TA1: its RSA modulus is 1025 bytes"},
		{"long_exponent",
		 "anchor TA1: its RSA exponent is 17 bytes, the loader takes 1 to 16"},
		{"unknown_key", "anchor TA1: key type 0 is neither RSA (1) nor EC (2)"},
		{"ec_curve", "anchor TA1: EC curve 32, the loader takes 1 to 31"},
	};
	for (const auto &[name, message] : cases) {
		SCOPED_TRACE(name);
		std::string out = TmpPath(name + ".vta"), err = TmpPath(name + ".err");
		std::remove(out.c_str());
		EXPECT_EQ(Shell("platform/tls/store/ta_pack_bad_" + name + " " + out + " 2>" + err),
			  1);
		EXPECT_NE(ReadText(err).find("ta_pack: " + message), std::string::npos)
			<< ReadText(err);
		EXPECT_FALSE(std::ifstream(out).good()) << "it left " << out;
	}
}

} // namespace
