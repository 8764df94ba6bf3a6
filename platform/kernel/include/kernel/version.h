/* The kernel's version, printed in the boot banner and by the monitor. */
#ifndef KERNEL_VERSION_H
#define KERNEL_VERSION_H

#define VIPEROS_NAME	"ViperOS"
#define VIPEROS_VERSION "0.1.0"

#endif
