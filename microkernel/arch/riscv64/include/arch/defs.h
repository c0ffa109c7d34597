/* riscv64 constants for generic code (included through <kernel/arch.h>). */
#pragma once

#define ARCH_NAME "riscv64"
#define PAGE_SIZE 4096
#define ARCH_ELF_MACHINE 243	/* e_machine of our ELF files */

/* The first byte of the kernel image (physical load base, 2 MiB aligned) appears here (Sv48). */
#define KERNEL_VMA 0xffffffff80000000ull
/* Physical address p is mapped at PHYS_MAP_BASE + p, for the first 512 GiB (all of RAM). */
#define PHYS_MAP_BASE 0xffff800000000000ull

/* The direct map covers physical addresses below this. */
#define PHYS_MAP_LIMIT (1ull << 39)

/* User space is [0, USER_SPACE_END). */
#define USER_SPACE_END 0x0000800000000000ull

/* Frame records: fp points just above them, [fp - 8] = return address, [fp - 16] = caller's fp. */
#define ARCH_FRAME_PREV_OFFSET -16
#define ARCH_FRAME_PC_OFFSET -8
