/*
 * Advisory locks on files, kept in a list per file (a node's, a pipe's, a
 * socket's, a pseudo-terminal's; file_locks): fcntl's record locks (owned by a
 * process, LK_POSIX), open-file-description locks (F_OFD_*, LK_OFD) and
 * flock's (LK_FLOCK). Record and OFD locks are byte ranges and conflict with
 * each other; flock's are whole-file and conflict only among themselves, as
 * on Linux. Pure logic: the host unit tests build it.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

enum lock_kind { LK_POSIX, LK_OFD, LK_FLOCK };

#define LOCK_EOF UINT64_MAX	/* an end meaning "to the end of the file, whatever it becomes" */

struct lock {
	struct lock *next;
	uint64_t start, end;	/* inclusive */
	uint64_t owner;		/* LK_POSIX: the process (lock_owner); else the open file's address */
	int32_t pid;		/* what F_GETLK tells (-1 for OFD locks, as Linux) */
	uint8_t kind;		/* enum lock_kind */
	uint8_t type;		/* F_RDLCK or F_WRLCK (F_UNLCK only in a request) */
};

/* A lock of another owner on @list that keeps @want from being taken, or NULL. */
const struct lock *lock_conflict(struct lock *const *list, const struct lock *want);

/*
 * Sets @want on @list for its owner (F_UNLCK: removes that range): the owner's
 * locks in the range are replaced, split where they reach past it, and
 * merged with touching ones of the same type. Conflicts were checked before.
 * 0, or -ENOLCK without memory (then nothing changed).
 */
int lock_set(struct lock **list, const struct lock *want);

/*
 * What one lock_set_change did to a list: the locks it took out (kept, not
 * freed) and those it put in, so that lock_undo can take it back as long
 * as nothing else changed the list since. lock_change_finish frees what it
 * took out; a zeroed one is empty.
 */
struct lock_change {
	struct lock *removed;
	struct lock *added[3];
	unsigned nadded;
};

/* lock_set that records its change in *@c (finished or zeroed before). */
int lock_set_change(struct lock **list, const struct lock *want, struct lock_change *c);

/* Takes @c's change back on @list and empties @c. */
void lock_undo(struct lock **list, struct lock_change *c);

/* Forgets @c (its change stays) and empties it. */
void lock_change_finish(struct lock_change *c);

/* Removes every lock of @kind and @owner on @list (the process closed the file, or the file went). */
void lock_release(struct lock **list, enum lock_kind kind, uint64_t owner);

/* Frees every lock of @list (its file is freed). */
void lock_free_all(struct lock **list);

/* Whether @held (another owner's) keeps @want from being taken. */
bool lock_conflicts(const struct lock *held, const struct lock *want);
