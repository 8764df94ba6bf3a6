// http_get over the scripted transport: the request sent, the body
// delivered, redirects followed, refused and caught looping, error
// statuses, transport errors passed through, a sink that stops the
// transfer, and the error messages.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fake_transport.h"

extern "C" {
#include <viper/http.h>
}

namespace
{

std::string RequestFor(const std::string &target, const std::string &host)
{
	return "GET " + target + " HTTP/1.1\r\nHost: " + host +
	       "\r\nUser-Agent: ViperOS-Fetch/1.0\r\nAccept: */*\r\nConnection: close\r\n\r\n";
}

std::string Ok(const std::string &body)
{
	return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
	       body;
}

std::string Redirect(int status, const std::string &location)
{
	return "HTTP/1.1 " + std::to_string(status) + " Moved\r\nLocation: " + location +
	       "\r\nContent-Length: 9\r\n\r\nredirect!";
}

// What the sink and the progress callback saw.
struct Receiver {
	std::string body;
	int sink_calls = 0;
	size_t fail_after = SIZE_MAX; // refuse the slice that would pass this many bytes
	std::vector<std::pair<uint64_t, int64_t>> progress;
};

int Sink(void *ctx, const uint8_t *data, size_t len)
{
	Receiver *r = static_cast<Receiver *>(ctx);
	r->sink_calls++;
	if (r->body.size() + len > r->fail_after)
		return -28; // the caller's own code: "disk full"
	r->body.append(reinterpret_cast<const char *>(data), len);
	return 0;
}

void Progress(void *ctx, uint64_t received, int64_t total)
{
	static_cast<Receiver *>(ctx)->progress.push_back({received, total});
}

struct Get {
	FakeTransport fake;
	Receiver rx;
	http_get_options opt;
	http_result res;

	Get()
	{
		http_get_options_init(&opt);
		opt.sink = Sink;
		opt.progress = Progress;
		opt.ctx = &rx;
	}

