/*
 * The viperfs component: interface files (interfaces/files.proto) over the
 * ViperFS library, on the provider of interface block bound to its slot
 * `disk` (a block cache in front of a driver, usually), with timestamps
 * from the clock in its slot `clock`. The volume is mounted at the first
 * call, so the component does not depend on the order in which its
 * providers start; a volume that does not mount answers every call with
 * VIPER_E_CORRUPT, and StatFs says why.
 */
#include <viper/block_request.h>
#include <viper/component.h>

#include <viperfs/viperfs.h>

#include "block.viper.h"
#include "files.viper.h"
#include "rtc.viper.h"
#include "viperfs_slots.h"

#define STAGING_BLOCKS 32u		    /* 4 KiB blocks the staging memory holds */
#define IO_MAX	       (1u << 20)	    /* bytes a Read or Write moves */
#define RUN_BLOCKS     (IO_MAX / VFS_BLOCK) /* blocks the library moves in one call at most */
#define COMMIT_NS      5000000000ll /* changes older than this are committed at the next call */

struct viperfs {
	struct viper_slot *disk, *clock;
	uint32_t buffers; /* param */
	struct vfs *fs;
	int32_t mount_error; /* VIPER_OK before the first try */
	char why[96];
	bool tried;
	bool said_missing;	/* the log has heard that the disk does not answer */
	viper_handle_t staging; /* lent to the disk: STAGING_BLOCKS */
	uint8_t *staging_bytes;
	uint32_t disk_blocks;		/* 4 KiB blocks the disk moves in one call */
	uint64_t epoch;			/* the disk's Info at mount */
	bool lost;			/* the disk started again since: mount again */
	struct viper_lease_view *lease; /* the running Read's or Write's, mapped */
	uint64_t epoch_ns, epoch_mono;	/* the RTC's time at mount, and the monotonic clock's */
	uint64_t last_commit;		/* monotonic */
};

/*
 * After a change: commits when the last commit is COMMIT_NS old, so
 * nothing waits long in memory for a Sync that may never come. A failed
 * commit is the change's error only when the change itself worked.
 */
static int32_t changed(struct viperfs *v, int32_t err)
{
	uint64_t now = vc_now_ns();

	if (v->fs == NULL || now - v->last_commit < (uint64_t)COMMIT_NS)
		return err;
	v->last_commit = now;
	int32_t committed = vfs_sync(v->fs);
	return err ? err : committed;
}

/*
 * The disk, for the library. File data that lies in the lease of the
 * running Read or Write is lent on to the disk as it is (never copied
 * here); everything else moves through the staging memory.
 */

/* Where `buf` (`bytes` long) lies in the running call's lease, with `prot`; false if not. */
static bool in_lease(const struct viperfs *v, const void *buf, uint64_t bytes, uint32_t prot,
		     uint64_t *offset)
{
	const struct viper_lease_view *l = v->lease;
	uintptr_t p = (uintptr_t)buf, base;

	if (l == NULL || !l->mapped || (l->prot & prot) != prot)
		return false;
	base = (uintptr_t)l->data;
	if (p < base || p - base > l->length || bytes > l->length - (p - base))
		return false;
	*offset = l->offset + (p - base);
	return true;
}

/* Moves 4 KiB blocks [block, block + count) between the disk and `lent`, in calls it takes. */
static int32_t disk_move(struct viperfs *v, bool write, uint64_t block, uint32_t count,
			 const struct block_lent *lent)
{
	int32_t err = block_move_lent(v->disk, write, block * VFS_SECTORS, count * VFS_SECTORS,
				      v->disk_blocks * VFS_SECTORS, lent);

	if (err == VIPER_E_PEERCLOSED)
		v->lost = true; /* it died in the call: it starts again, empty */
	return err;
}

