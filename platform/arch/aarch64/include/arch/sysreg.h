/* Access to AArch64 system registers by name. */
#ifndef ARCH_SYSREG_H
#define ARCH_SYSREG_H

#include <stdint.h>

#define read_sysreg(reg)                                                                           \
	__extension__({                                                                            \
		uint64_t value_;                                                                   \
		__asm__ volatile("mrs %0, " #reg : "=r"(value_));                                  \
		value_;                                                                            \
	})

#define write_sysreg(reg, value)                                                                   \
	__asm__ volatile("msr " #reg ", %0" : : "r"((uint64_t)(value)) : "memory")

static inline void isb(void)
{
	__asm__ volatile("isb" : : : "memory");
}

static inline void dsb_sy(void)
{
	__asm__ volatile("dsb sy" : : : "memory");
}

static inline void wfi(void)
{
	__asm__ volatile("wfi" : : : "memory");
}

static inline void irq_enable_local(void)
{
	__asm__ volatile("msr daifclr, #2" : : : "memory");
}

static inline void irq_disable_local(void)
{
	__asm__ volatile("msr daifset, #2" : : : "memory");
}

static inline unsigned cpu_id(void)
{
	return (unsigned)(read_sysreg(mpidr_el1) & 0xff);
}

#endif
