/*
 * The physical frame allocator. Memory is split into zones (one per usable
 * range and NUMA node). Each zone is a binary buddy system over its frames,
 * with one state byte per frame recording whether the frame heads a free or
 * an allocated run, and of which order; free runs are linked through their
 * own first frame (reached by the direct map), so the only metadata is the
 * byte map carved from the zone itself (0.02% of memory). In front of the
 * buddy lists each CPU keeps a small cache of single frames, refilled and
 * drained in batches, so the common order-0 case takes no shared lock (only
 * its CPU's, which another CPU takes just to drain the cache when memory has
 * run out). Single frames
 * may be shared (copy-on-write memory after a fork): a 32-bit count per frame
 * of its holders beyond the first, carved with the state bytes (0.1%), says
 * when the last one lets go.
 */
#include <kernel/boot.h>
#include <kernel/cpu.h>
#include <kernel/frame.h>
#include <kernel/mm.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <kernel/string.h>

#define MAX_ZONES 32
#define STATE_FREE 0x80		/* heads a free run; low bits: order */
#define STATE_ALLOC 0x40	/* heads an allocated run; low bits: order */
#define STATE_CACHED 0x20	/* a single frame in some CPU's cache */
#define ORDER_MASK 0x0f
#define CACHE_MAX 64
#define CACHE_BATCH 16

struct free_link {
	struct free_link *next, *prev;
};

struct zone {
	uint64_t base_pfn;
	uint64_t nframes;
	unsigned node;
	uint8_t *state;
	uint32_t *extra;	/* per frame: holders beyond the first (frame_share) */
	struct free_link free[FRAME_MAX_ORDER + 1];	/* circular lists with sentinels */
	uint64_t nfree;
};

/* lock protects every zone's free lists, state bytes (except STATE_CACHED flips) and counts. */
static struct spinlock lock = SPINLOCK_INIT;
static struct zone zones[MAX_ZONES];
static unsigned nzones;
static uint64_t total_frames;

static struct free_link *link_of(uint64_t pfn)
{
	return phys_to_virt(pfn * FRAME_SIZE);
}

static void list_push(struct free_link *head, struct free_link *l)
{
	l->next = head->next;
	l->prev = head;
	head->next->prev = l;
	head->next = l;
}

static void list_remove(struct free_link *l)
{
	l->prev->next = l->next;
	l->next->prev = l->prev;
}

static struct zone *zone_of(uint64_t pfn)
{
	/* Most frames are in one big zone: the last one found is tried first (zones stay). */
	static unsigned hint;
	unsigned h = __atomic_load_n(&hint, __ATOMIC_RELAXED);
	unsigned n = __atomic_load_n(&nzones, __ATOMIC_ACQUIRE);

	if (h < n && pfn >= zones[h].base_pfn && pfn - zones[h].base_pfn < zones[h].nframes)
		return &zones[h];
	for (unsigned i = 0; i < n; i++)
		if (pfn >= zones[i].base_pfn && pfn - zones[i].base_pfn < zones[i].nframes) {
			__atomic_store_n(&hint, i, __ATOMIC_RELAXED);
			return &zones[i];
		}
	return NULL;
}

/* Puts a run on its free list, merging it with its buddies. Caller holds lock. */
static void free_run(struct zone *z, uint64_t pfn, unsigned order)
{
	z->nfree += 1ull << order;
	while (order < FRAME_MAX_ORDER) {
		uint64_t buddy = pfn ^ (1ull << order);
		uint64_t bi = buddy - z->base_pfn;
		if (buddy < z->base_pfn || bi >= z->nframes || z->state[bi] != (STATE_FREE | order))
			break;
		list_remove(link_of(buddy));
		z->state[bi] = 0;
		pfn &= ~(1ull << order);
		order++;
	}
	z->state[pfn - z->base_pfn] = STATE_FREE | order;
	list_push(&z->free[order], link_of(pfn));
}

/* Takes a run of 2^order frames from @z, splitting a larger one. Caller holds lock. */
static bool alloc_run(struct zone *z, unsigned order, uint64_t *out)
{
	unsigned o = order;

	while (o <= FRAME_MAX_ORDER && z->free[o].next == &z->free[o])
		o++;
	if (o > FRAME_MAX_ORDER)
		return false;
	struct free_link *l = z->free[o].next;
	list_remove(l);
	uint64_t pfn = virt_to_phys(l) / FRAME_SIZE;
	while (o > order) {
		o--;
		uint64_t upper = pfn + (1ull << o);
		z->state[upper - z->base_pfn] = STATE_FREE | o;
		list_push(&z->free[o], link_of(upper));
	}
	z->state[pfn - z->base_pfn] = STATE_ALLOC | order;
	z->nfree -= 1ull << order;
	*out = pfn;
	return true;
}

static unsigned node_of(paddr_t pa, paddr_t *range_end)
{
	*range_end = ~0ull;
	for (unsigned i = 0; i < boot_info.nnuma; i++) {
		const struct numa_range *r = &boot_info.numa[i];
		if (pa >= r->base && pa - r->base < r->size) {
			*range_end = r->base + r->size;
			return r->node;
		}
		if (r->base > pa && r->base < *range_end)
			*range_end = r->base;
	}
	return 0;
}

