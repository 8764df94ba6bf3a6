/*
 * net_bench_linux: the Linux peer of C:netbench (apps/netbench/src/netbench.c,
 * docs/benchmarks.md, "Network"). The same three modes, the same timing and
 * the same result lines, so tests/benchmarks/run_net_bench reads both with
 * one parser:
 *
 *   net_bench_linux SEND ADDRESS PORT BYTES     connects, sends BYTES in
 *       256 KiB writes, half-closes, reads until the peer closes:
 *       "netbench: sent N bytes in MS ms: X.YYY Mbit/s"
 *   net_bench_linux RECEIVE ADDRESS PORT BYTES  connects, reads in 256 KiB
 *       reads until the peer closes, checks the count:
 *       "netbench: received N bytes in MS ms: X.YYY Mbit/s"
 *   net_bench_linux CONNECT ADDRESS PORT COUNT  COUNT times socket+connect
 *       (timed) and close: "netbench: K connections, mean set-up U us"
 *
 * As in netbench, a transfer is timed from the moment connect returns to the
 * moment the peer's close is seen (read returns 0), with CLOCK_MONOTONIC in
 * nanoseconds; the rate is bytes * 8 / ns, printed to 1 kbit/s. ADDRESS is
 * a dotted IPv4 address (no resolver: netbench's getaddrinfo of a literal
 * does not ask DNS either).
 *
 * Freestanding like storage_bench_linux.c: its own _start, raw system calls
 * (svc #0, aarch64's generic numbers), no libc; built static by
 * tests/benchmarks/linux_peer/linux_peer.py:
 *   clang-14 --target=aarch64-linux-gnu -nostdlib -static -ffreestanding -fuse-ld=lld
 * Return code 0, 10 on a network error, 20 for bad arguments (as netbench).
 */

typedef unsigned long size_t;
typedef long ssize_t;
typedef long long int64_t;
typedef unsigned long long uint64_t;
typedef unsigned int uint32_t;
typedef unsigned short uint16_t;

#define SYS_close	  57
#define SYS_read	  63
#define SYS_write	  64
#define SYS_exit_group	  94
#define SYS_clock_gettime 113
#define SYS_socket	  198
#define SYS_connect	  203
#define SYS_shutdown	  210

#define AF_INET		2
#define SOCK_STREAM	1
#define SHUT_WR		1
#define CLOCK_MONOTONIC 1
#define EINTR		4

#define CHUNK (256u * 1024u)

static char buf[CHUNK];

#define LINUX_FREESTANDING_NET
#include "linux_freestanding.h"

/* Appends s to the string at *at, which has room up to end. */
static void append(char **at, char *end, const char *s)
{
	while (*s && *at < end - 1)
		*(*at)++ = *s++;
	**at = 0;
}

