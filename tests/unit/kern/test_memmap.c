/* Memory-map normalization, checked against a page-by-page reference model. */
// UNIT_SRCS: microkernel/kern/memmap.c microkernel/kern/boot.c
#define UNIT_MAIN
#include "unit.h"

#include <kernel/memmap.h>

TEST(sorted_disjoint_merged)
{
	struct mem_region r[8] = {
		{0x9000, 0x2000, MEM_USABLE},
		{0x1000, 0x4000, MEM_USABLE},
		{0x5000, 0x4000, MEM_USABLE},
	};
	unsigned n = memmap_normalize(r, 3, 8);

	CHECK(n == 1);
	CHECK(r[0].base == 0x1000 && r[0].size == 0xa000 && r[0].type == MEM_USABLE);
}

TEST(reserved_wins)
{
	struct mem_region r[8] = {
		{0x0, 0x100000, MEM_USABLE},
		{0x80000, 0x1000, MEM_RESERVED},
		{0x7f800, 0x1000, MEM_ACPI_NVS},
	};
	unsigned n = memmap_normalize(r, 3, 8);

	/* Usable shrinks to page bounds around the unaligned ACPI NVS range. */
	CHECK(n == 4);
	CHECK(r[0].base == 0 && r[0].size == 0x7f000 && r[0].type == MEM_USABLE);
	CHECK(r[1].base == 0x7f800 && r[1].size == 0x800 && r[1].type == MEM_ACPI_NVS);
	CHECK(r[2].base == 0x80000 && r[2].size == 0x1000 && r[2].type == MEM_RESERVED);
	CHECK(r[3].base == 0x81000 && r[3].size == 0x7f000 && r[3].type == MEM_USABLE);
}

TEST(carve_kernel)
{
	struct mem_region r[8] = {{0x100000, 0x1000000, MEM_USABLE}};
	unsigned n = memmap_carve(r, 1, 8, 0x200000, 0x20000, MEM_KERNEL);

	CHECK(n == 3);
	CHECK(r[1].type == MEM_KERNEL && r[1].base == 0x200000);
	CHECK(memmap_total(r, n, MEM_USABLE) == 0x1000000 - 0x20000);
}

TEST(empty_and_tiny)
{
	struct mem_region r[8] = {{0x1000, 0, MEM_USABLE}, {0x1001, 0x800, MEM_USABLE}};

	CHECK(memmap_normalize(r, 2, 8) == 0);
}

/* Reference: one type per 256-byte granule; higher priority wins. */
#define GRANULES 4096
static int prio(enum mem_type t)
{
	static const int p[] = {[MEM_USABLE] = 0, [MEM_ACPI_RECLAIMABLE] = 1, [MEM_BOOT_DATA] = 2,
				[MEM_KERNEL] = 3, [MEM_ACPI_NVS] = 4, [MEM_RESERVED] = 5, [MEM_BAD] = 6};
	return p[t];
}

TEST(random_against_model)
{
	uint64_t seed = 12345;

	for (int round = 0; round < 2000; round++) {
		struct mem_region r[BOOT_MAX_REGIONS];
		int model[GRANULES];
		unsigned n = 1 + round % 12;

		for (int g = 0; g < GRANULES; g++)
			model[g] = 0;
		for (unsigned i = 0; i < n; i++) {
			seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
			uint64_t base = (seed % GRANULES) * 256, size = ((seed >> 20) % 1024) * 256;
			enum mem_type t = (seed >> 40) % 3 ? MEM_USABLE : (enum mem_type)(2 + (seed >> 45) % 6);
			if (base + size > GRANULES * 256)
				size = GRANULES * 256 - base;
			r[i] = (struct mem_region){base, size, t};
			for (uint64_t g = base / 256; g < (base + size) / 256; g++)
				if (!model[g] || prio(t) > prio((enum mem_type)model[g]))
					model[g] = t;
		}
		unsigned m = memmap_normalize(r, n, BOOT_MAX_REGIONS);
		int got[GRANULES] = {0};
		for (unsigned i = 0; i < m; i++) {
			CHECK(i == 0 || r[i - 1].base + r[i - 1].size <= r[i].base);
			CHECK(i == 0 || !(r[i - 1].base + r[i - 1].size == r[i].base && r[i - 1].type == r[i].type));
			for (uint64_t g = r[i].base / 256; g < (r[i].base + r[i].size) / 256; g++)
				got[g] = r[i].type;
		}
		for (int g = 0; g < GRANULES; g++) {
			/* Usable granules may be dropped at page edges; nothing else may change. */
			if (model[g] == MEM_USABLE) {
				CHECK(got[g] == MEM_USABLE || got[g] == 0);
				int page_start = g & ~15;
				bool whole = true;
				for (int k = page_start; k < page_start + 16; k++)
					whole &= model[k] == MEM_USABLE;
				CHECK(!whole || got[g] == MEM_USABLE);
			} else {
				CHECK(got[g] == model[g]);
			}
		}
	}
}
