/*
 * tls_bench_linux: the Linux peer of `fetch https://...` in the TLS
 * benchmark (tests/benchmarks/run_tls_bench, docs/benchmarks.md, "TLS"):
 * the same BearSSL 0.6 (Debian's source, compiled with ViperOS's flags)
 * doing what platform/tls does for fetch, with Linux system calls:
 *
 *   tls_bench_linux ROOTS ADDRESS PORT NAME PATH COUNT
 *
 * ROOTS: a PEM file of trust anchors (run_tls_bench gives the 142 Mozilla
 * roots of CERTS:roots.vta, in its order, then the test CA, as
 * CERTS:test-ca.pem follows it), decoded once with BearSSL's PEM and
 * X.509 decoders as platform/tls/src/tls_trust.c does. Then COUNT times
 * (the 2nd and later connections offer the session of the last handshake
 * whose server gave it an ID, as fetch REPEAT does with platform/tls's
 * session cache; "resumed" when the server takes it back): 32 bytes from
 * getrandom, the time from
 * clock_gettime(CLOCK_REALTIME), the engine set up as
 * platform/tls/src/tls_client.c does (TLS 1.2 only; ECDHE-ECDSA and
 * ECDHE-RSA with ChaCha20-Poly1305, then AES-128-GCM, then AES-256-GCM;
 * curves X25519, P-256, P-384 on ec_all_m31; x509_minimal at that time; a
 * bidirectional buffer; SNI and the name check NAME), TCP to ADDRESS:PORT,
 * the handshake, `GET /PATH HTTP/1.1` with Host: NAME and Connection:
 * close, the response read to the server's close_notify, the body
 * (after the header's blank line) hashed with BearSSL's SHA-256.
 *
 * Timing (CLOCK_MONOTONIC), as fetch's (apps/fetch/src/https.c): the
 * handshake is everything from before the entropy to the engine ready to
 * send application data, less the TCP connect (socket + connect), which is
 * printed beside it; the download from before the entropy to the server's
 * close_notify. Each connection prints, in fetch's words:
 *
 *   tls_bench: TLS 1.2 ECDHE-RSA-CHACHA20-POLY1305, full handshake in
 *       12.345 ms (after 0.456 ms to connect)              (one line)
 *   tls_bench: 16777216 bytes from PATH in 3.885 s (4216 KiB/s), body in 3.801 s
 *   sha256 <64 hex digits>
 *
 * or "tls_bench: failed: ..." with BearSSL's error number. The I/O is
 * blocking read and write on the socket (fetch's is non-blocking with poll;
 * the engine is driven by its state bits the same way).
 *
 * Freestanding like net_bench_linux.c (its own _start, svc #0 system
 * calls), linked by linux_peer.py with BearSSL's objects and picolibc's
 * libc.a for memmove, memcmp and strlen (ViperOS's user programs' C
 * library); memset and memcpy are ViperOS's user ones (viper/word_string.h).
 * Return code 0, 10 on a network or TLS error, 20 for bad arguments.
 */

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>
#include <viper/tls_profile.h>

#define SYS_openat	  56
#define SYS_close	  57
#define SYS_read	  63
#define SYS_write	  64
#define SYS_exit_group	  94
#define SYS_clock_gettime 113
#define SYS_socket	  198
#define SYS_connect	  203
#define SYS_getrandom	  278

#define AT_FDCWD	(-100)
#define AF_INET		2
#define SOCK_STREAM	1
#define CLOCK_REALTIME	0
#define CLOCK_MONOTONIC 1
#define EINTR		4

#define LINUX_FREESTANDING_WORD_STRING
#define LINUX_FREESTANDING_NET
#include "linux_freestanding.h"

/* ---------------------------------------------------------------- output */

struct line {
	char text[256], *at;
};

static void begin(struct line *l)
{
	l->at = l->text;
	l->text[0] = 0;
}

static void add(struct line *l, const char *s)
{
	while (*s && l->at < l->text + sizeof(l->text) - 2)
		*l->at++ = *s++;
	*l->at = 0;
}

