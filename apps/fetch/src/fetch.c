/*
 * fetch URL [TO file] [HASH] [TIMEOUT seconds] [REPEAT n]
 *
 * Downloads URL (http://host[:port]/path or https://host[:port]/path;
 * host a name, an IPv4 address or an IPv6 one in brackets; https needs a
 * name) with the HTTP/1.1 client library, following up to 5 redirects
 * between http and https, to `file` (or the console), with a progress
 * line every second or so for long downloads. https goes through TLS 1.2
 * (platform/tls): the server's chain is verified against the trust store
 * in CERTS:, with its dates and the host name, and a line tells the
 * suite and whether the handshake was full or resumed. HASH prints the
 * body's SHA-256. TIMEOUT bounds each connect, send and receive (default
 * 30 s). REPEAT downloads n times (1..100) in this one run, so repeated
 * https connections resume their TLS session. A failed download removes
 * the file it started. Return codes: 0 done; 5 the server answered with
 * an error status; 10 the download failed (no such host, refused, reset,
 * timed out, truncated body, bad chunk, too many redirects, a file that
 * cannot be written, a certificate refused or a failed TLS handshake,
 * each said in words); 20 bad arguments or URL.
 */
#include <bearssl_hash.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <viper/component.h>
#include <viper/http.h>
#include <viper/posix.h>
#include <viper/program_slots.h>

#include "https.h"
#include "socket_transport.h"

VIPER_PROGRAM_SLOTS({"console", "console"}, {"files", "files"}, {"assigns", "assigns"},
		    {"net", "net"}, {"entropy", "entropy"}, {"rtc", "rtc"});

#define PROGRESS_NS 1000000000ull

struct fetch {
	const char *url, *to;
	bool hash;
	unsigned long timeout_s, repeat;
	int fd;	       /* -1: the console */
	bool mid_line; /* the console's last body byte was not a newline */
	int write_errno;
	size_t buffered; /* bytes in file_buf */
	br_sha256_context sha;
	uint64_t started_ns, shown_ns;
};

static struct http_result result; /* about 9 KiB: not on the stack */
static struct https https;	  /* the TLS transport and its trust store */

#define FILE_BUF_BYTES 65536u
static uint8_t file_buf[FILE_BUF_BYTES]; /* the body on its way to the file */

static int usage(void)
{
	printf("Usage: fetch URL [TO file] [HASH] [TIMEOUT seconds] [REPEAT n]\n");
	return 20;
}

static bool parse(int argc, char **argv, struct fetch *f)
{
	*f = (struct fetch){.timeout_s = 30, .repeat = 1, .fd = -1};
	for (int i = 1; i < argc; i++) {
		bool more = i + 1 < argc;
		char *end;

		if (!strcasecmp(argv[i], "TO") && more) {
			f->to = argv[++i];
		} else if (!strcasecmp(argv[i], "HASH")) {
			f->hash = true;
		} else if (!strcasecmp(argv[i], "TIMEOUT") && more) {
			f->timeout_s = strtoul(argv[++i], &end, 10);
			if (*end || f->timeout_s == 0 || f->timeout_s > 3600)
				return false;
		} else if (!strcasecmp(argv[i], "REPEAT") && more) {
			f->repeat = strtoul(argv[++i], &end, 10);
			if (*end || f->repeat == 0 || f->repeat > 100)
				return false;
		} else if (!f->url) {
			f->url = argv[i];
		} else {
			return false;
		}
	}
	return f->url != NULL;
}

