/*
 * Waiting for a channel's notification bits, over viper/syscall.h: the one
 * implementation of vc_notified_wait for processes and the kernel.
 */
#ifndef VIPER_COMPONENT_NOTIFY_WAIT_H
#define VIPER_COMPONENT_NOTIFY_WAIT_H

#include <stdint.h>

#include <viper/abi.h>

/*
 * Waits until notification bits are pending on receive end `recv`, or its
 * last send end is gone, or `timeout_ns` passes (VIPER_TIMEOUT_NONE or any
 * negative value: no limit; 0: do not wait), and takes the bits. Returns
 * them (> 0), VIPER_E_PEERCLOSED when no send end is left and no bit is
 * pending, VIPER_E_TIMEOUT, or the error of a system call (a bad handle:
 * VIPER_E_BADHANDLE, VIPER_E_KIND, VIPER_E_RIGHTS; VIPER_E_LIMIT when there
 * is no room for the poll set it waits with).
 *
 * No bit is ever lost: VIPER_SIGNAL_NOTIFIED is level-triggered, so bits
 * set after a take that found none make the next poll_wait return at once;
 * another thread taking them first only sends this one round again.
 */
int64_t notify_wait(viper_handle_t recv, int64_t timeout_ns);

#endif
