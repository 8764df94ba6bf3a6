/*
 * sysinfo: interface sysinfo over the system capability (env->system,
 * VIPER_OBJ_SYSTEM): a summary of the system, its processes one at a time,
 * each process's handles six at a time, and stopping a process. Placeable
 * in the kernel or in a process; passive. The kernel's lists are copied
 * into buffers in the instance's state, never on the stack (stacks are
 * 8 KiB).
 */
#ifndef SYSINFO_SYSINFO_H
#define SYSINFO_SYSINFO_H

#include <stdint.h>

#include <viper/abi.h>

#include "sysinfo.viper.h"

/* Processes a Process call can see: those past the 64th get VIPER_E_RANGE. */
#define SYSINFO_PROCESSES_MAX 64u
/* Handles one process can hold at most: a whole table, so any `start` is reachable. */
#define SYSINFO_HANDLES_MAX VIPER_HANDLES_MAX
/* Handles in one HandlesReply (HandlesReply.handles' max_count). */
#define SYSINFO_HANDLES_PER_REPLY 6u

struct sysinfo_state {
	viper_handle_t system;
	struct viper_process_entry processes[SYSINFO_PROCESSES_MAX];
	struct viper_handle_entry handles[SYSINFO_HANDLES_MAX];
};

extern const struct sysinfo_server sysinfo_component_server;

#endif
