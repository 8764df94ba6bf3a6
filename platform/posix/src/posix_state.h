/*
 * What the parts of the POSIX layer share (src/posix_start.c: slots, the
 * launch block and the standard streams; src/posix_files.c: descriptors;
 * src/posix_dirs.c: directories and names).
 */
#ifndef VIPER_POSIX_STATE_H
#define VIPER_POSIX_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <viper/component.h>
#include <viper/posix.h>
#include <viper/volume_path.h>

#include "assigns.viper.h"
#include "console.viper.h"
#include "files.viper.h"
#include "net.viper.h"
#include "socket.viper.h"

#define POSIX_FDS      32u
#define POSIX_IO_BYTES (1u << 20) /* file data moves through this much lent memory */

struct posix_fd {
	bool used;
	bool console; /* 0, 1 and 2 */
	int flags;    /* open's */
	uint32_t inode, generation;
	uint64_t offset;
	/* A socket (src/posix_sockets.c): its session of interface socket. */
	bool socket;
	bool nonblock;
	uint8_t family; /* 4 or 6 */
	uint8_t kind;	/* viper_net_Kind */
	struct viper_slot sock;
	int64_t recv_timeout_ns, send_timeout_ns; /* VIPER_TIMEOUT_NONE: for ever */
};

struct posix_state {
	struct viper_slot files, assigns, console, net;
	bool has_files, has_assigns, has_console, has_net;
	/* Where the network stack's notifications for every socket arrive (bit = 1 << fd). */
	viper_handle_t wake_send, wake_recv;
	viper_handle_t io; /* lent memory, made at first use */
	uint8_t *io_bytes;
	char cwd[VOLUME_PATH_MAX + 1];
	struct posix_fd fds[POSIX_FDS];
};

extern struct posix_state posix;

/* Sets errno for `error` and returns -1. */
int posix_fail(int32_t error);

/* The lent memory: VIPER_OK once it is there. */
int32_t posix_io(void);

/* The path from the root that `path` names, in out[VOLUME_PATH_MAX + 1]. */
int32_t posix_resolve(const char *path, char *out);

/* Walks `path` to its node. */
int32_t posix_walk(const char *path, viper_files_Node *node);

/* The directory holding what `path` names, and its last part (name[108]). */
int32_t posix_parent(const char *path, viper_files_Node *dir, char *name);

/* The socket halves of read, write and close (src/posix_sockets.c). */
ssize_t posix_socket_read(struct posix_fd *f, void *buf, size_t len);
ssize_t posix_socket_write(struct posix_fd *f, const void *buf, size_t len);
void posix_socket_close(struct posix_fd *f);

/*
 * Waits until the stack notifies a socket or `timeout_ns` passes
 * (VIPER_TIMEOUT_NONE: for ever): VIPER_OK, VIPER_E_TIMEOUT, or why not.
 */
int32_t posix_socket_wait(int64_t timeout_ns);

/* Writes to the console; VIPER_OK or the console's error. */
int32_t posix_console_write(const void *data, size_t len);

#endif
