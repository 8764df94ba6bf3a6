/*
 * mkfs.viperfs: makes a ViperFS volume in a file, empty or with a copy of a
 * directory tree, through the filesystem library itself.
 *
 *   mkfs.viperfs [--size BYTES] [--label LABEL] [--time SECONDS] [--uuid HEX]
 *                [--inodes N] [--journal BLOCKS] [--root DIR] IMAGE
 *
 * Reproducible: the same tree and options give a bit-identical image. The
 * tree is copied in name order; every timestamp is --time (default
 * $SOURCE_DATE_EPOCH, else 0); modes are 0755 for directories and for
 * files with any execute bit, 0644 for other files; the UUID, unless
 * given, is a hash of the label, the time and every path and byte copied.
 * Exit status 0, or 1 with a message naming the path and the reason.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_disk.h"

#include <viperfs/viperfs.h>

struct mkfs {
	struct vfs *fs;
	uint64_t time_ns;
	uint32_t hash[4]; /* the UUID's: CRC32C lanes over everything copied */
	unsigned long files, dirs, links;
	unsigned long long bytes;
};

static uint64_t fixed_clock(void *ctx)
{
	return ((struct mkfs *)ctx)->time_ns;
}

static void hash(struct mkfs *m, const void *data, size_t len)
{
	for (int i = 0; i < 4; i++)
		m->hash[i] = vfs_crc32c(m->hash[i] ^ (uint32_t)i, data, len);
}

static int fail(const char *path, const char *what, int32_t err)
{
	fprintf(stderr, "mkfs.viperfs: %s: %s (%d)\n", path, what, err);
	return -1;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int copy_tree(struct mkfs *m, const char *host, uint32_t dir);

static int copy_file(struct mkfs *m, const char *host, uint32_t dir, const char *name,
		     const struct stat *st)
{
	static char buf[1 << 16];
	uint32_t ino;
	uint64_t at = 0;
	FILE *f = fopen(host, "rb");
	int32_t err;

	if (!f)
		return fail(host, strerror(errno), 0);
	err = vfs_create(m->fs, dir, name, st->st_mode & 0111 ? 0755 : 0644, &ino);
	for (size_t n; err == VIPER_OK && (n = fread(buf, 1, sizeof(buf), f)) > 0; at += n) {
		hash(m, buf, n);
		err = vfs_write(m->fs, ino, at, buf, (uint32_t)n);
	}
	if (err == VIPER_OK && ferror(f))
		err = VIPER_E_IO;
	fclose(f);
	if (err)
		return fail(host, "cannot copy it into the volume", err);
	m->files++;
	m->bytes += at;
	return 0;
}

static int copy_entry(struct mkfs *m, const char *host, uint32_t dir, const char *name)
{
	struct stat st;
	char target[VFS_SYMLINK_MAX + 1];
	uint32_t ino;
	ssize_t n;
	int32_t err;

	if (lstat(host, &st) != 0)
		return fail(host, strerror(errno), 0);
	hash(m, name, strlen(name) + 1);
	if (S_ISDIR(st.st_mode)) {
		err = vfs_mkdir(m->fs, dir, name, 0755, &ino);
		if (err)
			return fail(host, "cannot make the directory", err);
		m->dirs++;
		return copy_tree(m, host, ino);
	}
	if (S_ISLNK(st.st_mode)) {
		n = readlink(host, target, sizeof(target) - 1);
		if (n < 0)
			return fail(host, strerror(errno), 0);
		target[n] = 0;
		hash(m, target, (size_t)n);
		err = vfs_symlink(m->fs, dir, name, target, &ino);
		if (err)
			return fail(host, "cannot make the symlink", err);
		m->links++;
		return 0;
	}
	if (S_ISREG(st.st_mode))
		return copy_file(m, host, dir, name, &st);
	return fail(host, "neither a file, a directory nor a symlink", 0);
}

static int copy_tree(struct mkfs *m, const char *host, uint32_t dir)
{
	struct dirent **names;
	int n = scandir(host, &names, NULL, by_name), result = 0;

	if (n < 0)
		return fail(host, strerror(errno), 0);
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		char *path;
		if (result == 0 && strcmp(name, ".") && strcmp(name, "..")) {
			if (asprintf(&path, "%s/%s", host, name) < 0)
				return fail(host, "out of memory", 0);
			result = copy_entry(m, path, dir, name);
			free(path);
		}
		free(names[i]);
	}
	free(names);
	return result;
}

static unsigned long long parse_size(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	switch (*end) {
	case 'K':
	case 'k':
		return v << 10;
	case 'M':
	case 'm':
		return v << 20;
	case 'G':
	case 'g':
		return v << 30;
	default:
		return *end ? 0 : v;
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: mkfs.viperfs [--size BYTES[K|M|G]] [--label LABEL] "
			"[--time SECONDS] [--uuid HEX32] [--inodes N] [--journal BLOCKS] "
			"[--root DIR] IMAGE\n");
	return 2;
}

