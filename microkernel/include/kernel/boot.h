/* What the boot loader told us, in one architecture-neutral form filled by arch code. */
#pragma once

#include <kernel/types.h>

enum mem_type {
	MEM_USABLE = 1,
	MEM_RESERVED,
	MEM_ACPI_RECLAIMABLE,
	MEM_ACPI_NVS,
	MEM_BAD,
	MEM_KERNEL,	/* the kernel image itself */
	MEM_BOOT_DATA,	/* device tree, boot modules, boot-loader tables */
};

struct mem_region {
	paddr_t base;
	uint64_t size;
	enum mem_type type;
};

#define BOOT_MAX_REGIONS 128

struct boot_info {
	const char *loader;	/* e.g. "GRUB 2.06 (multiboot2)" */
	const char *firmware;	/* e.g. "BIOS", "UEFI", "OpenSBI", "QEMU virt" */
	const char *cmdline;	/* never NULL; "" when there is none */
	unsigned ncpus;		/* CPUs the firmware describes */
	unsigned nregions;
	struct mem_region regions[BOOT_MAX_REGIONS];
};

/* The arch entry code fills this in and then calls kmain(). */
extern struct boot_info boot_info;

noreturn void kmain(void);

/* Adds a region to boot_info, ignoring empty ones; returns false when full. */
bool boot_add_region(paddr_t base, uint64_t size, enum mem_type type);

/* Returns the value of "key=value" in the command line, or NULL; *len gets its length. */
const char *boot_cmdline_get(const char *key, size_t *len);
bool boot_cmdline_is(const char *key, const char *value);
