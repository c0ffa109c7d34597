/*
 * User address spaces on Sv48: four levels of 512-entry tables, 4 KiB leaves.
 * A user root shares the kernel half (root entries 256..511) with the boot root.
 */
#include <kernel/errno.h>
#include <kernel/frame.h>
#include <kernel/mm.h>
#include <kernel/panic.h>
#include <kernel/string.h>
#include <arch/riscv.h>

#define LEVELS 4
#define ENTRIES 512
#define KERNEL_HALF (ENTRIES / 2)

static unsigned vpn(vaddr_t va, int level)
{
	return va >> (12 + 9 * level) & (ENTRIES - 1);
}

static paddr_t pte_addr(uint64_t e)
{
	return (e >> PTE_PPN_SHIFT) << 12;
}

static uint64_t *table(paddr_t pa)
{
	return phys_to_virt(pa);
}

paddr_t arch_kernel_root(void)
{
	return (kernel_satp & SATP_PPN_MASK) << 12;
}

/* The kernel half's root entries were all made at boot and never change, so a copy stays valid. */
int arch_aspace_create(paddr_t *root)
{
	paddr_t pa = frame_alloc(0, FRAME_ZERO);

	if (!pa)
		return -ENOMEM;
	memcpy(table(pa) + KERNEL_HALF, table(arch_kernel_root()) + KERNEL_HALF,
	       KERNEL_HALF * sizeof(uint64_t));
	*root = pa;
	return 0;
}

/* Frees the tables below @pa, a table at @level (the leaves at level 0 map frames, not tables). */
static void free_tables(paddr_t pa, int level)
{
	uint64_t *t = table(pa);

	for (unsigned i = 0; level > 0 && i < ENTRIES; i += 8) {
		if (!pte8_any(&t[i], PTE_V))
			continue;
		for (unsigned j = i; j < i + 8; j++)
			if (t[j] & PTE_V)
				free_tables(pte_addr(t[j]), level - 1);
	}
	frame_free(pa, 0);
}

void arch_aspace_destroy(paddr_t root)
{
	uint64_t *t = table(root);

	for (unsigned i = 0; i < KERNEL_HALF; i += 8) {
		if (!pte8_any(&t[i], PTE_V))
			continue;
		for (unsigned j = i; j < i + 8; j++)
			if (t[j] & PTE_V)
				free_tables(pte_addr(t[j]), LEVELS - 2);
	}
	frame_free(root, 0);
}

/* The leaf entry of @va, making missing tables when @create; NULL if absent or out of memory. */
static uint64_t *walk(paddr_t root, vaddr_t va, bool create)
{
	uint64_t *t = table(root);

	assert(va < USER_SPACE_END);
	for (int level = LEVELS - 1; level > 0; level--) {
		uint64_t *e = &t[vpn(va, level)];
		if (!(*e & PTE_V)) {
			paddr_t pa = create ? frame_alloc(0, FRAME_ZERO) : 0;
			if (!pa)
				return NULL;
			*e = pa >> 12 << PTE_PPN_SHIFT | PTE_V;
		}
		t = table(pte_addr(*e));
	}
	return &t[vpn(va, 0)];
}

/* Sv48 has no write-only pages: W needs R. A and D are preset so that no access faults for them. */
static uint64_t prot_bits(unsigned prot)
{
	uint64_t b = PTE_V | PTE_A | PTE_D;

	if (prot & (PROT_READ | PROT_WRITE))
		b |= PTE_R;
	if (prot & PROT_WRITE)
		b |= PTE_W;
	if (prot & PROT_EXEC)
		b |= PTE_X;
	if (prot & PROT_USER)
		b |= PTE_U;
	if (prot & PROT_DEVICE)
		b |= PTE_SW_DEVICE;
	return b;
}

/* The hardware may cache a missing translation as well as a stale one, so every change flushes. */
static void flush_page(vaddr_t va)
{
	__asm__ volatile("sfence.vma %0, zero" ::"r"(va) : "memory");
}

/*
 * A leaf with none of R, W and X still works as a no-access mapping: at level
 * 0 the hardware takes such an entry for a fault, not for a pointer.
 */
int arch_page_map(paddr_t root, vaddr_t va, paddr_t pa, unsigned prot)
{
	uint64_t *e = walk(root, va, true);

	if (!e)
		return -ENOMEM;
	*e = pa >> 12 << PTE_PPN_SHIFT | prot_bits(prot);
	flush_page(va);
	return 0;
}

void arch_page_unmap(paddr_t root, vaddr_t va)
{
	uint64_t *e = walk(root, va, false);

	if (e && *e) {
		*e = 0;
		flush_page(va);
	}
}

bool arch_page_query(paddr_t root, vaddr_t va, paddr_t *pa, unsigned *prot)
{
	uint64_t *e = walk(root, va, false);

	if (!e || !(*e & PTE_V))
		return false;
	if (pa)
		*pa = pte_addr(*e) | (va & (PAGE_SIZE - 1));
	if (prot)
		*prot = (*e & PTE_R ? PROT_READ : 0) | (*e & PTE_W ? PROT_WRITE : 0) |
			(*e & PTE_X ? PROT_EXEC : 0) | (*e & PTE_U ? PROT_USER : 0) |
			(*e & PTE_SW_DEVICE ? PROT_DEVICE : 0);
	return true;
}

void arch_range_write_protect(paddr_t root, vaddr_t start, vaddr_t end)
{
	end = MIN(end, USER_SPACE_END);
	for (vaddr_t va = start; va < end;) {
		uint64_t *t = table(root);
		int level = LEVELS - 1;
		while (level > 0 && (t[vpn(va, level)] & PTE_V))
			t = table(pte_addr(t[vpn(va, level--)]));
		/* A missing table: nothing of its span is mapped. A last-level one: to its end. */
		vaddr_t span = 1ull << (12 + 9 * (level ? level : 1)), base = ALIGN_DOWN(va, span);
		vaddr_t stop = MIN(end, base + span);
		/* Eight entries a round where none is writable. */
		for (unsigned i = vpn(va, 0), n = i + (stop - va) / PAGE_SIZE; level == 0 && i < n; i++) {
			if (i % 8 == 0 && i + 8 <= n && !pte8_any(&t[i], PTE_W)) {
				i += 7;
			} else if ((t[i] & (PTE_V | PTE_W)) == (PTE_V | PTE_W)) {
				t[i] &= ~(uint64_t)PTE_W;
				flush_page(base + i * PAGE_SIZE);
			}
		}
		va = stop;
	}
}

/* Without ASIDs there is nothing finer: this drops the kernel's global entries as well. */
void arch_tlb_flush_all(void)
{
	__asm__ volatile("sfence.vma" ::: "memory");
}
