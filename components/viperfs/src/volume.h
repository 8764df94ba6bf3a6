/*
 * The mounted volume (struct vfs) and what the library's parts share:
 * metadata buffers (buffers.c), the allocation bitmaps (alloc.c), the
 * journal (journal.c), inodes and their block maps (inode.c) and
 * directories (dir.c). Only the library includes this.
 */
#ifndef VIPERFS_VOLUME_H
#define VIPERFS_VOLUME_H

#include <viperfs/viperfs.h>

#include <viper/component.h>

#define VFS_NONE UINT32_MAX
/* Metadata blocks one operation may dirty at most, outside file data. */
#define VFS_OP_BLOCKS 24u

/*
 * Whole blocks of file data a Write has queued (file_data.c): in a row on
 * the disk and in the Write's buffer, written in one call before the Write
 * returns and before any commit.
 */
struct vfs_data_run {
	uint64_t block;
	uint32_t count;
	const uint8_t *bytes;
};

/* A cached metadata block. Dirty ones belong to the running transaction and stay. */
struct vfs_buf {
	uint64_t block;
	uint32_t hash_next;
	uint32_t lru_prev, lru_next;
	bool valid, dirty;
	uint8_t *data;
};

struct vfs {
	struct vfs_disk disk;
	struct vfs_super sb;
	bool read_only;
	char error[96];
	uint64_t (*now_ns)(void *clock);
	void *clock;
	uint8_t *scratch; /* one block, for partial blocks of file data */
	struct vfs_data_run run;

	/* Metadata buffers. */
	struct vfs_buf *bufs;
	uint32_t buf_count;
	uint32_t *buckets;
	uint32_t bucket_mask;
	uint32_t lru_head, lru_tail;
	uint32_t dirty_bufs;

	/*
	 * The bitmaps, whole in memory: `bmap` is the running state, and
	 * `bmap_committed` the last committed one; a block is free to allocate
	 * only in both, so a block freed in the running transaction is not
	 * reused before the transaction that frees it commits.
	 */
	uint8_t *bmap, *bmap_committed;
	uint8_t *imap, *imap_committed;
	uint8_t *bmap_dirty, *imap_dirty; /* one byte per bitmap block: in the transaction */
	uint64_t free_blocks, free_inodes;
	uint64_t block_goal; /* where the next search for a block of file data starts, upwards */
	uint64_t meta_goal;  /* and for metadata (directories, indirect blocks), downwards */
	uint64_t inode_goal;

	/* The journal. */
	uint64_t jseq;	       /* the next transaction's */
	uint64_t jpos;	       /* where it goes: a block index in the journal */
	uint32_t txn_limit;    /* blocks a transaction gathers before it commits by itself */
	uint32_t txn_capacity; /* blocks one transaction can hold at all: jbuf's, the journal's */
	uint8_t *jbuf;	       /* the descriptor, the blocks and the commit of one transaction */
	struct vfs_descriptor desc;
	bool data_written;   /* file data since the last flush */
	bool freed_metadata; /* the running transaction frees journaled blocks */
};

/*
 * vfs_mount's steps: with `strict`, the bitmaps' fixed bits and the root
 * directory are checked too (vfs_check opens volumes without, to mend them).
 */
int32_t vfs_open(const struct vfs_disk *disk, const struct vfs_options *opt, bool strict,
		 struct vfs **out, struct vfs_mount_report *report, char *why, uint32_t why_size);

/* Marks the volume read-only for `why` (kept, with the first such reason); returns VIPER_E_CORRUPT.
 */
int32_t vfs_fail(struct vfs *fs, const char *what, uint64_t where, const char *why);

/* buffers.c */
int32_t vfs_buffers_init(struct vfs *fs, uint32_t count);
void vfs_buffers_free(struct vfs *fs);
/* The buffer of metadata block `block`, read from the disk unless `fresh` (then zeroed). */
int32_t vfs_buf_get(struct vfs *fs, uint64_t block, bool fresh, struct vfs_buf **out);
void vfs_buf_dirty(struct vfs *fs, struct vfs_buf *b);
/* Forgets a cached block (freed metadata that may become file data). */
void vfs_buf_forget(struct vfs *fs, uint64_t block);

/* alloc.c */
int32_t vfs_bitmaps_load(struct vfs *fs);
/* The blocks before the data and inodes 0 and 1 in use: VIPER_OK or VIPER_E_CORRUPT. */
int32_t vfs_bitmaps_check(struct vfs *fs);
/* Counts the free blocks and inodes again. */
void vfs_bitmaps_count(struct vfs *fs);
void vfs_bit_set(uint8_t *map, uint64_t i, bool on);
void vfs_bitmaps_free(struct vfs *fs);
bool vfs_bit(const uint8_t *map, uint64_t i);
/*
 * A free block: file data from the bottom of the data area up, metadata
 * from the top down, so a file's data lies in one run on the disk and moves
 * in few calls.
 */
int32_t vfs_block_alloc(struct vfs *fs, bool metadata, uint64_t *block);
void vfs_block_free(struct vfs *fs, uint64_t block);
int32_t vfs_inode_alloc(struct vfs *fs, uint32_t *ino);
void vfs_inode_free(struct vfs *fs, uint32_t ino);
/* Bitmap blocks the running transaction holds. */
uint32_t vfs_bitmaps_dirty(const struct vfs *fs);

/* journal.c */
int32_t vfs_journal_replay(struct vfs *fs, struct vfs_mount_report *report, char *why,
			   uint32_t why_size);
/* Commits the running transaction (VIPER_OK when it is empty) and flushes the disk. */
int32_t vfs_commit(struct vfs *fs);
/* After a last commit: the journal's start moves past every transaction, all of them in place. */
int32_t vfs_journal_close(struct vfs *fs);
/* Commits first when the running transaction lacks room for `blocks` more. */
int32_t vfs_reserve(struct vfs *fs, uint32_t blocks);

/* file_data.c */
/* Writes the queued run of file data; when that fails, the volume turns read-only. */
int32_t vfs_data_drain(struct vfs *fs);

/* inode.c */
int32_t vfs_inode_get(struct vfs *fs, uint32_t ino, struct vfs_inode *out);
int32_t vfs_inode_put(struct vfs *fs, uint32_t ino, const struct vfs_inode *in);
/*
 * The disk block holding file block `fb` of `in` (0 for a hole), allocating
 * it and the indirect blocks on its way when `alloc` (then *fresh says
 * whether it is new). The inode's pointers and block count change in *in:
 * the caller puts it.
 */
int32_t vfs_bmap(struct vfs *fs, struct vfs_inode *in, uint64_t fb, bool alloc, uint64_t *block,
		 bool *fresh);
/* Frees every block of file blocks [from, ...) of `in` (the caller puts it). */
int32_t vfs_free_from(struct vfs *fs, struct vfs_inode *in, uint64_t from);
uint64_t vfs_now(const struct vfs *fs);

/* dir.c */
int32_t vfs_dir_find(struct vfs *fs, uint32_t dir, const char *name, size_t len,
		     struct vfs_dirent *out, uint64_t *slot);
int32_t vfs_dir_add(struct vfs *fs, uint32_t dir, const char *name, size_t len, uint32_t ino,
		    uint8_t type);
int32_t vfs_dir_remove(struct vfs *fs, uint32_t dir, uint64_t slot);
int32_t vfs_dir_empty(struct vfs *fs, uint32_t dir, bool *empty);
int32_t vfs_dir_get(struct vfs *fs, uint32_t dir, struct vfs_inode *out);

#endif
