/* In-kernel tests of the physical frame allocator on the machine's real memory map. */
#include <kernel/cpu.h>
#include <kernel/frame.h>
#include <kernel/ktest.h>
#include <kernel/mm.h>
#include <kernel/string.h>

/* Frames parked in other CPUs' caches: counted as free, but only their owners hand them out. */
static uint64_t cached_elsewhere(void)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < ncpus_online; i++)
		if (&cpus[i] != this_cpu())
			n += __atomic_load_n(&cpus[i].nframes_cached, __ATOMIC_RELAXED);
	return n;
}

/*
 * Takes every free frame (chaining them through their first word), then frees
 * them all. When the free lists run dry an allocation drains every CPU's
 * cache, so what is left free at the end is only what other CPUs freed into
 * their caches since.
 */
KTEST(frame_exhaust_and_return)
{
	uint64_t before = frame_free_count(), n = 0;
	paddr_t head = 0, pa;
	bool aligned = true;

	while ((pa = frame_alloc(0, 0)) != 0) {
		aligned &= (pa & (FRAME_SIZE - 1)) == 0;
		*(paddr_t *)phys_to_virt(pa) = head;
		head = pa;
		n++;
	}
	uint64_t left = frame_free_count(), elsewhere = cached_elsewhere();
	while (head) {
		paddr_t next = *(paddr_t *)phys_to_virt(head);
		frame_free(head, 0);
		head = next;
	}
	KCHECK(aligned, "an allocated frame was not page aligned");
	KCHECK(left == elsewhere, "%lu frames still free after exhaustion (%lu in other CPUs' caches)",
	       left, elsewhere);
	KCHECK(n + left == before, "allocated %lu frames and %lu stayed free, %lu were free", n, left,
	       before);
	KCHECK(frame_free_count() == before, "%lu free after returning all, %lu before",
	       frame_free_count(), before);
	return NULL;
}

KTEST(frame_orders_aligned_disjoint)
{
	paddr_t runs[FRAME_MAX_ORDER + 1];
	uint64_t before = frame_free_count();

	for (unsigned o = 0; o <= FRAME_MAX_ORDER; o++) {
		runs[o] = frame_alloc(o, 0);
		KCHECK(runs[o], "order %u allocation failed", o);
		KCHECK(runs[o] % (FRAME_SIZE << o) == 0, "order %u run at %#lx is misaligned", o, runs[o]);
		for (unsigned p = 0; p < o; p++)
			KCHECK(runs[p] + (FRAME_SIZE << p) <= runs[o] || runs[o] + (FRAME_SIZE << o) <= runs[p],
			       "runs of order %u and %u overlap", p, o);
	}
	KCHECK(frame_alloc(FRAME_MAX_ORDER + 1, 0) == 0, "an over-large order was granted");
	for (unsigned o = 0; o <= FRAME_MAX_ORDER; o++)
		frame_free(runs[o], o);
	KCHECK(frame_free_count() == before, "leaked %ld frames", (long)(before - frame_free_count()));
	return NULL;
}

KTEST(frame_zeroed)
{
	paddr_t pa = frame_alloc(1, 0);

	KCHECK(pa, "allocation failed");
	memset(phys_to_virt(pa), 0xa5, 2 * FRAME_SIZE);
	frame_free(pa, 1);
	pa = frame_alloc(1, FRAME_ZERO);
	const uint8_t *p = phys_to_virt(pa);
	for (size_t i = 0; i < 2 * FRAME_SIZE; i++)
		KCHECK(p[i] == 0, "byte %zu of a zeroed run is %#x", i, p[i]);
	frame_free(pa, 1);
	return NULL;
}