	int Run(const char *url)
	{
		http_transport t = fake.Table();
		int err = http_get(&t, url, &opt, &res);
		EXPECT_EQ(res.error, err);
		for (size_t i = 0; i < fake.script.size() && i < fake.connects; i++)
			EXPECT_EQ(fake.At(i).closes, fake.At(i).connect_error ? 0 : 1)
				<< "exchange " << i;
		return err;
	}
};

TEST(HttpGet, OneRequestAndItsBody)
{
	Get g;
	g.fake.Add("example.com", 80, Ok("hello, world"), 5);
	ASSERT_EQ(g.Run("http://Example.com/index.html?x=1#top"), HTTP_OK);
	EXPECT_EQ(g.fake.connects, 1u);
	EXPECT_EQ(g.fake.At(0).sent, RequestFor("/index.html?x=1", "example.com"));
	EXPECT_EQ(g.fake.At(0).timeout_ms, HTTP_TIMEOUT_DEFAULT);
	EXPECT_EQ(g.rx.body, "hello, world");
	EXPECT_EQ(g.res.status, 200);
	EXPECT_STREQ(g.res.reason, "OK");
	EXPECT_EQ(g.res.body_bytes, 12u);
	EXPECT_EQ(g.res.content_length, 12);
	EXPECT_FALSE(g.res.chunked);
	EXPECT_EQ(g.res.redirects, 0u);
	EXPECT_STREQ(http_result_url(&g.res), "http://example.com/index.html?x=1");
	EXPECT_EQ(g.fake.At(0).recv_calls, 11)
		<< "51 bytes in fives: stops at the length, not the close";
}

TEST(HttpGet, ProgressAndTimeout)
{
	Get g;
	g.opt.timeout_ms = 1234;
	g.fake.Add("10.0.2.2", 8000, Ok("0123456789"), 45);
	ASSERT_EQ(g.Run("http://10.0.2.2:8000/f"), HTTP_OK);
	EXPECT_EQ(g.fake.At(0).timeout_ms, 1234u);
	EXPECT_EQ(g.fake.At(0).sent, RequestFor("/f", "10.0.2.2:8000"));
	// The header block is 39 bytes: the first slice carries 6 body bytes, the next 4.
	std::vector<std::pair<uint64_t, int64_t>> want = {{0, 10}, {6, 10}, {10, 10}};
	EXPECT_EQ(g.rx.progress, want);
}

TEST(HttpGet, ChunkedBodyAndUnknownTotal)
{
	Get g;
	g.fake.Add("fec0::2", 8080,
		   "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		   "3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n",
		   1);
	ASSERT_EQ(g.Run("http://[fec0::2]:8080/x"), HTTP_OK);
	EXPECT_EQ(g.fake.At(0).sent, RequestFor("/x", "[fec0::2]:8080"));
	EXPECT_EQ(g.rx.body, "abcde");
	EXPECT_TRUE(g.res.chunked);
	EXPECT_EQ(g.res.content_length, HTTP_LENGTH_UNKNOWN);
	std::vector<std::pair<uint64_t, int64_t>> want = {{0, -1}, {1, -1}, {2, -1},
							  {3, -1}, {4, -1}, {5, -1}};
	EXPECT_EQ(g.rx.progress, want) << "0, then one a byte";
}

TEST(HttpGet, BodyUntilCloseAndNullOptions)
{
	FakeTransport fake;
	fake.Add("h", 80, "HTTP/1.0 200 OK\r\n\r\nall of it", 4);
	http_transport t = fake.Table();
	http_result res;
	ASSERT_EQ(http_get(&t, "http://h", nullptr, &res), HTTP_OK);
	EXPECT_EQ(res.body_bytes, 9u) << "no sink: counted and dropped";
	EXPECT_EQ(res.content_length, HTTP_LENGTH_UNKNOWN);
	EXPECT_EQ(fake.At(0).timeout_ms, HTTP_TIMEOUT_DEFAULT);
	EXPECT_EQ(fake.At(0).closes, 1);
}

TEST(HttpGet, PartialSends)
{
	Get g;
	g.fake.Add("h", 80, Ok("x")).send_limit = 7;
	ASSERT_EQ(g.Run("http://h/some/longer/path"), HTTP_OK);
	EXPECT_EQ(g.fake.At(0).sent, RequestFor("/some/longer/path", "h"));
}

TEST(HttpGet, RedirectChainOfThree)
{
	Get g;
	g.fake.Add("a.example", 80, Redirect(301, "http://b.example:8080/two"));
	g.fake.Add("b.example", 8080, Redirect(302, "/three?q=1"));
	g.fake.Add("b.example", 8080, Redirect(307, "//c.example/four"));
	g.fake.Add("c.example", 80, Ok("landed"));
	ASSERT_EQ(g.Run("http://a.example/one"), HTTP_OK);
	EXPECT_EQ(g.fake.connects, 4u);
	EXPECT_EQ(g.fake.At(0).sent, RequestFor("/one", "a.example"));
	EXPECT_EQ(g.fake.At(1).sent, RequestFor("/two", "b.example:8080"));
	EXPECT_EQ(g.fake.At(2).sent, RequestFor("/three?q=1", "b.example:8080"));
	EXPECT_EQ(g.fake.At(3).sent, RequestFor("/four", "c.example"));
	EXPECT_EQ(g.res.redirects, 3u);
	EXPECT_STREQ(g.res.chain[0], "http://a.example/one");
	EXPECT_STREQ(g.res.chain[1], "http://b.example:8080/two");
	EXPECT_STREQ(g.res.chain[2], "http://b.example:8080/three?q=1");
	EXPECT_STREQ(g.res.chain[3], "http://c.example/four");
	EXPECT_STREQ(http_result_url(&g.res), "http://c.example/four");
	EXPECT_EQ(g.rx.body, "landed") << "redirect bodies never reach the sink";
	EXPECT_EQ(g.rx.sink_calls, 1);
	EXPECT_EQ(g.res.status, 200);
}

TEST(HttpGet, EveryRedirectStatusIsFollowed)
{
	for (int status : {301, 302, 303, 307, 308}) {
		Get g;
		g.fake.Add("h", 80, Redirect(status, "/new"));
		g.fake.Add("h", 80, Ok("new"));
		EXPECT_EQ(g.Run("http://h/old"), HTTP_OK) << status;
		EXPECT_EQ(g.fake.At(1).sent, RequestFor("/new", "h")) << "GET again: " << status;
		EXPECT_EQ(g.res.redirects, 1u);
		EXPECT_EQ(g.rx.body, "new");
	}
	for (int status : {300, 304, 305, 306}) {
		Get g;
		g.fake.Add("h", 80,
			   "HTTP/1.1 " + std::to_string(status) + " X\r\nLocation: /new\r\n\r\n");
		EXPECT_EQ(g.Run("http://h/old"), HTTP_E_STATUS) << status;
		EXPECT_EQ(g.res.status, status);
		EXPECT_EQ(g.fake.connects, 1u);
	}
}

TEST(HttpGet, RelativeLocations)
{
	Get g;
	g.fake.Add("h", 80, Redirect(302, "../other/page?x=1#frag"));
	g.fake.Add("h", 80, Redirect(302, "sibling"));
	g.fake.Add("h", 80, Ok(""));
	ASSERT_EQ(g.Run("http://h/dir/sub/start"), HTTP_OK);
	EXPECT_EQ(g.fake.At(1).sent, RequestFor("/dir/other/page?x=1", "h"));
	EXPECT_EQ(g.fake.At(2).sent, RequestFor("/dir/other/sibling", "h"));
	EXPECT_EQ(g.res.body_bytes, 0u);
	EXPECT_EQ(g.res.content_length, 0);
}

TEST(HttpGet, SixRedirectsAreRefused)
{
	Get g;
	for (int i = 0; i < 6; i++)
		g.fake.Add("h", 80, Redirect(302, "/r" + std::to_string(i + 1)));
	EXPECT_EQ(g.Run("http://h/r0"), HTTP_E_TOO_MANY_REDIRECTS);
	EXPECT_EQ(g.fake.connects, 6u) << "five redirects followed, the sixth refused";
	EXPECT_EQ(g.res.redirects, 5u);
	EXPECT_STREQ(http_result_url(&g.res), "http://h/r5");
	EXPECT_EQ(g.res.status, 302);
	EXPECT_EQ(g.rx.sink_calls, 0);
}

TEST(HttpGet, FiveRedirectsAreFollowed)
{
	Get g;
	for (int i = 0; i < 5; i++)
		g.fake.Add("h", 80, Redirect(301, "/r" + std::to_string(i + 1)));
	g.fake.Add("h", 80, Ok("five"));
	EXPECT_EQ(g.Run("http://h/r0"), HTTP_OK);
	EXPECT_EQ(g.res.redirects, 5u);
	EXPECT_EQ(g.rx.body, "five");
}

TEST(HttpGet, MaxRedirectsOption)
{
	Get g;
	g.opt.max_redirects = 0;
	g.fake.Add("h", 80, Redirect(302, "/next"));
	EXPECT_EQ(g.Run("http://h/"), HTTP_E_TOO_MANY_REDIRECTS);
	EXPECT_EQ(g.fake.connects, 1u);

	Get many;
	many.opt.max_redirects = HTTP_REDIRECTS_MAX;
	for (unsigned i = 0; i < HTTP_REDIRECTS_MAX; i++)
		many.fake.Add("h", 80, Redirect(302, "/r" + std::to_string(i + 1)));
	many.fake.Add("h", 80, Ok("end"));
	EXPECT_EQ(many.Run("http://h/r0"), HTTP_OK);
	EXPECT_EQ(many.res.redirects, HTTP_REDIRECTS_MAX);
	EXPECT_STREQ(http_result_url(&many.res),
		     ("http://h/r" + std::to_string(HTTP_REDIRECTS_MAX)).c_str());

	Get over;
	over.opt.max_redirects = HTTP_REDIRECTS_MAX + 1;
	EXPECT_EQ(over.Run("http://h/"), HTTP_E_INVALID);
	EXPECT_EQ(over.fake.connects, 0u);
}

TEST(HttpGet, RedirectLoops)
{
	Get g;
	g.fake.Add("a", 80, Redirect(302, "http://b/"));
	g.fake.Add("b", 80, Redirect(302, "http://A:80/#again"));
	EXPECT_EQ(g.Run("http://a/"), HTTP_E_REDIRECT_LOOP);
	EXPECT_EQ(g.fake.connects, 2u) << "a, b, and a is not asked again";
	EXPECT_EQ(g.res.redirects, 1u);

	Get self;
	self.fake.Add("h", 80, Redirect(301, "/same/./page"));
	EXPECT_EQ(self.Run("http://h/same/page"), HTTP_E_REDIRECT_LOOP);
	EXPECT_EQ(self.fake.connects, 1u);

	Get longest; // a b c d e a: the fifth redirect goes back, before a sixth request
	for (const char *next : {"/b", "/c", "/d", "/e", "/a"})
		longest.fake.Add("h", 80, Redirect(308, next));
	EXPECT_EQ(longest.Run("http://h/a"), HTTP_E_REDIRECT_LOOP);
	EXPECT_EQ(longest.fake.connects, 5u);
	EXPECT_EQ(longest.res.redirects, 4u);
}

TEST(HttpGet, BadRedirects)
{
	Get none;
	none.fake.Add("h", 80, "HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n");
	EXPECT_EQ(none.Run("http://h/"), HTTP_E_BAD_RESPONSE) << "no Location";
	EXPECT_EQ(none.fake.connects, 1u);

	Get malformed;
	malformed.fake.Add("h", 80, Redirect(302, "http://user@evil/"));
	EXPECT_EQ(malformed.Run("http://h/"), HTTP_E_BAD_RESPONSE);

	Get ftp;
	ftp.fake.Add("h", 80, Redirect(302, "ftp://files/x"));
	EXPECT_EQ(ftp.Run("http://h/"), HTTP_E_UNSUPPORTED_SCHEME);

	Get tls;
	tls.fake.Add("h", 80, Redirect(301, "https://h/secure"));
	EXPECT_EQ(tls.Run("http://h/"), HTTP_E_UNSUPPORTED_SCHEME) << "no https transport given";
	EXPECT_EQ(tls.fake.connects, 1u) << "nothing sent in the clear";
	EXPECT_EQ(tls.res.redirects, 1u);
	EXPECT_STREQ(http_result_url(&tls.res), "https://h/secure");

	Get too_long;
	too_long.fake.Add("h", 80, Redirect(302, "/" + std::string(HTTP_URL_MAX + 10, 'x')));
	EXPECT_EQ(too_long.Run("http://h/"), HTTP_E_URL_TOO_LONG);
}

TEST(HttpGet, ErrorStatusIsReportedWithoutItsBody)
{
	Get g;
	g.fake.Add("h", 80, "HTTP/1.1 404 Not Found\r\nContent-Length: 13\r\n\r\nno such page!");
	EXPECT_EQ(g.Run("http://h/missing"), HTTP_E_STATUS);
	EXPECT_EQ(g.res.status, 404);
	EXPECT_STREQ(g.res.reason, "Not Found");
	EXPECT_EQ(g.res.content_length, 13);
	EXPECT_EQ(g.res.body_bytes, 0u);
	EXPECT_EQ(g.rx.sink_calls, 0);
	EXPECT_TRUE(g.rx.progress.empty());
	EXPECT_STREQ(http_error_message(g.res.error), "HTTP error status");

	Get server;
	server.fake.Add("h", 80, "HTTP/1.0 503 Service Unavailable\r\n\r\n");
	EXPECT_EQ(server.Run("http://h/"), HTTP_E_STATUS);
	EXPECT_EQ(server.res.status, 503);
	EXPECT_STREQ(server.res.reason, "Service Unavailable");
}

TEST(HttpGet, NoContentIsSuccess)
{
	Get g;
	g.fake.Add("h", 80, "HTTP/1.1 204 No Content\r\n\r\n").end = HTTP_E_TIMED_OUT;
	EXPECT_EQ(g.Run("http://h/"), HTTP_OK) << "complete without waiting for the close";
	EXPECT_EQ(g.res.status, 204);
	EXPECT_EQ(g.res.body_bytes, 0u);
	EXPECT_EQ(g.fake.At(0).recv_calls, 1);
}

TEST(HttpGet, TransportErrorsPassThrough)
{
	for (int err : {HTTP_E_CONNECTION_REFUSED, HTTP_E_NO_SUCH_HOST, HTTP_E_TIMED_OUT,
			HTTP_E_NETWORK_UNREACHABLE, HTTP_E_NO_MEMORY}) {
		Get g;
		g.fake.Add("h", 80, "").connect_error = err;
		EXPECT_EQ(g.Run("http://h/"), err);
		EXPECT_EQ(g.fake.At(0).closes, 0) << "no close without a connection";
		EXPECT_EQ(g.res.status, 0);
	}

	Get timeout;
	timeout.fake.Add("h", 80, "HTTP/1.1 200 OK\r\n").end = HTTP_E_TIMED_OUT;
	EXPECT_EQ(timeout.Run("http://h/"), HTTP_E_TIMED_OUT);
	EXPECT_EQ(timeout.res.status, 0);

	Get reset;
	reset.fake.Add("h", 80, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123").end =
		HTTP_E_CONNECTION_RESET;
	EXPECT_EQ(reset.Run("http://h/"), HTTP_E_CONNECTION_RESET);
	EXPECT_EQ(reset.res.body_bytes, 4u);
	EXPECT_EQ(reset.rx.body, "0123");

	Get send;
	send.fake.Add("h", 80, "").send_error = HTTP_E_CONNECTION_RESET;
	EXPECT_EQ(send.Run("http://h/"), HTTP_E_CONNECTION_RESET);
	EXPECT_EQ(send.fake.At(0).recv_calls, 0);

	Get odd;
	odd.fake.Add("h", 80, "").connect_error = -999;
	EXPECT_EQ(odd.Run("http://h/"), HTTP_E_NETWORK) << "a code outside enum http_error";

	Get silent;
	silent.fake.Add("h", 80, "");
	EXPECT_EQ(silent.Run("http://h/"), HTTP_E_NO_RESPONSE);
}

TEST(HttpGet, TruncatedBodyReportsTheCounts)
{
	Get g;
	g.fake.Add("h", 80, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123");
	EXPECT_EQ(g.Run("http://h/"), HTTP_E_TRUNCATED);
	EXPECT_EQ(g.res.body_bytes, 4u);
	EXPECT_EQ(g.res.content_length, 10);
	EXPECT_EQ(g.rx.body, "0123");

	Get chunked;
	chunked.fake.Add("h", 80, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab");
	EXPECT_EQ(chunked.Run("http://h/"), HTTP_E_TRUNCATED);
	EXPECT_EQ(chunked.res.body_bytes, 2u);
	EXPECT_TRUE(chunked.res.chunked);

	Get bad;
	bad.fake.Add("h", 80, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
	EXPECT_EQ(bad.Run("http://h/"), HTTP_E_BAD_CHUNK);
}

TEST(HttpGet, SinkErrorStopsTheTransfer)
{
	Get g;
	g.rx.fail_after = 7;
	g.fake.Add("h", 80, Ok(std::string(100, 'z')), 45); // 40 bytes of header block
	EXPECT_EQ(g.Run("http://h/"), HTTP_E_SINK);
	EXPECT_EQ(g.res.sink_error, -28);
	EXPECT_EQ(g.res.body_bytes, 5u) << "the first slice's 5 bytes, not the next 45";
	EXPECT_EQ(g.rx.body, "zzzzz");
	EXPECT_EQ(g.rx.sink_calls, 2);
	EXPECT_EQ(g.fake.At(0).recv_calls, 2) << "nothing read after the refusal";
	EXPECT_STREQ(http_error_message(HTTP_E_SINK), "the receiver refused the data");
}

// https URLs go through the options' https transport, http ones through
// http_get's own, and redirects cross between them both ways.
TEST(HttpGet, HttpsThroughItsOwnTransport)
{
	Get g;
	FakeTransport secure;
	http_transport s = secure.Table();
	g.opt.https = &s;
	g.fake.Add("h", 80, Redirect(301, "https://h/secure"));
	secure.Add("h", 443, Redirect(302, "http://other:8080/plain"));
	g.fake.Add("other", 8080, Redirect(307, "https://h:8443/last"));
	secure.Add("h", 8443, Ok("over TLS"));
	ASSERT_EQ(g.Run("http://h/"), HTTP_OK);
	EXPECT_EQ(g.rx.body, "over TLS");
	EXPECT_EQ(g.fake.connects, 2u);
	EXPECT_EQ(secure.connects, 2u);
	EXPECT_EQ(secure.At(0).closes, 1);
	EXPECT_EQ(secure.At(1).closes, 1);
	EXPECT_NE(secure.At(1).sent.find("GET /last HTTP/1.1\r\nHost: h:8443\r\n"),
		  std::string::npos);
	EXPECT_EQ(g.res.redirects, 3u);
	EXPECT_STREQ(http_result_url(&g.res), "https://h:8443/last");

	Get direct;
	FakeTransport secure2;
	http_transport s2 = secure2.Table();
	direct.opt.https = &s2;
	secure2.Add("h", 443, Ok("direct"));
	ASSERT_EQ(direct.Run("https://h/"), HTTP_OK);
	EXPECT_EQ(direct.fake.connects, 0u) << "nothing in the clear";
	EXPECT_EQ(direct.rx.body, "direct");

	Get broken;
	http_transport half = s2;
	half.recv = nullptr;
	broken.opt.https = &half;
	EXPECT_EQ(broken.Run("http://h/"), HTTP_E_INVALID) << "an https transport without recv";
	EXPECT_EQ(broken.fake.connects, 0u);
}

TEST(HttpGet, NothingReachesTheTransportBeforeTheUrlIsChecked)
{
	for (const char *url : {"example.com", "http://", "http://h:0/", "http://u@h/"}) {
		Get g;
		EXPECT_EQ(g.Run(url), HTTP_E_BAD_URL) << url;
		EXPECT_EQ(g.fake.connects, 0u);
		EXPECT_STREQ(http_result_url(&g.res), "");
	}
	Get tls;
	EXPECT_EQ(tls.Run("https://h/"), HTTP_E_UNSUPPORTED_SCHEME);
	EXPECT_EQ(tls.fake.connects, 0u);
	EXPECT_STREQ(http_result_url(&tls.res), "https://h/");
	Get ftp;
	EXPECT_EQ(ftp.Run("ftp://h/"), HTTP_E_UNSUPPORTED_SCHEME);

	FakeTransport fake;
	http_transport t = fake.Table();
	http_result res;
	EXPECT_EQ(http_get(&t, nullptr, nullptr, &res), HTTP_E_INVALID);
	EXPECT_EQ(http_get(nullptr, "http://h/", nullptr, &res), HTTP_E_INVALID);
	EXPECT_EQ(http_get(&t, "http://h/", nullptr, nullptr), HTTP_E_INVALID);
	t.recv = nullptr;
	EXPECT_EQ(http_get(&t, "http://h/", nullptr, &res), HTTP_E_INVALID);
	EXPECT_EQ(res.error, HTTP_E_INVALID);
	EXPECT_EQ(fake.connects, 0u);
}

TEST(HttpError, Messages)
{
	EXPECT_STREQ(http_error_message(HTTP_OK), "success");
	EXPECT_STREQ(http_error_message(HTTP_E_BAD_URL), "bad URL");
	EXPECT_STREQ(http_error_message(HTTP_E_UNSUPPORTED_SCHEME), "unsupported scheme");
	EXPECT_STREQ(http_error_message(HTTP_E_NO_SUCH_HOST), "no such host");
	EXPECT_STREQ(http_error_message(HTTP_E_CONNECTION_REFUSED), "connection refused");
	EXPECT_STREQ(http_error_message(HTTP_E_CONNECTION_RESET), "connection reset");
	EXPECT_STREQ(http_error_message(HTTP_E_TIMED_OUT), "timed out");
	EXPECT_STREQ(http_error_message(HTTP_E_NETWORK_UNREACHABLE), "network unreachable");
	EXPECT_STREQ(http_error_message(HTTP_E_TRUNCATED), "truncated body");
	EXPECT_STREQ(http_error_message(HTTP_E_BAD_CHUNK), "bad chunk in a chunked body");
	EXPECT_STREQ(http_error_message(HTTP_E_BAD_RESPONSE), "bad response");
	EXPECT_STREQ(http_error_message(HTTP_E_TOO_MANY_REDIRECTS), "too many redirects");
	EXPECT_STREQ(http_error_message(HTTP_E_REDIRECT_LOOP), "redirect loop");
	EXPECT_STREQ(http_error_message(HTTP_E_STATUS), "HTTP error status");
	EXPECT_STREQ(http_error_message(HTTP_E_NO_MEMORY), "out of memory");
	EXPECT_STREQ(http_error_message(1), "unknown error");
	EXPECT_STREQ(http_error_message(HTTP_E_LOWEST - 1), "unknown error");
	std::vector<std::string> seen;
	for (int err = 0; err >= HTTP_E_LOWEST; err--) {
		ASSERT_TRUE(http_error_is_known(err));
		const char *m = http_error_message(err);
		ASSERT_NE(m, nullptr) << err;
		EXPECT_GT(strlen(m), 0u) << err;
		for (const std::string &s : seen)
			EXPECT_NE(s, m) << "two codes, one message: " << err;
		seen.push_back(m);
	}
	EXPECT_FALSE(http_error_is_known(HTTP_E_LOWEST - 1));
	EXPECT_FALSE(http_error_is_known(1));
}

TEST(HttpGet, StatusPredicate)
{
	for (int s : {301, 302, 303, 307, 308})
		EXPECT_TRUE(http_status_is_redirect(s)) << s;
	for (int s : {200, 300, 304, 305, 306, 309, 404})
		EXPECT_FALSE(http_status_is_redirect(s)) << s;
}

} // namespace
