// The trust store: PEM roots, VTA1 images (well formed and damaged in
// every field the loader checks) and a directory of both.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "memory_server.h"

extern "C" {
#include <viper/tls_trust.h>
}

namespace
{

struct Store {
	tls_trust t;
	Store()
	{
		tls_trust_init(&t);
	}
	~Store()
	{
		tls_trust_free(&t);
	}
	int Pem(const std::string &s)
	{
		return tls_trust_add_pem(&t, s.data(), s.size());
	}
	int Vta(const std::string &s)
	{
		return tls_trust_add_vta(&t, reinterpret_cast<const uint8_t *>(s.data()), s.size());
	}
};

void Le16(std::string &out, unsigned v)
{
	out.push_back(static_cast<char>(v & 0xff));
	out.push_back(static_cast<char>(v >> 8));
}

// A VTA1 image of the anchors, as platform/tls/store's ta_pack writes it.
std::string Vta(const tls_trust &t)
{
	std::string out = "VTA1";
	Le16(out, static_cast<unsigned>(t.count & 0xffff));
	Le16(out, static_cast<unsigned>(t.count >> 16));
	for (size_t i = 0; i < t.count; i++) {
		const br_x509_trust_anchor &a = t.anchors[i];
		bool rsa = a.pkey.key_type == BR_KEYTYPE_RSA;
		std::string k1 = rsa ? std::string(reinterpret_cast<char *>(a.pkey.key.rsa.n),
						   a.pkey.key.rsa.nlen)
				     : std::string(reinterpret_cast<char *>(a.pkey.key.ec.q),
						   a.pkey.key.ec.qlen);
		std::string k2 = rsa ? std::string(reinterpret_cast<char *>(a.pkey.key.rsa.e),
						   a.pkey.key.rsa.elen)
				     : std::string();
		out.push_back(static_cast<char>(a.pkey.key_type));
		out.push_back(static_cast<char>(a.flags));
		out.push_back(static_cast<char>(rsa ? 0 : a.pkey.key.ec.curve));
		out.push_back(0);
		Le16(out, static_cast<unsigned>(a.dn.len));
		Le16(out, static_cast<unsigned>(k1.size()));
		Le16(out, static_cast<unsigned>(k2.size()));
		Le16(out, 0);
		out += std::string(reinterpret_cast<char *>(a.dn.data), a.dn.len) + k1 + k2;
	}
	return out;
}

TEST(TlsTrust, PemRoots)
{
	Store s;
	EXPECT_EQ(s.Pem(ReadCredential("ca.pem")), 1);
	ASSERT_EQ(s.t.count, 1u);
	EXPECT_EQ(s.t.anchors[0].flags, BR_X509_TA_CA);
	EXPECT_EQ(s.t.anchors[0].pkey.key_type, BR_KEYTYPE_EC);
	EXPECT_EQ(s.t.anchors[0].pkey.key.ec.curve, BR_EC_secp256r1);
	EXPECT_EQ(s.Pem(ReadCredential("self.pem")), 1);
	EXPECT_EQ(s.t.anchors[1].flags, 0u) << "not a CA: trusted directly";
	EXPECT_EQ(s.Pem(ReadCredential("rsa_chain.pem") + ReadCredential("ec_chain.pem")), 2);
	EXPECT_EQ(s.t.anchors[2].pkey.key_type, BR_KEYTYPE_RSA);
	EXPECT_EQ(s.t.anchors[2].pkey.key.rsa.nlen, 256u);
	EXPECT_EQ(s.t.count, 4u);
	std::string no_newline = ReadCredential("ca.pem");
	while (!no_newline.empty() && no_newline.back() == '\n')
		no_newline.pop_back();
	EXPECT_EQ(s.Pem(no_newline), 1) << "the END line may lack its newline";
}

TEST(TlsTrust, BadPemAddsNothing)
{
	Store s;
	std::string ca = ReadCredential("ca.pem");
	EXPECT_EQ(s.Pem("just some text\n"), TLS_TRUST_E_EMPTY);
	EXPECT_EQ(s.Pem(ReadCredential("ec_key.pem")), TLS_TRUST_E_EMPTY)
		<< "a key, no certificate";
	EXPECT_EQ(s.Pem(ca.substr(0, ca.size() / 2)), TLS_TRUST_E_PEM) << "cut short";
	std::string bad = ca;
	size_t body = bad.find('\n') + 10;
	bad[body] = '*'; // not base64
	EXPECT_EQ(s.Pem(bad), TLS_TRUST_E_PEM);
	std::string wrong =
		"-----BEGIN CERTIFICATE-----\nAAAAAAAAAAAAAAAA\n-----END CERTIFICATE-----\n";
	EXPECT_EQ(s.Pem(wrong), TLS_TRUST_E_CERT) << "base64 of no certificate";
	EXPECT_EQ(s.Pem(ca + wrong), TLS_TRUST_E_CERT) << "one bad certificate spoils its file";
	EXPECT_EQ(s.t.count, 0u);
	EXPECT_EQ(s.Pem(ca), 1) << "the store still works";
}

TEST(TlsTrust, VtaRoundTrip)
{
	Store pem, vta;
	ASSERT_EQ(pem.Pem(ReadCredential("ca.pem") + ReadCredential("rsa_chain.pem")), 2);
	std::string image = Vta(pem.t);
	ASSERT_EQ(vta.Vta(image), 2);
	for (size_t i = 0; i < 2; i++) {
		EXPECT_EQ(vta.t.anchors[i].flags, pem.t.anchors[i].flags);
		EXPECT_EQ(vta.t.anchors[i].pkey.key_type, pem.t.anchors[i].pkey.key_type);
		ASSERT_EQ(vta.t.anchors[i].dn.len, pem.t.anchors[i].dn.len);
		EXPECT_EQ(memcmp(vta.t.anchors[i].dn.data, pem.t.anchors[i].dn.data,
				 pem.t.anchors[i].dn.len),
			  0);
	}
	EXPECT_EQ(vta.t.anchors[1].pkey.key.rsa.elen, 3u);
	image.assign(image.size(), '\0'); // the store keeps its own copy
	EXPECT_EQ(vta.t.anchors[1].pkey.key.rsa.nlen, 256u);
	EXPECT_NE(vta.t.anchors[1].pkey.key.rsa.n[0] | vta.t.anchors[1].pkey.key.rsa.n[1], 0);
	EXPECT_EQ(vta.Vta(std::string("VTA1\0\0\0\0", 8)), 0) << "an empty image is valid";
}

TEST(TlsTrust, DamagedVtaAddsNothing)
{
	Store pem;
	ASSERT_EQ(pem.Pem(ReadCredential("ca.pem") + ReadCredential("rsa_chain.pem")), 2);
	const std::string good = Vta(pem.t);
	const size_t ec = 8,
		     rsa = ec + 12 + pem.t.anchors[0].dn.len + pem.t.anchors[0].pkey.key.ec.qlen;
	struct Damage {
		const char *what;
		size_t at;
		int value; // -1: cut the image here; -2: add a byte at the end
	} damages[] = {
		{"magic", 0, 'X'},
		{"count larger", 4, 3},
		{"count huge", 7, 0x7f},
		{"key type", ec, 3},
		{"flags", ec + 1, 2},
		{"EC curve 0", ec + 2, 0},
		{"EC curve huge", ec + 2, 200},
		{"reserved", ec + 3, 1},
		{"DN length 0", ec + 4, 0},
		{"EC with exponent", ec + 8, 1},
		{"reserved 2", ec + 10, 1},
		{"RSA curve", rsa + 2, 23},
		{"RSA no exponent", rsa + 8, 0},
		{"RSA long exponent", rsa + 8, 17},
		{"key length 0", rsa + 6, 0},
		{"DN too long", rsa + 5, 0x10},
		{"cut", good.size() - 1, -1},
		{"cut in a header", rsa + 5, -1},
		{"trailing byte", 0, -2},
		{"cut header", 6, -1},
	};
	for (const Damage &d : damages) {
		std::string image = good;
		if (d.value == -1)
			image.resize(d.at);
		else if (d.value == -2)
			image.push_back('\0');
		else if (d.at == ec + 4 || d.at == rsa + 6) {
			image[d.at] = 0;
			image[d.at + 1] = 0;
		} else
			image[d.at] = static_cast<char>(d.value);
		Store s;
		EXPECT_EQ(s.Vta(image), TLS_TRUST_E_FORMAT) << d.what;
		EXPECT_EQ(s.t.count, 0u) << d.what;
	}
}

TEST(TlsTrust, Directory)
{
	char dir[] = "/tmp/tls_trust_testXXXXXX";
	ASSERT_NE(mkdtemp(dir), nullptr);
	std::string d = dir;
	auto write = [&](const std::string &name, const std::string &data) {
		std::ofstream(d + "/" + name, std::ios::binary) << data;
	};
	Store pem;
	ASSERT_EQ(pem.Pem(ReadCredential("rsa_chain.pem")), 1);
	write("b-root.PEM", ReadCredential("ca.pem"));
	write("a-self.crt", ReadCredential("self.pem"));
	write("roots.vta", Vta(pem.t));
	write("broken.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n");
	write("damaged.vta", "VTA2");
	write("notes.txt", "not a certificate, not read");
	std::vector<std::pair<std::string, int>> warned;
	Store s;
	int n = tls_trust_load_dir(
		&s.t, dir,
		[](void *ctx, const char *path, int error) {
			static_cast<std::vector<std::pair<std::string, int>> *>(ctx)->push_back(
				{path, error});
		},
		&warned);
	EXPECT_EQ(n, 3);
	ASSERT_EQ(s.t.count, 3u);
	EXPECT_EQ(s.t.anchors[0].flags, 0u) << "a-self.crt first: names in order";
	EXPECT_EQ(s.t.anchors[1].flags, BR_X509_TA_CA) << "then b-root.PEM";
	EXPECT_EQ(s.t.anchors[2].pkey.key_type, BR_KEYTYPE_RSA) << "then roots.vta";
	ASSERT_EQ(warned.size(), 2u);
	EXPECT_EQ(warned[0].first, d + "/broken.pem");
	EXPECT_EQ(warned[0].second, TLS_TRUST_E_PEM);
	EXPECT_EQ(warned[1].first, d + "/damaged.vta");
	EXPECT_EQ(warned[1].second, TLS_TRUST_E_FORMAT);
	EXPECT_EQ(tls_trust_load_dir(&s.t, (d + "/missing").c_str(), nullptr, nullptr),
		  TLS_TRUST_E_READ);
	std::system(("rm -rf " + d).c_str());
}

TEST(TlsTrust, Messages)
{
	for (int e = TLS_TRUST_E_EMPTY; e <= TLS_TRUST_E_FORMAT; e++)
		EXPECT_STRNE(tls_trust_error_message(e), "unknown error") << e;
	EXPECT_STREQ(tls_trust_error_message(-99), "unknown error");
}

} // namespace
