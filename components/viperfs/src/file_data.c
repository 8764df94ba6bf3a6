/*
 * The operations of viperfs.h on file data: read, write and truncate. Data
 * blocks are not journaled; ordered data (docs/viperfs.md) means each is
 * written before the transaction that makes it part of a file commits.
 */
#include "volume.h"

/* The file inode `ino`: VIPER_OK, or why it is not a regular file. */
static int32_t regular(struct vfs *fs, uint32_t ino, struct vfs_inode *in)
{
	int32_t err = vfs_inode_get(fs, ino, in);

	if (err)
		return err;
	if (in->mode == 0)
		return VIPER_E_NOTFOUND;
	if ((in->mode & VFS_S_IFMT) == VFS_S_IFDIR)
		return VIPER_E_ISDIR;
	return (in->mode & VFS_S_IFMT) == VFS_S_IFREG ? VIPER_OK : VIPER_E_INVAL;
}

/*
 * The disk blocks of file blocks fb, fb + 1, ... (at most `max`) while they
 * follow each other on the disk: the first in *block (0 for a run of holes)
 * and how many in *count.
 */
static int32_t extent(struct vfs *fs, struct vfs_inode *in, uint64_t fb, uint32_t max,
		      uint64_t *block, uint32_t *count)
{
	bool fresh;
	int32_t err = vfs_bmap(fs, in, fb, false, block, &fresh);

	for (*count = 1; err == VIPER_OK && *count < max; (*count)++) {
		uint64_t next;
		err = vfs_bmap(fs, in, fb + *count, false, &next, &fresh);
		if (err == VIPER_OK && next != (*block ? *block + *count : 0))
			break;
	}
	return err;
}

/* Reads `n` bytes of the file at `at` (within one block) through the scratch block. */
static int32_t read_part(struct vfs *fs, struct vfs_inode *in, uint64_t at, uint8_t *out,
			 uint32_t n)
{
	uint64_t block;
	bool fresh;
	int32_t err = vfs_bmap(fs, in, at / VFS_BLOCK, false, &block, &fresh);

	if (err == VIPER_OK && block == 0)
		vc_memset(out, 0, n); /* a hole */
	else if (err == VIPER_OK)
		err = fs->disk.read(fs->disk.ctx, block, 1, fs->scratch);
	if (err == VIPER_OK && block)
		vc_memcpy(out, fs->scratch + at % VFS_BLOCK, n);
	return err;
}

int32_t vfs_read(struct vfs *fs, uint32_t ino, uint64_t offset, void *buf, uint32_t len,
		 uint32_t *done)
{
	struct vfs_inode in;
	uint8_t *out = buf;
	int32_t err = regular(fs, ino, &in);

	*done = 0;
	if (err)
		return err;
	if (offset >= in.size)
		return VIPER_OK;
	if (len > in.size - offset)
		len = (uint32_t)(in.size - offset);
	while (*done < len) {
		uint64_t at = offset + *done, block;
		uint32_t n = VFS_BLOCK - (uint32_t)(at % VFS_BLOCK), count;
		if (n == VFS_BLOCK && len - *done >= VFS_BLOCK) {
			/* Whole blocks: as many in one call to the disk as lie in a row there. */
			uint32_t max = (len - *done) / VFS_BLOCK;
			err = extent(fs, &in, at / VFS_BLOCK,
				     max < fs->disk.max_blocks ? max : fs->disk.max_blocks, &block,
				     &count);
			n = count * VFS_BLOCK;
			if (err == VIPER_OK && block == 0)
				vc_memset(out + *done, 0, n);
			else if (err == VIPER_OK)
				err = fs->disk.read(fs->disk.ctx, block, count, out + *done);
		} else {
			n = n < len - *done ? n : len - *done;
			err = read_part(fs, &in, at, out + *done, n);
		}
		if (err)
			return err;
		*done += n;
	}
	return VIPER_OK;
}

/*
 * Zeros the bytes of file block `fb` of `in` from `from` on, in place: what a
 * file that grows over a block its shrink left must read there. The shrink
 * itself writes nothing in place, so a crash before it commits loses no data.
 */
static int32_t zero_tail(struct vfs *fs, struct vfs_inode *in, uint64_t fb, uint32_t from)
{
	uint64_t block;
	bool fresh;
	int32_t err = vfs_bmap(fs, in, fb, false, &block, &fresh);

	if (err || block == 0)
		return err; /* a hole reads as zeros */
	err = fs->disk.read(fs->disk.ctx, block, 1, fs->scratch);
	vc_memset(fs->scratch + from, 0, VFS_BLOCK - from);
	if (err == VIPER_OK)
		err = fs->disk.write(fs->disk.ctx, block, 1, fs->scratch);
	fs->data_written = true;
	return err;
}

int32_t vfs_data_drain(struct vfs *fs)
{
	struct vfs_data_run *r = &fs->run;
	uint32_t count = r->count;
	int32_t err;

	r->count = 0;
	if (count == 0 || fs->read_only)
		return VIPER_OK;
	err = fs->disk.write(fs->disk.ctx, r->block, count, r->bytes);
	if (err) {
		/* Read-only from here: no commit may make blocks part of a file unwritten. */
		vfs_fail(fs, "data block", r->block, "a write of file data failed");
		return err;
	}
	fs->data_written = true;
	return VIPER_OK;
}

/* Adds a whole block of file data to the run, writing the run first when it cannot grow. */
static int32_t queue_block(struct vfs *fs, uint64_t block, const uint8_t *bytes)
{
	struct vfs_data_run *r = &fs->run;
	int32_t err;

	if (r->count &&
	    (block != r->block + r->count || bytes != r->bytes + (size_t)r->count * VFS_BLOCK ||
	     r->count >= fs->disk.max_blocks)) {
		err = vfs_data_drain(fs);
		if (err)
			return err;
	}
	if (r->count == 0) {
		r->block = block;
		r->bytes = bytes;
	}
	r->count++;
	return VIPER_OK;
}

