/*
 * The spawn capability (VIPER_OBJ_SPAWN): one kernel object, made at boot,
 * whose handles with the exec right authorise starting processes, from a
 * boot-image program (process_spawn) or from an ELF file in a memory
 * object (process_spawn_image). The root process gets the first handle;
 * it passes derived handles only to the processes the system description
 * grants it (GRANT_SPAWN), so no other process can start anything. It is a
 * kind of its own, not a right of the system object, so that it can be
 * given without the power to inspect or stop every process, and so that
 * handle_query and the authority report name it. It never signals and is
 * never destroyed. Under the big lock.
 */
#ifndef KERNEL_SPAWN_OBJECT_H
#define KERNEL_SPAWN_OBJECT_H

#include <kernel/object.h>

/* The rights of the root process's spawn handle: start, and pass it on. */
#define SPAWN_ROOT_RIGHTS (VIPER_RIGHT_EXEC | VIPER_RIGHT_DERIVE | VIPER_RIGHT_TRANSFER)

/* Registers the kind and makes the spawn object (once, at boot). */
void spawn_init(void);

/* The spawn object; it lives for ever. */
struct kobject *spawn_object(void);

#endif
