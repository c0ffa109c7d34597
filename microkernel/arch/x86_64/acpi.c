/*
 * Just enough ACPI to find the CPUs, interrupt controllers and clock:
 * RSDP -> XSDT/RSDT -> MADT (processors, I/O APICs, ISA interrupt overrides),
 * SRAT (NUMA nodes) and HPET.
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
#define MADT_IOAPIC 1
#define MADT_OVERRIDE 2
#define MADT_LAPIC_ADDRESS 5
#define MADT_X2APIC 9
#define LAPIC_ENABLED 1
#define LAPIC_ONLINE_CAPABLE 2
#define CPU_USABLE (LAPIC_ENABLED | LAPIC_ONLINE_CAPABLE)

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

struct x86_platform platform = {.lapic = 0xfee00000};

static uint16_t get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* Each well-formed entry (type, length) of a MADT or SRAT after @skip header bytes. */
#define for_each_entry(p, t, skip) \
	for (const uint8_t *p = (const uint8_t *)(t) + (skip), *end_ = (const uint8_t *)(t) + (t)->length; \
	     p + 2 <= end_ && p[1] >= 2 && p + p[1] <= end_; p += p[1])

static void add_ioapic(const uint8_t *p)
{
	if (platform.nioapics < MAX_IOAPICS) {
		platform.ioapics[platform.nioapics].base = get32(p + 4);
		platform.ioapics[platform.nioapics++].gsi_base = get32(p + 8);
	}
}

/* Only ISA (bus 0) overrides exist; they move an ISA IRQ to another GSI or change its trigger. */
static void add_override(const uint8_t *p)
{
	if (p[2] == 0 && platform.noverrides < MAX_IRQ_OVERRIDES)
		platform.overrides[platform.noverrides++] =
			(struct irq_override){p[3], get32(p + 4), get16(p + 8)};
}

static void madt_parse(const struct sdt_header *madt)
{
	platform.lapic = get32((const uint8_t *)madt + sizeof(*madt));
	for_each_entry(p, madt, sizeof(*madt) + 8) {
		if (p[0] == MADT_LAPIC && p[1] >= 8 && (get32(p + 4) & CPU_USABLE))
			boot_add_cpu(p[3], 0);
		else if (p[0] == MADT_X2APIC && p[1] >= 16 && (get32(p + 8) & CPU_USABLE))
			boot_add_cpu(get32(p + 4), 0);
		else if (p[0] == MADT_IOAPIC && p[1] >= 12)
			add_ioapic(p);
		else if (p[0] == MADT_OVERRIDE && p[1] >= 10)
			add_override(p);
		else if (p[0] == MADT_LAPIC_ADDRESS && p[1] >= 12)
			platform.lapic = get64(p + 4);
	}
}

/* The HPET table's base address is a Generic Address Structure; only memory space (0) is usable. */
static void hpet_table(const struct sdt_header *t)
{
	const uint8_t *gas = (const uint8_t *)t + sizeof(*t) + 4;

	if (t->length >= sizeof(*t) + 16 && gas[0] == 0)
		platform.hpet = get64(gas + 4);
}

static void set_cpu_node(uint64_t apic_id, unsigned node)
{
	for (unsigned i = 0; i < boot_info.ncpus; i++)
		if (boot_info.cpu_arch_id[i] == apic_id)
			boot_info.cpu_node[i] = node;
}

#define SRAT_CPU 0
#define SRAT_MEMORY 1
#define SRAT_X2APIC 2

/* The System Resource Affinity Table: which node each CPU and memory range belongs to. */
static void srat_nodes(const struct sdt_header *srat)
{
	for_each_entry(p, srat, sizeof(*srat) + 12) {
		if (p[0] == SRAT_CPU && p[1] >= 16 && (get32(p + 4) & 1)) {
			unsigned node = p[2] | (unsigned)p[9] << 8 | (unsigned)p[10] << 16 |
					(unsigned)p[11] << 24;
			set_cpu_node(p[3], node);
		} else if (p[0] == SRAT_MEMORY && p[1] >= 40 && (get32(p + 28) & 1)) {
			boot_add_numa_range(get64(p + 8), get64(p + 16), get32(p + 2));
		} else if (p[0] == SRAT_X2APIC && p[1] >= 24 && (get32(p + 12) & 1)) {
			set_cpu_node(get32(p + 8), get32(p + 4));
		}
	}
}

static uint32_t this_apic_id(void)
{
	uint32_t a, b, c, d;

	cpuid(1, &a, &b, &c, &d);
	return b >> 24;
}

void acpi_init(const void *rsdp_copy, uint32_t len)
{
	const struct rsdp *r = rsdp_copy;
	const struct sdt_header *root = NULL, *madt = NULL, *srat = NULL;
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
		if (t && memcmp(t->signature, "APIC", 4) == 0)
			madt = t;
		else if (t && memcmp(t->signature, "SRAT", 4) == 0)
			srat = t;
		else if (t && memcmp(t->signature, "HPET", 4) == 0)
			hpet_table(t);
	}
	if (!madt) {
		kprintf("acpi: no MADT; assuming one CPU\n");
		return;
	}
	madt_parse(madt);
	if (srat)
		srat_nodes(srat);
	uint32_t me = this_apic_id();
	for (unsigned i = 0; i < boot_info.ncpus; i++)
		if (boot_info.cpu_arch_id[i] == me)
			boot_info.boot_cpu = i;
}
