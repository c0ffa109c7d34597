/* The arm64 Image header and the entry code: from the loader's MMU-off world to C at KERNEL_VMA. */
#include "aarch64.h"

/*
 * The boot loader enters at the first byte with the MMU and D-cache off,
 * x0 = physical address of the device tree, at EL2 or EL1. The Image header
 * (Documentation/arch/arm64/booting.rst in Linux) says: load us at a 2 MiB
 * aligned base (text_offset 0), reserve image_size bytes, 4 KiB pages, little
 * endian, anywhere in RAM.
 */
	.section .head.text, "ax"
	.globl _head
_head:
	b	primary_entry
	.long	0
	.quad	0			/* text_offset */
	.quad	__kernel_size		/* image_size, including .bss */
	.quad	(1 << 1) | (1 << 3)	/* flags: LE, 4 KiB pages, any 2 MiB-aligned base */
	.quad	0, 0, 0
	.ascii	"ARM\x64"
	.long	0

	.text
primary_entry:
	msr	daifset, #0xf
	mov	x19, x0			/* x19 = device tree (physical) */
	adr	x20, _head		/* x20 = where we were loaded (physical) */
	bl	enter_el1

	/* The image is mapped in 2 MiB blocks below; a loader that ignored the header gets a hang. */
	tst	x20, #((1 << 21) - 1)
	b.ne	.

	/* Zero .bss, which holds the page tables and the boot stack. */
	adrp	x0, __bss_start
	add	x0, x0, :lo12:__bss_start
	adrp	x1, __bss_end
	add	x1, x1, :lo12:__bss_end
