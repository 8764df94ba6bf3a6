/*
 * Memory objects of the host simulation (host_runtime.c), as the host
 * transport (host_transport.c) needs them to move handles the way a kernel
 * channel does, and what it needs of notification channels. Host only;
 * the memory calls are not thread-safe, the notification calls are.
 */
#ifndef VIPER_COMPONENT_HOST_MEMORY_H
#define VIPER_COMPONENT_HOST_MEMORY_H

#include <stdbool.h>
#include <stdint.h>

#include <viper/abi.h>

/* Whether `h` has the form of a host memory handle, live or not. */
bool host_memory_is_handle(viper_handle_t h);

/* Whether `h` is a live host memory handle. */
bool host_memory_is_live(viper_handle_t h);

/*
 * Moves live handle `h` as a channel does: `h` stops naming anything and
 * *out is a new handle to the same object with the same rights.
 * VIPER_E_BADHANDLE when `h` is not live; VIPER_E_LIMIT never happens
 * (the old slot frees one).
 */
int32_t host_memory_move(viper_handle_t h, viper_handle_t *out);

/* Frees every object, handle and mapping. */
void host_memory_reset(void);

/* Objects alive: held by a handle or a mapping. */
unsigned host_memory_objects(void);

/* Whether `h` is an open end of a host notification channel. */
bool host_notify_is_live(viper_handle_t h);

/* Closes every notification channel and removes the test's hooks (viper/host_runtime.h). */
void host_notify_reset(void);

/*
 * Closes a client's end of a host channel (host_transport.c): a session's
 * provider learns of it. VIPER_E_BADHANDLE when `h` is no open host
 * channel; weak in host_runtime.c for builds without the transport.
 */
int32_t host_channel_close(viper_handle_t h);

#endif
