/*
 * The shell's paths: every path a user types goes through here. A path is
 * "NAME:rest" (NAME an assign, asked of the assigns service: SYS:, C:,
 * ...), "/rest" (from the volume's root), or "rest" (from the current
 * directory); its parts are separated by '/', and "." and ".." are taken
 * away as written. What comes out is a path from the volume's root with no
 * leading '/', which the filesystem walks.
 */
#ifndef VINIT_PATHS_H
#define VINIT_PATHS_H

#include <stddef.h>
#include <stdint.h>

#include "files.viper.h"
#include "shell.h"

#include <viper/volume_path.h>

#define SHELL_PATH_MAX VOLUME_PATH_MAX /* bytes of a path from the root */

/*
 * The path from the root that `typed` names, in out[SHELL_PATH_MAX + 1].
 * Errors: VIPER_E_NOTFOUND for an assign nobody made (or no assigns
 * service: VIPER_E_PEERCLOSED), VIPER_E_NAMETOOLONG, VIPER_E_INVAL for
 * ".." above the root.
 */
int32_t shell_path_resolve(struct shell *sh, const char *typed, char *out);

/* Walks `typed` to its node. Errors: shell_path_resolve's and the filesystem's. */
int32_t shell_path_node(struct shell *sh, const char *typed, viper_files_Node *node);

/*
 * The directory that holds what `typed` names, and its last part (for
 * Create, Remove and Rename): *dir and name[VFS_NAME_MAX + 1]. Errors: as
 * shell_path_node, and VIPER_E_INVAL for a path that names the root.
 */
int32_t shell_path_parent(struct shell *sh, const char *typed, viper_files_Node *dir, char *name);

/* How the shell writes a path from the root: "SYS:" and the path. */
void shell_path_show(const char *path, char *out, size_t size);

/* A user's words for a filesystem error: "not found", "not empty", ... */
const char *shell_path_error(int32_t error);

#endif