/* Writes `n` bytes at `at` into part of disk block `block` of `in`, through the scratch block. */
static int32_t write_part(struct vfs *fs, const struct vfs_inode *in, uint64_t block, bool fresh,
			  uint64_t at, const uint8_t *bytes, uint32_t n)
{
	uint32_t in_block = (uint32_t)(at % VFS_BLOCK);
	uint64_t start = at - in_block;
	int32_t err = VIPER_OK;

	if (fresh || start >= in->size)
		vc_memset(fs->scratch, 0, VFS_BLOCK);
	else
		err = fs->disk.read(fs->disk.ctx, block, 1, fs->scratch);
	/* Bytes past the end of the file (a shrink leaves them) read as zeros. */
	if (err == VIPER_OK && start < in->size && in->size - start < in_block)
		vc_memset(fs->scratch + (in->size - start), 0,
			  in_block - (size_t)(in->size - start));
	vc_memcpy(fs->scratch + in_block, bytes, n);
	if (err == VIPER_OK)
		err = fs->disk.write(fs->disk.ctx, block, 1, fs->scratch);
	if (err == VIPER_OK)
		fs->data_written = true;
	return err;
}

/*
 * Gives the file block at byte `at` of `ino` a disk block and writes its `n`
 * bytes there, or queues them when they fill it. The inode's size is not
 * changed here: it covers the data only once that is written (vfs_write).
 */
static int32_t write_block(struct vfs *fs, uint32_t ino, struct vfs_inode *in, uint64_t at,
			   const uint8_t *bytes, uint32_t n)
{
	uint64_t block;
	bool fresh = false;
	int32_t err = vfs_reserve(fs, 8); /* indirect blocks, bitmap blocks, the inode */
	int32_t put;

	if (err == VIPER_OK)
		err = vfs_inode_get(fs, ino, in); /* a commit may have reused buffers */
	if (err)
		return err;
	err = vfs_bmap(fs, in, at / VFS_BLOCK, true, &block, &fresh);
	if (err == VIPER_E_CORRUPT)
		return err;
	if (err || fresh) {
		put = vfs_inode_put(fs, ino, in); /* what it allocated on the way stays its */
		err = err ? err : put;
	}
	if (err)
		return err;
	return n == VFS_BLOCK ? queue_block(fs, block, bytes)
			      : write_part(fs, in, block, fresh, at, bytes, n);
}

/* After data up to byte `end` of `ino` is written: its size covers it, its times are now. */
static int32_t grow(struct vfs *fs, uint32_t ino, uint64_t end)
{
	struct vfs_inode in;
	int32_t err = fs->read_only ? VIPER_OK : vfs_inode_get(fs, ino, &in);

	if (err || fs->read_only)
		return err; /* read-only: nothing changes any more */
	if (end > in.size)
		in.size = end;
	in.mtime_ns = in.ctime_ns = vfs_now(fs);
	return vfs_inode_put(fs, ino, &in);
}

/*
 * Whole blocks that lie in a row on the disk go in one call to it (the run
 * in struct vfs), written before this returns and before any commit.
 */
int32_t vfs_write(struct vfs *fs, uint32_t ino, uint64_t offset, const void *buf, uint32_t len)
{
	const uint8_t *bytes = buf;
	struct vfs_inode in;
	uint32_t done = 0;
	int32_t err = regular(fs, ino, &in), drained;

	if (err)
		return err;
	if (offset + len < offset || offset + len > VFS_MAX_FILE_BLOCKS * VFS_BLOCK)
		return VIPER_E_RANGE;
	if (len == 0)
		return VIPER_OK;
	/* A write that starts past the end's block: the old last block's tail reads as zeros. */
	if (in.size % VFS_BLOCK && offset / VFS_BLOCK > in.size / VFS_BLOCK) {
		err = zero_tail(fs, &in, in.size / VFS_BLOCK, (uint32_t)(in.size % VFS_BLOCK));
		if (err)
			return err;
	}
	while (err == VIPER_OK && done < len) {
		uint64_t at = offset + done;
		uint32_t n = VFS_BLOCK - (uint32_t)(at % VFS_BLOCK);
		n = n < len - done ? n : len - done;
		err = write_block(fs, ino, &in, at, bytes + done, n);
		if (err == VIPER_OK)
			done += n;
	}
	drained = vfs_data_drain(fs);
	if (drained)
		return drained;
	if (done && err != VIPER_E_CORRUPT) {
		int32_t grown =
			grow(fs, ino, offset + done); /* what was written, as before an error */
		err = err ? err : grown;
	}
	return err;
}

int32_t vfs_truncate(struct vfs *fs, uint32_t ino, uint64_t size)
{
	struct vfs_inode in;
	int32_t err = vfs_reserve(fs, VFS_OP_BLOCKS);

	if (err == VIPER_OK)
		err = regular(fs, ino, &in);
	if (err)
		return err;
	if (size > VFS_MAX_FILE_BLOCKS * VFS_BLOCK)
		return VIPER_E_RANGE;
	if (size < in.size)
		err = vfs_free_from(fs, &in, (size + VFS_BLOCK - 1) / VFS_BLOCK);
	else if (size > in.size && in.size % VFS_BLOCK)
		err = zero_tail(fs, &in, in.size / VFS_BLOCK, (uint32_t)(in.size % VFS_BLOCK));
	if (err)
		return err;
	in.size = size;
	in.mtime_ns = in.ctime_ns = vfs_now(fs);
	return vfs_inode_put(fs, ino, &in);
}
