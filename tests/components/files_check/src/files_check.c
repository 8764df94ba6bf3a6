/*
 * files_check: drives the filesystem in its slot (interface files, viperfs
 * over a block cache over virtio_blk in //system/qemu_virt:files_*) and
 * checks its answers: a file the image was made with, files and
 * directories made, written by lease, read back, listed, renamed across
 * directories and over a file, removed; symlinks; truncation; a stale
 * inode refused; every error a user meets; Sync and StatFs. It keeps a
 * boot counter in the volume: each boot reads the last one's, checks what
 * that boot left, and writes its own, so a second boot on the same disk
 * shows that synced files survive. Prints "files_check: boot N" and
 * "files_check: N passed, M failed".
 */
#include <viper/component.h>

#include "files.viper.h"
#include "files_check_slots.h"

#define IO_BYTES (300u * 1024u) /* crosses the direct blocks into the single indirect */

struct files_check {
	struct viper_slot *fs;
	unsigned passed, failed;
	viper_handle_t io;
	uint8_t *bytes;
};

static void check(struct files_check *c, bool ok, const char *what)
{
	if (ok) {
		c->passed++;
	} else {
		c->failed++;
		vc_log("files_check: FAIL %s", what);
	}
}

static int32_t walk(struct files_check *c, const char *path, viper_files_Node *out)
{
	viper_files_WalkRequest req = {0, 0, ""};

	vc_snprintf(req.path, sizeof(req.path), "%s", path);
	return files_walk(c->fs, &req, out);
}

static int32_t make(struct files_check *c, const viper_files_Node *dir, const char *name,
		    viper_files_Kind kind, viper_files_Node *out)
{
	viper_files_CreateRequest req = {dir->inode, dir->generation, "", kind, 0644};

	vc_snprintf(req.name, sizeof(req.name), "%s", name);
	return files_create(c->fs, &req, out);
}

static int32_t write_at(struct files_check *c, const viper_files_Node *f, uint64_t offset,
			uint32_t len)
{
	viper_files_WriteRequest req = {f->inode, f->generation, offset, c->io, 0, len};
	viper_files_WriteReply rep;

	return files_write(c->fs, &req, &rep);
}

static int32_t read_at(struct files_check *c, const viper_files_Node *f, uint64_t offset,
		       uint32_t len, uint32_t *done)
{
	viper_files_ReadRequest req = {f->inode, f->generation, offset, c->io, 0, len};
	viper_files_ReadReply rep;
	int32_t err = files_read(c->fs, &req, &rep);

	*done = rep.done;
	return err;
}

static int32_t remove_name(struct files_check *c, const viper_files_Node *dir, const char *name,
			   bool directory)
{
	viper_files_RemoveRequest req = {dir->inode, dir->generation, "", directory};
	viper_files_RemoveReply rep;

	vc_snprintf(req.name, sizeof(req.name), "%s", name);
	return files_remove(c->fs, &req, &rep);
}

static void fill(struct files_check *c, uint32_t len, uint8_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		c->bytes[i] = (uint8_t)(seed + i * 7 + i / 4096);
}

static bool filled(const struct files_check *c, uint32_t len, uint8_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		if (c->bytes[i] != (uint8_t)(seed + i * 7 + i / 4096))
			return false;
	return true;
}

/* The file mkfs put in the image. */
static void check_image_file(struct files_check *c)
{
	static const char want[] = "Hello from the disk image.\n";
	viper_files_Node f;
	uint32_t done = 0;
	bool ok = walk(c, "SYS/hello.txt", &f) == VIPER_OK && f.kind == viper_files_Kind_FILE &&
		  f.size == sizeof(want) - 1 && read_at(c, &f, 0, 4096, &done) == VIPER_OK &&
		  done == sizeof(want) - 1 && vc_memcmp(c->bytes, want, done) == 0;

	check(c, ok, "the image's SYS/hello.txt reads as mkfs wrote it");
}

