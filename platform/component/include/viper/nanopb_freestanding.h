/*
 * What nanopb's pb.h needs from the system, for code without a C library
 * (the kernel): nanopb is built there with
 * PB_SYSTEM_HEADER=<viper/nanopb_freestanding.h>. The compiler's own headers
 * exist freestanding; the string functions come from the kernel
 * (platform/kernel/src/string.c).
 */
#ifndef VIPER_NANOPB_FREESTANDING_H
#define VIPER_NANOPB_FREESTANDING_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

#endif
