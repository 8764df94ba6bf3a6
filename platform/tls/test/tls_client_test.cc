// The TLS transport against BearSSL's own server in the same process
// (memory_server.h): handshakes with ECDSA and RSA certificates, session
// resumption, and every refusal the client classifies, each leaving no
// connection and no session behind.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "memory_server.h"

extern "C" {
#include <viper/http_client.h>
#include <viper/tls_client.h>
#include <viper/tls_trust.h>
}

namespace
{

struct Env {
	// The credentials are made at build time, valid for ten years from then.
	uint64_t now = static_cast<uint64_t>(time(nullptr));
	bool entropy = true, clock = true;
	unsigned entropy_calls = 0;
};

int Entropy(void *ctx, uint8_t *buf, size_t len)
{
	Env *e = static_cast<Env *>(ctx);
	e->entropy_calls++;
	if (!e->entropy)
		return -1;
	for (size_t i = 0; i < len; i++)
		buf[i] = static_cast<uint8_t>(i * 37 + e->entropy_calls);
	return 0;
}

int Clock(void *ctx, uint64_t *now)
{
	Env *e = static_cast<Env *>(ctx);
	if (!e->clock)
		return -1;
	*now = e->now;
	return 0;
}

struct Client {
	Env env;
	tls_trust trust;
	tls_session_cache sessions;
	tls_config config;
	tls_io io;
	tls_transport t;

	Client(MemoryServer &server, const std::string &roots = ReadCredential("ca.pem"))
	{
		tls_trust_init(&trust);
		EXPECT_GT(tls_trust_add_pem(&trust, roots.data(), roots.size()), 0);
		tls_session_cache_init(&sessions);
		config = tls_config{&trust, Entropy, Clock, &env, &sessions};
		io = server.Io();
		tls_transport_init(&t, &config, &io);
	}
	~Client()
	{
		tls_trust_free(&trust);
	}

