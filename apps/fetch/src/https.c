/* Fetch's TLS transport with its entropy, clock and trust store: see https.h. */
#include "https.h"

#include <stdio.h>
#include <string.h>

#include "entropy.viper.h"
#include "rtc.viper.h"

static int entropy(void *ctx, uint8_t *buf, size_t len)
{
	struct https *h = ctx;
	viper_entropy_ReadRequest req = {.length = (uint32_t)len};
	viper_entropy_ReadReply rep;

	if (!h->have_entropy || len > sizeof(rep.data.bytes))
		return -1;
	if (entropy_read(&h->entropy, &req, &rep) != VIPER_OK || rep.data.size != len)
		return -1;
	memcpy(buf, rep.data.bytes, len);
	memset(&rep, 0, sizeof(rep));
	return 0;
}

/*
 * The real time: the RTC's seconds, read at the first handshake of this
 * run, plus the monotonic clock's seconds since then, so later handshakes
 * (a resumed one checks no dates at all) make no call to the rtc server.
 */
static int clock_now(void *ctx, uint64_t *unix_seconds)
{
	struct https *h = ctx;
	viper_rtc_NowRequest req = {0};
	viper_rtc_NowReply rep;

	if (!h->clock_read) {
		if (!h->have_rtc || rtc_now(&h->rtc, &req, &rep) != VIPER_OK)
			return -1;
		h->clock_read = true;
		h->rtc_seconds = rep.unix_seconds;
		h->rtc_read_ns = vc_now_ns();
	}
	*unix_seconds = h->rtc_seconds + (vc_now_ns() - h->rtc_read_ns) / 1000000000u;
	return 0;
}

static void skipped(void *ctx, const char *path, int error)
{
	(void)ctx;
	printf("fetch: %s: %s (skipped)\n", path, tls_trust_error_message(error));
}

static int h_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
	struct https *h = ctx;

	if (!h->loaded) {
		h->loaded = true;
		if (tls_trust_load_dir(&h->trust, HTTPS_STORE, skipped, h) < 0)
			printf("fetch: %s: cannot read the trust store\n", HTTPS_STORE);
	}
	h->tcp_ns = 0;
	uint64_t t0 = vc_now_ns();
	int err = h->tls.http.connect(&h->tls, host, port, timeout_ms);
	uint64_t all = vc_now_ns() - t0;
	h->handshake_ns = all > h->tcp_ns ? all - h->tcp_ns : 0;
	return err;
}

/* The stream's connect, timed: what the handshake's time leaves out. */
static int stream_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
	struct https *h = ctx;
	uint64_t t0 = vc_now_ns();
	int err = h->socket->connect(h->socket->ctx, host, port, timeout_ms);

	h->tcp_ns = vc_now_ns() - t0;
	return err;
}

static int stream_send(void *ctx, const void *buf, size_t len)
{
	struct https *h = ctx;
	return h->socket->send(h->socket->ctx, buf, len);
}

static int stream_recv(void *ctx, void *buf, size_t cap)
{
	struct https *h = ctx;
	return h->socket->recv(h->socket->ctx, buf, cap);
}

static int stream_wait(void *ctx, unsigned events, uint32_t timeout_ms)
{
	struct https *h = ctx;
	return h->socket->wait(h->socket->ctx, events, timeout_ms);
}

static void stream_close(void *ctx)
{
	struct https *h = ctx;
	h->socket->close(h->socket->ctx);
}

static int h_send(void *ctx, const void *buf, size_t len)
{
	struct https *h = ctx;
	return h->tls.http.send(&h->tls, buf, len);
}

static int h_recv(void *ctx, void *buf, size_t cap)
{
	struct https *h = ctx;
	return h->tls.http.recv(&h->tls, buf, cap);
}

static void h_close(void *ctx)
{
	struct https *h = ctx;
	h->tls.http.close(&h->tls);
}

void https_init(struct https *h, viper_handle_t entropy_slot, viper_handle_t rtc_slot)
{
	memset(h, 0, sizeof(*h));
	h->have_entropy = entropy_slot != VIPER_HANDLE_INVALID;
	if (h->have_entropy)
		vc_slot_bind(&h->entropy, &entropy_interface, entropy_slot);
	h->have_rtc = rtc_slot != VIPER_HANDLE_INVALID;
	if (h->have_rtc)
		vc_slot_bind(&h->rtc, &rtc_interface, rtc_slot);
	tls_trust_init(&h->trust);
	tls_session_cache_init(&h->sessions);
	h->config = (struct tls_config){&h->trust, entropy, clock_now, h, &h->sessions};
	socket_transport_stream(&h->st, &h->socket_io);
	h->socket = &h->socket_io;
	h->io = (struct tls_io){h,	     stream_connect, stream_send,
				stream_recv, stream_wait,    stream_close};
	tls_transport_init(&h->tls, &h->config, &h->io);
	h->http = (struct http_transport){h, h_connect, h_send, h_recv, h_close};
}

void https_free(struct https *h)
{
	tls_trust_free(&h->trust);
	memset(&h->sessions, 0, sizeof(h->sessions));
}
