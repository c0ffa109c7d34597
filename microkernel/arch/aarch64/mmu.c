/*
 * The kernel's page tables (4 KiB granule, 48-bit VAs, 4 levels). head.S
 * fills in what the switch to the higher half needs; the rest is added here
 * once the device tree has said where RAM and the devices are.
 */
#include "aarch64.h"

/*
 * TTBR1 layout: pt_root[0] -> pt_phys, 1 GiB blocks of RAM at PHYS_MAP_BASE;
 * pt_root[511] -> pt_kernel, whose entry 510 -> pt_image (the image in 2 MiB
 * blocks at KERNEL_VMA) and 511 -> pt_mmio (device registers at MMIO_BASE).
 */
uint64_t pt_root[512] __attribute__((aligned(PAGE_SIZE)));
uint64_t pt_phys[512] __attribute__((aligned(PAGE_SIZE)));
uint64_t pt_kernel[512] __attribute__((aligned(PAGE_SIZE)));
uint64_t pt_image[512] __attribute__((aligned(PAGE_SIZE)));
uint64_t pt_mmio[512] __attribute__((aligned(PAGE_SIZE)));

/* TTBR0 during each CPU's switch to the MMU: the GiB of the image at its physical address. */
uint64_t pt_idmap[512] __attribute__((aligned(PAGE_SIZE)));
uint64_t pt_idmap1[512] __attribute__((aligned(PAGE_SIZE)));

static unsigned mmio_used;

/* New entries replace only invalid ones, which no TLB holds: a barrier is all they need. */
static void publish(void)
{
	__asm__ volatile("dsb ishst" ::: "memory");
	isb();
}

/*
 * Ends this CPU's use of the identity map that head.S switched through: TTBR0
 * gets the empty kernel root, and the identity map's global entries leave the TLB.
 */
void mmu_drop_identity(void)
{
	write_sysreg(ttbr0_el1, arch_kernel_root());
	isb();
	__asm__ volatile("tlbi vmalle1\n\tdsb nsh\n\tisb" ::: "memory");
}

/*
 * RAM is mapped in whole GiBs: where it does not fill its last GiB, the hole
 * beside it is mapped too (empty on QEMU virt; 2 MiB blocks would avoid it).
 * The map reaches 512 GiB.
 */
void mmu_map_ram(paddr_t base, uint64_t size)
{
	uint64_t first = base >> 30, last = (base + size - 1) >> 30;

	if (size == 0)
		return;
	for (uint64_t i = first; i <= last && i < 512; i++)
		pt_phys[i] = (i << 30) | PTE_BLOCK_RAM;
	publish();
}

void *mmu_map_device(paddr_t base, uint64_t size)
{
	paddr_t first = ALIGN_DOWN(base, MiB(2));
	uintptr_t va = MMIO_BASE + mmio_used * MiB(2) + (base - first);

	for (paddr_t pa = first; pa < base + size; pa += MiB(2)) {
		if (mmio_used == 512)
			return NULL;
		pt_mmio[mmio_used++] = (pa & PTE_ADDR_MASK) | PTE_BLOCK_DEVICE;
	}
	publish();
	return (void *)va;
}
