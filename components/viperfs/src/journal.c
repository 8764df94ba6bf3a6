/*
 * The write-ahead journal (docs/viperfs.md, "Journal"). A transaction is a
 * descriptor block naming the home of each block that follows it, the
 * blocks' new contents, and a commit block whose CRC32C covers the
 * descriptor and every block: written as
 *
 *   descriptor + blocks, flush, commit, flush, then each block in place
 *
 * so the commit reaches the disk only after the blocks and after the file
 * data written before it (ordered data), and a transaction whose commit is
 * missing or does not match is not replayed. Transactions follow each other
 * in the journal; one that does not fit before its end starts again at its
 * first block once the blocks written in place so far are flushed and the
 * journal's superblock says replay starts there. A transaction that freed
 * metadata blocks, which may become file data next, also moves the start
 * past itself (after its blocks in place are flushed): an older image of
 * such a block is then never replayed over the data (jbd2's revoke).
 */
#include "volume.h"

static uint32_t pending(const struct vfs *fs)
{
	return fs->dirty_bufs + vfs_bitmaps_dirty(fs);
}

static int32_t write_journal_super(struct vfs *fs, uint64_t sequence, uint64_t start)
{
	struct vfs_journal_super j = {sequence, start};
	int32_t err = fs->disk.flush(fs->disk.ctx); /* what the old start covers is in place */

	if (err)
		return err;
	vfs_journal_super_encode(&j, fs->jbuf);
	err = fs->disk.write(fs->disk.ctx, fs->sb.journal_start, 1, fs->jbuf);
	return err ? err : fs->disk.flush(fs->disk.ctx);
}

/* Appends one bitmap's dirty blocks to the transaction: their homes and images. */
static uint32_t gather_bitmap(struct vfs *fs, struct vfs_descriptor *d, uint32_t n, uint8_t *map,
			      uint8_t *dirty, uint64_t start, uint64_t blocks)
{
	for (uint64_t b = 0; b < blocks; b++) {
		if (!dirty[b])
			continue;
		d->targets[n] = start + b;
		vc_memcpy(fs->jbuf + (size_t)(1 + n) * VFS_BLOCK, map + b * VFS_BLOCK, VFS_BLOCK);
		n++;
	}
	return n;
}

/* The descriptor and the images of every block of the running transaction, in fs->jbuf. */
static uint32_t gather(struct vfs *fs, struct vfs_descriptor *d)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < fs->buf_count; i++) {
		if (!fs->bufs[i].dirty)
			continue;
		d->targets[n] = fs->bufs[i].block;
		vc_memcpy(fs->jbuf + (size_t)(1 + n) * VFS_BLOCK, fs->bufs[i].data, VFS_BLOCK);
		n++;
	}
	n = gather_bitmap(fs, d, n, fs->bmap, fs->bmap_dirty, fs->sb.block_bitmap_start,
			  fs->sb.block_bitmap_blocks);
	return gather_bitmap(fs, d, n, fs->imap, fs->imap_dirty, fs->sb.inode_bitmap_start,
			     fs->sb.inode_bitmap_blocks);
}

/* Writes `count` blocks from `buf` at `block`, in calls the disk takes. */
static int32_t write_run(struct vfs *fs, uint64_t block, uint32_t count, const uint8_t *buf)
{
	for (uint32_t done = 0; done < count;) {
		uint32_t n =
			count - done < fs->disk.max_blocks ? count - done : fs->disk.max_blocks;
		int32_t err = fs->disk.write(fs->disk.ctx, block + done, n,
					     buf + (size_t)done * VFS_BLOCK);
		if (err)
			return err;
		done += n;
	}
	return VIPER_OK;
}

/* The transaction's blocks in place, and its buffers and bitmaps clean. */
static int32_t checkpoint(struct vfs *fs, const struct vfs_descriptor *d)
{
	for (uint32_t i = 0; i < d->count; i++) {
		int32_t err = fs->disk.write(fs->disk.ctx, d->targets[i], 1,
					     fs->jbuf + (size_t)(1 + i) * VFS_BLOCK);
		if (err)
			return err;
	}
	for (uint32_t i = 0; i < fs->buf_count; i++)
		fs->bufs[i].dirty = false;
	fs->dirty_bufs = 0;
	vc_memset(fs->bmap_dirty, 0, (size_t)fs->sb.block_bitmap_blocks);
	vc_memset(fs->imap_dirty, 0, (size_t)fs->sb.inode_bitmap_blocks);
	return VIPER_OK;
}

