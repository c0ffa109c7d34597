/* The CPU hooks: halting, breakpoints, the cycle counter and the model name. */
#include <kernel/errno.h>
#include <kernel/arch.h>
#include <kernel/printk.h>

#include "aarch64.h"

#define PMCR_E (1u << 0)
#define PMCR_D (1u << 3)
#define PMCR_LC (1u << 6)
#define PMCNTEN_CYCLES (1u << 31)
#define PMUSERENR_CR (1u << 2)

static bool have_pmu;

/*
 * Starts PMCCNTR_EL0 counting every cycle at EL1 and EL0 (PMCCFILTR_EL0 = 0),
 * in 64 bits, and lets EL0 read it (only it: PMUSERENR_EL0.CR). QEMU's TCG
 * counts it at 1 GHz of virtual time, which under -icount shift=0 is one per
 * retired instruction.
 */
void pmu_init(void)
{
	unsigned ver = (read_sysreg(id_aa64dfr0_el1) >> 8) & 0xf;

	have_pmu = ver != 0 && ver != 0xf;
	if (!have_pmu)
		return;
	write_sysreg(pmccfiltr_el0, 0);
	write_sysreg(pmcr_el0, (read_sysreg(pmcr_el0) | PMCR_E | PMCR_LC) & ~(uint64_t)PMCR_D);
	write_sysreg(pmcntenset_el0, PMCNTEN_CYCLES);
	write_sysreg(pmuserenr_el0, PMUSERENR_CR);
	isb();
}

noreturn void arch_halt(void)
{
	__asm__ volatile("msr daifset, #0xf");
	for (;;)
		__asm__ volatile("wfi");
}

void arch_wait_for_interrupt(void)
{
	__asm__ volatile("wfi" ::: "memory");
}

void arch_breakpoint(void)
{
	__asm__ volatile("brk #0" ::: "memory");
}

/* Without a PMU, the generic timer at least keeps time. */
uint64_t arch_cycles(void)
{
	if (have_pmu)
		return read_sysreg(pmccntr_el0);
	return read_sysreg(cntvct_el0);
}

static const char *arm_part(unsigned part)
{
	switch (part) {
	case 0xd03: return "Cortex-A53";
	case 0xd04: return "Cortex-A35";
	case 0xd05: return "Cortex-A55";
	case 0xd07: return "Cortex-A57";
	case 0xd08: return "Cortex-A72";
	case 0xd09: return "Cortex-A73";
	case 0xd0b: return "Cortex-A76";
	case 0xd0c: return "Neoverse-N1";
	case 0xd40: return "Neoverse-V1";
	case 0xd41: return "Cortex-A78";
	case 0xd47: return "Cortex-A710";
	case 0xd49: return "Neoverse-N2";
	}
	return NULL;
}

const char *arch_cpu_model(void)
{
	static char buf[64];
	uint64_t midr = read_sysreg(midr_el1);
	unsigned implementer = (midr >> 24) & 0xff, part = (midr >> 4) & 0xfff;
	const char *name = implementer == 0x41 ? arm_part(part) : NULL;

	/* Implementer 0 is reserved for software models such as QEMU's "max". */
	if (name)
		ksnprintf(buf, sizeof(buf), "%s (MIDR %#010lx)", name, midr);
	else if (implementer == 0)
		ksnprintf(buf, sizeof(buf), "software model, part %#x (MIDR %#010lx)", part, midr);
	else
		ksnprintf(buf, sizeof(buf), "implementer %#x part %#x (MIDR %#010lx)", implementer,
			  part, midr);
	return buf;
}


void arch_idle(void)
{
	/* wfi wakes on a pending interrupt even while masked; unmasking then takes it. */
	__asm__ volatile("wfi; msr daifclr, #2; isb; msr daifset, #2" ::: "memory");
}

void arch_set_this_cpu(struct cpu *c)
{
	write_sysreg(tpidr_el1, (uint64_t)c);
}

int arch_ioport_access(uint64_t port, uint64_t width, uint64_t *value, bool write)
{
	(void)port, (void)width, (void)value, (void)write;
	return -ENOSYS;	/* no port I/O on this architecture */
}

int arch_io_supported(void)
{
	return -EOPNOTSUPP;	/* no I/O port space on this architecture */
}
