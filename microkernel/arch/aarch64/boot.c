/* The C half of the boot: read the device tree, finish the mappings, fill boot_info, call kmain. */
#include <kernel/boot.h>
#include <kernel/fdt.h>
#include <kernel/mm.h>
#include <kernel/string.h>

#include <arch/pl011.h>

#include "aarch64.h"

extern char __kernel_start[], __kernel_end[];

static struct fdt fdt;

/* The firmware that starts the other CPUs and powers off: PSCI, called through hvc or smc. */
static const char *firmware_init(void)
{
	int node = fdt_path(&fdt, "/psci");
	uint32_t len;
	const char *method = node == FDT_NONE ? NULL : fdt_prop(&fdt, node, "method", &len);

	if (!method || len != 4 || (strcmp(method, "hvc") != 0 && strcmp(method, "smc") != 0))
		return "none";
	psci_init(method);
	return strcmp(method, "hvc") == 0 ? "PSCI (hvc)" : "PSCI (smc)";
}

/* The first enabled root child compatible with @compat (QEMU virt puts all devices there). */
static int find_device(const char *compat)
{
	int node = FDT_NONE;

	while ((node = fdt_next_child(&fdt, 0, node)) != FDT_NONE)
		if (fdt_is_compatible(&fdt, node, compat) && fdt_is_enabled(&fdt, node))
			return node;
	return FDT_NONE;
}

/* Range @i of a root child's "reg". */
static bool device_reg(int node, unsigned i, paddr_t *base, uint64_t *size)
{
	unsigned ac = fdt_address_cells(&fdt, 0), sc = fdt_size_cells(&fdt, 0);
	uint32_t len;
	const uint8_t *p = fdt_prop(&fdt, node, "reg", &len);

	if (!p || len < 4 * (ac + sc) * (i + 1))
		return false;
	p += 4 * (ac + sc) * i;
	*base = fdt_read_cells(p, ac);
	*size = fdt_read_cells(p + 4 * ac, sc);
	return true;
}

/* The INTID of a node's interrupt @i, in the GIC's cells (type, number, flags); 0 if none. */
static unsigned device_intid(int node, unsigned i)
{
	uint32_t len;
	const uint8_t *p = node == FDT_NONE ? NULL : fdt_prop(&fdt, node, "interrupts", &len);

	if (!p || len < 12 * (i + 1))
		return 0;
	p += 12 * i;
	/* Type 0 is an SPI (INTID 32 + n), type 1 a PPI (INTID 16 + n). */
	return (fdt_read_cells(p, 1) == 0 ? 32 : 16) + fdt_read_cells(p + 4, 1);
}

static void interrupts_init(void)
{
	int gic = find_device("arm,gic-v3");
	paddr_t dist, redist;
	uint64_t dist_size, redist_size;

	if (gic != FDT_NONE && device_reg(gic, 0, &dist, &dist_size) &&
	    device_reg(gic, 1, &redist, &redist_size))
		gic_init(dist, dist_size, redist, redist_size);
	/* The /timer node lists the secure, non-secure physical, virtual and hypervisor timers. */
	unsigned intid = device_intid(find_device("arm,armv8-timer"), 2);
	if (intid)
		timer_intid = intid;
	gic_cpu_init();
}

/* boot_info counts CPUs from the tree's order; tell it which one we are. */
static void find_boot_cpu(void)
{
	uint64_t me = read_sysreg(mpidr_el1) & 0xff00ffffffull;

	for (unsigned i = 0; i < boot_info.ncpus; i++)
		if (boot_info.cpu_arch_id[i] == me)
			boot_info.boot_cpu = i;
}

static void map_ram(void)
{
	for (unsigned i = 0; i < boot_info.nregions; i++)
		if (boot_info.regions[i].type == MEM_USABLE)
			mmu_map_ram(boot_info.regions[i].base, boot_info.regions[i].size);
}

static void console_init(void)
{
	int node = find_device("arm,pl011");
	paddr_t base;
	uint64_t size;

	if (node != FDT_NONE && device_reg(node, 0, &base, &size)) {
		pl011_init(mmu_map_device(base, size));
		unsigned intid = device_intid(node, 0);
		pl011_line = intid >= 32 ? (int)intid - 32 : -1;
	}
}

paddr_t kernel_phys;

/* Called by head.S on the boot stack, running at KERNEL_VMA with the MMU on. */
noreturn void aarch64_boot(paddr_t image_phys, paddr_t dtb_phys)
{
	kernel_phys = image_phys;
	mmu_drop_identity();
	pmu_init();
	boot_info.loader = "QEMU -kernel (arm64 Image)";

	/* head.S mapped the GiB holding the tree's header, which says how far it reaches. */
	const uint32_t *header = phys_to_virt(dtb_phys);
	uint32_t size = dtb_phys ? __builtin_bswap32(header[1]) : 0;
	mmu_map_ram(dtb_phys, size);
	if (size && fdt_init(&fdt, header, size) == 0) {
		fdt_fill_boot_info(&fdt, dtb_phys);
		find_boot_cpu();
		map_ram();
		console_init();
		boot_info.firmware = firmware_init();
		interrupts_init();
	}
	boot_add_region(image_phys, __kernel_end - __kernel_start, MEM_KERNEL);
	kmain();
}
