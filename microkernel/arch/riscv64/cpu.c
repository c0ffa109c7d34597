/* CPU-level hooks: halting, the breakpoint instruction, the cycle counter and the CPU's name. */
#include <kernel/errno.h>
#include <kernel/arch.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <arch/riscv.h>

static char model[256];

noreturn void arch_halt(void)
{
	csr_clear(sstatus, SSTATUS_SIE);
	for (;;)
		__asm__ volatile("wfi");
}

void arch_wait_for_interrupt(void)
{
	__asm__ volatile("wfi");
}

void arch_breakpoint(void)
{
	__asm__ volatile("ebreak");
}

/* OpenSBI lets S-mode read cycle (mcounteren.CY); under -icount QEMU counts instructions in it. */
uint64_t arch_cycles(void)
{
	uint64_t c;

	__asm__ volatile("rdcycle %0" : "=r"(c));
	return c;
}

/* The ISA string of the boot hart's /cpus node, which QEMU and firmware fill in. */
static const char *boot_hart_isa(const struct fdt *f, unsigned long hartid)
{
	int cpus = fdt_path(f, "/cpus"), cpu = FDT_NONE;
	unsigned ac = fdt_address_cells(f, cpus);

	while ((cpu = fdt_next_child(f, cpus, cpu)) != FDT_NONE) {
		uint32_t rlen, ilen;
		const void *reg = fdt_prop(f, cpu, "reg", &rlen);
		const char *isa = fdt_prop(f, cpu, "riscv,isa", &ilen);
		if (reg && rlen >= 4 * ac && fdt_read_cells(reg, ac) == hartid && isa &&
		    strnlen(isa, ilen) < ilen)
			return isa;
	}
	return "rv64";
}

void cpu_model_init(const struct fdt *f, unsigned long hartid)
{
	ksnprintf(model, sizeof(model), "%s (hart %lu, mvendorid %#lx, marchid %#lx, mimpid %#lx)",
		  boot_hart_isa(f, hartid), hartid, sbi_mvendorid(), sbi_marchid(), sbi_mimpid());
}

const char *arch_cpu_model(void)
{
	return model[0] ? model : "unknown";
}

void arch_idle(void)
{
	/* wfi wakes on a pending interrupt even while masked; unmasking then takes it. */
	__asm__ volatile("wfi; csrs sstatus, %0; csrc sstatus, %0" ::"r"(SSTATUS_SIE) : "memory");
}

void arch_set_this_cpu(struct cpu *c)
{
	__asm__ volatile("mv tp, %0" ::"r"(c) : "memory");
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