2:	stp	xzr, xzr, [x0], #16
	cmp	x0, x1
	b.lo	2b

	/* TTBR1: the root's last entry leads to the image and device window, its first to the RAM map. */
	adrp	x0, pt_root
	adrp	x1, pt_kernel
	orr	x1, x1, #PTE_TABLE
	str	x1, [x0, #511 * 8]
	adrp	x1, pt_phys
	orr	x1, x1, #PTE_TABLE
	str	x1, [x0]
	adrp	x0, pt_kernel
	adrp	x1, pt_image
	orr	x1, x1, #PTE_TABLE
	str	x1, [x0, #510 * 8]
	adrp	x1, pt_mmio
	orr	x1, x1, #PTE_TABLE
	str	x1, [x0, #511 * 8]

	/* The image in 2 MiB blocks from KERNEL_VMA. */
	adrp	x0, pt_image
	ldr	x1, =__kernel_size + (1 << 21) - 1
	lsr	x1, x1, #21
	ldr	x2, =PTE_BLOCK_NORMAL
	orr	x2, x2, x20
3:	str	x2, [x0], #8
	add	x2, x2, #(1 << 21)
	subs	x1, x1, #1
	b.ne	3b

	/* The GiBs holding the image and the device tree in the RAM map. */
	adrp	x0, pt_phys
	ldr	x2, =PTE_BLOCK_RAM
	lsr	x1, x20, #30
	orr	x3, x2, x1, lsl #30
	str	x3, [x0, x1, lsl #3]
	lsr	x1, x19, #30
	orr	x3, x2, x1, lsl #30
	str	x3, [x0, x1, lsl #3]

	/*
	 * TTBR0 while the MMU comes on: the GiB holding the image, identity-mapped,
	 * so that the instructions after the switch stay mapped. Every CPU comes up
	 * through it; C replaces it with the empty kernel root right after.
	 */
	adrp	x0, pt_idmap
	adrp	x1, pt_idmap1
	lsr	x2, x20, #39
	orr	x1, x1, #PTE_TABLE
	str	x1, [x0, x2, lsl #3]
	adrp	x0, pt_idmap1
	ldr	x2, =PTE_BLOCK_NORMAL
	lsr	x1, x20, #30
	orr	x3, x2, x1, lsl #30
	and	x1, x1, #511
	str	x3, [x0, x1, lsl #3]

	/* Those tables were written around the caches: drop any stale lines covering them. */
	mrs	x3, ctr_el0
	ubfx	x3, x3, #16, #4
	mov	x2, #4
	lsl	x2, x2, x3		/* the smallest D-cache line, in bytes */
	adrp	x0, __bss_start
	add	x0, x0, :lo12:__bss_start
	adrp	x1, __bss_end
	add	x1, x1, :lo12:__bss_end
4:	dc	ivac, x0
	add	x0, x0, x2
	cmp	x0, x1
	b.lo	4b
	dsb	sy

	bl	mmu_enable
	ldr	x0, =high_entry
	br	x0

high_entry:
	ldr	x0, =boot_stack + BOOT_STACK_SIZE
	mov	sp, x0
	ldr	x0, =vectors
	msr	vbar_el1, x0
	isb
	/* A zero frame pointer ends every backtrace here. */
	mov	x29, xzr
	mov	x30, xzr
	mov	x0, x20
	mov	x1, x19
	bl	aarch64_boot
	b	.

/*
 * Where PSCI CPU_ON starts a secondary CPU, MMU off, at the physical address
 * smp.c passed, with x0 = the context it passed: the address of a pair
 * {stack top, struct cpu *}, read only once the MMU (and so the cache) is on.
 */
	.globl	secondary_entry
secondary_entry:
	msr	daifset, #0xf
	mov	x19, x0
	bl	enter_el1
	bl	mmu_enable
	ldr	x0, =secondary_high
	br	x0

secondary_high:
	ldp	x0, x1, [x19]
	mov	sp, x0
	ldr	x0, =vectors
	msr	vbar_el1, x0
	isb
	mov	x29, xzr
	mov	x30, xzr
	mov	x0, x1
	bl	aarch64_secondary
	b	.

/* Leaves EL2 (virtualization=on) for EL1 and sets up what EL1 needs first; clobbers x0. */
enter_el1:
	mrs	x0, CurrentEL
	cmp	x0, #(2 << 2)
	b.ne	1f
	/* Run the kernel at EL1 in AArch64 with the counters and the GIC's registers open to it. */
	mov	x0, #(1 << 31)		/* HCR_EL2.RW */
	msr	hcr_el2, x0
	mov	x0, #3			/* CNTHCTL_EL2.EL1PCTEN | EL1PCEN */
	msr	cnthctl_el2, x0
	msr	cntvoff_el2, xzr
	mov	x0, #0x33ff		/* CPTR_EL2: its RES1 bits; FP/SIMD not trapped, SVE trapped */
	msr	cptr_el2, x0
	mrs	x0, id_aa64pfr0_el1
	ubfx	x0, x0, #24, #4		/* GIC system registers implemented? */
	cbz	x0, 2f
	mov	x0, #0xf		/* ICC_SRE_EL2: SRE, DFB, DIB, Enable (EL1 may use them) */
	msr	icc_sre_el2, x0
2:	ldr	x0, =SCTLR_RES1
	msr	sctlr_el1, x0
	mov	x0, #0x3c5		/* EL1h with D, A, I and F masked */
	msr	spsr_el2, x0
	adr	x0, 1f
	msr	elr_el2, x0
	eret
1:	msr	spsel, #1
	mov	x0, #(3 << 20)		/* CPACR_EL1.FPEN: FP/SIMD for user mode (the kernel never uses it) */
	msr	cpacr_el1, x0
	ret

/* Turns the MMU on with TTBR1 = pt_root and TTBR0 = pt_idmap; clobbers x0-x2. */
mmu_enable:
	ldr	x0, =MAIR_VALUE
	msr	mair_el1, x0
	ldr	x0, =TCR_VALUE
	mrs	x1, id_aa64mmfr0_el1
	and	x1, x1, #7
	cmp	x1, #5			/* 4 KiB granules reach 48 physical bits without LPA2. */
	mov	x2, #5
	csel	x1, x1, x2, ls
	bfi	x0, x1, #TCR_IPS_SHIFT, #3
	msr	tcr_el1, x0
	adrp	x0, pt_idmap
	msr	ttbr0_el1, x0
	adrp	x0, pt_root
	msr	ttbr1_el1, x0
	isb
	tlbi	vmalle1
	dsb	nsh
	isb
	ldr	x0, =SCTLR_VALUE
	msr	sctlr_el1, x0
	isb
	ic	iallu
	dsb	nsh
	isb
	ret

	.bss
	.balign 16
boot_stack:
	.space	BOOT_STACK_SIZE
