/*
 * Inodes in the inode table, and the map from a file's blocks to the
 * disk's: 12 direct pointers, then a single, a double and a triple
 * indirect block of 512 pointers each. Indirect blocks are metadata (in
 * the journal); every pointer read from one is checked.
 */
#include "volume.h"

uint64_t vfs_now(const struct vfs *fs)
{
	return fs->now_ns ? fs->now_ns(fs->clock) : 0;
}

static int32_t table_block(struct vfs *fs, uint32_t ino, struct vfs_buf **b, uint32_t *offset)
{
	if (ino == 0 || ino > fs->sb.inode_count)
		return VIPER_E_NOTFOUND; /* a caller's number: entries on the disk are checked */
	*offset = ((ino - 1) % VFS_INODES_PER_BLOCK) * VFS_INODE_BYTES;
	return vfs_buf_get(fs, fs->sb.inode_table_start + (ino - 1) / VFS_INODES_PER_BLOCK, false,
			   b);
}

int32_t vfs_inode_get(struct vfs *fs, uint32_t ino, struct vfs_inode *out)
{
	struct vfs_buf *b;
	uint32_t offset;
	const char *bad;
	int32_t err = table_block(fs, ino, &b, &offset);

	if (err)
		return err;
	bad = vfs_inode_decode(b->data + offset, &fs->sb, out);
	if (bad)
		return vfs_fail(fs, "inode", ino, bad);
	if (out->mode != 0 && !vfs_bit(fs->imap, ino))
		return vfs_fail(fs, "inode", ino, "in use but free in the inode bitmap");
	return VIPER_OK;
}

int32_t vfs_inode_put(struct vfs *fs, uint32_t ino, const struct vfs_inode *in)
{
	struct vfs_buf *b;
	uint32_t offset;
	int32_t err = table_block(fs, ino, &b, &offset);

	if (err)
		return err;
	vfs_inode_encode(in, b->data + offset);
	vfs_buf_dirty(fs, b);
	return VIPER_OK;
}

static uint64_t get_ptr(const uint8_t *block, uint32_t i)
{
	uint64_t v = 0;

	for (int k = 7; k >= 0; k--)
		v = v << 8 | block[8 * i + (uint32_t)k];
	return v;
}

static void put_ptr(uint8_t *block, uint32_t i, uint64_t v)
{
	for (int k = 0; k < 8; k++)
		block[8 * i + (uint32_t)k] = (uint8_t)(v >> (8 * k));
}

static bool ptr_ok(const struct vfs *fs, uint64_t b)
{
	return b == 0 || (b >= fs->sb.data_start && b < fs->sb.block_count);
}

/* Whether the file's own blocks are metadata (a directory's, a symlink's): journaled. */
static bool leaves_are_metadata(const struct vfs_inode *in)
{
	uint16_t type = in->mode & VFS_S_IFMT;

	return type == VFS_S_IFDIR || type == VFS_S_IFLNK;
}

/* A new block for the file: counted in its inode, zeroed when it is metadata. */
static int32_t new_block(struct vfs *fs, struct vfs_inode *in, bool metadata, uint64_t *out)
{
	struct vfs_buf *b;
	int32_t err = vfs_block_alloc(fs, metadata, out);

	if (err)
		return err;
	in->blocks++;
	if (!metadata)
		return VIPER_OK;
	err = vfs_buf_get(fs, *out, true, &b);
	if (err == VIPER_OK)
		vfs_buf_dirty(fs, b);
	return err;
}

/*
 * Follows pointer `*slot` (in the inode or an indirect block: `holder`,
 * NULL for the inode) down `level` levels to entry `path[...]`.
 */
static int32_t walk(struct vfs *fs, struct vfs_inode *in, uint64_t *root, const uint32_t *path,
		    unsigned levels, bool alloc, uint64_t *block, bool *fresh)
{
	uint64_t at = *root;
	int32_t err;

	if (at == 0) {
		if (!alloc)
			return *block = 0, VIPER_OK;
		err = new_block(fs, in, levels > 0 || leaves_are_metadata(in), &at);
		if (err)
			return err;
		*root = at;
		if (levels == 0)
			return *block = at, *fresh = true, VIPER_OK;
	}
	for (unsigned l = 0; l < levels; l++) {
		struct vfs_buf *b;
		uint64_t next;

		err = vfs_buf_get(fs, at, false, &b);
		if (err)
			return err;
		next = get_ptr(b->data, path[l]);
		if (!ptr_ok(fs, next))
			return vfs_fail(fs, "indirect block", at, "pointer out of range");
		if (next == 0) {
			if (!alloc)
				return *block = 0, VIPER_OK;
			err = new_block(fs, in, l + 1 < levels || leaves_are_metadata(in), &next);
			if (err)
				return err;
			err = vfs_buf_get(fs, at, false,
					  &b); /* new_block may have reused buffers */
			if (err)
				return err;
			put_ptr(b->data, path[l], next);
			vfs_buf_dirty(fs, b);
			if (l + 1 == levels)
				*fresh = true;
		}
		at = next;
	}
	*block = at;
	return VIPER_OK;
}

