// What the client reads of certificates for its messages: names, common
// names and dates, and that malformed DER is refused without reading past it.
#include <gtest/gtest.h>

#include <string>

#include "memory_server.h"

extern "C" {
#include "tls_cert.h"
}

namespace
{

TEST(TlsCert, NamesOfRealCertificates)
{
	std::string leaf = PemCertificates(ReadCredential("ec_chain.pem"))[0];
	std::string self = PemCertificates(ReadCredential("self.pem"))[0];
	der_span issuer, subject;
	char cn[64];

	ASSERT_TRUE(tls_cert_names(reinterpret_cast<const uint8_t *>(leaf.data()), leaf.size(),
				   &issuer, &subject));
	tls_name_text(issuer, cn, sizeof(cn));
	EXPECT_STREQ(cn, "Host Test Root");
	tls_name_text(subject, cn, sizeof(cn));
	EXPECT_STREQ(cn, "server.test");
	EXPECT_FALSE(der_span_equal(issuer, subject));
	ASSERT_TRUE(tls_cert_names(reinterpret_cast<const uint8_t *>(self.data()), self.size(),
				   &issuer, &subject));
	EXPECT_TRUE(der_span_equal(issuer, subject)) << "self-issued";
	tls_name_text(subject, cn, 7);
	EXPECT_STREQ(cn, "server") << "cut to the room given";
}

TEST(TlsCert, MalformedDerIsRefused)
{
	std::string leaf = PemCertificates(ReadCredential("ec_chain.pem"))[0];
	der_span issuer, subject;
	// Every prefix: never a read past the end (ASan would see it), never a false success.
	for (size_t n = 0; n < 200 && n < leaf.size(); n++)
		EXPECT_FALSE(tls_cert_names(reinterpret_cast<const uint8_t *>(leaf.data()), n,
					    &issuer, &subject))
			<< n;
	const uint8_t huge[] = {0x30, 0x84, 0xff, 0xff, 0xff, 0xff};
	EXPECT_FALSE(tls_cert_names(huge, sizeof(huge), &issuer, &subject));
	const uint8_t high_tag[] = {0x1f, 0x01, 0x00};
	EXPECT_FALSE(tls_cert_names(high_tag, sizeof(high_tag), &issuer, &subject));
	char cn[32];
	const uint8_t no_cn[] = {0x30, 0x00};
	tls_name_text(der_span{no_cn, sizeof(no_cn)}, cn, sizeof(cn));
	EXPECT_STREQ(cn, "(no common name)");
	const uint8_t odd[] = {0x30, 0x0e, 0x31, 0x0c, 0x30, 0x0a, 0x06, 0x03,
			       0x55, 0x04, 0x03, 0x0c, 0x03, 'a',  0x01, 'b'};
	tls_name_text(der_span{odd, sizeof(odd)}, cn, sizeof(cn));
	EXPECT_STREQ(cn, "a?b") << "control bytes are not printed";
}

TEST(TlsCert, Dates)
{
	char d[16];
	tls_date_text(TLS_UNIX_EPOCH_DAYS, d, sizeof(d));
	EXPECT_STREQ(d, "1970-01-01");
	tls_date_text(TLS_UNIX_EPOCH_DAYS + 11016, d, sizeof(d)); // 2000-02-29
	EXPECT_STREQ(d, "2000-02-29");
	tls_date_text(TLS_UNIX_EPOCH_DAYS + 20790, d, sizeof(d));
	EXPECT_STREQ(d, "2026-12-03");
	tls_date_text(0, d, sizeof(d));
	EXPECT_STREQ(d, "0000-01-01");
}

} // namespace
