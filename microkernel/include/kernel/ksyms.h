/*
 * The kernel's own symbol table, generated from the linked kernel by
 * tools/gensyms.py and linked in a second pass, so backtraces name functions.
 */
#pragma once

#include <kernel/types.h>

struct ksym {
	uint64_t addr;
	uint32_t name;	/* offset into ksym_names */
	uint32_t pad;
};

extern const uint64_t ksym_count;
extern const struct ksym ksyms[];	/* sorted by address */
extern const char ksym_names[];
