/* The POSIX layer's descriptors: open, read, write, lseek, close, fstat, stat, fsync. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "posix_state.h"

static struct posix_fd *fd_of(int fd)
{
	if (fd < 0 || fd >= (int)POSIX_FDS || !posix.fds[fd].used)
		return NULL;
	return &posix.fds[fd];
}

static int32_t node_of(const struct posix_fd *f, viper_files_Node *n)
{
	viper_files_StatRequest req = {f->inode, f->generation};

	return files_stat(&posix.files, &req, n);
}

/* Makes `path` a file, or empties or finds it, as open's flags say. */
static int32_t open_node(const char *path, int flags, mode_t mode, viper_files_Node *n)
{
	int32_t err = posix_walk(path, n);

	if (err == VIPER_OK && (flags & O_CREAT) && (flags & O_EXCL))
		return VIPER_E_EXISTS;
	if (err == VIPER_E_NOTFOUND && (flags & O_CREAT)) {
		viper_files_CreateRequest req = {0, 0, "", viper_files_Kind_FILE, mode & 07777};
		viper_files_Node dir;
		err = posix_parent(path, &dir, req.name);
		req.dir = dir.inode;
		req.dir_generation = dir.generation;
		if (err == VIPER_OK)
			err = files_create(&posix.files, &req, n);
	}
	if (err)
		return err;
	if (n->kind == viper_files_Kind_DIRECTORY)
		return (flags & O_ACCMODE) != O_RDONLY ? VIPER_E_ISDIR : VIPER_OK;
	if (flags & O_DIRECTORY)
		return VIPER_E_NOTDIR;
	if ((flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY) {
		viper_files_TruncateRequest t = {n->inode, n->generation, 0};
		viper_files_TruncateReply rep;
		err = files_truncate(&posix.files, &t, &rep);
	}
	return err;
}

int open(const char *path, int flags, ...)
{
	viper_files_Node n;
	mode_t mode = 0;
	va_list ap;
	int fd = 3;

	va_start(ap, flags);
	if (flags & O_CREAT)
		mode = (mode_t)va_arg(ap, int);
	va_end(ap);
	while (fd < (int)POSIX_FDS && posix.fds[fd].used)
		fd++;
	if (fd == (int)POSIX_FDS)
		return posix_fail(VIPER_E_LIMIT);
	int32_t err = open_node(path, flags, mode, &n);
	if (err)
		return posix_fail(err);
	posix.fds[fd] = (struct posix_fd){
		.used = true, .flags = flags, .inode = n.inode, .generation = n.generation};
	return fd;
}

int close(int fd)
{
	struct posix_fd *f = fd_of(fd);

	if (!f)
		return posix_fail(VIPER_E_BADHANDLE);
	if (f->socket)
		posix_socket_close(f);
	if (!f->console)
		*f = (struct posix_fd){0};
	return 0;
}

ssize_t read(int fd, void *buf, size_t len)
{
	struct posix_fd *f = fd_of(fd);
	size_t total = 0;
	int32_t err;

	if (f && f->socket)
		return posix_socket_read(f, buf, len);
	if (!f || (f->flags & O_ACCMODE) == O_WRONLY)
		return posix_fail(VIPER_E_BADHANDLE);
	if (f->console) {
		int c = len ? fgetc(stdin) : EOF;
		if (c == EOF)
			return 0;
		*(char *)buf = (char)c;
		return 1;
	}
	err = posix_io();
	while (err == VIPER_OK && total < len) {
		uint32_t n =
			len - total < POSIX_IO_BYTES ? (uint32_t)(len - total) : POSIX_IO_BYTES;
		viper_files_ReadRequest req = {f->inode, f->generation, f->offset, posix.io, 0, n};
		viper_files_ReadReply rep;
		err = files_read(&posix.files, &req, &rep);
		if (err)
			break;
		memcpy((char *)buf + total, posix.io_bytes, rep.done);
		total += rep.done;
		f->offset += rep.done;
		if (rep.done < n)
			break; /* the end of the file */
	}
	return err && total == 0 ? posix_fail(err) : (ssize_t)total;
}

ssize_t write(int fd, const void *buf, size_t len)
{
	struct posix_fd *f = fd_of(fd);
	viper_files_Node n;
	size_t total = 0;
	int32_t err = VIPER_OK;

	if (f && f->socket)
		return posix_socket_write(f, buf, len);
	if (!f || (!f->console && (f->flags & O_ACCMODE) == O_RDONLY))
		return posix_fail(VIPER_E_BADHANDLE);
	if (f->console) {
		fflush(stdout);
		err = posix_console_write(buf, len);
		return err ? posix_fail(err) : (ssize_t)len;
	}
	if (f->flags & O_APPEND) {
		err = node_of(f, &n);
		f->offset = n.size;
	}
	if (err == VIPER_OK)
		err = posix_io();
	while (err == VIPER_OK && total < len) {
		uint32_t chunk =
			len - total < POSIX_IO_BYTES ? (uint32_t)(len - total) : POSIX_IO_BYTES;
		viper_files_WriteRequest req = {f->inode, f->generation, f->offset, posix.io,
						0,	  chunk};
		viper_files_WriteReply rep;
		memcpy(posix.io_bytes, (const char *)buf + total, chunk);
		err = files_write(&posix.files, &req, &rep);
		if (err == VIPER_OK) {
			total += chunk;
			f->offset += chunk;
		}
	}
	return err && total == 0 ? posix_fail(err) : (ssize_t)total;
}

off_t lseek(int fd, off_t offset, int whence)
{
	struct posix_fd *f = fd_of(fd);
	viper_files_Node n;
	int64_t base;

	if (!f)
		return posix_fail(VIPER_E_BADHANDLE);
	if (f->console) {
		errno = ESPIPE;
		return -1;
	}
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)f->offset;
		break;
	case SEEK_END: {
		int32_t err = node_of(f, &n);
		if (err)
			return posix_fail(err);
		base = (int64_t)n.size;
		break;
	}
	default:
		return posix_fail(VIPER_E_INVAL);
	}
	if ((offset < 0 && base + offset < 0) || (offset > 0 && base > INT64_MAX - offset))
		return posix_fail(VIPER_E_INVAL);
	f->offset = (uint64_t)(base + offset);
	return (off_t)f->offset;
}

