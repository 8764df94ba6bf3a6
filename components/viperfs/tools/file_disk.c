/* A ViperFS disk over a host file: see file_disk.h. */
#define _GNU_SOURCE
#include "file_disk.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static int32_t move(int fd, bool write, uint64_t block, uint32_t count, void *buf)
{
	size_t want = (size_t)count * VFS_BLOCK;
	off_t at = (off_t)(block * VFS_BLOCK);

	for (size_t done = 0; done < want;) {
		ssize_t n =
			write ? pwrite(fd, (const char *)buf + done, want - done, at + (off_t)done)
			      : pread(fd, (char *)buf + done, want - done, at + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return VIPER_E_IO;
		done += (size_t)n;
	}
	return VIPER_OK;
}

static int32_t file_read(void *ctx, uint64_t block, uint32_t count, void *buf)
{
	return move(*(int *)ctx, false, block, count, buf);
}

static int32_t file_write(void *ctx, uint64_t block, uint32_t count, const void *buf)
{
	return move(*(int *)ctx, true, block, count, (void *)buf);
}

static int32_t file_flush(void *ctx)
{
	return fdatasync(*(int *)ctx) == 0 ? VIPER_OK : VIPER_E_IO;
}

int file_disk_open(struct file_disk *d, const char *path, unsigned long long bytes)
{
	struct stat st;

	d->fd = open(path, O_RDWR | O_CLOEXEC | (bytes ? O_CREAT : 0), 0644);
	if (d->fd < 0)
		return -1;
	if (bytes && (ftruncate(d->fd, 0) != 0 || ftruncate(d->fd, (off_t)bytes) != 0))
		return -1;
	if (fstat(d->fd, &st) != 0)
		return -1;
	d->disk = (struct vfs_disk){
		file_read, file_write, file_flush, &d->fd, (uint64_t)st.st_size / VFS_BLOCK, 256};
	return 0;
}

void file_disk_close(struct file_disk *d)
{
	close(d->fd);
}
