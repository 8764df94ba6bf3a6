/*
 * How a process makes a system call: svc #0 with the call number in x8 and
 * arguments in x0-x5 (the short-message calls also use x1-x7 both ways).
 * Included by viper/syscall.h; kernel-placed components get the kernel's
 * version of this header instead.
 */
#ifndef VIPER_SYSCALL_TRAP_H
#define VIPER_SYSCALL_TRAP_H

#include <stdint.h>

static inline int64_t viper_syscall6(uint64_t n, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
				     uint64_t a4, uint64_t a5)
{
	register uint64_t x0 __asm__("x0") = a0;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;
	register uint64_t x4 __asm__("x4") = a4;
	register uint64_t x5 __asm__("x5") = a5;
	register uint64_t x8 __asm__("x8") = n;

	__asm__ volatile("svc #0"
			 : "+r"(x0)
			 : "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5), "r"(x8)
			 : "memory");
	return (int64_t)x0;
}

/* The system call behind the short-message calls: x1 and x2-x7 go in and come back. */
static inline int64_t viper_syscall_short(uint64_t n, uint64_t a0, uint64_t *a1,
					  struct viper_short_msg *m)
{
	register uint64_t x0 __asm__("x0") = a0;
	register uint64_t x1 __asm__("x1") = *a1;
	register uint64_t x2 __asm__("x2") = m->words[0];
	register uint64_t x3 __asm__("x3") = m->words[1];
	register uint64_t x4 __asm__("x4") = m->words[2];
	register uint64_t x5 __asm__("x5") = m->words[3];
	register uint64_t x6 __asm__("x6") = m->words[4];
	register uint64_t x7 __asm__("x7") = m->words[5];
	register uint64_t x8 __asm__("x8") = n;

	__asm__ volatile("svc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5), "+r"(x6),
			   "+r"(x7)
			 : "r"(x8)
			 : "memory");
	if ((int64_t)x0 >= 0) {
		*a1 = x1;
		m->words[0] = x2;
		m->words[1] = x3;
		m->words[2] = x4;
		m->words[3] = x5;
		m->words[4] = x6;
		m->words[5] = x7;
	}
	return (int64_t)x0;
}

#endif