/* Writes all of data to the file or the console: 0, or -1 with write_errno set. */
static int put(struct fetch *f, const uint8_t *data, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = f->fd >= 0 ? write(f->fd, data + done, len - done)
				       : (ssize_t)fwrite(data + done, 1, len - done, stdout);
		if (n <= 0) {
			f->write_errno = f->fd >= 0 ? errno : EIO;
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

/* Writes what the file's buffer holds. */
static int flush_file(struct fetch *f)
{
	int err = put(f, file_buf, f->buffered);

	f->buffered = 0;
	return err;
}

/*
 * The body's slices: hashed, then to the console as they come, or to the
 * file through FILE_BUF_BYTES of buffer (each write is a call to the
 * filesystem, so few large ones).
 */
static int sink(void *ctx, const uint8_t *data, size_t len)
{
	struct fetch *f = ctx;

	br_sha256_update(&f->sha, data, len);
	if (f->fd < 0) {
		if (len > 0)
			f->mid_line = data[len - 1] != '\n';
		return put(f, data, len);
	}
	while (len > 0) {
		size_t n = len < FILE_BUF_BYTES - f->buffered ? len : FILE_BUF_BYTES - f->buffered;
		memcpy(file_buf + f->buffered, data, n);
		f->buffered += n;
		data += n;
		len -= n;
		if (f->buffered == FILE_BUF_BYTES && flush_file(f) < 0)
			return -1;
	}
	return 0;
}

static void progress(void *ctx, uint64_t received, int64_t total)
{
	struct fetch *f = ctx;
	uint64_t now = vc_now_ns();

	if (f->fd < 0 || now - f->shown_ns < PROGRESS_NS)
		return;
	f->shown_ns = now;
	if (total > 0)
		printf("fetch: %llu of %lld bytes (%u%%)\n", (unsigned long long)received,
		       (long long)total, (unsigned)(received * 100 / (uint64_t)total));
	else
		printf("fetch: %llu bytes\n", (unsigned long long)received);
	fflush(stdout);
}

/* Whether the URL that failed went over TLS. */
static bool is_https(const char *url)
{
	return strncmp(url, "https:", 6) == 0;
}

/* A TLS failure in words: the check that refused, and its particulars. */
static int tls_failed(const char *at)
{
	const struct tls_report *rep = &https.tls.report;

	printf("fetch: %s: %s%s%s\n", at, tls_failure_message(rep->failure),
	       rep->detail[0] ? ": " : "", rep->detail);
	return 10;
}

/* The failure in words, and its return code. */
static int failed(const struct fetch *f, const struct socket_transport *plain)
{
	const struct http_result *r = &result;
	const char *at = http_result_url(r);
	const struct socket_transport *st = is_https(at) ? &https.st : plain;

	switch (r->error) {
	case HTTP_E_TLS_CERTIFICATE:
	case HTTP_E_TLS_HANDSHAKE:
	case HTTP_E_TLS_PROTOCOL:
		return tls_failed(at);
	case HTTP_E_STATUS:
		printf("fetch: %s: the server answered %d %s\n", at, r->status, r->reason);
		return 5;
	case HTTP_E_TRUNCATED:
		printf("fetch: %s: truncated body: the connection closed after %llu of %lld "
		       "bytes\n",
		       at, (unsigned long long)r->body_bytes, (long long)r->content_length);
		return 10;
	case HTTP_E_SINK:
		printf("fetch: %s: %s\n", f->to ? f->to : "the console", strerror(f->write_errno));
		return 10;
	case HTTP_E_CONNECTION_REFUSED:
		printf("fetch: %s: connection refused by %s\n", at, st->address);
		return 10;
	case HTTP_E_BAD_URL:
	case HTTP_E_URL_TOO_LONG:
	case HTTP_E_UNSUPPORTED_SCHEME:
		if (r->redirects == 0) {
			printf("fetch: %s: %s\n", f->url, http_error_message(r->error));
			return 20;
		}
		break;
	case HTTP_E_NETWORK:
		if (st->last_errno == ENETDOWN) {
			printf("fetch: %s: the network stack stopped (it restarts; try again)\n",
			       at);
			return 10;
		}
		break;
	default:
		break;
	}
	printf("fetch: %s: %s\n", at, http_error_message(r->error));
	return 10;
}

static void succeeded(struct fetch *f)
{
	uint64_t ns = vc_now_ns() - f->started_ns, ms = ns / 1000000;
	uint64_t kib_s = ns ? result.body_bytes * 1000000000ull / 1024 / ns : 0;
	uint8_t digest[32];

	fflush(stdout);
	printf("fetch: %llu bytes from %s in %llu.%03llu s (%llu KiB/s)%s%s\n",
	       (unsigned long long)result.body_bytes, http_result_url(&result),
	       (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000),
	       (unsigned long long)kib_s, f->to ? " to " : "", f->to ? f->to : "");
	if (f->hash) {
		br_sha256_out(&f->sha, digest);
		printf("sha256 ");
		for (int i = 0; i < 32; i++)
			printf("%02x", digest[i]);
		printf("\n");
	}
	if (is_https(http_result_url(&result))) {
		const struct tls_report *rep = &https.tls.report;
		uint64_t hs = https.handshake_ns / 1000, tcp = https.tcp_ns / 1000;
		printf("fetch: TLS 1.2 %s, %s handshake in %llu.%03llu ms (after %llu.%03llu ms "
		       "to connect)\n",
		       tls_suite_name(rep->suite), rep->resumed ? "resumed" : "full",
		       (unsigned long long)(hs / 1000), (unsigned long long)(hs % 1000),
		       (unsigned long long)(tcp / 1000), (unsigned long long)(tcp % 1000));
	}
}

/* One download: its return code, reported. */
static int download(struct fetch *f, const struct http_transport *t,
		    const struct socket_transport *st)
{
	struct http_get_options opt;
	int rc;

	f->fd = -1;
	f->mid_line = false;
	f->buffered = 0;
	if (f->to && (f->fd = open(f->to, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0) {
		printf("fetch: %s: %s\n", f->to, strerror(errno));
		return 10;
	}
	br_sha256_init(&f->sha);
	http_get_options_init(&opt);
	opt.https = &https.http;
	opt.timeout_ms = (uint32_t)(f->timeout_s * 1000);
	opt.sink = sink;
	opt.progress = progress;
	opt.ctx = f;
	f->started_ns = f->shown_ns = vc_now_ns();
	int got = http_get(t, f->url, &opt, &result);
	if (f->mid_line) {
		fflush(stdout);
		printf("\n"); /* what follows starts a line of its own */
	}
	if (got == HTTP_OK && f->fd >= 0 && flush_file(f) < 0) {
		result.error = got = HTTP_E_SINK; /* the last of the body did not go */
		result.sink_error = -1;
	}
	rc = got == HTTP_OK ? 0 : failed(f, st);
	if (f->fd >= 0 && close(f->fd) < 0 && rc == 0) {
		printf("fetch: %s: %s\n", f->to, strerror(errno));
		rc = 10;
	}
	if (rc == 0)
		succeeded(f);
	else if (f->to && unlink(f->to) == 0)
		printf("fetch: removed the unfinished %s\n", f->to);
	return rc;
}

int main(const struct viper_startup *s)
{
	static struct socket_transport st; /* its read-ahead: 32 KiB, not on the stack */
	struct fetch f;
	struct http_transport t;
	int argc, rc = 0;
	char **argv;

	viper_posix_start(s, &argc, &argv);
	if (!parse(argc, argv, &f))
		return viper_posix_end(usage());
	socket_transport_init(&st, &t);
	https_init(&https, viper_slot(s, "entropy"), viper_slot(s, "rtc"));
	for (unsigned long i = 0; i < f.repeat && rc == 0; i++)
		rc = download(&f, &t, &st);
	https_free(&https);
	return viper_posix_end(rc);
}
