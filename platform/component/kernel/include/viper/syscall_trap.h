/*
 * How a kernel-placed component makes a system call: straight into the
 * kernel's dispatcher on its kernel thread (kthread_syscall in
 * platform/kernel/src/kthread.c), with the same arguments and results as svc
 * from a process. Replaces platform/user's header of the same name in
 * kernel builds, so viper/syscall.h serves both.
 */
#ifndef VIPER_SYSCALL_TRAP_H
#define VIPER_SYSCALL_TRAP_H

#include <stdint.h>

int64_t kthread_syscall(uint64_t n, const uint64_t args[6], uint64_t regs[7]);

static inline int64_t viper_syscall6(uint64_t n, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
				     uint64_t a4, uint64_t a5)
{
	const uint64_t args[6] = {a0, a1, a2, a3, a4, a5};

	return kthread_syscall(n, args, 0);
}

static inline int64_t viper_syscall_short(uint64_t n, uint64_t a0, uint64_t *a1,
					  struct viper_short_msg *m)
{
	const uint64_t args[6] = {a0, *a1, m->words[0], m->words[1], m->words[2], m->words[3]};
	uint64_t regs[7] = {*a1,	 m->words[0], m->words[1], m->words[2],
			    m->words[3], m->words[4], m->words[5]};
	int64_t r = kthread_syscall(n, args, regs);

	if (r >= 0) {
		*a1 = regs[0];
		for (unsigned i = 0; i < 6; i++)
			m->words[i] = regs[1 + i];
	}
	return r;
}

#endif
