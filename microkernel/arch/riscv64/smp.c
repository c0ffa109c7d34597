/* Secondary harts (started through SBI HSM) and inter-processor interrupts. */
#include <kernel/cpu.h>
#include <kernel/errno.h>
#include <arch/riscv.h>

/* What secondary_entry (head.S) reads through a1: keep the offsets in step with it. */
struct hart_start {
	void *stack_top; /* offset 0 */
	struct cpu *cpu; /* offset 8 */
};

/* One per CPU, so that a late hart never reads the record of the next one started. */
static struct hart_start starts[MAX_CPUS];

extern char secondary_entry[];

#define ARRIVAL_TIMEOUT_NS 10000000000ull	/* 10 s: a loaded host holds vCPUs back */

void riscv_hart_init(unsigned long hartid)
{
	plic_hart_init(hartid);
	csr_set(sie, SIE_SSIE | SIE_SEIE);
	/* libveridian's vr_cycles() reads cycle in U-mode (OpenSBI already opened it to S-mode). */
	csr_write(scounteren, SCOUNTEREN_CY_TM_IR);
}

/* Called by secondary_entry on the new hart, on its own stack and the kernel's page tables. */
noreturn void riscv_secondary_main(struct cpu *c)
{
	riscv_hart_init(c->arch_id);
	cpu_secondary_entry(c);
}

/* The hart starts with paging off, so it is given the physical address of its entry. */
int arch_cpu_start(struct cpu *c, void *stack_top)
{
	struct hart_start *s = &starts[c->id];

	s->stack_top = stack_top;
	s->cpu = c;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	paddr_t entry = kernel_phys + ((uintptr_t)secondary_entry - KERNEL_VMA);
	if (sbi_hart_start(c->arch_id, entry, (unsigned long)s))
		return -EIO;
	/*
	 * Wait halted between ticks, not spinning: under QEMU's -icount one
	 * thread runs every hart in turn, and a hart spinning with interrupts
	 * masked can starve the one it waits for.
	 */
	uint64_t deadline = arch_time_ns() + ARRIVAL_TIMEOUT_NS;
	while (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE) && arch_time_ns() < deadline)
		arch_idle();
	return c->online ? 0 : -ETIMEDOUT;
}

void arch_send_ipi(struct cpu *target)
{
	sbi_send_ipi(target->arch_id);
}
