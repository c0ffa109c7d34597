/* The buddy frame allocator and its per-CPU caches, against a shadow map of who owns what. */
// UNIT_SRCS: microkernel/kern/frame.c microkernel/kern/boot.c tests/unit/host/stubs.c
#define UNIT_MAIN
#include "unit.h"

#include <stdint.h>
#include <kernel/boot.h>
#include <kernel/cpu.h>
#include <kernel/frame.h>
#include "host/stubs.h"

#define ARENA (64ull << 20)
static unsigned char *arena;
static uint64_t base;

static void setup(bool with_cpu_caches)
{
	static bool done;

	if (!done) {
		arena = aligned_alloc(4 << 20, ARENA);
		base = (uintptr_t)arena;
		memset(&boot_info, 0, sizeof(boot_info));
		/* Two usable ranges, the second split across two NUMA nodes. */
		boot_add_region(base, 24 << 20, MEM_USABLE);
		boot_add_region(base + (32 << 20) + 4096 * 3, (32 << 20) - 4096 * 3, MEM_USABLE);
		boot_add_numa_range(base, 48 << 20, 0);
		boot_add_numa_range(base + (48 << 20), 16 << 20, 1);
		frame_init();
		done = true;
	}
	ncpus_online = with_cpu_caches ? 1 : 0;
}

/* One byte per frame of the arena: 0 free, 1 taken. */
static unsigned char shadow[ARENA / 4096];

static bool take(paddr_t pa, unsigned order)
{
	uint64_t first = (pa - base) / 4096;
	for (uint64_t i = first; i < first + (1u << order); i++) {
		if (i >= ARENA / 4096 || shadow[i])
			return false;
		shadow[i] = 1;
	}
	return true;
}

static void give(paddr_t pa, unsigned order)
{
	uint64_t first = (pa - base) / 4096;
	for (uint64_t i = first; i < first + (1u << order); i++)
		shadow[i] = 0;
}

TEST(totals)
{
	setup(false);
	/* 56 MiB usable, minus the frames that hold the state bytes and share counts (5 bytes a frame). */
	CHECK(frame_total_count() > (56ull << 20) / 4096 - 80 && frame_total_count() <= (56ull << 20) / 4096);
	CHECK(frame_free_count() == frame_total_count());
	CHECK(frame_node_of(base + (50 << 20)) == 1 && frame_node_of(base) == 0);
}

static void random_workout(bool caches)
{
	struct {
		paddr_t pa;
		unsigned order;
	} live[4096];
	unsigned n = 0;
	uint64_t seed = caches ? 7 : 3, before;

	setup(caches);
	before = frame_free_count();
	for (int step = 0; step < 200000; step++) {
		seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
		if (n < 4096 && (seed % 3 != 0 || n == 0)) {
			unsigned order = (seed >> 8) % 4 == 0 ? (seed >> 16) % (FRAME_MAX_ORDER + 1) : 0;
			paddr_t pa = frame_alloc(order, 0);
			if (!pa)
				continue;
			CHECK(pa % (4096ull << order) == 0);
			CHECK(take(pa, order));
			live[n].pa = pa;
			live[n++].order = order;
		} else {
			unsigned i = (seed >> 20) % n;
			give(live[i].pa, live[i].order);
			frame_free(live[i].pa, live[i].order);
			live[i] = live[--n];
		}
	}
	while (n) {
		n--;
		give(live[n].pa, live[n].order);
		frame_free(live[n].pa, live[n].order);
	}
	CHECK(frame_free_count() == before);
}

TEST(random_no_overlap)
{
	random_workout(false);
}

TEST(random_with_cpu_cache)
{
	random_workout(true);
}

TEST(coalesces_back_to_large_runs)
{
	setup(true);
	/*
	 * After all that churn, memory must merge back into 4 MiB runs again:
	 * 5 + 3 + 3 naturally aligned ones fit the three zones. Frames parked in
	 * the CPU cache go back to the buddy lists when a large request fails.
	 */
	paddr_t big[16];
	int got = 0;
	while (got < 16 && (big[got] = frame_alloc(FRAME_MAX_ORDER, 0)) != 0)
		got++;
	CHECK(got == 11);
	for (int i = 0; i < got; i++)
		frame_free(big[i], FRAME_MAX_ORDER);
}

