// The in-process TLS server of the host tests: see memory_server.h.
#include "memory_server.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

std::string ReadCredential(const std::string &name)
{
	const char *dir = std::getenv("TEST_SRCDIR");
	std::string path =
		std::string(dir ? dir : ".") + "/" +
		(std::getenv("TEST_WORKSPACE") ? std::getenv("TEST_WORKSPACE") : "viperos") +
		"/platform/tls/test/data/" + name;
	std::ifstream in(path, std::ios::binary);
	std::stringstream s;
	s << in.rdbuf();
	EXPECT_FALSE(s.str().empty()) << "cannot read " << path;
	return s.str();
}

static void Append(void *ctx, const void *buf, size_t len)
{
	static_cast<std::string *>(ctx)->append(static_cast<const char *>(buf), len);
}

std::vector<std::string> PemCertificates(const std::string &pem)
{
	std::vector<std::string> out;
	br_pem_decoder_context pc;
	std::string cur;
	const char *p = pem.data();
	size_t left = pem.size();

	br_pem_decoder_init(&pc);
	while (left > 0) {
		size_t n = br_pem_decoder_push(&pc, p, left);
		p += n;
		left -= n;
		switch (br_pem_decoder_event(&pc)) {
		case BR_PEM_BEGIN_OBJ:
			cur.clear();
			br_pem_decoder_setdest(&pc, Append, &cur);
			break;
		case BR_PEM_END_OBJ:
			out.push_back(cur);
			break;
		default:
			break;
		}
	}
	return out;
}

MemoryServer::MemoryServer(const std::string &chain_pem, const std::string &key_pem)
{
	chain_pem_ = chain_pem;
	key_pem_ = key_pem;
	SetChain(PemCertificates(chain_pem_));
	std::vector<std::string> key = PemCertificates(key_pem_); // any PEM object
	EXPECT_EQ(key.size(), 1u);
	br_skey_decoder_init(&key_);
	if (!key.empty())
		br_skey_decoder_push(&key_, key[0].data(), key[0].size());
	EXPECT_EQ(br_skey_decoder_last_error(&key_), 0);
	br_ssl_session_cache_lru_init(&cache_, cache_store_, sizeof(cache_store_));
}

MemoryServer::~MemoryServer() = default;

void MemoryServer::SetChain(const std::vector<std::string> &der)
{
	der_ = der;
	chain_.clear();
	for (std::string &d : der_)
		chain_.push_back({reinterpret_cast<unsigned char *>(&d[0]), d.size()});
}

tls_io MemoryServer::Io()
{
	return tls_io{this, Connect, Send, Recv, Wait, Close};
}

void MemoryServer::Start()
{
	if (br_skey_decoder_key_type(&key_) == BR_KEYTYPE_RSA)
		br_ssl_server_init_full_rsa(&sc_, chain_.data(), chain_.size(),
					    br_skey_decoder_get_rsa(&key_));
	else
		br_ssl_server_init_full_ec(&sc_, chain_.data(), chain_.size(), BR_KEYTYPE_EC,
					   br_skey_decoder_get_ec(&key_));
	if (server_versions_old)
		br_ssl_engine_set_versions(&sc_.eng, BR_TLS10, BR_TLS11);
	if (only_suite)
		br_ssl_engine_set_suites(&sc_.eng, &only_suite, 1);
	br_ssl_engine_set_buffer(&sc_.eng, iobuf_, sizeof(iobuf_), 1);
	br_ssl_server_set_cache(&sc_, &cache_.vtable);
	ASSERT_EQ(br_ssl_server_reset(&sc_), 1);
	responded_ = closed_ = counted_ = false;
	sent_ = 0;
	request.clear();
	flight.clear();
	response_ = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
		    "\r\n\r\n" + body;
}

