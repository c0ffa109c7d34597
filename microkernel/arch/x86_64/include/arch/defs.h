/* x86_64 constants for generic code (included through <kernel/arch.h>). */
#pragma once

#define ARCH_NAME "x86_64"
#define PAGE_SIZE 4096
#define ARCH_ELF_MACHINE 62	/* e_machine of our ELF files */

/* The kernel image runs at KERNEL_VMA + its physical load address (-mcmodel=kernel). */
#define KERNEL_VMA 0xffffffff80000000ull
/* All physical memory is mapped at PHYS_MAP_BASE (the first 4 GiB from boot on). */
#define PHYS_MAP_BASE 0xffff800000000000ull

/* The direct map covers physical addresses below this. */
#define PHYS_MAP_LIMIT (4ull << 30)

/*
 * User space is [0, USER_SPACE_END): the lower canonical half but its last
 * page, so that no instruction ends at the first non-canonical address (a
 * syscall there would make sysret fault in kernel mode).
 */
#define USER_SPACE_END 0x00007ffffffff000ull

/* Frame records: [rbp] = caller's rbp, [rbp + 8] = return address. */
#define ARCH_FRAME_PREV_OFFSET 0
#define ARCH_FRAME_PC_OFFSET 8
