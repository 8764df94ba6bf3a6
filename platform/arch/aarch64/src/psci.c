#include <arch/psci.h>

#include <arch/sysreg.h>

enum {
	PSCI_VERSION = 0x84000000,
	PSCI_SYSTEM_OFF = 0x84000008,
	PSCI_CPU_ON = 0xc4000003,
};

static enum psci_conduit conduit;

static int64_t call(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	switch (conduit) {
	case PSCI_HVC:
		return psci_hvc(fid, a1, a2, a3);
	case PSCI_SMC:
		return psci_smc(fid, a1, a2, a3);
	case PSCI_NONE:
		break;
	}
	return -1; /* NOT_SUPPORTED */
}

void psci_init(enum psci_conduit c)
{
	conduit = c;
}

uint32_t psci_version(void)
{
	int64_t v = call(PSCI_VERSION, 0, 0, 0);

	return v < 0 ? 0 : (uint32_t)v;
}

void psci_system_off(void)
{
	irq_disable_local();
	(void)call(PSCI_SYSTEM_OFF, 0, 0, 0);
	for (;;)
		wfi();
}

int64_t psci_cpu_on(uint64_t mpidr, uint64_t entry_pa, uint64_t context)
{
	return call(PSCI_CPU_ON, mpidr, entry_pa, context);
}
