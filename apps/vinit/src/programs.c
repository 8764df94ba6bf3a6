/*
 * Programs from the disk: Run, Path, and a command typed by name that is
 * found on the command path. The program's file is read by lease straight
 * into a memory object, started with the shell's spawn capability and the
 * shell's connections to the console, the filesystem and the assigns (it
 * gets those of them it declares), and waited for. Its launch block, a
 * memory object after its slots, holds the current directory, its name and
 * its arguments, NUL-separated (//platform/posix reads it). A program that
 * faults or is stopped ends with a report and a return code; the shell goes
 * on.
 */
#include "programs.h"

#include <vinit/command_line.h>

#include "paths.h"

#define PROGRAM_MAX_BYTES (8u << 20) /* of a program's file */

/* The program `typed` names: itself when it has a ':' or '/', else the first on the path. */
static int32_t find_program(struct shell *sh, const char *typed, viper_files_Node *file,
			    char *shown, size_t shown_size)
{
	bool bare = true;
	int32_t err = VIPER_E_NOTFOUND;

	for (const char *p = typed; *p; p++)
		bare &= *p != ':' && *p != '/';
	if (!bare) {
		vc_snprintf(shown, shown_size, "%s", typed);
		err = shell_path_node(sh, typed, file);
	}
	for (unsigned i = 0; bare && i < sh->path_count && err == VIPER_E_NOTFOUND; i++) {
		char path[2 * SHELL_PATH_MAX + 8];
		vc_snprintf(path, sizeof(path), "/%s/%s", sh->path[i], typed);
		vc_snprintf(shown, shown_size, "SYS:%s%s%s", sh->path[i], sh->path[i][0] ? "/" : "",
			    typed);
		err = shell_path_node(sh, path, file);
	}
	if (err == VIPER_OK && file->kind != viper_files_Kind_FILE)
		err = VIPER_E_ISDIR;
	return err;
}

/* The file's bytes in a new memory object, by lease. */
static int32_t load(struct shell *sh, const viper_files_Node *file, viper_handle_t *image)
{
	viper_files_ReadRequest req = {file->inode, file->generation, 0, 0, 0, 0};
	viper_files_ReadReply rep;
	int32_t err;

	if (file->size == 0 || file->size > PROGRAM_MAX_BYTES)
		return VIPER_E_RANGE;
	err = vc_memory_create(file->size, image);
	for (uint64_t at = 0; err == VIPER_OK && at < file->size; at += rep.done) {
		uint64_t n = file->size - at < (1u << 20) ? file->size - at : (1u << 20);
		req = (viper_files_ReadRequest){file->inode, file->generation, at, *image, at, n};
		err = files_read(sh->slots[VINIT_SLOT_FILES], &req, &rep);
		if (err == VIPER_OK && rep.done != n)
			err = VIPER_E_IO; /* it shrank meanwhile */
	}
	if (err && *image != VIPER_HANDLE_INVALID)
		vc_handle_close(*image);
	return err;
}

/* The launch block: "cwd\0name\0arg\0..."; its length in *len. */
static int32_t launch_block(struct shell *sh, size_t argc, char **argv, viper_handle_t *block,
			    uint64_t *len)
{
	void *p;
	uint64_t size;
	size_t at = 0;
	int32_t err = vc_memory_create(4096, block);

	if (err == VIPER_OK)
		err = vc_memory_map(*block, &p, &size);
	if (err)
		return err;
	char *out = p;
	at += (size_t)vc_snprintf(out, 4096, "%s", sh->cwd) + 1;
	for (size_t i = 0; i < argc && at < 4096; i++)
		at += (size_t)vc_snprintf(out + at, 4096 - at, "%s", argv[i]) + 1;
	*len = at < 4096 ? at : 4096;
	vc_memory_unmap(p, size);
	return VIPER_OK;
}

