#include <arch/pmu.h>

#include <arch/sysreg.h>

enum {
	PMCR_E = 1 << 0, /* enable */
	PMCR_P = 1 << 1, /* reset event counters */
	PMCR_C = 1 << 2, /* reset cycle counter */
	EVENT_INST_RETIRED = 0x08,
	PMUSERENR_EN = 1 << 0, /* EL0 may access the PMU */
	PMUSERENR_CR = 1 << 2, /* EL0 may read the cycle counter */
	PMUSERENR_ER = 1 << 3, /* EL0 may read event counters */
};

void pmu_enable_user_counters(void)
{
	write_sysreg(pmevtyper0_el0, EVENT_INST_RETIRED); /* count at EL0 and EL1 */
	write_sysreg(pmccfiltr_el0, 0);
	write_sysreg(pmcntenset_el0, (1ull << 31) | 1);
	write_sysreg(pmcr_el0, PMCR_E | PMCR_P | PMCR_C);
	write_sysreg(pmuserenr_el0, PMUSERENR_EN | PMUSERENR_CR | PMUSERENR_ER);
	isb();
}

void pmu_deny_user_counters(void)
{
	write_sysreg(pmuserenr_el0, 0);
	isb();
}

uint64_t pmu_instructions(void)
{
	isb();
	return read_sysreg(pmevcntr0_el0);
}
