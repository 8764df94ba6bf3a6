/* Mounting, unmounting and the volume's own state: see include/viperfs/viperfs.h. */
#include "volume.h"

int32_t vfs_fail(struct vfs *fs, const char *what, uint64_t where, const char *why)
{
	if (!fs->error[0])
		vc_snprintf(fs->error, sizeof(fs->error), "%s %llu: %s", what,
			    (unsigned long long)where, why);
	fs->read_only = true;
	return VIPER_E_CORRUPT;
}

const char *vfs_error(const struct vfs *fs)
{
	return fs->error;
}

static void release(struct vfs *fs)
{
	vfs_buffers_free(fs);
	vfs_bitmaps_free(fs);
	vc_free(fs->jbuf);
	vc_free(fs->scratch);
	vc_free(fs);
}

/* Reads and checks the superblock: VIPER_OK, or VIPER_E_CORRUPT with `why`. */
static int32_t read_super(struct vfs *fs, char *why, uint32_t why_size)
{
	const char *bad;
	int32_t err = fs->disk.read(fs->disk.ctx, 0, 1, fs->scratch);

	if (err)
		return err;
	bad = vfs_super_decode(fs->scratch, &fs->sb);
	if (!bad && fs->sb.block_count > fs->disk.blocks)
		bad = "the volume is larger than its disk";
	if (bad) {
		vc_snprintf(why, why_size, "superblock: %s", bad);
		return VIPER_E_CORRUPT;
	}
	return VIPER_OK;
}

/* The root must be a directory that is its own parent. */
static int32_t check_root(struct vfs *fs, char *why, uint32_t why_size)
{
	struct vfs_inode root;
	int32_t err = vfs_inode_get(fs, VFS_ROOT, &root);

	if (err == VIPER_OK && ((root.mode & VFS_S_IFMT) != VFS_S_IFDIR || root.parent != VFS_ROOT))
		err = vfs_fail(fs, "inode", VFS_ROOT, "the root is not a directory of its own");
	if (err == VIPER_E_CORRUPT)
		vc_snprintf(why, why_size, "%s", fs->error);
	return err;
}

/*
 * How big a transaction may get: every buffer dirty and every bitmap block
 * changed, at most what a descriptor names and what the journal holds;
 * fs->jbuf holds that, its descriptor and its commit. A transaction that
 * would be bigger makes the volume read-only (vfs_commit), never an overrun.
 */
static int32_t size_transactions(struct vfs *fs, uint32_t buffers)
{
	uint64_t cap = buffers + fs->sb.block_bitmap_blocks + fs->sb.inode_bitmap_blocks;

	if (cap > VFS_JOURNAL_MAX_BLOCKS)
		cap = VFS_JOURNAL_MAX_BLOCKS;
	if (cap > fs->sb.journal_blocks - 3)
		cap = fs->sb.journal_blocks - 3;
	fs->txn_capacity = (uint32_t)cap;
	fs->txn_limit = buffers / 2 < fs->txn_capacity ? buffers / 2 : fs->txn_capacity;
	fs->jbuf = vc_alloc((size_t)(fs->txn_capacity + 2) * VFS_BLOCK);
	return fs->jbuf ? VIPER_OK : VIPER_E_NOMEM;
}

int32_t vfs_open(const struct vfs_disk *disk, const struct vfs_options *opt, bool strict,
		 struct vfs **out, struct vfs_mount_report *report, char *why, uint32_t why_size)
{
	struct vfs *fs = vc_alloc(sizeof(*fs));
	uint32_t buffers = opt->buffers ? opt->buffers : 128;
	int32_t err;

	vc_snprintf(why, why_size, "%s", "");
	*report = (struct vfs_mount_report){0};
	if (!fs)
		return VIPER_E_NOMEM;
	vc_memset(fs, 0, sizeof(*fs));
	fs->disk = *disk;
	fs->read_only = opt->read_only;
	fs->now_ns = opt->now_ns;
	fs->clock = opt->clock;
	fs->scratch = vc_alloc(VFS_BLOCK);
	err = fs->scratch ? vfs_buffers_init(fs, buffers) : VIPER_E_NOMEM;
	if (err == VIPER_OK && (buffers < 2 * VFS_OP_BLOCKS + 8 || disk->max_blocks == 0))
		err = VIPER_E_INVAL;
	if (err == VIPER_OK)
		err = read_super(fs, why, why_size);
	if (err == VIPER_OK)
		err = size_transactions(fs, buffers);
	if (err == VIPER_OK)
		err = vfs_journal_replay(fs, report, why, why_size);
	if (err == VIPER_OK)
		err = vfs_bitmaps_load(fs);
	if (err == VIPER_OK && strict)
		err = vfs_bitmaps_check(fs);
	if (err == VIPER_E_CORRUPT && !why[0])
		vc_snprintf(why, why_size, "%s", fs->error);
	if (err == VIPER_OK && strict)
		err = check_root(fs, why, why_size);
	if (err) {
		release(fs);
		return err;
	}
	*out = fs;
	return VIPER_OK;
}

int32_t vfs_mount(const struct vfs_disk *disk, const struct vfs_options *opt, struct vfs **out,
		  struct vfs_mount_report *report, char *why, uint32_t why_size)
{
	return vfs_open(disk, opt, true, out, report, why, why_size);
}

int32_t vfs_unmount(struct vfs *fs)
{
	int32_t err = vfs_commit(fs);

	if (err == VIPER_OK)
		err = vfs_journal_close(fs);

	release(fs);
	return err;
}

void vfs_abandon(struct vfs *fs)
{
	release(fs);
}

int32_t vfs_statfs(struct vfs *fs, struct vfs_statfs *out)
{
	vc_memset(out, 0, sizeof(*out));
	vc_memcpy(out->label, fs->sb.label, sizeof(out->label));
	vc_memcpy(out->uuid, fs->sb.uuid, sizeof(out->uuid));
	out->block_count = fs->sb.block_count;
	out->free_blocks = fs->free_blocks;
	out->inode_count = fs->sb.inode_count;
	out->free_inodes = fs->free_inodes;
	out->journal_blocks = fs->sb.journal_blocks;
	out->journal_sequence = fs->jseq;
	out->journal_used = fs->jpos - 1;
	out->read_only = fs->read_only;
	return VIPER_OK;
}
