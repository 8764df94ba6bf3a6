/*
 * A whole assembled system on the host: viper_host_system() in
 * toolchain/system.bzl assembles a system description into its boot
 * manifest and links it with the components' host builds; this harness
 * then does what the root task, the process hosts and the kernel's host do
 * on the target, inside one test process (docs/components.md, "Host
 * simulation from the description"):
 *
 * - every instance of every process (the kernel's included) is found by
 *   name, given zeroed state and its session limits;
 * - each slot bound to an instance of another process (or of the kernel)
 *   gets a host channel served by the provider, with its bulk buffer; a
 *   slot bound within a process is a direct call, as co-located;
 * - an instance granted the system capability gets a handle for the host's
 *   fakes (viper/host_runtime.h); devices are not simulated (an instance
 *   with devices fails to start unless the test's fakes cover it);
 * - init runs in manifest order, then every active instance's run on a
 *   thread of its own.
 *
 * One provider is entered by one thread at a time, as entry locks ensure on
 * the target.
 */
#ifndef VIPER_HOST_SYSTEM_H
#define VIPER_HOST_SYSTEM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The manifest viper_host_system() linked in. */
extern const uint8_t viper_host_manifest[];
extern const uint32_t viper_host_manifest_size;

struct viper_host_system;

/*
 * Builds the system of `manifest`: decodes and checks it (as the root task
 * does), makes every instance, binds every slot and calls every init.
 * Returns the system, or NULL with a reason in `why` (a bad manifest, a
 * component not linked in, an init that failed, too many channels).
 */
struct viper_host_system *viper_host_system_start(const uint8_t *manifest, size_t size, char *why,
						  size_t why_size);

/*
 * Runs every active instance's `run` on a thread of its own and waits for
 * them all: 0 when each returned 0, else the number that did not.
 */
int viper_host_system_run(struct viper_host_system *system);

/* The state of instance `name` (for a test's checks), NULL when none. */
void *viper_host_system_state(struct viper_host_system *system, const char *name);

/* What instance `name`'s run returned; -1 for an instance without one. */
int32_t viper_host_system_run_status(struct viper_host_system *system, const char *name);

/* Frees everything and resets the host simulation (viper_host_reset). */
void viper_host_system_stop(struct viper_host_system *system);

#ifdef __cplusplus
}
#endif

#endif