/* Moves file data or metadata at `bytes` to (`write`) or from the disk: lent on, or staged. */
static int32_t disk_data(struct viperfs *v, bool write, uint64_t block, uint32_t count,
			 uint8_t *bytes)
{
	uint32_t need = write ? VIPER_PROT_READ : VIPER_PROT_WRITE;
	uint64_t offset;
	int32_t err = VIPER_OK;

	if (in_lease(v, bytes, (uint64_t)count * VFS_BLOCK, need, &offset))
		return disk_move(v, write, block, count,
				 &(struct block_lent){v->lease->memory, offset});
	for (uint32_t done = 0; err == VIPER_OK && done < count; done += STAGING_BLOCKS) {
		uint32_t n = count - done < STAGING_BLOCKS ? count - done : STAGING_BLOCKS;
		uint8_t *at = bytes + (size_t)done * VFS_BLOCK;
		if (write)
			vc_memcpy(v->staging_bytes, at, (size_t)n * VFS_BLOCK);
		err = disk_move(v, write, block + done, n, &(struct block_lent){v->staging, 0});
		if (err == VIPER_OK && !write)
			vc_memcpy(at, v->staging_bytes, (size_t)n * VFS_BLOCK);
	}
	return err;
}

static int32_t disk_read(void *ctx, uint64_t block, uint32_t count, void *buf)
{
	return disk_data(ctx, false, block, count, buf);
}

static int32_t disk_write(void *ctx, uint64_t block, uint32_t count, const void *buf)
{
	/* Only read from when writing. */
	return disk_data(ctx, true, block, count, (uint8_t *)(uintptr_t)buf);
}

/*
 * Flushes, then asks the disk whether it started again since the mount (its
 * epoch): then writes it answered before may never reach the platter (a
 * restarted cache's), so the flush fails and the next call mounts again,
 * replaying the journal as after a power cut. Every move of the journal's
 * start comes after a flush, so none passes a transaction whose blocks
 * were lost.
 */
static int32_t disk_flush(void *ctx)
{
	struct viperfs *v = ctx;
	viper_block_FlushRequest req = {};
	viper_block_FlushReply rep;
	viper_block_InfoRequest ireq = {};
	viper_block_InfoReply info;
	int32_t err = block_flush(v->disk, &req, &rep);

	if (err == VIPER_E_PEERCLOSED)
		v->lost = true;
	if (err == VIPER_OK)
		err = block_info(v->disk, &ireq, &info);
	if (err == VIPER_OK && info.epoch != v->epoch) {
		if (!v->lost)
			vc_log("viperfs: the disk started again and may have lost writes it held; "
			       "mounting again");
		v->lost = true;
		err = VIPER_E_IO;
	}
	return err;
}

static uint64_t wall_clock(void *ctx)
{
	struct viperfs *v = ctx;

	return v->epoch_ns + (vc_now_ns() - v->epoch_mono);
}

/* Mounts the volume at the first call; VIPER_OK, or why it is not there. */
static int32_t mounted(struct viperfs *v)
{
	viper_block_InfoRequest ireq = {};
	viper_block_InfoReply info;
	viper_rtc_NowRequest nreq = {};
	viper_rtc_NowReply now;
	struct vfs_mount_report report;
	void *p;
	uint64_t size;
	int32_t err;

	if (v->fs && v->lost) {
		vfs_abandon(v->fs); /* its memory is not the disk's any more */
		v->fs = NULL;
		v->tried = false;
	}
	v->lost = false;
	if (v->fs || v->tried)
		return v->fs ? VIPER_OK : v->mount_error;
	v->tried = true;
	err = block_info(v->disk, &ireq, &info);
	if (err == VIPER_OK && (info.block_bytes != 512 || info.max_blocks < VFS_SECTORS))
		err = VIPER_E_UNSUPPORTED;
	v->disk_blocks = err == VIPER_OK ? info.max_blocks / VFS_SECTORS : 0;
	v->epoch = err == VIPER_OK ? info.epoch : 0;
	if (err == VIPER_OK && v->staging_bytes == NULL) { /* made once, kept across tries */
		err = vc_memory_create(STAGING_BLOCKS * VFS_BLOCK, &v->staging);
		if (err == VIPER_OK)
			err = vc_memory_map(v->staging, &p, &size);
		if (err == VIPER_OK)
			v->staging_bytes = p;
	}
	if (err == VIPER_OK && rtc_now(v->clock, &nreq, &now) == VIPER_OK)
		v->epoch_ns = now.unix_seconds * 1000000000ull;
	v->epoch_mono = v->last_commit = vc_now_ns();
	if (err == VIPER_OK) {
		struct vfs_disk disk = {
			disk_read, disk_write, disk_flush, v, info.block_count / VFS_SECTORS,
			RUN_BLOCKS};
		struct vfs_options opt = {info.read_only, v->buffers, wall_clock, v};
		err = vfs_mount(&disk, &opt, &v->fs, &report, v->why, sizeof(v->why));
	}
	if (err == VIPER_E_CORRUPT) {
		vc_log("viperfs: the volume does not mount: %s", v->why);
		v->mount_error = VIPER_E_CORRUPT; /* for good: the disk holds no volume we trust */
		return v->mount_error;
	}
	if (err) {
		/* The disk did not answer (no disk, or its driver restarting): try again next call.
		 */
		vc_snprintf(
			v->why, sizeof(v->why),
			"the disk did not answer (%d): is a disk attached, is its driver running?",
			err);
		if (!v->said_missing)
			vc_log("viperfs: no volume yet: %s", v->why);
		v->said_missing = true;
		v->tried = false;
		return VIPER_E_IO;
	}
	vc_log("viperfs: mounted, %llu journal transactions replayed",
	       (unsigned long long)report.replayed);
	return VIPER_OK;
}

