// URLs: the parse matrix (schemes, hosts, ports, paths), every rejection,
// the canonical form, and references resolved against a base.
#include <gtest/gtest.h>

#include <string>

extern "C" {
#include <viper/http_url.h>
}

namespace
{

struct Parsed {
	int err;
	http_url url;
};

Parsed Parse(const std::string &text)
{
	Parsed p;
	p.err = http_url_parse(text.c_str(), &p.url);
	return p;
}

std::string Format(const http_url &url)
{
	char buf[HTTP_URL_MAX + 1];
	int n = http_url_format(&url, buf, sizeof(buf));
	EXPECT_GT(n, 0);
	return n > 0 ? std::string(buf, (size_t)n) : "";
}

// The canonical form of a parsed URL, or "error N".
std::string Canonical(const std::string &text)
{
	Parsed p = Parse(text);
	return p.err ? "error " + std::to_string(p.err) : Format(p.url);
}

TEST(HttpUrl, HostPortPathQueryAndFragment)
{
	Parsed p = Parse("http://example.com:8080/a/b?x=1&y=2#frag");
	ASSERT_EQ(p.err, HTTP_OK);
	EXPECT_EQ(p.url.scheme, HTTP_SCHEME_HTTP);
	EXPECT_EQ(p.url.host_kind, HTTP_HOST_NAME);
	EXPECT_STREQ(p.url.host, "example.com");
	EXPECT_EQ(p.url.port, 8080);
	EXPECT_STREQ(p.url.target, "/a/b?x=1&y=2") << "the fragment is dropped";
}

TEST(HttpUrl, DefaultsAndCase)
{
	Parsed p = Parse("HTTP://Example.COM");
	ASSERT_EQ(p.err, HTTP_OK);
	EXPECT_EQ(p.url.scheme, HTTP_SCHEME_HTTP);
	EXPECT_STREQ(p.url.host, "example.com");
	EXPECT_EQ(p.url.port, 80);
	EXPECT_STREQ(p.url.target, "/");

	p = Parse("http://h?q=1");
	ASSERT_EQ(p.err, HTTP_OK);
	EXPECT_STREQ(p.url.target, "/?q=1");
	p = Parse("http://h#top");
	ASSERT_EQ(p.err, HTTP_OK);
	EXPECT_STREQ(p.url.target, "/");
	p = Parse("http://h/A/B");
	ASSERT_EQ(p.err, HTTP_OK);
	EXPECT_STREQ(p.url.target, "/A/B") << "paths keep their case";
}

TEST(HttpUrl, HttpsIsKnownWithPort443)
{
	Parsed p = Parse("https://secure.example/x");
	ASSERT_EQ(p.err, HTTP_OK);
	EXPECT_EQ(p.url.scheme, HTTP_SCHEME_HTTPS);
	EXPECT_EQ(p.url.port, 443);
	EXPECT_STREQ(http_scheme_name(HTTP_SCHEME_HTTPS), "https");
	EXPECT_EQ(http_scheme_default_port(HTTP_SCHEME_HTTP), 80);
	EXPECT_EQ(http_scheme_default_port(HTTP_SCHEME_HTTPS), 443);
}

TEST(HttpUrl, Ports)
{
	EXPECT_EQ(Parse("http://h:1/").url.port, 1);
	EXPECT_EQ(Parse("http://h:65535/").url.port, 65535);
	EXPECT_EQ(Parse("http://h:0080/").url.port, 80);
	EXPECT_EQ(Parse("http://h:8080?q").err, HTTP_OK);
	EXPECT_STREQ(Parse("http://h:8080?q").url.target, "/?q");
}

TEST(HttpUrl, Ipv4Literals)
{
	Parsed p = Parse("http://10.0.2.2:8000/file");
	ASSERT_EQ(p.err, HTTP_OK);
	EXPECT_EQ(p.url.host_kind, HTTP_HOST_IPV4);
	EXPECT_STREQ(p.url.host, "10.0.2.2");
	EXPECT_EQ(p.url.port, 8000);
	EXPECT_EQ(Parse("http://0.0.0.0/").url.host_kind, HTTP_HOST_IPV4);
	EXPECT_EQ(Parse("http://255.255.255.255/").err, HTTP_OK);
	EXPECT_EQ(Parse("http://1.2.3.com/").url.host_kind, HTTP_HOST_NAME);
}

TEST(HttpUrl, Ipv6Literals)
{
	Parsed p = Parse("http://[fec0::2]:8080/x");
	ASSERT_EQ(p.err, HTTP_OK);
	EXPECT_EQ(p.url.host_kind, HTTP_HOST_IPV6);
	EXPECT_STREQ(p.url.host, "fec0::2") << "kept without brackets";
	EXPECT_EQ(p.url.port, 8080);
	EXPECT_STREQ(p.url.target, "/x");

	const char *good[] = {
		"::",
		"::1",
		"1::",
		"2001:db8::2:1",
		"2001:db8:0:0:0:0:2:1",
		"::ffff:192.0.2.1",
		"1:2:3:4:5:6:1.2.3.4",
		"1:2:3:4:5:6:7::",
		"::2:3:4:5:6:7:8",
	};
	for (const char *host : good) {
		p = Parse(std::string("http://[") + host + "]/");
		EXPECT_EQ(p.err, HTTP_OK) << host;
		EXPECT_STREQ(p.url.host, host);
		EXPECT_EQ(p.url.port, 80);
	}
	p = Parse("http://[FEC0::ABCD]/");
	ASSERT_EQ(p.err, HTTP_OK);
	EXPECT_STREQ(p.url.host, "fec0::abcd");
}

struct Rejection {
	const char *url;
	int err;
	const char *why;
};

TEST(HttpUrl, EveryRejection)
{
	const Rejection cases[] = {
		{"", HTTP_E_BAD_URL, "empty"},
		{"example.com/x", HTTP_E_BAD_URL, "no scheme"},
		{"/index.html", HTTP_E_BAD_URL, "no scheme"},
		{"://h/", HTTP_E_BAD_URL, "empty scheme"},
		{"1http://h/", HTTP_E_BAD_URL, "scheme starts with a digit"},
		{"http:/h/", HTTP_E_BAD_URL, "one slash"},
		{"http:h", HTTP_E_BAD_URL, "no slashes"},
		{"ftp://h/", HTTP_E_UNSUPPORTED_SCHEME, "unknown scheme"},
		{"gopher://h/", HTTP_E_UNSUPPORTED_SCHEME, "unknown scheme"},
		{"mailto:a@b", HTTP_E_UNSUPPORTED_SCHEME, "unknown scheme"},
		{"http://", HTTP_E_BAD_URL, "empty host"},
		{"http:///x", HTTP_E_BAD_URL, "empty host"},
		{"http://:80/", HTTP_E_BAD_URL, "empty host with a port"},
		{"http://?q", HTTP_E_BAD_URL, "empty host with a query"},
		{"http://[]/", HTTP_E_BAD_URL, "empty IPv6 host"},
		{"http://h:/", HTTP_E_BAD_URL, "empty port"},
		{"http://h:0/", HTTP_E_BAD_URL, "port 0"},
		{"http://h:65536/", HTTP_E_BAD_URL, "port over 65535"},
		{"http://h:123456/", HTTP_E_BAD_URL, "six digits"},
		{"http://h:-1/", HTTP_E_BAD_URL, "negative port"},
		{"http://h:abc/", HTTP_E_BAD_URL, "port not digits"},
		{"http://h:80x/", HTTP_E_BAD_URL, "port with junk"},
		{"http://h:80:81/", HTTP_E_BAD_URL, "two ports"},
		{"http://user@h/", HTTP_E_BAD_URL, "user-info"},
		{"http://user:pw@h/", HTTP_E_BAD_URL, "user-info with password"},
		{"http://@h/", HTTP_E_BAD_URL, "empty user-info"},
		{"http://h/a b", HTTP_E_BAD_URL, "space in the path"},
		{" http://h/", HTTP_E_BAD_URL, "leading space"},
		{"http://h/\t", HTTP_E_BAD_URL, "tab"},
		{"http://h/\r\nX: y", HTTP_E_BAD_URL, "header injection"},
		{"http://h/\x01", HTTP_E_BAD_URL, "control character"},
		{"http://h/\x7f", HTTP_E_BAD_URL, "DEL"},
		{"http://h/caf\xc3\xa9", HTTP_E_BAD_URL, "raw UTF-8"},
		{"http://h/#a b", HTTP_E_BAD_URL, "space in the fragment"},
		{"http://fec0::2/", HTTP_E_BAD_URL, "IPv6 without brackets"},
		{"http://[fec0::2/", HTTP_E_BAD_URL, "no closing bracket"},
		{"http://[fec0::2]x/", HTTP_E_BAD_URL, "junk after the bracket"},
		{"http://[fec0:::2]/", HTTP_E_BAD_URL, "three colons"},
		{"http://[1::2::3]/", HTTP_E_BAD_URL, "two elisions"},
		{"http://[1:2:3:4:5:6:7:8:9]/", HTTP_E_BAD_URL, "nine groups"},
		{"http://[1:2:3:4:5:6:7]/", HTTP_E_BAD_URL, "seven groups, no elision"},
		{"http://[12345::1]/", HTTP_E_BAD_URL, "five hex digits"},
		{"http://[:1]/", HTTP_E_BAD_URL, "one leading colon"},
		{"http://[1:]/", HTTP_E_BAD_URL, "one trailing colon"},
		{"http://[fe80::1%25eth0]/", HTTP_E_BAD_URL, "zone identifier"},
		{"http://[::1.2.3]/", HTTP_E_BAD_URL, "short IPv4 tail"},
		{"http://[example.com]/", HTTP_E_BAD_URL, "a name in brackets"},
		{"http://256.1.1.1/", HTTP_E_BAD_URL, "IPv4 part over 255"},
		{"http://1.2.3/", HTTP_E_BAD_URL, "three IPv4 parts"},
		{"http://1.2.3.4.5/", HTTP_E_BAD_URL, "five IPv4 parts"},
		{"http://01.2.3.4/", HTTP_E_BAD_URL, "IPv4 leading zero"},
		{"http://a..b/", HTTP_E_BAD_URL, "empty label"},
		{"http://.a/", HTTP_E_BAD_URL, "leading dot"},
		{"http://-a.com/", HTTP_E_BAD_URL, "label starts with '-'"},
		{"http://a-.com/", HTTP_E_BAD_URL, "label ends with '-'"},
		{"http://a%20b/", HTTP_E_BAD_URL, "percent in a host"},
		{"http://a!b/", HTTP_E_BAD_URL, "punctuation in a host"},
	};
	for (const Rejection &c : cases)
		EXPECT_EQ(Parse(c.url).err, c.err) << c.url << " (" << c.why << ")";
}

TEST(HttpUrl, HostLimits)
{
	std::string label63(63, 'a'), label64(64, 'a');
	EXPECT_EQ(Parse("http://" + label63 + ".com/").err, HTTP_OK);
	EXPECT_EQ(Parse("http://" + label64 + ".com/").err, HTTP_E_BAD_URL);
	std::string name = label63 + "." + label63 + "." + label63 + "." + std::string(61, 'b');
	ASSERT_EQ(name.size(), HTTP_HOST_MAX);
	EXPECT_EQ(Parse("http://" + name + "/").err, HTTP_OK);
	EXPECT_EQ(Parse("http://" + name + "b/").err, HTTP_E_BAD_URL);
	EXPECT_EQ(Parse("http://example.com./").err, HTTP_OK) << "a fully qualified name";
}

TEST(HttpUrl, UrlLength)
{
	std::string prefix = "http://h/";
	std::string at_limit = prefix + std::string(HTTP_URL_MAX - prefix.size(), 'x');
	EXPECT_EQ(Canonical(at_limit), at_limit);
	EXPECT_EQ(Parse(at_limit + "y").err, HTTP_E_URL_TOO_LONG);
	EXPECT_EQ(Parse(at_limit + "#a-fragment-is-not-counted").err, HTTP_OK);
	std::string short_form = "http://h:80/" + std::string(HTTP_URL_MAX - prefix.size(), 'x');
	EXPECT_EQ(Canonical(short_form), at_limit) << "the limit is on the canonical form";
}

TEST(HttpUrl, DotSegments)
{
	EXPECT_STREQ(Parse("http://h/a/./b/../c").url.target, "/a/c");
	EXPECT_STREQ(Parse("http://h/a/b/..").url.target, "/a/");
	EXPECT_STREQ(Parse("http://h/a/b/.").url.target, "/a/b/");
	EXPECT_STREQ(Parse("http://h/../../x").url.target, "/x");
	EXPECT_STREQ(Parse("http://h/..").url.target, "/");
	EXPECT_STREQ(Parse("http://h/a//b/").url.target, "/a//b/");
	EXPECT_STREQ(Parse("http://h/.a/..b/...").url.target, "/.a/..b/...");
	EXPECT_STREQ(Parse("http://h/a/..?x=/../").url.target, "/?x=/../") << "queries are kept";
}

TEST(HttpUrl, CanonicalFormAndAuthority)
{
	EXPECT_EQ(Canonical("http://[fec0::2]:8080/x"), "http://[fec0::2]:8080/x");
	EXPECT_EQ(Canonical("HTTP://H:80"), "http://h/");
	EXPECT_EQ(Canonical("https://h:443/a"), "https://h/a");
	EXPECT_EQ(Canonical("https://h:80/a"), "https://h:80/a");
	EXPECT_EQ(Canonical("http://[::1]/"), "http://[::1]/");

	Parsed p = Parse("http://[fec0::2]:8080/x");
	char buf[64];
	EXPECT_EQ(http_url_authority(&p.url, buf, sizeof(buf)), 14);
	EXPECT_STREQ(buf, "[fec0::2]:8080");
	p = Parse("http://example.com/");
	EXPECT_EQ(http_url_authority(&p.url, buf, sizeof(buf)), 11);
	EXPECT_STREQ(buf, "example.com");
	EXPECT_EQ(http_url_authority(&p.url, buf, 11), HTTP_E_URL_TOO_LONG)
		<< "no room for the NUL";
	EXPECT_EQ(http_url_format(&p.url, buf, 19), HTTP_E_URL_TOO_LONG);
	EXPECT_EQ(http_url_format(&p.url, buf, 20), 19);
	EXPECT_STREQ(buf, "http://example.com/");
}

// The canonical form of ref resolved against base, or "error N".
std::string Resolve(const char *base, const char *ref)
{
	Parsed b = Parse(base);
	EXPECT_EQ(b.err, HTTP_OK) << base;
	http_url out;
	int err = http_url_resolve(&b.url, ref, &out);
	return err ? "error " + std::to_string(err) : Format(out);
}

TEST(HttpUrl, ResolveReferences)
{
	const char *base = "http://a.example:8080/d1/d2/page?q=1#f";
	struct {
		const char *ref;
		std::string want;
	} cases[] = {
		{"http://other.example/x", "http://other.example/x"},
		{"HTTP://Other.Example:81", "http://other.example:81/"},
		{"https://s.example/y", "https://s.example/y"},
		{"//b.example/y", "http://b.example/y"},
		{"//[fec0::2]:9/z?k", "http://[fec0::2]:9/z?k"},
		{"/x", "http://a.example:8080/x"},
		{"/x/../y?z", "http://a.example:8080/y?z"},
		{"x", "http://a.example:8080/d1/d2/x"},
		{"x/", "http://a.example:8080/d1/d2/x/"},
		{"./x", "http://a.example:8080/d1/d2/x"},
		{"../x", "http://a.example:8080/d1/x"},
		{"../../x", "http://a.example:8080/x"},
		{"../../../../x", "http://a.example:8080/x"},
		{".", "http://a.example:8080/d1/d2/"},
		{"..", "http://a.example:8080/d1/"},
		{"./", "http://a.example:8080/d1/d2/"},
		{"x?y=1", "http://a.example:8080/d1/d2/x?y=1"},
		{"?z=2", "http://a.example:8080/d1/d2/page?z=2"},
		{"", "http://a.example:8080/d1/d2/page?q=1"},
		{"#other", "http://a.example:8080/d1/d2/page?q=1"},
		{"x#frag", "http://a.example:8080/d1/d2/x"},
		{"x:y", "error " + std::to_string(HTTP_E_UNSUPPORTED_SCHEME)},
		{"ftp://h/", "error " + std::to_string(HTTP_E_UNSUPPORTED_SCHEME)},
		{"//", "error " + std::to_string(HTTP_E_BAD_URL)},
		{"//u@h/", "error " + std::to_string(HTTP_E_BAD_URL)},
		{"a b", "error " + std::to_string(HTTP_E_BAD_URL)},
		{"./x:y", "http://a.example:8080/d1/d2/x:y"},
	};
	for (auto &c : cases)
		EXPECT_EQ(Resolve(base, c.ref), c.want) << "ref \"" << c.ref << "\"";
}

TEST(HttpUrl, ResolveAgainstTheRootAndIpv6)
{
	EXPECT_EQ(Resolve("http://h", "x"), "http://h/x");
	EXPECT_EQ(Resolve("http://h/", "../x"), "http://h/x");
	EXPECT_EQ(Resolve("http://h/file", "?q"), "http://h/file?q");
	EXPECT_EQ(Resolve("http://[fec0::2]:8080/a/b", "c"), "http://[fec0::2]:8080/a/c");
	EXPECT_EQ(Resolve("https://h/a/b", "//g/x"), "https://g/x") << "the base's scheme";
}

TEST(HttpUrl, ResolveLimits)
{
	std::string base = "http://h/" + std::string(HTTP_URL_MAX - 20, 'd') + "/page";
	ASSERT_EQ(Parse(base).err, HTTP_OK);
	EXPECT_EQ(Resolve(base.c_str(), "a-long-name-that-does-not-fit"),
		  "error " + std::to_string(HTTP_E_URL_TOO_LONG));
	EXPECT_EQ(Resolve(base.c_str(), "/short"), "http://h/short");
	std::string long_ref(HTTP_URL_MAX + 1, 'r');
	EXPECT_EQ(Resolve("http://h/", long_ref.c_str()),
		  "error " + std::to_string(HTTP_E_URL_TOO_LONG));
}

} // namespace
