/*
 * What the process host (process_host.c) needs from the process runtime
 * (process_runtime.c) beyond component.h.
 */
#ifndef VIPER_COMPONENT_PROCESS_RUNTIME_H
#define VIPER_COMPONENT_PROCESS_RUNTIME_H

#include <stdint.h>

#include <viper/component.h>

/*
 * The generated interface with id `id`, looked up among the interfaces the
 * components linked into this image provide; NULL when none provides it.
 */
const struct viper_interface *process_interface_find(uint32_t id);

#endif
