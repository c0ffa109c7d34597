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

/* True when any byte of [pa, pa + len) is RAM or firmware tables (not device memory). */
bool phys_is_ram(paddr_t pa, uint64_t len);

/* True when [va, va + len) lies entirely in the user half. */
static inline bool user_range_ok(vaddr_t va, size_t len)
{
	return va < USER_SPACE_END && len <= USER_SPACE_END - va;
}
