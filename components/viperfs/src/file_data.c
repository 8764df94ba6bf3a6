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

int32_t vfs_read(struct vfs *fs, uint32_t ino, uint64_t offset, void *buf, uint32_t len,
		 uint32_t *done)
{
	uint8_t *block_buf = fs->scratch; /* one partial block at a time */
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
		uint32_t in_block = (uint32_t)(at % VFS_BLOCK);
		uint32_t n = VFS_BLOCK - in_block;
		bool fresh;
		n = n < len - *done ? n : len - *done;
		err = vfs_bmap(fs, &in, at / VFS_BLOCK, false, &block, &fresh);
		if (err)
			return err;
		if (block == 0) {
			vc_memset(out + *done, 0, n); /* a hole */
		} else if (n == VFS_BLOCK) {
			err = fs->disk.read(fs->disk.ctx, block, 1, out + *done);
		} else {
			err = fs->disk.read(fs->disk.ctx, block, 1, block_buf);
			vc_memcpy(out + *done, block_buf + in_block, n);
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

int32_t vfs_write(struct vfs *fs, uint32_t ino, uint64_t offset, const void *buf, uint32_t len)
{
	uint8_t *block_buf = fs->scratch;
	const uint8_t *in_bytes = buf;
	struct vfs_inode in;
	int32_t err = regular(fs, ino, &in);

	if (err)
		return err;
	if (offset + len < offset || offset + len > VFS_MAX_FILE_BLOCKS * VFS_BLOCK)
		return VIPER_E_RANGE;
	/* A write that starts past the end's block: the old last block's tail reads as zeros. */
	if (len && in.size % VFS_BLOCK && offset / VFS_BLOCK > in.size / VFS_BLOCK) {
		err = zero_tail(fs, &in, in.size / VFS_BLOCK, (uint32_t)(in.size % VFS_BLOCK));
		if (err)
			return err;
	}
	for (uint32_t done = 0; done < len;) {
		uint64_t at = offset + done, block;
		uint32_t in_block = (uint32_t)(at % VFS_BLOCK);
		uint32_t n = VFS_BLOCK - in_block;
		bool fresh;
		n = n < len - done ? n : len - done;
		err = vfs_reserve(fs, 8); /* the block, its indirect blocks, a bitmap, the inode */
		if (err == VIPER_OK)
			err = vfs_inode_get(fs, ino, &in); /* a commit may have reused buffers */
		if (err == VIPER_OK) {
			err = vfs_bmap(fs, &in, at / VFS_BLOCK, true, &block, &fresh);
			if (err && err != VIPER_E_CORRUPT)
				vfs_inode_put(fs, ino,
					      &in); /* what it allocated on the way stays its */
		}
		if (err)
			return err;
		if (n == VFS_BLOCK) {
			err = fs->disk.write(fs->disk.ctx, block, 1, in_bytes + done);
		} else {
			uint64_t start = at - in_block;
			if (fresh || start >= in.size)
				vc_memset(block_buf, 0, VFS_BLOCK);
			else
				err = fs->disk.read(fs->disk.ctx, block, 1, block_buf);
			/* Bytes past the end of the file (a shrink leaves them) read as zeros. */
			if (err == VIPER_OK && start < in.size && in.size - start < in_block)
				vc_memset(block_buf + (in.size - start), 0,
					  in_block - (size_t)(in.size - start));
			vc_memcpy(block_buf + in_block, in_bytes + done, n);
			if (err == VIPER_OK)
				err = fs->disk.write(fs->disk.ctx, block, 1, block_buf);
		}
		if (err)
			return err;
		fs->data_written = true;
		done += n;
		if (at + n > in.size)
			in.size = at + n;
		in.mtime_ns = in.ctime_ns = vfs_now(fs);
		err = vfs_inode_put(fs, ino, &in);
		if (err)
			return err;
	}
	return VIPER_OK;
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