struct args {
	unsigned long long size, inodes, journal, seconds;
	const char *label, *uuid, *root, *image;
};

static int parse(int argc, char **argv, struct args *a)
{
	const char *epoch = getenv("SOURCE_DATE_EPOCH");

	*a = (struct args){.label = "ViperOS", .seconds = epoch ? strtoull(epoch, NULL, 10) : 0};
	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (opt[0] != '-') {
			if (a->image)
				return -1;
			a->image = opt;
			continue;
		}
		if (!val)
			return -1;
		i++;
		if (!strcmp(opt, "--size") && (a->size = parse_size(val)) != 0)
			continue;
		if (!strcmp(opt, "--label"))
			a->label = val;
		else if (!strcmp(opt, "--time"))
			a->seconds = strtoull(val, NULL, 10);
		else if (!strcmp(opt, "--uuid"))
			a->uuid = val;
		else if (!strcmp(opt, "--inodes"))
			a->inodes = strtoull(val, NULL, 10);
		else if (!strcmp(opt, "--journal"))
			a->journal = strtoull(val, NULL, 10);
		else if (!strcmp(opt, "--root"))
			a->root = val;
		else
			return -1;
	}
	return a->image && strlen(a->label) <= VFS_LABEL_MAX ? 0 : -1;
}

/* The UUID: given as 32 hex digits, or the hash of what was copied. */
static int set_uuid(const struct args *a, const struct mkfs *m, uint8_t *uuid)
{
	if (!a->uuid) {
		for (int i = 0; i < 16; i++)
			uuid[i] = (uint8_t)(m->hash[i / 4] >> (8 * (i % 4)));
		uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x80); /* RFC 9562 version 8: custom */
		uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80);
		return 0;
	}
	if (strlen(a->uuid) != 32)
		return -1;
	for (int i = 0; i < 16; i++) {
		unsigned v;
		if (sscanf(a->uuid + 2 * i, "%2x", &v) != 1)
			return -1;
		uuid[i] = (uint8_t)v;
	}
	return 0;
}

static int write_super(struct file_disk *d, const struct vfs_super *layout)
{
	static uint8_t block[VFS_BLOCK];

	vfs_super_encode(layout, block);
	return d->disk.write(d->disk.ctx, 0, 1, block) || d->disk.flush(d->disk.ctx) ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct args a;
	struct file_disk d;
	struct vfs_super layout;
	struct vfs_options opt = {.buffers = 512, .now_ns = fixed_clock};
	struct vfs_mount_report report;
	struct mkfs m = {.time_ns = 0};
	const char *bad;
	char why[128];
	int32_t err;

	if (parse(argc, argv, &a) != 0)
		return usage();
	m.time_ns = a.seconds * 1000000000ull;
	opt.clock = &m;
	if (file_disk_open(&d, a.image, a.size) != 0)
		return fail(a.image, strerror(errno), 0), 1;
	bad = vfs_layout(d.disk.blocks, a.inodes, a.journal, &layout);
	if (bad)
		return fail(a.image, bad, 0), 1;
	snprintf(layout.label, sizeof(layout.label), "%s", a.label);
	layout.created_ns = m.time_ns;
	err = vfs_format(&d.disk, &layout);
	if (err == VIPER_OK)
		err = vfs_mount(&d.disk, &opt, &m.fs, &report, why, sizeof(why));
	if (err)
		return fail(a.image, err == VIPER_E_CORRUPT ? why : "cannot make the volume", err),
		       1;
	hash(&m, a.label, strlen(a.label));
	hash(&m, &m.time_ns, sizeof(m.time_ns));
	if (a.root && copy_tree(&m, a.root, VFS_ROOT) != 0) {
		vfs_unmount(m.fs);
		return 1;
	}
	err = vfs_unmount(m.fs);
	if (err)
		return fail(a.image, "cannot finish the volume", err), 1;
	/* The UUID comes from the tree, so it is written last, in the superblock alone. */
	if (set_uuid(&a, &m, layout.uuid) != 0)
		return fail(a.uuid, "not 32 hex digits", 0), 1;
	if (write_super(&d, &layout) != 0)
		return fail(a.image, "cannot write the superblock", VIPER_E_IO), 1;
	file_disk_close(&d);
	printf("mkfs.viperfs: %s: %llu blocks, %llu inodes, journal %llu blocks; %lu files "
	       "(%llu bytes), %lu directories, %lu symlinks\n",
	       a.image, (unsigned long long)layout.block_count,
	       (unsigned long long)layout.inode_count, (unsigned long long)layout.journal_blocks,
	       m.files, m.bytes, m.dirs, m.links);
	return 0;
}