static void fill_stat(const viper_files_Node *n, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = n->inode;
	st->st_mode = (mode_t)n->mode;
	st->st_nlink = (nlink_t)n->links;
	st->st_size = (off_t)n->size;
	st->st_blksize = 4096;
	st->st_blocks = (blkcnt_t)(n->blocks * 8);
	st->st_mtim.tv_sec = (time_t)(n->mtime_ns / 1000000000u);
	st->st_mtim.tv_nsec = (long)(n->mtime_ns % 1000000000u);
	st->st_ctim.tv_sec = (time_t)(n->ctime_ns / 1000000000u);
	st->st_ctim.tv_nsec = (long)(n->ctime_ns % 1000000000u);
	st->st_atim = st->st_mtim;
}

int fstat(int fd, struct stat *st)
{
	struct posix_fd *f = fd_of(fd);
	viper_files_Node n;
	int32_t err;

	if (!f)
		return posix_fail(VIPER_E_BADHANDLE);
	if (f->console) {
		memset(st, 0, sizeof(*st));
		st->st_mode = S_IFCHR | 0620;
		return 0;
	}
	err = node_of(f, &n);
	if (err)
		return posix_fail(err);
	fill_stat(&n, st);
	return 0;
}

int stat(const char *path, struct stat *st)
{
	viper_files_Node n;
	int32_t err = posix_walk(path, &n);

	if (err)
		return posix_fail(err);
	fill_stat(&n, st);
	return 0;
}

int fsync(int fd)
{
	viper_files_SyncRequest req = {};
	viper_files_SyncReply rep;
	int32_t err;

	if (!fd_of(fd))
		return posix_fail(VIPER_E_BADHANDLE);
	if (posix.fds[fd].console)
		return 0;
	err = files_sync(&posix.files, &req, &rep); /* the volume's: every file is durable */
	return err ? posix_fail(err) : 0;
}

int isatty(int fd)
{
	struct posix_fd *f = fd_of(fd);

	if (!f) {
		errno = EBADF;
		return 0;
	}
	if (!f->console)
		errno = ENOTTY;
	return f->console;
}
