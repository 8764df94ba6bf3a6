/*
 * The operations of viperfs.h on names, links and directories (those on
 * file data are in file_data.c). Each operation that changes metadata first
 * reserves room in the running transaction (vfs_reserve), so it lands in
 * one transaction whole.
 */
#include "volume.h"

static uint8_t type_of(uint16_t mode)
{
	switch (mode & VFS_S_IFMT) {
	case VFS_S_IFDIR:
		return VFS_DT_DIR;
	case VFS_S_IFLNK:
		return VFS_DT_LINK;
	default:
		return VFS_DT_FILE;
	}
}

/* Checks `name` as one path component: VIPER_OK, VIPER_E_NAMETOOLONG or VIPER_E_INVAL. */
static int32_t check_name(const char *name, size_t *len)
{
	*len = vc_strlen(name);
	if (*len > VFS_NAME_MAX)
		return VIPER_E_NAMETOOLONG;
	return vfs_name_valid(name, *len) ? VIPER_OK : VIPER_E_INVAL;
}

int32_t vfs_lookup(struct vfs *fs, uint32_t dir, const char *name, uint32_t *ino)
{
	struct vfs_dirent d;
	struct vfs_inode in;
	uint64_t slot;
	size_t len = vc_strlen(name);
	int32_t err;

	if ((len == 1 && name[0] == '.') || len == 0) {
		err = vfs_dir_get(fs, dir, &in);
		*ino = dir;
		return err;
	}
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		err = vfs_dir_get(fs, dir, &in);
		*ino = in.parent;
		return err;
	}
	err = check_name(name, &len);
	if (err == VIPER_OK)
		err = vfs_dir_find(fs, dir, name, len, &d, &slot);
	if (err == VIPER_OK)
		*ino = d.inode;
	return err;
}

/* Makes inode `*ino` of `mode` named `name` in `dir`; the caller fills its contents. */
static int32_t make_node(struct vfs *fs, uint32_t dir, const char *name, uint16_t mode,
			 struct vfs_inode *in, uint32_t *ino)
{
	struct vfs_dirent d;
	struct vfs_inode parent;
	uint64_t slot;
	size_t len;
	int32_t err = check_name(name, &len);

	if (err == VIPER_OK)
		err = vfs_reserve(fs, VFS_OP_BLOCKS);
	if (err == VIPER_OK)
		err = vfs_dir_get(fs, dir, &parent);
	if (err)
		return err;
	err = vfs_dir_find(fs, dir, name, len, &d, &slot);
	if (err != VIPER_E_NOTFOUND)
		return err ? err : VIPER_E_EXISTS;
	err = vfs_inode_alloc(fs, ino);
	if (err)
		return err;
	err = vfs_inode_get(fs, *ino, in);
	if (err == VIPER_OK && in->mode != 0)
		err = vfs_fail(fs, "inode", *ino, "free in the bitmap but in use");
	if (err)
		return err;
	*in = (struct vfs_inode){.mode = mode, .links = 1, .generation = in->generation + 1};
	in->mtime_ns = in->ctime_ns = in->crtime_ns = vfs_now(fs);
	err = vfs_inode_put(fs, *ino, in);
	if (err == VIPER_OK)
		err = vfs_dir_add(fs, dir, name, len, *ino, type_of(mode));
	if (err && err != VIPER_E_CORRUPT) {
		/* No entry for it (the directory could not grow): no inode either. */
		struct vfs_inode none = {.generation = in->generation};
		if (vfs_inode_put(fs, *ino, &none) == VIPER_OK)
			vfs_inode_free(fs, *ino);
	}
	return err;
}

int32_t vfs_create(struct vfs *fs, uint32_t dir, const char *name, uint16_t perm, uint32_t *ino)
{
	struct vfs_inode in;

	return make_node(fs, dir, name, (uint16_t)(VFS_S_IFREG | (perm & 07777)), &in, ino);
}

int32_t vfs_mkdir(struct vfs *fs, uint32_t dir, const char *name, uint16_t perm, uint32_t *ino)
{
	struct vfs_inode in, parent;
	int32_t err = vfs_dir_get(fs, dir, &parent);

	if (err == VIPER_OK && parent.links == UINT16_MAX)
		err = VIPER_E_LIMIT; /* its link count counts its subdirectories */
	if (err == VIPER_OK)
		err = make_node(fs, dir, name, (uint16_t)(VFS_S_IFDIR | (perm & 07777)), &in, ino);

	if (err)
		return err;
	in.links = 2;
	in.parent = dir;
	err = vfs_inode_put(fs, *ino, &in);
	if (err == VIPER_OK)
		err = vfs_inode_get(fs, dir, &parent);
	if (err)
		return err;
	parent.links++; /* the new directory's ".." */
	return vfs_inode_put(fs, dir, &parent);
}

