/*
 * vinit, the ViperOS shell: the component glue. run() prints the banner,
 * asks the console for input notifications (Listen), then reads input,
 * feeds it to the line editor and runs each line, sleeping on the
 * notification channel while nothing arrives, until EndShell. A console
 * that fails or restarts is waited for, never fatal. See README.md.
 */
#include <kernel/version.h>
#include <vinit/vinit.h>

#include "console.viper.h"
#include "log.viper.h"
#include "shell.h"

#define READ_MAX      128u
#define INPUT_WAIT_NS 1000000000ll /* wake now and then even if a notification is lost */
#define RETRY_NS      100000000ll  /* between attempts while the console is away */

/* Sleeps up to `ns` on a channel of the shell's own (no one notifies it). */
static void nap(struct shell *sh, int64_t ns)
{
	if (sh->nap_recv == VIPER_HANDLE_INVALID &&
	    vc_channel_create(&sh->nap_send, &sh->nap_recv) != VIPER_OK) {
		sh->nap_send = VIPER_HANDLE_INVALID;
		sh->nap_recv = VIPER_HANDLE_INVALID;
	}
	if (sh->nap_recv == VIPER_HANDLE_INVALID || vc_notified_wait(sh->nap_recv, ns) < 0)
		vc_yield();
}

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

/* Waits until input may have arrived. */
static void wait_for_input(struct shell *sh)
{
	if (sh->listen == VIPER_HANDLE_INVALID)
		listen_console(sh);
	if (sh->listen == VIPER_HANDLE_INVALID) {
		nap(sh, RETRY_NS);
		return;
	}
	int64_t r = vc_notified_wait(sh->listen, INPUT_WAIT_NS);
	if (r > 0 || r == VIPER_E_TIMEOUT)
		return;
	/* The console went away (its send end is gone): listen again when it is back. */
	forget_listen(sh);
	nap(sh, RETRY_NS);
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
			nap(sh, RETRY_NS);
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

void vinit_set_handle_list(void *state, vinit_handle_list_fn fn)
{
	struct shell *sh = state;
	sh->handle_list = fn != NULL ? fn : vc_handle_list;
}

VIPER_COMPONENT(vinit) = {
	.name = "vinit",
	.state_size = sizeof(struct shell),
	.slot_count = VINIT_SLOT_COUNT,
	.init = vinit_init,
	.run = vinit_run,
};
