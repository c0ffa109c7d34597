/*
 * Memory objects: anonymous (demand-zero), physical (device) and contiguous
 * (DMA). Anonymous VMOs share frames with their clones through the frame
 * allocator's share counts; there are no hidden objects between them, so a
 * frame is freed when its last holder lets go, whatever the fork history.
 * A copy-on-write view (a private file mapping) is an anonymous VMO with a
 * backing: its untouched pages are the backing's frames, mapped read-only,
 * and a write copies the page into the view. Its clones keep the backing.
 */
#include <kernel/errno.h>
#include <kernel/frame.h>
#include <kernel/mm.h>
#include <kernel/slab.h>
#include <kernel/string.h>
#include <kernel/vmo.h>

static uint64_t frames_held;

static void vmo_destroy(struct kobject *k)
{
	struct vmo *v = (struct vmo *)k;

	if (v->kind == VMO_ANON) {
		for (uint64_t i = 0; i < v->size / PAGE_SIZE; i++)
			if (v->pages[i]) {
				frame_release(v->pages[i]);
				__atomic_fetch_sub(&frames_held, 1, __ATOMIC_RELAXED);
			}
		kfree(v->pages);
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
	v->pages = kmalloc(v->size / PAGE_SIZE * sizeof(paddr_t));
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

/* Puts the frame @f, allocated outside the lock, at page @i unless another CPU filled it first. */
static bool install_page(struct vmo *v, uint64_t i, paddr_t f)
{
	unsigned long s = spin_lock_irqsave(&v->lock);
	bool won = !v->pages[i];

	if (won) {
		v->pages[i] = f;
		__atomic_fetch_add(&frames_held, 1, __ATOMIC_RELAXED);
	}
	spin_unlock_irqrestore(&v->lock, s);
	return won;
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
	paddr_t src = b->pages[at / PAGE_SIZE];
	paddr_t copy = frame_alloc(0, src ? 0 : FRAME_ZERO);
	if (copy && src)
		memcpy(phys_to_virt(copy), phys_to_virt(src), PAGE_SIZE);
	spin_unlock_irqrestore(&b->lock, s);
	if (!copy)
		return -ENOMEM;
	bool won = install_page(v, i, copy);
	if (!won) {
		frame_free(copy, 0);
		return vmo_page(v, i * PAGE_SIZE, access, out);
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
	paddr_t f = v->pages[i];
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
		v->pages[i] = copy;
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
	bool won = install_page(v, i, f);
	if (won) {
		out->pa = f;
		return 0;
	}
	/* Another CPU won the race: its frame may meanwhile be shared, so resolve again. */
	frame_free(f, 0);
	return vmo_page(v, offset, access, out);
}

struct vmo *vmo_clone(struct vmo *v)
{
	struct vmo *c = vmo_create_anon(v->size);
	uint64_t n = 0;

	if (!c)
		return NULL;
	inherit_backing(c, v);
	unsigned long s = spin_lock_irqsave(&v->lock);
	for (uint64_t i = 0; i < v->size / PAGE_SIZE; i++)
		if ((c->pages[i] = v->pages[i]) != 0) {
			frame_share(v->pages[i]);
			n++;
		}
	spin_unlock_irqrestore(&v->lock, s);
	__atomic_fetch_add(&frames_held, n, __ATOMIC_RELAXED);
	return c;
}

struct vmo *vmo_duplicate(struct vmo *v)
{
	struct vmo *c = vmo_create_anon(v->size);

	if (c)
		inherit_backing(c, v);
	for (uint64_t i = 0; c && i < v->size / PAGE_SIZE; i++) {
		/* One page at a time, so the lock is never held long. */
		unsigned long s = spin_lock_irqsave(&v->lock);
		paddr_t f = v->pages[i], copy = f ? frame_alloc(0, 0) : 0;
		if (copy)
			memcpy(phys_to_virt(copy), phys_to_virt(f), PAGE_SIZE);
		spin_unlock_irqrestore(&v->lock, s);
		if (f && !copy) {
			vmo_put(c);
			return NULL;
		}
		if (copy) {
			c->pages[i] = copy;
			__atomic_fetch_add(&frames_held, 1, __ATOMIC_RELAXED);
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