/* What a program's exit status means to the shell: its return code, and a report. */
static int program_ended(struct shell *sh, const char *shown, int64_t status)
{
	if (status == 0)
		return SHELL_OK;
	if (status == VIPER_EXIT_FAULT)
		return shell_fail(sh, SHELL_FAIL, "%s: killed for a fault; the shell goes on",
				  shown);
	if (status == VIPER_EXIT_KILLED)
		return shell_fail(sh, SHELL_FAIL, "%s: stopped", shown);
	if (status == SHELL_WARN || status == SHELL_ERROR || status == SHELL_FAIL)
		return shell_fail(sh, (int)status, "%s: return code %d", shown, (int)status);
	return shell_fail(sh, SHELL_ERROR, "%s: exit status %lld", shown, (long long)status);
}

static viper_handle_t channel_of(struct shell *sh, unsigned slot)
{
	return sh->slots[slot] ? sh->slots[slot]->channel : VIPER_HANDLE_INVALID;
}

/*
 * Starts the program argv[0] names: *process and *block (its launch block,
 * closed only once it ended) and its name as shown in *shown; or the
 * shell's return code for why not, reported.
 */
static int start_program(struct shell *sh, const char *name, size_t argc, char **argv,
			 viper_handle_t *process, viper_handle_t *block, char *shown)
{
	char why[192];
	viper_files_Node file;
	viper_handle_t image = VIPER_HANDLE_INVALID;
	uint64_t block_len = 0;
	int32_t err = find_program(sh, argv[0], &file, shown, SHELL_PATH_MAX + 16);

	*block = VIPER_HANDLE_INVALID;
	if (err == VIPER_E_NOTFOUND && !name)
		return shell_fail(sh, SHELL_ERROR, "Unknown command \"%s\"", argv[0]);
	if (err == VIPER_E_NOTFOUND)
		return shell_fail(sh, SHELL_ERROR, "%s: %s: not found (the path is %s)", name,
				  argv[0], sh->path_count ? "Path's" : "empty");
	if (err == VIPER_OK)
		err = load(sh, &file, &image);
	if (err == VIPER_OK)
		err = launch_block(sh, argc, argv, block, &block_len);
	if (err) {
		if (image != VIPER_HANDLE_INVALID)
			vc_handle_close(image);
		return shell_fail(sh, SHELL_ERROR, "%s: cannot load it: %s", shown,
				  shell_path_error(err));
	}
	const char *base = argv[0];
	for (const char *p = argv[0]; *p; p++)
		if (*p == ':' || *p == '/')
			base = p + 1;
	struct vc_program_slot offered[] = {
		{"console", "console", channel_of(sh, VINIT_SLOT_CONSOLE)},
		{"files", "files", channel_of(sh, VINIT_SLOT_FILES)},
		{"assigns", "assigns", channel_of(sh, VINIT_SLOT_ASSIGNS)},
		{"net", "net", channel_of(sh, VINIT_SLOT_NET)},
		{"entropy", "entropy", channel_of(sh, VINIT_SLOT_ENTROPY)},
		{"rtc", "rtc", channel_of(sh, VINIT_SLOT_RTC)},
	};
	struct vc_program_launch l = {
		base,	image,	  file.size, offered, sizeof(offered) / sizeof(offered[0]),
		*block, block_len};
	shell_flush(sh); /* the program writes to the console too */
	err = vc_program_start(sh->spawn, &l, process, why, sizeof(why));
	vc_handle_close(image);
	if (err) {
		vc_handle_close(*block);
		return shell_fail(sh, SHELL_ERROR, "%s: cannot start it: %s", shown,
				  why[0] ? why : shell_error_name(err));
	}
	return SHELL_OK;
}

int shell_run_program(struct shell *sh, const char *name, size_t argc, char **argv)
{
	char shown[SHELL_PATH_MAX + 16];
	viper_handle_t process, block;
	int64_t status = 0;
	int rc = start_program(sh, name, argc, argv, &process, &block, shown);

	if (rc != SHELL_OK)
		return rc;
	int32_t err = vc_process_wait(process, &status, VIPER_TIMEOUT_NONE);
	vc_handle_close(process);
	/* Only now: closing it revokes the program's derived copy, which it may read late. */
	vc_handle_close(block);
	if (err)
		return shell_service_failed(sh, shell_command_find("Run"), "process_wait", err);
	return program_ended(sh, shown, status);
}

