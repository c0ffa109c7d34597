/* Controlling terminals: see ctty.h. */
#include <errno.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>

#include "ctty.h"
#include "dev.h"
#include "pty.h"

struct tty *file_tty(const struct file *f)
{
	if (f->kind == FILE_PTY_SLAVE)
		return &f->pty->tty;
	return file_is_console(f) ? dev_console_tty() : NULL;
}

struct tty *ctty_of(int32_t sid, struct node **node)
{
	static const struct cred root = {0, 0};

	if (sid <= 0)
		return NULL;
	struct tty *con = dev_console_tty();
	if (con->sid == sid)
		return fs_walk(&root, fs_root, "/dev/console", WALK_FOLLOW, node) ? NULL : con;
	for (unsigned i = 0; i < PTY_MAX; i++) {
		struct pty *p = pty_at(i);
		if (p && p->tty.sid == sid && p->node) {
			*node = p->node;
			return &p->tty;
		}
	}
	return NULL;
}

bool ctty_leader(const struct session *s)
{
	return s->sid > 0 && (uint64_t)s->sid == s->pid;
}

void ctty_opened(struct session *s, struct file *f)
{
	struct tty *t = file_tty(f);
	struct node *n;

	if (t && !t->sid && ctty_leader(s) && !ctty_of(s->sid, &n))
		t->sid = t->pgrp = s->sid;
}

void ctty_session_end(const struct session *s)
{
	struct node *n;
	struct tty *t;

	if (ctty_leader(s) && !session_of_pid(s->pid, s) && (t = ctty_of(s->sid, &n)))
		t->sid = t->pgrp = 0;
}

int ctty_job_check(const struct session *s, struct file *f, enum ctty_access access, uint64_t flags)
{
	struct tty *t = file_tty(f);

	if (!t || !s->sid || !s->pgid || t->sid != s->sid || !t->pgrp || t->pgrp == s->pgid)
		return 0;
	switch (access) {
	case CTTY_READ: return flags & VFS_IO_TTIN_OFF ? -EIO : -VFS_EBACKGROUND;
	case CTTY_WRITE:
		if (!(t->t.lflag & TOSTOP))
			return 0;
		/* fall through */
	case CTTY_SETPGRP: return flags & VFS_IO_TTOU_OFF ? 0 : -VFS_EBACKGROUND;
	}
	return 0;
}

int ctty_setpgrp_check(const struct session *s, struct file *f, int32_t pgrp)
{
	struct tty *t = file_tty(f);

	if (!t || !s->sid)
		return 0;	/* not told the session: the line discipline's rules alone */
	if (t->sid != s->sid)
		return -ENOTTY;
	if (pgrp < 0)
		return -EINVAL;
	if (!s->pgid)
		return 0;	/* not told the groups */
	if (!session_group_exists(s->sid, pgrp))
		return session_group_exists(0, pgrp) ? -EPERM : -ESRCH;
	return 0;
}

int ctty_ioctl_check(const struct session *s, struct file *f, uint32_t request, uint64_t arg)
{
	struct tty *t = file_tty(f), *mine;
	struct node *n;

	if (!t || !s->sid)
		return 0;	/* not told the session: the line discipline's rules alone */
	mine = ctty_of(s->sid, &n);
	if (request == TIOCSCTTY) {
		if (mine == t)
			return 1;	/* already ours */
		if (!ctty_leader(s) || mine)
			return -EPERM;
		if (t->sid && (arg != 1 || s->cred.uid != 0))
			return -EPERM;	/* another session's: only root takes it, and only when it asks (1) */
	} else if (request == TIOCGSID) {
		if (mine != t)
			return -ENOTTY;	/* as Linux: only of one's own controlling terminal */
	} else if (request == TIOCNOTTY) {
		if (mine != t)
			return -ENOTTY;
		if (!ctty_leader(s))
			return 1;	/* a member only leaves it (not recorded: one terminal per session) */
	}
	return 0;
}
