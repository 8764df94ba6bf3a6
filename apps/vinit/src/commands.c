/*
 * The shell's commands and their table (src/shell.h). Each command checks
 * its arguments first (a usage error changes nothing), then calls the
 * services through the shell's slots; a failing call is reported, never
 * fatal.
 */
#include "shell.h"

#include <kernel/version.h>
#include <vinit/command_line.h>

#include "file_commands.h"
#include "files.viper.h"
#include "kv.viper.h"
#include "log.viper.h"
#include "paths.h"
#include "programs.h"
#include "rtc.viper.h"
#include "sysinfo.viper.h"

#define LOG_DEFAULT_ENTRIES  10u
#define LOG_MAX_ENTRIES	     1000u
#define STATUS_MAX_PROCESSES 256u /* a walk never runs longer than this */
#define VARIABLE_NAME_MAX    (sizeof(((viper_kv_PutRequest *)0)->key) - 1)
#define VARIABLE_VALUE_MAX   sizeof(((viper_kv_PutRequest *)0)->value.bytes)

static const char *plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

/* Parses a decimal number of digits only, without overflow. */
static bool parse_number(const char *s, uint64_t *value)
{
	uint64_t v = 0;

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		uint64_t d = (uint64_t)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*value = v;
	return true;
}

static void write_words(struct shell *sh, size_t argc, char **argv, size_t first)
{
	for (size_t i = first; i < argc; i++) {
		if (i > first)
			shell_write(sh, " ", 1);
		shell_puts(sh, argv[i]);
	}
}

static int cmd_echo(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv)
{
	(void)cmd;
	write_words(sh, argc, argv, 1);
	shell_write(sh, "\n", 1);
	return SHELL_OK;
}

static int cmd_version(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return shell_usage(sh, cmd);
	shell_printf(sh, "%s %s (aarch64), shell vinit\n", VIPEROS_NAME, VIPEROS_VERSION);
	return SHELL_OK;
}

static int32_t summary(struct shell *sh, viper_sysinfo_SummaryReply *rep)
{
	viper_sysinfo_SummaryRequest req;
	vc_memset(&req, 0, sizeof(req));
	return sysinfo_summary(sh->slots[VINIT_SLOT_SYSINFO], &req, rep);
}

static int cmd_uptime(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv)
{
	viper_sysinfo_SummaryReply rep;

	(void)argv;
	if (argc != 1)
		return shell_usage(sh, cmd);
	int32_t r = summary(sh, &rep);
	if (r != VIPER_OK)
		return shell_service_failed(sh, cmd, "sysinfo", r);
	uint64_t s = rep.uptime_ns / 1000000000u;
	uint64_t days = s / 86400;
	shell_printf(sh, "Up %llu day%s, %u h %u m %u s; %u process%s, %u thread%s\n",
		     (unsigned long long)days, plural(days), (unsigned)(s / 3600 % 24),
		     (unsigned)(s / 60 % 60), (unsigned)(s % 60), (unsigned)rep.processes,
		     rep.processes == 1 ? "" : "es", (unsigned)rep.threads, plural(rep.threads));
	return SHELL_OK;
}

static int cmd_avail(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv)
{
	viper_sysinfo_SummaryReply rep;

	(void)argv;
	if (argc != 1)
		return shell_usage(sh, cmd);
	int32_t r = summary(sh, &rep);
	if (r != VIPER_OK)
		return shell_service_failed(sh, cmd, "sysinfo", r);
	uint64_t total = rep.memory_total;
	uint64_t available = rep.memory_free < total ? rep.memory_free : total;
	uint64_t promised = rep.memory_promised < total - available ? rep.memory_promised : 0;
	/* In use: pages handed out; promised pages (demand-zero, not touched) are neither. */
	uint64_t used = total - available - promised;
	shell_puts(sh, "Type        Available       In-Use      Maximum\n");
	shell_printf(sh, "bytes    %12llu %12llu %12llu\n", (unsigned long long)available,
		     (unsigned long long)used, (unsigned long long)total);
	shell_printf(sh, "KiB      %12llu %12llu %12llu\n", (unsigned long long)(available / 1024),
		     (unsigned long long)(used / 1024), (unsigned long long)(total / 1024));
	shell_printf(sh, "promised to memory not touched yet: %llu KiB\n",
		     (unsigned long long)(promised / 1024));
	shell_printf(sh, "in use by programs kept for their next run: %u (%llu KiB)\n",
		     (unsigned)rep.programs_kept,
		     (unsigned long long)(rep.programs_kept_bytes / 1024));
	return SHELL_OK;
}

