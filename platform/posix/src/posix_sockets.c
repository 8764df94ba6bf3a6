/*
 * The POSIX layer's sockets (include/sys/socket.h): each is a session of
 * interface socket opened through slot net, in a descriptor of its own.
 * The stack's calls never block; a blocking socket waits on one
 * notification channel the layer shares among its sockets (the stack
 * notifies it whenever a socket may have changed) and asks again. Data
 * moves through the layer's lent memory (posix_io), at most
 * POSIX_IO_BYTES a call.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "posix_sockets.h"

struct posix_fd *posix_socket_fd(int fd)
{
	if (fd < 0 || fd >= (int)POSIX_FDS || !posix.fds[fd].used) {
		errno = EBADF;
		return NULL;
	}
	if (!posix.fds[fd].socket) {
		errno = ENOTSOCK;
		return NULL;
	}
	return &posix.fds[fd];
}

int32_t posix_socket_wait(int64_t timeout_ns)
{
	int64_t r = vc_notified_wait(posix.wake_recv, timeout_ns);

	return r < 0 ? (int32_t)r : VIPER_OK;
}

/* A send end of the layer's notification channel for the stack, made at first use. */
static int32_t wake_end(viper_handle_t *out)
{
	if (posix.wake_recv == VIPER_HANDLE_INVALID) {
		int32_t err = vc_channel_create(&posix.wake_send, &posix.wake_recv);

		if (err)
			return err;
	}
	return vc_handle_derive(posix.wake_send, VIPER_RIGHT_WRITE | VIPER_RIGHT_TRANSFER, out);
}

static void make_socket(int fd, viper_net_Kind kind, uint8_t family, bool nonblock,
			viper_handle_t session)
{
	struct posix_fd *f = &posix.fds[fd];

	*f = (struct posix_fd){.used = true,
			       .flags = O_RDWR,
			       .socket = true,
			       .nonblock = nonblock,
			       .family = family,
			       .kind = (uint8_t)kind,
			       .recv_timeout_ns = VIPER_TIMEOUT_NONE,
			       .send_timeout_ns = VIPER_TIMEOUT_NONE};
	vc_slot_bind(&f->sock, &socket_interface, session);
}

static int free_fd(void)
{
	int fd = 3;

	while (fd < (int)POSIX_FDS && posix.fds[fd].used)
		fd++;
	return fd < (int)POSIX_FDS ? fd : -1;
}

int socket(int domain, int type, int protocol)
{
	int kind_bits = type & ~SOCK_NONBLOCK;
	viper_net_SocketRequest req = viper_net_SocketRequest_init_zero;
	viper_net_SocketReply rep;
	int fd = free_fd();
	int32_t err;

	if (domain != AF_INET && domain != AF_INET6)
		return errno = EAFNOSUPPORT, -1;
	if ((kind_bits != SOCK_STREAM && kind_bits != SOCK_DGRAM) ||
	    (protocol != 0 && protocol != (kind_bits == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP)))
		return errno = EPROTONOSUPPORT, -1;
	if (!posix.has_net)
		return errno = ENETDOWN, -1;
	if (fd < 0)
		return errno = EMFILE, -1;
	req.kind = kind_bits == SOCK_STREAM ? viper_net_Kind_TCP : viper_net_Kind_UDP;
	req.family = domain == AF_INET6 ? 6 : 4;
	req.wake_bits = 1ull << fd;
	err = wake_end(&req.wake);
	if (err == VIPER_OK)
		err = net_socket(&posix.net, &req, &rep);
	if (err)
		return posix_socket_fail(err);
	make_socket(fd, req.kind, (uint8_t)req.family, type & SOCK_NONBLOCK, rep.socket);
	return fd;
}

/* The socket's state: VIPER_OK and *st, or the session's error. */
int32_t posix_socket_status(struct posix_fd *f, viper_socket_StatusReply *st)
{
	viper_socket_StatusRequest req = viper_socket_StatusRequest_init_zero;

	return socket_status(&f->sock, &req, st);
}

/* Waits for a connection in progress to finish: its result. */
static int32_t finish_connect(struct posix_fd *f)
{
	uint64_t start = vc_now_ns();

	for (;;) {
		viper_socket_StatusReply st;
		int32_t err = posix_socket_status(f, &st);

		if (err)
			return err;
		if (st.error)
			return st.error;
		if (st.state == viper_net_State_ESTABLISHED ||
		    st.state == viper_net_State_CLOSE_WAIT)
			return VIPER_OK;
		err = posix_socket_wait(posix_time_left(f->send_timeout_ns, start));
		if (err)
			return err;
	}
}

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct posix_fd *f = posix_socket_fd(fd);
	viper_socket_ConnectRequest req = viper_socket_ConnectRequest_init_zero;
	viper_socket_ConnectReply rep;
	int32_t err;

	if (!f)
		return -1;
	if (posix_sockaddr_in(addr, len, req.address.bytes, &req.address.size, &req.port) < 0)
		return -1;
	err = socket_connect(&f->sock, &req, &rep);
	if (err == VIPER_E_WOULDBLOCK) {
		if (f->nonblock)
			return errno = EINPROGRESS, -1;
		err = finish_connect(f);
	}
	return err ? posix_socket_fail(err) : 0;
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct posix_fd *f = posix_socket_fd(fd);
	viper_socket_BindRequest req = viper_socket_BindRequest_init_zero;
	viper_socket_BindReply rep;

	if (!f)
		return -1;
	if (posix_sockaddr_in(addr, len, req.address.bytes, &req.address.size, &req.port) < 0)
		return -1;
	if (posix_is_any(req.address.bytes, req.address.size))
		req.address.size = 0;
	int32_t err = socket_bind(&f->sock, &req, &rep);
	return err ? posix_socket_fail(err) : 0;
}

