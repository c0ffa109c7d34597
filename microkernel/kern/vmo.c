/*
 * Memory objects: anonymous (demand-zero), physical (device) and contiguous
 * (DMA). Anonymous VMOs share frames with their clones through the frame
 * allocator's share counts; there are no hidden objects between them, so a
 * frame is freed when its last holder lets go, whatever the fork history.
 * A copy-on-write view (a private file mapping) is an anonymous VMO with a
 * backing: its untouched pages are the backing's frames, mapped read-only,
 * and a write copies the page into the view. Its clones keep the backing.
 *
 * The page index of an anonymous VMO holds a frame address per page, 0 until
 * the page is first touched. A VMO of up to LEAF_PAGES pages keeps it in one
 * array its size (pages); a larger one in leaves of LEAF_PAGES entries (a
 * frame each), made when a page in their range is first touched and reached
 * through a directory of one pointer a leaf (dir). So a large VMO costs
 * kernel memory for the pages it holds, not for its size: a leaf (4 KiB) a
 * 2 MiB stretch touched, and its directory (8 bytes a 2 MiB of the size).
 * Leaves live as long as the VMO: a pointer into one stays good unlocked.
 */
#include <kernel/errno.h>
#include <kernel/frame.h>
#include <kernel/mm.h>
#include <kernel/slab.h>
#include <kernel/string.h>
#include <kernel/vmo.h>

#define LEAF_PAGES (PAGE_SIZE / sizeof(paddr_t))

_Static_assert(VMO_MAX_SIZE / PAGE_SIZE <= LEAF_PAGES * LEAF_PAGES, "a directory is a page at most");

static uint64_t frames_held;

/* Index tables: from a slab up to its largest objects, else a frame (never more than a page). */
static void *table_alloc(size_t bytes)
{
	if (bytes <= SLAB_MAX_OBJECT)
		return kmalloc(bytes);
	paddr_t f = frame_alloc(0, FRAME_ZERO);
	return f ? phys_to_virt(f) : NULL;
}

static void table_free(void *t, size_t bytes)
{
	if (bytes <= SLAB_MAX_OBJECT)
		kfree(t);
	else if (t)
		frame_free(virt_to_phys(t), 0);
}

static uint64_t npages(const struct vmo *v)
{
	return v->size / PAGE_SIZE;
}

static bool sparse(const struct vmo *v)
{
	return v->size > LEAF_PAGES * PAGE_SIZE;
}

static uint64_t nleaves(const struct vmo *v)
{
	return (npages(v) + LEAF_PAGES - 1) / LEAF_PAGES;
}

enum slot_mode {
	SLOT_FIND,
	SLOT_MAKE,	/* makes the leaf when it is missing */
};

/*
 * The index entry of page @i, or NULL when its leaf is missing (with
 * SLOT_MAKE: no memory for it). Caller holds v->lock, or owns @v alone.
 */
static paddr_t *slot(struct vmo *v, uint64_t i, enum slot_mode mode)
{
	if (!sparse(v))
		return &v->pages[i];
	paddr_t **leaf = &v->dir[i / LEAF_PAGES];
	if (!*leaf && mode == SLOT_MAKE)
		*leaf = table_alloc(PAGE_SIZE);
	return *leaf ? &(*leaf)[i % LEAF_PAGES] : NULL;
}

/*
 * The entries of pages @first .. @first + *@n - 1, as many as one array
 * holds from @first on; NULL for a missing leaf (its *@n pages have none).
 */
static paddr_t *run_at(const struct vmo *v, uint64_t first, uint64_t *n)
{
	if (!sparse(v)) {
		*n = npages(v) - first;
		return v->pages + first;
	}
	paddr_t *leaf = v->dir[first / LEAF_PAGES];
	*n = MIN(LEAF_PAGES - first % LEAF_PAGES, npages(v) - first);
	return leaf ? leaf + first % LEAF_PAGES : NULL;
}