int32_t vfs_symlink(struct vfs *fs, uint32_t dir, const char *name, const char *target,
		    uint32_t *ino)
{
	size_t len = vc_strlen(target);
	struct vfs_inode in;
	struct vfs_buf *b;
	uint64_t block;
	bool fresh;
	int32_t err;

	if (len == 0)
		return VIPER_E_INVAL;
	if (len > VFS_SYMLINK_MAX)
		return VIPER_E_NAMETOOLONG;
	err = make_node(fs, dir, name, VFS_S_IFLNK | 0777, &in, ino);
	if (err)
		return err;
	in.size = len;
	if (len <= VFS_INLINE_LINK) {
		uint8_t bytes[VFS_INLINE_LINK] = {0};
		vc_memcpy(bytes, target, len);
		for (unsigned i = 0; i < VFS_DIRECT + 3; i++) {
			uint64_t v = 0;
			for (int k = 7; k >= 0; k--)
				v = v << 8 | bytes[8 * i + (unsigned)k];
			if (i < VFS_DIRECT)
				in.direct[i] = v;
			else
				in.indirect[i - VFS_DIRECT] = v;
		}
		return vfs_inode_put(fs, *ino, &in);
	}
	in.size = 0; /* a block of its own, journaled */
	err = vfs_bmap(fs, &in, 0, true, &block, &fresh);
	if (err == VIPER_OK)
		err = vfs_buf_get(fs, block, false, &b);
	if (err)
		return err;
	vc_memcpy(b->data, target, len);
	vfs_buf_dirty(fs, b);
	in.size = len;
	return vfs_inode_put(fs, *ino, &in);
}

int32_t vfs_readlink(struct vfs *fs, uint32_t ino, char *buf, uint32_t size, uint32_t *len)
{
	struct vfs_inode in;
	struct vfs_buf *b;
	uint64_t block;
	bool fresh;
	int32_t err = vfs_inode_get(fs, ino, &in);

	if (err)
		return err;
	if ((in.mode & VFS_S_IFMT) != VFS_S_IFLNK)
		return VIPER_E_INVAL;
	if (in.size + 1 > size)
		return VIPER_E_RANGE;
	if (in.size <= VFS_INLINE_LINK) {
		for (uint64_t i = 0; i < in.size; i++) {
			uint64_t word = i / 8 < VFS_DIRECT ? in.direct[i / 8]
							   : in.indirect[i / 8 - VFS_DIRECT];
			buf[i] = (char)(word >> (8 * (i % 8)));
		}
	} else {
		err = vfs_bmap(fs, &in, 0, false, &block, &fresh);
		if (err == VIPER_OK && block == 0)
			err = vfs_fail(fs, "symlink", ino, "no block");
		if (err == VIPER_OK)
			err = vfs_buf_get(fs, block, false, &b);
		if (err)
			return err;
		vc_memcpy(buf, b->data, (size_t)in.size);
	}
	buf[in.size] = 0;
	for (uint64_t i = 0; i < in.size; i++)
		if (buf[i] == 0)
			return vfs_fail(fs, "symlink", ino, "a NUL in its target");
	*len = (uint32_t)in.size;
	return VIPER_OK;
}

/* Drops one link of inode `ino`; frees it and its blocks with its last. */
static int32_t drop_link(struct vfs *fs, uint32_t ino, struct vfs_inode *in)
{
	int32_t err;

	if (--in->links > 0 && (in->mode & VFS_S_IFMT) != VFS_S_IFDIR) {
		in->ctime_ns = vfs_now(fs);
		return vfs_inode_put(fs, ino, in);
	}
	bool inline_link = (in->mode & VFS_S_IFMT) == VFS_S_IFLNK && in->size <= VFS_INLINE_LINK;
	if (!inline_link) {
		err = vfs_free_from(fs, in, 0);
		if (err)
			return err;
	}
	*in = (struct vfs_inode){.generation = in->generation}; /* free, keeping its generation */
	err = vfs_inode_put(fs, ino, in);
	if (err == VIPER_OK)
		vfs_inode_free(fs, ino);
	return err;
}

/* The entry `name` of `dir` that Unlink or Rmdir removes, and its inode, with room reserved. */
static int32_t entry_to_remove(struct vfs *fs, uint32_t dir, const char *name, struct vfs_dirent *d,
			       uint64_t *slot, struct vfs_inode *in)
{
	size_t len;
	int32_t err = check_name(name, &len);

	if (err == VIPER_OK)
		err = vfs_reserve(fs, VFS_OP_BLOCKS);
	if (err == VIPER_OK)
		err = vfs_dir_find(fs, dir, name, len, d, slot);
	if (err == VIPER_OK)
		err = vfs_inode_get(fs, d->inode, in);
	if (err == VIPER_OK && in->mode == 0)
		err = vfs_fail(fs, "directory", dir, "an entry names a free inode");
	return err;
}

