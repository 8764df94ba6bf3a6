/* The shell's command layer: output, failures and the dispatcher (src/shell.h). */
#include "shell.h"

#include "programs.h"

#include <vinit/command_line.h>
#include <viper/error_name.h>

#include "console.viper.h"
#include "log.viper.h"

static void editor_output(void *ctx, const char *data, size_t len)
{
	shell_write(ctx, data, len);
}

void shell_init(struct shell *sh, const struct viper_instance_env *env)
{
	size_t count;
	const struct shell_command *table = shell_commands(&count);

	for (unsigned i = 0; i < VINIT_SLOT_COUNT && i < env->slot_count; i++)
		sh->slots[i] = env->slots[i];
	sh->system = env->system;
	sh->spawn = env->spawn;
	sh->path_count = 1;
	vc_memcpy(sh->path[0], "C", 2);
	sh->listen = VIPER_HANDLE_INVALID;
	for (size_t i = 0; i < count && i < SHELL_COMMANDS_MAX; i++)
		sh->names[i] = table[i].name;
	line_editor_init(&sh->editor, SHELL_PROMPT, sh->names,
			 count < SHELL_COMMANDS_MAX ? count : SHELL_COMMANDS_MAX, editor_output,
			 sh);
}

/* Sends out[0, len) in one console Write and keeps the rest of the buffer. */
static void send_prefix(struct shell *sh, size_t len)
{
	viper_console_WriteRequest req;
	viper_console_WriteReply rep;

	vc_memset(&req, 0, sizeof(req));
	vc_memcpy(req.data.bytes, sh->out, len);
	req.data.size = (pb_size_t)len;
	for (size_t i = len; i < sh->out_len; i++) /* moves left: a forward copy is safe */
		sh->out[i - len] = sh->out[i];
	sh->out_len -= len;
	int32_t r = console_write(sh->slots[VINIT_SLOT_CONSOLE], &req, &rep);
	if (r != VIPER_OK && !sh->console_down)
		vc_log("vinit: console Write failed: %s; output is lost until it works",
		       shell_error_name(r));
	sh->console_down = r != VIPER_OK;
}

void shell_flush(struct shell *sh)
{
	if (sh->out_len > 0)
		send_prefix(sh, sh->out_len);
}

/*
 * A full buffer goes out up to its last newline, so every line of at most
 * SHELL_OUTPUT_CHUNK bytes reaches the console in one Write: output from
 * elsewhere (the log's copies, the kernel's messages) lands between lines,
 * never inside one. A longer line goes out in full chunks.
 */
static void flush_full(struct shell *sh)
{
	size_t end = sh->out_len;

	while (end > 0 && sh->out[end - 1] != '\n')
		end--;
	send_prefix(sh, end > 0 ? end : sh->out_len);
}

void shell_write(struct shell *sh, const char *data, size_t len)
{
	while (len > 0) {
		size_t n = sizeof(sh->out) - sh->out_len;
		if (n > len)
			n = len;
		vc_memcpy(sh->out + sh->out_len, data, n);
		sh->out_len += n;
		data += n;
		len -= n;
		if (sh->out_len == sizeof(sh->out))
			flush_full(sh);
	}
}

void shell_puts(struct shell *sh, const char *s)
{
	shell_write(sh, s, vc_strlen(s));
}

void shell_printf(struct shell *sh, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	int n = vc_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	shell_write(sh, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

int shell_fail(struct shell *sh, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vc_vsnprintf(sh->reason, sizeof(sh->reason), fmt, ap);
	va_end(ap);
	if (n < 0)
		sh->reason[0] = '\0';
	shell_puts(sh, sh->reason);
	shell_write(sh, "\n", 1);
	return rc;
}

int shell_usage(struct shell *sh, const struct shell_command *cmd)
{
	return shell_fail(sh, SHELL_ERROR, "%s: bad or missing argument; usage: %s", cmd->name,
			  cmd->usage);
}

const char *shell_error_name(int32_t error)
{
	const char *name = viper_error_full_name(error);

	return name ? name : "error";
}

int shell_service_failed(struct shell *sh, const struct shell_command *cmd, const char *service,
			 int32_t error)
{
	const char *why = error == VIPER_E_PEERCLOSED ? " (the service is gone or restarting)" : "";
	return shell_fail(sh, SHELL_FAIL, "%s: service %s failed: %s (%d)%s", cmd->name, service,
			  shell_error_name(error), (int)error, why);
}

void shell_log_entry(struct shell *sh, uint32_t level, const char *fmt, ...)
{
	viper_log_WriteRequest req;
	viper_log_WriteReply rep;
	va_list ap;

	vc_memset(&req, 0, sizeof(req));
	req.level = (viper_log_Level)level;
	vc_memcpy(req.source, "vinit", sizeof("vinit"));
	va_start(ap, fmt);
	int n = vc_vsnprintf(req.text, sizeof(req.text), fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	(void)log_write(sh->slots[VINIT_SLOT_LOG], &req, &rep);
}

/* Runs the command `argv` names; its return code. */
static int run_command(struct shell *sh, size_t argc, char **argv, bool *keeps_status)
{
	const struct shell_command *cmd = shell_command_find(argv[0]);

	if (cmd == NULL)
		return shell_run_program(sh, NULL, argc, argv);
	*keeps_status = cmd->keeps_status;
	return cmd->run(sh, cmd, argc, argv);
}

int shell_execute(struct shell *sh, char *line)
{
	char *argv[COMMAND_LINE_MAX_ARGS + 1];
	size_t argc;
	bool keeps_status = false;
	int rc;

	sh->reason[0] = '\0';
	enum command_line_status split =
		command_line_split(line, argv, COMMAND_LINE_MAX_ARGS, &argc);
	if (split == COMMAND_LINE_UNTERMINATED)
		rc = shell_fail(sh, SHELL_ERROR, "Unterminated quote: a \" is not closed");
	else if (split != COMMAND_LINE_OK)
		rc = shell_fail(sh, SHELL_ERROR, "Too many arguments: at most %u words",
				COMMAND_LINE_MAX_ARGS);
	else if (argc == 0)
		return SHELL_OK;
	else
		rc = run_command(sh, argc, argv, &keeps_status);
	if (keeps_status)
		return rc;

	sh->last_rc = rc;
	if (rc != SHELL_OK && sh->reason[0] == '\0')
		vc_memcpy(sh->reason, "no reason given", sizeof("no reason given"));
	vc_memcpy(sh->last_reason, sh->reason, sizeof(sh->reason));
	if (rc >= SHELL_ERROR)
		shell_log_entry(sh, viper_log_Level_LEVEL_INFO, "%s (return code %d)", sh->reason,
				rc);
	return rc;
}
