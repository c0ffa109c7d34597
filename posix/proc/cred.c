/*
 * Users and groups (PROC_CRED): each process's real, effective and saved
 * user and group ids, inherited by the children it forks and spawns and
 * kept across execve (set-user-id programs are not honoured: an exec never
 * changes them). Its vfs session checks permissions with the effective
 * ids, told at every change (VFS_SESSION_CRED).
 *
 * The rules are Linux's with capabilities reduced to "effective uid 0":
 * that may set any id; any other process may set each id only to one of
 * its own real, effective and saved ones (setuid and setgid only the
 * effective id, to the real or saved one). A kill needs the sender's real
 * or effective uid to be the target's real or saved uid, unless the sender
 * is uid 0 or it is a SIGCONT within the sender's session.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "proc.h"

#define UNCHANGED 0xffffffffu

static bool own(const uint32_t ids[3], uint32_t id)
{
	return id == ids[CRED_REAL] || id == ids[CRED_EFF] || id == ids[CRED_SAVED];
}

/*
 * The ids that change @kind (PROC_CRED_UID... or the GID ones, whose
 * arguments are @a, @b, @c) asks of @ids: @want (UNCHANGED: kept), or -errno.
 */
static int wanted(const uint32_t ids[3], bool root, int kind, uint32_t a, uint32_t b, uint32_t c,
		  uint32_t want[3])
{
	want[0] = want[1] = want[2] = UNCHANGED;
	switch (kind) {
	case PROC_CRED_UID:
	case PROC_CRED_GID:
		if (a == UNCHANGED)
			return -EINVAL;
		if (root)
			want[CRED_REAL] = want[CRED_EFF] = want[CRED_SAVED] = a;
		else if (a == ids[CRED_REAL] || a == ids[CRED_SAVED])
			want[CRED_EFF] = a;
		else
			return -EPERM;
		return 0;
	case PROC_CRED_REUID:
	case PROC_CRED_REGID:
		/* The real id may become the effective one, the effective any of the three. */
		if (!root && ((a != UNCHANGED && a != ids[CRED_REAL] && a != ids[CRED_EFF]) ||
			      (b != UNCHANGED && !own(ids, b))))
			return -EPERM;
		want[CRED_REAL] = a;
		want[CRED_EFF] = b;
		/* The saved id follows the effective one when the real id is set or the effective
		 * one becomes other than the old real one. */
		if (a != UNCHANGED || (b != UNCHANGED && b != ids[CRED_REAL]))
			want[CRED_SAVED] = b != UNCHANGED ? b : ids[CRED_EFF];
		return 0;
	case PROC_CRED_RESUID:
	case PROC_CRED_RESGID: {
		const uint32_t res[3] = {a, b, c};
		for (int i = 0; i < 3; i++) {
			if (res[i] != UNCHANGED && !root && !own(ids, res[i]))
				return -EPERM;
			want[i] = res[i];
		}
		return 0;
	}
	default: return -EINVAL;
	}
}

int64_t op_cred(struct proc *caller, uint64_t m[8])
{
	int kind = (int)m[1];

	if (kind != PROC_CRED_GET) {
		bool groups = kind >= PROC_CRED_GID;
		uint32_t *ids = groups ? caller->gid : caller->uid, want[3], old[3];
		int err = wanted(ids, caller->uid[CRED_EFF] == 0, kind, (uint32_t)m[2], (uint32_t)m[3],
				 (uint32_t)m[4], want);
		if (err)
			return err;
		memcpy(old, ids, sizeof(old));
		for (int i = 0; i < 3; i++)
			if (want[i] != UNCHANGED)
				ids[i] = want[i];
		if (ids[CRED_EFF] != old[CRED_EFF]) {
			int64_t told = vfs_session_cred(caller->session, caller->uid[CRED_EFF],
							 caller->gid[CRED_EFF]);
			if (told < 0) {
				memcpy(ids, old, sizeof(old));
				return told;
			}
		}
	}
	for (int i = 0; i < 3; i++) {
		m[2 + i] = caller->uid[i];
		m[5 + i] = caller->gid[i];
	}
	return 0;
}

bool proc_may_signal(const struct proc *caller, const struct proc *p, int sig)
{
	if (caller->uid[CRED_EFF] == 0 || (sig == SIGCONT && caller->sid == p->sid))
		return true;
	uint32_t real = p->uid[CRED_REAL], saved = p->uid[CRED_SAVED];
	for (int i = CRED_REAL; i <= CRED_EFF; i++)
		if (caller->uid[i] == real || caller->uid[i] == saved)
			return true;
	return false;
}
