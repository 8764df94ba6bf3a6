/*
 * A launcher for programs that are not in the boot image: viper_spawn_image
 * starts the ELF file in a memory object (process_spawn_image) with its
 * declared slots bound to connections and sessions the caller holds
 * (viper/program_slots.h), and says in words what was wrong when it cannot:
 * a slot the caller did not give, a slot the program does not have, a
 * handle of the wrong kind or interface, a file that is not a valid
 * program, or what the kernel refused.
 */
#ifndef VIPER_SPAWN_IMAGE_H
#define VIPER_SPAWN_IMAGE_H

#include <stdint.h>

#include <viper/abi.h>
#include <viper/program_slots.h>

/* One slot the caller binds: a channel send end it holds (a connection or a session). */
struct viper_slot_grant {
	const char *slot;      /* the program's slot name */
	const char *interface; /* the interface the handle serves; NULL: not checked */
	viper_handle_t handle; /* the caller's; it keeps it, the child gets a derived one */
	uint32_t rights;       /* the child's rights on it; 0: VIPER_RIGHT_WRITE (calls) */
};

struct viper_image_launch {
	const char *name;     /* the process's name, 1-31 bytes */
	viper_handle_t image; /* a memory object with the ELF file (read and map rights) */
	uint64_t image_size;  /* the file's bytes */
	const struct viper_slot_grant *slots;
	uint32_t slot_count;
	/* More handles, after the slots (a spawn capability, a memory object, ...). */
	const struct viper_spawn_grant *extra;
	uint32_t extra_count;
	uint32_t priority;
	uint64_t argument;
	const struct viper_quota *quota; /* NULL: the defaults */
};

/* Why a launch failed, in words: one line without a newline. */
struct viper_launch_error {
	char text[192];
};

/*
 * Starts `l->image` through spawn capability `spawn` with its declared
 * slots, in declaration order, then `l->extra`, as its startup handles.
 * Returns the process handle, or a negative error with `why` (may be NULL)
 * saying what was wrong:
 *   VIPER_E_NOTFOUND: the program declares a slot `l->slots` does not bind
 *     ("program X needs slot 'console' (interface console), which you did
 *     not give");
 *   VIPER_E_INVAL: a binding names a slot the program does not declare, or
 *     an interface other than the slot's;
 *   VIPER_E_KIND: a slot is bound to something other than a channel send end;
 *   VIPER_E_CORRUPT: the file is not a valid program (its slot note, or
 *     the kernel's checks of the ELF file);
 *   VIPER_E_TOOBIG: more than VIPER_SPAWN_MAX_GRANTS handles in all;
 *   anything else process_spawn_image, memory_map or handle_query refused.
 */
int64_t viper_spawn_image(viper_handle_t spawn, const struct viper_image_launch *l,
			  struct viper_launch_error *why);

/* The name of a viper error ("E_CORRUPT"), or "error" for an unknown value. */
const char *viper_error_name(int64_t error);

#endif
