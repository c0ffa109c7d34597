/* Architecture constants for host unit tests of generic kernel code. */
#pragma once

#define ARCH_NAME "host"
#define PAGE_SIZE 4096
#define KERNEL_VMA 0
#define PHYS_MAP_BASE 0
#define ARCH_FRAME_PREV_OFFSET 0
#define ARCH_FRAME_PC_OFFSET 8
#define PHYS_MAP_LIMIT (~0ull)
#define USER_SPACE_END 0x0000800000000000ull
