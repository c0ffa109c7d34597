/* Loading static ELF64 executables (the root task) into a process. */
#pragma once

#include <kernel/types.h>

struct process;

/*
 * Maps every PT_LOAD segment of the ELF file @image (@size bytes, kernel
 * memory) into @p with its own anonymous VMO and the segment's protection.
 * Returns 0 with the entry point in *entry, or -EINVAL for a malformed or
 * foreign file, -ENOMEM.
 */
int elf_load(struct process *p, const void *image, size_t size, vaddr_t *entry);
