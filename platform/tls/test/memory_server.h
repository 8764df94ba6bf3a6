// A TLS server in the test's own process, on BearSSL's server engine,
// joined to the client by two in-memory byte queues: the client's stream
// (struct tls_io) runs the server whenever the client would wait. It
// answers one HTTP request per connection and closes with close_notify.
// Hostile modes replace the server with raw bytes or a reset.
#ifndef TLS_MEMORY_SERVER_H
#define TLS_MEMORY_SERVER_H

#include <bearssl.h>

#include <deque>
#include <string>
#include <vector>

extern "C" {
#include <viper/tls_client.h>
}

// A PEM file of the test credentials (test/data/NAME) as text.
std::string ReadCredential(const std::string &name);

// The objects of PEM text (certificates, keys) as DER.
std::vector<std::string> PemCertificates(const std::string &pem);

class MemoryServer
{
      public:
	enum class Mode {
		kTls,	  // a real server
		kGarbage, // answers the ClientHello with `raw`
		kReset,	  // reads the ClientHello, then the stream fails with a reset
		kSilent,  // reads, never answers (the client times out)
		kClose,	  // reads, then ends the stream
	};

	// A server with the certificates of chain_pem and the key of key_pem.
	MemoryServer(const std::string &chain_pem, const std::string &key_pem);

	// Sends these DER certificates instead.
	void SetChain(const std::vector<std::string> &der);
	~MemoryServer();

	Mode mode = Mode::kTls;
	std::string raw; // kGarbage's bytes
	std::string body = "hello over TLS\n";
	int connect_error = 0;		  // connect's answer
	bool server_versions_old = false; // offer TLS 1.0-1.1 only
	bool drop_close_notify = false;	  // end without close_notify
	uint16_t only_suite = 0;	  // accept only this suite (0: all of full_rsa/full_ec)

	tls_io Io();

	// What happened.
	int connects = 0, closes = 0, handshakes = 0;
	int sends = 0;	     // the client's sends on the last connection
	std::string request; // the last request's bytes as the server read them
	std::string flight;  // every byte the server sent on the last connection

      private:
	std::string chain_pem_, key_pem_;
	std::vector<std::string> der_;
	std::vector<br_x509_certificate> chain_;
	br_skey_decoder_context key_;
	br_ssl_session_cache_lru cache_;
	unsigned char cache_store_[4096];
	br_ssl_server_context sc_;
	unsigned char iobuf_[BR_SSL_BUFSIZE_BIDI];
	std::deque<unsigned char> to_server_, to_client_;
	bool open_ = false, responded_ = false, closed_ = false, counted_ = false;
	size_t sent_ = 0;
	std::string response_;

	void Start();
	bool Step(); // one move of the server: true if anything moved
	void Run();  // Step until nothing moves

	static int Connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms);
	static int Send(void *ctx, const void *buf, size_t len);
	static int Recv(void *ctx, void *buf, size_t cap);
	static int Wait(void *ctx, unsigned events, uint32_t timeout_ms);
	static void Close(void *ctx);
};

#endif