/* What the transaction freed becomes free to allocate: the bitmaps as committed. */
static void publish_bitmaps(struct vfs *fs)
{
	vc_memcpy(fs->bmap_committed, fs->bmap, (size_t)fs->sb.block_bitmap_blocks * VFS_BLOCK);
	vc_memcpy(fs->imap_committed, fs->imap, (size_t)fs->sb.inode_bitmap_blocks * VFS_BLOCK);
}

int32_t vfs_commit(struct vfs *fs)
{
	struct vfs_descriptor *d = &fs->desc; /* 4 KiB: not on a component's stack */
	struct vfs_commit c;
	uint8_t *commit_block;
	int32_t err = vfs_data_drain(fs); /* ordered data: before what makes it visible */

	if (err)
		return err;
	if (fs->read_only)
		return fs->error[0] ? VIPER_E_CORRUPT : VIPER_OK;
	if (pending(fs) == 0) {
		if (!fs->data_written)
			return VIPER_OK;
		fs->data_written = false;
		return fs->disk.flush(fs->disk.ctx); /* file data alone: nothing to journal */
	}
	if (pending(fs) > fs->txn_capacity)
		return vfs_fail(fs, "journal", pending(fs),
				"a transaction larger than it can hold");
	d->sequence = fs->jseq;
	d->count = gather(fs, d);
	if (fs->jpos + d->count + 2 > fs->sb.journal_blocks) {
		err = write_journal_super(fs, fs->jseq, 1);
		if (err)
			return err;
		fs->jpos = 1;
	}
	vfs_descriptor_encode(d, fs->jbuf);
	c = (struct vfs_commit){fs->jseq, d->count,
				vfs_crc32c(0, fs->jbuf, (size_t)(1 + d->count) * VFS_BLOCK)};
	err = write_run(fs, fs->sb.journal_start + fs->jpos, 1 + d->count, fs->jbuf);
	if (err == VIPER_OK)
		err = fs->disk.flush(fs->disk.ctx);
	if (err)
		return err;
	/* The commit goes in the block after the transaction's last. */
	commit_block = fs->jbuf + (size_t)(1 + d->count) * VFS_BLOCK;
	vfs_commit_encode(&c, commit_block);
	err = fs->disk.write(fs->disk.ctx, fs->sb.journal_start + fs->jpos + 1 + d->count, 1,
			     commit_block);
	if (err == VIPER_OK)
		err = fs->disk.flush(fs->disk.ctx);
	if (err)
		return err;
	fs->data_written = false;
	fs->jpos += d->count + 2;
	fs->jseq++;
	err = checkpoint(fs, d);
	if (err == VIPER_OK && fs->freed_metadata) {
		/* Freed metadata may become file data: never replay an older image over it. */
		if (fs->jpos + 2 > fs->sb.journal_blocks)
			fs->jpos = 1;
		err = write_journal_super(fs, fs->jseq, fs->jpos);
		fs->freed_metadata = err != VIPER_OK; /* tried again at the next commit */
	}
	if (err == VIPER_OK)
		publish_bitmaps(fs);
	return err;
}

int32_t vfs_journal_close(struct vfs *fs)
{
	if (fs->read_only)
		return VIPER_OK;
	if (fs->jpos + 2 > fs->sb.journal_blocks)
		fs->jpos = 1;
	return write_journal_super(fs, fs->jseq, fs->jpos); /* nothing left to replay */
}

int32_t vfs_reserve(struct vfs *fs, uint32_t blocks)
{
	if (fs->read_only)
		return fs->error[0] ? VIPER_E_CORRUPT : VIPER_E_READONLY;
	if (pending(fs) + blocks <= fs->txn_limit)
		return VIPER_OK;
	return vfs_commit(fs);
}

/*
 * Reads the `count` blocks after the descriptor at `at` in pieces that fit
 * fs->jbuf after its first block; each piece goes to the CRC, or (`apply`)
 * to its home.
 */
