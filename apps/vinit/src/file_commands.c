/*
 * The shell's file commands (Amiga style): Dir, List, Type, Copy, Delete,
 * MakeDir, Rename, CD, Cwd, Assign, Info and Sync, through the filesystem
 * (slot files) and the assigns (slot assigns). Every path goes through
 * paths.c; an error names the path and the reason. Data moves by lease
 * through the shell's own memory (SHELL_IO_BYTES).
 */
#include "file_commands.h"

#include <vinit/command_line.h>

#include "assigns.viper.h"
#include "paths.h"

#define TREE_DEPTH 12u /* directories Copy ALL and Delete ALL go down at most */

static struct viper_slot *files(struct shell *sh)
{
	return sh->slots[VINIT_SLOT_FILES];
}

/* The memory file data moves through, made at its first use. */
static int32_t io_memory(struct shell *sh)
{
	void *p;
	uint64_t size;
	int32_t err;

	if (sh->io_bytes)
		return VIPER_OK;
	err = vc_memory_create(SHELL_IO_BYTES, &sh->io);
	if (err)
		return err;
	err = vc_memory_map(sh->io, &p, &size);
	if (err) {
		vc_handle_close(sh->io);
		return err;
	}
	sh->io_bytes = p;
	return VIPER_OK;
}

/* Reports what failed on `path`: ERROR for a user's mistake, FAIL when the service failed. */
static int file_failed(struct shell *sh, const struct shell_command *cmd, const char *path,
		       int32_t err)
{
	int rc = err == VIPER_E_PEERCLOSED || err == VIPER_E_IO || err == VIPER_E_CORRUPT ||
				 err == VIPER_E_NOMEM || err == VIPER_E_LIMIT
			 ? SHELL_FAIL
			 : SHELL_ERROR;

	size_t len = vc_strlen(path);

	/* "C: not found", not "C:: not found": an assign's own colon ends the path. */
	return shell_fail(sh, rc, len && path[len - 1] == ':' ? "%s: %s %s" : "%s: %s: %s",
			  cmd->name, path, shell_path_error(err));
}

static bool is_dir(const viper_files_Node *n)
{
	return n->kind == viper_files_Kind_DIRECTORY;
}

/* Calls `each` for every entry of `dir`; stops at its first error. */
static int32_t for_each_entry(struct shell *sh, const viper_files_Node *dir,
			      int32_t (*each)(struct shell *sh, const viper_files_ReadDirReply *e,
					      void *ctx),
			      void *ctx)
{
	viper_files_ReadDirRequest req = {dir->inode, dir->generation, 0};
	viper_files_ReadDirReply e;
	int32_t err;

	while ((err = files_read_dir(files(sh), &req, &e)) == VIPER_OK) {
		err = each(sh, &e, ctx);
		if (err)
			return err;
		req.cookie = e.next;
	}
	return err == VIPER_E_NOTFOUND ? VIPER_OK : err;
}

static int32_t dir_line(struct shell *sh, const viper_files_ReadDirReply *e, void *ctx)
{
	(void)ctx;
	if (e->kind == viper_files_Kind_DIRECTORY)
		shell_printf(sh, "     %s (dir)\n", e->name);
	else
		shell_printf(sh, "  %s\n", e->name);
	return VIPER_OK;
}

/* The directory a Dir or List shows: its argument, or the current directory. */
static int listed_dir(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv,
		      viper_files_Node *dir)
{
	const char *path = argc > 1 ? argv[1] : "";
	int32_t err;

	if (argc > 2)
		return shell_usage(sh, cmd);
	err = shell_path_node(sh, path, dir);
	if (err)
		return file_failed(sh, cmd, argc > 1 ? path : "the current directory", err);
	if (!is_dir(dir))
		return file_failed(sh, cmd, path, VIPER_E_NOTDIR);
	return SHELL_OK;
}

int cmd_dir(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv)
{
	viper_files_Node dir;
	int rc = listed_dir(sh, cmd, argc, argv, &dir);
	int32_t err;

	if (rc != SHELL_OK)
		return rc;
	err = for_each_entry(sh, &dir, dir_line, NULL);
	return err ? file_failed(sh, cmd, argc > 1 ? argv[1] : "the current directory", err)
		   : SHELL_OK;
}

