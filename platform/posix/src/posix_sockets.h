/* What the POSIX layer's socket files share (src/posix_sockets.c, _socket_io.c, _poll.c, _names.c).
 */
#ifndef VIPER_POSIX_SOCKETS_H
#define VIPER_POSIX_SOCKETS_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "posix_state.h"

/* posix_fail for a socket call: the stack gone (VIPER_E_PEERCLOSED) is ENETDOWN. */
static inline int posix_socket_fail(int32_t error)
{
	if (error == VIPER_E_PEERCLOSED) {
		errno = ENETDOWN;
		return -1;
	}
	return posix_fail(error);
}

/* What is left of `timeout_ns` (VIPER_TIMEOUT_NONE: for ever) since `start_ns`; at least 1. */
int64_t posix_time_left(int64_t timeout_ns, uint64_t start_ns);

/* Descriptor `fd` if it is a socket; NULL with errno EBADF or ENOTSOCK if not. */
struct posix_fd *posix_socket_fd(int fd);

/* The socket's state: VIPER_OK and *st, or the session's error. */
int32_t posix_socket_status(struct posix_fd *f, viper_socket_StatusReply *st);

/*
 * A sockaddr_in or sockaddr_in6 as the interfaces' bytes (4 or 16) and a
 * port: 0, or -1 with errno (EINVAL, EAFNOSUPPORT).
 */
int posix_sockaddr_in(const struct sockaddr *addr, socklen_t len, uint8_t *bytes, pb_size_t *size,
		      uint32_t *port);
/* The reverse, into addr (at most *len bytes; *len is set to the full size). */
void posix_sockaddr_out(const uint8_t *bytes, uint32_t size, uint32_t port, struct sockaddr *addr,
			socklen_t *len);
bool posix_is_any(const uint8_t *bytes, uint32_t size);

#endif
