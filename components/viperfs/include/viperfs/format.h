/*
 * The ViperFS on-disk format, version 1 (docs/viperfs.md): what the
 * filesystem, mkfs.viperfs and fsck.viperfs share. Every number is
 * little-endian; every structure is encoded and decoded field by field
 * (never cast from disk bytes), and decoding checks what it reads.
 *
 * Layout, in 4 KiB blocks:
 *
 *   0                      superblock
 *   [journal_start, +journal_blocks)       the journal: its own superblock,
 *                                          then transactions
 *   [block_bitmap_start, +block_bitmap_blocks)   one bit per block, 1 = used
 *   [inode_bitmap_start, +inode_bitmap_blocks)   one bit per inode
 *   [inode_table_start, +inode_table_blocks)     16 inodes of 256 bytes a block
 *   [data_start, block_count)              file data, directories,
 *                                          indirect blocks, symlink targets
 * * Inodes are numbered from 1 (the root directory); 0 names none. A free
 * inode has mode 0 and keeps its generation, which grows each time the
 * inode is used again, so (number, generation) names one file for ever;
 * a never used inode is all zeros. Every
 * block before data_start is marked used in the block bitmap.
 */
#ifndef VIPERFS_FORMAT_H
#define VIPERFS_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VFS_BLOCK	     4096u
#define VFS_SECTORS	     (VFS_BLOCK / 512u)
#define VFS_VERSION	     1u
#define VFS_INODE_BYTES	     256u
#define VFS_INODES_PER_BLOCK (VFS_BLOCK / VFS_INODE_BYTES)
#define VFS_ROOT	     1u
#define VFS_LABEL_MAX	     31u /* bytes, without the NUL */
#define VFS_DIRECT	     12u
#define VFS_PTRS	     (VFS_BLOCK / 8u) /* block numbers an indirect block holds */
#define VFS_NAME_MAX	     107u	      /* as AmigaOS FFS2's long names */
#define VFS_DIRENT_BYTES     128u
#define VFS_DIRENTS	     (VFS_BLOCK / VFS_DIRENT_BYTES)
#define VFS_INLINE_LINK	     ((VFS_DIRECT + 3u) * 8u) /* a symlink target kept in the inode */
#define VFS_SYMLINK_MAX	     (VFS_BLOCK - 1u)
/* The largest file: direct, single, double and triple indirect blocks. */
#define VFS_MAX_FILE_BLOCKS                                                                        \
	((uint64_t)VFS_DIRECT + VFS_PTRS + (uint64_t)VFS_PTRS * VFS_PTRS +                         \
	 (uint64_t)VFS_PTRS * VFS_PTRS * VFS_PTRS)

/* Inode modes: POSIX's type bits and permissions. */
#define VFS_S_IFMT  0170000u
#define VFS_S_IFREG 0100000u
#define VFS_S_IFDIR 0040000u
#define VFS_S_IFLNK 0120000u

/* Directory entry types. */
#define VFS_DT_FILE 1u
#define VFS_DT_DIR  2u
#define VFS_DT_LINK 3u

/* Superblock states. */
#define VFS_STATE_CLEAN 1u /* unmounted cleanly: the journal holds nothing to replay */
#define VFS_STATE_DIRTY 2u /* mounted, or not unmounted cleanly */

struct vfs_super {
	uint64_t block_count;
	uint64_t inode_count;
	uint64_t journal_start, journal_blocks;
	uint64_t block_bitmap_start, block_bitmap_blocks;
	uint64_t inode_bitmap_start, inode_bitmap_blocks;
	uint64_t inode_table_start, inode_table_blocks;
	uint64_t data_start;
	uint64_t created_ns; /* when mkfs made it (reproducible images: from the tree) */
	uint32_t state;
	uint8_t uuid[16];
	char label[VFS_LABEL_MAX + 1];
};

struct vfs_inode {
	uint16_t mode; /* 0: a free inode (with only its generation) */
	uint16_t links;
	uint32_t generation;
	uint64_t size;
	uint64_t blocks; /* data and indirect blocks it holds */
	uint64_t mtime_ns, ctime_ns, crtime_ns;
	uint32_t parent; /* a directory's parent (the root's own number); 0 for others */
	uint64_t direct[VFS_DIRECT];
	uint64_t indirect[3]; /* single, double, triple */
};

struct vfs_dirent {
	uint32_t inode; /* 0: a free entry */
	uint8_t type;	/* VFS_DT_* */
	uint8_t name_len;
	char name[VFS_NAME_MAX + 1];
};

/* The journal's own superblock, at journal_start. */
struct vfs_journal_super {
	uint64_t sequence; /* of the first transaction to replay */
	uint64_t start;	   /* where it is: a block index in the journal, 1.. */
};

#define VFS_JOURNAL_MAX_BLOCKS ((VFS_BLOCK - 32u) / 8u) /* in one transaction */

/* A transaction's descriptor block: the home of each block that follows it. */
struct vfs_descriptor {
	uint64_t sequence;
	uint32_t count;
	uint64_t targets[VFS_JOURNAL_MAX_BLOCKS];
};

/* A transaction's commit block: what makes it count. */
struct vfs_commit {
	uint64_t sequence;
	uint32_t count;
	uint32_t checksum; /* CRC32C of the descriptor block and every block it names */
};

/* CRC32C (Castagnoli), as iSCSI and ext4 use it: crc32c(0, "123456789", 9) == 0xe3069283. */
uint32_t vfs_crc32c(uint32_t crc, const void *data, size_t len);

/*
 * Encoding and decoding, one 4 KiB block (or an inode's 256 bytes) at a
 * time. Each decode returns 0, or a static message saying what is wrong
 * (bad magic, bad checksum, a field out of range) and leaves *out unusable.
 */
void vfs_super_encode(const struct vfs_super *s, uint8_t *block);
const char *vfs_super_decode(const uint8_t *block, struct vfs_super *out);

void vfs_inode_encode(const struct vfs_inode *in, uint8_t *bytes);
const char *vfs_inode_decode(const uint8_t *bytes, const struct vfs_super *s,
			     struct vfs_inode *out);

/* Entry `i` of a directory block. */
void vfs_dirent_encode(const struct vfs_dirent *d, uint8_t *block, unsigned i);
const char *vfs_dirent_decode(const uint8_t *block, unsigned i, const struct vfs_super *s,
			      struct vfs_dirent *out);

void vfs_journal_super_encode(const struct vfs_journal_super *j, uint8_t *block);
const char *vfs_journal_super_decode(const uint8_t *block, const struct vfs_super *s,
				     struct vfs_journal_super *out);
void vfs_descriptor_encode(const struct vfs_descriptor *d, uint8_t *block);
const char *vfs_descriptor_decode(const uint8_t *block, const struct vfs_super *s,
				  struct vfs_descriptor *out);
void vfs_commit_encode(const struct vfs_commit *c, uint8_t *block);
const char *vfs_commit_decode(const uint8_t *block, struct vfs_commit *out);

/*
 * The layout mkfs gives a disk of `block_count` blocks with `inode_count`
 * inodes (0: one per 16 KiB) and `journal_blocks` (0: 1/64 of the disk,
 * 64 to 2048 blocks): *out with every region placed, or a static message
 * when the disk is too small.
 */
const char *vfs_layout(uint64_t block_count, uint64_t inode_count, uint64_t journal_blocks,
		       struct vfs_super *out);

/* Whether `name` may be a directory entry: 1..VFS_NAME_MAX bytes, no '/' or NUL, not "." or "..".
 */
bool vfs_name_valid(const char *name, size_t len);

#endif
