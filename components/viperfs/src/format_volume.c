/* Making an empty volume: see vfs_format in include/viperfs/viperfs.h. */
#include "volume.h"

/* Writes `count` copies of `block` from `start`, in calls the disk takes. */
static int32_t fill(const struct vfs_disk *disk, uint64_t start, uint64_t count, uint8_t *blocks,
		    uint32_t per_call)
{
	for (uint64_t done = 0; done < count;) {
		uint64_t n = count - done < per_call ? count - done : per_call;
		int32_t err = disk->write(disk->ctx, start + done, (uint32_t)n, blocks);
		if (err)
			return err;
		done += n;
	}
	return VIPER_OK;
}

/* Sets bits [from, to) of a bitmap region starting at `start`, written one block at a time. */
static int32_t write_bitmap(const struct vfs_disk *disk, uint64_t start, uint64_t blocks,
			    uint64_t used_below, uint64_t used_from, uint8_t *buf)
{
	for (uint64_t b = 0; b < blocks; b++) {
		vc_memset(buf, 0, VFS_BLOCK);
		for (uint64_t bit = 0; bit < VFS_BLOCK * 8ull; bit++) {
			uint64_t i = b * VFS_BLOCK * 8ull + bit;
			if (i < used_below || i >= used_from)
				buf[bit / 8] |= (uint8_t)(1u << (bit % 8));
		}
		int32_t err = disk->write(disk->ctx, start + b, 1, buf);
		if (err)
			return err;
	}
	return VIPER_OK;
}

int32_t vfs_format(const struct vfs_disk *disk, const struct vfs_super *layout)
{
	uint32_t per_call = disk->max_blocks < 16 ? disk->max_blocks : 16;
	uint8_t *buf = vc_alloc((size_t)16 * VFS_BLOCK);
	struct vfs_super s = *layout;
	struct vfs_journal_super j = {1, 1};
	struct vfs_inode root = {
		.mode = VFS_S_IFDIR | 0755, .links = 2, .generation = 1, .parent = VFS_ROOT};
	int32_t err;

	if (!buf)
		return VIPER_E_NOMEM;
	if (s.block_count > disk->blocks || per_call == 0) {
		vc_free(buf);
		return VIPER_E_RANGE;
	}
	s.state = VFS_STATE_CLEAN;
	vc_memset(buf, 0, (size_t)16 * VFS_BLOCK);
	/* The journal (no stale transaction of an older volume may ever match) and the inode table.
	 */
	err = fill(disk, s.journal_start, s.journal_blocks, buf, per_call);
	if (err == VIPER_OK)
		err = fill(disk, s.inode_table_start, s.inode_table_blocks, buf, per_call);
	if (err == VIPER_OK)
		err = write_bitmap(disk, s.block_bitmap_start, s.block_bitmap_blocks, s.data_start,
				   s.block_count, buf);
	if (err == VIPER_OK)
		err = write_bitmap(disk, s.inode_bitmap_start, s.inode_bitmap_blocks, VFS_ROOT + 1,
				   s.inode_count + 1, buf);
	if (err == VIPER_OK) {
		root.mtime_ns = root.ctime_ns = root.crtime_ns = s.created_ns;
		vc_memset(buf, 0, VFS_BLOCK);
		vfs_inode_encode(&root, buf);
		err = disk->write(disk->ctx, s.inode_table_start, 1, buf);
	}
	if (err == VIPER_OK) {
		vfs_journal_super_encode(&j, buf);
		err = disk->write(disk->ctx, s.journal_start, 1, buf);
	}
	if (err == VIPER_OK) {
		vfs_super_encode(&s, buf);
		err = disk->write(disk->ctx, 0, 1, buf);
	}
	if (err == VIPER_OK)
		err = disk->flush(disk->ctx);
	vc_free(buf);
	return err;
}