static void index_free(struct vmo *v)
{
	uint64_t n;

	for (uint64_t i = 0; i < npages(v); i += n) {
		paddr_t *run = run_at(v, i, &n);
		for (uint64_t j = 0; run && j < n; j++)
			if (run[j]) {
				frame_release(run[j]);
				__atomic_fetch_sub(&frames_held, 1, __ATOMIC_RELAXED);
			}
		if (run && sparse(v))
			table_free(run, PAGE_SIZE);
	}
	if (sparse(v))
		table_free(v->dir, nleaves(v) * sizeof(*v->dir));
	else
		table_free(v->pages, npages(v) * sizeof(*v->pages));
}

static void vmo_destroy(struct kobject *k)
{
	struct vmo *v = (struct vmo *)k;

	if (v->kind == VMO_ANON) {
		if (v->pages)
			index_free(v);
		if (v->backing)
			vmo_put(v->backing);
	} else if (v->kind == VMO_CONTIG) {
		frame_free(v->base, v->order);
		__atomic_fetch_sub(&frames_held, 1ull << v->order, __ATOMIC_RELAXED);
	}
	kfree(v);
}

static struct vmo *vmo_alloc(enum vmo_kind kind, uint64_t size)
{
	if (size == 0 || size > VMO_MAX_SIZE)
		return NULL;
	struct vmo *v = kmalloc(sizeof(*v));
	if (!v)
		return NULL;
	kobj_init(&v->k, KOBJ_VMO, vmo_destroy);
	v->kind = kind;
	v->size = ALIGN_UP(size, PAGE_SIZE);
	v->eof = ~0ull;
	v->lock = (struct spinlock)SPINLOCK_INIT;
	return v;
}

struct vmo *vmo_create_anon(uint64_t size)
{
	struct vmo *v = vmo_alloc(VMO_ANON, size);

	if (!v)
		return NULL;
	if (sparse(v))
		v->dir = table_alloc(nleaves(v) * sizeof(*v->dir));
	else
		v->pages = table_alloc(npages(v) * sizeof(*v->pages));
	if (!v->pages) {
		kfree(v);
		return NULL;
	}
	return v;
}

struct vmo *vmo_create_contig(uint64_t size)
{
	struct vmo *v = vmo_alloc(VMO_CONTIG, size);

	if (!v)
		return NULL;
	while ((FRAME_SIZE << v->order) < v->size)
		v->order++;
	v->base = v->order <= FRAME_MAX_ORDER ? frame_alloc(v->order, FRAME_ZERO) : 0;
	if (!v->base) {
		kfree(v);
		return NULL;
	}
	__atomic_fetch_add(&frames_held, 1ull << v->order, __ATOMIC_RELAXED);
	return v;
}

struct vmo *vmo_create_phys(paddr_t base, uint64_t size)
{
	if (base % PAGE_SIZE || base + size < base)
		return NULL;
	struct vmo *v = vmo_alloc(VMO_PHYS, size);

	if (v)
		v->base = base;
	return v;
}

struct vmo *vmo_create_cow(struct vmo *backing, uint64_t offset, uint64_t size)
{
	if (backing->kind != VMO_ANON || backing->backing || offset % PAGE_SIZE ||
	    offset > backing->size)
		return NULL;
	struct vmo *v = vmo_create_anon(size);

	if (v) {
		v->backing = backing;
		v->backing_offset = offset;
		kobj_get(&backing->k);
	}
	return v;
}

static void inherit_backing(struct vmo *c, struct vmo *v)
{
	c->backing = v->backing;
	c->backing_offset = v->backing_offset;
	if (c->backing)
		kobj_get(&c->backing->k);
}

/*
 * Puts the frame @f, allocated outside the lock, at page @i: 0, or -EEXIST
 * when another CPU filled it first, -ENOMEM without memory for its leaf.
 */
static int install_page(struct vmo *v, uint64_t i, paddr_t f)
{
	unsigned long s = spin_lock_irqsave(&v->lock);
	paddr_t *e = slot(v, i, SLOT_MAKE);
	int err = !e ? -ENOMEM : *e ? -EEXIST : 0;

	if (!err) {
		*e = f;
		__atomic_fetch_add(&frames_held, 1, __ATOMIC_RELAXED);
	}
	spin_unlock_irqrestore(&v->lock, s);
	return err;
}

