/*
 * The root task's decisions, as portable C without system calls: reading
 * and checking the boot manifest, sorting the handles the kernel gave the
 * root task, choosing the original handle and rights behind every grant of
 * a process, and deciding what an exit means. The root task
 * (platform/root/src/root.c) and every process host
 * (platform/component/src/process_host.c) act on these answers; host tests
 * (platform/root/test) check them. See docs/root-task.md.
 */
#ifndef ROOT_PLAN_H
#define ROOT_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <viper/abi.h>

#include "platform/manifest/manifest.pb.h"

#define PLAN_MAX_SESSIONS 1024u /* sessions one instance may have open (the assembler's) */
/*
 * The manifest's limits come from one place, the max_count bounds of
 * platform/manifest/manifest.proto, through the arrays nanopb makes of them
 * (the assembler reads the same bounds: schema.manifest_limits).
 */
#define PLAN_ARRAY_LEN(a)  (sizeof(a) / sizeof((a)[0]))
#define PLAN_MAX_CHANNELS  PLAN_ARRAY_LEN(((viper_manifest_Manifest *)0)->channels)
#define PLAN_MAX_MEMORIES  PLAN_ARRAY_LEN(((viper_manifest_Manifest *)0)->memories)
#define PLAN_MAX_PROCESSES PLAN_ARRAY_LEN(((viper_manifest_Manifest *)0)->processes)
#define PLAN_MAX_GRANTS	   PLAN_ARRAY_LEN(((viper_manifest_Process *)0)->grants)
#define PLAN_MAX_DEVICES   VIPER_STARTUP_MAX_HANDLES
#define PLAN_MAX_DMA	   PLAN_ARRAY_LEN(((viper_manifest_Manifest *)0)->dma_regions)
/* The kernel's limits on DMA memory: one contiguous block, any memory object. */
#define PLAN_DMA_CONTIGUOUS_MAX (4ull << 20)
#define PLAN_DMA_MAX		(64ull << 20)
#define PLAN_ERROR_BYTES	192u

/* A diagnostic for the console: one line, without the trailing newline. */
struct plan_error {
	char text[PLAN_ERROR_BYTES];
};

/*
 * The capabilities the root task holds: the original of every handle it
 * hands out. A handle of 0 (VIPER_HANDLE_INVALID) means "not held here":
 * for a channel end, the kernel holds it.
 */
struct plan_caps {
	viper_handle_t channel_send[PLAN_MAX_CHANNELS];
	viper_handle_t channel_recv[PLAN_MAX_CHANNELS];
	viper_handle_t memory[PLAN_MAX_MEMORIES];
	/* The DMA regions of processes (the kernel makes its own). */
	viper_handle_t dma[PLAN_MAX_DMA];
	struct plan_device {
		viper_handle_t handle;
		uint64_t base;
		uint64_t size;
	} devices[PLAN_MAX_DEVICES];
	unsigned device_count;
	struct plan_irq {
		viper_handle_t handle;
		uint32_t line;
	} irqs[PLAN_MAX_DEVICES];
	unsigned irq_count;
	/* The system capability (VIPER_OBJ_SYSTEM) the kernel gave the root
	 * task: inspect the system, stop processes; VIPER_HANDLE_INVALID when
	 * it gave none. */
	viper_handle_t system;
	/* The spawn capability (VIPER_OBJ_SPAWN) the kernel gave the root task:
	 * start processes; VIPER_HANDLE_INVALID when it gave none. */
	viper_handle_t spawn;
};

/* One handle to derive for a process: from `source`, with exactly `rights`. */
struct plan_grant_handle {
	viper_handle_t source;
	uint32_t rights;
};

/* What to do after a process exited. */
enum plan_exit_action {
	PLAN_EXIT_FINAL,      /* the exit stands; nothing else happens */
	PLAN_EXIT_LIMIT,      /* the policy asks for a restart, but the limit is reached */
	PLAN_EXIT_RESTART,    /* start the process again */
	PLAN_EXIT_END_SYSTEM, /* an ends_system process ended for good: end with its status */
};

/*
 * Decodes `len` bytes of nanopb-encoded viper.manifest.Manifest into `*m`
 * and checks that every index in it names something that exists (channels,
 * memories, grants, instances), so later steps can index without checks.
 * Returns VIPER_OK, or VIPER_E_CORRUPT with `err` saying what is wrong.
 */
int32_t plan_decode(const uint8_t *bytes, size_t len, viper_manifest_Manifest *m,
		    struct plan_error *err);

/* True for the process record that stands for the kernel (never spawned). */
bool plan_is_kernel(const viper_manifest_Process *p);

