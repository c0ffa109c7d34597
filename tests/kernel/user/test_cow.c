/*
 * vm_map's VR_MAP_COW: a private copy-on-write view of a VMO (what a
 * MAP_PRIVATE file mapping is). Reads see the VMO's frames, later changes to
 * untouched pages too; a write copies the page for the view alone; past the
 * VMO's end it is zeros; a fork copies the view, not the VMO; bad requests.
 */
#include "../../../roottask/utest.h"

#define SRC_PAGES 4

/* Word 0 of source page i holds @base + i, word 511 its complement. */
static const char *fill_source(handle_t vmo, uint64_t base)
{
	for (uint64_t i = 0; i < SRC_PAGES; i++) {
		uint64_t w[2] = {base + i, ~(base + i)};
		UCHECK(vr_vmo_write(vmo, &w[0], i * VR_PAGE, 8) == 0, "vmo_write");
		UCHECK(vr_vmo_write(vmo, &w[1], i * VR_PAGE + VR_PAGE - 8, 8) == 0, "vmo_write");
	}
	return NULL;
}

static uint64_t word(uint64_t at, uint64_t page, unsigned w)
{
	return ((volatile uint64_t *)(uintptr_t)(at + page * VR_PAGE))[w];
}

static uint64_t source_word(handle_t vmo, uint64_t page)
{
	uint64_t w = 0;
	vr_vmo_read(vmo, &w, page * VR_PAGE, 8);
	return w;
}

UTEST(vm_cow_view_shares_until_written)
{
	handle_t vmo, ro;
	uint64_t at;
	const char *err;

	UCHECK(vr_vmo_create(SRC_PAGES * VR_PAGE, 0, &vmo) == 0, "vmo_create");
	if ((err = fill_source(vmo, 100)))
		return err;
	/* READ and MAP only: the view may still be written, privately. */
	UCHECK(vr_handle_derive(vmo, VR_RIGHT_READ | VR_RIGHT_MAP, &ro) == 0, "derive");
	/* Source pages 1..3 and two pages past its end. */
	size_t len = (SRC_PAGES + 1) * VR_PAGE;
	UCHECK(vr_vm_map(0, ro, 0, VR_PAGE, len, VR_PROT_READ | VR_PROT_WRITE | VR_MAP_COW, &at) == 0,
	       "map a copy-on-write view through a read-only handle");
	/* Reading shares the source's frames: no frame each. */
	uint64_t held = info(INFO_VMO_FRAMES);
	for (uint64_t i = 0; i < SRC_PAGES - 1; i++)
		UCHECK(word(at, i, 0) == 101 + i && word(at, i, 511) == ~(101 + i),
		       "view page %lu reads %lx, not the source's", i, word(at, i, 0));
	UCHECK(info(INFO_VMO_FRAMES) - held < 2, "reads took %lu frames",
	       info(INFO_VMO_FRAMES) - held);
	UCHECK(word(at, 3, 0) == 0 && word(at, 4, 511) == 0, "past the source it is not zeros");
	/* A later change of the source shows in pages the view never wrote. */
	uint64_t v = 555;
	UCHECK(vr_vmo_write(vmo, &v, VR_PAGE, 8) == 0, "vmo_write");
	UCHECK(word(at, 0, 0) == 555, "an untouched page shows %lu, not the source's change",
	       word(at, 0, 0));
	/* The first write copies the page: the source and the other pages stay. */
	((volatile uint64_t *)(uintptr_t)at)[1] = 0xabcd;
	UCHECK(word(at, 0, 0) == 555 && word(at, 0, 1) == 0xabcd && word(at, 0, 511) == ~101ull,
	       "the copied page lost the source's bytes");
	UCHECK(source_word(vmo, 1) == 555, "the write reached the source");
	uint64_t w1 = 1;
	vr_vmo_read(vmo, &w1, VR_PAGE + 8, 8);
	UCHECK(w1 == 0, "the write reached the source (word 1 is %lx)", w1);
	v = 777;
	UCHECK(vr_vmo_write(vmo, &v, VR_PAGE, 8) == 0, "vmo_write");
	UCHECK(word(at, 0, 0) == 555, "a copied page follows the source");
	UCHECK(word(at, 1, 0) == 102, "page 1 of the view changed");
	/* Past the source: private zeros, writable. */
	((volatile uint64_t *)(uintptr_t)(at + 4 * VR_PAGE))[3] = 9;
	UCHECK(word(at, 4, 3) == 9, "the page past the source is not writable");
	/* Protection: read-only, then writable again; EXEC needs the right. */
	UCHECK(vr_vm_protect(0, at, len, VR_PROT_READ) == 0, "protect read-only");
	UCHECK(word(at, 0, 1) == 0xabcd && word(at, 1, 0) == 102, "protect lost the contents");
	UCHECK(vr_vm_protect(0, at, len, VR_PROT_READ | VR_PROT_EXEC) == -VR_EACCES,
	       "EXEC without the right");
	UCHECK(vr_vm_protect(0, at + VR_PAGE, VR_PAGE, VR_PROT_READ | VR_PROT_WRITE) == 0,
	       "protect writable");
	((volatile uint64_t *)(uintptr_t)(at + VR_PAGE))[0] = 42;
	UCHECK(word(at, 1, 0) == 42 && source_word(vmo, 2) == 102, "a write after mprotect");
	/* A second view of the same source has none of the first's writes. */
	uint64_t at2;
	UCHECK(vr_vm_map(0, ro, 0, VR_PAGE, 2 * VR_PAGE, VR_PROT_READ | VR_MAP_COW, &at2) == 0, "map");
	UCHECK(word(at2, 0, 0) == 777 && word(at2, 0, 1) == 0 && word(at2, 1, 0) == 102,
	       "the second view sees the first's writes");
	/* The view outlives the handles; unmapping frees the copies. */
	vr_handle_close(ro);
	vr_handle_close(vmo);
	UCHECK(word(at2, 1, 511) == ~102ull, "the view lost its source with the handles");
	held = info(INFO_VMO_FRAMES);
	UCHECK(vr_vm_unmap(0, at, len) == 0 && vr_vm_unmap(0, at2, 2 * VR_PAGE) == 0, "unmap");
	uint64_t freed = held - info(INFO_VMO_FRAMES);
	UCHECK(freed >= 3 + SRC_PAGES - 1, "unmapping freed only %lu frames", freed);
	return NULL;
}

