/*
 * What the parts of the POSIX layer share (src/posix_start.c: slots, the
 * launch block and the standard streams; src/posix_files.c: descriptors;
 * src/posix_dirs.c: directories and names).
 */
#ifndef VIPER_POSIX_STATE_H
#define VIPER_POSIX_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include <viper/component.h>
#include <viper/posix.h>
#include <viper/volume_path.h>

#include "assigns.viper.h"
#include "console.viper.h"
#include "files.viper.h"

#define POSIX_FDS      32u
#define POSIX_IO_BYTES (1u << 20) /* file data moves through this much lent memory */

struct posix_fd {
	bool used;
	bool console; /* 0, 1 and 2 */
	int flags;    /* open's */
	uint32_t inode, generation;
	uint64_t offset;
};

struct posix_state {
	struct viper_slot files, assigns, console;
	bool has_files, has_assigns, has_console;
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

/* Writes to the console; VIPER_OK or the console's error. */
int32_t posix_console_write(const void *data, size_t len);

#endif
