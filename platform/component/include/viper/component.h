/*
 * The component runtime: the one API component code uses, implemented in
 * user processes, inside the kernel and on the host (simulation), so the
 * same source links in every placement. See docs/components.md.
 *
 * A component describes itself once with VIPER_COMPONENT; the host of its
 * process (or the kernel) finds it by name, gives each instance its state,
 * binds its slots, serves the interfaces it provides and runs its `run`
 * function, if any, on a thread of its own.
 */
#ifndef VIPER_COMPONENT_H
#define VIPER_COMPONENT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <viper/abi.h>
#include <viper/rpc.h>

#define VIPER_COMPONENT_MAX_PROVIDES 4
#define VIPER_COMPONENT_MAX_SLOTS    12 /* = manifest.proto Instance.slots */
#define VIPER_COMPONENT_MAX_DEVICES  4
#define VIPER_COMPONENT_MAX_DMA	     4
#define VIPER_COMPONENT_MAX_PARAMS   8

/* One interface a component provides: the generated interface and its vtable. */
struct viper_provided {
	const struct viper_interface *interface;
	const void *ops; /* struct <iface>_server, implemented by the component */
	/*
	 * For an interface served as sessions (vc_session_open): called once
	 * when a session's last client end is gone (closed, or its process
	 * ended), with the session's state, under the instance's entry lock.
	 * NULL: nothing to do.
	 */
	void (*session_closed)(void *self, void *session);
};

/* A device granted to an instance: its mapped registers and its IRQ line. */
struct viper_device {
	volatile void *regs; /* mapped MMIO, NULL when not granted */
	uint64_t size;
	uint64_t phys;	    /* the physical address of the registers */
	viper_handle_t irq; /* VIPER_HANDLE_INVALID when none */
	uint32_t irq_line;
};

/*
 * A DMA region granted to an instance (component(dma = ...), granted by
 * the system description's `dma { need }`): zeroed memory at its first
 * start, mapped read/write, whose physical addresses the instance gives
 * its devices. A contiguous region is one physical block at `phys`; a
 * scatter-gather one is pinned pages anywhere, `pages[i]` being the
 * physical address of page i. Both stay put while the system runs: a
 * restarted process gets the same memory back, as the device may have
 * left it. QEMU virt has no IOMMU: a device reaches all physical memory,
 * so the instance that programs it is as trusted as a device grant makes
 * it. On the host the addresses are made up (viper/host_runtime.h).
 */
struct viper_dma {
	void *virt;	       /* mapped read/write, NULL when not granted */
	uint64_t size;	       /* bytes, whole pages */
	bool contiguous;       /* one physical block */
	uint64_t phys;	       /* contiguous: the physical address of virt[0]; else 0 */
	const uint64_t *pages; /* scatter-gather: each page's physical address; else NULL */
	viper_handle_t memory; /* its memory object, with VIPER_RIGHT_DMA */
};

/* What an instance is given when it starts. */
struct viper_instance_env {
	const char *name; /* the instance's name in the system description */
	struct viper_slot *slots[VIPER_COMPONENT_MAX_SLOTS]; /* in declaration order */
	unsigned slot_count;
	struct viper_device devices[VIPER_COMPONENT_MAX_DEVICES];
	unsigned device_count;
	struct viper_dma dma[VIPER_COMPONENT_MAX_DMA]; /* in need order: <NAME>_DMA_<NEED> */
	unsigned dma_count;
	/* The values of component(params = ...), each within its declared
	 * bounds (the assembler checked them), in declaration order:
	 * params[<NAME>_PARAM_<P>]. */
	uint64_t params[VIPER_COMPONENT_MAX_PARAMS];
	unsigned param_count;
	/* The system capability (VIPER_OBJ_SYSTEM) when the description grants
	 * it, with the rights it grants; VIPER_HANDLE_INVALID when not. */
	viper_handle_t system;
	/* The spawn capability (VIPER_OBJ_SPAWN, exec: start processes) when
	 * the description grants it (spawn: true); VIPER_HANDLE_INVALID when not. */
	viper_handle_t spawn;
};

