/*
 * The vfs server's advisory locks (posix/vfs/lock.c) on the host: splitting,
 * merging, conflicts between kinds and owners, release, and random requests
 * checked byte by byte against a plain model (a type per owner per byte),
 * with the list's invariant (an owner's locks neither overlap nor touch
 * when of the same type), under ASan.
 */
// UNIT_SRCS: posix/vfs/lock.c
#define UNIT_MAIN
#include "unit.h"

#include <fcntl.h>
#include <stdint.h>

#include "../../../posix/vfs/fs.h"
#include "../../../posix/vfs/lock.h"

static struct lock mk(enum lock_kind kind, uint64_t owner, int type, uint64_t start, uint64_t end)
{
	return (struct lock){.kind = (uint8_t)kind, .owner = owner, .pid = (int32_t)owner,
			     .type = (uint8_t)type, .start = start, .end = end};
}

static unsigned count(const struct node *n)
{
	unsigned c = 0;

	for (const struct lock *l = n->locks; l; l = l->next)
		c++;
	return c;
}

/* The lock of @owner (LK_POSIX) covering @at, or NULL. */
static const struct lock *at(const struct node *n, uint64_t owner, uint64_t pos)
{
	for (const struct lock *l = n->locks; l; l = l->next)
		if (l->kind == LK_POSIX && l->owner == owner && l->start <= pos && pos <= l->end)
			return l;
	return NULL;
}

TEST(split_and_merge)
{
	struct node n = {0};
	struct lock w;

	w = mk(LK_POSIX, 1, F_WRLCK, 0, 99);
	CHECK(lock_set(&n.locks, &w) == 0);
	w = mk(LK_POSIX, 1, F_RDLCK, 40, 59);
	CHECK(lock_set(&n.locks, &w) == 0);
	CHECK(count(&n) == 3);
	CHECK(at(&n, 1, 39)->type == F_WRLCK && at(&n, 1, 39)->start == 0 && at(&n, 1, 39)->end == 39);
	CHECK(at(&n, 1, 40)->type == F_RDLCK && at(&n, 1, 40)->end == 59);
	CHECK(at(&n, 1, 60)->type == F_WRLCK && at(&n, 1, 60)->end == 99);
	/* Writing the middle again merges all three. */
	w = mk(LK_POSIX, 1, F_WRLCK, 40, 59);
	CHECK(lock_set(&n.locks, &w) == 0);
	CHECK(count(&n) == 1 && n.locks->start == 0 && n.locks->end == 99);
	/* Touching ranges merge; an unlock to the end leaves the head. */
	w = mk(LK_POSIX, 1, F_WRLCK, 100, LOCK_EOF);
	CHECK(lock_set(&n.locks, &w) == 0);
	CHECK(count(&n) == 1 && n.locks->end == LOCK_EOF);
	w = mk(LK_POSIX, 1, F_UNLCK, 10, LOCK_EOF);
	CHECK(lock_set(&n.locks, &w) == 0);
	CHECK(count(&n) == 1 && n.locks->start == 0 && n.locks->end == 9);
	lock_free_all(&n.locks);
	CHECK(n.locks == NULL);
}

TEST(conflicts_by_kind)
{
	struct node n = {0};
	struct lock w = mk(LK_POSIX, 1, F_RDLCK, 0, 9);

	CHECK(lock_set(&n.locks, &w) == 0);
	struct lock r2 = mk(LK_POSIX, 2, F_RDLCK, 5, 5), w2 = mk(LK_POSIX, 2, F_WRLCK, 5, 5);
	struct lock ofd = mk(LK_OFD, 0x1000, F_WRLCK, 0, 0), fl = mk(LK_FLOCK, 0x1000, F_WRLCK, 0, LOCK_EOF);
	struct lock own = mk(LK_POSIX, 1, F_WRLCK, 0, 9), past = mk(LK_POSIX, 2, F_WRLCK, 10, 20);
	CHECK(lock_conflict(&n.locks, &r2) == NULL);
	CHECK(lock_conflict(&n.locks, &w2) == n.locks);
	CHECK(lock_conflict(&n.locks, &ofd) == n.locks);	/* record and OFD locks meet */
	CHECK(lock_conflict(&n.locks, &fl) == NULL);	/* flock's are apart */
	CHECK(lock_conflict(&n.locks, &own) == NULL);	/* never in one's own way */
	CHECK(lock_conflict(&n.locks, &past) == NULL);
	CHECK(lock_set(&n.locks, &fl) == 0);
	struct lock fl2 = mk(LK_FLOCK, 0x2000, F_RDLCK, 0, LOCK_EOF);
	CHECK(lock_conflict(&n.locks, &fl2) != NULL);
	lock_release(&n.locks, LK_FLOCK, 0x1000);
	CHECK(lock_conflict(&n.locks, &fl2) == NULL && count(&n) == 1);
	lock_release(&n.locks, LK_POSIX, 1);
	CHECK(n.locks == NULL);
}