static volatile uint64_t view;

static uint64_t cow_view_child(uint64_t arg)
{
	if (word(view, 0, 0) != 201 || word(view, 1, 0) != arg)
		return 1;	/* what the parent's view held at the fork */
	((volatile uint64_t *)(uintptr_t)view)[0] = 0xc41d;
	((volatile uint64_t *)(uintptr_t)(view + VR_PAGE))[0] = 0xc41d;
	return word(view, 0, 0) == 0xc41d && word(view, 1, 0) == 0xc41d ? 0 : 2;
}

UTEST(vm_cow_view_forked)
{
	handle_t vmo;
	uint64_t at;
	const char *err;

	UCHECK(vr_vmo_create(SRC_PAGES * VR_PAGE, 0, &vmo) == 0, "vmo_create");
	if ((err = fill_source(vmo, 200)))
		return err;
	UCHECK(vr_vm_map(0, vmo, 0, VR_PAGE, 2 * VR_PAGE, VR_PROT_READ | VR_PROT_WRITE | VR_MAP_COW,
			 &at) == 0, "map");
	view = at;
	/* Page 1 written before the fork, page 0 only read. */
	((volatile uint64_t *)(uintptr_t)(at + VR_PAGE))[0] = 0x77;
	UCHECK(word(at, 0, 0) == 201, "view");
	int64_t st = reap(fork_run(cow_view_child, 0x77));
	UCHECK(st == 0, "the child failed at step %ld", st);
	UCHECK(word(at, 0, 0) == 201 && word(at, 1, 0) == 0x77, "the child's writes reached the parent");
	UCHECK(source_word(vmo, 1) == 201 && source_word(vmo, 2) == 202, "the child's writes reached the source");
	/* The parent's untouched page still follows the source. */
	uint64_t v = 999;
	vr_vmo_write(vmo, &v, VR_PAGE, 8);
	UCHECK(word(at, 0, 0) == 999, "the untouched page stopped following the source after a fork");
	vr_vm_unmap(0, at, 2 * VR_PAGE);
	vr_handle_close(vmo);
	return NULL;
}