/* Inode `ino` of `generation` (0 with any generation: the root); VIPER_E_BADHANDLE when stale. */
static int32_t node(struct viperfs *v, uint32_t ino, uint32_t generation, struct vfs_stat *st)
{
	int32_t err = mounted(v);

	if (err)
		return err;
	if (ino == 0)
		return vfs_stat(v->fs, VFS_ROOT, st);
	if (ino > 0xffffffu)
		return VIPER_E_BADHANDLE;
	err = vfs_stat(v->fs, ino, st);
	if (err == VIPER_E_NOTFOUND || (err == VIPER_OK && st->generation != generation))
		return VIPER_E_BADHANDLE;
	return err;
}

static viper_files_Kind kind_of(uint16_t mode)
{
	switch (mode & VFS_S_IFMT) {
	case VFS_S_IFDIR:
		return viper_files_Kind_DIRECTORY;
	case VFS_S_IFLNK:
		return viper_files_Kind_SYMLINK;
	default:
		return viper_files_Kind_FILE;
	}
}

static void fill_node(const struct vfs_stat *st, viper_files_Node *out)
{
	out->inode = st->inode;
	out->generation = st->generation;
	out->kind = kind_of(st->mode);
	out->mode = st->mode;
	out->links = st->links;
	out->size = st->size;
	out->blocks = st->blocks;
	out->mtime_ns = st->mtime_ns;
	out->ctime_ns = st->ctime_ns;
	out->crtime_ns = st->crtime_ns;
}

/* The answer for a new or found inode `ino`. */
static int32_t answer_node(struct viperfs *v, uint32_t ino, viper_files_Node *out)
{
	struct vfs_stat st;
	int32_t err = vfs_stat(v->fs, ino, &st);

	if (err == VIPER_OK)
		fill_node(&st, out);
	return err;
}

static int32_t serve_walk(void *self, struct viper_rpc_context *ctx,
			  const viper_files_WalkRequest *req, viper_files_Node *rep)
{
	struct viperfs *v = self;
	struct vfs_stat dir;
	uint32_t ino;
	int32_t err = node(v, req->dir, req->dir_generation, &dir);

	(void)ctx;
	if (err == VIPER_OK)
		err = vfs_walk(v->fs, dir.inode, req->path, &ino);
	return err ? err : answer_node(v, ino, rep);
}

static int32_t serve_stat(void *self, struct viper_rpc_context *ctx,
			  const viper_files_StatRequest *req, viper_files_Node *rep)
{
	struct vfs_stat st;
	int32_t err = node(self, req->inode, req->generation, &st);

	(void)ctx;
	if (err == VIPER_OK)
		fill_node(&st, rep);
	return err;
}

static int32_t serve_create(void *self, struct viper_rpc_context *ctx,
			    const viper_files_CreateRequest *req, viper_files_Node *rep)
{
	struct viperfs *v = self;
	struct vfs_stat dir;
	uint32_t ino;
	uint16_t perm = (uint16_t)(req->permissions & 07777);
	int32_t err = node(v, req->dir, req->dir_generation, &dir);

	(void)ctx;
	if (err == VIPER_OK && req->permissions > 07777)
		err = VIPER_E_INVAL;
	if (err == VIPER_OK && req->kind == viper_files_Kind_FILE)
		err = vfs_create(v->fs, dir.inode, req->name, perm, &ino);
	else if (err == VIPER_OK && req->kind == viper_files_Kind_DIRECTORY)
		err = vfs_mkdir(v->fs, dir.inode, req->name, perm, &ino);
	else if (err == VIPER_OK)
		err = VIPER_E_INVAL;
	err = changed(v, err);
	return err ? err : answer_node(v, ino, rep);
}

