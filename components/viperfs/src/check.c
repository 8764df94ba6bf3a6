/*
 * vfs_check: fsck.viperfs's core (see include/viperfs/viperfs.h). Rounds of
 * passes over the opened volume (vfs_open without its strict checks):
 *
 *   1. inodes: each decodes, and its block pointers are in range and claim
 *      blocks no other inode claims;
 *   2. directories: each entry decodes and names an inode in use, of its
 *      type; a directory is named by one entry;
 *   3. reachability from the root, parents, link counts;
 *   4. bitmaps against what the passes counted.
 *
 * A round that repairs something in passes 1-3 is committed and followed
 * by another, so each round sees the volume its repairs left (a freed
 * orphan's blocks are free in the next). Repairs go through the journal
 * like any change.
 */
#include "volume.h"

#define ROUNDS 4

struct checker {
	struct vfs *fs;
	bool repair;
	void (*say)(void *ctx, const char *line);
	void *ctx;
	struct vfs_check_result *r;
	uint8_t *used;	    /* blocks claimed: a bit each */
	uint8_t *in_use;    /* inodes in use after pass 1: a bit each */
	uint32_t *refs;	    /* entries naming each inode */
	uint32_t *subdirs;  /* directories each directory holds */
	uint32_t *named_by; /* the directory whose entry names each inode first */
	uint8_t *reached;
	uint32_t *queue; /* pass 2: directories in the order the root reaches them */
	uint32_t queued;
	uint8_t *listed; /* directories in the queue: a bit each */
	bool changed;	 /* this round repaired something */
};