struct viper_component {
	const char *name;
	size_t state_size; /* zeroed for each instance */
	struct viper_provided provides[VIPER_COMPONENT_MAX_PROVIDES];
	unsigned provide_count;
	unsigned slot_count;
	/* Sets up the instance before anything is served; VIPER_OK or an error. */
	int32_t (*init)(void *state, const struct viper_instance_env *env);
	/* For active components: runs on its own thread after every init. */
	int32_t (*run)(void *state);
};

/*
 * Declares a component. The descriptor goes in section viper_components,
 * where a host finds every component linked into its image.
 */
#define VIPER_COMPONENT(ident)                                                                     \
	__attribute__((used, section("viper_components"), aligned(8)))                             \
	const struct viper_component ident##_component

/*
 * Looks a linked-in component up by name; NULL when the image lacks it.
 * (src/component_table.c, the same in every environment.)
 */
const struct viper_component *viper_component_find(const char *name);

/* What `c` provides for interface `interface_id`; NULL when it does not. */
const struct viper_provided *viper_component_provided(const struct viper_component *c,
						      uint32_t interface_id);

/*
 * Deferred replies. In a (viper.deferrable) method, vc_defer keeps the call
 * being served: the method then returns VIPER_DEFERRED, the host serves
 * other calls, and the call is answered later, from any thread of the
 * instance's address space, with the generated
 *
 *	int32_t <iface>_<method>_complete(viper_deferred_t token, int32_t status,
 *					  <Reply> *rep);
 *
 * which answers exactly once: VIPER_OK, VIPER_E_PEERCLOSED when the caller
 * gave up (a time-out) or ended, VIPER_E_BADHANDLE for a token answered
 * already or never given. The caller waits in its stub as for any call,
 * over a channel or co-located. vc_defer: VIPER_OK and *token,
 * VIPER_E_UNSUPPORTED outside a deferrable method, VIPER_E_BUSY when the
 * call is kept already, VIPER_E_LIMIT when VC_DEFERRED_MAX calls of this
 * address space are kept. Kernel-placed code must never block waiting for
 * the event it will answer on; it answers from the thread that sees it.
 */
#define VC_DEFERRED_MAX 64u
int32_t vc_defer(struct viper_rpc_context *ctx, viper_deferred_t *token);

/*
 * Sessions. In a method of a connection, vc_session_open opens a session
 * for the caller: a channel on which the instance serves `provided` (an
 * interface it implements) for that client alone. `session` is the
 * provider's state for it, given back as ctx->session in every call on
 * the session and to provided->session_closed when its last client end is
 * gone. *client_end is the send end to put in the reply's (viper.session)
 * field: it moves to the client, which binds it with vc_slot_bind and may
 * pass it on like any handle. Errors: VIPER_E_UNSUPPORTED where the
 * instance may not open sessions (no `sessions` limits in the system
 * description), VIPER_E_LIMIT at the description's limit of sessions open
 * at once for the instance or for the calling connection, VIPER_E_NOMEM,
 * and vc_channel_create's errors.
 */
int32_t vc_session_open(struct viper_rpc_context *ctx, const struct viper_provided *provided,
			void *session, viper_handle_t *client_end);

/*
 * Leases ((viper.lease) request fields, docs/interfaces.md): the method
 * finds them in ctx->leases[0 .. ctx->lease_count). vc_lease_map maps
 * lease `view` for the rest of the call and puts the address of its first
 * byte in *p (and in view->data); mapping it again gives the same address.
 * Errors: vc_memory_map_range's (VIPER_E_RIGHTS for a handle without the
 * lease's rights). A lease of 0 bytes maps to NULL.
 */
int32_t vc_lease_map(struct viper_lease_view *view, uint8_t **p);

/*
 * Binds `slot` to a session (or any channel send end of `interface`) the
 * component received: calls through it go to the provider directly over
 * the channel. vc_slot_close closes the end: the provider then learns of
 * it (session_closed) once no other end is left.
 */
void vc_slot_bind(struct viper_slot *slot, const struct viper_interface *interface,
		  viper_handle_t channel);
int32_t vc_slot_close(struct viper_slot *slot);

/*
 * A lock shared by a component's own threads. The host serializes an
 * instance's methods (its entry lock) but not its run thread against them
 * (docs/components.md), so state both reach, such as a driver's queues or
 * a protocol stack's, is guarded by one of these. A waiter sleeps in the
 * kernel (on the host, on a mutex); not recursive. vc_lock_init: VIPER_OK,
 * or the error making the lock's wake-up channel.
 */
struct vc_lock {
	struct viper_entry_lock entry; /* in processes and the kernel */
	void *host;		       /* the host simulation's mutex */
};
int32_t vc_lock_init(struct vc_lock *lock);
void vc_lock_take(struct vc_lock *lock);
void vc_lock_give(struct vc_lock *lock);

/* Memory for the instance's own use (from its process's heap or the kernel's). */
void *vc_alloc(size_t size);
void vc_free(void *p);

/*
 * Writes `n` bytes (at most VC_CONSOLE_WRITE_MAX) to the system console,
 * the kernel's polled PL011 output, each "\n" as "\r\n": in one piece,
 * never interleaved with the kernel's messages or another process's
 * output, whichever CPU they come from. The console driver transmits
 * through it; VIPER_E_INVAL for a larger `n`. A host test supplies it as a
 * hook (viper/host_runtime.h).
 */
#define VC_CONSOLE_WRITE_MAX 4096u
int32_t vc_console_write(const void *buf, uint32_t n);

/* One line of log output (the newline is added when missing); at most 255 bytes. */
void vc_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vc_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int vc_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The monotonic clock in nanoseconds since boot. */
uint64_t vc_now_ns(void);

/* Lets other threads run first; returns at once when none is ready. */
void vc_yield(void);

/* Sleeps at least `ns` nanoseconds (on the 10 ms tick: up to 10 ms more). */
void vc_sleep(int64_t ns);

/*
 * Guest instructions retired on this CPU since the kernel set the PMU up
 * (event 0x08, EL0 and EL1 alike): VIPER_OK and *count when the kernel was
 * booted with pmu=user, else VIPER_E_UNSUPPORTED. Exact under QEMU's
 * -icount; for benchmarks such as tests/benchmarks/run_boot_bench.
 */
int32_t vc_instructions(uint64_t *count);

/*
 * Memory objects: shared memory a component makes, maps and hands to
 * another component in a message's handle field ((viper.handle) fields).
 * The same calls work in a process, in the kernel and on the host; the
 * results are the same in every placement. Functions return VIPER_OK or a
 * negative viper error.
 *
 * A handle put in a request moves to the provider with the call, even when
 * the method then fails: afterwards the caller must neither use nor close
 * it (in another process or the kernel it no longer exists; co-located,
 * the provider owns it). A mapping stays valid after its handle is closed
 * or moved, until vc_memory_unmap: map before you give the handle away to
 * keep access to the memory.
 */

/* The largest memory object: the kernel's limit. */
#define VC_MEMORY_MAX (64ull << 20)

/*
 * Makes a zeroed memory object of `size` bytes, rounded up to whole pages
 * (4096 bytes), and puts a handle to it with every right a component needs
 * (read, write, map, transfer, derive) in *memory. Errors: VIPER_E_INVAL
 * for a size of 0 or over VC_MEMORY_MAX, VIPER_E_NOMEM, VIPER_E_LIMIT when
 * the handle table is full.
 */
int32_t vc_memory_create(uint64_t size, viper_handle_t *memory);

/*
 * The size in bytes (a whole number of pages) of the object `memory`
 * names. Errors: VIPER_E_BADHANDLE when `memory` is not a live handle
 * (never issued, forged, closed or moved away), VIPER_E_KIND when it names
 * something other than a memory object.
 */
int32_t vc_memory_size(viper_handle_t memory, uint64_t *size);

/*
 * Maps the whole object readable and writable: its address goes to *p and
 * its size to *size. Each call makes a new mapping. Errors: those of
 * vc_memory_size, VIPER_E_RIGHTS when the handle may not map, read or
 * write, VIPER_E_LIMIT when the address space has no room for another
 * mapping, VIPER_E_NOMEM.
 */
int32_t vc_memory_map(viper_handle_t memory, void **p, uint64_t *size);