	// A GET through http_get with this transport for https.
	int Get(const char *url, std::string *body = nullptr)
	{
		http_get_options opt;
		static http_result res;
		http_get_options_init(&opt);
		opt.https = &t.http;
		opt.sink = [](void *ctx, const uint8_t *data, size_t len) {
			if (ctx)
				static_cast<std::string *>(ctx)->append(
					reinterpret_cast<const char *>(data), len);
			return 0;
		};
		opt.ctx = body;
		int err = http_get(&t.http, url, &opt, &res);
		EXPECT_EQ(tls_connections_live(), 0u) << "every connection is freed";
		return err;
	}
};

TEST(TlsClient, EcdsaServer)
{
	MemoryServer server(ReadCredential("ec_chain.pem"), ReadCredential("ec_key.pem"));
	Client c(server);
	std::string body;

	ASSERT_EQ(c.Get("https://server.test/hello", &body), HTTP_OK)
		<< tls_failure_name(c.t.report.failure) << " " << c.t.report.detail;
	EXPECT_EQ(body, server.body);
	EXPECT_EQ(c.t.report.failure, TLS_OK);
	EXPECT_EQ(c.t.report.version, BR_TLS12);
	EXPECT_STREQ(tls_suite_name(c.t.report.suite), "ECDHE-ECDSA-CHACHA20-POLY1305");
	EXPECT_FALSE(c.t.report.resumed);
	EXPECT_EQ(c.t.report.chain_length, 1u);
	EXPECT_NE(server.request.find("GET /hello HTTP/1.1\r\nHost: server.test\r\n"),
		  std::string::npos);
	EXPECT_EQ(c.env.entropy_calls, 1u);
	EXPECT_EQ(server.closes, 1);
	EXPECT_TRUE(tls_session_cache_has(&c.sessions, "server.test", 443));
}

TEST(TlsClient, RsaServerAndResumption)
{
	MemoryServer server(ReadCredential("rsa_chain.pem"), ReadCredential("rsa_key.pem"));
	Client c(server);

	ASSERT_EQ(c.Get("https://server.test:8443/"), HTTP_OK) << c.t.report.detail;
	EXPECT_STREQ(tls_suite_name(c.t.report.suite), "ECDHE-RSA-CHACHA20-POLY1305");
	EXPECT_FALSE(c.t.report.resumed);
	ASSERT_EQ(c.Get("https://server.test:8443/again"), HTTP_OK) << c.t.report.detail;
	EXPECT_TRUE(c.t.report.resumed) << "the second connection resumes the session";
	EXPECT_EQ(c.t.report.chain_length, 0u) << "no certificate in a resumed handshake";
	EXPECT_EQ(c.env.entropy_calls, 2u) << "fresh entropy before every handshake";
	EXPECT_EQ(tls_session_cache_count(&c.sessions), 1u);
	ASSERT_EQ(c.Get("https://server.test:9443/"), HTTP_OK);
	EXPECT_FALSE(c.t.report.resumed) << "another port is another session";
	EXPECT_EQ(tls_session_cache_count(&c.sessions), 2u);
}

// Each flight of the client is one send: the ClientHello; the
// ClientKeyExchange, ChangeCipherSpec and Finished (or, resuming, the last
// two); the request; the close_notify.
TEST(TlsClient, EachFlightIsOneSend)
{
	MemoryServer server(ReadCredential("ec_chain.pem"), ReadCredential("ec_key.pem"));
	Client c(server);

	ASSERT_EQ(c.Get("https://server.test/"), HTTP_OK) << c.t.report.detail;
	EXPECT_EQ(server.sends, 4);
	ASSERT_EQ(c.Get("https://server.test/"), HTTP_OK) << c.t.report.detail;
	EXPECT_TRUE(c.t.report.resumed);
	EXPECT_EQ(server.sends, 4);
}

// A refusal: the error, the failure, and nothing left behind.
void ExpectRefused(Client &c, const char *url, int error, tls_failure failure,
		   const char *detail_part = "")
{
	EXPECT_EQ(c.Get(url), error) << url;
	EXPECT_EQ(c.t.report.failure, failure)
		<< tls_failure_name(c.t.report.failure) << ": " << c.t.report.detail;
	EXPECT_NE(std::string(c.t.report.detail).find(detail_part), std::string::npos)
		<< c.t.report.detail;
	EXPECT_EQ(tls_session_cache_count(&c.sessions), 0u) << "no session from a refusal";
	EXPECT_EQ(tls_connections_live(), 0u);
}

TEST(TlsClient, WrongHost)
{
	MemoryServer server(ReadCredential("ec_chain.pem"), ReadCredential("ec_key.pem"));
	Client c(server);
	ExpectRefused(c, "https://other.test/", HTTP_E_TLS_CERTIFICATE, TLS_F_WRONG_HOST,
		      "server.test");
	EXPECT_EQ(server.closes, 1);
}

TEST(TlsClient, ExpiredAndNotYetValid)
{
	MemoryServer server(ReadCredential("ec_chain.pem"), ReadCredential("ec_key.pem"));
	Client c(server);
	c.env.now = 4102444800; // 2100-01-01
	ExpectRefused(c, "https://server.test/", HTTP_E_TLS_CERTIFICATE, TLS_F_EXPIRED,
		      "expired on 20");
	c.env.now = 631152000; // 1990-01-01
	ExpectRefused(c, "https://server.test/", HTTP_E_TLS_CERTIFICATE, TLS_F_NOT_YET_VALID,
		      "is valid from 20");
}

TEST(TlsClient, SelfSigned)
{
	MemoryServer server(ReadCredential("self.pem"), ReadCredential("self_key.pem"));
	Client c(server);
	ExpectRefused(c, "https://server.test/", HTTP_E_TLS_CERTIFICATE, TLS_F_SELF_SIGNED,
		      "server.test");
}

TEST(TlsClient, SelfSignedInTheStoreIsTrusted)
{
	MemoryServer server(ReadCredential("self.pem"), ReadCredential("self_key.pem"));
	Client c(server, ReadCredential("self.pem"));
	EXPECT_EQ(c.Get("https://server.test/"), HTTP_OK) << c.t.report.detail;
}

TEST(TlsClient, UnknownRootAndIncompleteChain)
{
	std::vector<std::string> leaf = PemCertificates(ReadCredential("ec_chain.pem"));
	std::vector<std::string> root = PemCertificates(ReadCredential("ca.pem"));
	MemoryServer server(ReadCredential("ec_chain.pem"), ReadCredential("ec_key.pem"));
	Client c(server, ReadCredential("self.pem")); // a store without the root

	ExpectRefused(c, "https://server.test/", HTTP_E_TLS_CERTIFICATE, TLS_F_INCOMPLETE,
		      "Host Test Root");
	server.SetChain({leaf[0], root[0]});
	ExpectRefused(c, "https://server.test/", HTTP_E_TLS_CERTIFICATE, TLS_F_UNKNOWN_ISSUER,
		      "the chain ends at the root \"Host Test Root\"");
}

TEST(TlsClient, BadSignature)
{
	std::vector<std::string> leaf = PemCertificates(ReadCredential("ec_chain.pem"));
	MemoryServer server(ReadCredential("ec_chain.pem"), ReadCredential("ec_key.pem"));
	leaf[0][leaf[0].size() - 3] ^= 0x01; // inside the signature's INTEGERs
	server.SetChain(leaf);
	Client c(server);
	ExpectRefused(c, "https://server.test/", HTTP_E_TLS_CERTIFICATE, TLS_F_BAD_SIGNATURE);
}

TEST(TlsClient, ServerWithOlderVersionsOnly)
{
	MemoryServer server(ReadCredential("rsa_chain.pem"), ReadCredential("rsa_key.pem"));
	server.server_versions_old = true;
	Client c(server);
	ExpectRefused(c, "https://server.test/", HTTP_E_TLS_HANDSHAKE, TLS_F_VERSION);
}

TEST(TlsClient, ServerWithoutASharedSuite)
{
	MemoryServer server(ReadCredential("rsa_chain.pem"), ReadCredential("rsa_key.pem"));
	server.only_suite = BR_TLS_RSA_WITH_AES_128_GCM_SHA256;
	Client c(server);
	ExpectRefused(c, "https://server.test/", HTTP_E_TLS_HANDSHAKE, TLS_F_PEER_ALERT,
		      "handshake_failure");
}

TEST(TlsClient, HostileStreams)
{
	MemoryServer server(ReadCredential("ec_chain.pem"), ReadCredential("ec_key.pem"));
	Client c(server);

	server.mode = MemoryServer::Mode::kGarbage;
	server.raw = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
	ExpectRefused(c, "https://server.test/", HTTP_E_TLS_HANDSHAKE, TLS_F_NOT_TLS, "48 54 54");
	server.mode = MemoryServer::Mode::kReset;
	ExpectRefused(c, "https://server.test/", HTTP_E_TLS_HANDSHAKE, TLS_F_RESET);
	server.mode = MemoryServer::Mode::kClose;
	ExpectRefused(c, "https://server.test/", HTTP_E_TLS_HANDSHAKE, TLS_F_CLOSED);
	server.mode = MemoryServer::Mode::kSilent;
	ExpectRefused(c, "https://server.test/", HTTP_E_TLS_HANDSHAKE, TLS_F_TIMED_OUT);
	server.mode = MemoryServer::Mode::kGarbage;
	server.raw = std::string("\x16\x03\x03\x00\x05\x02\x00\x00\x01\x00", 10);
	ExpectRefused(c, "https://server.test/", HTTP_E_TLS_HANDSHAKE, TLS_F_PROTOCOL);
	server.connect_error = HTTP_E_CONNECTION_REFUSED;
	ExpectRefused(c, "https://server.test/", HTTP_E_CONNECTION_REFUSED, TLS_F_NETWORK);
	EXPECT_EQ(server.closes, server.connects - 1) << "every opened stream closed";
}

TEST(TlsClient, NothingReachesTheNetworkWithoutEntropyClockStoreOrName)
{
	MemoryServer server(ReadCredential("ec_chain.pem"), ReadCredential("ec_key.pem"));
	Client c(server);

	c.env.entropy = false;
	ExpectRefused(c, "https://server.test/", HTTP_E_TLS_HANDSHAKE, TLS_F_NO_ENTROPY);
	c.env.entropy = true;
	c.env.clock = false;
	ExpectRefused(c, "https://server.test/", HTTP_E_TLS_HANDSHAKE, TLS_F_NO_CLOCK);
	c.env.clock = true;
	ExpectRefused(c, "https://10.0.2.2/", HTTP_E_TLS_HANDSHAKE, TLS_F_IP_ADDRESS);
	ExpectRefused(c, "https://[fec0::2]/", HTTP_E_TLS_HANDSHAKE, TLS_F_IP_ADDRESS);
	tls_trust empty;
	tls_trust_init(&empty);
	c.config.trust = &empty;
	ExpectRefused(c, "https://server.test/", HTTP_E_TLS_HANDSHAKE, TLS_F_NO_TRUST);
	c.config.entropy = nullptr;
	ExpectRefused(c, "https://server.test/", HTTP_E_TLS_HANDSHAKE, TLS_F_NO_TRUST);
	EXPECT_EQ(server.connects, 0);
}

TEST(TlsClient, EndWithoutCloseNotifyIsAnError)
{
	MemoryServer server(ReadCredential("ec_chain.pem"), ReadCredential("ec_key.pem"));
	server.drop_close_notify = true;
	Client c(server);
	char buf[4096];
	std::string got;

	ASSERT_EQ(c.t.http.connect(&c.t, "server.test", 443, 1000), 0) << c.t.report.detail;
	const char req[] = "GET / HTTP/1.1\r\nHost: server.test\r\n\r\n";
	EXPECT_EQ(c.t.http.send(&c.t, req, sizeof(req) - 1), static_cast<int>(sizeof(req) - 1));
	int n;
	while ((n = c.t.http.recv(&c.t, buf, sizeof(buf))) > 0)
		got.append(buf, n);
	EXPECT_EQ(n, HTTP_E_TLS_PROTOCOL);
	EXPECT_NE(std::string(c.t.report.detail).find("close_notify"), std::string::npos);
	EXPECT_NE(got.find(server.body), std::string::npos) << "what came before still came";
	c.t.http.close(&c.t);
	EXPECT_EQ(tls_connections_live(), 0u);
	EXPECT_EQ(c.t.http.send(&c.t, req, 1), HTTP_E_INVALID) << "closed";
}

// The servers' flights, as seeds for the fuzzer's corpus (test/fuzz_corpus):
// written to the test's outputs when asked (TLS_WRITE_FLIGHTS=1).
TEST(TlsClient, ServerFlights)
{
	for (const char *kind : {"ec", "rsa"}) {
		MemoryServer server(ReadCredential(std::string(kind) + "_chain.pem"),
				    ReadCredential(std::string(kind) + "_key.pem"));
		Client c(server);
		ASSERT_EQ(c.Get("https://server.test/"), HTTP_OK);
		EXPECT_GT(server.flight.size(), 500u);
		const char *dir = getenv("TEST_UNDECLARED_OUTPUTS_DIR");
		if (dir && getenv("TLS_WRITE_FLIGHTS")) {
			FILE *f = fopen((std::string(dir) + "/flight_" + kind).c_str(), "wb");
			ASSERT_NE(f, nullptr);
			fputc(0x38, f); // the fuzzer's first byte: TLS, slices of 449 bytes
			fwrite(server.flight.data(), 1, server.flight.size(), f);
			fclose(f);
		}
	}
}

TEST(TlsClient, Names)
{
	for (int f = TLS_OK; f <= TLS_FAILURE_LAST; f++) {
		EXPECT_STRNE(tls_failure_name(static_cast<tls_failure>(f)), "unknown");
		EXPECT_STRNE(tls_failure_message(static_cast<tls_failure>(f)),
			     "unknown TLS failure");
	}
	EXPECT_STREQ(tls_failure_message(static_cast<tls_failure>(999)), "unknown TLS failure");
	EXPECT_STREQ(tls_suite_name(0x1234), "");
	EXPECT_STREQ(http_error_message(HTTP_E_TLS_CERTIFICATE),
		     "the server's certificate was refused");
}

} // namespace
