/* The C half of the boot: read the device tree, finish the mappings, fill boot_info, call kmain. */
#include <kernel/boot.h>
#include <kernel/fdt.h>
#include <kernel/string.h>

#include "aarch64.h"

extern char __kernel_start[], __kernel_end[];

static struct fdt fdt;

/* The firmware that will start the other CPUs and power off: PSCI, called through hvc or smc. */
static const char *firmware_name(void)
{
	int node = fdt_path(&fdt, "/psci");
	uint32_t len;
	const char *method = node == FDT_NONE ? NULL : fdt_prop(&fdt, node, "method", &len);

	if (method && len == 4 && strcmp(method, "hvc") == 0)
		return "PSCI (hvc)";
	if (method && len == 4 && strcmp(method, "smc") == 0)
		return "PSCI (smc)";
	return "none";
}

static void map_ram(void)
{
	for (unsigned i = 0; i < boot_info.nregions; i++)
		if (boot_info.regions[i].type == MEM_USABLE)
			mmu_map_ram(boot_info.regions[i].base, boot_info.regions[i].size);
}

static void console_init(void)
{
	paddr_t base;
	uint64_t size;

	if (fdt_find_reg(&fdt, "arm,pl011", &base, &size))
		pl011_init(mmu_map_device(base, size));
}

/* Called by head.S on the boot stack, running at KERNEL_VMA with the MMU on. */
noreturn void aarch64_boot(paddr_t image_phys, paddr_t dtb_phys)
{
	mmu_drop_identity();
	pmu_init();
	boot_info.loader = "QEMU -kernel (arm64 Image)";

	/* head.S mapped the GiB holding the tree's header, which says how far it reaches. */
	const uint32_t *header = phys_to_virt(dtb_phys);
	uint32_t size = dtb_phys ? __builtin_bswap32(header[1]) : 0;
	mmu_map_ram(dtb_phys, size);
	if (size && fdt_init(&fdt, header, size) == 0) {
		fdt_fill_boot_info(&fdt, dtb_phys);
		map_ram();
		console_init();
		boot_info.firmware = firmware_name();
	}
	boot_add_region(image_phys, __kernel_end - __kernel_start, MEM_KERNEL);
	kmain();
}