static void add_padded(struct line *l, uint64_t u, int width)
{
	char digits[24];
	int n = 0;

	do {
		digits[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u || n < width);
	while (n > 0) {
		char one[2] = {digits[--n], 0};
		add(l, one);
	}
}

static void add_number(struct line *l, uint64_t u)
{
	add_padded(l, u, 1);
}

/* `units` as WHOLE.FRACTION with three decimals, `units` being thousandths. */
static void add_milli(struct line *l, uint64_t units)
{
	add_number(l, units / 1000);
	add(l, ".");
	add_padded(l, units % 1000, 3);
}

static void finish(struct line *l)
{
	add(l, "\n");
	SYS(SYS_write, 1, l->text, length(l->text));
}

static void say(const char *a, const char *b)
{
	struct line l;

	begin(&l);
	add(&l, "tls_bench: ");
	add(&l, a);
	add(&l, b);
	finish(&l);
}

static void failed(const char *what, long code)
{
	struct line l;

	begin(&l);
	add(&l, "tls_bench: failed: ");
	add(&l, what);
	add(&l, " ");
	if (code < 0) {
		add(&l, "-");
		code = -code;
	}
	add_number(&l, (uint64_t)code);
	finish(&l);
}

/* ---------------------------------------------------------------- clocks, entropy */

struct timespec64 {
	long sec, nsec;
};

static uint64_t clock_ns(int which)
{
	struct timespec64 ts;

	SYS(SYS_clock_gettime, which, &ts, 0);
	return (uint64_t)ts.sec * 1000000000ull + (uint64_t)ts.nsec;
}

/* BearSSL's x509_minimal calls time() only when no time was set (we always set it). */
long time(long *out);
long time(long *out)
{
	long now = (long)(clock_ns(CLOCK_REALTIME) / 1000000000ull);

	if (out)
		*out = now;
	return now;
}

static int entropy(uint8_t *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		long n = SYS(SYS_getrandom, buf + done, len - done, 0);
		if (n == -EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

/* ---------------------------------------------------------------- arguments */

/* ---------------------------------------------------------------- trust anchors */

#define ROOTS_TEXT_MAX (512u * 1024u)
#define ANCHORS_MAX    256u
#define ANCHOR_BYTES   (256u * 1024u)
#define DER_MAX	       (16u * 1024u)

static char roots_text[ROOTS_TEXT_MAX];
static br_x509_trust_anchor anchors[ANCHORS_MAX];
static size_t anchor_count;
static uint8_t anchor_bytes[ANCHOR_BYTES];
static size_t anchor_used;

struct bytes {
	uint8_t *p;
	size_t len, cap;
	int over;
};

static void bytes_append(void *ctx, const void *src, size_t len)
{
	struct bytes *b = ctx;

	if (len > b->cap - b->len) {
		b->over = 1;
		return;
	}
	memcpy(b->p + b->len, src, len);
	b->len += len;
}

static uint8_t *anchor_alloc(size_t n)
{
	if (n > ANCHOR_BYTES - anchor_used)
		return NULL;
	anchor_used += n;
	return anchor_bytes + anchor_used - n;
}

/* One DER certificate as an anchor (platform/tls/src/tls_trust.c's anchor_of_der). */
static int anchor_of_der(const uint8_t *der, size_t len)
{
	static uint8_t dn_buf[1024];
	struct bytes dn = {dn_buf, 0, sizeof(dn_buf), 0};
	br_x509_decoder_context dc;
	br_x509_trust_anchor *ta;

	if (anchor_count == ANCHORS_MAX)
		return -1;
	br_x509_decoder_init(&dc, bytes_append, &dn);
	br_x509_decoder_push(&dc, der, len);
	const br_x509_pkey *pk = br_x509_decoder_get_pkey(&dc);
	if (!pk || dn.over || dn.len == 0)
		return -1;
	size_t a = pk->key_type == BR_KEYTYPE_RSA ? pk->key.rsa.nlen : pk->key.ec.qlen;
	size_t b = pk->key_type == BR_KEYTYPE_RSA ? pk->key.rsa.elen : 0;
	uint8_t *p = anchor_alloc(dn.len + a + b);
	if (!p)
		return -1;
	ta = &anchors[anchor_count++];
	memcpy(p, dn.p, dn.len);
	memset(ta, 0, sizeof(*ta));
	ta->dn.data = p;
	ta->dn.len = dn.len;
	ta->flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
	ta->pkey.key_type = pk->key_type;
	if (pk->key_type == BR_KEYTYPE_RSA) {
		memcpy(p + dn.len, pk->key.rsa.n, a);
		memcpy(p + dn.len + a, pk->key.rsa.e, b);
		ta->pkey.key.rsa.n = p + dn.len;
		ta->pkey.key.rsa.nlen = a;
		ta->pkey.key.rsa.e = p + dn.len + a;
		ta->pkey.key.rsa.elen = b;
	} else {
		memcpy(p + dn.len, pk->key.ec.q, a);
		ta->pkey.key.ec.curve = pk->key.ec.curve;
		ta->pkey.key.ec.q = p + dn.len;
		ta->pkey.key.ec.qlen = a;
	}
	return 0;
}

static int is_certificate(const char *name)
{
	const char *want[] = {"CERTIFICATE", "X509 CERTIFICATE"};

	for (int i = 0; i < 2; i++) {
		const char *a = name, *b = want[i];
		while (*a && *a == *b) {
			a++;
			b++;
		}
		if (!*a && !*b)
			return 1;
	}
	return 0;
}

/* Every certificate of the PEM file at `path`, in order; -1 on any error. */
static int load_roots(const char *path)
{
	static uint8_t der_buf[DER_MAX];
	static br_pem_decoder_context pc;
	struct bytes der = {der_buf, 0, sizeof(der_buf), 0};
	int fd = (int)SYS(SYS_openat, AT_FDCWD, path, 0);
	size_t len = 0;
	int in_cert = 0;

	if (fd < 0)
		return -1;
	for (;;) {
		long n = SYS(SYS_read, fd, roots_text + len, sizeof(roots_text) - len);
		if (n == -EINTR)
			continue;
		if (n < 0 || (n == 0 && len == 0)) {
			SYS(SYS_close, fd, 0, 0);
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == sizeof(roots_text)) {
			SYS(SYS_close, fd, 0, 0);
			return -1; /* too big for the buffer */
		}
	}
	SYS(SYS_close, fd, 0, 0);
	br_pem_decoder_init(&pc);
	const char *p = roots_text;
	size_t left = len;
	while (left > 0) {
		size_t took = br_pem_decoder_push(&pc, p, left);
		p += took;
		left -= took;
		switch (br_pem_decoder_event(&pc)) {
		case BR_PEM_BEGIN_OBJ:
			in_cert = is_certificate(br_pem_decoder_name(&pc));
			der.len = 0;
			der.over = 0;
			br_pem_decoder_setdest(&pc, in_cert ? bytes_append : NULL, &der);
			break;
		case BR_PEM_END_OBJ:
			if (in_cert && (der.over || anchor_of_der(der.p, der.len) < 0))
				return -1;
			in_cert = 0;
			break;
		case BR_PEM_ERROR:
			return -1;
		default:
			break;
		}
	}
	return anchor_count > 0 ? 0 : -1;
}

/* ---------------------------------------------------------------- the connection */

/* One connection's state, cleared before each (fetch callocs a fresh one). */
static struct {
	br_ssl_client_context sc;
	br_x509_minimal_context xc;
	br_ec_impl curves;
	unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
} conn;

static br_ssl_session_parameters kept; /* the last handshake's that had a session ID */
static int have_kept;
static struct sockaddr_in peer;
static int sock = -1;

#define PUMP_CLOSED 1
#define E_IO	    (-1)
#define E_EOF	    (-2)
#define E_STUCK	    (-3)

/* Moves records until `want` is possible: 0, PUMP_CLOSED, E_* or -(BearSSL error). */
static int pump(unsigned want)
{
	br_ssl_engine_context *eng = &conn.sc.eng;

	for (;;) {
		unsigned st = br_ssl_engine_current_state(eng);
		size_t len;

		if (st & BR_SSL_CLOSED) {
			int err = br_ssl_engine_last_error(eng);
			return err == BR_ERR_OK ? PUMP_CLOSED : -err;
		}
		if (st & BR_SSL_SENDREC) {
			unsigned char *buf = br_ssl_engine_sendrec_buf(eng, &len);
			long n = SYS(SYS_write, sock, buf, len);
			if (n == -EINTR)
				continue;
			if (n <= 0)
				return E_IO;
			br_ssl_engine_sendrec_ack(eng, (size_t)n);
			continue;
		}
		if (st & want)
			return 0;
		if (st & BR_SSL_RECVREC) {
			unsigned char *buf = br_ssl_engine_recvrec_buf(eng, &len);
			long n = SYS(SYS_read, sock, buf, len);
			if (n == -EINTR)
				continue;
			if (n == 0)
				return E_EOF;
			if (n < 0)
				return E_IO;
			br_ssl_engine_recvrec_ack(eng, (size_t)n);
			continue;
		}
		br_ssl_engine_flush(eng, 0);
		if (br_ssl_engine_current_state(eng) == st)
			return E_STUCK;
	}
}

static int dial(void)
{
	long r;

	sock = (int)SYS(SYS_socket, AF_INET, SOCK_STREAM, 0);
	if (sock < 0)
		return (int)sock;
	do
		r = SYS(SYS_connect, sock, &peer, sizeof(peer));
	while (r == -EINTR);
	if (r < 0) {
		SYS(SYS_close, sock, 0, 0);
		sock = -1;
	}
	return (int)r;
}

/* The response: the status line's code, the header's end, the body's bytes and hash. */
struct response {
	char status[16];
	size_t status_len;
	int in_body;
	unsigned crlf; /* how much of "\r\n\r\n" was just seen */
	uint64_t body;
	br_sha256_context sha;
};

static void take(struct response *r, const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (!r->in_body && i < n) {
		unsigned char c = p[i++];
		if (r->status_len < sizeof(r->status) - 1 && !r->crlf)
			r->status[r->status_len++] = (char)c;
		if (c == (r->crlf % 2 == 0 ? '\r' : '\n'))
			r->crlf++;
		else
			r->crlf = c == '\r' ? 1 : 0;
		if (r->crlf == 4)
			r->in_body = 1;
	}
	if (r->in_body && i < n) {
		br_sha256_update(&r->sha, p + i, n - i);
		r->body += n - i;
	}
}

static int status_ok(const struct response *r)
{
	/* "HTTP/1.x 200" */
	const char *s = r->status;
	return r->status_len >= 12 && s[0] == 'H' && s[4] == '/' && s[8] == ' ' && s[9] == '2' &&
	       s[10] == '0' && s[11] == '0';
}

static int one(const char *name, const char *path)
{
	static struct response resp;
	br_ssl_engine_context *eng = &conn.sc.eng;
	uint8_t seed[32];
	struct line l;
	int err;

	uint64_t t0 = clock_ns(CLOCK_MONOTONIC);
	if (entropy(seed, sizeof(seed)) < 0) {
		failed("getrandom", 0);
		return 10;
	}
	uint64_t unix_seconds = clock_ns(CLOCK_REALTIME) / 1000000000ull;

	/* platform/tls/src/tls_client.c: engine_setup, then tt_connect's order. */
	memset(&conn, 0, sizeof(conn));
	br_ssl_client_init_full(&conn.sc, &conn.xc, anchors, anchor_count);
	tls_profile_apply(eng, &conn.curves); /* platform/tls's own profile */
	br_x509_minimal_set_time(&conn.xc, (uint32_t)(unix_seconds / 86400u) + 719528u,
				 (uint32_t)(unix_seconds % 86400u));
	br_ssl_engine_set_x509(eng, &conn.xc.vtable);
	br_ssl_engine_set_buffer(eng, conn.iobuf, sizeof(conn.iobuf), 1);
	br_ssl_engine_inject_entropy(eng, seed, sizeof(seed));
	memset(seed, 0, sizeof(seed));
	int offered = have_kept;
	br_ssl_session_parameters offer = kept;
	if (offered)
		br_ssl_engine_set_session_parameters(eng, &kept);
	if (!br_ssl_client_reset(&conn.sc, name, offered)) {
		failed("br_ssl_client_reset, BearSSL error", br_ssl_engine_last_error(eng));
		return 10;
	}

	uint64_t c0 = clock_ns(CLOCK_MONOTONIC);
	if ((err = dial()) < 0) {
		failed("connect, errno", -err);
		return 10;
	}
	uint64_t tcp_ns = clock_ns(CLOCK_MONOTONIC) - c0;

	err = pump(BR_SSL_SENDAPP);
	uint64_t hs_end = clock_ns(CLOCK_MONOTONIC);
	if (err != 0) {
		failed("handshake, error (negative BearSSL error, or -1 I/O, -2 EOF)", err);
		have_kept = 0;
		SYS(SYS_close, sock, 0, 0);
		return 10;
	}
	uint64_t hs_ns = hs_end - t0 - tcp_ns;
	br_ssl_session_parameters now;
	br_ssl_engine_get_session_parameters(eng, &now);
	int resumed = offered && now.session_id_len == offer.session_id_len &&
		      memcmp(now.session_id, offer.session_id, offer.session_id_len) == 0;
	if (now.session_id_len > 0) { /* as platform/tls's session cache: none without an ID */
		kept = now;
		have_kept = 1;
	}

	/* The request, in one record. */
	struct line req;
	begin(&req);
	add(&req, "GET ");
	add(&req, path);
	add(&req, " HTTP/1.1\r\nHost: ");
	add(&req, name);
	add(&req, "\r\nConnection: close\r\n\r\n");
	size_t req_len = length(req.text), avail;
	unsigned char *out = br_ssl_engine_sendapp_buf(eng, &avail);
	if (!out || avail < req_len) {
		failed("no room for the request", (long)avail);
		return 10;
	}
	memcpy(out, req.text, req_len);
	br_ssl_engine_sendapp_ack(eng, req_len);
	br_ssl_engine_flush(eng, 0);

	memset(&resp, 0, sizeof(resp));
	br_sha256_init(&resp.sha);
	for (;;) {
		err = pump(BR_SSL_RECVAPP);
		if (err == PUMP_CLOSED)
			break;
		if (err != 0) {
			failed("reading the response (close_notify missing if -2), error", err);
			SYS(SYS_close, sock, 0, 0);
			return 10;
		}
		unsigned char *in = br_ssl_engine_recvapp_buf(eng, &avail);
		take(&resp, in, avail);
		br_ssl_engine_recvapp_ack(eng, avail);
	}
	uint64_t end = clock_ns(CLOCK_MONOTONIC);
	SYS(SYS_close, sock, 0, 0);
	sock = -1;
	if (!status_ok(&resp)) {
		resp.status[resp.status_len] = 0;
		say("failed: the server answered ", resp.status);
		return 10;
	}

	begin(&l);
	add(&l, "tls_bench: TLS 1.2 ");
	add(&l, tls_profile_suite_name(now.cipher_suite));
	add(&l, resumed ? ", resumed" : ", full");
	add(&l, " handshake in ");
	add_milli(&l, hs_ns / 1000);
	add(&l, " ms (after ");
	add_milli(&l, tcp_ns / 1000);
	add(&l, " ms to connect)");
	finish(&l);

	uint64_t all = end - t0;
	begin(&l);
	add(&l, "tls_bench: ");
	add_number(&l, resp.body);
	add(&l, " bytes from ");
	add(&l, path);
	add(&l, " in ");
	add_milli(&l, all / 1000000);
	add(&l, " s (");
	add_number(&l, all ? resp.body * 1000000000ull / 1024 / all : 0);
	add(&l, " KiB/s), body in ");
	add_milli(&l, (end - hs_end) / 1000000);
	add(&l, " s");
	finish(&l);

	uint8_t digest[32];
	br_sha256_out(&resp.sha, digest);
	begin(&l);
	add(&l, "sha256 ");
	for (int i = 0; i < 32; i++) {
		char hex[3] = {"0123456789abcdef"[digest[i] >> 4],
			       "0123456789abcdef"[digest[i] & 15], 0};
		add(&l, hex);
	}
	finish(&l);
	return 0;
}

static int bench(int argc, char **argv)
{
	uint64_t port = 0, count = 0;
	uint32_t addr;

	if (argc != 7 || !parse_ipv4(argv[2], &addr) || !number(argv[3], &port) || port == 0 ||
	    port > 65535 || !number(argv[6], &count) || count == 0 || count > 100 ||
	    argv[5][0] != '/' || length(argv[4]) > 200 || length(argv[5]) > 200) {
		say("usage: tls_bench_linux ROOTS ADDRESS PORT NAME PATH COUNT", "");
		return 20;
	}
	if (load_roots(argv[1]) < 0) {
		say("failed: cannot read trust anchors from ", argv[1]);
		return 20;
	}
	peer.family = AF_INET;
	peer.port = (uint16_t)((port >> 8) | ((port & 0xff) << 8));
	peer.addr = addr;
	for (uint64_t i = 0; i < count; i++) {
		int rc = one(argv[4], argv[5]);
		if (rc != 0)
			return rc;
	}
	return 0;
}

LINUX_FREESTANDING_ENTRY;
