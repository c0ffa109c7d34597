/* What the aarch64 files share: system-register values, page-table bits and internal hooks. */
#pragma once

#ifdef __ASSEMBLER__
#define UL(x) x
#else
#define UL(x) x##UL
#endif

/* MAIR_EL1 attribute indexes: 0 = Normal write-back cacheable, 1 = Device-nGnRE. */
#define MAIR_VALUE UL(0x04ff)
#define PTE_ATTR_NORMAL (UL(0) << 2)
#define PTE_ATTR_DEVICE (UL(1) << 2)
#define PTE_ATTR_MASK (UL(7) << 2)

/* Descriptor bits (VMSAv8-64, 4 KiB granule). Kernel mappings are EL1-only (AP = 00) and global. */
#define PTE_VALID UL(1)
#define PTE_TABLE UL(3) /* next-level table, or a page at level 3 */
#define PTE_SH_INNER (UL(3) << 8)
#define PTE_AP_USER (UL(1) << 6)
#define PTE_AP_RO (UL(1) << 7)
#define PTE_AF (UL(1) << 10)
#define PTE_NG (UL(1) << 11)
#define PTE_PXN (UL(1) << 53)
#define PTE_UXN (UL(1) << 54)
#define PTE_BLOCK_NORMAL (PTE_VALID | PTE_ATTR_NORMAL | PTE_SH_INNER | PTE_AF | PTE_UXN)
#define PTE_BLOCK_RAM (PTE_BLOCK_NORMAL | PTE_PXN)
#define PTE_BLOCK_DEVICE (PTE_VALID | PTE_ATTR_DEVICE | PTE_AF | PTE_PXN | PTE_UXN)
#define PTE_ADDR_MASK UL(0x0000fffffffff000)

/*
 * TCR_EL1: 48-bit VAs (T0SZ = T1SZ = 16) with 4 KiB granules, page-table walks
 * inner-shareable and write-back cached. IPS is filled in from the CPU's PA range.
 */
#define TCR_VALUE                                                                                  \
	(UL(16) | (UL(1) << 8) | (UL(1) << 10) | (UL(3) << 12) | (UL(16) << 16) | (UL(1) << 24) |  \
	 (UL(1) << 26) | (UL(3) << 28) | (UL(2) << 30))
#define TCR_IPS_SHIFT 32

/*
 * SCTLR_EL1: the RES1 bits of ARMv8.0, plus M (MMU), C (data cache), SA (SP
 * alignment), I; and, as Linux does, let EL0 use dc zva (DZE), read CTR_EL0
 * (UCT), wait with wfi and wfe (nTWI, nTWE) and maintain caches (UCI, for JITs).
 */
#define SCTLR_RES1 UL(0x30d00800)
#define SCTLR_EL0_BITS ((UL(1) << 14) | (UL(1) << 15) | (UL(1) << 16) | (UL(1) << 18) | (UL(1) << 26))
#define SCTLR_VALUE                                                                                \
	(SCTLR_RES1 | (UL(1) << 0) | (UL(1) << 2) | (UL(1) << 3) | (UL(1) << 12) | SCTLR_EL0_BITS)

/* Device registers are mapped in 2 MiB blocks at the top GiB of the address space. */
/* CPACR_EL1.FPEN: FP/SIMD for EL1 and EL0, or for EL1 only (EL0's use traps; thread.c). */
#define CPACR_FP_ON (UL(3) << 20)
#define CPACR_FP_EL0_TRAPS (UL(1) << 20)

#define MMIO_BASE UL(0xffffffffc0000000)

#define BOOT_STACK_SIZE 16384

#ifndef __ASSEMBLER__
#include <kernel/arch.h>

#define read_sysreg(r)                                                                             \
	({                                                                                         \
		uint64_t v_;                                                                       \
		__asm__ volatile("mrs %0, " #r : "=r"(v_));                                        \
		v_;                                                                                \
	})
#define write_sysreg(r, v) __asm__ volatile("msr " #r ", %0" ::"r"((uint64_t)(v)) : "memory")
#define isb() __asm__ volatile("isb" ::: "memory")

/* Where the boot loader put the image; kernel_pa() turns an image address into a physical one. */
extern paddr_t kernel_phys;

static inline paddr_t kernel_pa(const void *va)
{
	return kernel_phys + ((uintptr_t)va - KERNEL_VMA);
}

/* Page tables built by head.S: the TTBR1 root, and the identity map each CPU switches through. */
extern uint64_t pt_root[512], pt_phys[512], pt_kernel[512], pt_image[512], pt_mmio[512];
extern uint64_t pt_idmap[512], pt_idmap1[512];

void mmu_drop_identity(void);
void mmu_map_ram(paddr_t base, uint64_t size);
void *mmu_map_device(paddr_t base, uint64_t size);

void pl011_init(volatile void *base);
void pmu_init(void);

/* The GICv3: the distributor and redistributors once, then each CPU's own interface. */
#define IPI_SGI 0
void gic_init(paddr_t dist, uint64_t dist_size, paddr_t redist, uint64_t redist_size);
void gic_cpu_init(void);
void gic_enable_private(unsigned intid);
void gic_handle_irq(void);

/* Loads the FP/SIMD registers of a thread that trapped on its first use of them (thread.c). */
struct user_regs;
bool aarch64_fp_trap(struct user_regs *r);

/* The EL1 virtual timer's interrupt (a PPI's INTID) and its handler. */
extern unsigned timer_intid;
void timer_handle(void);

/* PSCI, the firmware interface that starts CPUs; "hvc" or "smc" from the device tree. */
void psci_init(const char *method);

noreturn void aarch64_boot(paddr_t image_phys, paddr_t dtb_phys);
noreturn void aarch64_secondary(struct cpu *c);
#endif