static int32_t process_at(struct shell *sh, uint32_t index, viper_sysinfo_ProcessReply *rep)
{
	viper_sysinfo_ProcessRequest req;
	vc_memset(&req, 0, sizeof(req));
	req.index = index;
	int32_t r = sysinfo_process(sh->slots[VINIT_SLOT_SYSINFO], &req, rep);
	/* Past what the provider lists at once: the end of the walk. */
	return r == VIPER_E_RANGE ? VIPER_E_NOTFOUND : r;
}

/* This shell's own process id: the koid of its process handle. */
static bool own_process_id(struct shell *sh, uint64_t *id)
{
	uint32_t total = 0;

	if (vc_handle_list(sh->handles, VIPER_HANDLES_MAX, &total) != VIPER_OK)
		return false;
	for (uint32_t i = 0; i < total && i < VIPER_HANDLES_MAX; i++) {
		if (sh->handles[i].kind == VIPER_OBJ_PROCESS) {
			*id = sh->handles[i].koid;
			return true;
		}
	}
	return false;
}

static int cmd_status(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv)
{
	viper_sysinfo_ProcessReply rep;

	(void)argv;
	if (argc != 1)
		return shell_usage(sh, cmd);
	shell_puts(sh, "  Id  Name                  State    Threads  Handles      Memory\n");
	for (uint32_t i = 0; i < STATUS_MAX_PROCESSES; i++) {
		int32_t r = process_at(sh, i, &rep);
		if (r == VIPER_E_NOTFOUND)
			break;
		if (r != VIPER_OK)
			return shell_service_failed(sh, cmd, "sysinfo", r);
		shell_printf(
			sh, "%4llu  %-20s  %-7s  %7u  %7u  %6llu KiB\n", (unsigned long long)rep.id,
			rep.name, rep.exited ? "exited" : "running", (unsigned)rep.threads,
			(unsigned)rep.handles,
			(unsigned long long)((rep.memory_bytes + rep.kernel_bytes + 1023) / 1024));
		if (i + 1 >= rep.total)
			break;
	}
	return SHELL_OK;
}

static const char *kind_name(uint32_t kind)
{
	static const char *const names[] = {
		"?",	  "process", "thread",	 "channel-send", "channel-recv", "memory",
		"device", "irq",     "poll-set", "timer",	 "system",
	};
	if (kind < sizeof(names) / sizeof(names[0]))
		return names[kind];
	return "?";
}

/* One letter per right, in the order of enum viper_right; '-' where absent. */
static void rights_letters(uint32_t rights, char out[10])
{
	static const char letters[] = "RWTDMVIPX";
	for (unsigned i = 0; i < 9; i++)
		out[i] = (rights & (1u << i)) != 0 ? letters[i] : '-';
	out[9] = '\0';
}

static const char *handle_name(const struct shell *sh, viper_handle_t h)
{
	static const char *const slot_names[VINIT_SLOT_COUNT] = {
		[VINIT_SLOT_CONSOLE] = "slot console", [VINIT_SLOT_LOG] = "slot log",
		[VINIT_SLOT_SYSINFO] = "slot sysinfo", [VINIT_SLOT_RTC] = "slot rtc",
		[VINIT_SLOT_ENV] = "slot env",	       [VINIT_SLOT_FILES] = "slot files",
		[VINIT_SLOT_ASSIGNS] = "slot assigns", [VINIT_SLOT_NET] = "slot net",
		[VINIT_SLOT_ENTROPY] = "slot entropy",
	};
	if (h == VIPER_HANDLE_INVALID)
		return "";
	for (unsigned i = 0; i < VINIT_SLOT_COUNT; i++) {
		if (sh->slots[i] != NULL && sh->slots[i]->channel == h)
			return slot_names[i];
	}
	if (h == sh->listen)
		return "console input notifications";
	if (h == sh->system)
		return "system";
	return "";
}