/* Files and directories: made, written, read back, listed, renamed, removed. */
static void check_files(struct files_check *c)
{
	viper_files_Node root, work, other, f, again, g;
	uint32_t done = 0;

	check(c, walk(c, "", &root) == VIPER_OK && root.kind == viper_files_Kind_DIRECTORY,
	      "the root");
	remove_name(c, &root, "work", true); /* what a failed earlier boot left */
	check(c,
	      make(c, &root, "work", viper_files_Kind_DIRECTORY, &work) == VIPER_OK &&
		      make(c, &work, "other", viper_files_Kind_DIRECTORY, &other) == VIPER_OK &&
		      make(c, &work, "data", viper_files_Kind_FILE, &f) == VIPER_OK,
	      "Create of directories and a file");
	fill(c, IO_BYTES, 3);
	check(c, write_at(c, &f, 0, IO_BYTES) == VIPER_OK, "Write of 300 KiB by lease");
	vc_memset(c->bytes, 0, IO_BYTES);
	check(c,
	      read_at(c, &f, 0, IO_BYTES, &done) == VIPER_OK && done == IO_BYTES &&
		      filled(c, IO_BYTES, 3),
	      "Read gives it back");
	check(c, read_at(c, &f, IO_BYTES - 100, 4096, &done) == VIPER_OK && done == 100,
	      "a Read past the end is short");
	check(c,
	      walk(c, "work/data", &again) == VIPER_OK && again.size == IO_BYTES &&
		      again.inode == f.inode,
	      "Walk finds it with its size");
	viper_files_ReadDirRequest rd = {work.inode, work.generation, 0};
	viper_files_ReadDirReply entry;
	unsigned entries = 0;
	while (files_read_dir(c->fs, &rd, &entry) == VIPER_OK && entries < 10) {
		entries++;
		rd.cookie = entry.next;
	}
	check(c, entries == 2, "ReadDir lists the directory's two entries");
	check(c, make(c, &other, "g", viper_files_Kind_FILE, &g) == VIPER_OK, "a second file");
	viper_files_RenameRequest mv = {work.inode,  work.generation,  "data",
					other.inode, other.generation, "g"};
	viper_files_RenameReply mvrep;
	check(c,
	      files_rename(c->fs, &mv, &mvrep) == VIPER_OK &&
		      walk(c, "work/other/g", &again) == VIPER_OK && again.inode == f.inode &&
		      walk(c, "work/data", &again) == VIPER_E_NOTFOUND,
	      "Rename across directories over a file");
	viper_files_StatRequest st = {g.inode, g.generation};
	check(c, files_stat(c->fs, &st, &again) == VIPER_E_BADHANDLE,
	      "the replaced file's inode is stale");
	viper_files_TruncateRequest tr = {f.inode, f.generation, 5000};
	viper_files_TruncateReply trrep;
	check(c,
	      files_truncate(c->fs, &tr, &trrep) == VIPER_OK &&
		      walk(c, "work/other/g", &again) == VIPER_OK && again.size == 5000,
	      "Truncate");
	check(c, remove_name(c, &root, "work", true) == VIPER_E_NOTEMPTY,
	      "a directory with entries is not removed");
	check(c,
	      remove_name(c, &other, "g", false) == VIPER_OK &&
		      remove_name(c, &work, "other", true) == VIPER_OK &&
		      remove_name(c, &root, "work", true) == VIPER_OK,
	      "Remove of a file and of emptied directories");
}

static void check_links_and_errors(struct files_check *c)
{
	viper_files_Node root, f, l;
	viper_files_SymlinkRequest sl = {0, 0, "shortcut", "SYS/hello.txt"};
	viper_files_ReadLinkReply target;

	walk(c, "", &root);
	remove_name(c, &root, "shortcut", false);
	check(c, files_symlink(c->fs, &sl, &l) == VIPER_OK && l.kind == viper_files_Kind_SYMLINK,
	      "Symlink");
	viper_files_StatRequest lr = {l.inode, l.generation};
	check(c,
	      files_read_link(c->fs, &lr, &target) == VIPER_OK &&
		      vc_strcmp(target.target, "SYS/hello.txt") == 0,
	      "ReadLink");
	check(c, walk(c, "shortcut", &f) == VIPER_OK && f.kind == viper_files_Kind_FILE,
	      "Walk follows it");
	check(c, remove_name(c, &root, "shortcut", false) == VIPER_OK, "and Remove of it");
	check(c, make(c, &root, "SYS", viper_files_Kind_DIRECTORY, &f) == VIPER_E_EXISTS,
	      "a name taken is VIPER_E_EXISTS");
	check(c, walk(c, "nothing/here", &f) == VIPER_E_NOTFOUND, "VIPER_E_NOTFOUND");
	check(c, walk(c, "SYS/hello.txt/x", &f) == VIPER_E_NOTDIR, "VIPER_E_NOTDIR");
	check(c, remove_name(c, &root, "SYS", false) == VIPER_E_ISDIR, "VIPER_E_ISDIR");
	char long_path[120] = "SYS/";
	vc_memset(long_path + 4, 'n', sizeof(long_path) - 5); /* a component of 115 bytes */
	long_path[sizeof(long_path) - 1] = 0;
	viper_files_Node made;
	check(c, walk(c, long_path, &made) == VIPER_E_NAMETOOLONG, "VIPER_E_NAMETOOLONG");
	check(c, make(c, &root, "a/b", viper_files_Kind_FILE, &made) == VIPER_E_INVAL,
	      "a name with a slash is VIPER_E_INVAL");
	viper_files_Node forged = {.inode = 5000000, .generation = 1};
	uint32_t done;
	check(c, read_at(c, &forged, 0, 16, &done) == VIPER_E_BADHANDLE, "a forged inode");
	forged.inode = root.inode;
	forged.generation = root.generation + 1;
	check(c, read_at(c, &forged, 0, 16, &done) == VIPER_E_BADHANDLE, "a forged generation");
	viper_files_ReadRequest past = {root.inode, root.generation, 0, c->io, IO_BYTES, 4096};
	viper_files_ReadReply rep;
	check(c, files_read(c->fs, &past, &rep) == VIPER_E_RANGE, "a lease past its memory");
}

