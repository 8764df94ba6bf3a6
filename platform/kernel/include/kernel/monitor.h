/*
 * The boot monitor: a few commands on the kernel console (help, version,
 * uptime, memory, devices, fault, poweroff) until the shell exists. Reads
 * lines typed or piped in; never returns.
 */
#ifndef KERNEL_MONITOR_H
#define KERNEL_MONITOR_H

#include <kernel/board.h>

_Noreturn void monitor_run(const struct board_info *board);

#endif
