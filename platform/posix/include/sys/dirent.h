/*
 * Directory entries for <dirent.h> (picolibc's own sys/dirent.h says it is
 * not supported): the POSIX layer's DIR and struct dirent
 * (//platform/posix, src/posix_dirs.c). This directory comes before
 * picolibc's in the include path of programs that use the layer.
 */
#ifndef VIPER_SYS_DIRENT_H
#define VIPER_SYS_DIRENT_H

#include <stdint.h>
#include <sys/types.h>

#define DT_UNKNOWN 0
#define DT_DIR	   4
#define DT_REG	   8
#define DT_LNK	   10

struct dirent {
	ino_t d_ino;
	unsigned char d_type;
	char d_name[108]; /* 1..107 bytes and a NUL */
};

typedef struct viper_dir DIR;

#endif
