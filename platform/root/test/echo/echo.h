/*
 * A hand-written test interface for the root task's QEMU test (no
 * generator involved): method 1 echoes the body, method 2 crashes the
 * server. Interface id 99.
 */
#ifndef ROOT_TEST_ECHO_H
#define ROOT_TEST_ECHO_H

#include <viper/component.h>

#define ECHO_INTERFACE_ID 99u
#define ECHO_METHOD_ECHO  1u
#define ECHO_METHOD_CRASH 2u

extern const struct viper_interface echo_interface;

#endif