bool MemoryServer::Step()
{
	br_ssl_engine_context *eng = &sc_.eng;
	unsigned st = br_ssl_engine_current_state(eng);
	size_t len;

	if (st & BR_SSL_CLOSED)
		return false;
	if (st & BR_SSL_SENDREC) {
		unsigned char *b = br_ssl_engine_sendrec_buf(eng, &len);
		to_client_.insert(to_client_.end(), b, b + len);
		flight.append(reinterpret_cast<char *>(b), len);
		br_ssl_engine_sendrec_ack(eng, len);
		return true;
	}
	if ((st & BR_SSL_SENDAPP) && !counted_) {
		counted_ = true;
		handshakes++;
	}
	if (st & BR_SSL_RECVAPP) {
		unsigned char *b = br_ssl_engine_recvapp_buf(eng, &len);
		request.append(reinterpret_cast<char *>(b), len);
		br_ssl_engine_recvapp_ack(eng, len);
		return true;
	}
	if ((st & BR_SSL_SENDAPP) && request.find("\r\n\r\n") != std::string::npos &&
	    sent_ < response_.size()) {
		unsigned char *b = br_ssl_engine_sendapp_buf(eng, &len);
		size_t n = std::min(len, response_.size() - sent_);
		memcpy(b, response_.data() + sent_, n);
		br_ssl_engine_sendapp_ack(eng, n);
		sent_ += n;
		br_ssl_engine_flush(eng, 0);
		return true;
	}
	if (sent_ == response_.size() && !responded_) {
		responded_ = true;
		if (drop_close_notify) {
			closed_ = true;
			return true;
		}
		br_ssl_engine_close(eng);
		return true;
	}
	if ((st & BR_SSL_RECVREC) && !to_server_.empty()) {
		unsigned char *b = br_ssl_engine_recvrec_buf(eng, &len);
		size_t n = std::min(len, to_server_.size());
		std::copy(to_server_.begin(), to_server_.begin() + n, b);
		to_server_.erase(to_server_.begin(), to_server_.begin() + n);
		br_ssl_engine_recvrec_ack(eng, n);
		return true;
	}
	return false;
}

void MemoryServer::Run()
{
	if (mode != Mode::kTls) {
		if (!to_server_.empty() && !responded_) {
			responded_ = true;
			to_server_.clear();
			if (mode == Mode::kGarbage)
				to_client_.insert(to_client_.end(), raw.begin(), raw.end());
			closed_ = mode != Mode::kSilent;
		}
		return;
	}
	for (int i = 0; i < 100000 && Step(); i++) {
	}
	if (br_ssl_engine_current_state(&sc_.eng) & BR_SSL_CLOSED)
		closed_ = true;
}

int MemoryServer::Connect(void *ctx, const char *, uint16_t, uint32_t)
{
	MemoryServer *s = static_cast<MemoryServer *>(ctx);
	s->connects++;
	if (s->connect_error)
		return s->connect_error;
	s->to_server_.clear();
	s->to_client_.clear();
	s->sends = 0;
	s->open_ = true;
	s->responded_ = s->closed_ = false;
	if (s->mode == Mode::kTls)
		s->Start();
	return 0;
}

int MemoryServer::Send(void *ctx, const void *buf, size_t len)
{
	MemoryServer *s = static_cast<MemoryServer *>(ctx);
	EXPECT_TRUE(s->open_);
	s->sends++;
	const unsigned char *b = static_cast<const unsigned char *>(buf);
	s->to_server_.insert(s->to_server_.end(), b, b + len);
	return static_cast<int>(len);
}

int MemoryServer::Recv(void *ctx, void *buf, size_t cap)
{
	MemoryServer *s = static_cast<MemoryServer *>(ctx);
	EXPECT_TRUE(s->open_);
	s->Run();
	if (s->to_client_.empty()) {
		if (s->closed_ && s->mode == Mode::kReset)
			return HTTP_E_CONNECTION_RESET;
		return s->closed_ ? 0 : TLS_IO_WOULDBLOCK;
	}
	size_t n = std::min(cap, s->to_client_.size());
	std::copy(s->to_client_.begin(), s->to_client_.begin() + n,
		  static_cast<unsigned char *>(buf));
	s->to_client_.erase(s->to_client_.begin(), s->to_client_.begin() + n);
	return static_cast<int>(n);
}

int MemoryServer::Wait(void *ctx, unsigned, uint32_t)
{
	MemoryServer *s = static_cast<MemoryServer *>(ctx);
	s->Run();
	return s->to_client_.empty() && !s->closed_ ? HTTP_E_TIMED_OUT : 0;
}

void MemoryServer::Close(void *ctx)
{
	MemoryServer *s = static_cast<MemoryServer *>(ctx);
	EXPECT_TRUE(s->open_);
	s->open_ = false;
	s->closes++;
}
