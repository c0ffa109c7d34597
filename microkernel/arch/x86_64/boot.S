/*
 * x86_64 entry from GRUB 2 (multiboot2): 32-bit protected mode, paging off,
 * EAX = magic, EBX = physical address of the boot information. Builds the
 * boot page tables, enters long mode and jumps to the higher half.
 */
#define KERNEL_VMA 0xffffffff80000000
#define PHYS(sym) ((sym) - KERNEL_VMA)

#define MB2_MAGIC 0xe85250d6
#define MB2_ARCH_I386 0

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	/* Information request: command line, loader name, memory map, ACPI RSDPs, EFI tags. */
	.balign 8
1:	.short 1, 0
	.long 2f - 1b
	.long 1, 2, 6, 14, 15
2:	.balign 8
	/* End tag. */
	.short 0, 0
	.long 8
mb2_header_end:

	.section .boot.text, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	movl %eax, %edi			/* kept for x86_boot(magic, info) */
	movl %ebx, %esi
	movl $PHYS(boot_stack_top), %esp

	/* Zero .bss: the page tables and the stack live there (so nothing is pushed yet). */
	movl %edi, %ebp
	movl $PHYS(__bss_start), %edi
	movl $PHYS(__bss_end), %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	movl %ebp, %edi

	/* Four page directories of 2 MiB pages cover the first 4 GiB. */
	movl $PHYS(boot_pd), %ebx
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax			/* present, writable, 2 MiB page */
	movl %eax, (%ebx, %ecx, 8)
	movl %ecx, %eax
	shrl $11, %eax			/* bits 32+ of the address: ecx >> 11 */
	movl %eax, 4(%ebx, %ecx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jne 1b

	/* boot_pdpt_low[0..3] -> the four directories. */
	movl $PHYS(boot_pdpt_low), %ebx
	movl $PHYS(boot_pd) + 3, %eax
	movl %eax, 0(%ebx)
	addl $4096, %eax
	movl %eax, 8(%ebx)
	addl $4096, %eax
	movl %eax, 16(%ebx)
	addl $4096, %eax
	movl %eax, 24(%ebx)

	/* The kernel's top 2 GiB: boot_pdpt_high[510] maps 0xffffffff80000000 -> 0. */
	movl $PHYS(boot_pdpt_high), %ebx
	movl $PHYS(boot_pd) + 3, %eax
	movl %eax, 510 * 8(%ebx)

	/* PML4: identity (dropped later), direct map at PHYS_MAP_BASE, kernel image. */
	movl $PHYS(boot_pml4), %ebx
	movl $PHYS(boot_pdpt_low) + 3, %eax
	movl %eax, 0(%ebx)
	movl %eax, 256 * 8(%ebx)
	movl $PHYS(boot_pdpt_high) + 3, %eax
	movl %eax, 511 * 8(%ebx)

	movl %cr4, %eax
	orl $(1 << 5), %eax		/* PAE */
	movl %eax, %cr4
	movl %ebx, %cr3
	movl $0xc0000080, %ecx		/* EFER */
	rdmsr
	orl $(1 << 8), %eax		/* LME */
	wrmsr
	movl %cr0, %eax
	orl $((1 << 31) | (1 << 16) | 1), %eax	/* PG, WP, PE */
	movl %eax, %cr0

	lgdt boot_gdt_ptr		/* .boot symbols are already physical */
	ljmp $0x08, $long_mode

	.code64
long_mode:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	movabsq $high_half, %rax
	jmp *%rax

	.text
high_half:
	movabsq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	lgdt boot_gdt_ptr_high(%rip)
	call x86_boot			/* (edi = magic, esi = info), never returns */
1:	hlt
	jmp 1b

	.section .boot.data, "aw"
	.balign 16
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
boot_gdt_end:
boot_gdt_ptr:
	.short boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.data
	.balign 16
boot_gdt_ptr_high:
	.short boot_gdt_end - boot_gdt - 1
	.quad boot_gdt + KERNEL_VMA

	.bss
	.balign 4096
	.globl boot_pml4
boot_pml4:	.skip 4096
boot_pdpt_low:	.skip 4096
boot_pdpt_high:	.skip 4096
boot_pd:	.skip 4 * 4096
	.balign 16
boot_stack:	.skip 16384
	.globl boot_stack_top
boot_stack_top:
