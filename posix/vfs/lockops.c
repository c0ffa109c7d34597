/*
 * VFS_LOCK: fcntl's record locks (F_GETLK, F_SETLK, F_SETLKW), the OFD locks
 * and flock, on the list of an open file (file_locks: its node's, or a pipe's,
 * a socket's, a pseudo-terminal's; lock.c keeps them). A lock that
 * must wait is a saved request performed again after every later one, as a
 * blocked read is (wait.c), so a release (an unlock, a close, a process's
 * end) lets it through with no polling. Before a record lock waits, the
 * waiting processes are followed from the locks in its way: if one of them
 * waits for the asking process, it would wait for ever (-EDEADLK). A wait
 * granted on a retry keeps what it changed until the next lock request, so
 * that an answer finding its caller gone (a signal interrupted the wait
 * after the retry looked) takes the lock back: lock_wait_undo.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>
#include <veridian/vr.h>

#include "file.h"
#include "lock.h"
#include "server.h"
#include "session.h"

#define DEADLOCK_DEPTH 8	/* waiting processes followed in a chain */

/* The lock request @r asks for: *want, its command, its file; 0 or -errno. */
static long decode(const struct request *r, struct session **sp, struct file **fp, struct lock *want,
		   unsigned *cmd)
{
	struct session *s = r->badge > VFS_BADGE_ADMIN ? session_find(r->badge) : NULL;
	struct file *f = s ? session_file(s, r->w[1]) : NULL;
	unsigned kind = (r->w[2] >> 8) & 0xff, type = r->w[3] & 0xffff, whence = (r->w[3] >> 16) & 0xffff;
	int64_t start = (int64_t)r->w[4], len = (int64_t)r->w[5], base = 0;

	if ((r->tag & 15) < 5)
		return -EINVAL;
	if (!f)
		return -EBADF;
	*cmd = r->w[2] & 0xff;
	if (*cmd > VFS_LOCK_WAIT || kind > VFS_LOCK_FLOCK || (r->w[2] >> 16) ||
	    (type != F_RDLCK && type != F_WRLCK && type != F_UNLCK))
		return -EINVAL;
	/* Remote files: their locks would be their owner's (not forwarded). */
	if (!file_locks(f))
		return -EINVAL;
	if (kind == VFS_LOCK_FLOCK) {
		start = 0, len = 0;
	} else if (whence == SEEK_CUR) {
		base = (int64_t)f->pos;
	} else if (whence == SEEK_END) {
		base = f->kind == FILE_NODE ? (int64_t)f->node->size : 0;	/* a pipe's size is 0 */
	} else if (whence != SEEK_SET) {
		return -EINVAL;
	}
	if (__builtin_add_overflow(base, start, &start))
		return -EOVERFLOW;
	if (len < 0) {
		/* [start + len, start - 1], as Linux. */
		if (__builtin_add_overflow(start, len, &start))
			return -EINVAL;
		want->end = (uint64_t)(start - len - 1);
	} else if (len > 0) {
		int64_t end;
		if (__builtin_add_overflow(start, len - 1, &end))
			return -EOVERFLOW;
		want->end = (uint64_t)end;
	} else {
		want->end = LOCK_EOF;
	}
	if (start < 0)
		return -EINVAL;
	want->start = (uint64_t)start;
	want->type = (uint8_t)type;
	want->next = NULL;
	if (kind == VFS_LOCK_POSIX) {
		want->kind = LK_POSIX;
		want->owner = session_lock_owner(s);
		want->pid = (int32_t)s->pid;
	} else {
		want->kind = kind == VFS_LOCK_OFD ? LK_OFD : LK_FLOCK;
		want->owner = (uint64_t)(uintptr_t)f;
		want->pid = -1;
	}
	*sp = s;
	*fp = f;
	return 0;
}

struct chain {
	uint64_t waiter, target;
	unsigned depth;
};

static bool waits_for(uint64_t waiter, uint64_t target, unsigned depth);

/* Whether saved request @r is @c->waiter's record lock held up by @c->target (maybe through others). */
static bool held_up(const struct request *r, void *arg)
{
	const struct chain *c = arg;
	struct session *s;
	struct file *f;
	struct lock want;
	unsigned cmd;

	if (VR_TAG_LABEL(r->tag) != VFS_LOCK || decode(r, &s, &f, &want, &cmd) || cmd != VFS_LOCK_WAIT ||
	    want.kind != LK_POSIX || want.owner != c->waiter)
		return false;
	for (const struct lock *l = *file_locks(f); l; l = l->next) {
		if (!lock_conflicts(l, &want) || l->kind != LK_POSIX)
			continue;
		if (l->owner == c->target || (c->depth < DEADLOCK_DEPTH && waits_for(l->owner, c->target, c->depth + 1)))
			return true;
	}
	return false;
}

/* Whether process @waiter waits for a record lock that @target holds, directly or through other waiters. */
static bool waits_for(uint64_t waiter, uint64_t target, unsigned depth)
{
	struct chain c = {waiter, target, depth};

	return waiters_find(held_up, &c);
}

/* Whether @want waiting on @list would close a cycle of processes waiting for each other. */
static bool deadlock(struct lock *const *list, const struct lock *want)
{
	if (want->kind != LK_POSIX)
		return false;
	for (const struct lock *l = *list; l; l = l->next)
		if (lock_conflicts(l, want) && l->kind == LK_POSIX && waits_for(l->owner, want->owner, 0))
			return true;
	return false;
}

/* What the last wait granted on a retry changed, on which list (NULL: nothing to undo). */
static struct lock_change granted;
static struct lock **granted_on;

void lock_wait_undo(void)
{
	if (granted_on)
		lock_undo(granted_on, &granted);
	granted_on = NULL;
}

long op_lock(struct session *s)
{
	struct session *owner_session;
	struct file *f;
	struct lock want;
	unsigned cmd;
	long err = decode(&req, &owner_session, &f, &want, &cmd);

	(void)s;
	lock_change_finish(&granted);
	granted_on = NULL;
	if (err)
		return err;
	if (cmd == VFS_LOCK_GET) {
		const struct lock *l = want.type == F_UNLCK ? NULL : lock_conflict(file_locks(f), &want);
		out.w[2] = l ? l->type : F_UNLCK;
		out.w[3] = l ? l->start : 0;
		out.w[4] = !l || l->end == LOCK_EOF ? 0 : l->end - l->start + 1;
		out.w[5] = l ? (uint64_t)(int64_t)l->pid : 0;
		out.words = 5;
		return 0;
	}
	/* A record lock needs the file open for reading (F_RDLCK) or writing (F_WRLCK); flock does not. */
	if (want.kind != LK_FLOCK && ((want.type == F_RDLCK && (f->flags & O_ACCMODE) == O_WRONLY) ||
				      (want.type == F_WRLCK && (f->flags & O_ACCMODE) == O_RDONLY)))
		return -EBADF;
	if (lock_conflict(file_locks(f), &want)) {
		if (cmd != VFS_LOCK_WAIT)
			return -EAGAIN;
		/* Only the request that would close the cycle is refused, when it comes (as Linux). */
		if (!retrying && deadlock(file_locks(f), &want))
			return -EDEADLK;
		return block(false, 0);
	}
	if (retrying && cmd == VFS_LOCK_WAIT) {
		/* Its caller may have left since the retry looked: kept for lock_wait_undo. */
		if ((err = lock_set_change(file_locks(f), &want, &granted)) == 0)
			granted_on = file_locks(f);
		return err;
	}
	return lock_set(file_locks(f), &want);
}
