/* PSCI: the firmware interface for powering CPUs and the system on and off. */
#ifndef ARCH_PSCI_H
#define ARCH_PSCI_H

#include <stdint.h>

#include <kernel/board.h>

/* Chooses the conduit (HVC or SMC) named by the device tree. */
void psci_init(enum psci_conduit conduit);

/* PSCI version as major << 16 | minor; 0 when there is no PSCI. */
uint32_t psci_version(void);

/* Powers the machine off (QEMU exits). Halts the CPU if PSCI is missing. */
_Noreturn void psci_system_off(void);

/*
 * Starts the CPU with affinity `mpidr` at physical `entry_pa` with x0 =
 * `context`. 0 on success, else a negative PSCI status.
 */
int64_t psci_cpu_on(uint64_t mpidr, uint64_t entry_pa, uint64_t context);

/* The assembly stubs in entry.S. */
int64_t psci_hvc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3);
int64_t psci_smc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3);

#endif