static void append_number(char **at, char *end, uint64_t u, int width)
{
	char digits[24];
	int n = 0;

	do {
		digits[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u || n < width);
	while (n > 0) {
		char one[2] = {digits[--n], 0};
		append(at, end, one);
	}
}

/* One output line, assembled by the caller; written with one write. */
struct line {
	char text[160], *at;
};

static void begin(struct line *l)
{
	l->at = l->text;
	l->text[0] = 0;
}

static void add(struct line *l, const char *s)
{
	append(&l->at, l->text + sizeof(l->text), s);
}

static void add_number(struct line *l, uint64_t v)
{
	append_number(&l->at, l->text + sizeof(l->text), v, 1);
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
	add(&l, a);
	add(&l, b);
	finish(&l);
}

static uint64_t now_ns(void)
{
	struct {
		long sec, nsec;
	} ts;

	SYS(SYS_clock_gettime, CLOCK_MONOTONIC, &ts, 0);
	return (uint64_t)ts.sec * 1000000000ull + (uint64_t)ts.nsec;
}

static int same(const char *a, const char *b) /* ASCII, case-insensitive */
{
	for (; *a && *b; a++, b++) {
		char x = *a >= 'a' && *a <= 'z' ? (char)(*a - 32) : *a;
		char y = *b >= 'a' && *b <= 'z' ? (char)(*b - 32) : *b;
		if (x != y)
			return 0;
	}
	return *a == *b;
}

static struct sockaddr_in peer;

static int dial(void)
{
	int fd = (int)SYS(SYS_socket, AF_INET, SOCK_STREAM, 0);
	long r;

	if (fd < 0) {
		say("netbench: socket failed", "");
		return -1;
	}
	do
		r = SYS(SYS_connect, fd, &peer, sizeof(peer));
	while (r == -EINTR);
	if (r < 0) {
		struct line l;

		begin(&l);
		add(&l, "netbench: connect failed, errno ");
		add_number(&l, (uint64_t)-r);
		finish(&l);
		SYS(SYS_close, fd, 0, 0);
		return -1;
	}
	return fd;
}

static void rate(const char *what, uint64_t bytes, uint64_t ns)
{
	uint64_t ms = ns / 1000000, kbit = ns ? bytes * 8ull * 1000000ull / ns : 0;
	struct line l;

	begin(&l);
	add(&l, "netbench: ");
	add(&l, what);
	add(&l, " ");
	add_number(&l, bytes);
	add(&l, " bytes in ");
	add_number(&l, ms);
	add(&l, " ms: ");
	add_number(&l, kbit / 1000);
	add(&l, ".");
	append_number(&l.at, l.text + sizeof(l.text), kbit % 1000, 3);
	add(&l, " Mbit/s");
	finish(&l);
}

static int bulk_send(int fd, uint64_t bytes)
{
	uint64_t start = now_ns(), done = 0;
	long r;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 7 + 1);
	while (done < bytes) {
		size_t n = bytes - done < sizeof(buf) ? (size_t)(bytes - done) : sizeof(buf);

		r = SYS(SYS_write, fd, buf, n);
		if (r == -EINTR)
			continue;
		if (r <= 0) {
			struct line l;

			begin(&l);
			add(&l, "netbench: send after ");
			add_number(&l, done);
			add(&l, " bytes failed, errno ");
			add_number(&l, (uint64_t)-r);
			finish(&l);
			return 10;
		}
		done += (uint64_t)r;
	}
	SYS(SYS_shutdown, fd, SHUT_WR, 0);
	while ((r = SYS(SYS_read, fd, buf, sizeof(buf))) > 0 || r == -EINTR)
		; /* the peer closes once it has everything */
	rate("sent", done, now_ns() - start);
	return 0;
}

static int bulk_receive(int fd, uint64_t bytes)
{
	uint64_t start = now_ns(), done = 0;
	long r;

	while ((r = SYS(SYS_read, fd, buf, sizeof(buf))) > 0 || r == -EINTR)
		if (r > 0)
			done += (uint64_t)r;
	if (r < 0 || done != bytes) {
		struct line l;

		begin(&l);
		add(&l, "netbench: received ");
		add_number(&l, done);
		add(&l, " of ");
		add_number(&l, bytes);
		add(&l, r < 0 ? " bytes: read failed" : " bytes: the peer closed early");
		finish(&l);
		return 10;
	}
	rate("received", done, now_ns() - start);
	return 0;
}

static int connects(uint64_t count)
{
	uint64_t total = 0;
	struct line l;

	for (uint64_t i = 0; i < count; i++) {
		uint64_t start = now_ns();
		int fd = dial();

		if (fd < 0)
			return 10;
		total += now_ns() - start;
		SYS(SYS_close, fd, 0, 0);
	}
	begin(&l);
	add(&l, "netbench: ");
	add_number(&l, count);
	add(&l, " connections, mean set-up ");
	add_number(&l, total / count / 1000);
	add(&l, " us");
	finish(&l);
	return 0;
}

static int bench(int argc, char **argv)
{
	uint64_t n = 0, port = 0;
	uint32_t addr;

	if (argc != 5 || !number(argv[4], &n) || n == 0 || !number(argv[3], &port) || port == 0 ||
	    port > 65535 || !parse_ipv4(argv[2], &addr)) {
		say("Usage: netbench SEND|RECEIVE ADDRESS PORT BYTES, or CONNECT ADDRESS PORT "
		    "COUNT",
		    "");
		return 20;
	}
	peer.family = AF_INET;
	peer.port = (uint16_t)((port >> 8) | ((port & 0xff) << 8));
	peer.addr = addr;
	if (same(argv[1], "CONNECT"))
		return connects(n);
	int sending = same(argv[1], "SEND");
	if (!sending && !same(argv[1], "RECEIVE")) {
		say(argv[1], " is not SEND, RECEIVE or CONNECT");
		return 20;
	}
	int fd = dial();
	if (fd < 0)
		return 10;
	int rc = sending ? bulk_send(fd, n) : bulk_receive(fd, n);
	SYS(SYS_close, fd, 0, 0);
	return rc;
}

LINUX_FREESTANDING_ENTRY;
