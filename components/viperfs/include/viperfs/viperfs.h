/*
 * ViperFS: the filesystem library (docs/viperfs.md), the same source in
 * the viperfs component (in a process or in the kernel), in mkfs.viperfs
 * and fsck.viperfs on the host, and in the host tests.
 *
 * A volume is mounted over a disk of 4 KiB blocks (struct vfs_disk: a
 * block provider through a cache in the component, a file on the host).
 * Every metadata change (inodes, bitmaps, directory blocks, indirect
 * blocks, symlink targets) goes into the running transaction, which
 * vfs_sync commits through the write-ahead journal; file data is written
 * in place, before the commit that makes it visible (ordered data).
 *
 * Guarantees: after vfs_sync (or vfs_fsync of any file) returns VIPER_OK,
 * every change made before it survives a power cut. A power cut at any
 * point leaves a volume that mounts, after the journal is replayed, in the
 * state of its last committed transaction: operations are atomic (a
 * rename is never half done, a created file is never without its entry).
 * Data written to a file after its last commit may be lost; data of a
 * file never reaches blocks that another file's committed metadata names.
 *
 * Bad input: every block read from the disk is checked before it is used.
 * A superblock or journal that fails its checks refuses the mount; an
 * inode, directory block or pointer found bad while mounted makes the
 * volume read-only (vfs_error says why) and the call VIPER_E_CORRUPT. No
 * disk contents make the library read or write outside its buffers.
 */
#ifndef VIPERFS_VIPERFS_H
#define VIPERFS_VIPERFS_H

#include <stdbool.h>
#include <stdint.h>

#include <viper/abi.h>
#include <viperfs/format.h>

/* The disk under a volume: 4 KiB blocks. Each call returns VIPER_OK or an error. */
struct vfs_disk {
	int32_t (*read)(void *ctx, uint64_t block, uint32_t count, void *buf);
	int32_t (*write)(void *ctx, uint64_t block, uint32_t count, const void *buf);
	int32_t (*flush)(void *ctx);
	void *ctx;
	uint64_t blocks;
	uint32_t max_blocks; /* in one read or write */
};

struct vfs_options {
	bool read_only;
	uint32_t buffers;		 /* metadata blocks cached: 0 for 128 */
	uint64_t (*now_ns)(void *clock); /* wall-clock time for timestamps; NULL: 0 */
	void *clock;
};

struct vfs_mount_report {
	uint64_t replayed; /* transactions replayed from the journal */
	uint64_t replayed_blocks;
};

struct vfs_stat {
	uint32_t inode;
	uint32_t generation; /* with the number, names this file and no later one */
	uint16_t mode;
	uint16_t links;
	uint64_t size;
	uint64_t blocks;
	uint64_t mtime_ns, ctime_ns, crtime_ns;
};

struct vfs_statfs {
	char label[VFS_LABEL_MAX + 1];
	uint8_t uuid[16];
	uint64_t block_count, free_blocks;
	uint64_t inode_count, free_inodes;
	uint64_t journal_blocks;
	uint64_t journal_sequence; /* of the next transaction */
	uint64_t journal_used;	   /* blocks since the journal last wrapped */
	bool read_only;
};

struct vfs;

/*
 * Makes an empty volume on `disk` as `layout` says (vfs_layout, with the
 * label, UUID and creation time filled in): an empty root directory, a
 * zeroed journal and inode table. Errors: the disk's; VIPER_E_RANGE for a
 * layout larger than the disk.
 */
int32_t vfs_format(const struct vfs_disk *disk, const struct vfs_super *layout);

/*
 * Mounts the volume on `disk`, replaying its journal unless read-only
 * (a read-only mount of a volume whose journal holds transactions is
 * refused). Errors: VIPER_E_CORRUPT with `why` (at least 96 bytes) saying
 * what is wrong, the disk's errors, VIPER_E_NOMEM.
 */
