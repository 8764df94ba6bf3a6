/*
 * What the host simulation (host_runtime.c) adds for tests: stand-ins for
 * what only a kernel has (interrupts, the handle table, the system
 * capability), which a test supplies as hooks, and a count of live
 * notification channels for leak checks. Host only.
 *
 * Notification channels (vc_channel_create, vc_notify, vc_notified_wait)
 * need no hook: the host has them for real, thread-safe, with timeouts on
 * the monotonic clock, and with the kernel's errors (docs/syscalls.md,
 * channel_notify): VIPER_E_BADHANDLE for a handle that is not live,
 * VIPER_E_KIND for the wrong end, VIPER_E_INVAL for bits of 0 or with bit
 * 63, VIPER_E_PEERCLOSED when the other end is gone. vc_notified_wait with
 * a timeout of 0 and nothing pending answers VIPER_E_TIMEOUT, as the
 * process and kernel runtimes do; VIPER_E_CLOSED when another thread closes the receive
 * end during the wait. Their handles pass through the host transport
 * unchanged (only memory handles are renumbered).
 */
#ifndef VIPER_HOST_RUNTIME_H
#define VIPER_HOST_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>

#include <viper/abi.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Hooks behind the vc_* calls that reach the kernel. Each gets `context`
 * first, then the call's own arguments, and its result is the call's. A
 * NULL hook makes its call answer VIPER_E_UNSUPPORTED. Hooks are called
 * with no host lock held, from whichever thread makes the call (a
 * component's run thread included), so they may block and must be
 * thread-safe themselves.
 */
struct viper_host_fakes {
	void *context;
	int32_t (*irq_wait)(void *context, viper_handle_t irq, int64_t timeout_ns);
	int32_t (*irq_ack)(void *context, viper_handle_t irq);
	int32_t (*handle_list)(void *context, struct viper_handle_entry *out, uint32_t max,
			       uint32_t *total);
	int32_t (*system_info)(void *context, viper_handle_t system,
			       struct viper_system_info *info);
	int32_t (*system_processes)(void *context, viper_handle_t system,
				    struct viper_process_entry *out, uint32_t max, uint32_t *total);
	int32_t (*system_handles)(void *context, viper_handle_t system, uint64_t koid,
				  struct viper_handle_entry *out, uint32_t max, uint32_t *total);
	int32_t (*system_kill)(void *context, viper_handle_t system, uint64_t koid);
	int32_t (*console_write)(void *context, const void *buf, uint32_t n);
	/* vc_program_start and vc_process_wait (a shell's Run). */
	int32_t (*program_start)(void *context, viper_handle_t spawn,
				 const struct vc_program_launch *l, viper_handle_t *process,
				 char *why, size_t why_size);
	int32_t (*process_wait)(void *context, viper_handle_t process, int64_t *status,
				int64_t timeout_ns);
};

/*
 * Installs a copy of `fakes` (NULL: none, every hooked call answers
 * VIPER_E_UNSUPPORTED). Safe to call while other threads make calls: each
 * call uses the hooks installed when it started. viper_host_reset removes
 * them.
 */
void viper_host_set_fakes(const struct viper_host_fakes *fakes);

/* Notification channels with at least one end still open: a leak check. */
unsigned viper_host_notify_channels(void);

struct viper_dma;

/*
 * A DMA region for an instance a test starts (put it in env->dma), as a
 * component host gives one: `size` bytes rounded up to whole pages of
 * zeroed host memory, mapped (out->virt), with a memory handle
 * (out->memory) whose vc_memory_physical gives the same addresses as
 * vc_dma_phys. The physical addresses are made up: a contiguous region is
 * one block (from 0x40000000 on), a scatter-gather one has its pages in
 * reverse order with a page-sized gap between any two (from 0x80000000
 * on), so a driver that takes neighbouring pages for physically
 * contiguous fails on the host as it would on a real machine. No device
 * reads them: a test plays the device through out->virt. Errors:
 * VIPER_E_INVAL (0 or over 64 MiB), VIPER_E_RANGE (contiguous over 4 MiB),
 * VIPER_E_NOMEM, VIPER_E_LIMIT. viper_host_reset frees it.
 */
int32_t viper_host_dma_create(uint64_t size, bool contiguous, struct viper_dma *out);

#ifdef __cplusplus
}
#endif

#endif