unsigned frame_node_of(paddr_t pa)
{
	paddr_t end;

	return node_of(pa, &end);
}

static void add_zone(paddr_t base, paddr_t end, unsigned node)
{
	if (nzones == MAX_ZONES) {
		kprintf("frame: more than %d zones; ignoring [%#lx, %#lx)\n", MAX_ZONES, base, end);
		return;
	}
	uint64_t n = (end - base) / FRAME_SIZE;
	/* Frames for the state bytes and the share counts. */
	uint64_t meta = ALIGN_UP(ALIGN_UP(n, 4) + 4 * n, FRAME_SIZE) / FRAME_SIZE;
	if (n <= meta)
		return;
	struct zone *z = &zones[nzones];
	z->state = phys_to_virt(base);
	z->base_pfn = base / FRAME_SIZE + meta;
	z->nframes = n - meta;
	z->extra = (uint32_t *)(z->state + ALIGN_UP(z->nframes, 4));
	z->node = node;
	memset(z->state, 0, z->nframes);
	memset(z->extra, 0, 4 * z->nframes);
	for (unsigned o = 0; o <= FRAME_MAX_ORDER; o++)
		z->free[o].next = z->free[o].prev = &z->free[o];
	/* Free the zone in the largest naturally aligned runs that fit. */
	for (uint64_t i = 0; i < z->nframes;) {
		uint64_t pfn = z->base_pfn + i;
		unsigned o = 0;
		while (o < FRAME_MAX_ORDER && !(pfn & ((2ull << o) - 1)) && i + (2ull << o) <= z->nframes)
			o++;
		free_run(z, pfn, o);
		i += 1ull << o;
	}
	total_frames += z->nframes;
	/* zone_of() reads the zones without the lock: the new one is whole before it counts. */
	__atomic_store_n(&nzones, nzones + 1, __ATOMIC_RELEASE);
}

/* Makes the whole frames of [base, end) zones, one per NUMA node it spans; under lock after boot. */
static void add_range(paddr_t base, paddr_t end)
{
	/* Frame 0 is never handed out (0 means "no frame"), nor memory the direct map lacks. */
	base = MAX(ALIGN_UP(base, FRAME_SIZE), FRAME_SIZE);
	end = MIN(ALIGN_DOWN(end, FRAME_SIZE), PHYS_MAP_LIMIT);
	while (base < end) {
		paddr_t node_end;
		unsigned node = node_of(base, &node_end);
		paddr_t stop = MIN(end, node_end);
		add_zone(base, stop, node);
		base = stop;
	}
}

void frame_init(void)
{
	for (unsigned i = 0; i < boot_info.nregions; i++) {
		const struct mem_region *r = &boot_info.regions[i];
		if (r->type == MEM_USABLE)
			add_range(r->base, r->base + r->size);
	}
}

uint64_t frame_give(paddr_t base, paddr_t end)
{
	unsigned long s = spin_lock_irqsave(&lock);
	uint64_t before = total_frames;

	add_range(base, end);
	uint64_t n = total_frames - before;
	spin_unlock_irqrestore(&lock, s);
	return n;
}

static paddr_t alloc_locked(int node, unsigned order)
{
	uint64_t pfn;

	/* First the requested node, then any. */
	for (int pass = node < 0 ? 1 : 0; pass < 2; pass++)
		for (unsigned i = 0; i < nzones; i++)
			if ((pass == 1 || zones[i].node == (unsigned)node) &&
			    alloc_run(&zones[i], order, &pfn))
				return pfn * FRAME_SIZE;
	return 0;
}

/* The per-CPU caches work once CPUs have their struct cpu (cpu_init), not before. */
static struct cpu *cache_cpu(void)
{
	return ncpus_online ? this_cpu() : NULL;
}

static void set_state(paddr_t pa, uint8_t v)
{
	struct zone *z = zone_of(pa / FRAME_SIZE);

	z->state[pa / FRAME_SIZE - z->base_pfn] = v;
}

/* Returns cached frames to the buddy lists until @keep remain. Caller holds lock. */
static void drain_locked(struct cpu *c, unsigned keep)
{
	while (c->nframes_cached > keep) {
		paddr_t f = c->frame_cache[--c->nframes_cached];
		free_run(zone_of(f / FRAME_SIZE), f / FRAME_SIZE, 0);
	}
}

/*
 * Empties every CPU's cache into the buddy lists: memory has run out, and
 * the frames parked there (up to CACHE_MAX a CPU) are all that is left.
 */
static void drain_all(void)
{
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		spin_lock(&cpus[i].frame_cache_lock);
		spin_lock(&lock);
		drain_locked(&cpus[i], 0);
		spin_unlock(&lock);
		spin_unlock(&cpus[i].frame_cache_lock);
	}
}