/*
 * Removes a mapping that vc_memory_map made, given its address and size.
 * Errors: VIPER_E_NOTFOUND when no mapping starts at `p`, VIPER_E_INVAL
 * when `size` is not its size. Using the memory afterwards is a fault.
 */
int32_t vc_memory_unmap(void *p, uint64_t size);

/*
 * Maps the pages of `memory` that hold bytes [offset, offset + length)
 * with `prot` (VIPER_PROT_READ, optionally | VIPER_PROT_WRITE); *p is the
 * address of byte `offset`. vc_memory_unmap_range(p, length) removes it.
 * Errors: VIPER_E_INVAL for a length of 0 or other prot bits,
 * VIPER_E_RANGE when the bytes are not all in the object, and
 * vc_memory_map's errors. On the host, rights are not checked.
 */
int32_t vc_memory_map_range(viper_handle_t memory, uint64_t offset, uint64_t length, uint32_t prot,
			    void **p);
int32_t vc_memory_unmap_range(void *p, uint64_t length);

/*
 * A new handle to the object `h` names with only `rights` (enum
 * viper_right), which must be a subset of h's, in *out. Errors:
 * VIPER_E_BADHANDLE, VIPER_E_RIGHTS (more than h has, or h may not be
 * derived), VIPER_E_LIMIT. On the host, rights are not tracked.
 */
int32_t vc_handle_derive(viper_handle_t h, uint32_t rights, viper_handle_t *out);

/*
 * Closes a handle (of any kind). The object lives on while other handles
 * or mappings hold it. Errors: VIPER_E_BADHANDLE when it is not a live
 * handle.
 */
int32_t vc_handle_close(viper_handle_t handle);

/*
 * DMA: the physical address of byte `offset` of a granted region, for a
 * device's descriptors: VIPER_OK and *phys, or VIPER_E_RANGE when `offset`
 * is not inside it. The same in every placement (no system call).
 */
static inline int32_t vc_dma_phys(const struct viper_dma *dma, uint64_t offset, uint64_t *phys)
{
	if (!dma->virt || offset >= dma->size)
		return VIPER_E_RANGE;
	if (dma->contiguous)
		*phys = dma->phys + offset;
	else
		*phys = dma->pages[offset / VIPER_PAGE_SIZE] + offset % VIPER_PAGE_SIZE;
	return VIPER_OK;
}

/*
 * How many bytes from `offset` on are physically contiguous (to the end
 * of a contiguous region; in a scatter-gather one, to the end of the run of
 * pages that follow each other): the longest piece one descriptor can
 * cover. 0 when `offset` is not inside the region.
 */
static inline uint64_t vc_dma_span(const struct viper_dma *dma, uint64_t offset)
{
	uint64_t page, end;

	if (!dma->virt || offset >= dma->size)
		return 0;
	if (dma->contiguous)
		return dma->size - offset;
	page = offset / VIPER_PAGE_SIZE;
	end = page + 1;
	while (end * VIPER_PAGE_SIZE < dma->size &&
	       dma->pages[end] == dma->pages[end - 1] + VIPER_PAGE_SIZE)
		end++;
	return end * VIPER_PAGE_SIZE - offset;
}

/*
 * The kernel's own answer for byte `offset` of memory object `memory`
 * (memory_physical): to check a region's addresses, or for memory an
 * instance made or received with VIPER_RIGHT_DMA. Errors: VIPER_E_RIGHTS
 * without VIPER_RIGHT_DMA (every demand-zero object), VIPER_E_RANGE past
 * its end, VIPER_E_BADHANDLE, VIPER_E_KIND. On the host: the made-up
 * addresses of host DMA regions.
 */
int32_t vc_memory_physical(viper_handle_t memory, uint64_t offset, uint64_t *phys);

/*
 * Programs from ELF files (a shell's Run), through the spawn capability
 * (env->spawn). `offered` are the connections the caller can give: the
 * program gets, as its startup handles, those of the slots it declares
 * (VIPER_PROGRAM_SLOTS, matched by slot name and interface) in its
 * declaration order, then `extra` (a memory object, read and map rights
 * only) when not VIPER_HANDLE_INVALID. The program's handles are derived
 * from the caller's: closing one revokes the program's copy, so keep
 * `extra` open until the program has ended. vc_program_start returns VIPER_OK
 * and the process handle, or an error with `why` in words: VIPER_E_NOTFOUND
 * for a slot the program needs and the caller does not offer,
 * VIPER_E_CORRUPT for a file that is not a valid program, the kernel's
 * refusals. Only in processes: VIPER_E_UNSUPPORTED in the kernel; on the
 * host, viper_host_fakes' hooks.
 */
