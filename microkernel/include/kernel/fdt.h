/*
 * A small read-only flattened device tree (DTB) reader: enough to find memory,
 * reserved ranges, CPUs, the command line and devices by compatible string.
 */
#pragma once

#include <kernel/types.h>

struct fdt {
	const uint8_t *blob;
	uint32_t size;
	uint32_t off_struct, size_struct;
	uint32_t off_strings, size_strings;
	uint32_t off_rsvmap;
};

/* A node is named by the offset of its FDT_BEGIN_NODE token in the structure block. */
#define FDT_NONE (-1)

/* Checks the header; returns 0 or a negative error. */
int fdt_init(struct fdt *f, const void *blob, size_t max_size);

/* Finds a node by absolute path ("/", "/chosen", "/cpus"); unit addresses may be omitted. */
int fdt_path(const struct fdt *f, const char *path);

/* Iterates the direct children of @node: pass FDT_NONE as @prev to start. */
int fdt_next_child(const struct fdt *f, int node, int prev);

const char *fdt_name(const struct fdt *f, int node);

/* Returns the property's value and length, or NULL. */
const void *fdt_prop(const struct fdt *f, int node, const char *name, uint32_t *len);

/* Reads a big-endian cell array value: @cells is 1 or 2. */
uint64_t fdt_read_cells(const void *p, unsigned cells);

/* #address-cells / #size-cells of @node, with the spec defaults 2 and 1. */
unsigned fdt_address_cells(const struct fdt *f, int node);
unsigned fdt_size_cells(const struct fdt *f, int node);

/* Whether a node's "compatible" list contains @compat. */
bool fdt_is_compatible(const struct fdt *f, int node, const char *compat);

/* Whether a node is enabled (no "status", or "okay"/"ok"). */
bool fdt_is_enabled(const struct fdt *f, int node);

/*
 * Fills in boot_info from the tree: memory nodes (usable), /memreserve/ entries
 * and /reserved-memory children (reserved), the blob itself (boot data), the
 * number of enabled "cpu" nodes under /cpus and /chosen/bootargs.
 */
void fdt_fill_boot_info(const struct fdt *f, paddr_t blob_phys);

/* The first reg range of the first enabled node compatible with @compat. */
bool fdt_find_reg(const struct fdt *f, const char *compat, paddr_t *base, uint64_t *size);
