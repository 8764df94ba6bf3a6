/*
 * fs_restart_check: a filesystem process killed in the middle of a write
 * loop (//tests/components:fs_restart). It writes files of 8 KiB into
 * "loop/", syncing every fourth, and after the twelfth kills the process
 * named "fs" through the system capability. Its supervisor restarts it; the
 * new instance mounts the volume again, replaying its journal. The loop
 * goes on, retrying calls that fail while the filesystem is away, and then
 * checks that every file synced before the kill is there with its bytes,
 * that the volume reports no damage, and that new files can be made and
 * synced. Prints "fs_restart_check: N passed, M failed".
 */
#include <viper/component.h>

#include "files.viper.h"
#include "fs_restart_check_slots.h"

#define FILES	  24u
#define KILL_AT	  12u
#define FILE_SIZE 8192u
#define RETRY_NS  50000000ll /* between attempts while the filesystem is away */
#define RETRIES	  200u	     /* 10 s */

struct fs_restart_check {
	struct viper_slot *fs;
	viper_handle_t system;
	unsigned passed, failed;
	viper_handle_t io;
	uint8_t *bytes;
	viper_files_Node dir;
	unsigned synced; /* files before the last Sync that answered */
	unsigned retried;
};

static void check(struct fs_restart_check *c, bool ok, const char *what)
{
	if (ok) {
		c->passed++;
	} else {
		c->failed++;
		vc_log("fs_restart_check: FAIL %s", what);
	}
}

/* Whether `err` means the filesystem is away for now (killed, or restarting). */
static bool away(int32_t err)
{
	return err == VIPER_E_PEERCLOSED || err == VIPER_E_CLOSED || err == VIPER_E_TIMEOUT;
}

static void fill(struct fs_restart_check *c, unsigned n)
{
	for (uint32_t i = 0; i < FILE_SIZE; i++)
		c->bytes[i] = (uint8_t)(n * 31 + i);
}

static bool filled(const struct fs_restart_check *c, unsigned n)
{
	for (uint32_t i = 0; i < FILE_SIZE; i++)
		if (c->bytes[i] != (uint8_t)(n * 31 + i))
			return false;
	return true;
}

static int32_t walk(struct fs_restart_check *c, const char *path, viper_files_Node *out)
{
	viper_files_WalkRequest req = {0, 0, ""};

	vc_snprintf(req.path, sizeof(req.path), "%s", path);
	return files_walk(c->fs, &req, out);
}

/* Makes and writes file n of the loop; VIPER_OK, or the first error. */
static int32_t write_file(struct fs_restart_check *c, unsigned n)
{
	viper_files_CreateRequest req = {c->dir.inode, c->dir.generation, "", viper_files_Kind_FILE,
					 0644};
	viper_files_Node f;
	int32_t err;

	vc_snprintf(req.name, sizeof(req.name), "f%u", n);
	err = files_create(c->fs, &req, &f);
	if (err == VIPER_E_EXISTS) { /* made before the kill, not yet written */
		char path[32];
		vc_snprintf(path, sizeof(path), "loop/f%u", n);
		err = walk(c, path, &f);
	}
	if (err)
		return err;
	fill(c, n);
	viper_files_WriteRequest w = {f.inode, f.generation, 0, c->io, 0, FILE_SIZE};
	viper_files_WriteReply wrep;
	err = files_write(c->fs, &w, &wrep);
	if (err == VIPER_OK && n % 4 == 3) {
		viper_files_SyncRequest s = {};
		viper_files_SyncReply srep;
		err = files_sync(c->fs, &s, &srep);
		if (err == VIPER_OK)
			c->synced = n + 1;
	}
	return err;
}

/* Kills the process called "fs"; VIPER_OK once it is done. */
static int32_t kill_fs(struct fs_restart_check *c)
{
	static struct viper_process_entry procs[64];
	uint32_t total;
	int32_t err = vc_system_processes(c->system, procs, 64, &total);

	if (err)
		return err;
	for (uint32_t i = 0; i < total && i < 64; i++) {
		if (vc_strcmp(procs[i].name, "fs") == 0 &&
		    procs[i].state == VIPER_PROCESS_RUNNING) {
			vc_log("fs_restart_check: killing fs (koid %llu) after %u files, %u synced",
			       (unsigned long long)procs[i].koid, KILL_AT, c->synced);
			return vc_system_kill(c->system, procs[i].koid);
		}
	}
	return VIPER_E_NOTFOUND;
}

