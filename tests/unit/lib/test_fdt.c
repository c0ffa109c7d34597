/*
 * The device-tree reader on the trees QEMU itself generates for its aarch64
 * and riscv64 virt machines (dumped by tests/build.mk), plus corrupted copies.
 */
// UNIT_SRCS: microkernel/lib/fdt.c microkernel/kern/boot.c microkernel/kern/memmap.c
#define UNIT_MAIN
#include "unit.h"

#include <kernel/fdt.h>
#include <kernel/memmap.h>

static const char *fixtures;

static unsigned char *load(const char *name, size_t *size)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", fixtures, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	unsigned char *buf = malloc(1 << 20);
	*size = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

static void check_virt(const char *name, uint64_t ram_base, const char *uart_compat,
		       uint64_t uart_base)
{
	size_t size;
	unsigned char *blob = load(name, &size);
	struct fdt f;

	CHECK(blob != NULL);
	if (!blob)
		return;
	CHECK(fdt_init(&f, blob, size) == 0);
	memset(&boot_info, 0, sizeof(boot_info));
	boot_info.cmdline = "";
	fdt_fill_boot_info(&f, ram_base + 0x8000000);
	CHECK(boot_info.ncpus == 4);
	for (unsigned i = 0; i < 4; i++)
		CHECK(boot_info.cpu_arch_id[i] == i);	/* hart ids / MPIDR Aff0 of QEMU's virt */
	/* The initrd QEMU loaded (tests/build.mk passes one) is a boot module and boot data. */
	CHECK(boot_info.nmodules == 1 && boot_info.modules[0].size == 4096);
	CHECK_STR(boot_info.modules[0].name, "initrd");
	CHECK_STR(boot_info.cmdline, "key=value mode=test");
	unsigned n = memmap_normalize(boot_info.regions, boot_info.nregions, BOOT_MAX_REGIONS);
	uint64_t usable = memmap_total(boot_info.regions, n, MEM_USABLE);
	CHECK(usable > (256ull << 20) - (4ull << 20) && usable <= (256ull << 20));
	CHECK(boot_info.regions[0].base == ram_base);
	CHECK(memmap_total(boot_info.regions, n, MEM_BOOT_DATA) >= f.size);

	paddr_t base;
	uint64_t sz;
	CHECK(fdt_find_reg(&f, uart_compat, &base, &sz) && base == uart_base && sz >= 0x100);
	CHECK(!fdt_find_reg(&f, "no-such,device", &base, &sz));
	CHECK(fdt_path(&f, "/cpus") != FDT_NONE);
	CHECK(fdt_path(&f, "/chosen") != FDT_NONE);
	CHECK(fdt_path(&f, "/nonexistent/node") == FDT_NONE);
	int memory = fdt_path(&f, "/memory");
	CHECK(memory != FDT_NONE && strncmp(fdt_name(&f, memory), "memory@", 7) == 0);
	free(blob);
}

TEST(qemu_virt_aarch64)
{
	check_virt("virt-aarch64.dtb", 0x40000000, "arm,pl011", 0x09000000);
}

TEST(qemu_virt_riscv64)
{
	check_virt("virt-riscv64.dtb", 0x80000000, "ns16550a", 0x10000000);
}

TEST(rejects_bad_headers)
{
	unsigned char junk[64] = {0};
	struct fdt f;
	size_t size;
	unsigned char *blob = load("virt-riscv64.dtb", &size);

	CHECK(fdt_init(&f, junk, sizeof(junk)) < 0);
	CHECK(fdt_init(&f, NULL, 100) < 0);
	CHECK(blob && fdt_init(&f, blob, 100) < 0);	/* totalsize beyond the buffer */
	free(blob);
}

/* Random corruption must never read outside the blob (ASan watches) or loop forever. */
TEST(survives_corruption)
{
	size_t size;
	unsigned char *orig = load("virt-riscv64.dtb", &size);
	uint64_t seed = 99;

	CHECK(orig != NULL);
	if (!orig)
		return;
	struct fdt f0;
	CHECK(fdt_init(&f0, orig, size) == 0);
	size_t total = f0.size;
	for (int round = 0; round < 3000; round++) {
		unsigned char *b = malloc(total);
		memcpy(b, orig, total);
		for (int k = 0; k < 1 + round % 16; k++) {
			seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
			b[40 + seed % (total - 40)] = (unsigned char)(seed >> 32);
		}
		struct fdt f;
		if (fdt_init(&f, b, total) == 0) {
			memset(&boot_info, 0, sizeof(boot_info));
			boot_info.cmdline = "";
			fdt_fill_boot_info(&f, 0);
			paddr_t base;
			uint64_t sz;
			fdt_find_reg(&f, "ns16550a", &base, &sz);
			CHECK(boot_info.ncpus <= BOOT_MAX_CPUS && boot_info.nmodules <= 1);
		}
		free(b);
	}
	free(orig);
}

__attribute__((constructor(200))) static void find_fixtures(void)
{
	fixtures = getenv("UNIT_FIXTURES") ? getenv("UNIT_FIXTURES") : "build/host/fixtures";
}
