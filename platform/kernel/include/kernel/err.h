/*
 * The kernel's error type: 0 for success or a negative enum viper_error.
 * Functions returning err_t are marked MUST_CHECK so a caller cannot drop an
 * error silently.
 */
#ifndef KERNEL_ERR_H
#define KERNEL_ERR_H

#include <viper/abi.h>

typedef int err_t;

#define MUST_CHECK __attribute__((warn_unused_result))

/* Names an error code for reports ("E_INVAL"); never NULL. */
const char *err_name(err_t err);

#endif