int cmd_runback(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv)
{
	char shown[SHELL_PATH_MAX + 16];
	unsigned slot = 0;

	if (argc < 2)
		return shell_usage(sh, cmd);
	while (slot < SHELL_BACKGROUND_MAX && sh->background[slot].process != VIPER_HANDLE_INVALID)
		slot++;
	if (slot == SHELL_BACKGROUND_MAX)
		return shell_fail(sh, SHELL_ERROR, "%s: %u programs run in the background already",
				  cmd->name, SHELL_BACKGROUND_MAX);
	int rc = start_program(sh, cmd->name, argc - 1, argv + 1, &sh->background[slot].process,
			       &sh->background[slot].block, shown);
	if (rc != SHELL_OK) {
		sh->background[slot].process = VIPER_HANDLE_INVALID;
		return rc;
	}
	vc_snprintf(sh->background[slot].shown, sizeof(sh->background[slot].shown), "%s", shown);
	shell_printf(sh, "%s: started in the background\n", shown);
	return SHELL_OK;
}

void shell_reap_background(struct shell *sh)
{
	for (unsigned i = 0; i < SHELL_BACKGROUND_MAX; i++) {
		int64_t status = 0;

		if (sh->background[i].process == VIPER_HANDLE_INVALID ||
		    vc_process_wait(sh->background[i].process, &status, 0) != VIPER_OK)
			continue;
		if (status == 0)
			shell_printf(sh, "%s: ended\n", sh->background[i].shown);
		else if (status == VIPER_EXIT_FAULT || status == VIPER_EXIT_KILLED)
			shell_printf(sh, "%s: %s\n", sh->background[i].shown,
				     status == VIPER_EXIT_FAULT ? "killed for a fault" : "stopped");
		else
			shell_printf(sh, "%s: ended with return code %lld\n",
				     sh->background[i].shown, (long long)status);
		vc_handle_close(sh->background[i].process);
		vc_handle_close(sh->background[i].block);
		sh->background[i].process = VIPER_HANDLE_INVALID;
	}
}

int cmd_run(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv)
{
	if (argc < 2)
		return shell_usage(sh, cmd);
	return shell_run_program(sh, cmd->name, argc - 1, argv + 1);
}

int cmd_path(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv)
{
	char shown[SHELL_PATH_MAX + 8], dir[SHELL_PATH_MAX + 1];
	viper_files_Node n;
	int32_t err;

	if (argc == 2 && command_line_equal(argv[1], "RESET")) {
		sh->path_count = 1;
		vc_snprintf(sh->path[0], sizeof(sh->path[0]), "%s", "C");
		return SHELL_OK;
	}
	if (argc == 3 && command_line_equal(argv[1], "ADD")) {
		if (sh->path_count == SHELL_PATH_DIRS)
			return shell_fail(sh, SHELL_ERROR,
					  "%s: the path holds %u directories at most", cmd->name,
					  SHELL_PATH_DIRS);
		err = shell_path_resolve(sh, argv[2], dir);
		if (err == VIPER_OK)
			err = shell_path_node(sh, argv[2], &n);
		if (err == VIPER_OK && n.kind != viper_files_Kind_DIRECTORY)
			err = VIPER_E_NOTDIR;
		if (err)
			return shell_fail(sh, SHELL_ERROR, "%s: %s: %s", cmd->name, argv[2],
					  shell_path_error(err));
		vc_memcpy(sh->path[sh->path_count++], dir, sizeof(dir));
		return SHELL_OK;
	}
	if (argc != 1)
		return shell_usage(sh, cmd);
	for (unsigned i = 0; i < sh->path_count; i++) {
		shell_path_show(sh->path[i], shown, sizeof(shown));
		shell_printf(sh, "%s\n", shown);
	}
	return SHELL_OK;
}
