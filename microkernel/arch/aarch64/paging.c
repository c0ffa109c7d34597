/*
 * User address spaces: 4-level TTBR0 tables (4 KiB granule, 48-bit VAs). The
 * kernel half is TTBR1's and is never touched here. All user spaces share
 * ASID 0 and map their pages non-global, so a switch flushes only that ASID
 * and the kernel's global entries survive it.
 */
#include <kernel/errno.h>
#include <kernel/frame.h>
#include <kernel/mm.h>

#include "aarch64.h"

/* The TTBR0 root of kernel threads: nothing is mapped in the user half. */
static uint64_t pt_empty[512] __attribute__((aligned(PAGE_SIZE)));

enum walk { WALK_FIND, WALK_ALLOC };

static unsigned index_at(vaddr_t va, int level)
{
	return (va >> (39 - 9 * level)) & 511;
}

/* The level-3 entry for @va, adding missing tables on WALK_ALLOC; NULL if absent or no memory. */
static uint64_t *pte_of(paddr_t root, vaddr_t va, enum walk how)
{
	uint64_t *table = phys_to_virt(root);

	for (int level = 0; level < 3; level++) {
		uint64_t *e = &table[index_at(va, level)];
		if (!(*e & PTE_VALID)) {
			paddr_t pa = how == WALK_ALLOC ? frame_alloc(0, FRAME_ZERO) : 0;
			if (!pa)
				return NULL;
			/* The zeroes must reach the table walker before the link to them does. */
			__asm__ volatile("dsb ishst" ::: "memory");
			*e = pa | PTE_TABLE;
		}
		table = phys_to_virt(*e & PTE_ADDR_MASK);
	}
	return &table[index_at(va, 3)];
}

/* Drops @va from this CPU's TLB after its entry changed. */
static void flush_page(vaddr_t va)
{
	uint64_t page = va >> 12;	/* with ASID 0 in bits 63:48 */

	__asm__ volatile("dsb ishst\n\ttlbi vale1, %0\n\tdsb nsh\n\tisb" ::"r"(page) : "memory");
}

static uint64_t pte_bits(unsigned prot)
{
	uint64_t e = PTE_TABLE | PTE_AF | PTE_NG;

	e |= prot & PROT_DEVICE ? PTE_ATTR_DEVICE : PTE_ATTR_NORMAL | PTE_SH_INNER;
	if (!(prot & PROT_WRITE))
		e |= PTE_AP_RO;
	/* The kernel never executes a user page (nor may EL0 run a kernel one). */
	if (prot & PROT_USER)
		e |= PTE_AP_USER | PTE_PXN | (prot & PROT_EXEC ? 0 : PTE_UXN);
	else
		e |= PTE_UXN | (prot & PROT_EXEC ? 0 : PTE_PXN);
	return e;
}

/* The inverse of pte_bits. Every valid page is readable at EL1, so PROT_READ always comes back. */
static unsigned pte_prot(uint64_t e)
{
	unsigned prot = PROT_READ;

	if (!(e & PTE_AP_RO))
		prot |= PROT_WRITE;
	if (e & PTE_AP_USER)
		prot |= PROT_USER | (e & PTE_UXN ? 0 : PROT_EXEC);
	else if (!(e & PTE_PXN))
		prot |= PROT_EXEC;
	if ((e & PTE_ATTR_MASK) == PTE_ATTR_DEVICE)
		prot |= PROT_DEVICE;
	return prot;
}

int arch_aspace_create(paddr_t *root)
{
	paddr_t pa = frame_alloc(0, FRAME_ZERO);

	if (!pa)
		return -ENOMEM;
	*root = pa;
	return 0;
}

/* Frees a table and, above level 3, the tables it points to. */
static void free_table(paddr_t pa, int level)
{
	uint64_t *table = phys_to_virt(pa);

	for (int i = 0; level < 3 && i < 512; i += 8) {
		if (!pte8_any(&table[i], PTE_VALID))
			continue;
		for (int j = i; j < i + 8; j++)
			if (table[j] & PTE_VALID)
				free_table(table[j] & PTE_ADDR_MASK, level + 1);
	}
	frame_free(pa, 0);
}

void arch_aspace_destroy(paddr_t root)
{
	free_table(root, 0);
	/* Walk caches may still hold entries of the freed tables. */
	arch_tlb_flush_all();
}

