/*
 * Slab caches. Each slab is a single frame reached through the direct map, so
 * finding an object's slab is rounding its address down to the frame. Large
 * kmalloc requests take whole runs of frames with a small header instead.
 */
#include <kernel/frame.h>
#include <kernel/mm.h>
#include <kernel/panic.h>
#include <kernel/slab.h>
#include <kernel/string.h>

#define SLAB_MAGIC 0x51ab51ab
#define LARGE_MAGIC 0x1a26e000

struct free_obj {
	struct free_obj *next;
};

struct slab {
	uint32_t magic;
	unsigned inuse;
	struct slab_cache *cache;
	struct slab *next, *prev;
	struct free_obj *free;
	uint64_t pad;		/* header is 48 bytes: objects stay 16-byte aligned */
};

struct large_header {
	uint32_t magic;
	unsigned order;
	uint64_t pad;
};

static void unlink(struct slab **list, struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		*list = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

static void push(struct slab **list, struct slab *s)
{
	s->prev = NULL;
	s->next = *list;
	if (*list)
		(*list)->prev = s;
	*list = s;
}

void slab_cache_init(struct slab_cache *c, const char *name, size_t size)
{
	assert(size > 0 && size <= SLAB_MAX_OBJECT);
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->size = ALIGN_UP(size, 16);
	c->per_slab = (FRAME_SIZE - sizeof(struct slab)) / c->size;
}

static struct slab *new_slab(struct slab_cache *c)
{
	paddr_t pa = frame_alloc(0, 0);

	if (!pa)
		return NULL;
	struct slab *s = phys_to_virt(pa);
	memset(s, 0, sizeof(*s));
	s->magic = SLAB_MAGIC;
	s->cache = c;
	char *obj = (char *)(s + 1);
	for (unsigned i = 0; i < c->per_slab; i++, obj += c->size) {
		struct free_obj *f = (struct free_obj *)obj;
		f->next = s->free;
		s->free = f;
	}
	c->slabs++;
	return s;
}

void *slab_alloc(struct slab_cache *c)
{
	unsigned long st = spin_lock_irqsave(&c->lock);
	struct slab *s = c->partial;

	if (!s && c->empty) {
		s = c->empty;
		c->empty = NULL;
		push(&c->partial, s);
	}
	if (!s) {
		s = new_slab(c);
		if (!s) {
			spin_unlock_irqrestore(&c->lock, st);
			return NULL;
		}
		push(&c->partial, s);
	}
	struct free_obj *f = s->free;
	s->free = f->next;
	s->inuse++;
	c->objects++;
	if (!s->free) {
		unlink(&c->partial, s);
		push(&c->full, s);
	}
	spin_unlock_irqrestore(&c->lock, st);
	memset(f, 0, c->size);
	return f;
}

static struct slab *slab_of(const void *obj)
{
	return (struct slab *)ALIGN_DOWN((uintptr_t)obj, FRAME_SIZE);
}

void slab_free(struct slab_cache *c, void *obj)
{
	if (!obj)
		return;
	struct slab *s = slab_of(obj);
	uintptr_t off = (uintptr_t)obj - (uintptr_t)(s + 1);
	if (s->magic != SLAB_MAGIC || s->cache != c || off % c->size || off / c->size >= c->per_slab)
		panic("slab_free(%s, %p): not an object of this cache", c->name, obj);

	unsigned long st = spin_lock_irqsave(&c->lock);
	struct free_obj *f = obj;
	bool was_full = s->free == NULL;
	f->next = s->free;
	s->free = f;
	s->inuse--;
	c->objects--;
	if (was_full) {
		unlink(&c->full, s);
		push(&c->partial, s);
	}
	paddr_t release = 0;
	if (s->inuse == 0) {
		unlink(&c->partial, s);
		if (c->empty) {
			s->magic = 0;
			release = virt_to_phys(s);
			c->slabs--;
		} else {
			c->empty = s;
		}
	}
	spin_unlock_irqrestore(&c->lock, st);
	if (release)
		frame_free(release, 0);
}

/* kmalloc's size classes: 16, 32, ..., 2048 bytes. */
static struct slab_cache size_caches[8];
static bool size_caches_ready;
static struct spinlock size_lock = SPINLOCK_INIT;

static struct slab_cache *size_cache(size_t size)
{
	if (!__atomic_load_n(&size_caches_ready, __ATOMIC_ACQUIRE)) {
		unsigned long st = spin_lock_irqsave(&size_lock);
		if (!size_caches_ready) {
			static const char *const names[] = {"kmalloc-16", "kmalloc-32", "kmalloc-64",
							    "kmalloc-128", "kmalloc-256", "kmalloc-512",
							    "kmalloc-1024", "kmalloc-2048"};
			for (unsigned i = 0; i < 8; i++)
				slab_cache_init(&size_caches[i], names[i], 16u << i);
			__atomic_store_n(&size_caches_ready, true, __ATOMIC_RELEASE);
		}
		spin_unlock_irqrestore(&size_lock, st);
	}
	unsigned i = 0;
	while ((16u << i) < size)
		i++;
	return &size_caches[i];
}

void *kmalloc(size_t size)
{
	if (size == 0)
		size = 1;
	if (size <= SLAB_MAX_OBJECT)
		return slab_alloc(size_cache(size));
	size_t need = size + sizeof(struct large_header);
	unsigned order = 0;
	while ((FRAME_SIZE << order) < need)
		if (++order > FRAME_MAX_ORDER)
			return NULL;
	paddr_t pa = frame_alloc(order, FRAME_ZERO);
	if (!pa)
		return NULL;
	struct large_header *h = phys_to_virt(pa);
	h->magic = LARGE_MAGIC;
	h->order = order;
	return h + 1;
}

void kfree(void *p)
{
	if (!p)
		return;
	struct slab *s = slab_of(p);
	if (s->magic == SLAB_MAGIC && p != (void *)s) {
		slab_free(s->cache, p);
		return;
	}
	struct large_header *h = (struct large_header *)p - 1;
	if ((uintptr_t)h % FRAME_SIZE || h->magic != LARGE_MAGIC)
		panic("kfree(%p): not a kmalloc pointer", p);
	h->magic = 0;
	frame_free(virt_to_phys(h), h->order);
}
