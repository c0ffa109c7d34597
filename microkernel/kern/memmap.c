/*
 * Memory-map normalization. Firmware maps overlap, repeat and come unsorted;
 * the kernel wants sorted, disjoint regions where reserved always wins over
 * usable. The map is small (at most BOOT_MAX_REGIONS), so a simple
 * boundary sweep is clearer than anything clever.
 */
#include <kernel/memmap.h>
#include <kernel/mm.h>
#include <kernel/string.h>

#define PAGE 4096ull

/* Higher wins when regions overlap: never hand out memory someone else claimed. */
static int priority(enum mem_type t)
{
	switch (t) {
	case MEM_USABLE: return 0;
	case MEM_ACPI_RECLAIMABLE: return 1;
	case MEM_BOOT_DATA: return 2;
	case MEM_KERNEL: return 3;
	case MEM_ACPI_NVS: return 4;
	case MEM_RESERVED: return 5;
	case MEM_BAD: return 6;
	}
	return 5;
}

static uint64_t end_of(const struct mem_region *r)
{
	return r->base + r->size;
}

unsigned memmap_normalize(struct mem_region *r, unsigned n, unsigned max)
{
	paddr_t points[2 * BOOT_MAX_REGIONS];
	struct mem_region out[BOOT_MAX_REGIONS];
	unsigned np = 0, nout = 0;

	if (n > BOOT_MAX_REGIONS)
		n = BOOT_MAX_REGIONS;
	for (unsigned i = 0; i < n; i++) {
		if (r[i].size == 0)
			continue;
		points[np++] = r[i].base;
		points[np++] = end_of(&r[i]);
	}
	/* Insertion sort of the boundaries; n is small. */
	for (unsigned i = 1; i < np; i++) {
		paddr_t v = points[i];
		unsigned j = i;
		for (; j > 0 && points[j - 1] > v; j--)
			points[j] = points[j - 1];
		points[j] = v;
	}
	for (unsigned i = 0; i + 1 < np; i++) {
		paddr_t lo = points[i], hi = points[i + 1];
		int best = -1;
		enum mem_type type = MEM_USABLE;

		if (lo == hi)
			continue;
		for (unsigned k = 0; k < n; k++) {
			if (r[k].size && r[k].base <= lo && end_of(&r[k]) >= hi &&
			    priority(r[k].type) > best) {
				best = priority(r[k].type);
				type = r[k].type;
			}
		}
		if (best < 0)
			continue;	/* A hole in the map. */
		if (nout && out[nout - 1].type == type && end_of(&out[nout - 1]) == lo) {
			out[nout - 1].size += hi - lo;
		} else if (nout < BOOT_MAX_REGIONS) {
			out[nout++] = (struct mem_region){lo, hi - lo, type};
		}
	}
	/* Usable memory is handed out in whole pages: shrink it inwards to page bounds. */
	unsigned m = 0;
	for (unsigned i = 0; i < nout && m < max; i++) {
		struct mem_region x = out[i];
		if (x.type == MEM_USABLE) {
			paddr_t lo = ALIGN_UP(x.base, PAGE), hi = ALIGN_DOWN(end_of(&x), PAGE);
			if (hi <= lo)
				continue;
			x.base = lo;
			x.size = hi - lo;
		}
		r[m++] = x;
	}
	return m;
}

unsigned memmap_carve(struct mem_region *r, unsigned n, unsigned max, paddr_t base,
		      uint64_t size, enum mem_type type)
{
	if (n < max && size) {
		r[n++] = (struct mem_region){base, size, type};
	}
	return memmap_normalize(r, n, max);
}

uint64_t memmap_total(const struct mem_region *r, unsigned n, enum mem_type type)
{
	uint64_t total = 0;

	for (unsigned i = 0; i < n; i++)
		if (r[i].type == type)
			total += r[i].size;
	return total;
}

const char *memmap_type_name(enum mem_type type)
{
	switch (type) {
	case MEM_USABLE: return "usable";
	case MEM_RESERVED: return "reserved";
	case MEM_ACPI_RECLAIMABLE: return "acpi-reclaimable";
	case MEM_ACPI_NVS: return "acpi-nvs";
	case MEM_BAD: return "bad";
	case MEM_KERNEL: return "kernel";
	case MEM_BOOT_DATA: return "boot-data";
	}
	return "unknown";
}

bool phys_is_ram(paddr_t pa, uint64_t len)
{
	for (unsigned i = 0; i < boot_info.nregions; i++) {
		const struct mem_region *r = &boot_info.regions[i];
		if (r->type != MEM_RESERVED && pa < r->base + r->size && r->base < pa + len)
			return true;
	}
	return pa + len < pa;	/* a wrapping range is never device memory */
}
