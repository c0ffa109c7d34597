/*
 * Flattened device tree reader (devicetree specification v0.4, chapter 5).
 * Every offset read from the blob is bounds-checked: a corrupt tree yields
 * "not found", never a wild read.
 */
#include <kernel/boot.h>
#include <kernel/fdt.h>
#include <kernel/string.h>

#define FDT_MAGIC 0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9

static uint32_t be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

uint64_t fdt_read_cells(const void *p, unsigned cells)
{
	const uint8_t *b = p;
	uint64_t v = 0;

	for (unsigned i = 0; i < cells; i++)
		v = v << 32 | be32(b + 4 * i);
	return v;
}

int fdt_init(struct fdt *f, const void *blob, size_t max_size)
{
	const uint8_t *b = blob;

	if (!blob || max_size < 40 || be32(b) != FDT_MAGIC)
		return -1;
	uint32_t total = be32(b + 4);
	if (total < 40 || total > max_size)
		return -1;
	f->blob = b;
	f->size = total;
	f->off_struct = be32(b + 8);
	f->off_strings = be32(b + 12);
	f->off_rsvmap = be32(b + 16);
	f->size_strings = be32(b + 32);
	f->size_struct = be32(b + 36);
	if (be32(b + 20) < 17)	/* version: size_struct exists from 17 on */
		return -1;
	if (f->off_struct > total || f->size_struct > total - f->off_struct ||
	    f->off_strings > total || f->size_strings > total - f->off_strings ||
	    f->off_rsvmap > total || (f->off_struct & 3))
		return -1;
	return 0;
}

/* Reads the token at @off (relative to the structure block); FDT_END when out of range. */
static uint32_t token(const struct fdt *f, int off)
{
	if (off < 0 || (uint32_t)off + 4 > f->size_struct)
		return FDT_END;
	return be32(f->blob + f->off_struct + off);
}

/* Offset just past the token at @off, or -1 when malformed. */
static int skip_token(const struct fdt *f, int off)
{
	const uint8_t *s = f->blob + f->off_struct;

	switch (token(f, off)) {
	case FDT_BEGIN_NODE: {
		uint32_t max = f->size_struct - off - 4;
		uint32_t len = strnlen((const char *)s + off + 4, max);
		if (len == max)
			return -1;
		return off + 4 + ALIGN_UP(len + 1, 4);
	}
	case FDT_PROP: {
		if ((uint32_t)off + 12 > f->size_struct)
			return -1;
		uint32_t len = be32(s + off + 4);
		if (len > f->size_struct - off - 12)
			return -1;
		return off + 12 + ALIGN_UP(len, 4);
	}
	case FDT_END_NODE:
	case FDT_NOP:
		return off + 4;
	default:
		return -1;
	}
}

/* Offset of the token after the end of node @node, or -1. */
static int skip_node(const struct fdt *f, int node)
{
	int depth = 0, off = node;

	while (off >= 0) {
		uint32_t t = token(f, off);
		if (t == FDT_BEGIN_NODE)
			depth++;
		else if (t == FDT_END_NODE && --depth == 0)
			return off + 4;
		else if (t == FDT_END)
			return -1;
		off = skip_token(f, off);
	}
	return -1;
}

const char *fdt_name(const struct fdt *f, int node)
{
	if (token(f, node) != FDT_BEGIN_NODE)
		return "";
	return (const char *)f->blob + f->off_struct + node + 4;
}

int fdt_next_child(const struct fdt *f, int node, int prev)
{
	int off;

	if (token(f, node) != FDT_BEGIN_NODE)
		return FDT_NONE;
	off = prev == FDT_NONE ? skip_token(f, node) : skip_node(f, prev);
	while (off >= 0) {
		uint32_t t = token(f, off);
		if (t == FDT_BEGIN_NODE)
			return off;
		if (t != FDT_PROP && t != FDT_NOP)
			return FDT_NONE;
		off = skip_token(f, off);
	}
	return FDT_NONE;
}

const void *fdt_prop(const struct fdt *f, int node, const char *name, uint32_t *len)
{
	if (token(f, node) != FDT_BEGIN_NODE)
		return NULL;
	for (int off = skip_token(f, node); off >= 0; off = skip_token(f, off)) {
		uint32_t t = token(f, off);
		if (t == FDT_NOP)
			continue;
		if (t != FDT_PROP)
			return NULL;
		const uint8_t *p = f->blob + f->off_struct + off;
		if ((uint32_t)off + 12 > f->size_struct || be32(p + 4) > f->size_struct - off - 12)
			return NULL;
		uint32_t nameoff = be32(p + 8);
		if (nameoff >= f->size_strings)
			return NULL;
		const char *pname = (const char *)f->blob + f->off_strings + nameoff;
		size_t room = f->size_strings - nameoff;
		if (strnlen(pname, room) < room && strcmp(pname, name) == 0) {
			if (len)
				*len = be32(p + 4);
			return p + 12;
		}
	}
	return NULL;
}

