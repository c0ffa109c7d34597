/* In-kernel tests of memory objects: the sparse page index of a large VMO. */
#include <kernel/errno.h>
#include <kernel/frame.h>
#include <kernel/ktest.h>
#include <kernel/mm.h>
#include <kernel/vmo.h>

#define SPOTS 16

/* Scattered offsets over the whole of the largest VMO: the first and last byte, and 14 between. */
static uint64_t spot(unsigned i)
{
	if (i == 0)
		return 0;
	if (i == SPOTS - 1)
		return VMO_MAX_SIZE - 8;
	return i * (VMO_MAX_SIZE / SPOTS) + (i * 40961ull) % (VMO_MAX_SIZE / SPOTS - 8);
}

static uint64_t word(unsigned i, uint64_t salt)
{
	return 0x5a00000000000000ull ^ (salt << 32) ^ spot(i);
}

static const char *holds(struct vmo *v, uint64_t salt)
{
	for (unsigned i = 0; i < SPOTS; i++) {
		uint64_t w = 0;
		KCHECK(vmo_read_kernel(v, spot(i), &w, 8) == 0, "read at %#lx failed", spot(i));
		KCHECK(w == word(i, salt), "at %#lx: %#lx, want %#lx", spot(i), w, word(i, salt));
	}
	return NULL;
}

/*
 * A VMO of the largest size with 16 pages written at scattered offsets costs
 * a frame for each page, one for its leaf of the index and one for the
 * directory: not a word for every page of its size (2 MiB). Its clone
 * (fork's copy-on-write) and duplicate cost as little, read the same bytes,
 * and all of it comes back when they go.
 */
KTEST(vmo_sparse_costs_the_pages_it_holds)
{
	/* A first VMO, made and freed, gives the slab of struct vmo a free object to use below. */
	vmo_put(vmo_create_anon(VMO_MAX_SIZE));
	uint64_t before = frame_free_count(), held = vmo_frames_held();
	struct vmo *v = vmo_create_anon(VMO_MAX_SIZE);

	KCHECK(v, "no memory for the VMO");
	uint64_t made = before - frame_free_count();
	for (unsigned i = 0; i < SPOTS; i++)
		KCHECK(vmo_write_kernel(v, spot(i), &(uint64_t){word(i, 1)}, 8) == 0,
		       "write at %#lx failed", spot(i));
	uint64_t used = before - frame_free_count();
	const char *err = holds(v, 1);
	uint64_t zero = 1;
	KCHECK(!err, "%s", err);
	KCHECK(vmo_read_kernel(v, VMO_MAX_SIZE / 2 + PAGE_SIZE, &zero, 8) == 0 && zero == 0,
	       "an untouched page reads %#lx", zero);
	KCHECK(vmo_write_kernel(v, VMO_MAX_SIZE - 4, &zero, 8) == -ERANGE,
	       "a write across the end");
	uint64_t pages = vmo_frames_held() - held;
	KCHECK(made <= 2, "an empty VMO of %lu MiB took %lu frames", (unsigned long)(VMO_MAX_SIZE >> 20), made);
	KCHECK(used <= made + 2 * SPOTS, "%u pages written cost %lu frames", SPOTS, used);
	KCHECK(pages == SPOTS + 1, "the VMO holds %lu pages, want %u", pages, SPOTS + 1);

	uint64_t free0 = frame_free_count();
	struct vmo *c = vmo_clone(v);
	KCHECK(c, "no memory for the clone");
	KCHECK(free0 - frame_free_count() <= 2 + SPOTS, "the clone cost %lu frames",
	       free0 - frame_free_count());
	err = holds(c, 1);
	KCHECK(!err, "the clone: %s", err);
	/* Copy-on-write both ways: a write to either leaves the other as it was. */
	KCHECK(vmo_write_kernel(c, spot(3), &(uint64_t){word(3, 2)}, 8) == 0, "write the clone");
	uint64_t w = 0;
	KCHECK(vmo_read_kernel(v, spot(3), &w, 8) == 0 && w == word(3, 1),
	       "the clone's write reached the VMO");
	KCHECK(vmo_write_kernel(v, spot(5), &(uint64_t){word(5, 3)}, 8) == 0, "write the VMO");
	KCHECK(vmo_read_kernel(c, spot(5), &w, 8) == 0 && w == word(5, 1),
	       "the VMO's write reached the clone");

	struct vmo *d = vmo_duplicate(c);
	KCHECK(d, "no memory for the duplicate");
	KCHECK(vmo_read_kernel(d, spot(3), &w, 8) == 0 && w == word(3, 2),
	       "the duplicate's page 3");
	KCHECK(vmo_write_kernel(c, spot(3), &(uint64_t){1}, 8) == 0 &&
		   vmo_read_kernel(d, spot(3), &w, 8) == 0 && w == word(3, 2),
	       "the duplicate shares a frame");
	vmo_put(d);
	vmo_put(c);
	vmo_put(v);
	KCHECK(vmo_frames_held() == held, "%ld VMO pages left", (long)(vmo_frames_held() - held));
	KCHECK(frame_free_count() == before, "leaked %ld frames",
	       (long)(before - frame_free_count()));
	return NULL;
}

/* Small VMOs keep one array their size: a page's costs no frame for an index. */
KTEST(vmo_small_index_stays_small)
{
	vmo_put(vmo_create_anon(PAGE_SIZE));
	uint64_t before = frame_free_count();
	struct vmo *v = vmo_create_anon(PAGE_SIZE);

	KCHECK(v, "no memory");
	KCHECK(vmo_write_kernel(v, 8, &(uint64_t){42}, 8) == 0, "write");
	uint64_t used = before - frame_free_count();
	vmo_put(v);
	KCHECK(used <= 1, "a one-page VMO cost %lu frames", used);
	KCHECK(frame_free_count() == before, "leaked %ld frames",
	       (long)(before - frame_free_count()));
	return NULL;
}