static void write_loop(struct fs_restart_check *c)
{
	bool all = true;

	for (unsigned n = 0; n < FILES; n++) {
		int32_t err = write_file(c, n);
		for (unsigned r = 0; away(err) && r < RETRIES; r++, c->retried++) {
			vc_sleep(RETRY_NS);
			err = walk(c, "loop", &c->dir); /* the restarted one answers again */
			if (err == VIPER_OK)
				err = write_file(c, n);
		}
		all &= err == VIPER_OK;
		if (n + 1 == KILL_AT)
			check(c, kill_fs(c) == VIPER_OK, "the fs process is killed");
	}
	/* A call made while the process is away waits for the restarted one, or fails and is
	 * retried. */
	check(c, all, "every write of the loop, across the restart");
}

static void check_after(struct fs_restart_check *c)
{
	bool intact = true;

	for (unsigned n = 0; n < FILES; n++) {
		char path[32];
		viper_files_Node f;
		viper_files_ReadRequest r = {0, 0, 0, c->io, 0, FILE_SIZE};
		viper_files_ReadReply rep;
		vc_snprintf(path, sizeof(path), "loop/f%u", n);
		vc_memset(c->bytes, 0, FILE_SIZE);
		int32_t err = walk(c, path, &f);
		r.inode = f.inode;
		r.generation = f.generation;
		if (err == VIPER_OK)
			err = files_read(c->fs, &r, &rep);
		intact &= err == VIPER_OK && rep.done == FILE_SIZE && filled(c, n);
	}
	check(c, intact, "every file, synced before the kill or written after it, reads back");
	viper_files_StatFsRequest sreq = {};
	viper_files_StatFsReply srep;
	check(c,
	      files_stat_fs(c->fs, &sreq, &srep) == VIPER_OK && !srep.read_only &&
		      srep.error[0] == 0,
	      "the volume reports no damage");
	viper_files_SyncRequest s = {};
	viper_files_SyncReply sr;
	check(c, files_sync(c->fs, &s, &sr) == VIPER_OK, "Sync after the restart");
}

static int32_t fs_restart_check_init(void *state, const struct viper_instance_env *env)
{
	struct fs_restart_check *c = state;

	if (env->slot_count != FS_RESTART_CHECK_SLOT_COUNT || env->system == VIPER_HANDLE_INVALID)
		return VIPER_E_INVAL;
	c->fs = env->slots[FS_RESTART_CHECK_SLOT_FILES];
	c->system = env->system;
	return VIPER_OK;
}

static int32_t fs_restart_check_run(void *state)
{
	struct fs_restart_check *c = state;
	viper_files_CreateRequest mk = {0, 0, "loop", viper_files_Kind_DIRECTORY, 0755};
	void *p;
	uint64_t size;
	int32_t err = vc_memory_create(FILE_SIZE, &c->io);

	if (err == VIPER_OK)
		err = vc_memory_map(c->io, &p, &size);
	if (err == VIPER_OK) {
		c->bytes = p;
		err = files_create(c->fs, &mk, &c->dir);
	}
	check(c, err == VIPER_OK, "the loop's directory");
	if (err == VIPER_OK) {
		write_loop(c);
		check_after(c);
	}
	vc_log("fs_restart_check: %u retries while the filesystem was away", c->retried);
	vc_log("fs_restart_check: %u passed, %u failed", c->passed, c->failed);
	return c->failed == 0 ? VIPER_OK : VIPER_E_CORRUPT;
}

VIPER_COMPONENT(fs_restart_check) = {
	.name = "fs_restart_check",
	.state_size = sizeof(struct fs_restart_check),
	.slot_count = FS_RESTART_CHECK_SLOT_COUNT,
	.init = fs_restart_check_init,
	.run = fs_restart_check_run,
};
