/*
 * Programs from the disk (src/programs.c): Run, Path, and commands found
 * on the command path.
 */
#ifndef VINIT_PROGRAMS_H
#define VINIT_PROGRAMS_H

#include "shell.h"

/*
 * Runs the program argv[0] names (with its arguments) and waits for it;
 * its return code. `name` is the command that asked ("Run"), or NULL for a
 * name typed as a command (an unknown one is then "Unknown command").
 */
int shell_run_program(struct shell *sh, const char *name, size_t argc, char **argv);

int cmd_run(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv);
int cmd_runback(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv);

/* Reports the programs RunBack started that have ended since, and forgets them. */
void shell_reap_background(struct shell *sh);
int cmd_path(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv);

#endif
