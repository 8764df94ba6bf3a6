/* The POSIX layer's directories and names: mkdir, rmdir, unlink, rename, opendir, readdir,
#define _POSIX_C_SOURCE 200809L
 * closedir. */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "posix_state.h"

/* Directories a program has open at once: a pool (the runtime has no malloc heap). */
#define POSIX_DIRS 8u

struct viper_dir {
	bool used;
	uint32_t inode, generation;
	uint64_t cookie;
	struct dirent entry;
};

static DIR dirs[POSIX_DIRS];

int mkdir(const char *path, mode_t mode)
{
	viper_files_CreateRequest req = {0, 0, "", viper_files_Kind_DIRECTORY, mode & 07777};
	viper_files_Node dir, made;
	int32_t err = posix_parent(path, &dir, req.name);

	req.dir = dir.inode;
	req.dir_generation = dir.generation;
	if (err == VIPER_OK)
		err = files_create(&posix.files, &req, &made);
	return err ? posix_fail(err) : 0;
}

static int remove_path(const char *path, bool directory)
{
	viper_files_RemoveRequest req = {0, 0, "", directory};
	viper_files_RemoveReply rep;
	viper_files_Node dir;
	int32_t err = posix_parent(path, &dir, req.name);

	req.dir = dir.inode;
	req.dir_generation = dir.generation;
	if (err == VIPER_OK)
		err = files_remove(&posix.files, &req, &rep);
	return err ? posix_fail(err) : 0;
}

int unlink(const char *path)
{
	return remove_path(path, false);
}

int rmdir(const char *path)
{
	return remove_path(path, true);
}

int rename(const char *from, const char *to)
{
	viper_files_RenameRequest req = {0, 0, "", 0, 0, ""};
	viper_files_RenameReply rep;
	viper_files_Node a, b;
	int32_t err = posix_parent(from, &a, req.from_name);

	if (err == VIPER_OK)
		err = posix_parent(to, &b, req.to_name);
	if (err)
		return posix_fail(err);
	req.from_dir = a.inode;
	req.from_generation = a.generation;
	req.to_dir = b.inode;
	req.to_generation = b.generation;
	err = files_rename(&posix.files, &req, &rep);
	return err ? posix_fail(err) : 0;
}

DIR *opendir(const char *path)
{
	viper_files_Node n;
	DIR *d;
	int32_t err = posix_walk(path, &n);

	if (err == VIPER_OK && n.kind != viper_files_Kind_DIRECTORY)
		err = VIPER_E_NOTDIR;
	if (err) {
		posix_fail(err);
		return NULL;
	}
	for (d = dirs; d < dirs + POSIX_DIRS && d->used; d++)
		;
	if (d == dirs + POSIX_DIRS) {
		errno = EMFILE;
		return NULL;
	}
	*d = (DIR){.used = true};
	d->inode = n.inode;
	d->generation = n.generation;
	return d;
}

struct dirent *readdir(DIR *d)
{
	viper_files_ReadDirRequest req;
	viper_files_ReadDirReply rep;
	int32_t err;

	if (!d || d < dirs || d >= dirs + POSIX_DIRS || !d->used) {
		errno = EBADF;
		return NULL;
	}
	req = (viper_files_ReadDirRequest){d->inode, d->generation, d->cookie};
	err = files_read_dir(&posix.files, &req, &rep);
	if (err) {
		if (err != VIPER_E_NOTFOUND) /* the end is no error */
			posix_fail(err);
		return NULL;
	}
	d->cookie = rep.next;
	d->entry.d_ino = rep.inode;
	d->entry.d_type = rep.kind == viper_files_Kind_DIRECTORY ? DT_DIR
			  : rep.kind == viper_files_Kind_SYMLINK ? DT_LNK
								 : DT_REG;
	memcpy(d->entry.d_name, rep.name, sizeof(d->entry.d_name));
	return &d->entry;
}

int closedir(DIR *d)
{
	if (!d || d < dirs || d >= dirs + POSIX_DIRS || !d->used) {
		errno = EBADF;
		return -1;
	}
	d->used = false;
	return 0;
}
