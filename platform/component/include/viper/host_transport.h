/*
 * The host simulation of channels: an in-process transport for host builds
 * (GoogleTests), so a client and a provider run the full wire path (encode,
 * the generated dispatch, decode) without QEMU. Host only.
 *
 * Memory handles (vc_memory_create) move as the kernel moves them: a call
 * refuses a request whose memory handle is not live (VIPER_E_BADHANDLE) or
 * listed twice (VIPER_E_INVAL); the provider receives a new handle and the
 * caller's dies; handles the provider did not take are closed. Other handle
 * values (made up by a test) pass unchanged.
 */
#ifndef VIPER_HOST_TRANSPORT_H
#define VIPER_HOST_TRANSPORT_H

#include <stdbool.h>
#include <stdint.h>

#include <viper/abi.h>
#include <viper/component.h>
#include <viper/rpc.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VIPER_HOST_MAX_CHANNELS	     16
#define VIPER_HOST_MAX_SESSION_HOSTS 8

/*
 * Lets instance `self` open sessions (vc_session_open), at most `max` at
 * once and `per_client` through one connection, as the system
 * description's `sessions` block does on the target. Call before binding
 * its slots. A session is a host channel like one viper_host_serve makes;
 * closing its end with vc_handle_close (or vc_slot_close) calls the
 * provided interface's session_closed. VIPER_E_LIMIT past
 * VIPER_HOST_MAX_SESSION_HOSTS instances.
 *
 * Deferred replies work on the host too: a remote call whose method kept
 * it (vc_defer) waits in viper_transport_call until another thread answers
 * it with the generated <iface>_<method>_complete; a direct call waits in
 * its stub, as on the target. The transport's tables are thread-safe.
 */
int32_t viper_host_sessions(void *self, uint32_t max, uint32_t per_client);

/* Sessions of `self` open now. */
uint32_t viper_host_sessions_open(void *self);

/*
 * Serves `interface` with vtable `ops` for instance `self`. Returns the
 * client's end, a fake channel handle for viper_transport_call, or
 * VIPER_HANDLE_INVALID when all VIPER_HOST_MAX_CHANNELS are in use. A bulk
 * buffer of interface->bulk_bytes, rounded up to whole pages as on the
 * target, is allocated when the interface has one.
 */
viper_handle_t viper_host_serve(const struct viper_interface *interface, const void *ops,
				void *self);

/* Closes the provider's end: later calls on `channel` get VIPER_E_PEERCLOSED. */
void viper_host_close(viper_handle_t channel);

/*
 * Closes every channel, frees their bulk buffers and every memory object,
 * closes every notification channel and removes the test's hooks
 * (viper/host_runtime.h): between tests, with no other thread running.
 */
void viper_host_reset(void);

/* Memory objects alive (held by a handle or a mapping): a leak check for tests. */
unsigned viper_host_memory_objects(void);

/* Binds `slot` to a served channel (a remote slot, as in another process). */
void viper_host_bind_remote(struct viper_slot *slot, const struct viper_interface *interface,
			    viper_handle_t channel);

/*
 * Binds `slot` straight to a provider (a direct call, as when co-located),
 * with its own bulk buffer.
 */
void viper_host_bind_direct(struct viper_slot *slot, const struct viper_interface *interface,
			    const void *ops, void *self);

/*
 * Binds `slot` to interface `provided` of instance `self`, remotely (a new
 * served channel, returned) or directly (VIPER_HANDLE_INVALID returned).
 */
viper_handle_t viper_host_bind(struct viper_slot *slot, const struct viper_provided *provided,
			       void *self, bool remote);

/*
 * Starts an instance of the component called `name` as a component host
 * does: finds it among those linked in, gives it zeroed state (*state, to
 * vc_free) and calls its init with `env`, whose result goes to
 * *init_status. Returns the component, or NULL when none has that name.
 */
const struct viper_component *viper_host_start(const char *name,
					       const struct viper_instance_env *env, void **state,
					       int32_t *init_status);

/*
 * Handles dropped as if closed: those a provider did not take (dispatch refused
 * the call) and those viper_transport_drop closed (a malformed reply's).
 */
uint32_t viper_host_dropped_handles(void);

#ifdef __cplusplus
}
#endif

#endif
