/*
 * vinit, the ViperOS shell: the component glue. run() prints the banner,
 * asks the console for input notifications (Listen), then reads input,
 * feeds it to the line editor and runs each line, sleeping on the
 * notification channel while nothing arrives, until EndShell. A console
 * that fails or restarts is waited for, never fatal. See README.md.
 */
#include <kernel/version.h>

#include "console.viper.h"
#include "log.viper.h"
#include "programs.h"
#include "shell.h"

#define READ_MAX sizeof(((viper_console_ReadReply *)0)->data.bytes)
#define RETRY_NS 100000000ll /* between attempts while the console is away */

/* Asks the console for input notifications; without them the shell polls. */
static void listen_console(struct shell *sh)
{
	viper_console_ListenRequest req;
	viper_console_ListenReply rep;

	vc_memset(&req, 0, sizeof(req));
	if (console_listen(sh->slots[VINIT_SLOT_CONSOLE], &req, &rep) == VIPER_OK)
		sh->listen = rep.ready;
}

static void forget_listen(struct shell *sh)
{
	if (sh->listen != VIPER_HANDLE_INVALID)
		(void)vc_handle_close(sh->listen);
	sh->listen = VIPER_HANDLE_INVALID;
}

/*
 * Waits until input may have arrived, after a Read found none: on the
 * console's notifications. Input that came before a new Listen notified
 * nobody, so after one the caller reads again before anything waits.
 */
static void wait_for_input(struct shell *sh)
{
	if (sh->listen == VIPER_HANDLE_INVALID) {
		listen_console(sh);
		if (sh->listen == VIPER_HANDLE_INVALID)
			vc_sleep(RETRY_NS); /* no notifications: poll the console */
		return;
	}
	if (vc_notified_wait(sh->listen, VIPER_TIMEOUT_NONE) > 0)
		return;
	/* The console went away (its send end is gone): listen again when it is back. */
	forget_listen(sh);
}

/* Feeds input to the line editor and runs each line; false once EndShell ran. */
static bool take_input(struct shell *sh, const uint8_t *data, size_t size)
{
	char line[LINE_EDITOR_MAX + 1];

	for (size_t i = 0; i < size; i++) {
		if (line_editor_feed(&sh->editor, data[i]) != LINE_EDITOR_LINE)
			continue;
		vc_memcpy(line, line_editor_line(&sh->editor), sizeof(line));
		shell_execute(sh, line);
		if (sh->ended)
			return false;
		shell_reap_background(sh);
		line_editor_prompt(&sh->editor);
	}
	return true;
}

static int32_t vinit_run(void *state)
{
	struct shell *sh = state;
	viper_console_ReadRequest req;
	viper_console_ReadReply rep;
	bool console_lost = false;

	shell_printf(sh, "%s %s shell: type Help for commands\n", VIPEROS_NAME, VIPEROS_VERSION);
	shell_log_entry(sh, viper_log_Level_LEVEL_INFO, "shell started (%s %s)", VIPEROS_NAME,
			VIPEROS_VERSION);
	listen_console(sh);
	line_editor_prompt(&sh->editor);
	shell_flush(sh);
	uint64_t instructions;
	if (vc_instructions(&instructions) == VIPER_OK) /* booted with pmu=user */
		vc_log("vinit: first prompt after %llu instructions",
		       (unsigned long long)instructions);

	for (;;) {
		vc_memset(&req, 0, sizeof(req));
		req.max = READ_MAX;
		int32_t r = console_read(sh->slots[VINIT_SLOT_CONSOLE], &req, &rep);
		if (r != VIPER_OK) {
			if (!console_lost)
				vc_log("vinit: console Read failed: %s; waiting for the console",
				       shell_error_name(r));
			console_lost = true;
			forget_listen(sh);
			vc_sleep(RETRY_NS);
			continue;
		}
		if (console_lost) {
			console_lost = false;
			vc_log("vinit: the console is back");
			shell_write(sh, "\n", 1);
			line_editor_prompt(&sh->editor);
		}
		if (rep.data.size == 0) {
			shell_flush(sh);
			wait_for_input(sh);
			continue;
		}
		bool going = take_input(sh, rep.data.bytes, rep.data.size);
		shell_flush(sh);
		if (!going)
			return 0;
	}
}

static int32_t vinit_init(void *state, const struct viper_instance_env *env)
{
	if (env->slot_count < VINIT_SLOT_COUNT)
		return VIPER_E_INVAL;
	for (unsigned i = 0; i < VINIT_SLOT_COUNT; i++) {
		if (env->slots[i] == NULL)
			return VIPER_E_INVAL;
	}
	shell_init(state, env);
	return VIPER_OK;
}

VIPER_COMPONENT(vinit) = {
	.name = "vinit",
	.state_size = sizeof(struct shell),
	.slot_count = VINIT_SLOT_COUNT,
	.init = vinit_init,
	.run = vinit_run,
};
