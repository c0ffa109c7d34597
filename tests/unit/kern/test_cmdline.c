/* Kernel command-line parsing and boot-region bookkeeping. */
// UNIT_SRCS: microkernel/kern/boot.c
#define UNIT_MAIN
#include "unit.h"

#include <kernel/boot.h>

TEST(get_values)
{
	size_t len;
	const char *v;

	boot_info.cmdline = "mode=test  crash=panic root=/dev/vda1 flag";
	v = boot_cmdline_get("mode", &len);
	CHECK(v && len == 4 && strncmp(v, "test", 4) == 0);
	v = boot_cmdline_get("root", &len);
	CHECK(v && len == 9 && strncmp(v, "/dev/vda1", 9) == 0);
	CHECK(boot_cmdline_is("crash", "panic"));
	CHECK(!boot_cmdline_is("crash", "pani"));
	CHECK(!boot_cmdline_get("flag", NULL));	/* no '=' */
	CHECK(!boot_cmdline_get("mod", NULL));
	CHECK(!boot_cmdline_get("ode", NULL));
	boot_info.cmdline = "";
	CHECK(!boot_cmdline_get("mode", NULL));
}

TEST(regions)
{
	boot_info.nregions = 0;
	CHECK(boot_add_region(0x1000, 0, MEM_USABLE));
	CHECK(boot_info.nregions == 0);
	CHECK(boot_add_region(0xfffffffffffff000ull, 0x10000, MEM_RESERVED));
	CHECK(boot_info.regions[0].size == 0x1000);	/* clipped at the top of the address space */
	for (int i = 1; i < BOOT_MAX_REGIONS; i++)
		CHECK(boot_add_region(i * 0x1000ull, 0x1000, MEM_USABLE));
	CHECK(!boot_add_region(0, 0x1000, MEM_USABLE));
	CHECK(boot_info.nregions == BOOT_MAX_REGIONS);
}
