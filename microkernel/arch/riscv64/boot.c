/* riscv_boot: from the switch to the higher half to kmain, with the boot information in place. */
#include <kernel/arch.h>
#include <kernel/boot.h>
#include <kernel/fdt.h>
#include <kernel/panic.h>
#include <arch/riscv.h>

/* The blob's header gives its size; this bound only rejects nonsense. */
#define FDT_MAX_SIZE MiB(64)

extern char __kernel_start[], __kernel_end[];

noreturn void riscv_boot(unsigned long hartid, paddr_t dtb)
{
	struct fdt fdt;

	riscv_drop_identity();
	/* Until console_init() finds the UART, the console goes through SBI. */
	if (fdt_init(&fdt, (const void *)(PHYS_MAP_BASE + dtb), FDT_MAX_SIZE) < 0)
		panic("no valid device tree at %#lx", dtb);
	console_init(&fdt);

	boot_info.loader = "QEMU -kernel (RISC-V Image)";
	boot_info.firmware = sbi_firmware_name();
	fdt_fill_boot_info(&fdt, dtb);
	boot_add_region(kernel_phys, (uint64_t)(__kernel_end - __kernel_start), MEM_KERNEL);
	cpu_model_init(&fdt, hartid);
	kmain();
}