int32_t vfs_mount(const struct vfs_disk *disk, const struct vfs_options *opt, struct vfs **out,
		  struct vfs_mount_report *report, char *why, uint32_t why_size);

/* Commits what is pending and frees the volume; VIPER_OK or the commit's error. */
int32_t vfs_unmount(struct vfs *fs);

/*
 * Frees the volume without writing anything: what it holds in memory is
 * no longer what the disk has (the disk lost writes it had answered). A
 * mount again replays the journal, as after a power cut.
 */
void vfs_abandon(struct vfs *fs);

/* Why the volume went read-only, or "" while it has not. */
const char *vfs_error(const struct vfs *fs);

int32_t vfs_statfs(struct vfs *fs, struct vfs_statfs *out);

/* Directory operations: `dir` is a directory's inode, `name` one component. */
int32_t vfs_lookup(struct vfs *fs, uint32_t dir, const char *name, uint32_t *ino);
int32_t vfs_create(struct vfs *fs, uint32_t dir, const char *name, uint16_t perm, uint32_t *ino);
int32_t vfs_mkdir(struct vfs *fs, uint32_t dir, const char *name, uint16_t perm, uint32_t *ino);
int32_t vfs_symlink(struct vfs *fs, uint32_t dir, const char *name, const char *target,
		    uint32_t *ino);
int32_t vfs_unlink(struct vfs *fs, uint32_t dir, const char *name);
int32_t vfs_rmdir(struct vfs *fs, uint32_t dir, const char *name);
int32_t vfs_rename(struct vfs *fs, uint32_t from_dir, const char *from, uint32_t to_dir,
		   const char *to);

/*
 * Directory entries in order: *cookie starts at 0 and advances; VIPER_OK
 * with *out, or VIPER_E_NOTFOUND after the last.
 */
int32_t vfs_readdir(struct vfs *fs, uint32_t dir, uint64_t *cookie, struct vfs_dirent *out);

int32_t vfs_stat(struct vfs *fs, uint32_t ino, struct vfs_stat *out);
int32_t vfs_readlink(struct vfs *fs, uint32_t ino, char *buf, uint32_t size, uint32_t *len);

/* File data: reads stop at the end of the file (*done may be short). */
int32_t vfs_read(struct vfs *fs, uint32_t ino, uint64_t offset, void *buf, uint32_t len,
		 uint32_t *done);
int32_t vfs_write(struct vfs *fs, uint32_t ino, uint64_t offset, const void *buf, uint32_t len);
int32_t vfs_truncate(struct vfs *fs, uint32_t ino, uint64_t size);

/* Commits the running transaction and flushes the disk (fsync of any file does the same). */
int32_t vfs_sync(struct vfs *fs);

/*
 * Checks the volume on `disk` (fsck.viperfs's core): the superblock and
 * journal, every inode, every block pointer (in range, used once), every
 * directory entry, which inodes the root reaches, link counts and both
 * bitmaps. With `repair` it first replays the journal, then mends what it
 * finds, in journaled transactions: a bad inode or an orphan is freed, a
 * bad or dangling entry removed, a pointer out of range or to a block used
 * twice cleared, link counts and bitmaps set from what it counted. Each
 * finding and repair is told to `say` as one line. VIPER_OK with *result,
 * or VIPER_E_CORRUPT when the volume cannot be read at all (a bad
 * superblock, a damaged journal or root directory: `why`).
 */
struct vfs_check_result {
	uint32_t problems; /* found */
	uint32_t repaired; /* of them, mended */
	uint64_t replayed; /* journal transactions replayed */
	uint64_t files, directories, symlinks, used_blocks;
};

int32_t vfs_check(const struct vfs_disk *disk, bool repair,
		  void (*say)(void *ctx, const char *line), void *ctx,
		  struct vfs_check_result *result, char *why, uint32_t why_size);

/* The inode `path` names, from `start` ('/'-separated; empty parts skipped; symlinks followed). */
int32_t vfs_walk(struct vfs *fs, uint32_t start, const char *path, uint32_t *ino);

#endif