int32_t vfs_unlink(struct vfs *fs, uint32_t dir, const char *name)
{
	struct vfs_dirent d;
	struct vfs_inode in;
	uint64_t slot;
	int32_t err = entry_to_remove(fs, dir, name, &d, &slot, &in);

	if (err)
		return err;
	if ((in.mode & VFS_S_IFMT) == VFS_S_IFDIR)
		return VIPER_E_ISDIR;
	err = vfs_dir_remove(fs, dir, slot);
	return err ? err : drop_link(fs, d.inode, &in);
}

/* Removes empty directory `ino`, whose entry is `slot` of `dir`. */
static int32_t remove_dir(struct vfs *fs, uint32_t dir, uint64_t slot, uint32_t ino,
			  struct vfs_inode *in)
{
	struct vfs_inode parent;
	bool empty;
	int32_t err = vfs_dir_empty(fs, ino, &empty);

	if (err)
		return err;
	if (!empty)
		return VIPER_E_NOTEMPTY;
	err = vfs_dir_remove(fs, dir, slot);
	if (err == VIPER_OK)
		err = drop_link(fs, ino, in);
	if (err == VIPER_OK)
		err = vfs_inode_get(fs, dir, &parent);
	if (err)
		return err;
	parent.links--;
	return vfs_inode_put(fs, dir, &parent);
}

int32_t vfs_rmdir(struct vfs *fs, uint32_t dir, const char *name)
{
	struct vfs_dirent d;
	struct vfs_inode in;
	uint64_t slot;
	int32_t err = entry_to_remove(fs, dir, name, &d, &slot, &in);

	if (err)
		return err;
	if ((in.mode & VFS_S_IFMT) != VFS_S_IFDIR)
		return VIPER_E_NOTDIR;
	return remove_dir(fs, dir, slot, d.inode, &in);
}

/* Whether directory `ino` is `dir` or one of its ancestors. */
static int32_t is_ancestor(struct vfs *fs, uint32_t ino, uint32_t dir, bool *yes)
{
	for (uint64_t depth = 0; depth <= fs->sb.inode_count; depth++) {
		struct vfs_inode in;
		int32_t err;
		if (dir == ino) {
			*yes = true;
			return VIPER_OK;
		}
		if (dir == VFS_ROOT) {
			*yes = false;
			return VIPER_OK;
		}
		err = vfs_dir_get(fs, dir, &in);
		if (err)
			return err;
		dir = in.parent;
	}
	return vfs_fail(fs, "directory", dir, "its parents form a cycle");
}

/* Replaces what `to` names in `to_dir` (entry `slot`, inode `old`) for a rename of `moving`. */
static int32_t replace_target(struct vfs *fs, uint32_t to_dir, uint64_t slot, uint32_t old,
			      const struct vfs_inode *moving)
{
	struct vfs_inode target;
	bool dirs = (moving->mode & VFS_S_IFMT) == VFS_S_IFDIR;
	int32_t err = vfs_inode_get(fs, old, &target);

	if (err)
		return err;
	if (((target.mode & VFS_S_IFMT) == VFS_S_IFDIR) != dirs)
		return dirs ? VIPER_E_NOTDIR : VIPER_E_ISDIR;
	if (dirs)
		return remove_dir(fs, to_dir, slot, old, &target);
	err = vfs_dir_remove(fs, to_dir, slot);
	return err ? err : drop_link(fs, old, &target);
}

