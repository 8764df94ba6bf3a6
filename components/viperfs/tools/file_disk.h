/*
 * A ViperFS disk over a file of the host's (mkfs.viperfs, fsck.viperfs):
 * reads and writes at block offsets, flush by fdatasync.
 */
#ifndef VIPERFS_FILE_DISK_H
#define VIPERFS_FILE_DISK_H

#include <viperfs/viperfs.h>

struct file_disk {
	int fd;
	struct vfs_disk disk;
};

/*
 * Opens `path` (made, or made again, `bytes` long and all zeros when
 * `bytes` is not 0; otherwise it must exist): 0, or -1 with errno. The disk has the file's whole 4
 * KiB blocks.
 */
int file_disk_open(struct file_disk *d, const char *path, unsigned long long bytes);
void file_disk_close(struct file_disk *d);

#endif
