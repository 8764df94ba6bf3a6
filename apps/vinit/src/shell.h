/*
 * The shell's command layer: the state of one shell, its output (buffered
 * into console Writes of at most SHELL_OUTPUT_CHUNK bytes), the dispatcher
 * and the command table. Private to apps/vinit: src/vinit.c is the
 * component glue, src/commands.c the commands.
 */
#ifndef VINIT_SHELL_H
#define VINIT_SHELL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <viper/component.h>

#include <vinit/line_editor.h>

#include "console.viper.h"

#include "vinit_slots.h"

/* Return codes, as AmigaDOS has them. */
enum shell_rc {
	SHELL_OK = 0,
	SHELL_WARN = 5,
	SHELL_ERROR = 10,
	SHELL_FAIL = 20,
};

#define SHELL_PROMPT "SYS:> "
/* The most one console Write carries. */
#define SHELL_OUTPUT_CHUNK   sizeof(((viper_console_WriteRequest *)0)->data.bytes)
#define SHELL_REASON_MAX     160u /* a failure's reason, as Why gives it */
#define SHELL_COMMANDS_MAX   48u
#define SHELL_IO_BYTES	     65536u /* file data moves through this much of the shell's memory */
#define SHELL_PATH_DIRS	     8u	    /* directories on the command path */
#define SHELL_BACKGROUND_MAX 4u	    /* programs RunBack started that have not ended */

struct shell;

struct shell_command {
	const char *name;    /* as Help shows it; matched without regard to case */
	const char *usage;   /* e.g. "Get NAME" */
	const char *summary; /* one line for Help */
	/* Runs with argv[0] the name as typed; returns an enum shell_rc. */
	int (*run)(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv);
	bool keeps_status; /* Why: leaves the last command's code and reason as they were */
};

struct shell {
	struct viper_slot *slots[VINIT_SLOT_COUNT]; /* by VINIT_SLOT_* */
	viper_handle_t system;			    /* env->system, shown by Caps */
	viper_handle_t listen;			    /* console Listen's receive end, or invalid */

	struct line_editor editor;
	const char *names[SHELL_COMMANDS_MAX]; /* what Tab completes */

	char out[SHELL_OUTPUT_CHUNK];
	size_t out_len;
	bool console_down; /* the last console Write failed (logged once) */

	char reason[SHELL_REASON_MAX]; /* the running command's failure */
	int last_rc;		       /* of the last command run */
	char last_reason[SHELL_REASON_MAX];
	bool ended; /* EndShell ran */

	struct viper_handle_entry handles[VIPER_HANDLES_MAX]; /* Caps' buffer */

	char cwd[201];			 /* the current directory: a path from the volume's root */
	char path[SHELL_PATH_DIRS][201]; /* the command path (Path): paths from the root */
	unsigned path_count;
	viper_handle_t spawn; /* env->spawn: Run starts programs with it */
	/* Programs RunBack started, until their end is reported at a prompt. */
	struct {
		viper_handle_t process, block;
		char shown[224];
	} background[SHELL_BACKGROUND_MAX];
	viper_handle_t io; /* the memory file data moves through, made at first use */
	uint8_t *io_bytes;
};

/* The command table, sorted by name, and its length. */
const struct shell_command *shell_commands(size_t *count);

/* The command called `name` (any case, "?" for Help), or NULL. */
const struct shell_command *shell_command_find(const char *name);

/* Sets the shell up for `env`'s slots; no calls are made. */
void shell_init(struct shell *sh, const struct viper_instance_env *env);

/* Output: buffered, sent in console Writes of at most SHELL_OUTPUT_CHUNK bytes. */
void shell_write(struct shell *sh, const char *data, size_t len);
void shell_puts(struct shell *sh, const char *s);
void shell_printf(struct shell *sh, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Sends what is buffered. */
void shell_flush(struct shell *sh);

/*
 * Reports a failure: prints the reason (formatted) and a newline, keeps it
 * for Why, and returns `rc` for the command to return.
 */
int shell_fail(struct shell *sh, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A bad or missing argument: prints `cmd`'s usage; returns SHELL_ERROR. */
int shell_usage(struct shell *sh, const struct shell_command *cmd);

/*
 * A slot call that failed with `error`: names the command, the service and
 * the error; returns SHELL_FAIL.
 */
int shell_service_failed(struct shell *sh, const struct shell_command *cmd, const char *service,
			 int32_t error);

/* The name of a viper error ("VIPER_E_PEERCLOSED"), or "error" for others. */
const char *shell_error_name(int32_t error);

/*
 * Appends an entry to the system log (source "vinit"); a failure is
 * ignored, since the log service may be down or restarting.
 */
void shell_log_entry(struct shell *sh, uint32_t level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Runs one command line: splits it, finds the command, runs it, keeps its
 * return code and failure reason for Why, and logs a failure of ERROR or
 * worse. A blank line does nothing. Returns the return code.
 */
int shell_execute(struct shell *sh, char *line);

#endif
