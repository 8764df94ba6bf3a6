/*
 * Devices named by kind: a component asks for "a virtio-blk", not for a
 * numbered virtio-mmio slot, whose number depends on the order of QEMU's
 * -device options. At boot the root task (for processes) and the kernel's
 * component host (for kernel-placed instances) read each slot's magic,
 * version and device ID registers and give every such device grant the
 * first free slot, in the manifest's order of virtio_slots, that holds a
 * device of its ID; a grant pinned to a slot is checked to hold one.
 * Portable C without system calls or a C library: the register reads come
 * through a callback, so host tests give a fake board. See
 * docs/system-description.md, "Devices found at boot".
 */
#ifndef ROOT_VIRTIO_SLOTS_H
#define ROOT_VIRTIO_SLOTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <viper/abi.h>

#include "platform/manifest/manifest.pb.h"

/* The registers of a virtio-mmio transport that name what it holds (virtio 1.1, 4.2.2). */
#define VIRTIO_MMIO_MAGIC_VALUE 0x000u
#define VIRTIO_MMIO_VERSION	0x004u
#define VIRTIO_MMIO_DEVICE_ID	0x008u
#define VIRTIO_MMIO_MAGIC	0x74726976u /* "virt", little-endian */

#define VIRTIO_SLOTS_MAX 32u

/* Reads the 32-bit register at `offset` of the virtio-mmio slot at physical `base`. */
typedef uint32_t (*virtio_read32)(void *context, uint64_t base, uint32_t offset);

/*
 * The device ID in the slot at `base`: 0 for an empty slot, and for a
 * region that is no virtio-mmio transport (another magic value, or a
 * version other than 1, legacy, and 2, modern).
 */
uint32_t virtio_slot_probe(virtio_read32 read, void *context, uint64_t base);

/* The manifest's virtio slots (Manifest.virtio_slots, same indexes) as found at boot. */
struct virtio_slots {
	uint32_t device_id[VIRTIO_SLOTS_MAX]; /* what each holds; 0: empty or unknown */
	bool taken[VIRTIO_SLOTS_MAX];	      /* granted, or not the caller's to give */
};

/* Why a device grant of a virtio kind was not resolved. */
enum virtio_problem {
	VIRTIO_RESOLVED = 0,
	VIRTIO_NONE_FREE,    /* no free slot holds a device of the wanted ID */
	VIRTIO_PINNED_OTHER, /* the pinned slot holds another device, or none */
	VIRTIO_PINNED_TAKEN, /* the pinned slot is someone else's already */
	VIRTIO_NOT_A_SLOT,   /* the grant names a base no virtio slot has */
};

struct virtio_failure {
	enum virtio_problem problem;
	uint32_t grant;	      /* 1-based index of the device grant */
	const char *instance; /* the instance the grant is for ("" if none names it) */
	uint32_t wanted;      /* the virtio ID the grant wants */
	const char *slot;     /* pinned: the slot's name */
	uint32_t found;	      /* pinned: the ID its slot holds (0: none) */
};

/*
 * Probes every slot of `m` through `read`, for the caller's own slots
 * (`mine(context, base)` true); the others are taken. Fills `s`.
 */
void virtio_slots_probe(const viper_manifest_Manifest *m, virtio_read32 read,
			bool (*mine)(void *context, uint64_t base), void *context,
			struct virtio_slots *s);

/*
 * Takes the slots the device grants of `p` pin (device_base of a slot),
 * checking those of a virtio kind (virtio_id) hold such a device. Returns
 * VIPER_OK, or VIPER_E_NOTFOUND with `why`. Call it for every process
 * before virtio_slots_resolve, so that grants found at boot never take a
 * slot another process pins.
 */
int32_t virtio_slots_claim(const viper_manifest_Manifest *m, const viper_manifest_Process *p,
			   struct virtio_slots *s, struct virtio_failure *why);

/*
 * Gives each device grant of `p` of a virtio kind without a slot
 * (device_base 0) the first free slot, in manifest order, that holds a
 * device of its ID: writes the slot's name and base into the grant and its
 * line into the IRQ grant right after it, and takes the slot. Returns
 * VIPER_OK, or VIPER_E_NOTFOUND with `why` at the first grant that finds
 * none (earlier ones stay resolved).
 */
int32_t virtio_slots_resolve(const viper_manifest_Manifest *m, viper_manifest_Process *p,
			     struct virtio_slots *s, struct virtio_failure *why);

/*
 * What went wrong, as one line for the console ("instance 'io' needs a
 * virtio-blk device (virtio id 2), but no free virtio-mmio slot holds
 * one"), in `out` (always terminated, cut at `size`).
 */
void virtio_failure_text(const struct virtio_failure *why, char *out, size_t size);

/* The kind a component names for virtio device ID `id` ("virtio-blk"), or "virtio". */
const char *virtio_kind_name(uint32_t id);

/* The index in m->virtio_slots of the slot at `base`, or -1. */
int virtio_slot_at(const viper_manifest_Manifest *m, uint64_t base);

#endif
