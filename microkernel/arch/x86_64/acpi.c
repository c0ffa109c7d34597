/*
 * Just enough ACPI to count the CPUs: RSDP -> XSDT/RSDT -> MADT, whose
 * enabled local APIC and x2APIC entries are the processors the firmware offers.
 */
#include <kernel/boot.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <arch/cpu.h>

struct rsdp {
	char signature[8];
	uint8_t checksum;
	char oem[6];
	uint8_t revision;
	uint32_t rsdt;
	uint32_t length;
	uint64_t xsdt;
	uint8_t ext_checksum;
	uint8_t reserved[3];
} __packed;

struct sdt_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem[6];
	char oem_table[8];
	uint32_t oem_revision;
	uint32_t creator;
	uint32_t creator_revision;
} __packed;

#define MADT_LAPIC 0
#define MADT_X2APIC 9
#define LAPIC_ENABLED 1
#define LAPIC_ONLINE_CAPABLE 2

static bool checksum_ok(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return sum == 0;
}

/* Maps a table if it lies wholly inside the boot direct map and its checksum holds. */
static const struct sdt_header *table_at(paddr_t pa)
{
	if (pa == 0 || pa + sizeof(struct sdt_header) > BOOT_DIRECT_MAP_LIMIT)
		return NULL;
	const struct sdt_header *h = phys_to_virt(pa);
	if (h->length < sizeof(*h) || pa + h->length > BOOT_DIRECT_MAP_LIMIT)
		return NULL;
	return checksum_ok(h, h->length) ? h : NULL;
}

static unsigned count_cpus(const struct sdt_header *madt)
{
	const uint8_t *p = (const uint8_t *)madt + sizeof(*madt) + 8;	/* lapic addr, flags */
	const uint8_t *end = (const uint8_t *)madt + madt->length;
	unsigned n = 0;

	while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
		uint32_t flags = 0;
		if (p[0] == MADT_LAPIC && p[1] >= 8)
			memcpy(&flags, p + 4, 4);
		else if (p[0] == MADT_X2APIC && p[1] >= 16)
			memcpy(&flags, p + 8, 4);
		if (flags & (LAPIC_ENABLED | LAPIC_ONLINE_CAPABLE))
			n++;
		p += p[1];
	}
	return n;
}

void acpi_init(const void *rsdp_copy, uint32_t len)
{
	const struct rsdp *r = rsdp_copy;
	const struct sdt_header *root = NULL;
	bool x = false;

	if (!r || len < 20 || memcmp(r->signature, "RSD PTR ", 8) != 0 || !checksum_ok(r, 20)) {
		kprintf("acpi: no valid RSDP; assuming one CPU\n");
		return;
	}
	if (r->revision >= 2 && len >= sizeof(*r) && r->xsdt && checksum_ok(r, sizeof(*r))) {
		root = table_at(r->xsdt);
		x = root != NULL;
	}
	if (!root)
		root = table_at(r->rsdt);
	if (!root) {
		kprintf("acpi: root table unreadable\n");
		return;
	}
	size_t entry = x ? 8 : 4;
	size_t count = (root->length - sizeof(*root)) / entry;
	const uint8_t *entries = (const uint8_t *)root + sizeof(*root);
	for (size_t i = 0; i < count; i++) {
		uint64_t pa = 0;
		memcpy(&pa, entries + i * entry, entry);
		const struct sdt_header *t = table_at(pa);
		if (t && memcmp(t->signature, "APIC", 4) == 0) {
			unsigned n = count_cpus(t);
			if (n)
				boot_info.ncpus = n;
			return;
		}
	}
	kprintf("acpi: no MADT; assuming one CPU\n");
}
