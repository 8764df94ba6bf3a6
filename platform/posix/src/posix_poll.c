/*
 * poll: asks each socket's state, and if none is ready sleeps on the
 * layer's notification channel until the stack says one may have changed
 * or the time-out passes, then asks again. The console's descriptors are
 * always writable and never readable here.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <poll.h>

#include "posix_sockets.h"

static short revents_of(struct posix_fd *f, short events)
{
	viper_socket_StatusReply st;
	short r = 0;

	if (f == NULL)
		return POLLNVAL;
	if (!f->socket)
		return f->console ? (short)(events & POLLOUT)
				  : (short)(events & (POLLIN | POLLOUT));
	if (posix_socket_status(f, &st) != VIPER_OK)
		return POLLHUP | POLLERR;
	if (st.readable)
		r |= events & POLLIN;
	if (st.writable)
		r |= events & POLLOUT;
	if (st.error)
		r |= POLLERR;
	if (st.end || st.error == VIPER_E_RESET)
		r |= POLLHUP;
	return r;
}

static int scan(struct pollfd *fds, nfds_t nfds)
{
	int ready = 0;

	for (nfds_t i = 0; i < nfds; i++) {
		int fd = fds[i].fd;
		struct posix_fd *f = NULL;

		fds[i].revents = 0;
		if (fd < 0)
			continue;
		if (fd < (int)POSIX_FDS && posix.fds[fd].used)
			f = &posix.fds[fd];
		fds[i].revents = revents_of(f, fds[i].events);
		ready += fds[i].revents != 0;
	}
	return ready;
}

int poll(struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
	int64_t timeout = timeout_ms < 0 ? VIPER_TIMEOUT_NONE : (int64_t)timeout_ms * 1000000ll;
	uint64_t start = vc_now_ns();

	if (nfds > POSIX_FDS * 4 || (nfds && fds == NULL))
		return errno = EINVAL, -1;
	for (;;) {
		int ready = scan(fds, nfds);

		if (ready || timeout == 0)
			return ready;
		if (timeout != VIPER_TIMEOUT_NONE && (int64_t)(vc_now_ns() - start) >= timeout)
			return 0;
		if (posix.wake_recv == VIPER_HANDLE_INVALID) {
			vc_sleep(timeout == VIPER_TIMEOUT_NONE ? 1000000000ll : timeout);
			continue; /* no socket: nothing will notify */
		}
		int32_t err = posix_socket_wait(posix_time_left(timeout, start));
		if (err && err != VIPER_E_TIMEOUT)
			return posix_socket_fail(err);
	}
}
