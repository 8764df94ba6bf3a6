// The response parser: status lines, fields, Content-Length, chunked
// framing, bodies until the close, limits and every malformation, each fed
// in one slice, one byte at a time, split at every byte boundary, or in
// random slices.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

extern "C" {
#include <viper/http_response.h>
}

namespace
{

struct Outcome {
	int headers = 0;   // HTTP_PARSE_HEADERS events
	bool done = false; // HTTP_PARSE_DONE came before the end of the input
	int result = 0;	   // the first error, or what http_response_finish returned
	size_t unused = 0; // input bytes after the response
	std::string body;  // what the sink got
	http_response r;
};

// A sink that appends to the Outcome's body; fails with fail_with once
// the body would pass fail_after bytes.
struct Sink {
	std::string *body;
	size_t fail_after = SIZE_MAX;
	int fail_with = 0;
	int calls = 0;
};

int SinkAppend(void *ctx, const uint8_t *data, size_t len)
{
	Sink *s = static_cast<Sink *>(ctx);
	EXPECT_GT(len, 0u);
	s->calls++;
	if (s->body->size() + len > s->fail_after)
		return s->fail_with;
	s->body->append(reinterpret_cast<const char *>(data), len);
	return 0;
}

// Feeds `wire` cut into slices of the sizes given (the rest as one more
// slice), then ends the stream when `end`.
Outcome Feed(const std::string &wire, const std::vector<size_t> &sizes, bool end = true,
	     Sink *sink = nullptr)
{
	Outcome o;
	Sink own{&o.body};
	http_response_init(&o.r, SinkAppend, sink ? sink : &own);
	size_t pos = 0;
	std::vector<size_t> cuts = sizes;
	cuts.push_back(wire.size());
	for (size_t want : cuts) {
		size_t n = std::min(want, wire.size() - pos);
		const uint8_t *p = reinterpret_cast<const uint8_t *>(wire.data()) + pos;
		size_t left = n;
		while (!o.done && o.result == 0) {
			size_t used = 0;
			int ev = http_response_feed(&o.r, p, left, &used);
			EXPECT_LE(used, left);
			p += used;
			left -= used;
			if (ev < 0)
				o.result = ev;
			else if (ev == HTTP_PARSE_HEADERS)
				o.headers++;
			else if (ev == HTTP_PARSE_DONE)
				o.done = true;
			else if (left == 0)
				break;
		}
		pos += n;
		if (o.done || o.result) {
			o.unused = left + (wire.size() - pos);
			break;
		}
	}
	if (o.result == 0 && end)
		o.result = http_response_finish(&o.r);
	return o;
}

Outcome Whole(const std::string &wire, bool end = true)
{
	return Feed(wire, {}, end);
}

std::vector<size_t> Bytes(const std::string &wire)
{
	return std::vector<size_t>(wire.size(), 1);
}

std::vector<size_t> RandomSlices(const std::string &wire, unsigned seed)
{
	std::mt19937 rng(seed);
	std::uniform_int_distribution<size_t> size(0, 700);
	std::vector<size_t> out;
	for (size_t total = 0; total < wire.size();) {
		size_t n = size(rng);
		out.push_back(n);
		total += n;
	}
	return out;
}

const std::string kHello = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

TEST(HttpResponse, StatusLineAndFields)
{
	Outcome o = Whole("HTTP/1.1 200 OK\r\n"
			  "Server: test\r\n"
			  "Content-Type: text/plain\r\n"
			  "Content-Length: 5\r\n"
			  "Connection: close\r\n"
			  "\r\n"
			  "hello");
	EXPECT_EQ(o.result, HTTP_OK);
	EXPECT_EQ(o.headers, 1);
	EXPECT_TRUE(o.done) << "the length says where the body ends";
	EXPECT_EQ(o.r.version_minor, 1);
	EXPECT_EQ(o.r.status, 200);
	EXPECT_STREQ(o.r.reason, "OK");
	EXPECT_EQ(o.r.content_length, 5);
	EXPECT_FALSE(o.r.chunked);
	EXPECT_TRUE(o.r.connection_close);
	EXPECT_STREQ(o.r.location, "");
	EXPECT_EQ(o.body, "hello");
	EXPECT_EQ(o.r.body_bytes, 5u);
}

TEST(HttpResponse, Http10AndReasons)
{
	Outcome o = Whole("HTTP/1.0 404 Not Found Here\r\nContent-Length: 0\r\n\r\n");
	EXPECT_EQ(o.result, HTTP_OK);
	EXPECT_EQ(o.r.version_minor, 0);
	EXPECT_EQ(o.r.status, 404);
	EXPECT_STREQ(o.r.reason, "Not Found Here");
	EXPECT_TRUE(o.r.connection_close) << "HTTP/1.0 closes";

	o = Whole("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n");
	EXPECT_EQ(o.result, HTTP_OK) << "the reason is optional";
	EXPECT_STREQ(o.r.reason, "");
	o = Whole("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n");
	EXPECT_EQ(o.result, HTTP_OK);
	EXPECT_STREQ(o.r.reason, "");

	std::string reason(200, 'r');
	o = Whole("HTTP/1.1 500 " + reason + "\r\nContent-Length: 0\r\n\r\n");
	EXPECT_EQ(o.result, HTTP_OK);
	EXPECT_EQ(std::string(o.r.reason), reason.substr(0, HTTP_REASON_MAX)) << "cut short";
}

TEST(HttpResponse, BadStatusLines)
{
	const char *bad[] = {
		"HTTP/2 200 OK",
		"HTTP/2.0 200 OK",
		"HTTP/1.1 2000 OK",
		"HTTP/1.1 20 OK",
		"HTTP/1.1 600 X",
		"HTTP/1.1 099 X",
		"HTTP/1.1  200 OK",
		"http/1.1 200 OK",
		"HTTP/1.x 200 OK",
		"HTTP/1.1 200OK",
		"FOO",
		"ICY 200 OK",
		"",
	};
	for (const char *line : bad) {
		Outcome o = Whole(std::string(line) + "\r\nContent-Length: 0\r\n\r\n");
		EXPECT_EQ(o.result, HTTP_E_BAD_RESPONSE) << line;
		EXPECT_EQ(o.headers, 0);
	}
}

TEST(HttpResponse, FieldNamesIgnoreCase)
{
	Outcome o = Whole("HTTP/1.1 200 OK\r\ncontent-LENGTH:3\r\nCONNECTION: Keep-Alive, CLOSE\r\n"
			  "\r\nabcdef");
	EXPECT_EQ(o.result, HTTP_OK);
	EXPECT_EQ(o.r.content_length, 3);
	EXPECT_TRUE(o.r.connection_close);
	EXPECT_EQ(o.body, "abc");
	EXPECT_EQ(o.unused, 3u) << "bytes after the body are not part of it";

	o = Whole("HTTP/1.1 302 Found\r\nLOCATION:   /next?a=b  \r\nContent-Length: 0\r\n\r\n");
	EXPECT_EQ(o.result, HTTP_OK);
	EXPECT_STREQ(o.r.location, "/next?a=b") << "whitespace around the value trimmed";

	o = Whole("HTTP/1.1 200 OK\r\nTRANSFER-ENCODING: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
	EXPECT_EQ(o.result, HTTP_OK);
	EXPECT_TRUE(o.r.chunked);
	EXPECT_EQ(o.body, "abc");
}

TEST(HttpResponse, BareLineFeedsAreAccepted)
{
	Outcome o = Whole("HTTP/1.0 200 OK\nContent-Length: 2\n\nhi");
	EXPECT_EQ(o.result, HTTP_OK);
	EXPECT_EQ(o.body, "hi");
}

TEST(HttpResponse, MalformedFields)
{
	const char *bad[] = {
		"NoColon",
		": empty name",
		"Bad Name: x",
		"Name : space before the colon",
		" folded: continuation",
		"\tfolded: continuation",
		"Na\x01me: control",
		"X: a\x01value",
		"X: a\rb",
		"X: \x7f",
	};
	for (const char *field : bad) {
		Outcome o = Whole(std::string("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n") + field +
				  "\r\n\r\n");
		EXPECT_EQ(o.result, HTTP_E_BAD_RESPONSE) << field;
	}
	Outcome o = Whole("HTTP/1.1 200 OK\r\nX-Empty:\r\nX-Tab:\tv\t\r\nX-High: caf\xc3\xa9\r\n"
			  "Content-Length: 0\r\n\r\n");
	EXPECT_EQ(o.result, HTTP_OK) << "empty values, tabs and obs-text are fine";
}

TEST(HttpResponse, ContentLengthZeroOneAndDuplicates)
{
	Outcome o = Whole("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
	EXPECT_EQ(o.result, HTTP_OK);
	EXPECT_TRUE(o.done);
	EXPECT_EQ(o.body, "");
	EXPECT_EQ(o.r.content_length, 0);

	o = Whole("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nZ");
	EXPECT_EQ(o.result, HTTP_OK);
	EXPECT_EQ(o.body, "Z");

	o = Whole("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab");
	EXPECT_EQ(o.result, HTTP_OK) << "duplicates that agree";
	o = Whole("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nab");
	EXPECT_EQ(o.result, HTTP_OK) << "a list that agrees";
	EXPECT_EQ(o.body, "ab");
	o = Whole("HTTP/1.1 200 OK\r\nContent-Length: 000002\r\n\r\nab");
	EXPECT_EQ(o.result, HTTP_OK);
	EXPECT_EQ(o.r.content_length, 2);

	const char *bad[] = {
		"Content-Length: 2\r\nContent-Length: 3",
		"Content-Length: 2, 3",
		"Content-Length: -1",
		"Content-Length: +5",
		"Content-Length: 5x",
		"Content-Length: 0x10",
		"Content-Length: 1 2",
		"Content-Length:",
		"Content-Length: ,",
		"Content-Length: 9223372036854775808",
		"Content-Length: 99999999999999999999999",
	};
	for (const char *fields : bad) {
		o = Whole(std::string("HTTP/1.1 200 OK\r\n") + fields + "\r\n\r\nab");
		EXPECT_EQ(o.result, HTTP_E_BAD_RESPONSE) << fields;
		EXPECT_EQ(o.headers, 0);
		EXPECT_EQ(o.body, "");
	}
	o = Whole("HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775807\r\n\r\nab");
	EXPECT_EQ(o.r.content_length, INT64_MAX) << "the largest length";
	EXPECT_EQ(o.result, HTTP_E_TRUNCATED);
}

TEST(HttpResponse, LargeBodyInAnySlices)
{
	std::string body;
	for (size_t i = 0; i < 100000; i++)
		body += (char)('a' + (i * 7) % 26);
	std::string wire = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + body;
	for (unsigned seed = 1; seed <= 5; seed++) {
		Outcome o = Feed(wire, RandomSlices(wire, seed));
		EXPECT_EQ(o.result, HTTP_OK) << seed;
		EXPECT_EQ(o.body, body) << seed;
		EXPECT_EQ(o.r.body_bytes, 100000u);
	}
	Outcome o = Feed(wire, Bytes(wire));
	EXPECT_EQ(o.result, HTTP_OK);
	EXPECT_EQ(o.body, body);
}

// Every way of cutting the wire in two gives the same outcome as one slice.
void ExpectSameAtEveryCut(const std::string &wire)
{
	Outcome whole = Whole(wire);
	for (size_t cut = 0; cut <= wire.size(); cut++) {
		Outcome o = Feed(wire, {cut});
		EXPECT_EQ(o.result, whole.result) << "cut at " << cut;
		EXPECT_EQ(o.headers, whole.headers) << "cut at " << cut;
		EXPECT_EQ(o.body, whole.body) << "cut at " << cut;
		EXPECT_EQ(o.r.status, whole.r.status) << "cut at " << cut;
		EXPECT_EQ(o.r.content_length, whole.r.content_length) << "cut at " << cut;
		EXPECT_STREQ(o.r.location, whole.r.location) << "cut at " << cut;
	}
	Outcome bytes = Feed(wire, Bytes(wire));
	EXPECT_EQ(bytes.result, whole.result);
	EXPECT_EQ(bytes.body, whole.body);
}

const std::string kChunked = "HTTP/1.1 200 OK\r\n"
			     "Transfer-Encoding: chunked\r\n"
			     "Location: /ignored-on-200\r\n"
			     "\r\n"
			     "4;name=value\r\n"
			     "Wiki\r\n"
			     "5 ; a=\"b\";c\r\n"
			     "pedia\r\n"
			     "E\r\n"
			     " in\r\n\r\nchunks.\r\n"
			     "0;last\r\n"
			     "Expires: never\r\n"
			     "X-Trailer: y\r\n"
			     "\r\n";

TEST(HttpResponse, SplitAtEveryByte)
{
	ExpectSameAtEveryCut(kHello);
	ExpectSameAtEveryCut(kChunked);
	ExpectSameAtEveryCut("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\n\r\nuntil close");
	ExpectSameAtEveryCut("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX");
	Outcome o = Whole(kChunked);
	EXPECT_EQ(o.result, HTTP_OK);
	EXPECT_EQ(o.body, "Wikipedia in\r\n\r\nchunks.");
}

TEST(HttpResponse, ChunkedWithExtensionsAndTrailers)
{
	Outcome o = Whole(kChunked + "extra");
	EXPECT_EQ(o.result, HTTP_OK);
	EXPECT_TRUE(o.done);
	EXPECT_TRUE(o.r.chunked);
	EXPECT_EQ(o.r.content_length, HTTP_LENGTH_UNKNOWN);
	EXPECT_EQ(o.body, "Wikipedia in\r\n\r\nchunks.");
	EXPECT_EQ(o.r.body_bytes, 23u);
	EXPECT_EQ(o.unused, 5u);

	o = Whole("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1A\r\n" +
		  std::string(26, 'x') + "\r\n00\r\n\r\n");
	EXPECT_EQ(o.result, HTTP_OK) << "upper-case hex, a last chunk of 00";
	EXPECT_EQ(o.body.size(), 26u);

	o = Whole("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
	EXPECT_EQ(o.result, HTTP_OK) << "an empty chunked body";
	EXPECT_EQ(o.body, "");
}

TEST(HttpResponse, ChunkedWinsOverContentLength)
{
	Outcome o = Whole("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n"
			  "\r\n5\r\nhello\r\n0\r\n\r\n");
	EXPECT_EQ(o.result, HTTP_OK);
	EXPECT_TRUE(o.r.chunked);
	EXPECT_EQ(o.r.content_length, HTTP_LENGTH_UNKNOWN);
	EXPECT_EQ(o.body, "hello");
}

TEST(HttpResponse, ChunkedMalformed)
{
	const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
	const char *bad[] = {
		"zz\r\n",			  // bad hex
		"\r\n",				  // no size
		"-5\r\nhello\r\n0\r\n\r\n",	  // negative
		"5x\r\nhello\r\n0\r\n\r\n",	  // junk after the size
		"5 6\r\nhello\r\n0\r\n\r\n",	  // two sizes
		"5\r\nhelloX\r\n0\r\n\r\n",	  // data longer than its size
		"5\r\nhello0\r\n\r\n",		  // no CRLF after the data
		"5\r\nhello\rX\n0\r\n\r\n",	  // CR without LF
		"5\rX\nhello\r\n0\r\n\r\n",	  // CR without LF in the size line
		"10000000000000000\r\n",	  // 2^64: overflow
		"8000000000000000\r\n",		  // 2^63: over the limit
		"5\x01\r\nhello\r\n0\r\n\r\n",	  // control character
		"0\r\nBad\x01Trailer: x\r\n\r\n", // control character in a trailer
	};
	for (const char *body : bad) {
		Outcome o = Whole(head + body);
		EXPECT_EQ(o.result, HTTP_E_BAD_CHUNK) << body;
		EXPECT_EQ(o.headers, 1);
	}
	Outcome o = Whole(head + "7fffffffffffffff\r\nabc");
	EXPECT_EQ(o.result, HTTP_E_TRUNCATED) << "2^63 - 1 is a size, if a large one";
	o = Whole(head + "1;" + std::string(HTTP_LINE_MAX, 'e') + "\r\nx\r\n0\r\n\r\n");
	EXPECT_EQ(o.result, HTTP_E_BAD_CHUNK) << "a chunk-size line over HTTP_LINE_MAX";
	o = Whole(head + "0\r\n" + std::string(HTTP_TRAILER_MAX, 't') + "\r\n\r\n");
	EXPECT_EQ(o.result, HTTP_E_BAD_CHUNK) << "trailers over HTTP_TRAILER_MAX";
}

TEST(HttpResponse, ChunkedTruncated)
{
	const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
	const char *cut[] = {
		"",
		"5",
		"5\r\n",
		"5\r\nhel",
		"5\r\nhello",
		"5\r\nhello\r",
		"5\r\nhello\r\n",
		"5\r\nhello\r\n0\r\n",
		"5\r\nhello\r\n0\r\nX-T: 1\r\n",
	};
	for (const char *body : cut) {
		Outcome o = Whole(head + body);
		EXPECT_EQ(o.result, HTTP_E_TRUNCATED) << body;
		EXPECT_EQ(o.r.body_bytes, o.body.size());
	}
	Outcome o = Whole(head + "5\r\nhel");
	EXPECT_EQ(o.body, "hel");
	EXPECT_EQ(o.r.body_bytes, 3u);
}

TEST(HttpResponse, CloseMidBodyIsTruncatedWithCounts)
{
	Outcome o = Whole("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123");
	EXPECT_EQ(o.result, HTTP_E_TRUNCATED);
	EXPECT_EQ(o.r.body_bytes, 4u);
	EXPECT_EQ(o.r.content_length, 10);
	EXPECT_EQ(o.body, "0123");
	EXPECT_EQ(http_response_finish(&o.r), HTTP_E_TRUNCATED) << "sticky";
	size_t used = 1;
	EXPECT_EQ(http_response_feed(&o.r, (const uint8_t *)"456789", 6, &used), HTTP_E_TRUNCATED);
	EXPECT_EQ(used, 0u);
}

TEST(HttpResponse, BodyUntilClose)
{
	std::string wire =
		"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nno length: all of it";
	Outcome o = Feed(wire, {}, false);
	EXPECT_EQ(o.result, HTTP_OK);
	EXPECT_FALSE(o.done) << "only the close ends it";
	EXPECT_EQ(o.body, "no length: all of it");
	EXPECT_EQ(o.r.content_length, HTTP_LENGTH_UNKNOWN);
	EXPECT_EQ(http_response_finish(&o.r), HTTP_OK);
	ExpectSameAtEveryCut(wire);
	o = Whole("HTTP/1.1 200 OK\r\n\r\n");
	EXPECT_EQ(o.result, HTTP_OK) << "an empty body until the close";
	EXPECT_EQ(o.body, "");
}

TEST(HttpResponse, NoBodyFor204And304And1xx)
{
	for (const char *status : {"204 No Content", "304 Not Modified"}) {
		Outcome o = Feed(
			std::string("HTTP/1.1 ") + status +
				"\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\nhello",
			{}, false);
		EXPECT_EQ(o.result, HTTP_OK) << status;
		EXPECT_TRUE(o.done) << status;
		EXPECT_EQ(o.headers, 1);
		EXPECT_EQ(o.body, "");
		EXPECT_EQ(o.unused, 5u);
		EXPECT_EQ(o.r.content_length, 0);
		EXPECT_FALSE(o.r.chunked);
	}
	Outcome o =
		Whole("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s>\r\n\r\n"
		      "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok");
	EXPECT_EQ(o.result, HTTP_OK);
	EXPECT_EQ(o.headers, 1) << "interim responses are skipped";
	EXPECT_EQ(o.r.status, 201);
	EXPECT_STREQ(o.r.reason, "Created");
	EXPECT_EQ(o.body, "ok");
	o = Whole("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n");
	EXPECT_EQ(o.result, HTTP_E_BAD_RESPONSE);
}

TEST(HttpResponse, HeaderBlockLimit)
{
	std::string fields;
	while (fields.size() < HTTP_HEADER_BLOCK_MAX)
		fields += "X-Pad: " + std::string(90, 'p') + "\r\n";
	Outcome o = Whole("HTTP/1.1 200 OK\r\n" + fields + "\r\nbody");
	EXPECT_EQ(o.result, HTTP_E_BAD_RESPONSE);
	EXPECT_EQ(o.headers, 0);

	std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n";
	std::string pad = "X: ";
	pad += std::string(HTTP_HEADER_BLOCK_MAX - head.size() - pad.size() - 4, 'p');
	o = Whole(head + pad + "\r\n\r\n");
	EXPECT_EQ(o.result, HTTP_OK) << "exactly HTTP_HEADER_BLOCK_MAX bytes";
	o = Whole(head + pad + "p\r\n\r\n");
	EXPECT_EQ(o.result, HTTP_E_BAD_RESPONSE) << "one byte more";
}

TEST(HttpResponse, LongLines)
{
	std::string long_value(3000, 'v');
	Outcome o = Whole("HTTP/1.1 200 OK\r\nSet-Cookie: " + long_value +
			  "\r\nContent-Length: 2\r\n\r\nok");
	EXPECT_EQ(o.result, HTTP_OK) << "a long field the parser does not read is skipped";
	EXPECT_EQ(o.body, "ok");

	o = Whole("HTTP/1.1 302 Found\r\nLocation: /" + long_value +
		  "\r\nContent-Length: 0\r\n\r\n");
	EXPECT_EQ(o.result, HTTP_OK);
	EXPECT_TRUE(o.r.location_too_long);
	EXPECT_STREQ(o.r.location, "");

	std::string at_limit = "/" + std::string(HTTP_URL_MAX - 1, 'l');
	o = Whole("HTTP/1.1 302 Found\r\nLocation: " + at_limit + "\r\nLocation: /second\r\n\r\n");
	EXPECT_EQ(o.result, HTTP_OK);
	EXPECT_FALSE(o.r.location_too_long);
	EXPECT_EQ(std::string(o.r.location), at_limit) << "the first Location counts";

	o = Whole("HTTP/1.1 200 OK\r\nContent-Length: " + std::string(2000, '1') + "\r\n\r\n");
	EXPECT_EQ(o.result, HTTP_E_BAD_RESPONSE) << "a field the parser reads, cut short";
}

TEST(HttpResponse, TransferCodings)
{
	Outcome o = Whole("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n");
	EXPECT_EQ(o.result, HTTP_E_BAD_RESPONSE) << "a coding the client cannot undo";
	o = Whole("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"
		  "\r\n0\r\n\r\n");
	EXPECT_EQ(o.result, HTTP_E_BAD_RESPONSE) << "chunked twice";
	o = Whole("HTTP/1.1 200 OK\r\nTransfer-Encoding:\r\n\r\nuntil close");
	EXPECT_EQ(o.result, HTTP_OK) << "an empty list: no coding";
	EXPECT_EQ(o.body, "until close");
}

TEST(HttpResponse, EndOfStreamBeforeTheBody)
{
	Outcome o = Whole("");
	EXPECT_EQ(o.result, HTTP_E_NO_RESPONSE);
	o = Whole("HTTP/1.1 200 OK\r\nContent-");
	EXPECT_EQ(o.result, HTTP_E_BAD_RESPONSE);
	o = Whole("HTTP/1.1 100 Continue\r\n\r\n");
	EXPECT_EQ(o.result, HTTP_E_BAD_RESPONSE) << "only an interim response";
}

TEST(HttpResponse, SinkErrorStopsTheParser)
{
	std::string wire = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789";
	std::string body;
	Sink sink{&body, 4, -28};
	Outcome o = Feed(wire, {wire.size() - 8, 2}, true, &sink);
	EXPECT_EQ(o.result, HTTP_E_SINK);
	EXPECT_EQ(o.r.sink_error, -28);
	EXPECT_EQ(body, "0123");
	EXPECT_EQ(o.r.body_bytes, 4u) << "only what the sink accepted";
	EXPECT_EQ(sink.calls, 3) << "\"01\", \"23\", then \"456789\" refused";
	size_t used = 9;
	EXPECT_EQ(http_response_feed(&o.r, (const uint8_t *)"x", 1, &used), HTTP_E_SINK);
	EXPECT_EQ(used, 0u);
	EXPECT_EQ(sink.calls, 3) << "never called again";
	EXPECT_EQ(http_response_finish(&o.r), HTTP_E_SINK);
}

TEST(HttpResponse, NullSinkCountsTheBody)
{
	http_response r;
	http_response_init(&r, nullptr, nullptr);
	size_t used;
	ASSERT_EQ(http_response_feed(&r, (const uint8_t *)kHello.data(), kHello.size(), &used),
		  HTTP_PARSE_HEADERS);
	EXPECT_EQ(used, kHello.size() - 5);
	EXPECT_EQ(http_response_feed(&r, (const uint8_t *)kHello.data() + used, 5, &used),
		  HTTP_PARSE_DONE);
	EXPECT_EQ(used, 5u);
	EXPECT_EQ(r.body_bytes, 5u);
	EXPECT_EQ(http_response_feed(&r, (const uint8_t *)"x", 1, &used), HTTP_PARSE_DONE);
	EXPECT_EQ(used, 0u);
	EXPECT_EQ(http_response_finish(&r), HTTP_OK);
}

} // namespace
