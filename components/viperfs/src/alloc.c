/*
 * The block and inode bitmaps, whole in memory. The running copy is what
 * the transaction will commit; a block or inode is allocated only when it
 * is free in the running copy and in the last committed one, so nothing
 * freed by the running transaction is reused before that transaction
 * commits. A changed bitmap block joins the transaction (journal.c copies
 * it from here).
 */
#include "volume.h"

bool vfs_bit(const uint8_t *map, uint64_t i)
{
	return (map[i / 8] >> (i % 8)) & 1;
}

void vfs_bit_set(uint8_t *map, uint64_t i, bool on)
{
	if (on)
		map[i / 8] |= (uint8_t)(1u << (i % 8));
	else
		map[i / 8] &= (uint8_t) ~(1u << (i % 8));
}

static int32_t load(struct vfs *fs, uint64_t start, uint64_t blocks, uint8_t **map,
		    uint8_t **committed, uint8_t **dirty)
{
	size_t bytes = (size_t)blocks * VFS_BLOCK;
	int32_t err;

	*map = vc_alloc(bytes);
	*committed = vc_alloc(bytes);
	*dirty = vc_alloc((size_t)blocks);
	if (!*map || !*committed || !*dirty)
		return VIPER_E_NOMEM;
	vc_memset(*dirty, 0, (size_t)blocks);
	for (uint64_t b = 0; b < blocks; b += fs->disk.max_blocks) {
		uint64_t n = blocks - b < fs->disk.max_blocks ? blocks - b : fs->disk.max_blocks;
		err = fs->disk.read(fs->disk.ctx, start + b, (uint32_t)n, *map + b * VFS_BLOCK);
		if (err)
			return err;
	}
	vc_memcpy(*committed, *map, bytes);
	return VIPER_OK;
}

int32_t vfs_bitmaps_load(struct vfs *fs)
{
	const struct vfs_super *s = &fs->sb;
	int32_t err = load(fs, s->block_bitmap_start, s->block_bitmap_blocks, &fs->bmap,
			   &fs->bmap_committed, &fs->bmap_dirty);

	if (err == VIPER_OK)
		err = load(fs, s->inode_bitmap_start, s->inode_bitmap_blocks, &fs->imap,
			   &fs->imap_committed, &fs->imap_dirty);
	if (err)
		return err;
	vfs_bitmaps_count(fs);
	fs->block_goal = s->data_start;
	fs->meta_goal = s->block_count - 1;
	fs->inode_goal = VFS_ROOT + 1;
	return VIPER_OK;
}

int32_t vfs_bitmaps_check(struct vfs *fs)
{
	for (uint64_t b = 0; b < fs->sb.data_start; b++)
		if (!vfs_bit(fs->bmap, b))
			return vfs_fail(fs, "block bitmap", b, "a block before the data is free");
	if (!vfs_bit(fs->imap, 0) || !vfs_bit(fs->imap, VFS_ROOT))
		return vfs_fail(fs, "inode bitmap", 0, "inode 0 or the root is free");
	return VIPER_OK;
}

void vfs_bitmaps_count(struct vfs *fs)
{
	const struct vfs_super *s = &fs->sb;

	fs->free_blocks = 0;
	for (uint64_t b = s->data_start; b < s->block_count; b++)
		fs->free_blocks += !vfs_bit(fs->bmap, b);
	fs->free_inodes = 0;
	for (uint64_t i = 1; i <= s->inode_count; i++)
		fs->free_inodes += !vfs_bit(fs->imap, i);
}

void vfs_bitmaps_free(struct vfs *fs)
{
	vc_free(fs->bmap);
	vc_free(fs->bmap_committed);
	vc_free(fs->bmap_dirty);
	vc_free(fs->imap);
	vc_free(fs->imap_committed);
	vc_free(fs->imap_dirty);
}

