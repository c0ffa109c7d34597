/*
 * The boot page tables (Sv48). riscv_early_paging() runs before paging is on,
 * at the physical load address, so this file must not use absolute addresses:
 * no pointers in initialized data and no switch statements (jump tables); the
 * -mcmodel=medany code reaches every symbol PC-relatively.
 */
#include <kernel/arch.h>
#include <arch/riscv.h>

/* A and D preset: hardware need not update them, and must not fault when it does not. */
#define PTE_KERNEL_RW (PTE_V | PTE_R | PTE_W | PTE_G | PTE_A | PTE_D)

#define PT __attribute__((aligned(PAGE_SIZE)))

static uint64_t root[512] PT;
static uint64_t physmap[512] PT; /* 1 GiB pages: physical 0..512 GiB */
static uint64_t kernel_l2[512] PT;
static uint64_t kernel_l1[512] PT; /* 2 MiB pages: the image */
static uint64_t identity[512] PT;  /* the 1 GiB page holding the image, at its own address */

extern char __kernel_start[], __kernel_end[];
paddr_t kernel_phys;
uint64_t kernel_satp;

static uint64_t pte(paddr_t pa, uint64_t flags)
{
	return pa >> 12 << PTE_PPN_SHIFT | flags;
}

static unsigned vpn(uint64_t va, int level)
{
	return va >> (12 + 9 * level) & 511;
}

uint64_t riscv_early_paging(void)
{
	/* PC-relative, so this is the physical address while paging is off. */
	paddr_t pa = (paddr_t)__kernel_start;
	uint64_t size = ALIGN_UP((uint64_t)(__kernel_end - __kernel_start), MiB(2));

	/* The header's text_offset asks for a 2 MiB aligned load: nothing else can be mapped. */
	if (pa & (MiB(2) - 1))
		for (;;)
			__asm__ volatile("wfi");
	kernel_phys = pa;

	/*
	 * Without Svpbmt a mapping carries no memory type (the physical memory
	 * attributes decide), so mapping devices along with RAM is harmless and
	 * gives the console its mapping.
	 */
	for (unsigned i = 0; i < 512; i++)
		physmap[i] = pte(GiB(i), PTE_KERNEL_RW);
	root[vpn(PHYS_MAP_BASE, 3)] = pte((paddr_t)physmap, PTE_V);

	for (uint64_t off = 0; off < size; off += MiB(2))
		kernel_l1[vpn(KERNEL_VMA + off, 1)] = pte(pa + off, PTE_KERNEL_RW | PTE_X);
	kernel_l2[vpn(KERNEL_VMA, 2)] = pte((paddr_t)kernel_l1, PTE_V);
	root[vpn(KERNEL_VMA, 3)] = pte((paddr_t)kernel_l2, PTE_V);

	identity[vpn(pa, 2)] = pte(ALIGN_DOWN(pa, GiB(1)), PTE_V | PTE_R | PTE_X | PTE_A);
	root[vpn(pa, 3)] = pte((paddr_t)identity, PTE_V);

	kernel_satp = SATP_MODE_SV48 | (paddr_t)root >> 12;
	return kernel_satp;
}

/* The identity mapping only served the switch to the higher half: user space goes there. */
void riscv_drop_identity(void)
{
	root[vpn(kernel_phys, 3)] = 0;
	__asm__ volatile("sfence.vma" ::: "memory");
}
