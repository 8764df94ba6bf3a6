/*
 * Directories: blocks of 32 entries of 128 bytes, found through the
 * directory's block map like any file's, and journaled. A free entry has
 * inode 0; a directory grows by a block when it is full and never shrinks
 * while it lives. An entry's slot is (block index << 5) | entry index.
 */
#include "volume.h"

int32_t vfs_dir_get(struct vfs *fs, uint32_t dir, struct vfs_inode *out)
{
	int32_t err = vfs_inode_get(fs, dir, out);

	if (err)
		return err;
	if (out->mode == 0)
		return VIPER_E_NOTFOUND;
	return (out->mode & VFS_S_IFMT) == VFS_S_IFDIR ? VIPER_OK : VIPER_E_NOTDIR;
}

/* The buffer of directory block `index` of `in`; NULL for a hole. */
static int32_t dir_block(struct vfs *fs, struct vfs_inode *in, uint64_t index, struct vfs_buf **b)
{
	uint64_t block;
	bool fresh;
	int32_t err = vfs_bmap(fs, in, index, false, &block, &fresh);

	*b = NULL;
	if (err || block == 0)
		return err;
	return vfs_buf_get(fs, block, false, b);
}

int32_t vfs_dir_find(struct vfs *fs, uint32_t dir, const char *name, size_t len,
		     struct vfs_dirent *out, uint64_t *slot)
{
	struct vfs_inode in;
	int32_t err = vfs_dir_get(fs, dir, &in);

	if (err)
		return err;
	for (uint64_t index = 0; index < in.size / VFS_BLOCK; index++) {
		struct vfs_buf *b;
		err = dir_block(fs, &in, index, &b);
		if (err)
			return err;
		for (unsigned i = 0; b && i < VFS_DIRENTS; i++) {
			const char *bad = vfs_dirent_decode(b->data, i, &fs->sb, out);
			if (bad)
				return vfs_fail(fs, "directory", dir, bad);
			if (out->inode && out->name_len == len &&
			    vc_memcmp(out->name, name, len) == 0) {
				*slot = index << 5 | i;
				return VIPER_OK;
			}
		}
	}
	return VIPER_E_NOTFOUND;
}

int32_t vfs_dir_add(struct vfs *fs, uint32_t dir, const char *name, size_t len, uint32_t ino,
		    uint8_t type)
{
	struct vfs_dirent d = {.inode = ino, .type = type, .name_len = (uint8_t)len};
	struct vfs_inode in;
	struct vfs_buf *b;
	uint64_t index, block;
	bool fresh;
	int32_t err = vfs_dir_get(fs, dir, &in);

	if (err)
		return err;
	vc_memcpy(d.name, name, len);
	for (index = 0; index < in.size / VFS_BLOCK; index++) {
		err = dir_block(fs, &in, index, &b);
		if (err)
			return err;
		for (unsigned i = 0; b && i < VFS_DIRENTS; i++) {
			if (b->data[(size_t)i * VFS_DIRENT_BYTES] |
			    b->data[i * VFS_DIRENT_BYTES + 1] | b->data[i * VFS_DIRENT_BYTES + 2] |
			    b->data[i * VFS_DIRENT_BYTES + 3])
				continue;
			vfs_dirent_encode(&d, b->data, i);
			vfs_buf_dirty(fs, b);
			in.mtime_ns = in.ctime_ns = vfs_now(fs);
			return vfs_inode_put(fs, dir, &in);
		}
	}
	err = vfs_bmap(fs, &in, index, true, &block, &fresh); /* full: one block more */
	if (err && err != VIPER_E_CORRUPT)
		vfs_inode_put(fs, dir,
			      &in); /* what it allocated on the way stays the directory's */
	if (err == VIPER_OK)
		err = vfs_buf_get(fs, block, false, &b);
	if (err)
		return err;
	vfs_dirent_encode(&d, b->data, 0);
	vfs_buf_dirty(fs, b);
	in.size += VFS_BLOCK;
	in.mtime_ns = in.ctime_ns = vfs_now(fs);
	return vfs_inode_put(fs, dir, &in);
}

int32_t vfs_dir_remove(struct vfs *fs, uint32_t dir, uint64_t slot)
{
	struct vfs_dirent none = {0};
	struct vfs_inode in;
	struct vfs_buf *b;
	int32_t err = vfs_dir_get(fs, dir, &in);

	if (err == VIPER_OK)
		err = dir_block(fs, &in, slot >> 5, &b);
	if (err == VIPER_OK && b == NULL)
		err = vfs_fail(fs, "directory", dir, "an entry in a hole");
	if (err)
		return err;
	vfs_dirent_encode(&none, b->data, (unsigned)(slot & 31));
	vfs_buf_dirty(fs, b);
	in.mtime_ns = in.ctime_ns = vfs_now(fs);
	return vfs_inode_put(fs, dir, &in);
}

int32_t vfs_dir_empty(struct vfs *fs, uint32_t dir, bool *empty)
{
	struct vfs_dirent first;
	uint64_t cookie = 0;
	int32_t err = vfs_readdir(fs, dir, &cookie, &first);

	*empty = err == VIPER_E_NOTFOUND;
	return err == VIPER_E_NOTFOUND ? VIPER_OK : err;
}

int32_t vfs_readdir(struct vfs *fs, uint32_t dir, uint64_t *cookie, struct vfs_dirent *out)
{
	struct vfs_inode in;
	int32_t err = vfs_dir_get(fs, dir, &in);

	if (err)
		return err;
	for (uint64_t at = *cookie; at < in.size / VFS_BLOCK * VFS_DIRENTS; at++) {
		struct vfs_buf *b;
		err = dir_block(fs, &in, at / VFS_DIRENTS, &b);
		if (err)
			return err;
		if (b == NULL) {
			at += VFS_DIRENTS - 1 - at % VFS_DIRENTS; /* the rest of the hole */
			continue;
		}
		const char *bad =
			vfs_dirent_decode(b->data, (unsigned)(at % VFS_DIRENTS), &fs->sb, out);
		if (bad)
			return vfs_fail(fs, "directory", dir, bad);
		if (out->inode) {
			*cookie = at + 1;
			return VIPER_OK;
		}
	}
	*cookie = in.size / VFS_BLOCK * VFS_DIRENTS;
	return VIPER_E_NOTFOUND;
}
