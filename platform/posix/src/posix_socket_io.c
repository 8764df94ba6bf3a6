/*
 * Data on the POSIX layer's sockets: send, recv, sendto, recvfrom, and
 * read and write on a socket. A blocking call waits for the stack's
 * notification and asks again; a stream send returns once all of it is
 * queued (or an error comes after some was), a receive once something
 * came.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "posix_sockets.h"

int64_t posix_time_left(int64_t timeout_ns, uint64_t start_ns)
{
	if (timeout_ns == VIPER_TIMEOUT_NONE)
		return VIPER_TIMEOUT_NONE;
	int64_t left = timeout_ns - (int64_t)(vc_now_ns() - start_ns);
	return left > 0 ? left : 1;
}

static bool expired(int64_t timeout_ns, uint64_t start_ns)
{
	return timeout_ns != VIPER_TIMEOUT_NONE && (int64_t)(vc_now_ns() - start_ns) >= timeout_ns;
}

/* One Send or SendTo of `n` bytes already in the lent memory. */
static int32_t send_once(struct posix_fd *f, uint32_t n, const viper_socket_SendToRequest *to,
			 uint32_t *sent)
{
	viper_socket_SendReply rep = viper_socket_SendReply_init_zero;
	int32_t err;

	if (to) {
		viper_socket_SendToRequest req = *to;
		req.data = posix.io;
		req.data_length = n;
		err = socket_send_to(&f->sock, &req, &rep);
	} else {
		viper_socket_SendRequest req = {posix.io, 0, n};
		err = socket_send(&f->sock, &req, &rep);
	}
	*sent = rep.sent;
	return err;
}

static ssize_t send_all(struct posix_fd *f, const void *buf, size_t len, bool dontwait,
			const viper_socket_SendToRequest *to)
{
	uint64_t start = vc_now_ns();
	size_t total = 0;
	int32_t err = posix_io();

	while (err == VIPER_OK && total < len) {
		uint32_t n =
			len - total < POSIX_IO_BYTES ? (uint32_t)(len - total) : POSIX_IO_BYTES;
		uint32_t sent = 0;

		memcpy(posix.io_bytes, (const char *)buf + total, n);
		err = send_once(f, n, to, &sent);
		total += sent;
		if (err == VIPER_E_WOULDBLOCK && !(dontwait || f->nonblock)) {
			err = expired(f->send_timeout_ns, start)
				      ? VIPER_E_TIMEOUT
				      : posix_socket_wait(
						posix_time_left(f->send_timeout_ns, start));
		}
		if (err == VIPER_OK && (to || f->kind == viper_net_Kind_UDP))
			break; /* one datagram */
	}
	if (total > 0 && (err == VIPER_OK || err == VIPER_E_WOULDBLOCK || err == VIPER_E_TIMEOUT))
		return (ssize_t)total;
	return err ? posix_socket_fail(err) : (ssize_t)total;
}

/* One Receive or ReceiveFrom of up to `n` bytes into the lent memory, waiting if it may. */
static int32_t receive_wait(struct posix_fd *f, uint32_t n, bool dontwait, uint32_t *got,
			    viper_socket_ReceiveFromReply *from)
{
	uint64_t start = vc_now_ns();

	for (;;) {
		viper_socket_ReceiveRequest req = {posix.io, 0, n};
		viper_socket_ReceiveReply rep = viper_socket_ReceiveReply_init_zero;
		int32_t err;

		if (from) {
			err = socket_receive_from(&f->sock, &req, from);
			*got = from->received;
		} else {
			err = socket_receive(&f->sock, &req, &rep);
			*got = rep.received;
		}
		if (err != VIPER_E_WOULDBLOCK || dontwait || f->nonblock)
			return err;
		if (expired(f->recv_timeout_ns, start))
			return VIPER_E_TIMEOUT;
		err = posix_socket_wait(posix_time_left(f->recv_timeout_ns, start));
		if (err && err != VIPER_E_TIMEOUT)
			return err;
	}
}

static ssize_t receive(struct posix_fd *f, void *buf, size_t len, bool dontwait,
		       viper_socket_ReceiveFromReply *from)
{
	uint32_t n = len < POSIX_IO_BYTES ? (uint32_t)len : POSIX_IO_BYTES, got = 0;
	int32_t err = posix_io();

	if (err == VIPER_OK)
		err = receive_wait(f, n, dontwait, &got, from);
	if (err)
		return posix_socket_fail(err);
	if (got > n)
		got = n; /* never more than asked, whatever the stack says */
	memcpy(buf, posix.io_bytes, got);
	return (ssize_t)got;
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	struct posix_fd *f = posix_socket_fd(fd);

	return f ? send_all(f, buf, len, flags & MSG_DONTWAIT, NULL) : -1;
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	struct posix_fd *f = posix_socket_fd(fd);

	return f ? receive(f, buf, len, flags & MSG_DONTWAIT, NULL) : -1;
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
	       socklen_t tolen)
{
	struct posix_fd *f = posix_socket_fd(fd);
	viper_socket_SendToRequest req = viper_socket_SendToRequest_init_zero;

	if (!f)
		return -1;
	if (to == NULL || f->kind == viper_net_Kind_TCP)
		return send_all(f, buf, len, flags & MSG_DONTWAIT, NULL);
	if (posix_sockaddr_in(to, tolen, req.address.bytes, &req.address.size, &req.port) < 0)
		return -1;
	if (len > POSIX_IO_BYTES)
		return errno = EMSGSIZE, -1;
	return send_all(f, buf, len, flags & MSG_DONTWAIT, &req);
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
		 socklen_t *fromlen)
{
	struct posix_fd *f = posix_socket_fd(fd);
	viper_socket_ReceiveFromReply rep = viper_socket_ReceiveFromReply_init_zero;

	if (!f)
		return -1;
	if (f->kind == viper_net_Kind_TCP)
		return receive(f, buf, len, flags & MSG_DONTWAIT, NULL);
	ssize_t n = receive(f, buf, len, flags & MSG_DONTWAIT, &rep);
	if (n >= 0 && from && fromlen)
		posix_sockaddr_out(rep.address.bytes, rep.address.size, rep.port, from, fromlen);
	return n;
}

ssize_t posix_socket_read(struct posix_fd *f, void *buf, size_t len)
{
	return receive(f, buf, len, false, NULL);
}

ssize_t posix_socket_write(struct posix_fd *f, const void *buf, size_t len)
{
	return send_all(f, buf, len, false, NULL);
}