/* Compares a node name with a path component; "memory" matches "memory@40000000". */
static bool name_matches(const char *name, const char *comp, size_t len)
{
	if (strncmp(name, comp, len) != 0)
		return false;
	if (name[len] == '\0')
		return true;
	/* Without a unit address in the component, any unit address matches. */
	for (size_t i = 0; i < len; i++)
		if (comp[i] == '@')
			return false;
	return name[len] == '@';
}

int fdt_path(const struct fdt *f, const char *path)
{
	int node = 0;

	if (token(f, 0) != FDT_BEGIN_NODE || path[0] != '/')
		return FDT_NONE;
	while (*path) {
		while (*path == '/')
			path++;
		if (!*path)
			break;
		size_t len = 0;
		while (path[len] && path[len] != '/')
			len++;
		int child = FDT_NONE;
		while ((child = fdt_next_child(f, node, child)) != FDT_NONE)
			if (name_matches(fdt_name(f, child), path, len))
				break;
		if (child == FDT_NONE)
			return FDT_NONE;
		node = child;
		path += len;
	}
	return node;
}

static unsigned cells_prop(const struct fdt *f, int node, const char *name, unsigned dflt)
{
	uint32_t len;
	const void *p = fdt_prop(f, node, name, &len);

	if (!p || len != 4)
		return dflt;
	uint32_t v = be32(p);
	return v <= 2 ? v : dflt;
}

unsigned fdt_address_cells(const struct fdt *f, int node)
{
	return cells_prop(f, node, "#address-cells", 2);
}

unsigned fdt_size_cells(const struct fdt *f, int node)
{
	return cells_prop(f, node, "#size-cells", 1);
}

bool fdt_is_compatible(const struct fdt *f, int node, const char *compat)
{
	uint32_t len;
	const char *p = fdt_prop(f, node, "compatible", &len);

	while (p && len > 0) {
		size_t n = strnlen(p, len);
		if (n < len && strcmp(p, compat) == 0)
			return true;
		if (n + 1 >= len)
			break;
		p += n + 1;
		len -= n + 1;
	}
	return false;
}

bool fdt_is_enabled(const struct fdt *f, int node)
{
	uint32_t len;
	const char *s = fdt_prop(f, node, "status", &len);

	if (!s || len == 0)
		return true;
	return strncmp(s, "okay", len) == 0 || strncmp(s, "ok", len) == 0;
}

/* Calls @fn for each (base, size) pair of @node's "reg", decoded with its parent's cells. */
static void for_each_reg(const struct fdt *f, int parent, int node,
			 void (*fn)(paddr_t, uint64_t, void *), void *arg)
{
	unsigned ac = fdt_address_cells(f, parent), sc = fdt_size_cells(f, parent);
	uint32_t len;
	const uint8_t *p = fdt_prop(f, node, "reg", &len);
	uint32_t step = 4 * (ac + sc);

	if (!p || step == 0)
		return;
	for (; len >= step; len -= step, p += step)
		fn(fdt_read_cells(p, ac), fdt_read_cells(p + 4 * ac, sc), arg);
}

static void add_usable(paddr_t base, uint64_t size, void *arg)
{
	(void)arg;
	boot_add_region(base, size, MEM_USABLE);
}

static void add_reserved(paddr_t base, uint64_t size, void *arg)
{
	(void)arg;
	boot_add_region(base, size, MEM_RESERVED);
}

#define NO_NODE (~0u)

/* A node's "numa-node-id", or NO_NODE. */
static unsigned numa_node_id(const struct fdt *f, int node)
{
	uint32_t len;
	const void *p = fdt_prop(f, node, "numa-node-id", &len);

	return p && len == 4 ? (unsigned)fdt_read_cells(p, 1) : NO_NODE;
}

static void add_numa(paddr_t base, uint64_t size, void *arg)
{
	boot_add_numa_range(base, size, *(unsigned *)arg);
}