/*
 * An untouched page @i of copy-on-write view @v, within its backing @b: a
 * read gets the backing's frame (read-only, so that a write faults); a write
 * copies it into the view (->old: the caller unmaps the backing's frame).
 * The backing never shares frames (a handle names it), so its frames stay put.
 */
static int cow_page(struct vmo *v, struct vmo *b, uint64_t i, uint64_t at, enum vmo_access access,
		    struct vmo_frame *out)
{
	if (access != VMO_WRITE) {
		int err = vmo_page(b, at, access, out);
		out->shared = access == VMO_READ;
		return err;
	}
	unsigned long s = spin_lock_irqsave(&b->lock);
	paddr_t *e = slot(b, at / PAGE_SIZE, SLOT_FIND);
	paddr_t src = e ? *e : 0;
	paddr_t copy = frame_alloc(0, src ? 0 : FRAME_ZERO);
	if (copy && src)
		memcpy(phys_to_virt(copy), phys_to_virt(src), PAGE_SIZE);
	spin_unlock_irqrestore(&b->lock, s);
	if (!copy)
		return -ENOMEM;
	int err = install_page(v, i, copy);
	if (err) {
		frame_free(copy, 0);
		return err == -EEXIST ? vmo_page(v, i * PAGE_SIZE, access, out) : err;
	}
	out->pa = copy;
	out->old = src;
	return 0;
}

int vmo_page(struct vmo *v, uint64_t offset, enum vmo_access access, struct vmo_frame *out)
{
	*out = (struct vmo_frame){0};
	if (offset >= v->size)
		return -ERANGE;
	if (v->kind != VMO_ANON) {
		out->pa = v->base + ALIGN_DOWN(offset, PAGE_SIZE);
		return 0;
	}
	uint64_t i = offset / PAGE_SIZE;
	unsigned long s = spin_lock_irqsave(&v->lock);
	paddr_t *e = slot(v, i, SLOT_FIND);
	paddr_t f = e ? *e : 0;
	struct vmo *b = v->backing;
	uint64_t at = v->backing_offset + i * PAGE_SIZE;
	if (!f && b && at < b->size) {
		spin_unlock_irqrestore(&v->lock, s);
		return cow_page(v, b, i, at, access, out);
	}
	bool shared = f && access != VMO_COPY_OUT && frame_is_shared(f);
	if (shared && access == VMO_READ)
		out->shared = true;
	if (shared && access == VMO_WRITE) {
		/* Copy-on-write: the writer gets a copy, the other holders keep the frame. */
		paddr_t copy = frame_alloc(0, 0);
		if (!copy) {
			spin_unlock_irqrestore(&v->lock, s);
			return -ENOMEM;
		}
		memcpy(phys_to_virt(copy), phys_to_virt(f), PAGE_SIZE);
		*e = copy;
		out->old = f;
		out->release_old = true;
		f = copy;
	}
	spin_unlock_irqrestore(&v->lock, s);
	if (f) {
		out->pa = f;
		return 0;
	}
	/* Allocate outside the lock; if another CPU won the race, keep its frame. */
	f = frame_alloc(0, FRAME_ZERO);
	if (!f)
		return -ENOMEM;
	int err = install_page(v, i, f);
	if (!err) {
		out->pa = f;
		return 0;
	}
	/* Another CPU won the race: its frame may meanwhile be shared, so resolve again. */
	frame_free(f, 0);
	return err == -EEXIST ? vmo_page(v, offset, access, out) : err;
}

unsigned vmo_discard(struct vmo *v, uint64_t *offset, uint64_t end, paddr_t *out, unsigned max)
{
	uint64_t i = *offset / PAGE_SIZE, last = MIN(end, v->size) / PAGE_SIZE, k;
	unsigned n = 0;

	unsigned long s = spin_lock_irqsave(&v->lock);
	while (i < last && n < max) {
		paddr_t *run = run_at(v, i, &k);
		k = MIN(k, last - i);
		if (!run) {
			i += k; /* a missing leaf: no page there */
			continue;
		}
		for (uint64_t j = 0; j < k && n < max; j++, i++)
			if (run[j]) {
				out[n++] = run[j];
				run[j] = 0;
			}
	}
	spin_unlock_irqrestore(&v->lock, s);
	__atomic_fetch_sub(&frames_held, n, __ATOMIC_RELAXED);
	*offset = i < last ? i * PAGE_SIZE : end;
	return n;
}