int32_t vfs_rename(struct vfs *fs, uint32_t from_dir, const char *from, uint32_t to_dir,
		   const char *to)
{
	struct vfs_dirent src, dst;
	struct vfs_inode in, dir;
	uint64_t src_slot, dst_slot;
	size_t from_len, to_len;
	bool inside = false;
	int32_t err = check_name(from, &from_len);

	if (err == VIPER_OK)
		err = check_name(to, &to_len);
	if (err == VIPER_OK)
		err = vfs_reserve(fs, 2 * VFS_OP_BLOCKS);
	if (err == VIPER_OK)
		err = vfs_dir_get(fs, to_dir, &dir);
	if (err == VIPER_OK)
		err = vfs_dir_find(fs, from_dir, from, from_len, &src, &src_slot);
	if (err == VIPER_OK)
		err = vfs_inode_get(fs, src.inode, &in);
	if (err == VIPER_OK && in.mode == 0)
		err = vfs_fail(fs, "directory", from_dir, "an entry names a free inode");
	if (err == VIPER_OK && (in.mode & VFS_S_IFMT) == VFS_S_IFDIR)
		err = is_ancestor(fs, src.inode, to_dir, &inside);
	if (err == VIPER_OK && (in.mode & VFS_S_IFMT) == VFS_S_IFDIR && from_dir != to_dir &&
	    dir.links == UINT16_MAX)
		err = VIPER_E_LIMIT;
	if (err)
		return err;
	if (inside)
		return VIPER_E_INVAL; /* a directory into itself */
	err = vfs_dir_find(fs, to_dir, to, to_len, &dst, &dst_slot);
	if (err == VIPER_OK) {
		if (dst.inode == src.inode)
			return VIPER_OK;
		err = replace_target(fs, to_dir, dst_slot, dst.inode, &in);
	} else if (err == VIPER_E_NOTFOUND) {
		err = VIPER_OK;
	}
	if (err == VIPER_OK)
		err = vfs_dir_add(fs, to_dir, to, to_len, src.inode, src.type);
	if (err == VIPER_OK)
		err = vfs_dir_find(fs, from_dir, from, from_len, &src, &src_slot);
	if (err == VIPER_OK)
		err = vfs_dir_remove(fs, from_dir, src_slot);
	if (err || (in.mode & VFS_S_IFMT) != VFS_S_IFDIR || from_dir == to_dir)
		return err;
	in.parent = to_dir; /* a directory moved: its ".." and both parents' links */
	in.ctime_ns = vfs_now(fs);
	err = vfs_inode_put(fs, src.inode, &in);
	if (err == VIPER_OK)
		err = vfs_inode_get(fs, from_dir, &dir);
	if (err)
		return err;
	dir.links--;
	err = vfs_inode_put(fs, from_dir, &dir);
	if (err == VIPER_OK)
		err = vfs_inode_get(fs, to_dir, &dir);
	if (err)
		return err;
	dir.links++;
	return vfs_inode_put(fs, to_dir, &dir);
}

int32_t vfs_stat(struct vfs *fs, uint32_t ino, struct vfs_stat *out)
{
	struct vfs_inode in;
	int32_t err = vfs_inode_get(fs, ino, &in);

	if (err)
		return err;
	if (in.mode == 0)
		return VIPER_E_NOTFOUND;
	*out = (struct vfs_stat){.inode = ino,
				 .generation = in.generation,
				 .mode = in.mode,
				 .links = in.links,
				 .size = in.size,
				 .blocks = in.blocks,
				 .mtime_ns = in.mtime_ns,
				 .ctime_ns = in.ctime_ns,
				 .crtime_ns = in.crtime_ns};
	return VIPER_OK;
}

int32_t vfs_sync(struct vfs *fs)
{
	return vfs_commit(fs);
}

#define WALK_LINKS 16 /* symlinks one walk follows at most */

/* Resolves `path` from `start`, following at most `*links` more symlinks. */
static int32_t walk_path(struct vfs *fs, uint32_t start, const char *path, unsigned *links,
			 uint32_t *ino);

/* Follows symlink `ino` found in `dir`: its target resolves from `dir` (or the root). */
static int32_t follow(struct vfs *fs, uint32_t dir, uint32_t ino, unsigned *links, uint32_t *out)
{
	char *target;
	uint32_t len;
	int32_t err;

	if (*links == 0)
		return VIPER_E_LOOP;
	(*links)--;
	target = vc_alloc(VFS_SYMLINK_MAX + 1);
	if (!target)
		return VIPER_E_NOMEM;
	err = vfs_readlink(fs, ino, target, VFS_SYMLINK_MAX + 1, &len);
	if (err == VIPER_OK)
		err = walk_path(fs, target[0] == '/' ? VFS_ROOT : dir, target, links, out);
	vc_free(target);
	return err;
}

static int32_t walk_path(struct vfs *fs, uint32_t start, const char *path, unsigned *links,
			 uint32_t *ino)
{
	char name[VFS_NAME_MAX + 1];
	uint32_t at = start;

	while (*path) {
		size_t len = 0;
		uint32_t next;
		struct vfs_inode in;
		int32_t err;
		while (*path == '/')
			path++;
		while (path[len] && path[len] != '/')
			len++;
		if (len == 0)
			break;
		if (len > VFS_NAME_MAX)
			return VIPER_E_NAMETOOLONG;
		vc_memcpy(name, path, len);
		name[len] = 0;
		path += len;
		err = vfs_lookup(fs, at, name, &next);
		if (err == VIPER_OK)
			err = vfs_inode_get(fs, next, &in);
		if (err == VIPER_OK && (in.mode & VFS_S_IFMT) == VFS_S_IFLNK)
			err = follow(fs, at, next, links, &next);
		if (err)
			return err;
		at = next;
	}
	*ino = at;
	return VIPER_OK;
}

int32_t vfs_walk(struct vfs *fs, uint32_t start, const char *path, uint32_t *ino)
{
	unsigned links = WALK_LINKS;

	return walk_path(fs, path[0] == '/' ? VFS_ROOT : start, path, &links, ino);
}