static paddr_t alloc(int node, unsigned order, enum frame_flags flags)
{
	paddr_t pa = 0;
	unsigned long s = arch_irq_save();
	struct cpu *c = order == 0 && node < 0 ? cache_cpu() : NULL;

	if (order > FRAME_MAX_ORDER) {
		arch_irq_restore(s);
		return 0;
	}
	if (c) {
		/* Uncontended but for a drain_all. */
		spin_lock(&c->frame_cache_lock);
		if (c->nframes_cached == 0) {
			spin_lock(&lock);
			while (c->nframes_cached < CACHE_BATCH) {
				paddr_t f = alloc_locked((int)c->node, 0);
				if (!f)
					break;
				set_state(f, STATE_CACHED);
				c->frame_cache[c->nframes_cached++] = f;
			}
			spin_unlock(&lock);
		}
		if (c->nframes_cached) {
			pa = c->frame_cache[--c->nframes_cached];
			set_state(pa, STATE_ALLOC);
		}
		spin_unlock(&c->frame_cache_lock);
	}
	if (!pa) {
		/* Without a preference, the memory nearest this CPU comes first. */
		if (node < 0 && cache_cpu())
			node = (int)cache_cpu()->node;
		spin_lock(&lock);
		pa = alloc_locked(node, order);
		spin_unlock(&lock);
		/* The frames parked in the CPUs' caches (this one's too) may be what it lacks. */
		if (!pa && cache_cpu()) {
			drain_all();
			spin_lock(&lock);
			pa = alloc_locked(node, order);
			spin_unlock(&lock);
		}
	}
	arch_irq_restore(s);
	if (pa && (flags & FRAME_ZERO))
		memset(phys_to_virt(pa), 0, FRAME_SIZE << order);
	return pa;
}

paddr_t frame_alloc(unsigned order, enum frame_flags flags)
{
	return alloc(-1, order, flags);
}

paddr_t frame_alloc_node(unsigned node, unsigned order, enum frame_flags flags)
{
	return alloc((int)node, order, flags);
}

void frame_free(paddr_t pa, unsigned order)
{
	uint64_t pfn = pa / FRAME_SIZE;
	struct zone *z = zone_of(pfn);
	unsigned long s = arch_irq_save();

	if (!z || (pa & (FRAME_SIZE - 1)) || order > FRAME_MAX_ORDER ||
	    z->state[pfn - z->base_pfn] != (STATE_ALLOC | order))
		panic("frame_free(%#lx, %u): not an allocated run of that order", pa, order);
	if (z->extra[pfn - z->base_pfn])
		panic("frame_free(%#lx): the frame is shared (frame_release)", pa);
	struct cpu *c = order == 0 ? cache_cpu() : NULL;
	/* Another node's frame goes home: a cache handing it out later would break node locality. */
	if (c && c->node != z->node)
		c = NULL;
	if (c) {
		spin_lock(&c->frame_cache_lock);
		z->state[pfn - z->base_pfn] = STATE_CACHED;
		c->frame_cache[c->nframes_cached++] = pa;
		/* Full: give half back to the buddy lists. */
		if (c->nframes_cached == CACHE_MAX) {
			spin_lock(&lock);
			drain_locked(c, CACHE_MAX / 2);
			spin_unlock(&lock);
		}
		spin_unlock(&c->frame_cache_lock);
	} else {
		spin_lock(&lock);
		free_run(z, pfn, order);
		spin_unlock(&lock);
	}
	arch_irq_restore(s);
}

static uint32_t *extra_of(paddr_t pa)
{
	uint64_t pfn = pa / FRAME_SIZE;
	struct zone *z = zone_of(pfn);

	if (!z || (pa & (FRAME_SIZE - 1)) || z->state[pfn - z->base_pfn] != (STATE_ALLOC | 0))
		panic("frame %#lx: not an allocated single frame", pa);
	return &z->extra[pfn - z->base_pfn];
}

/*
 * A holder count above 2^32 would need more holders (each a VMO page slot,
 * eight bytes of kernel memory) than memory can hold, so it cannot overflow.
 */
void frame_share(paddr_t pa)
{
	__atomic_fetch_add(extra_of(pa), 1, __ATOMIC_RELAXED);
}

bool frame_is_shared(paddr_t pa)
{
	return __atomic_load_n(extra_of(pa), __ATOMIC_ACQUIRE) != 0;
}

void frame_release(paddr_t pa)
{
	uint32_t *x = extra_of(pa), n = __atomic_load_n(x, __ATOMIC_ACQUIRE);

	/* Not the last holder: one fewer. The last one frees it. */
	while (n && !__atomic_compare_exchange_n(x, &n, n - 1, true, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		;
	if (!n)
		frame_free(pa, 0);
}

uint64_t frame_free_count(void)
{
	uint64_t n = 0;
	unsigned long s = spin_lock_irqsave(&lock);

	for (unsigned i = 0; i < nzones; i++)
		n += zones[i].nfree;
	for (unsigned i = 0; i < MAX_CPUS; i++)
		n += cpus[i].nframes_cached;
	spin_unlock_irqrestore(&lock, s);
	return n;
}

uint64_t frame_total_count(void)
{
	return total_frames;
}