static int32_t pass(struct vfs *fs, const struct vfs_descriptor *d, uint64_t at, bool apply,
		    uint32_t *crc)
{
	uint32_t room = fs->txn_capacity + 1;

	for (uint32_t done = 0; done < d->count;) {
		uint32_t n = d->count - done;
		n = n < room ? n : room;
		n = n < fs->disk.max_blocks ? n : fs->disk.max_blocks;
		int32_t err = fs->disk.read(fs->disk.ctx, at + 1 + done, n, fs->jbuf + VFS_BLOCK);
		if (err)
			return err;
		for (uint32_t i = 0; i < n && apply; i++) {
			err = fs->disk.write(fs->disk.ctx, d->targets[done + i], 1,
					     fs->jbuf + (size_t)(1 + i) * VFS_BLOCK);
			if (err)
				return err;
		}
		if (!apply)
			*crc = vfs_crc32c(*crc, fs->jbuf + VFS_BLOCK, (size_t)n * VFS_BLOCK);
		done += n;
	}
	return VIPER_OK;
}

/*
 * Replays the transaction at fs->jpos with sequence fs->jseq (only checks
 * that it is whole unless `apply`): VIPER_OK, or VIPER_E_NOTFOUND at the end.
 */
static int32_t replay_one(struct vfs *fs, struct vfs_mount_report *report, bool apply)
{
	struct vfs_descriptor *d = &fs->desc;
	struct vfs_commit c;
	uint64_t at = fs->sb.journal_start + fs->jpos;
	uint32_t crc;
	int32_t err;

	if (fs->jpos + 2 > fs->sb.journal_blocks)
		return VIPER_E_NOTFOUND;
	err = fs->disk.read(fs->disk.ctx, at, 1, fs->jbuf);
	if (err)
		return err;
	if (vfs_descriptor_decode(fs->jbuf, &fs->sb, d) || d->sequence != fs->jseq ||
	    fs->jpos + d->count + 2 > fs->sb.journal_blocks)
		return VIPER_E_NOTFOUND;
	crc = vfs_crc32c(0, fs->jbuf, VFS_BLOCK);
	err = pass(fs, d, at, false, &crc);
	if (err == VIPER_OK)
		err = fs->disk.read(fs->disk.ctx, at + 1 + d->count, 1, fs->jbuf);
	if (err)
		return err;
	if (vfs_commit_decode(fs->jbuf, &c) || c.sequence != d->sequence || c.count != d->count ||
	    c.checksum != crc)
		return VIPER_E_NOTFOUND; /* torn: it never committed */
	if (!apply)
		return VIPER_OK;
	err = pass(fs, d, at, true, &crc);
	if (err)
		return err;
	report->replayed++;
	report->replayed_blocks += d->count;
	fs->jpos += d->count + 2;
	fs->jseq++;
	return VIPER_OK;
}

int32_t vfs_journal_replay(struct vfs *fs, struct vfs_mount_report *report, char *why,
			   uint32_t why_size)
{
	struct vfs_journal_super j;
	const char *bad;
	int32_t err = fs->disk.read(fs->disk.ctx, fs->sb.journal_start, 1, fs->jbuf);

	if (err)
		return err;
	bad = vfs_journal_super_decode(fs->jbuf, &fs->sb, &j);
	if (bad) {
		vc_snprintf(why, why_size, "journal: %s", bad);
		return VIPER_E_CORRUPT;
	}
	fs->jseq = j.sequence;
	fs->jpos = j.start;
	if (fs->read_only) {
		err = replay_one(fs, report, false);
		if (err == VIPER_OK) {
			vc_snprintf(why, why_size,
				    "journal: transactions to replay; mount it writable or run "
				    "fsck.viperfs");
			return VIPER_E_CORRUPT;
		}
		return err == VIPER_E_NOTFOUND ? VIPER_OK : err;
	}
	while ((err = replay_one(fs, report, true)) == VIPER_OK)
		;
	if (err != VIPER_E_NOTFOUND)
		return err;
	if (report->replayed == 0)
		return VIPER_OK;
	/* Replayed blocks are in place: the journal starts again after them. */
	err = write_journal_super(fs, fs->jseq, 1);
	fs->jpos = 1;
	return err;
}
