/*
 * The HTTP client's transport over sockets: connect resolves the host
 * (getaddrinfo: DNS through the network stack, or a literal) and tries
 * each address in turn; every receive and send is bounded by the time-out
 * given to connect. Socket errors become the client's HTTP_E_* codes.
 */
#include "socket_transport.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int http_error_of(struct socket_transport *st, int e)
{
	st->last_errno = e;
	switch (e) {
	case ECONNREFUSED:
		return HTTP_E_CONNECTION_REFUSED;
	case ECONNRESET:
	case EPIPE:
		return HTTP_E_CONNECTION_RESET;
	case ETIMEDOUT:
	case EAGAIN:
		return HTTP_E_TIMED_OUT;
	case ENETUNREACH:
	case EHOSTUNREACH:
		return HTTP_E_NETWORK_UNREACHABLE;
	case ENOMEM:
		return HTTP_E_NO_MEMORY;
	default:
		return HTTP_E_NETWORK;
	}
}

static int resolve_error(int gai)
{
	switch (gai) {
	case EAI_NONAME:
		return HTTP_E_NO_SUCH_HOST;
	case EAI_AGAIN:
		return HTTP_E_TIMED_OUT;
	case EAI_MEMORY:
		return HTTP_E_NO_MEMORY;
	default:
		return HTTP_E_NETWORK_UNREACHABLE;
	}
}

static void set_timeouts(int fd, uint32_t ms)
{
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};

	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int try_address(struct socket_transport *st, const struct addrinfo *ai)
{
	int fd = socket(ai->ai_family, SOCK_STREAM, 0);

	if (fd < 0)
		return http_error_of(st, errno);
	set_timeouts(fd, st->timeout_ms);
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		int err = http_error_of(st, errno);
		close(fd);
		return err;
	}
	st->fd = fd;
	return HTTP_OK;
}

static void remember(struct socket_transport *st, const struct addrinfo *ai)
{
	const void *a =
		ai->ai_family == AF_INET6
			? (const void *)&((const struct sockaddr_in6 *)ai->ai_addr)->sin6_addr
			: (const void *)&((const struct sockaddr_in *)ai->ai_addr)->sin_addr;

	if (!inet_ntop(ai->ai_family, a, st->address, sizeof(st->address)))
		st->address[0] = '\0';
}

static int st_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
	struct socket_transport *st = ctx;
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *ai;
	char service[8];
	int err = HTTP_E_NO_SUCH_HOST;

	snprintf(service, sizeof(service), "%u", (unsigned)port);
	st->timeout_ms = timeout_ms;
	int gai = getaddrinfo(host, service, &hints, &res);
	if (gai)
		return resolve_error(gai);
	for (ai = res; ai; ai = ai->ai_next) {
		remember(st, ai);
		err = try_address(st, ai);
		if (err == HTTP_OK)
			break;
	}
	freeaddrinfo(res);
	return err;
}

static int st_send(void *ctx, const void *buf, size_t len)
{
	struct socket_transport *st = ctx;
	ssize_t n = send(st->fd, buf, len, 0);

	return n < 0 ? http_error_of(st, errno) : (int)n;
}

static int st_recv(void *ctx, void *buf, size_t cap)
{
	struct socket_transport *st = ctx;
	ssize_t n = recv(st->fd, buf, cap, 0);

	return n < 0 ? http_error_of(st, errno) : (int)n;
}

static void st_close(void *ctx)
{
	struct socket_transport *st = ctx;

	st->ahead_pos = st->ahead_len = 0;
	if (st->fd >= 0)
		close(st->fd);
	st->fd = -1;
}

void socket_transport_init(struct socket_transport *st, struct http_transport *t)
{
	st->fd = -1;
	st->last_errno = 0;
	st->timeout_ms = HTTP_TIMEOUT_DEFAULT;
	st->address[0] = '\0';
	st->ahead_pos = st->ahead_len = 0;
	*t = (struct http_transport){st, st_connect, st_send, st_recv, st_close};
}

/* The stream's non-blocking sides: EAGAIN is TLS_IO_WOULDBLOCK, not a time-out. */
static int stream_send(void *ctx, const void *buf, size_t len)
{
	struct socket_transport *st = ctx;
	ssize_t n = send(st->fd, buf, len, MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return TLS_IO_WOULDBLOCK;
	return n < 0 ? http_error_of(st, errno) : (int)n;
}

static int stream_recv(void *ctx, void *buf, size_t cap)
{
	struct socket_transport *st = ctx;

	if (st->ahead_pos == st->ahead_len) {
		ssize_t n = recv(st->fd, st->ahead, sizeof(st->ahead), MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return TLS_IO_WOULDBLOCK;
		if (n <= 0)
			return n < 0 ? http_error_of(st, errno) : 0;
		st->ahead_pos = 0;
		st->ahead_len = (size_t)n;
	}
	size_t n = st->ahead_len - st->ahead_pos;
	if (n > cap)
		n = cap;
	memcpy(buf, st->ahead + st->ahead_pos, n);
	st->ahead_pos += n;
	return (int)n;
}

static int stream_wait(void *ctx, unsigned events, uint32_t timeout_ms)
{
	struct socket_transport *st = ctx;
	if ((events & TLS_IO_READ) && st->ahead_pos < st->ahead_len)
		return 0; /* read ahead already */
	struct pollfd p = {.fd = st->fd,
			   .events = (short)((events & TLS_IO_READ ? POLLIN : 0) |
					     (events & TLS_IO_WRITE ? POLLOUT : 0))};
	int n = poll(&p, 1, timeout_ms > (uint32_t)INT32_MAX ? -1 : (int)timeout_ms);

	if (n < 0)
		return http_error_of(st, errno);
	return n == 0 ? HTTP_E_TIMED_OUT : 0; /* an error or hang-up shows in the next call */
}

void socket_transport_stream(struct socket_transport *st, struct tls_io *io)
{
	socket_transport_init(st, &(struct http_transport){0});
	*io = (struct tls_io){st, st_connect, stream_send, stream_recv, stream_wait, st_close};
}
