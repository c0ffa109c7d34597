/* The multiboot2 information parser, on blocks built the way GRUB lays them out. */
// UNIT_SRCS: microkernel/arch/x86_64/multiboot2.c microkernel/kern/boot.c
#define UNIT_MAIN
#include "unit.h"

#include <stdint.h>
#include <kernel/boot.h>
#include <arch/multiboot2.h>

struct builder {
	_Alignas(8) unsigned char buf[4096];
	uint32_t len;
};

static void *tag(struct builder *b, uint32_t type, uint32_t size)
{
	unsigned char *p = b->buf + b->len;
	memcpy(p, &type, 4);
	memcpy(p + 4, &size, 4);
	b->len += (size + 7) & ~7u;
	return p + 8;
}

static void begin(struct builder *b)
{
	memset(b, 0, sizeof(*b));
	b->len = 8;
}

static void end(struct builder *b)
{
	tag(b, 0, 8);
	memcpy(b->buf, &b->len, 4);
}

static void reset(void)
{
	memset(&boot_info, 0, sizeof(boot_info));
	boot_info.cmdline = "";
	boot_info.loader = "unknown";
}

TEST(grub_bios_like)
{
	struct builder b;
	struct mb2_result r;

	reset();
	begin(&b);
	strcpy(tag(&b, 1, 8 + 10), "mode=test");
	strcpy(tag(&b, 2, 8 + 10), "GRUB 2.06");
	uint32_t *m = tag(&b, 6, 16 + 2 * 24);
	m[0] = 24;	/* entry size */
	m[1] = 0;	/* entry version */
	uint64_t e[6] = {0, 0x9fc00, 1, 0x100000, 0xff00000, 1};
	memcpy(m + 2, e, 24);
	memcpy(m + 8, e + 3, 24);
	unsigned char *rsdp = tag(&b, 14, 8 + 20);
	memcpy(rsdp, "RSD PTR ", 8);
	end(&b);

	CHECK(mb2_parse(b.buf, 0x10000, sizeof(b.buf), &r) == 0);
	CHECK_STR(boot_info.cmdline, "mode=test");
	CHECK_STR(boot_info.loader, "GRUB 2.06");
	CHECK(!r.uefi);
	CHECK(r.rsdp == rsdp && r.rsdp_len == 20);
	CHECK(boot_info.nregions == 3);	/* the info block itself + two usable ranges */
	CHECK(boot_info.regions[0].type == MEM_BOOT_DATA && boot_info.regions[0].base == 0x10000);
	CHECK(boot_info.regions[2].base == 0x100000 && boot_info.regions[2].size == 0xff00000);
}

TEST(uefi_and_new_rsdp_preferred)
{
	struct builder b;
	struct mb2_result r;

	reset();
	begin(&b);
	tag(&b, 15, 8 + 36);
	unsigned char *old = tag(&b, 14, 8 + 20);
	tag(&b, 12, 16);
	end(&b);
	CHECK(mb2_parse(b.buf, 0, sizeof(b.buf), &r) == 0);
	CHECK(r.uefi);
	CHECK(r.rsdp != old && r.rsdp_len == 36);
}

TEST(rejects_malformed)
{
	struct builder b;
	struct mb2_result r;

	reset();
	begin(&b);
	uint32_t *t = tag(&b, 1, 8 + 4);
	memcpy(t, "abcd", 4);	/* command line without its NUL */
	end(&b);
	CHECK(mb2_parse(b.buf, 0, sizeof(b.buf), &r) == 0);
	CHECK_STR(boot_info.cmdline, "");

	begin(&b);
	tag(&b, 1, 8 + 4);
	b.len += 0;
	uint32_t huge = 100000;
	memcpy(b.buf + 12, &huge, 4);	/* tag larger than the block */
	end(&b);
	CHECK(mb2_parse(b.buf, 0, sizeof(b.buf), &r) < 0);

	begin(&b);
	tag(&b, 2, 8 + 4);
	memcpy(b.buf, &b.len, 4);	/* no end tag */
	CHECK(mb2_parse(b.buf, 0, sizeof(b.buf), &r) < 0);

	uint32_t tiny[2] = {4, 0};
	CHECK(mb2_parse(tiny, 0, sizeof(tiny), &r) < 0);
	uint32_t big[4] = {1 << 20, 0, 0, 0};
	CHECK(mb2_parse(big, 0, sizeof(big), &r) < 0);	/* total size beyond what is mapped */
}
