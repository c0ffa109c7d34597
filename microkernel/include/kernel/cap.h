/*
 * Capabilities. A process names kernel objects only through its capability
 * table. A handle is a 64-bit token: slot index (24 bits), the slot's
 * generation (16 bits) and check bits (24 bits) keyed with the table's
 * secret, so a guessed value, a handle from another process or a handle
 * kept after close is rejected, never taken for another object.
 *
 * Each capability carries rights. Deriving makes a child capability with a
 * subset of the rights; transfer over IPC moves or derives one into another
 * table. Revoking a capability deletes every capability derived from it,
 * in whatever table it lives.
 *
 * A capability may also carry a badge (seL4's badged endpoints): a number
 * set once, when an unbadged capability is minted into a badged child, and
 * kept by every copy made from it. A server tells its clients apart by the
 * badge of the capability each one called through.
 */
#pragma once

struct ioport_set;

#include <kernel/errno.h>
#include <kernel/kobject.h>
#include <kernel/spinlock.h>

typedef uint64_t handle_t;

#define HANDLE_INVALID 0

enum cap_rights {
	RIGHT_READ = 1u << 0,
	RIGHT_WRITE = 1u << 1,
	RIGHT_EXEC = 1u << 2,
	RIGHT_MAP = 1u << 3,		/* map a memory object */
	RIGHT_SEND = 1u << 4,		/* call / signal */
	RIGHT_RECV = 1u << 5,		/* receive / wait */
	RIGHT_GRANT = 1u << 6,		/* pass capabilities along with messages */
	RIGHT_DUPLICATE = 1u << 7,	/* derive further capabilities */
	RIGHT_TRANSFER = 1u << 8,	/* give this capability to another process */
	RIGHT_MANAGE = 1u << 9,		/* object-specific control (kill, bind, query phys) */
	RIGHTS_ALL = (1u << 10) - 1,
};

/* Badges are 1 .. CAP_BADGE_LIMIT - 1, so that a receive can return one as a positive status. */
#define CAP_BADGE_LIMIT (1ull << 62)

/* A capability: a node of the derivation tree, in one slot of one table (kern/cap.c). */
struct cap {
	struct kobject *obj;
	uint32_t rights;
	uint32_t slot;
	handle_t handle;	/* the handle that names it, computed once when placed */
	uint64_t badge;		/* 0: unbadged; never changes */
	struct cap_table *table;
	struct cap *parent, *first_child, *next_sibling, *prev_sibling;
	struct cap *dead_next;	/* list of nodes to free after unlocking */
};

struct cap_slot {
	struct cap *cap;	/* NULL when free */
	uint16_t gen;
	bool retired;		/* generation exhausted: never reused, so never aliased */
	uint32_t next_free;	/* next free slot + 1 */
};

#define CAP_SLOT_MASK ((1u << 24) - 1)

struct cap_table {
	/* lock protects slots, nslots and free_head. Taken after cap_tree_lock. */
	struct spinlock lock;
	struct cap_slot *slots;
	uint32_t nslots;
	uint32_t free_head;	/* first free slot + 1; 0 when none */
	uint32_t used;
	uint32_t limit;		/* most slots this table may grow to */
	uint64_t secret;
	/*
	 * Bumped (release) whenever a slot empties, under lock: a lookup
	 * remembered without the lock stays true while this is unchanged,
	 * since a capability's object, rights and badge never change in place.
	 */
	uint64_t removals;
	/* The ports its I/O-port capabilities grant (a process's table; NULL: not tracked). */
	struct ioport_set *io;
};

#define CAP_TABLE_MAX_SLOTS (1u << 24)

int cap_table_init(struct cap_table *t, uint32_t limit);

/* Deletes every capability in @t (their derived children are kept, reparented). */
void cap_table_finish(struct cap_table *t);

/* Installs a new root capability for @o (taking a reference) with @rights. */
int cap_install(struct cap_table *t, struct kobject *o, uint32_t rights, handle_t *out);

/* What a lookup finds besides the object. */
struct cap_info {
	uint32_t rights;
	uint64_t badge;
};

/*
 * Finds @h: it must be valid in @t, of @type (KOBJ_NONE: any) and hold all of
 * @rights. On success *out is a new reference the caller must kobj_put(),
 * and *info (may be NULL) gets the capability's rights and badge.
 * -EBADF: not a live handle of this table; -EINVAL: wrong type;
 * -EACCES: missing rights.
 */
static inline int cap_lookup(struct cap_table *t, handle_t h, enum kobj_type type,
			     uint32_t rights, struct kobject **out, struct cap_info *info);

/*
 * Derives a child of @h in the same table with rights @mask & h's rights
 * (needs DUPLICATE). With @badge 0 the child keeps h's badge; otherwise @h
 * must be unbadged (-EPERM) and the child gets @badge (1 .. CAP_BADGE_LIMIT - 1).
 */
int cap_derive(struct cap_table *t, handle_t h, uint32_t mask, uint64_t badge, handle_t *out);

/* Removes @h from @t; its children move up to its parent. */
int cap_close(struct cap_table *t, handle_t h);

/* Deletes every capability derived (directly or not) from @h; @h itself stays. */
int cap_revoke(struct cap_table *t, handle_t h);

enum cap_transfer_mode {
	CAP_MOVE,	/* leaves the sender's table */
	CAP_COPY,	/* the receiver gets a child (sender needs DUPLICATE) */
};

/*
 * Gives @h of @from to @to (needs TRANSFER), with rights @mask & h's rights
 * and its badge. Either it completes, or nothing changes.
 */
int cap_transfer(struct cap_table *from, handle_t h, struct cap_table *to,
		 enum cap_transfer_mode mode, uint32_t mask, handle_t *out);

/* Number of capability nodes alive in the whole kernel (for leak tests). */
uint64_t cap_count(void);

/* Returns the live capability @h names in @t, or NULL. Caller holds t->lock. */
static inline struct cap *cap_decode(const struct cap_table *t, handle_t h)
{
	uint32_t slot = h & CAP_SLOT_MASK;
	struct cap *c;

	/* Slot 0 is never used. Equal handles agree in slot, generation and check bits. */
	if (slot == 0 || slot >= t->nslots || !(c = t->slots[slot].cap))
		return NULL;
	return c->handle == h ? c : NULL;
}

/* Inline: every system call on a handle starts here. */
static inline int cap_lookup(struct cap_table *t, handle_t h, enum kobj_type type,
			     uint32_t rights, struct kobject **out, struct cap_info *info)
{
	unsigned long s = spin_lock_irqsave(&t->lock);
	struct cap *c = cap_decode(t, h);
	int err = 0;

	if (!c)
		err = -EBADF;
	else if (type != KOBJ_NONE && c->obj->type != type)
		err = -EINVAL;
	else if ((c->rights & rights) != rights)
		err = -EACCES;
	if (!err) {
		*out = kobj_get(c->obj);
		if (info) {
			info->rights = c->rights;
			info->badge = c->badge;
		}
	}
	spin_unlock_irqrestore(&t->lock, s);
	return err;
}
