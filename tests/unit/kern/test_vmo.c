/* Memory objects' page index: small and sparse VMOs, clones, duplicates and views, counted in frames. */
// UNIT_SRCS: microkernel/kern/vmo.c microkernel/kern/slab.c microkernel/kern/frame.c microkernel/kern/boot.c tests/unit/host/stubs.c
#define UNIT_MAIN
#include "unit.h"

#include <stdint.h>
#include <kernel/boot.h>
#include <kernel/errno.h>
#include <kernel/frame.h>
#include <kernel/mm.h>
#include <kernel/vmo.h>
#include "host/stubs.h"

static void setup(void)
{
	static bool done;

	if (done)
		return;
	unsigned char *arena = aligned_alloc(1 << 20, 32 << 20);
	boot_add_region((uintptr_t)arena, 32 << 20, MEM_USABLE);
	frame_init();
	done = true;
	/*
	 * Warm the slabs of struct vmo and of the small tables, so that the
	 * counts below are the index's: a slab keeps one empty slab.
	 */
	for (uint64_t pages = 1; pages <= 2048; pages *= 2)
		vmo_put(vmo_create_anon(pages * PAGE_SIZE));
	for (uint64_t dir = 1024; dir <= 65536; dir *= 2)
		vmo_put(vmo_create_anon(dir * PAGE_SIZE));
}

static uint64_t at(unsigned i)
{
	return i * (VMO_MAX_SIZE / 64) + (i * 7919ull % 512) * PAGE_SIZE + i;
}

TEST(sparse_vmo_costs_the_pages_it_holds)
{
	setup();
	uint64_t before = frame_free_count();
	struct vmo *v = vmo_create_anon(VMO_MAX_SIZE);

	CHECK(v != NULL);
	CHECK(before - frame_free_count() <= 1);	/* the directory */
	for (unsigned i = 0; i < 64; i++)
		CHECK(vmo_write_kernel(v, at(i), &(uint64_t){i + 1}, 8) == 0);
	CHECK(before - frame_free_count() <= 1 + 2 * 64);
	for (unsigned i = 0; i < 64; i++) {
		uint64_t w = 0;
		CHECK(vmo_read_kernel(v, at(i), &w, 8) == 0 && w == i + 1);
	}
	CHECK(vmo_write_kernel(v, VMO_MAX_SIZE - 4, &(uint64_t){0}, 8) == -ERANGE);

	struct vmo *c = vmo_clone(v), *d = vmo_duplicate(v);
	CHECK(c && d);
	CHECK(vmo_write_kernel(c, at(5), &(uint64_t){99}, 8) == 0);
	for (unsigned i = 0; i < 64; i++) {
		uint64_t w = 0, x = 0, y = 0;
		CHECK(vmo_read_kernel(v, at(i), &w, 8) == 0 && w == i + 1);
		CHECK(vmo_read_kernel(c, at(i), &x, 8) == 0 && x == (i == 5 ? 99 : i + 1));
		CHECK(vmo_read_kernel(d, at(i), &y, 8) == 0 && y == i + 1);
	}
	/* A view reads the backing's pages until written, then its own. */
	struct vmo *view = vmo_create_cow(v, 4 << 20, 64 << 20);
	CHECK(view != NULL);
	uint64_t w = 0;
	CHECK(vmo_read_kernel(view, at(1) - (4 << 20), &w, 8) == 0 && w == 2);
	CHECK(vmo_write_kernel(view, at(1) - (4 << 20), &(uint64_t){7}, 8) == 0);
	CHECK(vmo_read_kernel(v, at(1), &w, 8) == 0 && w == 2);
	CHECK(vmo_read_kernel(view, at(1) - (4 << 20), &w, 8) == 0 && w == 7);
	vmo_put(view);
	vmo_put(d);
	vmo_put(c);
	vmo_put(v);
	CHECK(frame_free_count() == before);
}

