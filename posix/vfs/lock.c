/*
 * Advisory file locks (lock.h): one unsorted list per file (a node, a pipe, ...). An owner's own
 * locks never overlap, so setting a range is: drop or trim the owner's locks
 * it covers, widen it over the touching ones of the same type, insert it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

#include "fs.h"
#include "lock.h"

static bool same_class(const struct lock *a, const struct lock *b)
{
	return (a->kind == LK_FLOCK) == (b->kind == LK_FLOCK);
}

static bool same_owner(const struct lock *a, const struct lock *b)
{
	return a->kind == b->kind && a->owner == b->owner;
}

static bool overlap(const struct lock *a, const struct lock *b)
{
	return a->start <= b->end && b->start <= a->end;
}

/* Whether @a and @b overlap or one starts right after the other ends. */
static bool touch(const struct lock *a, const struct lock *b)
{
	return overlap(a, b) || (a->end != LOCK_EOF && a->end + 1 == b->start) ||
	       (b->end != LOCK_EOF && b->end + 1 == a->start);
}

bool lock_conflicts(const struct lock *held, const struct lock *want)
{
	return want->type != F_UNLCK && same_class(held, want) && !same_owner(held, want) &&
	       overlap(held, want) && (held->type == F_WRLCK || want->type == F_WRLCK);
}

const struct lock *lock_conflict(struct lock *const *list, const struct lock *want)
{
	for (const struct lock *l = *list; l; l = l->next)
		if (lock_conflicts(l, want))
			return l;
	return NULL;
}

int lock_set(struct lock **list, const struct lock *want)
{
	return lock_set_change(list, want, NULL);
}

int lock_set_change(struct lock **list, const struct lock *want, struct lock_change *c)
{
	/*
	 * The owner's locks do not overlap, so one reaches before the range and
	 * one past it at most: two pieces and the new lock, allocated first so
	 * that nothing fails halfway.
	 */
	struct lock *spare[3] = {malloc(sizeof(struct lock)), malloc(sizeof(struct lock)),
				 malloc(sizeof(struct lock))};
	struct lock range = *want, *kept = NULL;
	unsigned used = 0;

	if (!spare[0] || !spare[1] || !spare[2]) {
		free(spare[0]);
		free(spare[1]);
		free(spare[2]);
		return -ENOLCK;
	}
	for (struct lock **lp = list; *lp;) {
		struct lock *l = *lp;
		bool merge = want->type != F_UNLCK && l->type == want->type && touch(l, want);
		if (!same_owner(l, want) || (!merge && !overlap(l, want))) {
			lp = &l->next;
			continue;
		}
		if (merge) {
			/* The same type, overlapping or touching: the new lock takes it in. */
			if (l->start < range.start)
				range.start = l->start;
			if (l->end > range.end)
				range.end = l->end;
		} else {
			/* Another type (or an unlock): what reaches past the range stays. */
			if (l->start < want->start) {
				struct lock *head = spare[used++];
				*head = *l;
				head->end = want->start - 1;
				head->next = kept;
				kept = head;
			}
			if (l->end > want->end) {
				struct lock *tail = spare[used++];
				*tail = *l;
				tail->start = want->end + 1;
				tail->next = kept;
				kept = tail;
			}
		}
		*lp = l->next;
		if (c) {
			l->next = c->removed;
			c->removed = l;
		} else {
			free(l);
		}
	}
	if (want->type != F_UNLCK) {
		struct lock *l = spare[used++];
		*l = range;
		l->next = kept;
		kept = l;
	}
	while (kept) {
		struct lock *l = kept;
		kept = l->next;
		l->next = *list;
		*list = l;
		if (c)
			c->added[c->nadded++] = l;
	}
	while (used < 3)
		free(spare[used++]);
	return 0;
}

void lock_undo(struct lock **list, struct lock_change *c)
{
	for (unsigned i = 0; i < c->nadded; i++) {
		struct lock **lp = list;
		while (*lp && *lp != c->added[i])
			lp = &(*lp)->next;
		if (*lp) {
			*lp = c->added[i]->next;
			free(c->added[i]);
		}
	}
	/* The list is unsorted: what was taken out goes back at its head. */
	while (c->removed) {
		struct lock *l = c->removed;
		c->removed = l->next;
		l->next = *list;
		*list = l;
	}
	c->nadded = 0;
}

void lock_change_finish(struct lock_change *c)
{
	while (c->removed) {
		struct lock *l = c->removed;
		c->removed = l->next;
		free(l);
	}
	c->nadded = 0;
}

void lock_release(struct lock **list, enum lock_kind kind, uint64_t owner)
{
	for (struct lock **lp = list; *lp;) {
		struct lock *l = *lp;
		if (l->kind == kind && l->owner == owner) {
			*lp = l->next;
			free(l);
		} else {
			lp = &l->next;
		}
	}
}

void lock_free_all(struct lock **list)
{
	while (*list) {
		struct lock *l = *list;
		*list = l->next;
		free(l);
	}
}
