/*
 * netbench SEND HOST PORT BYTES     connects and sends BYTES, then waits
 *                                   for the peer to close
 * netbench RECEIVE HOST PORT BYTES  connects and reads until BYTES came
 *                                   and the peer closed
 * netbench CONNECT HOST PORT COUNT  connects and closes COUNT times
 *
 * Prints one result line, "netbench: ..." with the bytes, the time in
 * milliseconds and the rate (or the mean set-up time), for
 * tests/benchmarks/run_net_bench. Return code 0, 10 on a network error,
 * 20 for bad arguments.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <viper/component.h>
#include <viper/posix.h>
#include <viper/program_slots.h>

VIPER_PROGRAM_SLOTS({"console", "console"}, {"net", "net"});

#define CHUNK (256u * 1024u)

static char buf[CHUNK];

static int dial(const char *host, const char *port)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;
	int e = getaddrinfo(host, port, &hints, &res), fd;

	if (e) {
		printf("netbench: %s: %s\n", host, gai_strerror(e));
		return -1;
	}
	fd = socket(res->ai_family, SOCK_STREAM, 0);
	if (fd < 0)
		printf("netbench: socket: %s\n", strerror(errno));
	if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) < 0) {
		printf("netbench: connect to %s port %s: %s\n", host, port, strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

static void rate(const char *what, unsigned long long bytes, uint64_t ns)
{
	unsigned long long ms = ns / 1000000, kbit = ns ? bytes * 8ull * 1000000ull / ns : 0;

	printf("netbench: %s %llu bytes in %llu ms: %llu.%03llu Mbit/s\n", what, bytes, ms,
	       kbit / 1000, kbit % 1000);
}

static int bulk_send(int fd, unsigned long long bytes)
{
	uint64_t start = vc_now_ns();
	unsigned long long done = 0;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 7 + 1);
	while (done < bytes) {
		size_t n = bytes - done < sizeof(buf) ? (size_t)(bytes - done) : sizeof(buf);
		ssize_t r = send(fd, buf, n, 0);
		if (r <= 0) {
			printf("netbench: send after %llu bytes: %s\n", done, strerror(errno));
			return 10;
		}
		done += (unsigned long long)r;
	}
	shutdown(fd, SHUT_WR);
	while (recv(fd, buf, sizeof(buf), 0) > 0)
		; /* the peer closes once it has everything */
	rate("sent", done, vc_now_ns() - start);
	return 0;
}

static int bulk_receive(int fd, unsigned long long bytes)
{
	uint64_t start = vc_now_ns();
	unsigned long long done = 0;
	ssize_t r;

	while ((r = recv(fd, buf, sizeof(buf), 0)) > 0)
		done += (unsigned long long)r;
	if (r < 0 || done != bytes) {
		printf("netbench: received %llu of %llu bytes: %s\n", done, bytes,
		       r < 0 ? strerror(errno) : "the peer closed early");
		return 10;
	}
	rate("received", done, vc_now_ns() - start);
	return 0;
}

static int connects(const char *host, const char *port, unsigned long count)
{
	uint64_t total = 0;

	for (unsigned long i = 0; i < count; i++) {
		uint64_t start = vc_now_ns();
		int fd = dial(host, port);

		if (fd < 0)
			return 10;
		total += vc_now_ns() - start;
		close(fd);
	}
	printf("netbench: %lu connections, mean set-up %llu us\n", count,
	       (unsigned long long)(total / count / 1000));
	return 0;
}

int main(const struct viper_startup *s)
{
	int argc, rc;
	char **argv, *end;

	viper_posix_start(s, &argc, &argv);
	unsigned long long n = argc == 5 ? strtoull(argv[4], &end, 10) : 0;
	if (argc != 5 || n == 0 || *end) {
		printf("Usage: netbench SEND|RECEIVE HOST PORT BYTES, or CONNECT HOST PORT "
		       "COUNT\n");
		return viper_posix_end(20);
	}
	if (!strcasecmp(argv[1], "CONNECT"))
		return viper_posix_end(connects(argv[2], argv[3], (unsigned long)n));
	bool sending = !strcasecmp(argv[1], "SEND");
	if (!sending && strcasecmp(argv[1], "RECEIVE")) {
		printf("netbench: '%s' is not SEND, RECEIVE or CONNECT\n", argv[1]);
		return viper_posix_end(20);
	}
	int fd = dial(argv[2], argv[3]);
	if (fd < 0)
		return viper_posix_end(10);
	rc = sending ? bulk_send(fd, n) : bulk_receive(fd, n);
	close(fd);
	return viper_posix_end(rc);
}
