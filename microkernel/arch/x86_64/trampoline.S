/*
 * The first instructions of a secondary CPU. smp.c copies this code to a low
 * page and fills in its arguments (struct trampoline_args); the STARTUP IPI
 * enters it in real mode with CS = page >> 4, IP = 0. It goes straight to long
 * mode with the boot CPU's control registers and calls args.entry(args.cpu)
 * in the higher half on args.stack.
 */
#define OFF(sym) ((sym) - ap_trampoline)

	.section .rodata
	.balign 16
	.globl ap_trampoline
ap_trampoline:
	.code16
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl OFF(tr_gdtr)
	movl OFF(tr_cr4), %eax
	movl %eax, %cr4
	movl OFF(tr_cr3), %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx		/* EFER: long mode enable, no-execute */
	movl OFF(tr_efer), %eax
	xorl %edx, %edx
	wrmsr
	movl OFF(tr_cr0), %eax		/* paging and protection at once: long mode */
	movl %eax, %cr0
	ljmpl *OFF(tr_jump)

	.code64
	.globl tr_long_mode
tr_long_mode:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movq tr_stack(%rip), %rsp
	movq tr_cpu(%rip), %rdi
	xorl %ebp, %ebp			/* ends backtraces */
	call *tr_entry(%rip)		/* never returns */
1:	hlt
	jmp 1b

	.balign 8
	.globl tr_gdt
tr_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */

	/* struct trampoline_args (smp.c); the layout must match. */
	.balign 8
	.globl tr_args
tr_args:
	.short 0			/* padding: the operand of lgdt follows */
tr_gdtr:
	.short 0			/* limit */
	.long 0				/* base, linear */
tr_jump:
	.long 0				/* linear address of tr_long_mode */
	.short 0			/* code selector */
	.short 0
tr_cr0:	.long 0
tr_cr3:	.long 0
tr_cr4:	.long 0
tr_efer: .long 0
tr_stack: .quad 0
tr_cpu:	.quad 0
tr_entry: .quad 0
	.globl ap_trampoline_end
ap_trampoline_end:
