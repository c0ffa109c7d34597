/* Out of memory is an error for the one who asked, never a kernel panic. */
#include "../../../roottask/utest.h"

/* Touches a mapping bigger than the machine's memory, page by page. */
static uint64_t eat_memory(uint64_t unused)
{
	handle_t vmo;
	uint64_t at;

	if (vr_vmo_create(1ull << 30, 0, &vmo) || vr_vm_map(vr_self, vmo, 0, 0, 1ull << 30,
							      VR_PROT_READ | VR_PROT_WRITE, &at))
		return 1;
	for (uint64_t off = 0; off < (1ull << 30); off += VR_PAGE)
		*(volatile char *)(uintptr_t)(at + off) = 1;
	return 2;	/* more memory than the machine has: not reached */
}

UTEST(oom_kills_the_hog_not_the_kernel)
{
	uint64_t before = info(INFO_FREE_FRAMES);
	handle_t p = spawn(eat_memory, 0);

	UCHECK(p, "spawn failed");
	int64_t st = reap(p);
	UCHECK(st == -VR_ENOMEM, "the memory hog ended with %ld, not -ENOMEM", st);
	for (int i = 0; i < 2000 && info(INFO_FREE_FRAMES) + 16 < before; i++)
		vr_thread_sleep(1000000);
	long lost = (long)(before - info(INFO_FREE_FRAMES));
	UCHECK(lost <= 16, "%ld frames not returned after the hog died", lost);
	/* A contiguous request beyond the largest run is refused, not fatal. */
	handle_t v;
	int64_t r = vr_vmo_create(64ull << 20, VR_VMO_CONTIG, &v);
	UCHECK(r == -VR_ENOMEM, "a 64 MiB contiguous VMO gave %ld", r);
	UCHECK(vr_vmo_create(2 * VR_PAGE, VR_VMO_CONTIG, &v) == 0, "a small contiguous VMO failed");
	uint64_t pa = 0;
	UCHECK(vr_vmo_phys_addr(v, 0, &pa) == 0 && pa && pa % VR_PAGE == 0, "physical address %#lx", pa);
	vr_handle_close(v);
	return NULL;
}