/*
 * A process's part of manifest `m` (what its host needs: its record and,
 * per grant, the channel's bulk memory, the memory or the DMA region it
 * names), for process `index`, in *part. The root task encodes it with
 * plan_encode_part into memory the process gets as its last startup
 * handle; the process host reads it back with plan_decode_part, which
 * checks it as plan_decode checks the whole manifest.
 */
void plan_part_of(const viper_manifest_Manifest *m, uint32_t index,
		  viper_manifest_ProcessPart *part);
/* Encodes `part` into out[0, cap): its length, or a negative error. */
int64_t plan_encode_part(const viper_manifest_ProcessPart *part, uint8_t *out, size_t cap);
int32_t plan_decode_part(const uint8_t *bytes, size_t len, viper_manifest_ProcessPart *part,
			 struct plan_error *err);

/* True when the root task makes the channel itself (no end is in the kernel). */
bool plan_root_creates_channel(const viper_manifest_Channel *c);

/*
 * Sorts the root task's startup handles into `caps`: first the board's
 * device regions, each followed by its IRQ line if it has one, and the
 * system capability (caps->system; it follows the devices, but any place
 * among them is accepted), then one
 * channel end per manifest channel whose kernel_end is not NONE, in
 * manifest order (the send end when the provider is in the kernel, the
 * receive end when the client is), each followed by the channel's bulk
 * buffer (a memory object the kernel made) when it has one. The system
 * capability (kind VIPER_OBJ_SYSTEM) and the spawn capability (kind
 * VIPER_OBJ_SPAWN), at most one of each, are taken by their kind wherever
 * they are among them. Fills the device, IRQ, kernel-channel, kernel-made
 * memory, system and spawn entries of `caps` (the rest is left as it
 * was). Returns VIPER_OK, or VIPER_E_CORRUPT with `err` when the handles
 * do not match the manifest, which includes a manifest that grants the
 * system capability to a process when the kernel gave the root none.
 */
int32_t plan_take_startup(const viper_manifest_Manifest *m, const struct viper_startup_handle *h,
			  uint32_t count, struct plan_caps *caps, struct plan_error *err);

/*
 * The rights the root derives for grant `g`: exactly the grant's rights,
 * plus VIPER_RIGHT_TRANSFER, which process_spawn needs to move a handle.
 */
uint32_t plan_grant_rights(const viper_manifest_Grant *g);

/*
 * Fills out[0 .. grants_count) with the original handle and the rights of
 * each grant of process `p`, in grant order (= the child's startup handle
 * order). Returns VIPER_OK, or VIPER_E_NOTFOUND with `err` when the root
 * holds no capability for a grant (a device not on the board, a channel end
 * the kernel keeps, the system capability the kernel did not give).
 */
int32_t plan_process_grants(const viper_manifest_Manifest *m, const viper_manifest_Process *p,
			    const struct plan_caps *caps, struct plan_grant_handle *out,
			    struct plan_error *err);

/*
 * Whether the root task makes DMA region `region`: it is granted to a
 * process. A region of a kernel-placed instance the kernel makes itself.
 */
bool plan_root_makes_dma(const viper_manifest_Manifest *m, uint32_t region);

/* The memory_create flags of a DMA region: contiguous, or pinned (scatter-gather). */
uint32_t plan_dma_flags(const viper_manifest_DmaRegion *d);

/*
 * What follows the exit of process `p` with `status` after `restarts` earlier
 * restarts. RESTART_ON_FAILURE restarts on a non-zero status (which includes
 * VIPER_EXIT_FAULT and VIPER_EXIT_KILLED); RESTART_ALWAYS on any exit;
 * max_restarts 0 means no limit. An ends_system process ends the system
 * only when its exit is final.
 */
enum plan_exit_action plan_on_exit(const viper_manifest_Process *p, uint32_t restarts,
				   int64_t status);

/*
 * Restart back-off. A process that ran for less than PLAN_QUICK_RUN_NS
 * failed quickly: its n-th quick failure in a row delays its restart by
 * PLAN_BACKOFF_FIRST_NS << (n - 1), at most PLAN_BACKOFF_MAX_NS. A longer
 * run resets the count and restarts at once. Returns the delay and updates
 * `*quick_failures`.
 */
#define PLAN_QUICK_RUN_NS     1000000000ull /* 1 s */
#define PLAN_BACKOFF_FIRST_NS 10000000ull   /* 10 ms */
#define PLAN_BACKOFF_MAX_NS   1000000000ull /* 1 s */
uint64_t plan_restart_delay(uint64_t ran_ns, uint32_t *quick_failures);

/* The name of a viper error ("E_PEERCLOSED"), or "error" for an unknown value. */
const char *plan_error_name(int64_t error);

#endif