static int cmd_caps(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv)
{
	uint32_t total = 0;
	char rights[10];

	(void)argv;
	if (argc != 1)
		return shell_usage(sh, cmd);
	int32_t r = vc_handle_list(sh->handles, VIPER_HANDLES_MAX, &total);
	if (r != VIPER_OK)
		return shell_fail(sh, SHELL_FAIL, "%s: handle_list failed: %s (%d)", cmd->name,
				  shell_error_name(r), (int)r);
	uint32_t shown = total < VIPER_HANDLES_MAX ? total : VIPER_HANDLES_MAX;
	shell_puts(sh, "Handle      Kind          Rights     Name\n");
	for (uint32_t i = 0; i < shown; i++) {
		const struct viper_handle_entry *e = &sh->handles[i];
		rights_letters(e->rights, rights);
		shell_printf(sh, "0x%08x  %-12s  %s  %s\n", (unsigned)e->handle, kind_name(e->kind),
			     rights, handle_name(sh, e->handle));
	}
	shell_printf(sh,
		     "%u handle%s (rights: Read Write Transfer Derive Map deVice Irq "
		     "Physical eXec)\n",
		     (unsigned)total, plural(total));
	return SHELL_OK;
}

static int32_t rtc_time(struct shell *sh, viper_rtc_NowReply *rep)
{
	viper_rtc_NowRequest req;
	vc_memset(&req, 0, sizeof(req));
	return rtc_now(sh->slots[VINIT_SLOT_RTC], &req, rep);
}

