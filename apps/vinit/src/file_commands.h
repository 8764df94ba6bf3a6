/*
 * The shell's file commands (src/file_commands.c), for the command table
 * in src/commands.c. Each has the signature of struct shell_command's run.
 */
#ifndef VINIT_FILE_COMMANDS_H
#define VINIT_FILE_COMMANDS_H

#include "shell.h"

int cmd_assign(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv);
int cmd_cd(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv);
int cmd_copy(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv);
int cmd_cwd(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv);
int cmd_delete(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv);
int cmd_dir(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv);
int cmd_info(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv);
int cmd_list(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv);
int cmd_makedir(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv);
int cmd_rename(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv);
int cmd_sync(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv);
int cmd_type(struct shell *sh, const struct shell_command *cmd, size_t argc, char **argv);

#endif
