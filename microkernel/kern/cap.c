/*
 * Capability tables and the derivation tree. Locking: cap_tree_lock guards
 * every parent/child link and every change of which table holds a node; each
 * table's lock guards its slots. Lookups (the hot path) take only the table
 * lock; anything that adds, moves or removes a capability takes the tree
 * lock first and then, one at a time, the table locks it needs; so a free
 * slot found under the tree lock stays free until the holder uses it. Object
 * references are dropped only after both locks are released, because the
 * last reference may destroy a process and with it another table.
 */
#include <kernel/cap.h>
#include <kernel/errno.h>
#include <kernel/ioport.h>
#include <kernel/panic.h>
#include <kernel/slab.h>
#include <kernel/string.h>

#define SLOT_BITS 24	/* CAP_SLOT_MASK */
#define GEN_BITS 16
#define CHECK_BITS 24
#define INITIAL_SLOTS 16

static struct spinlock cap_tree_lock = SPINLOCK_INIT;
static struct slab_cache cap_cache;
static bool cap_cache_ready;
static uint64_t caps_alive;
static uint64_t secret_state = 0x243f6a8885a308d3ull;

static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static handle_t encode(const struct cap_table *t, uint32_t slot, uint16_t gen)
{
	uint64_t check = mix(t->secret ^ ((uint64_t)gen << 32 | slot)) & ((1u << CHECK_BITS) - 1);

	return (uint64_t)slot | (uint64_t)gen << SLOT_BITS | check << (SLOT_BITS + GEN_BITS);
}

int cap_table_init(struct cap_table *t, uint32_t limit)
{
	unsigned long s;

	if (!__atomic_load_n(&cap_cache_ready, __ATOMIC_ACQUIRE)) {
		s = spin_lock_irqsave(&cap_tree_lock);
		if (!cap_cache_ready) {
			slab_cache_init(&cap_cache, "cap", sizeof(struct cap));
			__atomic_store_n(&cap_cache_ready, true, __ATOMIC_RELEASE);
		}
		spin_unlock_irqrestore(&cap_tree_lock, s);
	}
	memset(t, 0, sizeof(*t));
	t->limit = MIN(MAX(limit, 2u), CAP_TABLE_MAX_SLOTS);
	s = spin_lock_irqsave(&cap_tree_lock);
	secret_state += 0x9e3779b97f4a7c15ull;
	t->secret = mix(secret_state ^ (uintptr_t)t);
	spin_unlock_irqrestore(&cap_tree_lock, s);
	return 0;
}