static int cmd_date(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv)
{
	static const char *const days[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
					   "Thursday", "Friday", "Saturday"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	viper_rtc_NowReply rep;

	(void)argv;
	if (argc != 1)
		return shell_usage(sh, cmd);
	int32_t r = rtc_time(sh, &rep);
	if (r != VIPER_OK)
		return shell_service_failed(sh, cmd, "rtc", r);
	if (rep.weekday > 6 || rep.month < 1 || rep.month > 12 || rep.day < 1 || rep.day > 31)
		return shell_fail(sh, SHELL_FAIL, "%s: service rtc gave an impossible date",
				  cmd->name);
	shell_printf(sh, "%s %02u-%s-%04u\n", days[rep.weekday], (unsigned)rep.day,
		     months[rep.month - 1], (unsigned)rep.year);
	return SHELL_OK;
}

static int cmd_time(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv)
{
	viper_rtc_NowReply rep;

	(void)argv;
	if (argc != 1)
		return shell_usage(sh, cmd);
	int32_t r = rtc_time(sh, &rep);
	if (r != VIPER_OK)
		return shell_service_failed(sh, cmd, "rtc", r);
	if (rep.hour > 23 || rep.minute > 59 || rep.second > 60)
		return shell_fail(sh, SHELL_FAIL, "%s: service rtc gave an impossible time",
				  cmd->name);
	shell_printf(sh, "%02u:%02u:%02u UTC\n", (unsigned)rep.hour, (unsigned)rep.minute,
		     (unsigned)rep.second);
	return SHELL_OK;
}

static int cmd_history(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return shell_usage(sh, cmd);
	size_t n = line_editor_history_count(&sh->editor);
	for (size_t i = 0; i < n; i++)
		shell_printf(sh, "%4u  %s\n", (unsigned)line_editor_history_number(&sh->editor, i),
			     line_editor_history_line(&sh->editor, i));
	return SHELL_OK;
}

static int cmd_why(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return shell_usage(sh, cmd);
	if (sh->last_rc == SHELL_OK)
		shell_puts(sh, "The last command did not fail.\n");
	else
		shell_printf(sh, "The last command failed with return code %d: %s\n", sh->last_rc,
			     sh->last_reason);
	return SHELL_OK;
}

static int cmd_help(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv)
{
	size_t count;
	const struct shell_command *table = shell_commands(&count);

	if (argc > 2)
		return shell_usage(sh, cmd);
	if (argc == 2) {
		const struct shell_command *c = shell_command_find(argv[1]);
		if (c == NULL)
			return shell_fail(sh, SHELL_ERROR, "%s: unknown command \"%s\"", cmd->name,
					  argv[1]);
		shell_printf(sh, "Usage: %s\n  %s\n", c->usage, c->summary);
		return SHELL_OK;
	}
	shell_puts(sh, "Commands (upper or lower case alike):\n");
	for (size_t i = 0; i < count; i++)
		shell_printf(sh, "  %-9s %s\n", table[i].name, table[i].summary);
	shell_puts(sh, "Help COMMAND shows its usage. Return codes: 0 ok, 5 warn, 10 error, 20 "
		       "fail.\n");
	return SHELL_OK;
}

static int cmd_cls(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return shell_usage(sh, cmd);
	shell_puts(sh, "\x1b[H\x1b[2J");
	return SHELL_OK;
}

static int cmd_endshell(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv)
{
	viper_files_SyncRequest req = {};
	viper_files_SyncReply rep;
	int32_t err;

	(void)argv;
	if (argc != 1)
		return shell_usage(sh, cmd);
	/* The machine powers off next: what is on SYS: goes to the disk first. */
	err = files_sync(sh->slots[VINIT_SLOT_FILES], &req, &rep);
	if (err)
		shell_printf(sh, "EndShell: SYS: could not be saved: %s\n", shell_path_error(err));
	shell_puts(sh, "EndShell: goodbye.\n");
	sh->ended = true;
	return SHELL_OK;
}

/* The store's key for variable `name`: lower case, so names match in any case. */
static bool variable_key(const char *name, char key[VARIABLE_NAME_MAX + 1])
{
	size_t n = vc_strlen(name);
	if (n < 1 || n > VARIABLE_NAME_MAX)
		return false;
	for (size_t i = 0; i <= n; i++)
		key[i] = name[i] >= 'A' && name[i] <= 'Z' ? (char)(name[i] - 'A' + 'a') : name[i];
	return true;
}

static int cmd_set(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv)
{
	viper_kv_PutRequest req;
	viper_kv_PutReply rep;

	vc_memset(&req, 0, sizeof(req));
	if (argc < 3 || !variable_key(argv[1], req.key))
		return shell_usage(sh, cmd);
	size_t n = 0;
	for (size_t i = 2; i < argc; i++) {
		size_t len = vc_strlen(argv[i]);
		size_t need = len + (i > 2 ? 1 : 0);
		if (n + need > VARIABLE_VALUE_MAX)
			return shell_fail(sh, SHELL_ERROR, "%s: the value is longer than %u bytes",
					  cmd->name, (unsigned)VARIABLE_VALUE_MAX);
		if (i > 2)
			req.value.bytes[n++] = ' ';
		vc_memcpy(req.value.bytes + n, argv[i], len);
		n += len;
	}
	req.value.size = (pb_size_t)n;
	int32_t r = kv_put(sh->slots[VINIT_SLOT_ENV], &req, &rep);
	if (r != VIPER_OK)
		return shell_service_failed(sh, cmd, "env", r);
	return SHELL_OK;
}

static int cmd_get(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv)
{
	viper_kv_GetRequest req;
	viper_kv_GetReply rep;

	vc_memset(&req, 0, sizeof(req));
	if (argc != 2 || !variable_key(argv[1], req.key))
		return shell_usage(sh, cmd);
	int32_t r = kv_get(sh->slots[VINIT_SLOT_ENV], &req, &rep);
	if (r != VIPER_OK)
		return shell_service_failed(sh, cmd, "env", r);
	if (!rep.found)
		return shell_fail(sh, SHELL_WARN, "%s: no variable \"%s\"", cmd->name, argv[1]);
	/* Another client of the store may have put anything there: show bytes as text only. */
	for (pb_size_t i = 0; i < rep.value.size; i++) {
		if (rep.value.bytes[i] < 0x20 || rep.value.bytes[i] > 0x7e)
			rep.value.bytes[i] = '.';
	}
	shell_write(sh, (const char *)rep.value.bytes, rep.value.size);
	shell_write(sh, "\n", 1);
	return SHELL_OK;
}

static int cmd_unset(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv)
{
	viper_kv_DeleteRequest req;
	viper_kv_DeleteReply rep;

	vc_memset(&req, 0, sizeof(req));
	if (argc != 2 || !variable_key(argv[1], req.key))
		return shell_usage(sh, cmd);
	int32_t r = kv_delete(sh->slots[VINIT_SLOT_ENV], &req, &rep);
	if (r != VIPER_OK)
		return shell_service_failed(sh, cmd, "env", r);
	if (!rep.existed)
		return shell_fail(sh, SHELL_WARN, "%s: no variable \"%s\"", cmd->name, argv[1]);
	return SHELL_OK;
}

/*
 * The id of the one running process called `name` (any case). Fails with
 * the command's return code when none or several are, or the walk fails.
 */
static int find_process(struct shell *sh, const struct shell_command *cmd, const char *name,
			uint64_t *id)
{
	viper_sysinfo_ProcessReply rep;
	uint64_t ids[8];
	uint32_t found = 0;

	for (uint32_t i = 0; i < STATUS_MAX_PROCESSES; i++) {
		int32_t r = process_at(sh, i, &rep);
		if (r == VIPER_E_NOTFOUND)
			break;
		if (r != VIPER_OK)
			return shell_service_failed(sh, cmd, "sysinfo", r);
		if (!rep.exited && command_line_equal(rep.name, name)) {
			if (found < sizeof(ids) / sizeof(ids[0]))
				ids[found] = rep.id;
			found++;
		}
		if (i + 1 >= rep.total)
			break;
	}
	if (found == 0)
		return shell_fail(sh, SHELL_ERROR, "%s: no running process is called \"%s\"",
				  cmd->name, name);
	if (found > 1) {
		char list[64];
		size_t n = 0;
		list[0] = '\0';
		for (uint32_t i = 0; i < found && i < sizeof(ids) / sizeof(ids[0]); i++) {
			int w = vc_snprintf(list + n, sizeof(list) - n, "%s%llu", i > 0 ? " " : "",
					    (unsigned long long)ids[i]);
			if (w < 0 || (size_t)w >= sizeof(list) - n)
				break;
			n += (size_t)w;
		}
		return shell_fail(sh, SHELL_ERROR,
				  "%s: %u processes are called \"%s\" (ids %s): give an id",
				  cmd->name, (unsigned)found, name, list);
	}
	*id = ids[0];
	return SHELL_OK;
}

static int cmd_break(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv)
{
	viper_sysinfo_StopRequest req;
	viper_sysinfo_StopReply rep;
	uint64_t id;

	if (argc != 2)
		return shell_usage(sh, cmd);
	if (!parse_number(argv[1], &id)) {
		int rc = find_process(sh, cmd, argv[1], &id);
		if (rc != SHELL_OK)
			return rc;
	}
	uint64_t self;
	if (own_process_id(sh, &self) && id == self)
		return shell_fail(sh, SHELL_ERROR,
				  "%s: process %llu is this shell; EndShell ends it", cmd->name,
				  (unsigned long long)id);
	vc_memset(&req, 0, sizeof(req));
	req.process = id;
	int32_t r = sysinfo_stop(sh->slots[VINIT_SLOT_SYSINFO], &req, &rep);
	if (r == VIPER_E_NOTFOUND)
		return shell_fail(sh, SHELL_ERROR, "%s: no process has id %llu", cmd->name,
				  (unsigned long long)id);
	if (r == VIPER_E_INVAL)
		return shell_fail(sh, SHELL_ERROR,
				  "%s: process %llu may not be stopped (the kernel, the root task "
				  "or the system-information service)",
				  cmd->name, (unsigned long long)id);
	if (r != VIPER_OK)
		return shell_service_failed(sh, cmd, "sysinfo", r);
	shell_printf(sh,
		     "%s: stopped process %llu; its supervisor restarts it if its policy says so\n",
		     cmd->name, (unsigned long long)id);
	return SHELL_OK;
}

static const char *level_name(uint32_t level)
{
	static const char *const names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
	return level < 4 ? names[level] : "?";
}

static int32_t log_entry_from(struct shell *sh, uint64_t seq, viper_log_ReadReply *rep)
{
	viper_log_ReadRequest req;
	vc_memset(&req, 0, sizeof(req));
	req.from_seq = seq;
	return log_read(sh->slots[VINIT_SLOT_LOG], &req, rep);
}

static void print_log_entry(struct shell *sh, const viper_log_ReadReply *e)
{
	uint64_t ms = e->time_ns / 1000000u;
	shell_printf(sh, "%6llu.%03u %-5s %s: %s\n", (unsigned long long)(ms / 1000),
		     (unsigned)(ms % 1000), level_name((uint32_t)e->level), e->source, e->text);
}

static int cmd_log(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv)
{
	viper_log_ReadReply rep;
	uint64_t want = LOG_DEFAULT_ENTRIES;

	if (argc > 2)
		return shell_usage(sh, cmd);
	if (argc == 2 && (!parse_number(argv[1], &want) || want < 1 || want > LOG_MAX_ENTRIES))
		return shell_usage(sh, cmd);

	int32_t r = log_entry_from(sh, 0, &rep);
	if (r != VIPER_OK)
		return shell_service_failed(sh, cmd, "log", r);
	if (!rep.found) {
		shell_puts(sh, "The log is empty.\n");
		return SHELL_OK;
	}
	/* The last `want` entries that exist now; later ones are left for next time. */
	uint64_t end = rep.next;
	uint64_t from = end > want ? end - want : 0;
	if (from < rep.oldest)
		from = rep.oldest;
	for (uint64_t shown = 0; shown < want; shown++) {
		if (rep.seq < from) {
			r = log_entry_from(sh, from, &rep);
			if (r != VIPER_OK)
				return shell_service_failed(sh, cmd, "log", r);
		}
		if (!rep.found || rep.seq >= end)
			break;
		print_log_entry(sh, &rep);
		from = rep.seq + 1;
		rep.seq = 0; /* read the next one */
	}
	return SHELL_OK;
}

/* Sorted by name: Help lists them in this order. */
static const struct shell_command commands[] = {
	{"Assign", "Assign [NAME: [PATH]]",
	 "lists the assigns, makes NAME: stand for PATH, or removes NAME:", cmd_assign, false},
	{"Avail", "Avail", "memory: available, in use and total (Amiga Avail style)", cmd_avail,
	 false},
	{"Break", "Break PROCESS", "stops a process (a name or an id); its supervisor decides",
	 cmd_break, false},
	{"Caps", "Caps", "the shell's own capabilities: handle, kind, rights", cmd_caps, false},
	{"cat", "cat FILE", "the same as Type", cmd_type, false},
	{"CD", "CD [DIR]", "changes the current directory, or shows it", cmd_cd, false},
	{"chdir", "chdir [DIR]", "the same as CD", cmd_cd, false},
	{"Cls", "Cls", "clears the screen", cmd_cls, false},
	{"Copy", "Copy FROM TO [ALL]", "copies a file, or with ALL a directory's tree", cmd_copy,
	 false},
	{"cwd", "cwd", "shows the current directory", cmd_cwd, false},
	{"Date", "Date", "today's date (UTC), from the real-time clock", cmd_date, false},
	{"Delete", "Delete PATH [ALL]", "deletes a file or an empty directory, or with ALL a tree",
	 cmd_delete, false},
	{"Dir", "Dir [DIR]", "the names in a directory", cmd_dir, false},
	{"Echo", "Echo [WORD...]", "prints its arguments", cmd_echo, false},
	{"EndShell", "EndShell", "ends the shell (and so the system)", cmd_endshell, false},
	{"Get", "Get NAME", "prints shell variable NAME", cmd_get, false},
	{"Help", "Help [COMMAND]", "lists the commands, or shows one's usage", cmd_help, false},
	{"History", "History", "lists the lines typed before (Up/Down recall them)", cmd_history,
	 false},
	{"Info", "Info", "the volume: size, free space, journal, damage", cmd_info, false},
	{"List", "List [DIR]", "a directory's entries with sizes, protection and dates", cmd_list,
	 false},
	{"Log", "Log [N]", "the last N entries of the system log (10; at most 1000)", cmd_log,
	 false},
	{"ls", "ls [DIR]", "the same as Dir", cmd_dir, false},
	{"MakeDir", "MakeDir DIR...", "makes directories", cmd_makedir, false},
	{"Path", "Path [ADD DIR | RESET]", "the directories where typed programs are found (C:)",
	 cmd_path, false},
	{"Rename", "Rename FROM TO",
	 "renames or moves a file or a directory (into TO if a directory)", cmd_rename, false},
	{"Run", "Run PROGRAM [ARG...]", "runs a program from the disk (C: and Path), waits for it",
	 cmd_run, false},
	{"RunBack", "RunBack PROGRAM [ARG...]",
	 "starts a program and returns at once; a later prompt tells its end", cmd_runback, false},
	{"Set", "Set NAME VALUE...", "sets shell variable NAME (1-32 chars) to VALUE (64 bytes)",
	 cmd_set, false},
	{"Status", "Status", "the processes: id, name, state, threads, handles, memory", cmd_status,
	 false},
	{"Sync", "Sync", "writes everything to the disk now", cmd_sync, false},
	{"Time", "Time", "the time of day (UTC), from the real-time clock", cmd_time, false},
	{"Type", "Type FILE", "prints a file", cmd_type, false},
	{"Unset", "Unset NAME", "removes shell variable NAME", cmd_unset, false},
	{"Uptime", "Uptime", "time since boot, processes and threads", cmd_uptime, false},
	{"Version", "Version", "the ViperOS version", cmd_version, false},
	{"Why", "Why", "why the last command failed, with its return code", cmd_why, true},
};

const struct shell_command *shell_commands(size_t *count)
{
	*count = sizeof(commands) / sizeof(commands[0]);
	return commands;
}

const struct shell_command *shell_command_find(const char *name)
{
	if (command_line_equal(name, "?"))
		name = "Help";
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (command_line_equal(name, commands[i].name))
			return &commands[i];
	}
	return NULL;
}