static int32_t serve_symlink(void *self, struct viper_rpc_context *ctx,
			     const viper_files_SymlinkRequest *req, viper_files_Node *rep)
{
	struct viperfs *v = self;
	struct vfs_stat dir;
	uint32_t ino;
	int32_t err = node(v, req->dir, req->dir_generation, &dir);

	(void)ctx;
	if (err == VIPER_OK)
		err = changed(v, vfs_symlink(v->fs, dir.inode, req->name, req->target, &ino));
	return err ? err : answer_node(v, ino, rep);
}

static int32_t serve_readlink(void *self, struct viper_rpc_context *ctx,
			      const viper_files_StatRequest *req, viper_files_ReadLinkReply *rep)
{
	struct viperfs *v = self;
	struct vfs_stat st;
	uint32_t len;
	int32_t err = node(v, req->inode, req->generation, &st);

	(void)ctx;
	return err ? err : vfs_readlink(v->fs, st.inode, rep->target, sizeof(rep->target), &len);
}

static int32_t serve_remove(void *self, struct viper_rpc_context *ctx,
			    const viper_files_RemoveRequest *req, viper_files_RemoveReply *rep)
{
	struct viperfs *v = self;
	struct vfs_stat dir;
	int32_t err = node(v, req->dir, req->dir_generation, &dir);

	(void)ctx;
	(void)rep;
	if (err)
		return err;
	return changed(v, req->directory ? vfs_rmdir(v->fs, dir.inode, req->name)
					 : vfs_unlink(v->fs, dir.inode, req->name));
}

static int32_t serve_rename(void *self, struct viper_rpc_context *ctx,
			    const viper_files_RenameRequest *req, viper_files_RenameReply *rep)
{
	struct viperfs *v = self;
	struct vfs_stat from, to;
	int32_t err = node(v, req->from_dir, req->from_generation, &from);

	(void)ctx;
	(void)rep;
	if (err == VIPER_OK)
		err = node(v, req->to_dir, req->to_generation, &to);
	return err ? err
		   : changed(v,
			     vfs_rename(v->fs, from.inode, req->from_name, to.inode, req->to_name));
}

static int32_t serve_readdir(void *self, struct viper_rpc_context *ctx,
			     const viper_files_ReadDirRequest *req, viper_files_ReadDirReply *rep)
{
	struct viperfs *v = self;
	struct vfs_stat dir;
	struct vfs_dirent d;
	uint64_t cookie = req->cookie;
	int32_t err = node(v, req->dir, req->dir_generation, &dir);

	(void)ctx;
	if (err == VIPER_OK)
		err = vfs_readdir(v->fs, dir.inode, &cookie, &d);
	if (err)
		return err;
	vc_memcpy(rep->name, d.name, d.name_len);
	rep->name[d.name_len] = 0;
	rep->inode = d.inode;
	rep->kind = d.type == VFS_DT_DIR    ? viper_files_Kind_DIRECTORY
		    : d.type == VFS_DT_LINK ? viper_files_Kind_SYMLINK
					    : viper_files_Kind_FILE;
	rep->next = cookie;
	return VIPER_OK;
}

/* The node and the mapped lease of a Read or Write. */
static int32_t lent(struct viperfs *v, struct viper_rpc_context *ctx, uint32_t ino,
		    uint32_t generation, struct vfs_stat *st, uint8_t **data)
{
	int32_t err = node(v, ino, generation, st);

	if (err)
		return err;
	if (ctx->lease_count != 1 || ctx->leases[0].length > IO_MAX)
		return VIPER_E_INVAL;
	*data = NULL;
	return ctx->leases[0].length ? vc_lease_map(&ctx->leases[0], data) : VIPER_OK;
}

