/* Multiboot2 boot information: command line, loader name, memory map, ACPI RSDP. */
#include <kernel/boot.h>
#include <kernel/string.h>
#include <arch/multiboot2.h>

enum {
	TAG_END = 0,
	TAG_CMDLINE = 1,
	TAG_LOADER_NAME = 2,
	TAG_MODULE = 3,
	TAG_MMAP = 6,
	TAG_EFI32 = 11,
	TAG_EFI64 = 12,
	TAG_ACPI_OLD = 14,
	TAG_ACPI_NEW = 15,
	TAG_EFI_MMAP = 17,
};

struct mb2_tag {
	uint32_t type;
	uint32_t size;
};

struct mb2_mmap_entry {
	uint64_t base;
	uint64_t length;
	uint32_t type;
	uint32_t reserved;
};

static enum mem_type mmap_type(uint32_t t)
{
	switch (t) {
	case 1: return MEM_USABLE;
	case 3: return MEM_ACPI_RECLAIMABLE;
	case 4: return MEM_ACPI_NVS;
	case 5: return MEM_BAD;
	default: return MEM_RESERVED;
	}
}

/* A string tag is used only when it is NUL-terminated inside the tag. */
static const char *tag_string(const struct mb2_tag *t)
{
	const char *s = (const char *)(t + 1);
	size_t room = t->size - sizeof(*t);

	return strnlen(s, room) < room ? s : NULL;
}

static void parse_mmap(const struct mb2_tag *t)
{
	const uint8_t *p = (const uint8_t *)t;
	uint32_t entry_size = *(const uint32_t *)(p + 8);

	if (t->size < 16 || entry_size < sizeof(struct mb2_mmap_entry))
		return;
	for (uint32_t off = 16; off + entry_size <= t->size; off += entry_size) {
		const struct mb2_mmap_entry *e = (const void *)(p + off);
		boot_add_region(e->base, e->length, mmap_type(e->type));
	}
}

/* A module tag: start, end (physical, 32-bit) and a NUL-terminated string. */
static void parse_module(const struct mb2_tag *t)
{
	const uint32_t *w = (const uint32_t *)(t + 1);

	if (t->size < 17 || w[1] <= w[0])
		return;
	const char *name = (const char *)(w + 2);
	size_t room = t->size - 16;
	if (strnlen(name, room) == room)
		return;
	boot_add_module(w[0], w[1] - w[0], name);
	boot_add_region(w[0], w[1] - w[0], MEM_BOOT_DATA);
}

int mb2_parse(const void *info, paddr_t info_phys, size_t max, struct mb2_result *out)
{
	const uint8_t *base = info;
	uint32_t total = *(const uint32_t *)base;

	memset(out, 0, sizeof(*out));
	if (total < 16 || total > max)
		return -1;
	boot_add_region(info_phys, total, MEM_BOOT_DATA);
	for (uint32_t off = 8; off + sizeof(struct mb2_tag) <= total;) {
		const struct mb2_tag *t = (const void *)(base + off);
		if (t->size < sizeof(*t) || t->size > total - off)
			return -1;
		switch (t->type) {
		case TAG_END:
			return 0;
		case TAG_CMDLINE:
			if (tag_string(t))
				boot_info.cmdline = tag_string(t);
			break;
		case TAG_LOADER_NAME:
			if (tag_string(t))
				boot_info.loader = tag_string(t);
			break;
		case TAG_MMAP:
			parse_mmap(t);
			break;
		case TAG_MODULE:
			parse_module(t);
			break;
		case TAG_ACPI_OLD:
		case TAG_ACPI_NEW:
			/* Prefer the ACPI 2.0+ RSDP (it has the XSDT) when both are given. */
			if (!out->rsdp || t->type == TAG_ACPI_NEW) {
				out->rsdp = t + 1;
				out->rsdp_len = t->size - sizeof(*t);
			}
			break;
		case TAG_EFI32:
		case TAG_EFI64:
		case TAG_EFI_MMAP:
			out->uefi = true;
			break;
		}
		off += ALIGN_UP(t->size, 8);
	}
	return -1;	/* No end tag. */
}
