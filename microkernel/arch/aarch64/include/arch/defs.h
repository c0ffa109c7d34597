/* aarch64 constants for generic code (included through <kernel/arch.h>). */
#pragma once

#define ARCH_NAME "aarch64"
#define PAGE_SIZE 4096
#define ARCH_ELF_MACHINE 183	/* e_machine of our ELF files */

/* The kernel image runs at KERNEL_VMA + (physical address - its 2 MiB-aligned load base). */
#define KERNEL_VMA 0xffffffff80000000ull
/* All RAM is mapped at PHYS_MAP_BASE + its physical address (TTBR1, first 512 GiB). */
#define PHYS_MAP_BASE 0xffff000000000000ull

/* The direct map covers physical addresses below this. */
#define PHYS_MAP_LIMIT (1ull << 39)

/* User space is [0, USER_SPACE_END). */
#define USER_SPACE_END 0x0001000000000000ull

/* Frame records (AAPCS64): [x29] = caller's x29, [x29 + 8] = return address. */
#define ARCH_FRAME_PREV_OFFSET 0
#define ARCH_FRAME_PC_OFFSET 8
