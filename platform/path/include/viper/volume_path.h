/*
 * Paths on the volume, as text: what the shell (apps/vinit) and the POSIX
 * layer (//platform/posix) both do with a path a user or a program gives
 * before the filesystem sees it. Pure functions: no calls, no allocation.
 *
 * A typed path is "NAME:rest" (NAME an assign: SYS:, C:, ...), "/rest"
 * (from the volume's root) or "rest" (from the current directory). The
 * result is a path from the root without a leading '/': parts separated by
 * one '/', "." and ".." taken away as written.
 */
#ifndef VIPER_VOLUME_PATH_H
#define VIPER_VOLUME_PATH_H

#include <stddef.h>
#include <stdint.h>

#define VOLUME_PATH_MAX	     200u /* bytes of a path from the root */
#define VOLUME_PATH_PART_MAX 107u /* bytes of one part, as ViperFS names */
#define VOLUME_ASSIGN_MAX    15u  /* bytes of an assign's name */

/*
 * Appends the parts of `path` to out[0, *len) (a path from the root, with
 * room for VOLUME_PATH_MAX bytes and a NUL), taking "." and ".." away.
 * Returns 0, VIPER_E_NAMETOOLONG, or VIPER_E_INVAL for ".." above the root.
 */
int32_t volume_path_append(char *out, size_t *len, const char *path);

/*
 * Whether `typed` starts with an assign: 1 with its name in
 * name[VOLUME_ASSIGN_MAX + 1] and *rest after the colon; 0 when it does
 * not (*rest = typed); VIPER_E_NOTFOUND for an empty or too long name
 * before a colon.
 */
int32_t volume_path_assign(const char *typed, char *name, const char **rest);

/* The last part of a path from the root, and its length in *parent_len (0 for the root). */
const char *volume_path_last(const char *path, size_t *parent_len);

#endif
