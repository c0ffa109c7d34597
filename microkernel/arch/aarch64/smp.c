/* Secondary CPUs: started through PSCI CPU_ON at head.S's secondary_entry. */
#include <kernel/cpu.h>
#include <kernel/errno.h>
#include <kernel/string.h>

#include "aarch64.h"

#define PSCI_CPU_ON 0xc4000003u

enum conduit { CONDUIT_NONE, CONDUIT_HVC, CONDUIT_SMC };
static enum conduit conduit;

/* What secondary_entry loads once its MMU is on; laid out as head.S reads it. */
struct start_args {
	void *stack_top;
	struct cpu *cpu;
};
static struct start_args start_args[MAX_CPUS];

extern char secondary_entry[];

void psci_init(const char *method)
{
	if (method && strcmp(method, "hvc") == 0)
		conduit = CONDUIT_HVC;
	else if (method && strcmp(method, "smc") == 0)
		conduit = CONDUIT_SMC;
}

/* Before SMCCC 1.1, a call may change x4-x17 as well. */
#define SMCCC_CLOBBERS                                                                             \
	"x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16",       \
	    "x17", "memory"

/* A PSCI call (SMC Calling Convention: function id and arguments in x0-x3, result in x0). */
static int64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn, x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2, x3 __asm__("x3") = a3;

	if (conduit == CONDUIT_HVC)
		__asm__ volatile("hvc #0"
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 :
				 : SMCCC_CLOBBERS);
	else
		__asm__ volatile("smc #0"
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 :
				 : SMCCC_CLOBBERS);
	return (int64_t)x0;
}

int arch_cpu_start(struct cpu *c, void *stack_top)
{
	if (conduit == CONDUIT_NONE)
		return -ENOSYS;
	start_args[c->id] = (struct start_args){stack_top, c};
	int64_t err = psci_call(PSCI_CPU_ON, c->arch_id, kernel_pa(secondary_entry),
				(uint64_t)&start_args[c->id]);
	switch (err) {
	case 0: return 0;
	case -2: return -EINVAL; /* INVALID_PARAMETERS: no such CPU */
	case -4:
	case -5: return -EBUSY; /* ALREADY_ON, ON_PENDING */
	}
	return -EIO;
}

/* Called by head.S on the CPU's own stack, with the MMU on and interrupts masked. */
noreturn void aarch64_secondary(struct cpu *c)
{
	mmu_drop_identity();
	pmu_init();
	gic_cpu_init();
	cpu_secondary_entry(c);
}