static int32_t serve_read(void *self, struct viper_rpc_context *ctx,
			  const viper_files_ReadRequest *req, viper_files_ReadReply *rep)
{
	struct viperfs *v = self;
	struct vfs_stat st;
	uint8_t *data;
	int32_t err = lent(v, ctx, req->inode, req->generation, &st, &data);

	if (err)
		return err;
	v->lease = &ctx->leases[0]; /* for disk_read: lent on */
	err = vfs_read(v->fs, st.inode, req->offset, data, (uint32_t)ctx->leases[0].length,
		       &rep->done);
	v->lease = NULL;
	return err;
}

static int32_t serve_write(void *self, struct viper_rpc_context *ctx,
			   const viper_files_WriteRequest *req, viper_files_WriteReply *rep)
{
	struct viperfs *v = self;
	struct vfs_stat st;
	uint8_t *data;
	int32_t err = lent(v, ctx, req->inode, req->generation, &st, &data);

	(void)rep;
	if (err)
		return err;
	v->lease = &ctx->leases[0]; /* for disk_write: lent on */
	err = vfs_write(v->fs, st.inode, req->offset, data, (uint32_t)ctx->leases[0].length);
	v->lease = NULL;
	return err;
}

static int32_t serve_truncate(void *self, struct viper_rpc_context *ctx,
			      const viper_files_TruncateRequest *req,
			      viper_files_TruncateReply *rep)
{
	struct viperfs *v = self;
	struct vfs_stat st;
	int32_t err = node(v, req->inode, req->generation, &st);

	(void)ctx;
	(void)rep;
	return err ? err : changed(v, vfs_truncate(v->fs, st.inode, req->size));
}

static int32_t serve_sync(void *self, struct viper_rpc_context *ctx,
			  const viper_files_SyncRequest *req, viper_files_SyncReply *rep)
{
	struct viperfs *v = self;
	int32_t err = mounted(v);

	(void)ctx;
	(void)req;
	(void)rep;
	return err ? err : vfs_sync(v->fs);
}

static int32_t serve_statfs(void *self, struct viper_rpc_context *ctx,
			    const viper_files_StatFsRequest *req, viper_files_StatFsReply *rep)
{
	struct viperfs *v = self;
	struct vfs_statfs st;

	(void)ctx;
	(void)req;
	if (mounted(v) != VIPER_OK) {
		rep->read_only = true;
		vc_snprintf(rep->error, sizeof(rep->error), "%s", v->why);
		return VIPER_OK;
	}
	vfs_statfs(v->fs, &st);
	vc_memcpy(rep->label, st.label, sizeof(rep->label));
	rep->block_count = st.block_count;
	rep->free_blocks = st.free_blocks;
	rep->inode_count = st.inode_count;
	rep->free_inodes = st.free_inodes;
	rep->journal_blocks = st.journal_blocks;
	rep->journal_sequence = st.journal_sequence;
	rep->journal_used = st.journal_used;
	rep->read_only = st.read_only;
	vc_snprintf(rep->error, sizeof(rep->error), "%s", vfs_error(v->fs));
	return VIPER_OK;
}

const struct files_server viperfs_server = {
	.walk = serve_walk,
	.stat = serve_stat,
	.create = serve_create,
	.symlink = serve_symlink,
	.read_link = serve_readlink,
	.remove = serve_remove,
	.rename = serve_rename,
	.read_dir = serve_readdir,
	.read = serve_read,
	.write = serve_write,
	.truncate = serve_truncate,
	.sync = serve_sync,
	.stat_fs = serve_statfs,
};

static int32_t viperfs_init(void *state, const struct viper_instance_env *env)
{
	struct viperfs *v = state;

	if (env->slot_count != VIPERFS_SLOT_COUNT || env->param_count != VIPERFS_PARAM_COUNT)
		return VIPER_E_INVAL;
	v->disk = env->slots[VIPERFS_SLOT_DISK];
	v->clock = env->slots[VIPERFS_SLOT_CLOCK];
	v->buffers = (uint32_t)env->params[VIPERFS_PARAM_BUFFERS];
	return VIPER_OK;
}

VIPER_COMPONENT(viperfs) = {
	.name = "viperfs",
	.state_size = sizeof(struct viperfs),
	.slot_count = VIPERFS_SLOT_COUNT,
	.init = viperfs_init,
	.provides = {{.interface = &files_interface, .ops = &viperfs_server}},
	.provide_count = 1,
};