struct vmo *vmo_clone(struct vmo *v)
{
	struct vmo *c = vmo_create_anon(v->size);
	uint64_t held = 0, n;
	bool full = true;

	if (!c)
		return NULL;
	inherit_backing(c, v);
	unsigned long s = spin_lock_irqsave(&v->lock);
	for (uint64_t i = 0; full && i < npages(v); i += n) {
		paddr_t *run = run_at(v, i, &n), *to = run ? slot(c, i, SLOT_MAKE) : NULL;
		full = !run || to;
		for (uint64_t j = 0; to && j < n; j++)
			if ((to[j] = run[j]) != 0) {
				frame_share(run[j]);
				held++;
			}
	}
	spin_unlock_irqrestore(&v->lock, s);
	__atomic_fetch_add(&frames_held, held, __ATOMIC_RELAXED);
	if (!full) {
		vmo_put(c);	/* lets go of the frames it shared so far */
		return NULL;
	}
	return c;
}

struct vmo *vmo_duplicate(struct vmo *v)
{
	struct vmo *c = vmo_create_anon(v->size);
	uint64_t n;

	if (c)
		inherit_backing(c, v);
	for (uint64_t i = 0; c && i < npages(v); i += n) {
		unsigned long s = spin_lock_irqsave(&v->lock);
		paddr_t *run = run_at(v, i, &n);
		spin_unlock_irqrestore(&v->lock, s);
		for (uint64_t j = 0; run && j < n; j++) {
			/* One page at a time, so the lock is never held long. */
			s = spin_lock_irqsave(&v->lock);
			paddr_t f = run[j], copy = f ? frame_alloc(0, 0) : 0;
			if (copy)
				memcpy(phys_to_virt(copy), phys_to_virt(f), PAGE_SIZE);
			spin_unlock_irqrestore(&v->lock, s);
			paddr_t *to = copy ? slot(c, i + j, SLOT_MAKE) : NULL;
			if (f && !to) {
				if (copy)
					frame_free(copy, 0);
				vmo_put(c);
				return NULL;
			}
			if (copy) {
				*to = copy;
				__atomic_fetch_add(&frames_held, 1, __ATOMIC_RELAXED);
			}
		}
	}
	return c;
}

static int copy(struct vmo *v, uint64_t offset, void *kbuf, size_t len, bool to_vmo)
{
	if (v->kind == VMO_PHYS)
		return -EINVAL;	/* device registers are not memory to copy */
	if (offset > v->size || len > v->size - offset)
		return -ERANGE;
	/*
	 * A VMO a handle names never shares frames (process_fork clones only
	 * VMOs that nothing but the forking address space reaches), so no
	 * mapping of it needs to learn that a write moved a page.
	 */
	while (len) {
		struct vmo_frame f;
		int err = vmo_page(v, offset, to_vmo ? VMO_WRITE : VMO_COPY_OUT, &f);
		if (err)
			return err;
		/* A clone's write (the kernel's tests) moved the page: no page table names the old frame. */
		if (f.release_old)
			frame_release(f.old);
		size_t in_page = offset % PAGE_SIZE, n = MIN(len, PAGE_SIZE - in_page);
		char *p = (char *)phys_to_virt(f.pa) + in_page;
		if (to_vmo)
			memcpy(p, kbuf, n);
		else
			memcpy(kbuf, p, n);
		kbuf = (char *)kbuf + n;
		offset += n;
		len -= n;
	}
	return 0;
}

int vmo_write_kernel(struct vmo *v, uint64_t offset, const void *src, size_t len)
{
	return copy(v, offset, (void *)src, len, true);
}

int vmo_read_kernel(struct vmo *v, uint64_t offset, void *dst, size_t len)
{
	return copy(v, offset, dst, len, false);
}

uint64_t vmo_frames_held(void)
{
	return __atomic_load_n(&frames_held, __ATOMIC_RELAXED);
}
