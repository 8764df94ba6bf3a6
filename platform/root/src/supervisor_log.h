/*
 * The root task's messages: on the kernel console while the system starts,
 * then, when the description names a supervisor log, through the log
 * service (docs/root-task.md, "Messages").
 */
#ifndef ROOT_SUPERVISOR_LOG_H
#define ROOT_SUPERVISOR_LOG_H

#include <stdint.h>

#include <viper/abi.h>

/*
 * From now on, messages go to the log provider at the other end of
 * `log_send` (the root's send end of the supervisor_log channel), written
 * by a thread of their own. Returns VIPER_OK, or a negative error with
 * messages staying on the kernel console.
 */
int64_t supervisor_log_start(viper_handle_t log_send);

/* One message, "root: " and the formatted text; printf's format. */
void supervisor_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Before the system ends: waits (at most `timeout_ns`) until the messages
 * said so far are written; later messages go to the kernel console.
 */
void supervisor_log_finish(uint64_t timeout_ns);

#endif
