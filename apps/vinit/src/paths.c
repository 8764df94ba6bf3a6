/* The shell's paths: see paths.h. */
#include "paths.h"

#include "assigns.viper.h"

#define PART_MAX 107u /* a part of a path, as the filesystem allows */

/* Appends the parts of `path` to out (a path from the root, `*len` bytes), taking . and .. away. */
static int32_t append_parts(char *out, size_t *len, const char *path)
{
	while (*path) {
		size_t n = 0;
		while (*path == '/')
			path++;
		while (path[n] && path[n] != '/')
			n++;
		if (n == 0)
			break;
		if (n == 1 && path[0] == '.') {
			/* stays */
		} else if (n == 2 && path[0] == '.' && path[1] == '.') {
			if (*len == 0)
				return VIPER_E_INVAL; /* above the root */
			while (*len > 0 && out[*len - 1] != '/')
				(*len)--;
			if (*len > 0)
				(*len)--;
		} else {
			if (n > PART_MAX)
				return VIPER_E_NAMETOOLONG;
			if (*len + (*len ? 1 : 0) + n > SHELL_PATH_MAX)
				return VIPER_E_NAMETOOLONG;
			if (*len)
				out[(*len)++] = '/';
			vc_memcpy(out + *len, path, n);
			*len += n;
		}
		path += n;
	}
	out[*len] = 0;
	return VIPER_OK;
}

/* Where `typed` starts from: its assign's path, the root, or the current directory. */
static int32_t start_of(struct shell *sh, const char *typed, char *out, size_t *len,
			const char **rest)
{
	const char *colon = typed;

	while (*colon && *colon != ':' && *colon != '/')
		colon++;
	*len = 0;
	out[0] = 0;
	if (*colon == ':') {
		viper_assigns_ResolveRequest req = {""};
		viper_assigns_ResolveReply rep;
		size_t n = (size_t)(colon - typed);
		if (n == 0 || n >= sizeof(req.name))
			return VIPER_E_NOTFOUND;
		vc_memcpy(req.name, typed, n);
		req.name[n] = 0;
		int32_t err = assigns_resolve(sh->slots[VINIT_SLOT_ASSIGNS], &req, &rep);
		if (err)
			return err;
		*rest = colon + 1;
		return append_parts(out, len, rep.target);
	}
	*rest = typed;
	if (typed[0] == '/')
		return VIPER_OK;
	return append_parts(out, len, sh->cwd);
}

int32_t shell_path_resolve(struct shell *sh, const char *typed, char *out)
{
	const char *rest;
	size_t len;
	int32_t err = start_of(sh, typed, out, &len, &rest);

	return err ? err : append_parts(out, &len, rest);
}

int32_t shell_path_node(struct shell *sh, const char *typed, viper_files_Node *node)
{
	viper_files_WalkRequest req = {0, 0, ""};
	int32_t err = shell_path_resolve(sh, typed, req.path);

	return err ? err : files_walk(sh->slots[VINIT_SLOT_FILES], &req, node);
}

int32_t shell_path_parent(struct shell *sh, const char *typed, viper_files_Node *dir, char *name)
{
	viper_files_WalkRequest req = {0, 0, ""};
	int32_t err = shell_path_resolve(sh, typed, req.path);
	size_t len, cut;

	if (err)
		return err;
	len = vc_strlen(req.path);
	if (len == 0)
		return VIPER_E_INVAL; /* the root has no parent to hold it */
	cut = len;
	while (cut > 0 && req.path[cut - 1] != '/')
		cut--;
	vc_memcpy(name, req.path + cut, len - cut + 1);
	req.path[cut ? cut - 1 : 0] = 0;
	return files_walk(sh->slots[VINIT_SLOT_FILES], &req, dir);
}

void shell_path_show(const char *path, char *out, size_t size)
{
	vc_snprintf(out, size, "SYS:%s", path);
}

const char *shell_path_error(int32_t error)
{
	switch (error) {
	case VIPER_E_NOTFOUND:
		return "not found";
	case VIPER_E_EXISTS:
		return "exists already";
	case VIPER_E_NOTEMPTY:
		return "not empty";
	case VIPER_E_NOSPACE:
		return "no space left on the volume";
	case VIPER_E_READONLY:
		return "the volume is read-only";
	case VIPER_E_CORRUPT:
		return "the volume is damaged (read-only now; Info tells why)";
	case VIPER_E_NAMETOOLONG:
		return "name too long";
	case VIPER_E_NOTDIR:
		return "not a directory";
	case VIPER_E_ISDIR:
		return "is a directory";
	case VIPER_E_LOOP:
		return "too many symbolic links";
	case VIPER_E_INVAL:
		return "not a valid name here";
	case VIPER_E_BADHANDLE:
		return "gone while in use";
	case VIPER_E_PEERCLOSED:
		return "the filesystem is gone or restarting";
	case VIPER_E_IO:
		return "the disk failed";
	default:
		return shell_error_name(error);
	}
}
