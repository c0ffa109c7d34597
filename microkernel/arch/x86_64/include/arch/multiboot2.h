/* Reading the multiboot2 boot information (Multiboot2 specification 1.0, section 3.6). */
#pragma once

#include <kernel/types.h>

#define MB2_BOOTLOADER_MAGIC 0x36d76289

struct mb2_result {
	const void *rsdp;	/* copy of the ACPI RSDP inside the info, or NULL */
	uint32_t rsdp_len;
	bool uefi;		/* the loader ran on UEFI (EFI tags present) */
};

/*
 * Parses the information block at @info (mapped; physical address @info_phys),
 * filling boot_info's loader, command line and memory map, and @out.
 * @max bounds every read. Returns 0, or -1 for a malformed block.
 */
int mb2_parse(const void *info, paddr_t info_phys, size_t max, struct mb2_result *out);