struct vc_program_slot {
	const char *slot;
	const char *interface;
	viper_handle_t handle; /* the caller's connection: the program gets a derived one */
};

struct vc_program_launch {
	const char *name;     /* the process's, 1..31 bytes */
	viper_handle_t image; /* a memory object holding the ELF file */
	uint64_t image_size;
	const struct vc_program_slot *offered;
	uint32_t offered_count;
	viper_handle_t extra;
	uint64_t argument;
};

int32_t vc_program_start(viper_handle_t spawn, const struct vc_program_launch *l,
			 viper_handle_t *process, char *why, size_t why_size);

/* Waits for a process to end (process_wait): VIPER_OK and its exit status, or the error. */
int32_t vc_process_wait(viper_handle_t process, int64_t *status, int64_t timeout_ns);

/* Ends a process with `status` (process_kill). */
int32_t vc_process_kill(viper_handle_t process, int64_t status);

/*
 * Interrupts of a granted device (struct viper_device.irq): wait until the
 * line fires (VIPER_OK, VIPER_E_TIMEOUT, VIPER_E_CLOSED; timeout_ns as in
 * irq_wait), then acknowledge it once the device no longer asserts it.
 */
int32_t vc_irq_wait(viper_handle_t irq, int64_t timeout_ns);
int32_t vc_irq_ack(viper_handle_t irq);

/*
 * Notifications: a channel used only for its notification word, to wake
 * another party without a message. vc_channel_create makes both ends (the
 * receive end can be passed on in a reply's handle field); vc_notify ORs
 * `bits` (non-zero, bits 0-62) into it and never blocks (VIPER_E_PEERCLOSED
 * when the receive end is gone); vc_notified_wait waits until bits are
 * pending and takes them: the bits (> 0), or VIPER_E_TIMEOUT,
 * VIPER_E_PEERCLOSED when no send end is left and nothing is pending, or
 * another error. timeout_ns: VIPER_TIMEOUT_NONE waits for ever.
 */
int32_t vc_channel_create(viper_handle_t *send, viper_handle_t *recv);
int32_t vc_notify(viper_handle_t send, uint64_t bits);
int64_t vc_notified_wait(viper_handle_t recv, int64_t timeout_ns);

/*
 * The caller's own handles (handle_list): up to `max` entries in `out`, and
 * in *total how many there are. Needs no capability.
 */
int32_t vc_handle_list(struct viper_handle_entry *out, uint32_t max, uint32_t *total);

/*
 * Through the system capability (env->system; docs/syscalls.md): a summary
 * (read right), the processes and one process's handles (read right; up to
 * `max` entries, *total how many there are), stopping a process (write
 * right; it ends with VIPER_EXIT_KILLED and its supervisor decides).
 */
int32_t vc_system_info(viper_handle_t system, struct viper_system_info *info);
int32_t vc_system_processes(viper_handle_t system, struct viper_process_entry *out, uint32_t max,
			    uint32_t *total);
int32_t vc_system_handles(viper_handle_t system, uint64_t koid, struct viper_handle_entry *out,
			  uint32_t max, uint32_t *total);
int32_t vc_system_kill(viper_handle_t system, uint64_t koid);

/* Copy and compare helpers: the compiler's, which every environment links. */
static inline void *vc_memcpy(void *dst, const void *src, size_t n)
{
	return __builtin_memcpy(dst, src, n);
}

static inline void *vc_memset(void *dst, int c, size_t n)
{
	return __builtin_memset(dst, c, n);
}

static inline int vc_memcmp(const void *a, const void *b, size_t n)
{
	return __builtin_memcmp(a, b, n);
}

static inline size_t vc_strlen(const char *s)
{
	return __builtin_strlen(s);
}

static inline int vc_strcmp(const char *a, const char *b)
{
	return __builtin_strcmp(a, b);
}

#endif