UTEST(vm_cow_bad_requests)
{
	handle_t vmo, h, contig;
	uint64_t at;
	const uint64_t rw = VR_PROT_READ | VR_PROT_WRITE;

	UCHECK(vr_vmo_create(2 * VR_PAGE, 0, &vmo) == 0, "vmo_create");
	UCHECK(vr_handle_derive(vmo, VR_RIGHT_READ, &h) == 0, "derive");
	UCHECK(vr_vm_map(0, h, 0, 0, VR_PAGE, VR_PROT_READ | VR_MAP_COW, &at) == -VR_EACCES,
	       "a view without MAP");
	vr_handle_close(h);
	UCHECK(vr_handle_derive(vmo, VR_RIGHT_MAP, &h) == 0, "derive");
	UCHECK(vr_vm_map(0, h, 0, 0, VR_PAGE, VR_PROT_READ | VR_MAP_COW, &at) == -VR_EACCES,
	       "a view without READ");
	vr_handle_close(h);
	UCHECK(vr_handle_derive(vmo, VR_RIGHT_READ | VR_RIGHT_MAP, &h) == 0, "derive");
	UCHECK(vr_vm_map(0, h, 0, 0, VR_PAGE, rw | VR_MAP_SHARED, &at) == -VR_EACCES,
	       "a shared writable mapping through a read-only handle");
	UCHECK(vr_vm_map(0, h, 0, 0, VR_PAGE, rw, &at) == -VR_EACCES,
	       "a writable mapping of the VMO itself through a read-only handle");
	UCHECK(vr_vm_map(0, h, 0, 0, VR_PAGE, VR_PROT_EXEC | VR_MAP_COW, &at) == -VR_EACCES,
	       "an executable view without EXEC");
	UCHECK(vr_vm_map(0, h, 0, 0, VR_PAGE, rw | VR_MAP_COW | VR_MAP_SHARED, &at) == -VR_EINVAL,
	       "shared and copy-on-write at once");
	UCHECK(vr_vm_map(0, h, 0, 3 * VR_PAGE, VR_PAGE, rw | VR_MAP_COW, &at) == -VR_EINVAL,
	       "an offset past the VMO");
	UCHECK(vr_vm_map(0, h, 0, 100, VR_PAGE, rw | VR_MAP_COW, &at) == -VR_EINVAL, "unaligned offset");
	UCHECK(vr_vm_map(0, h, 0, 0, 0, rw | VR_MAP_COW, &at) == -VR_EINVAL, "empty");
	UCHECK(vr_vm_map(0, h, 0, 0, 1ull << 40, rw | VR_MAP_COW, &at) == -VR_EINVAL, "1 TiB");
	UCHECK(vr_vm_map(0, h, 0x123000, 0, VR_PAGE + 1, rw | VR_MAP_COW, &at) == -VR_EINVAL,
	       "unaligned length");
	UCHECK(vr_vm_map(0, h, 0xffff800000000000ull, 0, VR_PAGE, rw | VR_MAP_COW, &at) == -VR_EINVAL,
	       "kernel address");
	UCHECK(vr_vm_map(0, 0x123456789ull, 0, 0, VR_PAGE, rw | VR_MAP_COW, &at) == -VR_EBADF,
	       "forged handle");
	UCHECK(vr_vm_map(0, h, 0, 0, VR_PAGE, rw | 0x40000, &at) == -VR_EINVAL, "unknown flag");
	/* Fixed address: the first view is there, a second overlapping one is refused. */
	UCHECK(vr_vm_map(0, h, 0x51000000, 0, VR_PAGE, rw | VR_MAP_COW, &at) == 0, "fixed view");
	UCHECK(vr_vm_map(0, h, 0x51000000, 0, VR_PAGE, rw | VR_MAP_COW, &at) == -VR_EEXIST, "overlap");
	vr_vm_unmap(0, 0x51000000, VR_PAGE);
	vr_handle_close(h);
	vr_handle_close(vmo);
	/* DMA memory is what it is: no views of it. */
	UCHECK(vr_vmo_create(VR_PAGE, VR_VMO_CONTIG, &contig) == 0, "contiguous vmo_create");
	UCHECK(vr_vm_map(0, contig, 0, 0, VR_PAGE, rw | VR_MAP_COW, &at) == -VR_EINVAL,
	       "a view of contiguous memory");
	vr_handle_close(contig);
	return NULL;
}
