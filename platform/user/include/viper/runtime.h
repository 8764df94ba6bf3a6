/*
 * The small user-space runtime every ViperOS program links: start-up
 * (TLS, the startup block), formatted output to the kernel's debug console,
 * threads with their own TLS, and the hooks picolibc needs.
 */
#ifndef VIPER_RUNTIME_H
#define VIPER_RUNTIME_H

#include <stdarg.h>
#include <stdint.h>

#include <viper/abi.h>
#include <viper/syscall.h>

/* The program's entry point, called by the runtime; its result is the exit status. */
int main(const struct viper_startup *startup);

/* printf to the debug console (at most 512 bytes per call). */
int viper_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The startup block the kernel gave this process. */
const struct viper_startup *viper_startup_info(void);

/*
 * The first spawn capability (VIPER_OBJ_SPAWN) among this process's
 * startup handles, or VIPER_HANDLE_INVALID when its parent gave it none:
 * without one a process cannot start processes.
 */
viper_handle_t viper_spawn_capability(void);

/*
 * Starts boot-image program `image` through spawn capability `spawn` at
 * the default priority with `argument`, moving the `count` handles to it.
 * Returns its process handle or a negative error.
 */
int64_t viper_spawn(viper_handle_t spawn, const char *image, uint64_t argument,
		    const viper_handle_t *handles, uint32_t count);

/*
 * Starts a thread running fn(arg) at `priority` with its own 16 KiB stack
 * and TLS, one memory object charged to the process (at most 8 such
 * threads at a time). Returns its handle or a negative error (also the
 * errors of memory_create and memory_map); the memory is freed once
 * viper_thread_join saw the thread end, and kept until the process exits
 * for a thread nobody joins.
 */
int64_t viper_thread_start(void (*fn)(void *), void *arg, uint32_t priority);
int64_t viper_thread_join(viper_handle_t thread, int64_t *status);

#endif
