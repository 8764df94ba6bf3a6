/* The shell's paths: see paths.h. */
#include "paths.h"

#include <viper/volume_path.h>

#include "assigns.viper.h"

/* Where `typed` starts from: its assign's path, the root, or the current directory. */
static int32_t start_of(struct shell *sh, const char *typed, char *out, size_t *len,
			const char **rest)
{
	viper_assigns_ResolveRequest req = {""};
	viper_assigns_ResolveReply rep;
	int32_t err = volume_path_assign(typed, req.name, rest);

	*len = 0;
	out[0] = 0;
	if (err < 0)
		return err;
	if (err == 1) {
		err = assigns_resolve(sh->slots[VINIT_SLOT_ASSIGNS], &req, &rep);
		return err ? err : volume_path_append(out, len, rep.target);
	}
	return typed[0] == '/' ? VIPER_OK : volume_path_append(out, len, sh->cwd);
}

int32_t shell_path_resolve(struct shell *sh, const char *typed, char *out)
{
	const char *rest;
	size_t len;
	int32_t err = start_of(sh, typed, out, &len, &rest);

	return err ? err : volume_path_append(out, &len, rest);
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
	size_t parent;
	const char *last;

	if (err)
		return err;
	if (req.path[0] == 0)
		return VIPER_E_INVAL; /* the root has no parent to hold it */
	last = volume_path_last(req.path, &parent);
	vc_memcpy(name, last, vc_strlen(last) + 1);
	req.path[parent] = 0;
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