int listen(int fd, int backlog)
{
	struct posix_fd *f = posix_socket_fd(fd);
	viper_socket_ListenRequest req = {.backlog = backlog < 1    ? 1
						     : backlog > 16 ? 16
								    : (uint32_t)backlog};
	viper_socket_ListenReply rep;

	if (!f)
		return -1;
	int32_t err = socket_listen(&f->sock, &req, &rep);
	return err ? posix_socket_fail(err) : 0;
}

int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	struct posix_fd *f = posix_socket_fd(fd);
	viper_socket_AcceptRequest req = viper_socket_AcceptRequest_init_zero;
	viper_socket_AcceptReply rep;
	uint64_t start = vc_now_ns();
	int nfd = free_fd();
	int32_t err;

	if (!f)
		return -1;
	if (nfd < 0)
		return errno = EMFILE, -1;
	for (;;) {
		req.wake_bits = 1ull << nfd;
		err = wake_end(&req.wake);
		if (err == VIPER_OK)
			err = socket_accept(&f->sock, &req, &rep);
		if (err != VIPER_E_WOULDBLOCK || f->nonblock)
			break;
		err = posix_socket_wait(posix_time_left(f->recv_timeout_ns, start));
		if (err)
			break;
	}
	if (err)
		return posix_socket_fail(err);
	make_socket(nfd, (viper_net_Kind)f->kind, f->family, false, rep.socket);
	posix_sockaddr_out(rep.address.bytes, rep.address.size, rep.port, addr, len);
	return nfd;
}

void posix_socket_close(struct posix_fd *f)
{
	(void)vc_slot_close(&f->sock);
}

int shutdown(int fd, int how)
{
	struct posix_fd *f = posix_socket_fd(fd);
	viper_socket_ShutdownRequest req = {how != SHUT_WR, how != SHUT_RD};
	viper_socket_ShutdownReply rep;

	if (!f)
		return -1;
	if (how < SHUT_RD || how > SHUT_RDWR)
		return errno = EINVAL, -1;
	int32_t err = socket_shutdown(&f->sock, &req, &rep);
	return err ? posix_socket_fail(err) : 0;
}

static int64_t timeval_ns(const struct timeval *tv)
{
	int64_t ns = (int64_t)tv->tv_sec * 1000000000ll + (int64_t)tv->tv_usec * 1000ll;

	return ns <= 0 ? VIPER_TIMEOUT_NONE : ns;
}

int setsockopt(int fd, int level, int name, const void *value, socklen_t len)
{
	struct posix_fd *f = posix_socket_fd(fd);

	if (!f)
		return -1;
	if (level != SOL_SOCKET)
		return errno = ENOPROTOOPT, -1;
	if (name == SO_REUSEADDR)
		return 0;
	if ((name != SO_RCVTIMEO && name != SO_SNDTIMEO) || len < sizeof(struct timeval) ||
	    value == NULL)
		return errno = (name == SO_RCVTIMEO || name == SO_SNDTIMEO) ? EINVAL : ENOPROTOOPT,
		       -1;
	int64_t ns = timeval_ns(value);
	if (name == SO_RCVTIMEO)
		f->recv_timeout_ns = ns;
	else
		f->send_timeout_ns = ns;
	return 0;
}

int getsockopt(int fd, int level, int name, void *value, socklen_t *len)
{
	struct posix_fd *f = posix_socket_fd(fd);
	viper_socket_StatusReply st;

	if (!f)
		return -1;
	if (level != SOL_SOCKET || name != SO_ERROR || !value || !len || *len < sizeof(int))
		return errno = ENOPROTOOPT, -1;
	int32_t err = posix_socket_status(f, &st);
	*(int *)value = err ? viper_posix_errno(err) : st.error ? viper_posix_errno(st.error) : 0;
	*len = sizeof(int);
	return 0;
}

static int endpoint(int fd, bool peer, struct sockaddr *addr, socklen_t *len)
{
	struct posix_fd *f = posix_socket_fd(fd);
	viper_socket_StatusReply st;

	if (!f)
		return -1;
	int32_t err = posix_socket_status(f, &st);
	if (err)
		return posix_socket_fail(err);
	if (peer && st.remote_port == 0)
		return errno = ENOTCONN, -1;
	if (peer)
		posix_sockaddr_out(st.remote.bytes, st.remote.size, st.remote_port, addr, len);
	else
		posix_sockaddr_out(st.local.bytes, st.local.size, st.local_port, addr, len);
	return 0;
}

int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	return endpoint(fd, false, addr, len);
}

int getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	return endpoint(fd, true, addr, len);
}
