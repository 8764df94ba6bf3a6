/*
 * How a process makes a system call: svc #0 with the call number in x8 and
 * arguments in x0-x5, or svc #N for call N, which the IPC fast path's calls
 * use (channel_call svc #19, channel_reply_recv #37, and the short-message
 * calls #38 and #39, which use x1-x17 both ways).
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

/*
 * The IPC fast path's calls with buffers: svc #19 and #37, arguments in
 * x0-x2. viper_syscall_fast(VIPER_SYS_X, ...) names the one for call X.
 */
#define viper_syscall_fast(n, a0, a1, a2) viper_syscall_fast_##n(a0, a1, a2)

#define VIPER_FAST_SYSCALL(name, number)                                                           \
	static inline int64_t name(uint64_t a0, uint64_t a1, uint64_t a2)                          \
	{                                                                                          \
		register uint64_t x0 __asm__("x0") = a0;                                           \
		register uint64_t x1 __asm__("x1") = a1;                                           \
		register uint64_t x2 __asm__("x2") = a2;                                           \
                                                                                                   \
		__asm__ volatile("svc #" #number : "+r"(x0) : "r"(x1), "r"(x2) : "memory");        \
		return (int64_t)x0;                                                                \
	}

_Static_assert(VIPER_SYS_CHANNEL_CALL == 19 && VIPER_SYS_CHANNEL_REPLY_RECV == 37,
	       "the svc immediates below");
VIPER_FAST_SYSCALL(viper_syscall_fast_VIPER_SYS_CHANNEL_CALL, 19)
VIPER_FAST_SYSCALL(viper_syscall_fast_VIPER_SYS_CHANNEL_REPLY_RECV, 37)

/*
 * The system calls behind the short-message calls. Their number is the svc
 * immediate (svc #38, svc #39), which leaves x8 free: x1 and the message in
 * x2-x17 go in and come back. viper_syscall_short(VIPER_SYS_X, ...) names
 * the one for call X.
 */
#define viper_syscall_short(n, a0, a1, m) viper_syscall_short_##n(a0, a1, m)

/*
 * x2-x7 are register variables (a caller that keeps its message in
 * registers keeps it there); x8-x17 move between *m and the registers inside
 * the asm, and only for a message of more than 48 bytes: the one sent
 * (`out_len`) before the svc and the one received (x0, when not an error)
 * after it. Given as register variables too, the compiler spills their
 * addresses.
 */
#define VIPER_SHORT_SYSCALL(name, number, out_len)                                                 \
	static inline int64_t name(uint64_t a0, uint64_t *a1, struct viper_short_msg *m)           \
	{                                                                                          \
		register uint64_t x0 __asm__("x0") = a0;                                           \
		register uint64_t x1 __asm__("x1") = *a1;                                          \
		register uint64_t x2 __asm__("x2") = m->words[0];                                  \
		register uint64_t x3 __asm__("x3") = m->words[1];                                  \
		register uint64_t x4 __asm__("x4") = m->words[2];                                  \
		register uint64_t x5 __asm__("x5") = m->words[3];                                  \
		register uint64_t x6 __asm__("x6") = m->words[4];                                  \
		register uint64_t x7 __asm__("x7") = m->words[5];                                  \
		uint64_t sent = (out_len);                                                         \
                                                                                                   \
		__asm__ volatile("cmp %[sent], #48\n\t"                                            \
				 "b.ls 2f\n\t"                                                     \
				 "ldp x8, x9, [%[m], #48]\n\t"                                     \
				 "ldp x10, x11, [%[m], #64]\n\t"                                   \
				 "ldp x12, x13, [%[m], #80]\n\t"                                   \
				 "ldp x14, x15, [%[m], #96]\n\t"                                   \
				 "ldp x16, x17, [%[m], #112]\n"                                    \
				 "2:\n\t"                                                          \
				 "svc #" #number "\n\t"                                            \
				 "cmp x0, #48\n\t"                                                 \
				 "b.le 1f\n\t" /* an error (negative) or at most 48 bytes */       \
				 "stp x8, x9, [%[m], #48]\n\t"                                     \
				 "stp x10, x11, [%[m], #64]\n\t"                                   \
				 "stp x12, x13, [%[m], #80]\n\t"                                   \
				 "stp x14, x15, [%[m], #96]\n\t"                                   \
				 "stp x16, x17, [%[m], #112]\n"                                    \
				 "1:"                                                              \
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5),     \
				   "+r"(x6), "+r"(x7)                                              \
				 : [m] "r"(m), [sent] "r"(sent)                                    \
				 : "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16",    \
				   "x17", "cc", "memory");                                         \
		if ((int64_t)x0 >= 0) {                                                            \
			*a1 = x1;                                                                  \
			m->words[0] = x2;                                                          \
			m->words[1] = x3;                                                          \
			m->words[2] = x4;                                                          \
			m->words[3] = x5;                                                          \
			m->words[4] = x6;                                                          \
			m->words[5] = x7;                                                          \
		}                                                                                  \
		return (int64_t)x0;                                                                \
	}

_Static_assert(VIPER_SYS_CHANNEL_CALL_SHORT == 38 && VIPER_SYS_CHANNEL_REPLY_RECV_SHORT == 39,
	       "the svc immediates below");
_Static_assert(VIPER_SHORT_MSG_BYTES == 16 * 8, "x2-x17");
VIPER_SHORT_SYSCALL(viper_syscall_short_VIPER_SYS_CHANNEL_CALL_SHORT, 38, *a1)
VIPER_SHORT_SYSCALL(viper_syscall_short_VIPER_SYS_CHANNEL_REPLY_RECV_SHORT, 39, *a1 >> 32)

#endif
