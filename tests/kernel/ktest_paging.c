/* In-kernel tests of the architecture's page-table hooks on user address spaces. */
#include <kernel/errno.h>
#include <kernel/frame.h>
#include <kernel/ktest.h>
#include <kernel/mm.h>

KTEST(paging_map_query_unmap)
{
	uint64_t before = frame_free_count();
	paddr_t root;
	const vaddr_t vas[] = {
		0x1000,				/* the lowest mappable page */
		0x40000000 - PAGE_SIZE,		/* just below a 1 GiB boundary */
		0x40000000,
		0x7f0000201000,			/* an unrelated branch of the tree */
		USER_SPACE_END - PAGE_SIZE,	/* the last user page */
	};
	paddr_t frames[ARRAY_SIZE(vas)];

	KCHECK(arch_aspace_create(&root) == 0, "arch_aspace_create failed");
	for (size_t i = 0; i < ARRAY_SIZE(vas); i++) {
		frames[i] = frame_alloc(0, FRAME_ZERO);
		unsigned prot = PROT_READ | PROT_USER | (i & 1 ? PROT_WRITE : PROT_EXEC);
		KCHECK(arch_page_map(root, vas[i], frames[i], prot) == 0, "map %#lx failed", vas[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(vas); i++) {
		paddr_t pa;
		unsigned prot;
		KCHECK(arch_page_query(root, vas[i] + 123, &pa, &prot), "%#lx not mapped", vas[i]);
		KCHECK(pa == frames[i] + 123, "%#lx maps to %#lx, not %#lx", vas[i], pa, frames[i] + 123);
		KCHECK((prot & PROT_USER) && (prot & PROT_READ), "%#lx lost its user/read rights", vas[i]);
		KCHECK(!!(prot & PROT_WRITE) == (i & 1), "%#lx write right is %d", vas[i], !!(prot & PROT_WRITE));
		KCHECK(!(i & 1) == !!(prot & PROT_EXEC), "%#lx exec right wrong", vas[i]);
	}
	KCHECK(!arch_page_query(root, 0x2000, NULL, NULL), "an unmapped page is mapped");
	/* Remapping replaces. */
	KCHECK(arch_page_map(root, vas[0], frames[1], PROT_READ | PROT_USER) == 0, "remap failed");
	paddr_t pa;
	KCHECK(arch_page_query(root, vas[0], &pa, NULL) && pa == frames[1], "remap did not replace");
	arch_page_unmap(root, vas[2]);
	KCHECK(!arch_page_query(root, vas[2], NULL, NULL), "unmapped page still mapped");
	arch_page_unmap(root, 0x5000);	/* unmapping nothing is harmless */

	/* Running on the new tables, the kernel keeps working (its half is shared). */
	arch_aspace_switch(arch_aspace_token(root));
	KCHECK(frame_free_count() > 0, "kernel data unreadable under a user root");
	arch_aspace_switch(arch_aspace_token(arch_kernel_root()));

	arch_aspace_destroy(root);
	for (size_t i = 0; i < ARRAY_SIZE(vas); i++)
		frame_free(frames[i], 0);
	KCHECK(frame_free_count() == before, "page tables leaked %ld frames",
	       (long)(before - frame_free_count()));
	return NULL;
}
