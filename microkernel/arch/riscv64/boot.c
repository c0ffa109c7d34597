/* riscv_boot: from the switch to the higher half to kmain, with the boot information in place. */
#include <kernel/arch.h>
#include <kernel/boot.h>
#include <kernel/fdt.h>
#include <kernel/mm.h>
#include <kernel/panic.h>
#include <arch/riscv.h>

/* The blob's header gives its size; this bound only rejects nonsense. */
#define FDT_MAX_SIZE MiB(64)

extern char __kernel_start[], __kernel_end[];

/* Depth-first; the depth bound keeps a corrupt tree from recursing without end. */
static int find_below(const struct fdt *f, int node, const char *compat, int depth)
{
	int child = FDT_NONE, found = FDT_NONE;

	while (depth < 16 && found == FDT_NONE &&
	       (child = fdt_next_child(f, node, child)) != FDT_NONE) {
		if (fdt_is_compatible(f, child, compat) && fdt_is_enabled(f, child))
			return child;
		found = find_below(f, child, compat, depth + 1);
	}
	return found;
}

int riscv_fdt_find(const struct fdt *f, const char *compat)
{
	return find_below(f, 0, compat, 0);
}

/* OpenSBI boots whichever hart wins its lottery: the CPU records count from that one. */
static void set_boot_cpu(unsigned long hartid)
{
	for (unsigned i = 0; i < boot_info.ncpus; i++)
		if (boot_info.cpu_arch_id[i] == hartid)
			boot_info.boot_cpu = i;
}

noreturn void riscv_boot(unsigned long hartid, paddr_t dtb)
{
	struct fdt fdt;

	riscv_drop_identity();
	/* Until console_init() finds the UART, the console goes through SBI. */
	if (fdt_init(&fdt, phys_to_virt(dtb), FDT_MAX_SIZE) < 0)
		panic("no valid device tree at %#lx", dtb);
	console_init(&fdt);

	boot_info.loader = "QEMU -kernel (RISC-V Image)";
	boot_info.firmware = sbi_firmware_name();
	fdt_fill_boot_info(&fdt, dtb);
	boot_add_region(kernel_phys, (uint64_t)(__kernel_end - __kernel_start), MEM_KERNEL);
	set_boot_cpu(hartid);
	cpu_model_init(&fdt, hartid);
	time_init(&fdt);
	plic_init(&fdt);
	riscv_hart_init(hartid);
	kmain();
}
