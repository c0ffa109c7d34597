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
#define BOOT_MAX_CPUS 64
#define BOOT_MAX_MODULES 8
#define BOOT_MAX_NUMA_RANGES 16

/* A file the boot loader loaded next to the kernel (GRUB module, initrd). */
struct boot_module {
	paddr_t base;
	uint64_t size;
	const char *name;	/* GRUB's module string, or "initrd" */
};

/* A physical range belonging to a NUMA node (SRAT memory affinity, DT numa-node-id). */
struct numa_range {
	paddr_t base;
	uint64_t size;
	unsigned node;
};

struct boot_info {
	const char *loader;	/* e.g. "GRUB 2.06 (multiboot2)" */
	const char *firmware;	/* e.g. "BIOS", "UEFI", "OpenSBI", "QEMU virt" */
	const char *cmdline;	/* never NULL; "" when there is none */
	unsigned ncpus;		/* CPUs the firmware describes */
	unsigned boot_cpu;	/* index of the CPU running now in cpu_arch_id[] */
	uint64_t cpu_arch_id[BOOT_MAX_CPUS];	/* APIC id / MPIDR affinity / hart id */
	unsigned cpu_node[BOOT_MAX_CPUS];	/* NUMA node of each CPU */
	unsigned nregions;
	struct mem_region regions[BOOT_MAX_REGIONS];
	unsigned nmodules;
	struct boot_module modules[BOOT_MAX_MODULES];
	unsigned nnuma;		/* 0: no NUMA information, one node */
	struct numa_range numa[BOOT_MAX_NUMA_RANGES];
};

/* The arch entry code fills this in and then calls kmain(). */
extern struct boot_info boot_info;

noreturn void kmain(void);

/* Adds a region to boot_info, ignoring empty ones; returns false when full. */
bool boot_add_region(paddr_t base, uint64_t size, enum mem_type type);

/* Records a boot module; returns false when full. */
bool boot_add_module(paddr_t base, uint64_t size, const char *name);

/* Records a CPU the firmware describes; returns its index or -1 when full. */
int boot_add_cpu(uint64_t arch_id, unsigned node);

/* Records a NUMA node's physical range. */
void boot_add_numa_range(paddr_t base, uint64_t size, unsigned node);

/* Returns the value of "key=value" in the command line, or NULL; *len gets its length. */
const char *boot_cmdline_get(const char *key, size_t *len);
bool boot_cmdline_is(const char *key, const char *value);
