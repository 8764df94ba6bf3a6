// A scripted transport for http_get: each connect takes the next exchange
// of the script, checks where it goes, and replays its reply slice by
// slice; what the client sends, and how it closes, is recorded.
#ifndef HTTP_FAKE_TRANSPORT_H
#define HTTP_FAKE_TRANSPORT_H

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

extern "C" {
#include <viper/http_client.h>
}

struct FakeExchange {
	// The script.
	std::string host;
	uint16_t port = 80;
	int connect_error = 0;		 // connect's answer
	std::vector<std::string> slices; // recv's answers, one a call
	int end = 0;			 // recv after the slices: 0 (end of stream) or an error
	int send_error = 0;		 // send's answer, when not 0
	size_t send_limit = 0;		 // the most bytes one send takes (0: any)

	// What happened.
	std::string sent;
	uint32_t timeout_ms = 0;
	int recv_calls = 0;
	int closes = 0;
};

class FakeTransport
{
      public:
	std::deque<FakeExchange> script; // a deque: Add's references stay valid
	size_t connects = 0;		 // connect calls, the unscripted ones included

	// Adds an exchange whose reply comes in slices of slice_size bytes (0: one slice).
	FakeExchange &Add(const std::string &host, uint16_t port, const std::string &reply,
			  size_t slice_size = 0)
	{
		FakeExchange e;
		e.host = host;
		e.port = port;
		size_t step = slice_size ? slice_size : std::max<size_t>(reply.size(), 1);
		for (size_t i = 0; i < reply.size(); i += step)
			e.slices.push_back(reply.substr(i, step));
		script.push_back(e);
		return script.back();
	}

	http_transport Table()
	{
		return http_transport{this, Connect, Send, Recv, Close};
	}

	FakeExchange &At(size_t i)
	{
		return script.at(i);
	}

      private:
	size_t slice_ = 0; // of the current exchange

	FakeExchange *Current()
	{
		return connects > 0 && connects <= script.size() ? &script[connects - 1] : nullptr;
	}

	static int Connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
	{
		FakeTransport *t = static_cast<FakeTransport *>(ctx);
		t->connects++;
		t->slice_ = 0;
		FakeExchange *e = t->Current();
		if (!e) {
			ADD_FAILURE() << "unscripted connect to " << host << ":" << port;
			return HTTP_E_CONNECTION_REFUSED;
		}
		EXPECT_EQ(e->host, host);
		EXPECT_EQ(e->port, port);
		e->timeout_ms = timeout_ms;
		return e->connect_error;
	}

	static int Send(void *ctx, const void *buf, size_t len)
	{
		FakeExchange *e = static_cast<FakeTransport *>(ctx)->Current();
		EXPECT_EQ(e->closes, 0) << "send after close";
		if (e->send_error)
			return e->send_error;
		size_t n = e->send_limit ? std::min(len, e->send_limit) : len;
		e->sent.append(static_cast<const char *>(buf), n);
		return (int)n;
	}

	static int Recv(void *ctx, void *buf, size_t cap)
	{
		FakeTransport *t = static_cast<FakeTransport *>(ctx);
		FakeExchange *e = t->Current();
		EXPECT_EQ(e->closes, 0) << "recv after close";
		e->recv_calls++;
		if (t->slice_ == e->slices.size())
			return e->end;
		std::string &s = e->slices[t->slice_];
		size_t n = std::min(cap, s.size());
		memcpy(buf, s.data(), n);
		if (n == s.size())
			t->slice_++;
		else
			s.erase(0, n);
		return (int)n;
	}

	static void Close(void *ctx)
	{
		static_cast<FakeTransport *>(ctx)->Current()->closes++;
	}
};

#endif
