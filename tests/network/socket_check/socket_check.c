/*
 * socket_check HOST HTTP_PORT DNS: checks the POSIX layer's sockets
 * (//platform/posix) against real peers: the HTTP server at HOST:HTTP_PORT
 * and the DNS server at DNS:53 of the network tests (//tests/network). It
 * covers each call, blocking and not, poll, time-outs, the errno of each
 * failure, getaddrinfo, inet_pton/inet_ntop and UDP. Prints
 * "socket_check: N passed, M failed"; exit status 0 or 10.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <viper/component.h>
#include <viper/posix.h>
#include <viper/program_slots.h>

VIPER_PROGRAM_SLOTS({"console", "console"}, {"net", "net"});

static int passed, failed;
static const char *host, *dns;
static unsigned http_port;

static void check(int ok, const char *what)
{
	if (ok) {
		passed++;
	} else {
		failed++;
		printf("socket_check: FAIL %s (errno %d)\n", what, errno);
	}
}

static struct sockaddr_in address(const char *ip, unsigned port)
{
	struct sockaddr_in a = {.sin_len = sizeof(a), .sin_family = AF_INET};

	a.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, ip, &a.sin_addr);
	return a;
}

static void check_errors(void)
{
	char c = 0;

	check(socket(1, SOCK_STREAM, 0) < 0 && errno == EAFNOSUPPORT, "socket(AF_UNIX)");
	check(socket(AF_INET, 99, 0) < 0 && errno == EPROTONOSUPPORT, "socket(type 99)");
	check(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP) < 0 && errno == EPROTONOSUPPORT,
	      "socket(stream, udp)");
	check(send(999, &c, 1, 0) < 0 && errno == EBADF, "send on no descriptor");
	check(send(1, &c, 1, 0) < 0 && errno == ENOTSOCK, "send on the console");
	check(connect(1, NULL, 0) < 0 && errno == ENOTSOCK, "connect on the console");
}

static void check_addresses(void)
{
	uint8_t a[16];
	char text[INET6_ADDRSTRLEN];

	check(inet_pton(AF_INET, "10.0.2.2", a) == 1 && a[0] == 10 && a[3] == 2, "pton 10.0.2.2");
	check(inet_pton(AF_INET, "256.1.1.1", a) == 0, "pton refuses 256.1.1.1");
	check(inet_pton(AF_INET, "1.2.3", a) == 0, "pton refuses 1.2.3");
	check(inet_pton(AF_INET6, "fec0::2", a) == 1 && a[0] == 0xfe && a[15] == 2, "pton fec0::2");
	check(inet_pton(AF_INET6, "1:::2", a) == 0, "pton refuses 1:::2");
	check(inet_pton(AF_INET6, "::ffff:10.0.2.2", a) == 1 && a[10] == 0xff && a[12] == 10,
	      "pton ::ffff:10.0.2.2");
	inet_pton(AF_INET6, "1:0:0:0:0:0:0:8", a);
	check(inet_ntop(AF_INET6, a, text, sizeof(text)) && !strcmp(text, "1::8"), "ntop 1::8");
	memset(a, 0, 16);
	check(inet_ntop(AF_INET6, a, text, sizeof(text)) && !strcmp(text, "::"), "ntop ::");
	check(inet_ntop(AF_INET6, a, text, 2) == NULL && errno == ENOSPC, "ntop too small");
}

static void check_names(void)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;

	check(getaddrinfo(host, "80", &hints, &res) == 0 && res->ai_family == AF_INET &&
		      ntohs(((struct sockaddr_in *)res->ai_addr)->sin_port) == 80,
	      "getaddrinfo of an address and a port");
	freeaddrinfo(res);
	check(getaddrinfo("fec0::2", NULL, &hints, &res) == 0 && res->ai_family == AF_INET6,
	      "getaddrinfo of an IPv6 address");
	freeaddrinfo(res);
	check(getaddrinfo(host, "http", &hints, &res) == EAI_SERVICE, "a service by name");
	check(getaddrinfo("no-such-host.test", NULL, &hints, &res) == EAI_NONAME, "no such host");
	hints.ai_family = AF_INET6;
	check(getaddrinfo("test-host", NULL, &hints, &res) == 0 && res->ai_family == AF_INET6,
	      "test-host's AAAA record");
	freeaddrinfo(res);
}

static void check_tcp(void)
{
	struct sockaddr_in at = address(host, http_port), me, peer;
	socklen_t len = sizeof(me);
	const char *get = "GET /files/1 HTTP/1.0\r\n\r\n";
	char reply[512];
	size_t got = 0;
	ssize_t n;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	check(fd >= 3, "socket(stream)");
	check(connect(fd, (struct sockaddr *)&at, sizeof(at)) == 0, "connect");
	check(getsockname(fd, (struct sockaddr *)&me, &len) == 0 &&
		      me.sin_addr.s_addr == address("10.0.2.15", 0).sin_addr.s_addr,
	      "getsockname");
	len = sizeof(peer);
	check(getpeername(fd, (struct sockaddr *)&peer, &len) == 0 &&
		      ntohs(peer.sin_port) == http_port,
	      "getpeername");
	check(write(fd, get, strlen(get)) == (ssize_t)strlen(get), "write a request");
	check(shutdown(fd, SHUT_WR) == 0, "shutdown(SHUT_WR)");
	while ((n = recv(fd, reply + got, sizeof(reply) - 1 - got, 0)) > 0)
		got += (size_t)n;
	reply[got] = '\0';
	check(n == 0 && strstr(reply, " 200 ") && strstr(reply, "\r\n\r\n"),
	      "recv the reply to its end");
	check(close(fd) == 0, "close");
	check(recv(fd, reply, 1, 0) < 0 && errno == EBADF, "recv after close");
}

static void check_nonblocking(void)
{
	struct sockaddr_in at = address(host, http_port), refused = address(host, 1);
	struct pollfd p;
	int err = -1;
	socklen_t len = sizeof(err);
	char c;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	check(connect(fd, (struct sockaddr *)&at, sizeof(at)) < 0 && errno == EINPROGRESS,
	      "connect in progress");
	p = (struct pollfd){fd, POLLOUT, 0};
	check(poll(&p, 1, 5000) == 1 && (p.revents & POLLOUT), "poll: connected");
	check(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0, "SO_ERROR 0");
	check(recv(fd, &c, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN, "recv with nothing: EAGAIN");
	p = (struct pollfd){fd, POLLIN, 0};
	check(poll(&p, 1, 0) == 0, "poll with nothing to read");
	close(fd);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	check(connect(fd, (struct sockaddr *)&refused, sizeof(refused)) < 0 &&
		      errno == ECONNREFUSED,
	      "connect refused");
	close(fd);
}

static void check_timeout(void)
{
	struct sockaddr_in at = address(host, http_port);
	struct timeval tv = {0, 300000};
	char c;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	check(connect(fd, (struct sockaddr *)&at, sizeof(at)) == 0, "connect for a time-out");
	check(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0, "SO_RCVTIMEO");
	uint64_t start = vc_now_ns();
	check(recv(fd, &c, 1, 0) < 0 && (errno == ETIMEDOUT || errno == EAGAIN), "recv times out");
	uint64_t ms = (vc_now_ns() - start) / 1000000;
	check(ms >= 290 && ms < 5000, "after about 300 ms");
	close(fd);
}

static void check_listen(void)
{
	struct sockaddr_in any = address("0.0.0.0", 5555);
	struct pollfd p;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int other = socket(AF_INET, SOCK_STREAM, 0);

	check(bind(fd, (struct sockaddr *)&any, sizeof(any)) == 0, "bind port 5555");
	check(bind(other, (struct sockaddr *)&any, sizeof(any)) < 0 && errno == EADDRINUSE,
	      "bind the same port again");
	check(listen(fd, 4) == 0, "listen");
	check(accept(fd, NULL, NULL) < 0 && errno == EAGAIN, "accept with nobody: EAGAIN");
	p = (struct pollfd){fd, POLLIN, 0};
	check(poll(&p, 1, 0) == 0, "poll a quiet listener");
	close(other);
	close(fd);
}

static void check_udp(void)
{
	/* A DNS query for test-host's A record, ID 0x5a5a. */
	static const uint8_t query[] = {0x5a, 0x5a, 1,	 0,   0,   1,	0,   0,	  0,
					0,    0,    0,	 9,   't', 'e', 's', 't', '-',
					'h',  'o',  's', 't', 0,   0,	1,   0,	  1};
	struct sockaddr_in to = address(dns, 53), from;
	socklen_t len = sizeof(from);
	static uint8_t answer[2000];
	struct pollfd p;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	check(fd >= 3, "socket(dgram)");
	check(sendto(fd, query, sizeof(query), 0, (struct sockaddr *)&to, sizeof(to)) ==
		      (ssize_t)sizeof(query),
	      "sendto the DNS server");
	p = (struct pollfd){fd, POLLIN, 0};
	check(poll(&p, 1, 5000) == 1, "poll: the answer came");
	ssize_t n = recvfrom(fd, answer, sizeof(answer), 0, (struct sockaddr *)&from, &len);
	check(n > 12 && answer[0] == 0x5a && answer[1] == 0x5a && (answer[3] & 0xf) == 0 &&
		      answer[7] >= 1,
	      "recvfrom: an answer to the query");
	check(from.sin_addr.s_addr == to.sin_addr.s_addr && ntohs(from.sin_port) == 53,
	      "recvfrom: from the server's port 53");
	check(recv(fd, answer, sizeof(answer), MSG_DONTWAIT) < 0 && errno == EAGAIN,
	      "one datagram only");
	check(sendto(fd, answer, 2000, 0, (struct sockaddr *)&to, sizeof(to)) < 0 &&
		      errno == EMSGSIZE,
	      "a datagram over 1472 bytes");
	close(fd);
}

int main(const struct viper_startup *s)
{
	int argc;
	char **argv;

	viper_posix_start(s, &argc, &argv);
	if (argc != 4) {
		printf("Usage: socket_check HOST HTTP_PORT DNS\n");
		return viper_posix_end(20);
	}
	host = argv[1];
	http_port = (unsigned)strtoul(argv[2], NULL, 10);
	dns = argv[3];
	check_errors();
	check_addresses();
	check_names();
	check_tcp();
	check_nonblocking();
	check_timeout();
	check_listen();
	check_udp();
	printf("socket_check: %d passed, %d failed\n", passed, failed);
	return viper_posix_end(failed ? 10 : 0);
}
