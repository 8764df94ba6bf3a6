// The request text, byte for byte: request line, Host (port, IPv6
// brackets), User-Agent, Accept, Connection; and the buffer limit.
#include <gtest/gtest.h>

#include <string>

extern "C" {
#include <viper/http_request.h>
}

namespace
{

std::string Request(const char *url)
{
	http_url u;
	EXPECT_EQ(http_url_parse(url, &u), HTTP_OK) << url;
	char buf[HTTP_REQUEST_MAX + 1];
	int n = http_request_format(&u, buf, sizeof(buf));
	EXPECT_GT(n, 0);
	EXPECT_EQ((size_t)n, strlen(buf));
	return n > 0 ? std::string(buf, (size_t)n) : "";
}

TEST(HttpRequest, ExactText)
{
	EXPECT_EQ(Request("http://example.com/index.html?lang=en#top"),
		  "GET /index.html?lang=en HTTP/1.1\r\n"
		  "Host: example.com\r\n"
		  "User-Agent: ViperOS-Fetch/1.0\r\n"
		  "Accept: */*\r\n"
		  "Connection: close\r\n"
		  "\r\n");
}

TEST(HttpRequest, HostCarriesAPortOnlyWhenNotTheDefault)
{
	EXPECT_EQ(Request("http://Example.com:80"),
		  "GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: ViperOS-Fetch/1.0\r\n"
		  "Accept: */*\r\nConnection: close\r\n\r\n");
	EXPECT_EQ(Request("http://10.0.2.2:8000/f"),
		  "GET /f HTTP/1.1\r\nHost: 10.0.2.2:8000\r\nUser-Agent: ViperOS-Fetch/1.0\r\n"
		  "Accept: */*\r\nConnection: close\r\n\r\n");
}

TEST(HttpRequest, Ipv6HostInBrackets)
{
	EXPECT_EQ(Request("http://[fec0::2]:8080/x"),
		  "GET /x HTTP/1.1\r\nHost: [fec0::2]:8080\r\nUser-Agent: ViperOS-Fetch/1.0\r\n"
		  "Accept: */*\r\nConnection: close\r\n\r\n");
	EXPECT_EQ(Request("http://[::1]/"),
		  "GET / HTTP/1.1\r\nHost: [::1]\r\nUser-Agent: ViperOS-Fetch/1.0\r\n"
		  "Accept: */*\r\nConnection: close\r\n\r\n");
}

TEST(HttpRequest, LongestUrlFitsTheBuffer)
{
	std::string host = std::string(63, 'h') + "." + std::string(63, 'h') + "." +
			   std::string(63, 'h') + "." + std::string(61, 'h');
	std::string url = "http://" + host + ":65535/";
	url += std::string(HTTP_URL_MAX - url.size(), 'p');
	std::string text = Request(url.c_str());
	EXPECT_LE(text.size(), HTTP_REQUEST_MAX);
	EXPECT_EQ(text.substr(0, 5), "GET /");
	EXPECT_NE(text.find("\r\nHost: " + host + ":65535\r\n"), std::string::npos);
}

TEST(HttpRequest, SmallBufferIsRefused)
{
	http_url u;
	ASSERT_EQ(http_url_parse("http://example.com/", &u), HTTP_OK);
	char buf[200];
	int n = http_request_format(&u, buf, sizeof(buf));
	ASSERT_GT(n, 0);
	EXPECT_EQ(http_request_format(&u, buf, (size_t)n), HTTP_E_URL_TOO_LONG);
	EXPECT_EQ(http_request_format(&u, buf, 10), HTTP_E_URL_TOO_LONG);
	EXPECT_EQ(http_request_format(&u, buf, (size_t)n + 1), n);
}

} // namespace