/* The boot counter: what the last boot left, and this boot's. */
static void check_boots(struct files_check *c)
{
	viper_files_Node root, f;
	uint32_t boot = 1, done = 0;

	walk(c, "", &root);
	if (walk(c, "boots", &f) == VIPER_OK) {
		bool ok = read_at(c, &f, 0, 16, &done) == VIPER_OK && done == 4;
		check(c, ok, "the last boot's counter survived");
		if (ok)
			boot = 1 + (c->bytes[0] | (uint32_t)c->bytes[1] << 8);
	} else {
		check(c, make(c, &root, "boots", viper_files_Kind_FILE, &f) == VIPER_OK,
		      "the boot counter is made");
	}
	c->bytes[0] = (uint8_t)boot;
	c->bytes[1] = (uint8_t)(boot >> 8);
	c->bytes[2] = c->bytes[3] = 0xbb;
	viper_files_SyncRequest sreq = {};
	viper_files_SyncReply srep;
	check(c, write_at(c, &f, 0, 4) == VIPER_OK && files_sync(c->fs, &sreq, &srep) == VIPER_OK,
	      "the counter is written and synced");
	vc_log("files_check: boot %u", boot);
}

static void check_statfs(struct files_check *c)
{
	viper_files_StatFsRequest req = {};
	viper_files_StatFsReply rep;
	bool ok = files_stat_fs(c->fs, &req, &rep) == VIPER_OK;

	check(c,
	      ok && !rep.read_only && rep.error[0] == 0 && rep.free_blocks > 0 &&
		      rep.free_blocks < rep.block_count && vc_strcmp(rep.label, "Test") == 0,
	      "StatFs");
	vc_log("files_check: volume %s, %llu of %llu blocks free, journal %llu blocks, next "
	       "transaction %llu",
	       rep.label, (unsigned long long)rep.free_blocks, (unsigned long long)rep.block_count,
	       (unsigned long long)rep.journal_blocks, (unsigned long long)rep.journal_sequence);
}

static int32_t files_check_init(void *state, const struct viper_instance_env *env)
{
	struct files_check *c = state;

	if (env->slot_count != FILES_CHECK_SLOT_COUNT)
		return VIPER_E_INVAL;
	c->fs = env->slots[FILES_CHECK_SLOT_FILES];
	return VIPER_OK;
}

static int32_t files_check_run(void *state)
{
	struct files_check *c = state;
	void *p;
	uint64_t size;
	int32_t err = vc_memory_create(IO_BYTES, &c->io);

	if (err == VIPER_OK)
		err = vc_memory_map(c->io, &p, &size);
	check(c, err == VIPER_OK, "the lent memory");
	if (err == VIPER_OK) {
		c->bytes = p;
		check_boots(c);
		check_image_file(c);
		check_files(c);
		check_links_and_errors(c);
		check_statfs(c);
	}
	vc_log("files_check: %u passed, %u failed", c->passed, c->failed);
	return c->failed == 0 ? VIPER_OK : VIPER_E_CORRUPT;
}

VIPER_COMPONENT(files_check) = {
	.name = "files_check",
	.state_size = sizeof(struct files_check),
	.slot_count = FILES_CHECK_SLOT_COUNT,
	.init = files_check_init,
	.run = files_check_run,
};
