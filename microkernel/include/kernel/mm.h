/* Kernel address-space helpers shared by every architecture. */
#pragma once

#include <kernel/arch.h>

/* All RAM is mapped at PHYS_MAP_BASE on every architecture. */
static inline void *phys_to_virt(paddr_t pa)
{
	return (void *)(uintptr_t)(pa + PHYS_MAP_BASE);
}

static inline paddr_t virt_to_phys(const void *va)
{
	return (paddr_t)((uintptr_t)va - PHYS_MAP_BASE);
}

/* Protection of one page mapping (arch_page_map). */
enum page_prot {
	PROT_READ = 1,
	PROT_WRITE = 2,
	PROT_EXEC = 4,
	PROT_USER = 8,		/* accessible from user mode */
	PROT_DEVICE = 16,	/* device memory: uncached, no speculation */
};

/*
 * Whether one of the eight page-table entries at @t has @bit (the valid
 * bit): the scans of sparse tables (an address space's teardown) test eight
 * entries a round, about 1.5 instructions an entry instead of 6.
 */
static inline bool pte8_any(const uint64_t *t, uint64_t bit)
{
	return ((t[0] | t[1] | t[2] | t[3] | t[4] | t[5] | t[6] | t[7]) & bit) != 0;
}

/* True when any byte of [pa, pa + len) is RAM or firmware tables (not device memory). */
bool phys_is_ram(paddr_t pa, uint64_t len);

/* True when [va, va + len) lies entirely in the user half. */
static inline bool user_range_ok(vaddr_t va, size_t len)
{
	return va < USER_SPACE_END && len <= USER_SPACE_END - va;
}