TEST(index_sizes_at_the_edges)
{
	setup();
	uint64_t before = frame_free_count();
	/* 512 pages: one array; 513: a directory and two leaves; 1 GiB + 1: refused. */
	static const uint64_t sizes[] = {PAGE_SIZE, 256 * PAGE_SIZE, 257 * PAGE_SIZE, 512 * PAGE_SIZE,
					 513 * PAGE_SIZE, VMO_MAX_SIZE};
	for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct vmo *v = vmo_create_anon(sizes[s]);
		CHECK(v != NULL);
		for (uint64_t off = 0; off < sizes[s]; off += sizes[s] / 4 + PAGE_SIZE)
			CHECK(vmo_write_kernel(v, off, &(uint64_t){off}, 8) == 0);
		CHECK(vmo_write_kernel(v, sizes[s] - 8, &(uint64_t){1}, 8) == 0);
		struct vmo *c = vmo_clone(v);
		CHECK(c != NULL);
		uint64_t w = 0;
		CHECK(vmo_read_kernel(c, sizes[s] - 8, &w, 8) == 0 && w == 1);
		vmo_put(c);
		vmo_put(v);
	}
	CHECK(vmo_create_anon(VMO_MAX_SIZE + 1) == NULL);
	CHECK(frame_free_count() == before);
}

/* Discards [from, to) of @v in rounds of @max frames, releasing them; how many it took. */
static unsigned discard_all(struct vmo *v, uint64_t from, uint64_t to, unsigned max)
{
	paddr_t frames[16];
	unsigned total = 0;

	for (uint64_t off = from; off < to;) {
		uint64_t was = off;
		unsigned n = vmo_discard(v, &off, to, frames, max);
		CHECK(n <= max && off > was && off <= to);
		CHECK(n == max || off == to);
		for (unsigned i = 0; i < n; i++)
			frame_release(frames[i]);
		total += n;
	}
	return total;
}

TEST(discard_gives_frames_back)
{
	setup();
	uint64_t before = frame_free_count(), held = vmo_frames_held();
	struct vmo *v = vmo_create_anon(VMO_MAX_SIZE);

	CHECK(v != NULL);
	for (unsigned i = 0; i < 64; i++)
		CHECK(vmo_write_kernel(v, at(i), &(uint64_t){i + 1}, 8) == 0);
	/* A clone shares the frames: it keeps them when the original lets go. */
	struct vmo *c = vmo_clone(v);
	CHECK(c != NULL);
	uint64_t shared = frame_free_count();
	CHECK(discard_all(v, 0, at(32) & ~(uint64_t)(PAGE_SIZE - 1), 7) == 32);
	CHECK(frame_free_count() == shared);
	CHECK(discard_all(v, 0, VMO_MAX_SIZE, 16) == 32);
	CHECK(vmo_frames_held() == held + 64);
	for (unsigned i = 0; i < 64; i++) {
		uint64_t x = 0;
		CHECK(vmo_read_kernel(c, at(i), &x, 8) == 0 && x == i + 1);
	}
	/* The clone's discard frees them (before a read gives the original zeroed frames). */
	CHECK(discard_all(c, 0, VMO_MAX_SIZE, 16) == 64);
	CHECK(frame_free_count() == shared + 64);
	for (unsigned i = 0; i < 64; i++) {
		uint64_t w = 1;
		CHECK(vmo_read_kernel(v, at(i), &w, 8) == 0 && w == 0);
	}
	/* A view drops its copy and reads its backing again. */
	struct vmo *b = vmo_create_anon(4 * PAGE_SIZE),
		   *view = b ? vmo_create_cow(b, PAGE_SIZE, 2 * PAGE_SIZE) : NULL;
	uint64_t w = 0;
	CHECK(view != NULL);
	CHECK(vmo_write_kernel(b, PAGE_SIZE, &(uint64_t){5}, 8) == 0);
	CHECK(vmo_write_kernel(view, 0, &(uint64_t){6}, 8) == 0);
	CHECK(vmo_read_kernel(view, 0, &w, 8) == 0 && w == 6);
	CHECK(discard_all(view, 0, 2 * PAGE_SIZE, 16) == 1);
	CHECK(vmo_read_kernel(view, 0, &w, 8) == 0 && w == 5);
	vmo_put(view);
	vmo_put(b);
	vmo_put(c);
	vmo_put(v);
	CHECK(frame_free_count() == before);
	CHECK(vmo_frames_held() == held);
}
