/*
 * vinit, the ViperOS shell: an active component (slots console, log,
 * sysinfo, rtc and env) whose run() reads commands from the console until
 * EndShell, then returns 0. See apps/vinit/README.md.
 *
 * This header is only the test seam; the component itself is found by name
 * ("vinit") like any other.
 */
#ifndef VINIT_VINIT_H
#define VINIT_VINIT_H

#include <stdint.h>

#include <viper/abi.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Where Caps gets the shell's own handles: vc_handle_list's signature. */
typedef int32_t (*vinit_handle_list_fn)(struct viper_handle_entry *out, uint32_t max,
					uint32_t *total);

/*
 * Test seam: makes the vinit instance whose state is `state` (as a host
 * gave it, e.g. viper_host_start) list its handles with `fn` instead of
 * vc_handle_list, so a host test controls what Caps shows. Call after
 * init, before run.
 */
void vinit_set_handle_list(void *state, vinit_handle_list_fn fn);

#ifdef __cplusplus
}
#endif

#endif
