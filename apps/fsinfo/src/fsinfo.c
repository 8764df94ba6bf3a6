/*
 * fsinfo: the volume's label, size, free space and journal (StatFs of the
 * filesystem), and what C: holds, walked through the POSIX layer
 * (opendir, readdir, stat). Exit status 0, or 10 when the volume cannot be
 * asked or C: cannot be read.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <viper/component.h>
#include <viper/error_name.h>
#include <viper/posix.h>
#include <viper/program_slots.h>

#include "files.viper.h"

VIPER_PROGRAM_SLOTS({"console", "console"}, {"files", "files"}, {"assigns", "assigns"});

static int volume(const struct viper_startup *s)
{
	struct viper_slot files;
	viper_files_StatFsRequest req = {};
	viper_files_StatFsReply rep;
	viper_handle_t h = viper_slot(s, "files");
	int32_t err;

	if (h == VIPER_HANDLE_INVALID) {
		printf("fsinfo: no filesystem was given to it\n");
		return 10;
	}
	vc_slot_bind(&files, &files_interface, h);
	err = files_stat_fs(&files, &req, &rep);
	if (err || rep.block_count == 0) {
		printf("fsinfo: the volume does not answer: %s\n",
		       err ? viper_error_short_name(err) : rep.error);
		return 10;
	}
	unsigned long long total = rep.block_count * 4ull, free = rep.free_blocks * 4ull;
	printf("Volume:  %s (%s)\n", rep.label, rep.read_only ? "read-only" : "read/write");
	printf("Size:    %llu KiB, %llu KiB used, %llu KiB free\n", total, total - free, free);
	printf("Inodes:  %llu, %llu free\n", (unsigned long long)rep.inode_count,
	       (unsigned long long)rep.free_inodes);
	printf("Journal: %llu blocks, %llu in use since it last started again, next transaction "
	       "%llu\n",
	       (unsigned long long)rep.journal_blocks, (unsigned long long)rep.journal_used,
	       (unsigned long long)rep.journal_sequence);
	if (rep.error[0])
		printf("Damage:  %s\n", rep.error);
	return 0;
}

static int commands(void)
{
	DIR *d = opendir("C:");
	struct dirent *e;
	unsigned long long bytes = 0;
	unsigned n = 0;

	if (!d) {
		printf("fsinfo: C: cannot be read: %s\n", strerror(errno));
		return 10;
	}
	while ((e = readdir(d)) != NULL) {
		char path[160];
		struct stat st;
		snprintf(path, sizeof(path), "C:%s", e->d_name);
		if (stat(path, &st) == 0)
			bytes += (unsigned long long)st.st_size;
		n++;
	}
	closedir(d);
	printf("C:       %u programs, %llu bytes\n", n, bytes);
	return 0;
}

int main(const struct viper_startup *s)
{
	int argc;
	char **argv;
	int rc;

	viper_posix_start(s, &argc, &argv);
	rc = volume(s);
	if (rc == 0)
		rc = commands();
	return viper_posix_end(rc);
}
