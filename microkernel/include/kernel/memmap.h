/* Normalizing the firmware's memory map: sorted, non-overlapping, typed regions. */
#pragma once

#include <kernel/boot.h>

/*
 * Sorts the regions by base, resolves overlaps in favour of the more
 * restrictive type (anything beats MEM_USABLE), merges neighbours of the same
 * type and drops usable space smaller than a page after page-aligning usable
 * regions inwards. Returns the new count.
 */
unsigned memmap_normalize(struct mem_region *r, unsigned n, unsigned max);

/* Marks [base, base+size) as @type, splitting regions as needed. Returns the new count. */
unsigned memmap_carve(struct mem_region *r, unsigned n, unsigned max, paddr_t base,
		      uint64_t size, enum mem_type type);

uint64_t memmap_total(const struct mem_region *r, unsigned n, enum mem_type type);

const char *memmap_type_name(enum mem_type type);