static bool prop_is(const struct fdt *f, int node, const char *name, const char *value)
{
	uint32_t len;
	const char *s = fdt_prop(f, node, name, &len);

	return s && len == strlen(value) + 1 && memcmp(s, value, len) == 0;
}

void fdt_fill_boot_info(const struct fdt *f, paddr_t blob_phys)
{
	int root = 0, node = FDT_NONE;

	while ((node = fdt_next_child(f, root, node)) != FDT_NONE) {
		if (!prop_is(f, node, "device_type", "memory") || !fdt_is_enabled(f, node))
			continue;
		for_each_reg(f, root, node, add_usable, NULL);
		unsigned numa = numa_node_id(f, node);
		if (numa != NO_NODE)
			for_each_reg(f, root, node, add_numa, &numa);
	}

	/* The memory reservation block: (address, size) pairs of 64-bit big-endian values. */
	for (uint32_t off = f->off_rsvmap; off + 16 <= f->size; off += 16) {
		uint64_t base = fdt_read_cells(f->blob + off, 2);
		uint64_t size = fdt_read_cells(f->blob + off + 8, 2);
		if (!base && !size)
			break;
		boot_add_region(base, size, MEM_RESERVED);
	}

	int rsv = fdt_path(f, "/reserved-memory");
	if (rsv != FDT_NONE) {
		int child = FDT_NONE;
		while ((child = fdt_next_child(f, rsv, child)) != FDT_NONE)
			for_each_reg(f, rsv, child, add_reserved, NULL);
	}

	boot_add_region(blob_phys, ALIGN_UP((uint64_t)f->size, 4096), MEM_BOOT_DATA);

	int cpus = fdt_path(f, "/cpus");
	if (cpus != FDT_NONE) {
		unsigned ac = fdt_address_cells(f, cpus);
		int child = FDT_NONE;
		while ((child = fdt_next_child(f, cpus, child)) != FDT_NONE) {
			uint32_t len;
			const void *reg = fdt_prop(f, child, "reg", &len);
			if (!prop_is(f, child, "device_type", "cpu") || !fdt_is_enabled(f, child) ||
			    !reg || len < 4 * ac)
				continue;
			unsigned numa = numa_node_id(f, child);
			boot_add_cpu(fdt_read_cells(reg, ac), numa == NO_NODE ? 0 : numa);
		}
	}

	/* An initrd placed by the boot loader (QEMU -initrd): the root task. */
	int chosen = fdt_path(f, "/chosen");
	uint32_t slen, elen;
	const void *start = chosen == FDT_NONE ? NULL : fdt_prop(f, chosen, "linux,initrd-start", &slen);
	const void *end = chosen == FDT_NONE ? NULL : fdt_prop(f, chosen, "linux,initrd-end", &elen);
	if (start && end && (slen == 4 || slen == 8) && (elen == 4 || elen == 8)) {
		uint64_t b = fdt_read_cells(start, slen / 4), e = fdt_read_cells(end, elen / 4);
		if (e > b) {
			boot_add_module(b, e - b, "initrd");
			boot_add_region(b, e - b, MEM_BOOT_DATA);
		}
	}

	uint32_t len;
	const char *args = chosen == FDT_NONE ? NULL : fdt_prop(f, chosen, "bootargs", &len);
	if (args && len > 0 && strnlen(args, len) < len)
		boot_info.cmdline = args;
}

struct first_reg {
	bool found;
	paddr_t base;
	uint64_t size;
};

static void take_first(paddr_t base, uint64_t size, void *arg)
{
	struct first_reg *r = arg;

	if (!r->found) {
		r->found = true;
		r->base = base;
		r->size = size;
	}
}

/* Depth-first search for the first enabled node compatible with @compat. */
static bool find_compat(const struct fdt *f, int parent, const char *compat, struct first_reg *r,
			int depth)
{
	int child = FDT_NONE;

	if (depth > 16)
		return false;
	while ((child = fdt_next_child(f, parent, child)) != FDT_NONE) {
		if (fdt_is_compatible(f, child, compat) && fdt_is_enabled(f, child)) {
			for_each_reg(f, parent, child, take_first, r);
			if (r->found)
				return true;
		}
		if (find_compat(f, child, compat, r, depth + 1))
			return true;
	}
	return false;
}

bool fdt_find_reg(const struct fdt *f, const char *compat, paddr_t *base, uint64_t *size)
{
	struct first_reg r = {0};

	if (!find_compat(f, 0, compat, &r, 0))
		return false;
	*base = r.base;
	*size = r.size;
	return true;
}