/* The first index in [from, end), wrapping to `low`, free in both maps; `end` for none. */
static uint64_t search(const uint8_t *map, const uint8_t *committed, uint64_t low, uint64_t end,
		       uint64_t from)
{
	for (uint64_t n = 0, i = from; n < end - low; n++, i = i + 1 < end ? i + 1 : low) {
		if ((i % 8) == 0 && i + 8 <= end && (map[i / 8] & committed[i / 8]) == 0xff) {
			n += 7; /* a whole byte in use */
			i += 7;
			continue;
		}
		if (!vfs_bit(map, i) && !vfs_bit(committed, i))
			return i;
	}
	return end;
}

/* The last index at or below `from` in [low, end), wrapping to end - 1, free in both maps; `end`
 * for none. */
static uint64_t search_down(const uint8_t *map, const uint8_t *committed, uint64_t low,
			    uint64_t end, uint64_t from)
{
	for (uint64_t n = 0, i = from; n<end - low; n++, i = i> low ? i - 1 : end - 1) {
		if ((i % 8) == 7 && i >= low + 7 && (map[i / 8] & committed[i / 8]) == 0xff) {
			n += 7; /* a whole byte in use */
			i -= 7;
			continue;
		}
		if (!vfs_bit(map, i) && !vfs_bit(committed, i))
			return i;
	}
	return end;
}

int32_t vfs_block_alloc(struct vfs *fs, bool metadata, uint64_t *block)
{
	const struct vfs_super *s = &fs->sb;
	uint64_t b = metadata ? search_down(fs->bmap, fs->bmap_committed, s->data_start,
					    s->block_count, fs->meta_goal)
			      : search(fs->bmap, fs->bmap_committed, s->data_start, s->block_count,
				       fs->block_goal);

	if (b == s->block_count)
		return VIPER_E_NOSPACE;
	vfs_bit_set(fs->bmap, b, true);
	fs->bmap_dirty[b / (VFS_BLOCK * 8)] = 1;
	fs->free_blocks--;
	if (metadata)
		fs->meta_goal = b > s->data_start ? b - 1 : s->block_count - 1;
	else
		fs->block_goal = b + 1 < s->block_count ? b + 1 : s->data_start;
	*block = b;
	return VIPER_OK;
}

void vfs_block_free(struct vfs *fs, uint64_t block)
{
	if (!vfs_bit(fs->bmap, block)) {
		vfs_fail(fs, "block", block, "freed twice (two files claim it)");
		return;
	}
	vfs_bit_set(fs->bmap, block, false);
	fs->bmap_dirty[block / (VFS_BLOCK * 8)] = 1;
	fs->free_blocks++;
}

int32_t vfs_inode_alloc(struct vfs *fs, uint32_t *ino)
{
	const struct vfs_super *s = &fs->sb;
	uint64_t i = search(fs->imap, fs->imap_committed, 1, s->inode_count + 1, fs->inode_goal);

	if (i == s->inode_count + 1)
		return VIPER_E_NOSPACE;
	vfs_bit_set(fs->imap, i, true);
	fs->imap_dirty[i / (VFS_BLOCK * 8)] = 1;
	fs->free_inodes--;
	fs->inode_goal = i + 1 <= s->inode_count ? i + 1 : 1;
	*ino = (uint32_t)i;
	return VIPER_OK;
}

void vfs_inode_free(struct vfs *fs, uint32_t ino)
{
	vfs_bit_set(fs->imap, ino, false);
	fs->imap_dirty[ino / (VFS_BLOCK * 8)] = 1;
	fs->free_inodes++;
}

uint32_t vfs_bitmaps_dirty(const struct vfs *fs)
{
	uint32_t n = 0;

	for (uint64_t b = 0; b < fs->sb.block_bitmap_blocks; b++)
		n += fs->bmap_dirty[b];
	for (uint64_t b = 0; b < fs->sb.inode_bitmap_blocks; b++)
		n += fs->imap_dirty[b];
	return n;
}