/*
 * The kernel writes code through the direct map (ELF loading, vmo_write): it
 * must reach the instruction fetches of the user mapping. Cleans the page to
 * the point of unification, then drops every stale instruction-cache line.
 * Only for RAM: device memory is not in the direct map.
 */
static void sync_icache(paddr_t pa)
{
	uintptr_t va = (uintptr_t)phys_to_virt(ALIGN_DOWN(pa, PAGE_SIZE));
	uint64_t line = UL(4) << ((read_sysreg(ctr_el0) >> 16) & 15);

	for (uintptr_t a = va; a < va + PAGE_SIZE; a += line)
		__asm__ volatile("dc cvau, %0" ::"r"(a) : "memory");
	__asm__ volatile("dsb ish\n\tic ialluis\n\tdsb ish\n\tisb" ::: "memory");
}

int arch_page_map(paddr_t root, vaddr_t va, paddr_t pa, unsigned prot)
{
	if (va >= USER_SPACE_END)
		return -EINVAL;
	uint64_t *pte = pte_of(root, va, WALK_ALLOC);
	if (!pte)
		return -ENOMEM;
	/* Break before make: the architecture forbids replacing a live entry in one step. */
	if (*pte & PTE_VALID) {
		*pte = 0;
		flush_page(va);
	}
	if ((prot & (PROT_USER | PROT_EXEC | PROT_DEVICE)) == (PROT_USER | PROT_EXEC))
		sync_icache(pa);
	*pte = (pa & PTE_ADDR_MASK) | pte_bits(prot);
	__asm__ volatile("dsb ishst\n\tisb" ::: "memory");
	return 0;
}

void arch_page_unmap(paddr_t root, vaddr_t va)
{
	uint64_t *pte = va < USER_SPACE_END ? pte_of(root, va, WALK_FIND) : NULL;

	if (pte && (*pte & PTE_VALID)) {
		*pte = 0;
		flush_page(va);
	}
}

bool arch_page_query(paddr_t root, vaddr_t va, paddr_t *pa, unsigned *prot)
{
	uint64_t *pte = va < USER_SPACE_END ? pte_of(root, va, WALK_FIND) : NULL;

	if (!pte || !(*pte & PTE_VALID))
		return false;
	if (pa)
		*pa = (*pte & PTE_ADDR_MASK) | (va & (PAGE_SIZE - 1));
	if (prot)
		*prot = pte_prot(*pte);
	return true;
}

/* A permission change needs no break-before-make: the bit is set in place. */
void arch_range_write_protect(paddr_t root, vaddr_t start, vaddr_t end)
{
	end = MIN(end, USER_SPACE_END);
	for (vaddr_t va = start; va < end;) {
		uint64_t *table = phys_to_virt(root);
		int level = 0;
		while (level < 3 && (table[index_at(va, level)] & PTE_VALID))
			table = phys_to_virt(table[index_at(va, level++)] & PTE_ADDR_MASK);
		/* A missing table: nothing of its span is mapped. A level-3 one: to its end. */
		vaddr_t span = 1ull << (39 - 9 * (level < 3 ? level : 2)), base = ALIGN_DOWN(va, span);
		vaddr_t stop = MIN(end, base + span);
		/* Eight entries a round where none is valid. */
		for (unsigned i = index_at(va, 3), n = i + (stop - va) / PAGE_SIZE; level == 3 && i < n; i++) {
			if (i % 8 == 0 && i + 8 <= n && !pte8_any(&table[i], PTE_VALID)) {
				i += 7;
			} else if ((table[i] & (PTE_VALID | PTE_AP_RO)) == PTE_VALID) {
				table[i] |= PTE_AP_RO;
				__asm__ volatile("dsb ishst\n\ttlbi vale1, %0" ::"r"((base >> 12) + i) : "memory");
			}
		}
		va = stop;
	}
	__asm__ volatile("dsb nsh\n\tisb" ::: "memory");
}

/* Drops every user translation (ASID 0, with its walk-cache entries) from this CPU's TLB. */
void arch_tlb_flush_all(void)
{
	__asm__ volatile("dsb ishst\n\ttlbi aside1, xzr\n\tdsb nsh\n\tisb" ::: "memory");
}

paddr_t arch_kernel_root(void)
{
	return kernel_pa(pt_empty);
}
