/* x86_64 4-level page tables of user address spaces; all share the boot tables' kernel half. */
#include <kernel/errno.h>
#include <kernel/frame.h>
#include <kernel/panic.h>
#include <kernel/string.h>
#include <arch/cpu.h>

#define PTE_PRESENT (1ull << 0)
#define PTE_WRITE (1ull << 1)
#define PTE_USER (1ull << 2)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

/* PML4 slots 256..511 hold the kernel: copied into every root, they never change after boot. */
#define KERNEL_HALF 256

enum walk_mode { WALK_FIND, WALK_CREATE };

extern uint64_t boot_pml4[512];

/* PTE_NX once EFER.NXE is on; without NX every page is executable. */
static uint64_t nx_bit;

/* Turns on no-execute pages; the secondary CPUs copy the boot CPU's EFER. */
void paging_init(void)
{
	uint32_t a, b, c, d;

	cpuid(0x80000001, &a, &b, &c, &d);
	if (d & (1u << 20)) {
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
		nx_bit = PTE_NX;
	}
}

paddr_t arch_kernel_root(void)
{
	return (paddr_t)((uintptr_t)boot_pml4 - KERNEL_VMA);
}

static uint64_t *table_of(uint64_t entry)
{
	return phys_to_virt(entry & PTE_ADDR);
}

static unsigned index_of(vaddr_t va, int level)
{
	return (va >> (12 + 9 * level)) & 511;
}

/* Drops @va from this CPU's TLB. Without PCIDs the TLB holds only the current root's
 * user entries, so flushing for another root costs at most a refill. */
static void flush(vaddr_t va)
{
	__asm__ volatile("invlpg (%0)" ::"r"(va) : "memory");
}

/* Returns @va's last-level entry, or NULL when a table is missing (WALK_FIND) or memory ran out. */
static uint64_t *walk(paddr_t root, vaddr_t va, enum walk_mode mode)
{
	uint64_t *t = phys_to_virt(root);

	for (int level = 3; level > 0; level--) {
		uint64_t *e = &t[index_of(va, level)];
		if (!(*e & PTE_PRESENT)) {
			paddr_t pa = mode == WALK_CREATE ? frame_alloc(0, FRAME_ZERO) : 0;
			if (!pa)
				return NULL;
			/* Upper levels allow everything: the last level alone decides. */
			*e = pa | PTE_PRESENT | PTE_WRITE | PTE_USER;
		}
		t = table_of(*e);
	}
	return &t[index_of(va, 0)];
}

int arch_aspace_create(paddr_t *root)
{
	paddr_t pa = frame_alloc(0, FRAME_ZERO);

	if (!pa)
		return -ENOMEM;
	memcpy((uint64_t *)phys_to_virt(pa) + KERNEL_HALF, boot_pml4 + KERNEL_HALF,
	       KERNEL_HALF * sizeof(uint64_t));
	*root = pa;
	return 0;
}

/* Frees a table and, above the last level, the tables below it (never the mapped frames). */
static void free_table(paddr_t pa, int level)
{
	uint64_t *t = phys_to_virt(pa);

	for (int i = 0; level > 0 && i < 512; i += 8) {
		if (!pte8_any(&t[i], PTE_PRESENT))
			continue;
		for (int j = i; j < i + 8; j++)
			if (t[j] & PTE_PRESENT)
				free_table(t[j] & PTE_ADDR, level - 1);
	}
	frame_free(pa, 0);
}

void arch_aspace_destroy(paddr_t root)
{
	uint64_t *t = phys_to_virt(root);

	if (!root)
		return;
	for (int i = 0; i < KERNEL_HALF; i += 8) {
		if (!pte8_any(&t[i], PTE_PRESENT))
			continue;
		for (int j = i; j < i + 8; j++)
			if (t[j] & PTE_PRESENT)
				free_table(t[j] & PTE_ADDR, 2);
	}
	frame_free(root, 0);
}