/* Random requests of three owners against a model: one type per owner per byte. */
#define SPAN 64
TEST(random_against_model)
{
	struct node n = {0};
	uint8_t model[3][SPAN + 1] = {{0}};	/* [SPAN]: everything past SPAN - 1 */
	uint64_t seed = 12345;

	for (int step = 0; step < 20000; step++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		unsigned owner = (unsigned)(seed >> 60) % 3, type = (unsigned)(seed >> 40) % 3;
		uint64_t s = (seed >> 20) % SPAN, e = s + (seed >> 8) % 12;
		bool to_eof = (seed >> 33) % 16 == 0;
		if (e >= SPAN)
			e = SPAN - 1;
		static const int types[3] = {F_RDLCK, F_WRLCK, F_UNLCK};
		struct lock w = mk(LK_POSIX, owner + 1, types[type], s, to_eof ? LOCK_EOF : e);
		bool conflict = false;
		for (unsigned o = 0; o < 3; o++)
			for (uint64_t b = s; b <= (to_eof ? SPAN : e) && o != owner; b++)
				if (model[o][b] && (model[o][b] == F_WRLCK + 1 || types[type] == F_WRLCK))
					conflict = types[type] != F_UNLCK;
		CHECK((lock_conflict(&n.locks, &w) != NULL) == conflict);
		if (conflict)
			continue;
		CHECK(lock_set(&n.locks, &w) == 0);
		for (uint64_t b = s; b <= (to_eof ? SPAN : e); b++)
			model[owner][b] = types[type] == F_UNLCK ? 0 : (uint8_t)(types[type] + 1);
		/* Every byte as the model says, and no two locks of an owner overlap or touch alike. */
		for (unsigned o = 0; o < 3; o++)
			for (uint64_t b = 0; b <= SPAN; b++) {
				const struct lock *l = at(&n, o + 1, b == SPAN ? UINT64_MAX - 1 : b);
				if ((l ? l->type + 1 : 0) != model[o][b]) {
					CHECK(!"a byte differs from the model");
					goto out;
				}
			}
		for (const struct lock *a = n.locks; a; a = a->next)
			for (const struct lock *b = a->next; b; b = b->next)
				if (a->owner == b->owner &&
				    (a->start <= b->end && b->start <= a->end)) {
					CHECK(!"two locks of one owner overlap");
					goto out;
				}
	}
out:
	lock_free_all(&n.locks);
}

/* The byte types of owners 1..3 over [0, SPAN] (SPAN: past the end), as in the model above. */
static void snapshot(const struct node *n, uint8_t out[3][SPAN + 1])
{
	for (unsigned o = 0; o < 3; o++)
		for (uint64_t b = 0; b <= SPAN; b++) {
			const struct lock *l = at(n, o + 1, b == SPAN ? UINT64_MAX - 1 : b);
			out[o][b] = l ? (uint8_t)(l->type + 1) : 0;
		}
}

/*
 * A granted wait whose caller left (a signal came between the grant and the
 * answer) is taken back: lock_undo leaves every byte of every owner as it
 * was, whatever the change split or merged, and frees what it put in.
 */
TEST(undo_restores_the_list)
{
	struct node n = {0};
	uint64_t seed = 777;

	for (int step = 0; step < 20000; step++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		unsigned owner = (unsigned)(seed >> 60) % 3, type = (unsigned)(seed >> 40) % 3;
		uint64_t s = (seed >> 20) % SPAN, e = s + (seed >> 8) % 12;
		static const int types[3] = {F_RDLCK, F_WRLCK, F_UNLCK};
		struct lock w = mk(LK_POSIX, owner + 1, types[type], s, e >= SPAN ? LOCK_EOF : e);
		if (lock_conflict(&n.locks, &w))
			continue;
		uint8_t before[3][SPAN + 1], after[3][SPAN + 1];
		unsigned had = count(&n);
		snapshot(&n, before);
		struct lock_change c = {0};
		CHECK(lock_set_change(&n.locks, &w, &c) == 0);
		if (step % 2) {
			lock_undo(&n.locks, &c);
			CHECK(c.removed == NULL && c.nadded == 0);
			snapshot(&n, after);
			CHECK(memcmp(before, after, sizeof(before)) == 0 && count(&n) == had);
		} else {
			lock_change_finish(&c);
		}
	}
	lock_free_all(&n.locks);
}
