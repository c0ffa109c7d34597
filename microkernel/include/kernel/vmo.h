/*
 * Memory objects (VMOs): what address spaces map. Anonymous VMOs get zeroed
 * frames on first touch; physical VMOs name a device's registers; contiguous
 * VMOs are one physically contiguous run for DMA, whose address a driver
 * holding RIGHT_MANAGE may read. An anonymous VMO may share frames with its
 * clones (copy-on-write, for process_fork): a write gives the writer its own
 * copy unless it is the frame's last holder.
 */
#pragma once

#include <kernel/kobject.h>
#include <kernel/spinlock.h>

struct mapping;

enum vmo_kind {
	VMO_ANON,
	VMO_PHYS,
	VMO_CONTIG,
};

#define VMO_MAX_SIZE (1ull << 30)

/* vmo_create flags. */
enum vmo_flags {
	VMO_FLAG_CONTIG = 1,	/* physically contiguous, allocated at once (DMA) */
};

struct vmo {
	struct kobject k;
	enum vmo_kind kind;
	uint64_t size;		/* bytes, a multiple of the page size */
	/*
	 * The size of the file whose pages these are (vmo_set_eof; ~0: none):
	 * VM_FILE mappings have no page wholly past it. Read without a lock.
	 */
	uint64_t eof;
	paddr_t base;		/* VMO_PHYS, VMO_CONTIG */
	unsigned order;		/* VMO_CONTIG: the frame run's order */
	/* lock protects the page index and file_maps. */
	struct spinlock lock;
	/*
	 * VMO_ANON: the page index (vmo.c), a frame per page, 0 until first
	 * touched: pages, one array, for up to 512 pages; else dir, a leaf of
	 * 512 entries for each 2 MiB, NULL until a page in it is touched.
	 */
	union {
		paddr_t *pages;
		paddr_t **dir;
	};
	/*
	 * A copy-on-write view (vmo_create_cow): an untouched page reads the
	 * backing VMO's frame at backing_offset + its offset (zeros beyond its
	 * end); the first write copies it into its own page. Holds a reference.
	 */
	struct vmo *backing;
	uint64_t backing_offset;
	/*
	 * A file's mappings (VM_FILE ones of it and of its views), which
	 * vm_file_shrunk visits: each mapping's file_next, under lock, as is
	 * shrink_seq, the number of the last vm_file_shrunk. file_reach:
	 * no file mapping ever mapped a page at or past it (atomic).
	 */
	struct mapping *file_maps;
	uint64_t shrink_seq;
	uint64_t file_reach;
};

enum vmo_access {
	VMO_READ,
	VMO_WRITE,	/* a shared frame is copied first (copy-on-write) */
	VMO_COPY_OUT,	/* a read that only copies bytes out: whether the frame is shared does not matter */
};

/* The frame behind a page, as vmo_page found it. */
struct vmo_frame {
	paddr_t pa;
	bool shared;	/* other VMOs hold it too, or it is a backing's: map it read-only */
	paddr_t old;	/* nonzero: the write moved the page from this frame to pa */
	/*
	 * The VMO's hold on old, which the caller drops (frame_release) once no
	 * TLB names old: until then another holder must not take the frame as
	 * its own to write, nor free it.
	 */
	bool release_old;
};

/* Each returns NULL on bad arguments or exhausted memory; the caller owns one reference. */
struct vmo *vmo_create_anon(uint64_t size);
struct vmo *vmo_create_contig(uint64_t size);
struct vmo *vmo_create_phys(paddr_t base, uint64_t size);

/*
 * A VMO of @size whose pages are @backing's from @offset until written:
 * reads map the backing's frames (read-only), a write copies the page. The
 * backing must be anonymous and never share frames (a VMO a handle names).
 */
struct vmo *vmo_create_cow(struct vmo *backing, uint64_t offset, uint64_t size);

/* The caller owns one reference to each; NULL when memory ran out. @v is anonymous. */
/* A clone shares every frame of @v copy-on-write. */
struct vmo *vmo_clone(struct vmo *v);
/* A duplicate has a copy of every frame @v has now. */
struct vmo *vmo_duplicate(struct vmo *v);

/*
 * The frame behind byte @offset, allocating a zeroed one for anonymous
 * memory; for VMO_WRITE a frame other VMOs share is first replaced by a copy
 * (@f->old says so: whoever mapped the old frame must drop it). Returns 0 or
 * -ENOMEM / -ERANGE.
 */
int vmo_page(struct vmo *v, uint64_t offset, enum vmo_access access, struct vmo_frame *f);

/*
 * Takes the frames of anonymous @v's pages from *@offset to @end out of its
 * index, at most @max of them, into @out: the pages read zeros again (a
 * view's, its backing). *@offset: where it stopped (@end when done). The
 * caller drops each frame (frame_release) once no TLB names it. Returns how
 * many. Caller holds the lock of the one address space that maps @v.
 */
unsigned vmo_discard(struct vmo *v, uint64_t *offset, uint64_t end, paddr_t *out, unsigned max);

/* Copies between kernel memory and the VMO (through the direct map). */
int vmo_write_kernel(struct vmo *v, uint64_t offset, const void *src, size_t len);
int vmo_read_kernel(struct vmo *v, uint64_t offset, void *dst, size_t len);

static inline void vmo_put(struct vmo *v)
{
	kobj_put(&v->k);
}

/* Pages of all VMOs that have a frame, a shared frame once per VMO (for leak tests). */
uint64_t vmo_frames_held(void);
