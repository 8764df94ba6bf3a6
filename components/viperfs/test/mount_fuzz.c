/*
 * libFuzzer harness for ViperFS's mount and lookup paths: each input
 * damages a small volume (made once: a tree of files, directories and
 * symlinks, then committed) by XORing bytes anywhere in its metadata and
 * first data blocks; the harness mounts what is left, walks and reads all
 * of it, creates and writes a file, unmounts, and runs the repairing check
 * on the result. Any crash, leak or undefined behaviour is a failure; the
 * library's answers may be anything. Built by test/mount_fuzz_test.sh.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <viperfs/viperfs.h>

#include <viper/component.h>

/* The runtime the library uses, over the C library. */
void *vc_alloc(size_t size)
{
	return malloc(size);
}

void vc_free(void *p)
{
	free(p);
}

int vc_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return vsnprintf(buf, size, fmt, ap);
}

int vc_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

#define BLOCKS 128u

static uint8_t base[BLOCKS * VFS_BLOCK];
static uint8_t image[BLOCKS * VFS_BLOCK];
static uint64_t damage_span; /* bytes inputs may damage: metadata and the first data blocks */

static int32_t disk_read(void *ctx, uint64_t block, uint32_t count, void *buf)
{
	uint8_t *img = ctx;
	if (block + count > BLOCKS)
		return VIPER_E_RANGE;
	memcpy(buf, img + block * VFS_BLOCK, (size_t)count * VFS_BLOCK);
	return VIPER_OK;
}

static int32_t disk_write(void *ctx, uint64_t block, uint32_t count, const void *buf)
{
	uint8_t *img = ctx;
	if (block + count > BLOCKS)
		return VIPER_E_RANGE;
	memcpy(img + block * VFS_BLOCK, buf, (size_t)count * VFS_BLOCK);
	return VIPER_OK;
}

static int32_t disk_flush(void *ctx)
{
	(void)ctx;
	return VIPER_OK;
}

static struct vfs_disk disk_of(uint8_t *img)
{
	return (struct vfs_disk){disk_read, disk_write, disk_flush, img, BLOCKS, 16};
}

static void make_base(void)
{
	struct vfs_disk d = disk_of(base);
	struct vfs_options opt = {0};
	struct vfs_mount_report report;
	struct vfs_super layout;
	struct vfs *fs;
	char why[128], data[9000];
	uint32_t dir, ino;

	if (vfs_layout(BLOCKS, 64, 64, &layout) || vfs_format(&d, &layout) ||
	    vfs_mount(&d, &opt, &fs, &report, why, sizeof(why)))
		abort();
	vfs_mkdir(fs, VFS_ROOT, "C", 0755, &dir);
	for (int i = 0; i < 40; i++) {
		char name[16];
		snprintf(name, sizeof(name), "f%d", i);
		vfs_create(fs, dir, name, 0644, &ino);
		memset(data, 'a' + i % 26, sizeof(data));
		vfs_write(fs, ino, 0, data, (uint32_t)(i * 200 % sizeof(data)));
	}
	vfs_create(fs, VFS_ROOT, "big", 0644, &ino);
	for (int i = 0; i < 8; i++) /* into the single indirect block */
		vfs_write(fs, ino, (uint64_t)i * sizeof(data), data, sizeof(data));
	vfs_write(fs, ino, 300000, data, 10); /* and a hole before it */
	vfs_symlink(fs, VFS_ROOT, "short", "C/f1", &ino);
	vfs_symlink(fs, dir, "long",
		    "../C/../C/../C/../C/../C/../C/../C/../C/../C/../C/../C/../C/../C/../C/"
		    "../C/../C/../C/../C/../C/../C/../C/../C/../C/f2",
		    &ino);
	vfs_mkdir(fs, dir, "deeper", 0755, &ino);
	vfs_sync(fs); /* leaves transactions in the journal to replay */
	vfs_create(fs, ino, "last", 0644, &ino);
	vfs_sync(fs);
	damage_span = (layout.data_start + 24) * VFS_BLOCK;
	/* The base is the volume as it is now, its transactions still in the journal to replay. */
	memcpy(image, base, sizeof(image));
	vfs_unmount(fs);
	memcpy(base, image, sizeof(base));
}

/* Walks directory `dir` and everything under it, reading every file and link. */
static void walk(struct vfs *fs, uint32_t dir, int depth)
{
	struct vfs_dirent d;
	uint64_t cookie = 0;
	char buf[VFS_SYMLINK_MAX + 1];

	for (int n = 0; depth < 8 && n < 200 && vfs_readdir(fs, dir, &cookie, &d) == VIPER_OK;
	     n++) {
		struct vfs_stat st;
		uint32_t ino, len, done;
		char name[VFS_NAME_MAX + 1];
		memcpy(name, d.name, d.name_len);
		name[d.name_len] = 0;
		if (vfs_lookup(fs, dir, name, &ino) != VIPER_OK ||
		    vfs_stat(fs, ino, &st) != VIPER_OK)
			continue;
		if ((st.mode & VFS_S_IFMT) == VFS_S_IFDIR)
			walk(fs, ino, depth + 1);
		else if ((st.mode & VFS_S_IFMT) == VFS_S_IFLNK)
			vfs_readlink(fs, ino, buf, sizeof(buf), &len),
				vfs_walk(fs, dir, name, &ino);
		else
			vfs_read(fs, ino, 0, buf, sizeof(buf), &done);
	}
}

static void ignore(void *ctx, const char *line)
{
	(void)ctx;
	(void)line;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vfs_disk d = disk_of(image);
	struct vfs_options opt = {.buffers = 64};
	struct vfs_mount_report report;
	struct vfs_check_result r;
	struct vfs *fs;
	char why[128];
	uint32_t ino;

	if (!damage_span)
		make_base();
	memcpy(image, base, sizeof(image));
	for (size_t i = 0; i + 4 <= size; i += 4) {
		uint64_t at = (data[i] | (uint64_t)data[i + 1] << 8 | (uint64_t)data[i + 2] << 16) %
			      damage_span;
		image[at] ^= data[i + 3];
	}
	if (vfs_mount(&d, &opt, &fs, &report, why, sizeof(why)) == VIPER_OK) {
		walk(fs, VFS_ROOT, 0);
		vfs_walk(fs, VFS_ROOT, "C/deeper/last", &ino);
		if (vfs_create(fs, VFS_ROOT, "new", 0644, &ino) == VIPER_OK)
			vfs_write(fs, ino, 5000, why, sizeof(why));
		vfs_rename(fs, VFS_ROOT, "short", VFS_ROOT, "big");
		vfs_unlink(fs, VFS_ROOT, "big");
		vfs_unmount(fs);
	}
	vfs_check(&d, true, ignore, NULL, &r, why, sizeof(why));
	return 0;
}