static uint64_t pte_of(paddr_t pa, unsigned prot)
{
	uint64_t e = (pa & PTE_ADDR) | PTE_PRESENT;

	if (prot & PROT_WRITE)
		e |= PTE_WRITE;
	if (prot & PROT_USER)
		e |= PTE_USER;
	if (!(prot & PROT_EXEC))
		e |= nx_bit;
	/* PCD+PWT selects PAT entry 3, uncached, in the power-on PAT. */
	if (prot & PROT_DEVICE)
		e |= PTE_PCD | PTE_PWT;
	return e;
}

static unsigned prot_of(uint64_t e)
{
	unsigned prot = PROT_READ;	/* x86 has no present page that cannot be read. */

	if (e & PTE_WRITE)
		prot |= PROT_WRITE;
	if (e & PTE_USER)
		prot |= PROT_USER;
	if (!(e & PTE_NX))
		prot |= PROT_EXEC;
	if (e & PTE_PCD)
		prot |= PROT_DEVICE;
	return prot;
}

int arch_page_map(paddr_t root, vaddr_t va, paddr_t pa, unsigned prot)
{
	/* The kernel half is shared by every root: a user root must not grow it. */
	if (va >= USER_SPACE_END)
		return -EINVAL;
	uint64_t *e = walk(root, va, WALK_CREATE);
	if (!e)
		return -ENOMEM;
	uint64_t old = *e;
	*e = pte_of(pa, prot);
	if (old & PTE_PRESENT)
		flush(va);
	return 0;
}

void arch_page_unmap(paddr_t root, vaddr_t va)
{
	uint64_t *e = va < USER_SPACE_END ? walk(root, va, WALK_FIND) : NULL;

	if (e && (*e & PTE_PRESENT)) {
		*e = 0;
		flush(va);
	}
}

bool arch_page_query(paddr_t root, vaddr_t va, paddr_t *pa, unsigned *prot)
{
	uint64_t *e = va < USER_SPACE_END ? walk(root, va, WALK_FIND) : NULL;

	if (!e || !(*e & PTE_PRESENT))
		return false;
	if (pa)
		*pa = (*e & PTE_ADDR) | (va & (PAGE_SIZE - 1));
	if (prot)
		*prot = prot_of(*e);
	return true;
}

void arch_range_write_protect(paddr_t root, vaddr_t start, vaddr_t end)
{
	end = MIN(end, USER_SPACE_END);
	for (vaddr_t va = start; va < end;) {
		uint64_t *t = phys_to_virt(root);
		int level = 3;
		while (level > 0 && (t[index_of(va, level)] & PTE_PRESENT))
			t = table_of(t[index_of(va, level--)]);
		/* A missing table: nothing of its span is mapped. A last-level one: to its end. */
		vaddr_t span = 1ull << (12 + 9 * (level ? level : 1)), base = ALIGN_DOWN(va, span);
		vaddr_t stop = MIN(end, base + span);
		/* Eight entries a round where none is writable. */
		for (unsigned i = index_of(va, 0), n = i + (stop - va) / PAGE_SIZE; level == 0 && i < n; i++) {
			if (i % 8 == 0 && i + 8 <= n && !pte8_any(&t[i], PTE_WRITE)) {
				i += 7;
			} else if ((t[i] & (PTE_PRESENT | PTE_WRITE)) == (PTE_PRESENT | PTE_WRITE)) {
				t[i] &= ~PTE_WRITE;
				flush(base + i * PAGE_SIZE);
			}
		}
		va = stop;
	}
}

/* Reloading CR3 drops every non-global translation, and only the kernel's could be global. */
void arch_tlb_flush_all(void)
{
	write_cr3(read_cr3());
}

void *mmio_map(paddr_t pa)
{
	/* The boot map covers the first 4 GiB with 2 MiB pages; the APICs and the HPET sit
	 * in the hole below 4 GiB, in 2 MiB pages of their own, so those can turn uncached. */
	if (pa >= BOOT_DIRECT_MAP_LIMIT)
		panic("device registers at %#lx are outside the direct map", pa);
	uint64_t *pdpt = table_of(boot_pml4[KERNEL_HALF]);
	uint64_t *pd = table_of(pdpt[index_of(pa, 2)]);
	pd[index_of(pa, 1)] |= PTE_PCD | PTE_PWT;
	void *va = phys_to_virt(pa);
	flush((vaddr_t)va);
	return va;
}