TEST(numa_preference)
{
	setup(false);
	paddr_t a = frame_alloc_node(1, 0, 0), b = frame_alloc_node(0, 3, 0);
	CHECK(a && frame_node_of(a) == 1);
	CHECK(b && frame_node_of(b) == 0);
	frame_free(a, 0);
	frame_free(b, 3);
}

TEST(bad_frees_panic)
{
	setup(true);
	paddr_t pa = frame_alloc(2, 0);
	CHECK(EXPECT_PANIC(frame_free(pa, 1)));		/* wrong order */
	CHECK(EXPECT_PANIC(frame_free(pa + 4096, 0)));	/* inside a run */
	CHECK(EXPECT_PANIC(frame_free(pa + 12, 2)));	/* unaligned */
	CHECK(EXPECT_PANIC(frame_free(0x1000, 0)));	/* not ours */
	frame_free(pa, 2);
	CHECK(EXPECT_PANIC(frame_free(pa, 2)));		/* double free */
	paddr_t one = frame_alloc(0, 0);
	frame_free(one, 0);
	CHECK(EXPECT_PANIC(frame_free(one, 0)));	/* double free into the CPU cache */
}

TEST(exhaustion_returns_zero)
{
	setup(true);
	uint64_t before = frame_free_count(), n = 0;
	paddr_t head = 0, pa;
	while ((pa = frame_alloc(0, 0)) != 0) {
		*(paddr_t *)(uintptr_t)pa = head;
		head = pa;
		n++;
	}
	CHECK(n == before);
	CHECK(frame_alloc(3, 0) == 0);
	while (head) {
		paddr_t next = *(paddr_t *)(uintptr_t)head;
		frame_free(head, 0);
		head = next;
	}
	CHECK(frame_free_count() == before);
}

/* Shared frames (copy-on-write): freed when the last holder lets go, and only then. */
TEST(shared_frames_freed_by_last_holder)
{
	setup(true);
	uint64_t before = frame_free_count();
	paddr_t pa = frame_alloc(0, 0);

	CHECK(pa && !frame_is_shared(pa));
	frame_share(pa);
	frame_share(pa);
	CHECK(frame_is_shared(pa));
	CHECK(EXPECT_PANIC(frame_free(pa, 0)));		/* others still hold it */
	frame_release(pa);
	frame_release(pa);
	CHECK(!frame_is_shared(pa) && frame_free_count() == before - 1);
	frame_release(pa);				/* the last holder frees it */
	CHECK(frame_free_count() == before);
	CHECK(EXPECT_PANIC(frame_release(pa)));		/* no longer allocated */
	paddr_t run = frame_alloc(1, 0);
	CHECK(EXPECT_PANIC(frame_share(run)));		/* only single frames are shared */
	frame_free(run, 1);
	/* Many holders. */
	pa = frame_alloc(0, 0);
	for (int i = 0; i < 999; i++)
		frame_share(pa);
	for (int i = 0; i < 999; i++)
		frame_release(pa);
	CHECK(!frame_is_shared(pa));
	frame_release(pa);
	CHECK(frame_free_count() == before);
}

/*
 * Memory given back after boot (a boot module copied out): whole frames of
 * the range, less a new zone's state bytes, join the allocator and are
 * handed out like the rest. Last: the totals grow for good.
 */
TEST(given_range_joins_the_allocator)
{
	setup(true);
	uint64_t total = frame_total_count(), before = frame_free_count();
	paddr_t lo = base + (24 << 20) + 100, hi = base + (28 << 20);	/* in the hole; lo unaligned */

	CHECK(frame_give(hi, lo) == 0 && frame_give(lo, lo + 4000) == 0);
	uint64_t n = frame_give(lo, hi);
	/* 1023 whole frames; 2 of them hold the state bytes and share counts (5 bytes a frame). */
	CHECK(n == 1021);
	CHECK(frame_total_count() == total + n && frame_free_count() == before + n);
	paddr_t head = 0, pa;
	uint64_t got = 0, inside = 0;
	while ((pa = frame_alloc(0, 0)) != 0) {
		CHECK(take(pa, 0));
		inside += pa >= lo && pa < hi;
		*(paddr_t *)(uintptr_t)pa = head;
		head = pa;
		got++;
	}
	CHECK(got == before + n && inside == n);
	while (head) {
		paddr_t next = *(paddr_t *)(uintptr_t)head;
		give(head, 0);
		frame_free(head, 0);
		head = next;
	}
	CHECK(frame_free_count() == before + n);
	CHECK(frame_node_of(lo) == 0);
}
