/* x86_64 instructions and registers used by the arch code. */
#pragma once

#include <kernel/types.h>
#include <arch/defs.h>

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port));
}

static inline uint64_t read_cr2(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint64_t read_cr3(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr3" ::"r"(v) : "memory");
}

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

/* Physical memory is reached through the direct map (the first 4 GiB at boot). */
static inline void *phys_to_virt(paddr_t pa)
{
	return (void *)(uintptr_t)(pa + PHYS_MAP_BASE);
}

#define BOOT_DIRECT_MAP_LIMIT GiB(4)

/* Boot steps, called in order by x86_boot(). */
void serial_init(void);
void idt_init(void);

void acpi_init(const void *rsdp_copy, uint32_t len);