static void tell(struct checker *ck, bool repaired, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Reports one problem, and whether it was repaired. */
static void tell(struct checker *ck, bool repaired, const char *fmt, ...)
{
	char line[160];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vc_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (repaired && n > 0 && (size_t)n < sizeof(line))
		vc_snprintf(line + n, sizeof(line) - (size_t)n, ": %s", "repaired");
	ck->r->problems++;
	if (repaired) {
		ck->r->repaired++;
		ck->changed = true;
	}
	if (ck->say)
		ck->say(ck->ctx, line);
}

/* Makes room for one more repair in the running transaction. */
static bool may_repair(struct checker *ck)
{
	return ck->repair && vfs_reserve(ck->fs, 4) == VIPER_OK;
}

static int32_t raw_inode(struct checker *ck, uint32_t ino, struct vfs_inode *in, const char **bad)
{
	struct vfs_buf *b;
	uint64_t block = ck->fs->sb.inode_table_start + (ino - 1) / VFS_INODES_PER_BLOCK;
	int32_t err = vfs_buf_get(ck->fs, block, false, &b);

	if (err)
		return err;
	*bad = vfs_inode_decode(b->data + ((ino - 1) % VFS_INODES_PER_BLOCK) * VFS_INODE_BYTES,
				&ck->fs->sb, in);
	return VIPER_OK;
}

static uint16_t type_of(const struct vfs_inode *in)
{
	return in->mode & VFS_S_IFMT;
}

static bool has_blocks(const struct vfs_inode *in)
{
	return in->mode && !(type_of(in) == VFS_S_IFLNK && in->size <= VFS_INLINE_LINK);
}

static uint64_t get_ptr(const uint8_t *p, uint32_t i)
{
	uint64_t v = 0;

	for (int k = 7; k >= 0; k--)
		v = v << 8 | p[8 * i + (uint32_t)k];
	return v;
}

static void put_ptr(uint8_t *p, uint32_t i, uint64_t v)
{
	for (int k = 0; k < 8; k++)
		p[8 * i + (uint32_t)k] = (uint8_t)(v >> (8 * k));
}

/* What a walk over an inode's blocks does at each leaf (a block of the file's own). */
struct leaf_visit {
	bool claim; /* pass 1: claim every block, and count */
	int32_t (*leaf)(struct checker *ck, uint32_t ino, uint64_t fb, uint64_t block);
	uint64_t counted;
};

/* Whether pointer `p` of inode `ino` may stand; false when it must be cleared. */
static bool pointer_ok(struct checker *ck, struct leaf_visit *v, uint32_t ino, uint64_t p)
{
	const struct vfs_super *s = &ck->fs->sb;

	if (p < s->data_start || p >= s->block_count) {
		tell(ck, ck->repair, "inode %u: block pointer %llu out of range", ino,
		     (unsigned long long)p);
		return false;
	}
	if (!v->claim)
		return true;
	if (vfs_bit(ck->used, p)) {
		tell(ck, ck->repair, "inode %u: block %llu is used by another inode too", ino,
		     (unsigned long long)p);
		return false;
	}
	vfs_bit_set(ck->used, p, true);
	v->counted++;
	return true;
}

/* Walks indirect block `at` (`levels` deep, file blocks from `base`). */
static int32_t walk_tree(struct checker *ck, struct leaf_visit *v, uint32_t ino, uint64_t at,
			 unsigned levels, uint64_t base)
{
	uint64_t span = 1;

	for (unsigned l = 1; l < levels; l++)
		span *= VFS_PTRS;
	for (uint32_t i = 0; i < VFS_PTRS; i++) {
		struct vfs_buf *b;
		int32_t err = vfs_buf_get(ck->fs, at, false, &b);
		if (err)
			return err;
		uint64_t p = get_ptr(b->data, i);
		if (p == 0)
			continue;
		if (!pointer_ok(ck, v, ino, p)) {
			if (may_repair(ck) && vfs_buf_get(ck->fs, at, false, &b) == VIPER_OK) {
				put_ptr(b->data, i, 0);
				vfs_buf_dirty(ck->fs, b);
			}
			continue;
		}
		err = levels > 1 ? walk_tree(ck, v, ino, p, levels - 1, base + i * span)
		      : v->leaf	 ? v->leaf(ck, ino, base + i, p)
				 : VIPER_OK;
		if (err)
			return err;
	}
	return VIPER_OK;
}

/* Walks every block of inode `ino`; pointers it clears are cleared in *in too (the caller puts it).
 */
static int32_t walk_inode(struct checker *ck, struct leaf_visit *v, uint32_t ino,
			  struct vfs_inode *in, bool *cleared)
{
	uint64_t *roots[VFS_DIRECT + 3];
	uint64_t base = VFS_DIRECT, span = VFS_PTRS;
	int32_t err = VIPER_OK;

	for (unsigned i = 0; i < VFS_DIRECT; i++)
		roots[i] = &in->direct[i];
	for (unsigned i = 0; i < 3; i++)
		roots[VFS_DIRECT + i] = &in->indirect[i];
	for (unsigned i = 0; i < VFS_DIRECT + 3 && err == VIPER_OK; i++) {
		unsigned levels = i < VFS_DIRECT ? 0 : i - VFS_DIRECT + 1;
		if (*roots[i] == 0)
			goto next;
		if (!pointer_ok(ck, v, ino, *roots[i])) {
			if (ck->repair) {
				*roots[i] = 0;
				*cleared = true;
			}
			goto next;
		}
		if (levels == 0)
			err = v->leaf ? v->leaf(ck, ino, i, *roots[i]) : VIPER_OK;
		else
			err = walk_tree(ck, v, ino, *roots[i], levels, base);
	next:
		if (levels > 0) {
			base += span;
			span *= VFS_PTRS;
		}
	}
	return err;
}

static void free_inode(struct checker *ck, uint32_t ino, uint32_t generation)
{
	struct vfs_inode none = {.generation = generation};
	if (vfs_inode_put(ck->fs, ino, &none) == VIPER_OK)
		vfs_bit_set(ck->in_use, ino, false);
}

/* Pass 1: every inode decodes and claims blocks of its own. */
static int32_t pass_inodes(struct checker *ck)
{
	for (uint32_t ino = 1; ino <= ck->fs->sb.inode_count; ino++) {
		struct leaf_visit v = {.claim = true};
		struct vfs_inode in;
		const char *bad;
		bool cleared = false;
		int32_t err = raw_inode(ck, ino, &in, &bad);

		if (err)
			return err;
		if (bad) {
			tell(ck, may_repair(ck), "inode %u: %s", ino, bad);
			if (ck->repair)
				free_inode(ck, ino, 0);
			continue;
		}
		if (in.mode == 0)
			continue;
		vfs_bit_set(ck->in_use, ino, true);
		if (has_blocks(&in)) {
			err = walk_inode(ck, &v, ino, &in, &cleared);
			if (err)
				return err;
		}
		if (has_blocks(&in) && in.blocks != v.counted) {
			tell(ck, may_repair(ck), "inode %u: says it has %llu blocks, has %llu", ino,
			     (unsigned long long)in.blocks, (unsigned long long)v.counted);
			in.blocks = v.counted;
			cleared |= ck->repair;
		}
		if (cleared && may_repair(ck))
			vfs_inode_put(ck->fs, ino, &in);
	}
	return VIPER_OK;
}

static const char *type_name(uint16_t type)
{
	return type == VFS_S_IFDIR ? "directory" : type == VFS_S_IFLNK ? "symlink" : "file";
}

static uint8_t entry_type(uint16_t type)
{
	return type == VFS_S_IFDIR ? VFS_DT_DIR : type == VFS_S_IFLNK ? VFS_DT_LINK : VFS_DT_FILE;
}

/* Pass 2, one directory block: its entries. */
static int32_t dir_leaf(struct checker *ck, uint32_t dir, uint64_t fb, uint64_t block)
{
	struct vfs_buf *b;

	(void)fb;
	for (unsigned i = 0; i < VFS_DIRENTS; i++) {
		struct vfs_dirent d;
		struct vfs_inode target = {0};
		const char *bad;
		int32_t err = vfs_buf_get(ck->fs, block, false, &b);

		if (err)
			return err;
		bad = vfs_dirent_decode(b->data, i, &ck->fs->sb, &d);
		if (!bad && d.inode == 0)
			continue;
		if (!bad && !vfs_bit(ck->in_use, d.inode))
			bad = "names a free inode";
		if (!bad && raw_inode(ck, d.inode, &target, &bad) == VIPER_OK && !bad &&
		    d.type != entry_type(type_of(&target)))
			bad = "of the wrong type";
		if (!bad && type_of(&target) == VFS_S_IFDIR && ck->named_by[d.inode])
			bad = "a second entry for a directory";
		if (!bad && d.inode == VFS_ROOT)
			bad = "names the root";
		if (bad) {
			tell(ck, may_repair(ck), "directory %u, entry %u ('%.*s'): %s", dir, i,
			     (int)d.name_len, d.name, bad);
			struct vfs_dirent none = {0};
			if (ck->repair && vfs_buf_get(ck->fs, block, false, &b) == VIPER_OK) {
				vfs_dirent_encode(&none, b->data, i);
				vfs_buf_dirty(ck->fs, b);
			}
			continue;
		}
		ck->refs[d.inode]++;
		if (!ck->named_by[d.inode])
			ck->named_by[d.inode] = dir;
		if (type_of(&target) == VFS_S_IFDIR) {
			ck->subdirs[dir]++;
			if (!vfs_bit(ck->listed, d.inode)) { /* its entries after this one's */
				vfs_bit_set(ck->listed, d.inode, true);
				ck->queue[ck->queued++] = d.inode;
			}
		}
	}
	return VIPER_OK;
}

/* Pass 2 for directory `ino`: its entries. */
static int32_t check_dir(struct checker *ck, uint32_t ino)
{
	struct leaf_visit v = {.leaf = dir_leaf};
	struct vfs_inode in;
	const char *bad;
	bool cleared = false;
	int32_t err = raw_inode(ck, ino, &in, &bad);

	if (err || bad || type_of(&in) != VFS_S_IFDIR)
		return err;
	return walk_inode(ck, &v, ino, &in, &cleared);
}

/*
 * Pass 2: the directories the root reaches first, in the order it reaches
 * them, so a directory's entry in a reachable parent is the one that
 * counts; then every other directory in use (orphans), whose entries for
 * directories named already are the second ones.
 */
static int32_t pass_dirs(struct checker *ck)
{
	int32_t err = VIPER_OK;

	ck->queued = 0;
	ck->queue[ck->queued++] = VFS_ROOT;
	vfs_bit_set(ck->listed, VFS_ROOT, true);
	for (uint32_t at = 0; at < ck->queued && err == VIPER_OK; at++)
		err = check_dir(ck, ck->queue[at]);
	for (uint32_t ino = 1; ino <= ck->fs->sb.inode_count && err == VIPER_OK; ino++) {
		if (vfs_bit(ck->in_use, ino) && !vfs_bit(ck->listed, ino)) {
			vfs_bit_set(ck->listed, ino, true);
			err = check_dir(ck, ino);
		}
	}
	return err;
}

/* Whether inode `ino` is reached from the root: up its namers, with no cycle. */
static bool reached(struct checker *ck, uint32_t ino)
{
	for (uint64_t depth = 0; depth <= ck->fs->sb.inode_count; depth++) {
		if (ino == VFS_ROOT)
			return true;
		if (vfs_bit(ck->reached, ino))
			return true;
		ino = ck->named_by[ino];
		if (ino == 0)
			return false;
	}
	return false;
}

/* Pass 3: orphans, parents and link counts. */
static int32_t pass_links(struct checker *ck)
{
	for (uint32_t ino = 1; ino <= ck->fs->sb.inode_count; ino++) {
		struct vfs_inode in;
		const char *bad;
		int32_t err;

		if (!vfs_bit(ck->in_use, ino))
			continue;
		err = raw_inode(ck, ino, &in, &bad);
		if (err)
			return err;
		if (bad)
			continue;
		if (!reached(ck, ino)) {
			tell(ck, may_repair(ck), "inode %u (%s): no directory reaches it", ino,
			     type_name(type_of(&in)));
			if (ck->repair)
				free_inode(ck, ino, in.generation);
			continue;
		}
		vfs_bit_set(ck->reached, ino, true);
		bool dir = type_of(&in) == VFS_S_IFDIR;
		uint32_t parent = ino == VFS_ROOT ? VFS_ROOT : ck->named_by[ino];
		uint32_t links = dir ? 2 + ck->subdirs[ino] : ck->refs[ino];
		bool fix = false;
		if (dir && in.parent != parent) {
			tell(ck, may_repair(ck),
			     "directory %u: parent %u, but directory %u names it", ino, in.parent,
			     parent);
			in.parent = parent;
			fix = true;
		}
		if (in.links != links) {
			tell(ck, may_repair(ck), "inode %u: link count %u, should be %u", ino,
			     in.links, links);
			in.links = (uint16_t)links;
			fix = true;
		}
		if (dir)
			ck->r->directories++;
		else if (type_of(&in) == VFS_S_IFLNK)
			ck->r->symlinks++;
		else
			ck->r->files++;
		if (fix && may_repair(ck))
			vfs_inode_put(ck->fs, ino, &in);
	}
	return VIPER_OK;
}

/* Pass 4: the bitmaps say what the passes counted. */
static void pass_bitmaps(struct checker *ck)
{
	struct vfs *fs = ck->fs;
	uint64_t wrong = 0, wrong_inodes = 0;

	for (uint64_t b = 0; b < fs->sb.block_count; b++) {
		bool want = b < fs->sb.data_start || vfs_bit(ck->used, b);
		ck->r->used_blocks += want;
		if (vfs_bit(fs->bmap, b) != want) {
			wrong++;
			if (ck->repair) {
				vfs_bit_set(fs->bmap, b, want);
				fs->bmap_dirty[b / (VFS_BLOCK * 8)] = 1;
			}
		}
	}
	for (uint64_t i = 0; i <= fs->sb.inode_count; i++) {
		bool want = i == 0 || vfs_bit(ck->in_use, i);
		if (vfs_bit(fs->imap, i) != want) {
			wrong_inodes++;
			if (ck->repair) {
				vfs_bit_set(fs->imap, i, want);
				fs->imap_dirty[i / (VFS_BLOCK * 8)] = 1;
			}
		}
	}
	if (wrong)
		tell(ck, ck->repair, "block bitmap: %llu blocks marked wrongly",
		     (unsigned long long)wrong);
	if (wrong_inodes)
		tell(ck, ck->repair, "inode bitmap: %llu inodes marked wrongly",
		     (unsigned long long)wrong_inodes);
	vfs_bitmaps_count(fs);
}

static int32_t check_root(struct checker *ck, char *why, uint32_t why_size)
{
	struct vfs_inode root;
	const char *bad;
	int32_t err = raw_inode(ck, VFS_ROOT, &root, &bad);

	if (err)
		return err;
	if (!bad && (type_of(&root) != VFS_S_IFDIR || root.parent != VFS_ROOT))
		bad = "not a directory of its own";
	if (bad) {
		vc_snprintf(why, why_size, "root directory: %s", bad);
		return VIPER_E_CORRUPT;
	}
	return VIPER_OK;
}

/* One round of passes 1-3 over fresh counts. */
static int32_t check_round(struct checker *ck, const struct vfs_check_result *before)
{
	const struct vfs_super *s = &ck->fs->sb;
	int32_t err;

	vc_memset(ck->used, 0, (size_t)((s->block_count + 7) / 8));
	vc_memset(ck->in_use, 0, (size_t)((s->inode_count + 8) / 8));
	vc_memset(ck->reached, 0, (size_t)((s->inode_count + 8) / 8));
	vc_memset(ck->listed, 0, (size_t)((s->inode_count + 8) / 8));
	vc_memset(ck->refs, 0, (size_t)(s->inode_count + 1) * sizeof(uint32_t));
	vc_memset(ck->subdirs, 0, (size_t)(s->inode_count + 1) * sizeof(uint32_t));
	vc_memset(ck->named_by, 0, (size_t)(s->inode_count + 1) * sizeof(uint32_t));
	*ck->r = *before;
	ck->changed = false;
	err = pass_inodes(ck);
	if (err == VIPER_OK)
		err = pass_dirs(ck);
	if (err == VIPER_OK)
		err = pass_links(ck);
	return err;
}

static void release(struct checker *ck)
{
	vc_free(ck->used);
	vc_free(ck->in_use);
	vc_free(ck->reached);
	vc_free(ck->refs);
	vc_free(ck->subdirs);
	vc_free(ck->named_by);
	vc_free(ck->queue);
	vc_free(ck->listed);
}

static int32_t allocate(struct checker *ck)
{
	const struct vfs_super *s = &ck->fs->sb;
	size_t inodes = (size_t)s->inode_count + 1;

	ck->used = vc_alloc((size_t)((s->block_count + 7) / 8));
	ck->in_use = vc_alloc((inodes + 7) / 8);
	ck->reached = vc_alloc((inodes + 7) / 8);
	ck->refs = vc_alloc(inodes * sizeof(uint32_t));
	ck->subdirs = vc_alloc(inodes * sizeof(uint32_t));
	ck->named_by = vc_alloc(inodes * sizeof(uint32_t));
	ck->queue = vc_alloc(inodes * sizeof(uint32_t));
	ck->listed = vc_alloc((inodes + 7) / 8);
	return ck->used && ck->in_use && ck->reached && ck->refs && ck->subdirs && ck->named_by &&
			       ck->queue && ck->listed
		       ? VIPER_OK
		       : VIPER_E_NOMEM;
}

int32_t vfs_check(const struct vfs_disk *disk, bool repair,
		  void (*say)(void *ctx, const char *line), void *ctx,
		  struct vfs_check_result *result, char *why, uint32_t why_size)
{
	/* Enough buffers for its repairs' transactions; fewer for a small disk. */
	struct vfs_options opt = {.read_only = !repair, .buffers = disk->blocks < 4096 ? 64 : 256};
	struct vfs_mount_report report;
	struct checker ck = {.repair = repair, .say = say, .ctx = ctx, .r = result};
	struct vfs_check_result found = {0};
	int32_t err;

	*result = (struct vfs_check_result){0};
	err = vfs_open(disk, &opt, false, &ck.fs, &report, why, why_size);
	if (err)
		return err;
	found.replayed = report.replayed;
	err = allocate(&ck);
	if (err == VIPER_OK)
		err = check_root(&ck, why, why_size);
	for (int n = 0; err == VIPER_OK && n < ROUNDS; n++) {
		err = check_round(&ck, &found);
		found.problems = result->problems;
		found.repaired = result->repaired;
		if (err || !ck.changed)
			break;
		err = vfs_commit(ck.fs); /* the next round sees the repairs */
		found.files = found.directories = found.symlinks = 0;
	}
	if (err == VIPER_OK) {
		pass_bitmaps(&ck);
		err = repair ? vfs_commit(ck.fs) : VIPER_OK;
	}
	release(&ck);
	vfs_unmount(ck.fs);
	return err;
}