int32_t vfs_bmap(struct vfs *fs, struct vfs_inode *in, uint64_t fb, bool alloc, uint64_t *block,
		 bool *fresh)
{
	uint32_t path[3] = {0, 0, 0}; /* level 0 reads none: for the compiler */
	uint64_t span = VFS_PTRS;

	*fresh = false;
	if (fb < VFS_DIRECT)
		return walk(fs, in, &in->direct[fb], path, 0, alloc, block, fresh);
	fb -= VFS_DIRECT;
	for (unsigned level = 1; level <= 3; level++, span *= VFS_PTRS) {
		if (fb < span) {
			uint64_t rest = fb;
			for (unsigned l = level; l-- > 0;) {
				path[l] = (uint32_t)(rest % VFS_PTRS);
				rest /= VFS_PTRS;
			}
			return walk(fs, in, &in->indirect[level - 1], path, level, alloc, block,
				    fresh);
		}
		fb -= span;
	}
	return VIPER_E_NOSPACE; /* past the largest file */
}

static void free_data(struct vfs *fs, struct vfs_inode *in, uint64_t block)
{
	vfs_block_free(fs, block);
	if (in->blocks > 0)
		in->blocks--;
}

static void free_meta(struct vfs *fs, struct vfs_inode *in, uint64_t block)
{
	vfs_buf_forget(fs, block);
	fs->freed_metadata = true;
	free_data(fs, in, block);
}

static void free_leaf(struct vfs *fs, struct vfs_inode *in, uint64_t block)
{
	if (leaves_are_metadata(in))
		free_meta(fs, in, block);
	else
		free_data(fs, in, block);
}

/*
 * Frees what indirect block `at` (of `levels` levels, covering file blocks
 * from `base`) maps at or past file block `from`; frees `at` itself when
 * nothing of it is left (*gone).
 */
static int32_t free_tree(struct vfs *fs, struct vfs_inode *in, uint64_t at, unsigned levels,
			 uint64_t base, uint64_t from, bool *gone)
{
	uint64_t child_span = 1;
	struct vfs_buf *b;
	bool any_left = false;
	int32_t err;

	for (unsigned l = 1; l < levels; l++)
		child_span *= VFS_PTRS;
	for (uint32_t i = 0; i < VFS_PTRS; i++) {
		uint64_t first = base + i * child_span;
		err = vfs_buf_get(fs, at, false, &b);
		if (err)
			return err;
		uint64_t child = get_ptr(b->data, i);
		if (child == 0)
			continue;
		if (!ptr_ok(fs, child))
			return vfs_fail(fs, "indirect block", at, "pointer out of range");
		if (first + child_span <= from) {
			any_left = true;
			continue;
		}
		bool child_gone = true;
		if (levels > 1) {
			err = free_tree(fs, in, child, levels - 1, first, from, &child_gone);
			if (err)
				return err;
		} else {
			free_leaf(fs, in, child);
		}
		if (child_gone) {
			err = vfs_buf_get(fs, at, false, &b);
			if (err)
				return err;
			put_ptr(b->data, i, 0);
			vfs_buf_dirty(fs, b);
		} else {
			any_left = true;
		}
	}
	*gone = !any_left;
	if (*gone)
		free_meta(fs, in, at);
	return VIPER_OK;
}

int32_t vfs_free_from(struct vfs *fs, struct vfs_inode *in, uint64_t from)
{
	uint64_t base = VFS_DIRECT, span = VFS_PTRS;
	int32_t err;

	for (uint64_t i = from; i < VFS_DIRECT; i++) {
		if (in->direct[i]) {
			free_leaf(fs, in, in->direct[i]);
			in->direct[i] = 0;
		}
	}
	for (unsigned level = 1; level <= 3; level++, base += span, span *= VFS_PTRS) {
		bool gone;
		if (in->indirect[level - 1] == 0 || base + span <= from)
			continue;
		err = free_tree(fs, in, in->indirect[level - 1], level, base, from, &gone);
		if (err)
			return err;
		if (gone)
			in->indirect[level - 1] = 0;
	}
	return VIPER_OK;
}
