/* System-call dispatch: the table that docs/syscalls.md and viper/abi.h are checked against. */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

#include <stdint.h>

#include <arch/trap.h>

/* Runs the call numbered frame->x[8] with arguments x0-x5; returns the value for x0. */
int64_t syscall_dispatch(struct trap_frame *frame);

#endif
