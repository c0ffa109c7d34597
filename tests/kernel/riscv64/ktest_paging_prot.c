/* In-kernel test: every protection survives arch_page_map/arch_page_query on Sv48. */
#include <kernel/frame.h>
#include <kernel/ktest.h>
#include <kernel/mm.h>

#define ALL_PROT (PROT_READ | PROT_WRITE | PROT_EXEC | PROT_USER | PROT_DEVICE)

/* Sv48 cannot express write-only: such a page becomes readable too. */
static unsigned expected(unsigned prot)
{
	return prot & PROT_WRITE ? prot | PROT_READ : prot;
}

KTEST(paging_prot_round_trip)
{
	uint64_t before = frame_free_count();
	paddr_t root, pa;
	unsigned got;

	KCHECK(arch_aspace_create(&root) == 0, "arch_aspace_create failed");
	for (unsigned prot = 0; prot <= ALL_PROT; prot++) {
		vaddr_t va = 0x10000000 + prot * PAGE_SIZE;
		/* The frame is never touched, so any address does. */
		paddr_t frame = 0x80000000 + prot * PAGE_SIZE;
		KCHECK(arch_page_map(root, va, frame, prot) == 0, "prot %#x: map failed", prot);
		KCHECK(arch_page_query(root, va, &pa, &got), "prot %#x: not mapped", prot);
		KCHECK(got == expected(prot) && pa == frame, "prot %#x came back as %#x at %#lx",
		       prot, got, pa);
	}
	arch_aspace_destroy(root);
	KCHECK(frame_free_count() == before, "leaked %ld frames",
	       (long)(before - frame_free_count()));
	return NULL;
}