/* Makes room for one more capability. Caller holds t->lock. */
static int grow(struct cap_table *t)
{
	if (t->free_head)
		return 0;
	if (t->nslots >= t->limit)
		return -ENOSPC;
	uint32_t n = t->nslots ? MIN(t->nslots * 2, t->limit) : MIN(INITIAL_SLOTS, t->limit);
	struct cap_slot *slots = kmalloc(n * sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	if (t->nslots)
		memcpy(slots, t->slots, t->nslots * sizeof(*slots));
	/* Slot 0 is never used, so no handle has slot bits 0. */
	for (uint32_t i = n - 1; i >= MAX(t->nslots, 1u); i--) {
		slots[i].gen = 1;
		slots[i].next_free = t->free_head;
		t->free_head = i + 1;
	}
	kfree(t->slots);
	t->slots = slots;
	t->nslots = n;
	return 0;
}

/*
 * Makes room in @t for one more capability to @o: a slot, and for an I/O-port
 * capability a range in the table's port set. Caller holds t->lock.
 */
static int room(struct cap_table *t, const struct kobject *o)
{
	int err = grow(t);

	if (!err && t->io && o->type == KOBJ_IOPORT)
		err = ioport_room(t->io, o);
	return err;
}

/* Whether @o's capabilities change the ports a process may use (ioport_changed after). */
static bool is_port(const struct kobject *o)
{
	return o->type == KOBJ_IOPORT;
}

/* Puts @c into a free slot of @t. Caller holds t->lock and has called room(). */
static handle_t place(struct cap_table *t, struct cap *c)
{
	uint32_t slot = t->free_head - 1;

	if (t->io && is_port(c->obj))
		ioport_hold(t->io, c->obj, 1);

	t->free_head = t->slots[slot].next_free;
	t->slots[slot].cap = c;
	t->used++;
	c->table = t;
	c->slot = slot;
	c->handle = encode(t, slot, t->slots[slot].gen);
	return c->handle;
}

/* Empties @c's slot; the old handle dies with the generation. Caller holds table lock. */
static void unplace(struct cap *c)
{
	struct cap_table *t = c->table;
	struct cap_slot *s = &t->slots[c->slot];

	if (t->io && is_port(c->obj))
		ioport_hold(t->io, c->obj, -1);
	s->cap = NULL;
	__atomic_store_n(&t->removals, t->removals + 1, __ATOMIC_RELEASE);
	t->used--;
	if (s->gen == 0xffff) {
		s->retired = true;
	} else {
		s->gen++;
		s->next_free = t->free_head;
		t->free_head = c->slot + 1;
	}
	c->table = NULL;
}

static struct cap *new_cap(struct kobject *o, uint32_t rights)
{
	struct cap *c = slab_alloc(&cap_cache);

	if (c) {
		c->obj = kobj_get(o);
		c->rights = rights & RIGHTS_ALL;
		__atomic_fetch_add(&caps_alive, 1, __ATOMIC_RELAXED);
	}
	return c;
}

/* Drops what dead nodes hold, outside every lock. */
static void bury(struct cap *dead)
{
	while (dead) {
		struct cap *next = dead->dead_next;
		kobj_put(dead->obj);
		slab_free(&cap_cache, dead);
		__atomic_fetch_sub(&caps_alive, 1, __ATOMIC_RELAXED);
		dead = next;
	}
}

static void link_child(struct cap *parent, struct cap *c)
{
	c->parent = parent;
	c->prev_sibling = NULL;
	c->next_sibling = parent ? parent->first_child : NULL;
	if (c->next_sibling)
		c->next_sibling->prev_sibling = c;
	if (parent)
		parent->first_child = c;
}

static void unlink_child(struct cap *c)
{
	if (c->prev_sibling)
		c->prev_sibling->next_sibling = c->next_sibling;
	else if (c->parent)
		c->parent->first_child = c->next_sibling;
	if (c->next_sibling)
		c->next_sibling->prev_sibling = c->prev_sibling;
	c->parent = c->next_sibling = c->prev_sibling = NULL;
}

int cap_install(struct cap_table *t, struct kobject *o, uint32_t rights, handle_t *out)
{
	struct cap *c = new_cap(o, rights);

	if (!c)
		return -ENOMEM;
	/* Every slot is claimed under the tree lock, so a slot grow() found stays free for it. */
	unsigned long s = spin_lock_irqsave(&cap_tree_lock);
	spin_lock(&t->lock);
	int err = room(t, o);
	if (!err)
		*out = place(t, c);
	spin_unlock(&t->lock);
	spin_unlock_irqrestore(&cap_tree_lock, s);
	if (err) {
		c->dead_next = NULL;
		bury(c);
	} else if (is_port(o)) {
		ioport_changed();
	}
	return err;
}

/* Finds @h under the tree lock (which keeps the result alive). */
static struct cap *find_locked(struct cap_table *t, handle_t h)
{
	spin_lock(&t->lock);
	struct cap *c = cap_decode(t, h);
	spin_unlock(&t->lock);
	return c;
}

/* Creates a child of @parent with @rights and @badge in @to. Caller holds the tree lock. */
static int add_child(struct cap *parent, uint32_t rights, uint64_t badge, struct cap_table *to,
		     handle_t *out)
{
	struct cap *c = new_cap(parent->obj, rights);

	if (!c)
		return -ENOMEM;
	c->badge = badge;
	spin_lock(&to->lock);
	int err = room(to, c->obj);
	if (!err)
		*out = place(to, c);
	spin_unlock(&to->lock);
	if (err) {
		/* bury() takes no lock that could be held here: objects outlive their caps' parents. */
		kobj_put(c->obj);
		slab_free(&cap_cache, c);
		__atomic_fetch_sub(&caps_alive, 1, __ATOMIC_RELAXED);
		return err;
	}
	link_child(parent, c);
	return 0;
}

int cap_derive(struct cap_table *t, handle_t h, uint32_t mask, uint64_t badge, handle_t *out)
{
	unsigned long s = spin_lock_irqsave(&cap_tree_lock);
	struct cap *c = find_locked(t, h);
	int err;

	if (!c)
		err = -EBADF;
	else if (!(c->rights & RIGHT_DUPLICATE))
		err = -EACCES;
	else if (badge && c->badge)
		err = -EPERM;	/* a badge is set once: a badged capability cannot be re-badged */
	else
		err = add_child(c, c->rights & mask, badge ? badge : c->badge, t, out);
	bool port = c && is_port(c->obj);
	spin_unlock_irqrestore(&cap_tree_lock, s);
	if (!err && port)
		ioport_changed();
	return err;
}

/* Removes @c from its table and the tree, children moving up. Caller holds the tree lock. */
static void remove_node(struct cap *c)
{
	struct cap_table *t = c->table;

	spin_lock(&t->lock);
	unplace(c);
	spin_unlock(&t->lock);
	while (c->first_child) {
		struct cap *child = c->first_child;
		unlink_child(child);
		link_child(c->parent, child);
	}
	unlink_child(c);
}

int cap_close(struct cap_table *t, handle_t h)
{
	unsigned long s = spin_lock_irqsave(&cap_tree_lock);
	struct cap *c = find_locked(t, h);

	if (c) {
		remove_node(c);
		c->dead_next = NULL;
	}
	spin_unlock_irqrestore(&cap_tree_lock, s);
	if (!c)
		return -EBADF;
	bool port = is_port(c->obj);
	bury(c);
	if (port)
		ioport_changed();
	return 0;
}

int cap_revoke(struct cap_table *t, handle_t h)
{
	struct cap *dead = NULL;
	unsigned long s = spin_lock_irqsave(&cap_tree_lock);
	struct cap *root = find_locked(t, h);

	if (!root) {
		spin_unlock_irqrestore(&cap_tree_lock, s);
		return -EBADF;
	}
	/* Take leaves first, so no node is removed while it still has children. */
	bool port = false;
	while (root->first_child) {
		struct cap *c = root->first_child;
		while (c->first_child)
			c = c->first_child;
		remove_node(c);
		port |= is_port(c->obj);
		c->dead_next = dead;
		dead = c;
	}
	spin_unlock_irqrestore(&cap_tree_lock, s);
	bury(dead);
	if (port)
		ioport_changed();
	return 0;
}

int cap_transfer(struct cap_table *from, handle_t h, struct cap_table *to,
		 enum cap_transfer_mode mode, uint32_t mask, handle_t *out)
{
	unsigned long s = spin_lock_irqsave(&cap_tree_lock);
	struct cap *c = find_locked(from, h);
	int err = 0;

	if (!c)
		err = -EBADF;
	else if (!(c->rights & RIGHT_TRANSFER) ||
		 (mode == CAP_COPY && !(c->rights & RIGHT_DUPLICATE)))
		err = -EACCES;
	else if (mode == CAP_COPY)
		err = add_child(c, c->rights & mask, c->badge, to, out);
	bool port = c && is_port(c->obj);
	if (err || mode == CAP_COPY) {
		spin_unlock_irqrestore(&cap_tree_lock, s);
		if (!err && port)
			ioport_changed();
		return err;
	}
	/* Move: claim the destination slot first, so failure changes nothing. */
	spin_lock(&to->lock);
	err = room(to, c->obj);
	if (!err) {
		spin_unlock(&to->lock);
		spin_lock(&from->lock);
		unplace(c);
		spin_unlock(&from->lock);
		spin_lock(&to->lock);
		c->rights &= mask;
		*out = place(to, c);
	}
	spin_unlock(&to->lock);
	spin_unlock_irqrestore(&cap_tree_lock, s);
	if (!err && port)
		ioport_changed();
	return err;
}

void cap_table_finish(struct cap_table *t)
{
	struct cap *dead = NULL;
	unsigned long s = spin_lock_irqsave(&cap_tree_lock);

	for (uint32_t i = 1; i < t->nslots; i++) {
		struct cap *c = t->slots[i].cap;
		if (c) {
			remove_node(c);
			c->dead_next = dead;
			dead = c;
		}
	}
	spin_unlock_irqrestore(&cap_tree_lock, s);
	bury(dead);
	kfree(t->slots);
	t->slots = NULL;
	t->nslots = 0;
	t->free_head = 0;
}

uint64_t cap_count(void)
{
	return __atomic_load_n(&caps_alive, __ATOMIC_RELAXED);
}
