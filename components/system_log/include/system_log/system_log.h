/*
 * system_log: interface log, a ring of the last SYSTEM_LOG_ENTRIES entries,
 * each numbered from 1 and stamped with the monotonic clock. Warnings and
 * errors are also written, one line each, to the console bound to slot
 * `console`. Placeable in the kernel or in a process; passive.
 */
#ifndef SYSTEM_LOG_SYSTEM_LOG_H
#define SYSTEM_LOG_SYSTEM_LOG_H

#include <stdint.h>

#include <viper/rpc.h>

#include "console.viper.h"
#include "log.viper.h"

#define SYSTEM_LOG_ENTRIES    64u
#define SYSTEM_LOG_SOURCE_MAX 16u  /* with the NUL, as viper_log_WriteRequest.source */
#define SYSTEM_LOG_TEXT_MAX   161u /* with the NUL, as viper_log_WriteRequest.text */

struct system_log_entry {
	uint64_t seq;
	uint64_t time_ns;
	uint32_t level; /* viper_log_Level */
	char source[SYSTEM_LOG_SOURCE_MAX];
	char text[SYSTEM_LOG_TEXT_MAX];
};

struct system_log {
	struct viper_slot *console; /* NULL when none is bound: entries are only kept */
	uint64_t written;	    /* entries written so far; the next one is written + 1 */
	uint32_t console_failures;  /* copies the console refused or could not take */
	/* Entry number s lives at entries[(s - 1) % SYSTEM_LOG_ENTRIES]. */
	struct system_log_entry entries[SYSTEM_LOG_ENTRIES];
};

extern const struct log_server system_log_server;

#endif