/* Year, month and day of a day count since 1970 (the civil calendar). */
static void civil(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* "02-Dec-26 10:30:00", the Amiga's way, in UTC. */
static void format_time(uint64_t ns, char *out, size_t size)
{
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	uint64_t s = ns / 1000000000ull;
	int64_t y;
	unsigned m, d;

	civil((int64_t)(s / 86400), &y, &m, &d);
	vc_snprintf(out, size, "%02u-%s-%02u %02u:%02u:%02u", d, months[m - 1], (unsigned)(y % 100),
		    (unsigned)(s / 3600 % 24), (unsigned)(s / 60 % 60), (unsigned)(s % 60));
}

/* "rwed" from the owner's permissions, '-' for each one missing. */
static void protection(uint32_t mode, char out[5])
{
	out[0] = mode & 0400 ? 'r' : '-';
	out[1] = mode & 0200 ? 'w' : '-';
	out[2] = mode & 0100 ? 'e' : '-';
	out[3] = mode & 0200 ? 'd' : '-';
	out[4] = 0;
}

struct list_totals {
	const viper_files_Node *dir;
	uint64_t files, dirs, bytes;
};

static int32_t list_line(struct shell *sh, const viper_files_ReadDirReply *e, void *ctx)
{
	struct list_totals *t = ctx;
	viper_files_WalkRequest req = {t->dir->inode, t->dir->generation, ""};
	viper_files_Node n;
	char when[24], prot[5], size[24];
	int32_t err;

	vc_snprintf(req.path, sizeof(req.path), "%s", e->name);
	err = files_walk(files(sh), &req, &n); /* follows links: List shows what they name */
	if (err) {
		shell_printf(sh, "%-30s %s\n", e->name, shell_path_error(err));
		return VIPER_OK;
	}
	format_time(n.mtime_ns, when, sizeof(when));
	protection(n.mode, prot);
	if (is_dir(&n)) {
		vc_snprintf(size, sizeof(size), "%s", "Dir");
		t->dirs++;
	} else {
		vc_snprintf(size, sizeof(size), "%llu", (unsigned long long)n.size);
		t->files++;
		t->bytes += n.size;
	}
	shell_printf(sh, "%-30s %10s %s %s%s\n", e->name, size, prot, when,
		     e->kind == viper_files_Kind_SYMLINK ? " (link)" : "");
	return VIPER_OK;
}

int cmd_list(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv)
{
	viper_files_Node dir;
	struct list_totals t = {&dir, 0, 0, 0};
	int rc = listed_dir(sh, cmd, argc, argv, &dir);
	int32_t err;

	if (rc != SHELL_OK)
		return rc;
	err = for_each_entry(sh, &dir, list_line, &t);
	if (err)
		return file_failed(sh, cmd, argc > 1 ? argv[1] : "the current directory", err);
	shell_printf(sh, "%llu file%s - %llu director%s - %llu bytes\n",
		     (unsigned long long)t.files, t.files == 1 ? "" : "s",
		     (unsigned long long)t.dirs, t.dirs == 1 ? "y" : "ies",
		     (unsigned long long)t.bytes);
	return SHELL_OK;
}

/* Reads up to SHELL_IO_BYTES of `f` at `offset` into the shell's memory. */
static int32_t read_chunk(struct shell *sh, const viper_files_Node *f, uint64_t offset,
			  uint32_t *done)
{
	viper_files_ReadRequest req = {f->inode, f->generation, offset, sh->io, 0, SHELL_IO_BYTES};
	viper_files_ReadReply rep;
	int32_t err = files_read(files(sh), &req, &rep);

	*done = rep.done;
	return err;
}

int cmd_type(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv)
{
	viper_files_Node f;
	uint32_t done = 0;
	int32_t err;

	if (argc != 2)
		return shell_usage(sh, cmd);
	err = shell_path_node(sh, argv[1], &f);
	if (err == VIPER_OK && is_dir(&f))
		err = VIPER_E_ISDIR;
	if (err == VIPER_OK)
		err = io_memory(sh);
	for (uint64_t at = 0; err == VIPER_OK && at < f.size; at += done) {
		err = read_chunk(sh, &f, at, &done);
		if (err == VIPER_OK && done == 0)
			break; /* it shrank meanwhile */
		if (err == VIPER_OK)
			shell_write(sh, (const char *)sh->io_bytes, done);
	}
	if (err)
		return file_failed(sh, cmd, argv[1], err);
	return SHELL_OK;
}

static int32_t make_node(struct shell *sh, const viper_files_Node *dir, const char *name,
			 viper_files_Kind kind, viper_files_Node *out)
{
	viper_files_CreateRequest req = {dir->inode, dir->generation, "", kind,
					 kind == viper_files_Kind_DIRECTORY ? 0755u : 0644u};

	vc_snprintf(req.name, sizeof(req.name), "%s", name);
	return files_create(files(sh), &req, out);
}

int cmd_makedir(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv)
{
	if (argc < 2)
		return shell_usage(sh, cmd);
	for (size_t i = 1; i < argc; i++) {
		viper_files_Node dir, made;
		char name[108];
		int32_t err = shell_path_parent(sh, argv[i], &dir, name);
		if (err == VIPER_OK)
			err = make_node(sh, &dir, name, viper_files_Kind_DIRECTORY, &made);
		if (err)
			return file_failed(sh, cmd, argv[i], err);
	}
	return SHELL_OK;
}

/* Copies file `from` into a new or emptied file `name` of `dir`. */
static int32_t copy_file(struct shell *sh, const viper_files_Node *from,
			 const viper_files_Node *dir, const char *name)
{
	viper_files_Node to;
	uint32_t done = 0;
	int32_t err = make_node(sh, dir, name, viper_files_Kind_FILE, &to);

	if (err == VIPER_E_EXISTS) {
		viper_files_WalkRequest w = {dir->inode, dir->generation, ""};
		viper_files_TruncateRequest t = {0, 0, 0};
		viper_files_TruncateReply trep;
		vc_snprintf(w.path, sizeof(w.path), "%s", name);
		err = files_walk(files(sh), &w, &to);
		if (err == VIPER_OK && is_dir(&to))
			err = VIPER_E_ISDIR;
		t.inode = to.inode;
		t.generation = to.generation;
		if (err == VIPER_OK)
			err = files_truncate(files(sh), &t, &trep);
	}
	for (uint64_t at = 0; err == VIPER_OK; at += done) {
		err = read_chunk(sh, from, at, &done);
		if (err || done == 0)
			break;
		viper_files_WriteRequest w = {to.inode, to.generation, at, sh->io, 0, done};
		viper_files_WriteReply wrep;
		err = files_write(files(sh), &w, &wrep);
	}
	return err;
}

struct tree_copy {
	viper_files_Node from, to; /* directories */
	unsigned depth;
	const char *failed; /* the name that failed */
};

static int32_t copy_tree(struct shell *sh, struct tree_copy *t);

static int32_t copy_entry(struct shell *sh, const viper_files_ReadDirReply *e, void *ctx)
{
	struct tree_copy *t = ctx;
	viper_files_WalkRequest w = {t->from.inode, t->from.generation, ""};
	viper_files_Node n;
	int32_t err;

	vc_snprintf(w.path, sizeof(w.path), "%s", e->name);
	err = files_walk(files(sh), &w, &n);
	if (err == VIPER_OK && is_dir(&n)) {
		struct tree_copy *sub = vc_alloc(sizeof(*sub));
		if (!sub)
			return VIPER_E_NOMEM;
		*sub = (struct tree_copy){.from = n, .depth = t->depth + 1};
		err = make_node(sh, &t->to, e->name, viper_files_Kind_DIRECTORY, &sub->to);
		if (err == VIPER_OK)
			err = copy_tree(sh, sub);
		vc_free(sub);
	} else if (err == VIPER_OK) {
		err = copy_file(sh, &n, &t->to, e->name);
	}
	if (err)
		shell_printf(sh, "  %s: %s\n", e->name, shell_path_error(err));
	return err;
}

static int32_t copy_tree(struct shell *sh, struct tree_copy *t)
{
	if (t->depth >= TREE_DEPTH)
		return VIPER_E_NAMETOOLONG;
	return for_each_entry(sh, &t->from, copy_entry, t);
}

/* Where Copy or Rename puts `from`: into `to` when it is a directory, else as `to`. */
static int32_t destination(struct shell *sh, const char *from, const char *to,
			   viper_files_Node *dir, char *name)
{
	viper_files_Node target;
	char from_path[SHELL_PATH_MAX + 1];
	int32_t err = shell_path_node(sh, to, &target);

	if (err == VIPER_OK && is_dir(&target)) {
		err = shell_path_resolve(sh, from, from_path);
		if (err)
			return err;
		const char *last = from_path;
		for (const char *p = from_path; *p; p++)
			if (*p == '/')
				last = p + 1;
		if (!*last)
			return VIPER_E_INVAL;
		*dir = target;
		vc_snprintf(name, 108, "%s", last);
		return VIPER_OK;
	}
	return shell_path_parent(sh, to, dir, name);
}

int cmd_copy(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv)
{
	bool all = argc == 4 && command_line_equal(argv[3], "ALL");
	viper_files_Node from, dir;
	char name[108];
	int32_t err;

	if (argc != 3 && !all)
		return shell_usage(sh, cmd);
	err = shell_path_node(sh, argv[1], &from);
	if (err)
		return file_failed(sh, cmd, argv[1], err);
	if (is_dir(&from) && !all)
		return shell_fail(sh, SHELL_ERROR,
				  "%s: %s: is a directory (add ALL to copy the tree)", cmd->name,
				  argv[1]);
	err = io_memory(sh);
	if (err == VIPER_OK)
		err = destination(sh, argv[1], argv[2], &dir, name);
	if (err)
		return file_failed(sh, cmd, argv[2], err);
	if (!is_dir(&from)) {
		err = copy_file(sh, &from, &dir, name);
		return err ? file_failed(sh, cmd, argv[2], err) : SHELL_OK;
	}
	struct tree_copy *t = vc_alloc(sizeof(*t));
	if (!t)
		return file_failed(sh, cmd, argv[1], VIPER_E_NOMEM);
	*t = (struct tree_copy){.from = from};
	err = make_node(sh, &dir, name, viper_files_Kind_DIRECTORY, &t->to);
	if (err == VIPER_OK)
		err = copy_tree(sh, t);
	vc_free(t);
	return err ? file_failed(sh, cmd, argv[2], err) : SHELL_OK;
}

static int32_t remove_name(struct shell *sh, const viper_files_Node *dir, const char *name,
			   bool directory)
{
	viper_files_RemoveRequest req = {dir->inode, dir->generation, "", directory};
	viper_files_RemoveReply rep;

	vc_snprintf(req.name, sizeof(req.name), "%s", name);
	return files_remove(files(sh), &req, &rep);
}

struct tree_delete {
	viper_files_Node dir;
	unsigned depth;
};

static int32_t delete_tree(struct shell *sh, struct tree_delete *t);

static int32_t delete_entry(struct shell *sh, const viper_files_ReadDirReply *e, void *ctx)
{
	struct tree_delete *t = ctx;
	int32_t err = VIPER_OK;

	if (e->kind == viper_files_Kind_DIRECTORY) {
		viper_files_WalkRequest w = {t->dir.inode, t->dir.generation, ""};
		struct tree_delete *sub = vc_alloc(sizeof(*sub));
		if (!sub)
			return VIPER_E_NOMEM;
		vc_snprintf(w.path, sizeof(w.path), "%s", e->name);
		sub->depth = t->depth + 1;
		err = files_walk(files(sh), &w, &sub->dir);
		if (err == VIPER_OK)
			err = delete_tree(sh, sub);
		vc_free(sub);
	}
	if (err == VIPER_OK)
		err = remove_name(sh, &t->dir, e->name, e->kind == viper_files_Kind_DIRECTORY);
	return err;
}

/* Empties directory t->dir. Entries go as they are met, so the walk starts again each time. */
static int32_t delete_tree(struct shell *sh, struct tree_delete *t)
{
	if (t->depth >= TREE_DEPTH)
		return VIPER_E_NAMETOOLONG;
	for (;;) {
		viper_files_ReadDirRequest req = {t->dir.inode, t->dir.generation, 0};
		viper_files_ReadDirReply e;
		int32_t err = files_read_dir(files(sh), &req, &e);
		if (err)
			return err == VIPER_E_NOTFOUND ? VIPER_OK : err;
		err = delete_entry(sh, &e, t);
		if (err)
			return err;
	}
}

int cmd_delete(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv)
{
	bool all = argc == 3 && command_line_equal(argv[2], "ALL");
	viper_files_Node n, dir;
	char name[108];
	int32_t err;

	if (argc != 2 && !all)
		return shell_usage(sh, cmd);
	err = shell_path_node(sh, argv[1], &n);
	if (err == VIPER_OK)
		err = shell_path_parent(sh, argv[1], &dir, name);
	if (err == VIPER_OK && is_dir(&n) && all) {
		struct tree_delete *t = vc_alloc(sizeof(*t));
		if (!t)
			return file_failed(sh, cmd, argv[1], VIPER_E_NOMEM);
		*t = (struct tree_delete){.dir = n};
		err = delete_tree(sh, t);
		vc_free(t);
	}
	if (err == VIPER_OK)
		err = remove_name(sh, &dir, name, is_dir(&n));
	if (err == VIPER_E_NOTEMPTY)
		return shell_fail(sh, SHELL_ERROR, "%s: %s: not empty (add ALL to delete the tree)",
				  cmd->name, argv[1]);
	if (err)
		return file_failed(sh, cmd, argv[1], err);
	shell_printf(sh, "%s deleted\n", argv[1]);
	return SHELL_OK;
}

int cmd_rename(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv)
{
	viper_files_Node from_dir, to_dir;
	viper_files_RenameRequest req = {0, 0, "", 0, 0, ""};
	viper_files_RenameReply rep;
	int32_t err;

	if (argc != 3)
		return shell_usage(sh, cmd);
	err = shell_path_parent(sh, argv[1], &from_dir, req.from_name);
	if (err)
		return file_failed(sh, cmd, argv[1], err);
	err = destination(sh, argv[1], argv[2], &to_dir, req.to_name);
	if (err)
		return file_failed(sh, cmd, argv[2], err);
	req.from_dir = from_dir.inode;
	req.from_generation = from_dir.generation;
	req.to_dir = to_dir.inode;
	req.to_generation = to_dir.generation;
	err = files_rename(files(sh), &req, &rep);
	return err ? file_failed(sh, cmd, argv[1], err) : SHELL_OK;
}

int cmd_cd(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv)
{
	char path[SHELL_PATH_MAX + 1], shown[SHELL_PATH_MAX + 8];
	viper_files_Node n;
	int32_t err;

	if (argc > 2)
		return shell_usage(sh, cmd);
	if (argc == 1) {
		shell_path_show(sh->cwd, shown, sizeof(shown));
		shell_printf(sh, "%s\n", shown);
		return SHELL_OK;
	}
	err = shell_path_resolve(sh, argv[1], path);
	if (err == VIPER_OK)
		err = shell_path_node(sh, argv[1], &n);
	if (err == VIPER_OK && !is_dir(&n))
		err = VIPER_E_NOTDIR;
	if (err)
		return file_failed(sh, cmd, argv[1], err);
	vc_memcpy(sh->cwd, path, sizeof(sh->cwd));
	return SHELL_OK;
}

int cmd_cwd(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv)
{
	char shown[SHELL_PATH_MAX + 8];

	(void)argv;
	if (argc != 1)
		return shell_usage(sh, cmd);
	shell_path_show(sh->cwd, shown, sizeof(shown));
	shell_printf(sh, "%s\n", shown);
	return SHELL_OK;
}

static int list_assigns(struct shell *sh, const struct shell_command *cmd)
{
	viper_assigns_ListRequest req = {0};
	viper_assigns_ListReply rep;
	char shown[SHELL_PATH_MAX + 8];
	int32_t err;

	while ((err = assigns_list(sh->slots[VINIT_SLOT_ASSIGNS], &req, &rep)) == VIPER_OK) {
		shell_path_show(rep.target, shown, sizeof(shown));
		shell_printf(sh, "%-10s %s%s\n", rep.name, shown, rep.system ? "" : " (yours)");
		req.index++;
	}
	return err == VIPER_E_NOTFOUND ? SHELL_OK : shell_service_failed(sh, cmd, "assigns", err);
}

int cmd_assign(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv)
{
	size_t len;

	if (argc == 1)
		return list_assigns(sh, cmd);
	len = vc_strlen(argv[1]);
	if (argc > 3 || len < 2 || argv[1][len - 1] != ':' || len - 1 > 15)
		return shell_usage(sh, cmd);
	argv[1][len - 1] = 0;
	if (argc == 2) {
		viper_assigns_RemoveRequest req = {""};
		viper_assigns_RemoveReply rep;
		vc_snprintf(req.name, sizeof(req.name), "%s", argv[1]);
		int32_t err = assigns_remove(sh->slots[VINIT_SLOT_ASSIGNS], &req, &rep);
		if (err == VIPER_E_RIGHTS)
			return shell_fail(sh, SHELL_ERROR, "%s: %s: is the system's own", cmd->name,
					  argv[1]);
		return err ? file_failed(sh, cmd, argv[1], err) : SHELL_OK;
	}
	viper_assigns_SetRequest req = {"", ""};
	viper_assigns_SetReply rep;
	viper_files_Node n;
	int32_t err = shell_path_resolve(sh, argv[2], req.target);
	if (err == VIPER_OK)
		err = shell_path_node(sh, argv[2], &n);
	if (err == VIPER_OK && !is_dir(&n))
		err = VIPER_E_NOTDIR;
	if (err)
		return file_failed(sh, cmd, argv[2], err);
	vc_snprintf(req.name, sizeof(req.name), "%s", argv[1]);
	err = assigns_set(sh->slots[VINIT_SLOT_ASSIGNS], &req, &rep);
	if (err == VIPER_E_RIGHTS)
		return shell_fail(sh, SHELL_ERROR, "%s: %s: is the system's own", cmd->name,
				  argv[1]);
	if (err == VIPER_E_INVAL)
		return shell_fail(sh, SHELL_ERROR, "%s: %s: names are letters, digits and _",
				  cmd->name, argv[1]);
	return err ? shell_service_failed(sh, cmd, "assigns", err) : SHELL_OK;
}

int cmd_info(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv)
{
	viper_files_StatFsRequest req = {};
	viper_files_StatFsReply rep;
	int32_t err;

	(void)argv;
	if (argc != 1)
		return shell_usage(sh, cmd);
	err = files_stat_fs(files(sh), &req, &rep);
	if (err)
		return shell_service_failed(sh, cmd, "files", err);
	if (rep.block_count == 0)
		return shell_fail(sh, SHELL_FAIL, "%s: SYS: did not mount: %s", cmd->name,
				  rep.error);
	uint64_t used = rep.block_count - rep.free_blocks;
	shell_printf(sh, "Volume %s: %llu KiB, %llu KiB used, %llu KiB free (%llu%% full), %s\n",
		     rep.label, (unsigned long long)rep.block_count * 4,
		     (unsigned long long)used * 4, (unsigned long long)rep.free_blocks * 4,
		     (unsigned long long)(used * 100 / rep.block_count),
		     rep.read_only ? "read-only" : "read/write");
	shell_printf(sh,
		     "Inodes: %llu, %llu free; journal: %llu blocks, %llu in use, next "
		     "transaction %llu\n",
		     (unsigned long long)rep.inode_count, (unsigned long long)rep.free_inodes,
		     (unsigned long long)rep.journal_blocks, (unsigned long long)rep.journal_used,
		     (unsigned long long)rep.journal_sequence);
	if (rep.error[0])
		shell_printf(sh, "Damage: %s\n", rep.error);
	return SHELL_OK;
}

int cmd_sync(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv)
{
	viper_files_SyncRequest req = {};
	viper_files_SyncReply rep;
	int32_t err;

	(void)argv;
	if (argc != 1)
		return shell_usage(sh, cmd);
	err = files_sync(files(sh), &req, &rep);
	return err ? file_failed(sh, cmd, "SYS:", err) : SHELL_OK;
}
