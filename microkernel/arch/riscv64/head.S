/*
 * The RISC-V Image header and the entries of the harts: OpenSBI jumps to the
 * boot hart's in S-mode with paging off, a0 = hart id and a1 = the device
 * tree's address; SBI HSM starts the others at secondary_entry.
 */

#define BOOT_STACK_SIZE 16384

	.section .head.text, "ax"
	.globl _start
_start:
	/* The header (Documentation/arch/riscv/boot-image-header.rst in Linux). */
	.option push
	.option norvc
	j	entry			/* code0; code1 is 0 */
	.option pop
	.word	0
	.dword	0x200000		/* text_offset: load 2 MiB into a 2 MiB aligned block */
	.dword	__image_size		/* image_size, including .bss */
	.dword	0			/* flags: little endian */
	.word	2			/* version 0.2 */
	.word	0
	.dword	0
	.ascii	"RISCV\0\0\0"		/* magic (deprecated) */
	.ascii	"RSC\x05"		/* magic2 */
	.word	0			/* no PE/COFF header */

entry:
	csrw	sie, zero
	csrw	sscratch, zero		/* trap_entry: a trap in the kernel */
	csrci	sstatus, 2		/* SIE: no interrupts until there are handlers */
	li	t0, 3 << 9
	csrc	sstatus, t0		/* VS Off: sstatus.SD then means FS Dirty (switch.S) */
	mv	s1, a0
	mv	s2, a1

	/* Everything here runs at the physical address: only PC-relative references. */
	lla	t0, __bss_start
	lla	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:
	lla	sp, boot_stack_top
	li	s0, 0
	call	riscv_early_paging	/* returns the satp value */
	csrw	satp, a0
	sfence.vma

	/* The identity mapping holds the next instructions; then go to the linked addresses. */
	lla	t0, .Lhigh_addr
	ld	t0, 0(t0)
	jr	t0
entry_high:
	lla	sp, boot_stack_top
	lla	t0, trap_entry
	csrw	stvec, t0
	mv	a0, s1
	mv	a1, s2
	li	s0, 0			/* ends the frame-pointer chain for backtraces */
	call	riscv_boot
3:	wfi
	j	3b

	.balign 8
.Lhigh_addr:
	.dword	entry_high

/*
 * A secondary hart, started by arch_cpu_start() (smp.c) with paging off at
 * the physical address: a0 = hart id, a1 = its struct hart_start (virtual).
 * Without an identity mapping, the first fetch after turning paging on
 * faults; stvec points at the linked address of the next instruction, so the
 * fault itself is the jump to the higher half.
 */
	.globl	secondary_entry
secondary_entry:
	csrw	sie, zero
	csrw	sscratch, zero
	li	t0, 3 << 9
	csrc	sstatus, t0		/* VS Off, as on the boot hart */
	lla	t0, .Lsecondary_high
	ld	t0, 0(t0)
	csrw	stvec, t0
	lla	t0, kernel_satp
	ld	t0, 0(t0)
	csrw	satp, t0
	.balign	4			/* stvec's alignment */
secondary_high:
	sfence.vma
	lla	t0, trap_entry
	csrw	stvec, t0
	ld	sp, 0(a1)		/* hart_start.stack_top */
	ld	a0, 8(a1)		/* hart_start.cpu */
	mv	tp, a0
	li	s0, 0
	call	riscv_secondary_main
4:	wfi
	j	4b

	.balign 8
.Lsecondary_high:
	.dword	secondary_high

	/* The boot hart's stack, inside [__kernel_start, __kernel_end) for backtraces. */
	.section .bss.boot_stack, "aw", @nobits
	.balign	16
boot_stack:
	.space	BOOT_STACK_SIZE
boot_stack_top:
