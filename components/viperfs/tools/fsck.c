/*
 * fsck.viperfs: checks a ViperFS volume in a file and, with -y, repairs it
 * (vfs_check: journal replay, bad inodes, orphans, bad entries, pointers
 * out of range or to blocks used twice, link counts, bitmaps).
 *
 *   fsck.viperfs [-n | -y] IMAGE
 *
 * -n (the default) changes nothing; -y replays the journal and repairs.
 * Every finding is a line on standard output, then a summary. The exit
 * status is e2fsck's: 0 clean, 1 problems found and all repaired, 4
 * problems left (found with -n, or not all repaired), 8 the volume could
 * not be checked (cannot open or read it, a bad superblock, journal or
 * root directory: the reason on standard error), 16 a usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "file_disk.h"

#include <viperfs/viperfs.h>

static void say(void *ctx, const char *line)
{
	printf("%s: %s\n", (const char *)ctx, line);
}

int main(int argc, char **argv)
{
	bool repair = false;
	const char *image = NULL;
	struct file_disk d;
	struct vfs_check_result r;
	char why[128];
	int32_t err;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-y"))
			repair = true;
		else if (!strcmp(argv[i], "-n"))
			repair = false;
		else if (argv[i][0] != '-' && !image)
			image = argv[i];
		else
			image = NULL, i = argc;
	}
	if (!image) {
		fprintf(stderr, "usage: fsck.viperfs [-n | -y] IMAGE\n");
		return 16;
	}
	if (file_disk_open(&d, image, 0) != 0) {
		fprintf(stderr, "fsck.viperfs: %s: %s\n", image, strerror(errno));
		return 8;
	}
	err = vfs_check(&d.disk, repair, say, (void *)image, &r, why, sizeof(why));
	file_disk_close(&d);
	if (err) {
		fprintf(stderr, "fsck.viperfs: %s: cannot check it: %s (%d)\n", image,
			why[0] ? why : "the disk failed", err);
		return 8;
	}
	printf("%s: %llu files, %llu directories, %llu symlinks, %llu blocks in use; "
	       "%llu journal transactions replayed; %u problems, %u repaired\n",
	       image, (unsigned long long)r.files, (unsigned long long)r.directories,
	       (unsigned long long)r.symlinks, (unsigned long long)r.used_blocks,
	       (unsigned long long)r.replayed, r.problems, r.repaired);
	if (r.problems == 0)
		return 0;
	return r.repaired == r.problems ? 1 : 4;
}
