/*
 * echoservice PORT [COUNT n]
 *
 * Listens on TCP port PORT (IPv4 and IPv6), and for each of `n` (default
 * 1) connections sends back every byte it receives until the peer closes,
 * then says how many it echoed. Return code 0, 10 when the port cannot be
 * had or a connection fails, 20 for bad arguments.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <viper/posix.h>
#include <viper/program_slots.h>

VIPER_PROGRAM_SLOTS({"console", "console"}, {"net", "net"});

#define CHUNK (64u * 1024u)

static char buf[CHUNK];

static int listener(unsigned port)
{
	struct sockaddr_in6 at = {.sin6_len = sizeof(at), .sin6_family = AF_INET6};
	int fd = socket(AF_INET6, SOCK_STREAM, 0);

	at.sin6_port = htons((uint16_t)port);
	if (fd < 0 || bind(fd, (struct sockaddr *)&at, sizeof(at)) < 0 || listen(fd, 4) < 0) {
		printf("echoservice: port %u: %s\n", port, strerror(errno));
		return -1;
	}
	printf("echoservice: listening on port %u\n", port);
	fflush(stdout);
	return fd;
}

/* Echoes one connection to its end: the bytes echoed, or -1. */
static long long echo(int fd)
{
	long long total = 0;

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n == 0)
			return total;
		if (n < 0 || send(fd, buf, (size_t)n, 0) != n)
			return -1;
		total += n;
	}
}

int main(const struct viper_startup *s)
{
	unsigned long port = 0, count = 1;
	int argc, rc = 0;
	char **argv, *end;

	viper_posix_start(s, &argc, &argv);
	if (argc >= 2)
		port = strtoul(argv[1], &end, 10);
	if (argc == 4 && !strcasecmp(argv[2], "COUNT"))
		count = strtoul(argv[3], NULL, 10);
	if ((argc != 2 && argc != 4) || port == 0 || port > 65535 || count == 0 || count > 1000) {
		printf("Usage: echoservice PORT [COUNT n]\n");
		return viper_posix_end(20);
	}
	int lfd = listener((unsigned)port);
	if (lfd < 0)
		return viper_posix_end(10);
	for (unsigned long i = 0; i < count; i++) {
		struct sockaddr_in6 peer;
		socklen_t len = sizeof(peer);
		char a[INET6_ADDRSTRLEN] = "?";
		int fd = accept(lfd, (struct sockaddr *)&peer, &len);

		if (fd < 0) {
			printf("echoservice: accept: %s\n", strerror(errno));
			rc = 10;
			break;
		}
		if (peer.sin6_family == AF_INET6)
			inet_ntop(AF_INET6, &peer.sin6_addr, a, sizeof(a));
		else
			inet_ntop(AF_INET, &((struct sockaddr_in *)&peer)->sin_addr, a, sizeof(a));
		long long n = echo(fd);
		close(fd);
		if (n < 0) {
			printf("echoservice: connection from %s: %s\n", a, strerror(errno));
			rc = 10;
		} else {
			printf("echoservice: echoed %lld bytes to %s\n", n, a);
		}
	}
	close(lfd);
	return viper_posix_end(rc);
}
