/* Sessions and their id tables: see session.h. */
#include <errno.h>
#include <stdlib.h>

#include "../proto/vfs.h"
#include "lock.h"
#include "session.h"

static struct session *sessions;
static uint64_t next_number = VFS_BADGE_FIRST;

static struct session *last_found;	/* tried first: a request's session is asked for more than once */

struct session *session_find(uint64_t number)
{
	if (last_found && last_found->number == number)
		return last_found;
	for (struct session *s = sessions; s; s = s->next)
		if (s->number == number)
			return last_found = s;
	return NULL;
}

struct session *session_create(const struct cred *cred, struct node *cwd)
{
	struct session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->number = next_number++;
	s->cred = *cred;
	s->cwd = cwd;
	node_get(cwd);
	s->next = sessions;
	sessions = s;
	return s;
}

void session_chdir(struct session *s, struct node *cwd, struct file *rcwd)
{
	node_get(cwd);
	if (rcwd)
		file_get(rcwd);
	node_put(s->cwd);
	file_put(s->rcwd);
	s->cwd = cwd;
	s->rcwd = rcwd;
}

bool session_of_pid(uint64_t pid, const struct session *except)
{
	for (struct session *s = sessions; s; s = s->next)
		if (s != except && pid && s->pid == pid)
			return true;
	return false;
}

bool session_group_exists(int32_t sid, int32_t pgid)
{
	for (struct session *s = sessions; s; s = s->next)
		if (pgid > 0 && (!sid || s->sid == sid) && s->pgid == pgid)
			return true;
	return false;
}

struct session *session_fork(const struct session *parent)
{
	struct session *s = session_create(&parent->cred, parent->cwd);

	if (!s)
		return NULL;
	if (parent->nids && !(s->ids = calloc(parent->nids, sizeof(*s->ids)))) {
		session_destroy(s);
		return NULL;
	}
	session_chdir(s, parent->cwd, parent->rcwd);
	s->nids = parent->nids;
	s->sid = parent->sid;
	s->pgid = parent->pgid;
	for (uint32_t i = 0; i < s->nids; i++)
		if ((s->ids[i] = parent->ids[i]))
			file_get(s->ids[i]);
	return s;
}

void session_destroy(struct session *s)
{
	struct session **p = &sessions;

	if (!s)
		return;
	while (*p && *p != s)
		p = &(*p)->next;
	if (*p)
		*p = s->next;
	if (last_found == s)
		last_found = NULL;
	/* The process's record locks go with its end, but not with an exec's old session. */
	bool release = !s->pid || !session_of_pid(s->pid, s);
	for (uint32_t i = 0; i < s->nids; i++) {
		struct lock **locks = s->ids[i] ? file_locks(s->ids[i]) : NULL;
		if (release && locks && *locks)
			lock_release(locks, LK_POSIX, session_lock_owner(s));
		file_put(s->ids[i]);
	}
	free(s->ids);
	node_put(s->cwd);
	file_put(s->rcwd);
	free(s);
}

int64_t session_add(struct session *s, struct file *f)
{
	uint32_t i = 0;

	while (i < s->nids && s->ids[i])
		i++;
	if (i == s->nids) {
		if (s->nids == SESSION_IDS_MAX)
			return -EMFILE;
		uint32_t n = s->nids ? s->nids * 2 : 16;
		if (n > SESSION_IDS_MAX)
			n = SESSION_IDS_MAX;
		struct file **ids = realloc(s->ids, n * sizeof(*ids));
		if (!ids)
			return -ENOMEM;
		for (uint32_t j = s->nids; j < n; j++)
			ids[j] = NULL;
		s->ids = ids;
		s->nids = n;
	}
	s->ids[i] = f;
	return i;
}

struct file *session_file(struct session *s, uint64_t id)
{
	return id < s->nids ? s->ids[id] : NULL;
}

int session_close(struct session *s, uint64_t id)
{
	struct file *f = session_file(s, id);

	if (!f)
		return -EBADF;
	s->ids[id] = NULL;
	/* POSIX: any close of the file by the process releases the process's record locks on it. */
	struct lock **locks = file_locks(f);
	if (locks && *locks)
		lock_release(locks, LK_POSIX, session_lock_owner(s));
	file_put(f);
	return 0;
}

uint64_t session_lock_owner(const struct session *s)
{
	/* Pids and session numbers apart: a session without a pid owns its locks itself. */
	return s->pid ? s->pid : s->number | (uint64_t)1 << 62;
}
