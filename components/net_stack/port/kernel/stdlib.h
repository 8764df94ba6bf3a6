/* lwIP includes <stdlib.h> for nothing the kernel lacks; see string.h here. */
#ifndef NET_STACK_KERNEL_STDLIB_H
#define NET_STACK_KERNEL_STDLIB_H

#include <stddef.h>

#endif
