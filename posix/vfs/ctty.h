/*
 * Controlling terminals. A terminal (the console or a pty slave) controls at
 * most one POSIX session (tty->sid, the session's id as the proc server told
 * it: VFS_SESSION_SID), and a session has at most one. A session leader gets
 * one by opening a terminal that controls no session without O_NOCTTY while
 * its session has none, or with TIOCSCTTY; TIOCNOTTY by the leader, or the
 * leader's end (not an exec), gives it up. /dev/tty opens the caller's.
 */
#pragma once

#include <stdbool.h>

#include "file.h"
#include "session.h"
#include "tty.h"

/* The terminal of open file @f (the console, a pty slave), or NULL. */
struct tty *file_tty(const struct file *f);
/* The terminal controlling POSIX session @sid and, in *node, the device node that opens it; NULL if none. */
struct tty *ctty_of(int32_t sid, struct node **node);
/* Whether @s is its session's leader (as far as the vfs was told). */
bool ctty_leader(const struct session *s);
/* open(2) without O_NOCTTY of @f by @s: makes it the controlling terminal if the rules allow. */
void ctty_opened(struct session *s, struct file *f);
/* @s ends: if it was a leader (and no exec replaces it), its session's terminal is free again. */
void ctty_session_end(const struct session *s);
enum ctty_access {
	CTTY_READ,
	CTTY_WRITE,
	CTTY_SETPGRP,	/* tcsetpgrp */
};

/*
 * Job control: whether @s may @access its open terminal @f now: 0 (not its
 * controlling terminal, its group is the foreground one, or the access
 * goes anyway), -EIO (a background read with SIGTTIN blocked or ignored:
 * @flags has VFS_IO_TTIN_OFF), or -VFS_EBACKGROUND (the caller signals its
 * group and tries again; a write only with TOSTOP). VFS_IO_TTOU_OFF in
 * @flags lets a write or tcsetpgrp go.
 */
int ctty_job_check(const struct session *s, struct file *f, enum ctty_access access, uint64_t flags);

/* TIOCSPGRP's checks: -ENOTTY unless @f is @s's controlling terminal, -EINVAL, -ESRCH, -EPERM for @pgrp. */
int ctty_setpgrp_check(const struct session *s, struct file *f, int32_t pgrp);

/* TIOCSCTTY/TIOCNOTTY/TIOCGSID's checks beyond the line discipline's: 0 to go on, 1 done (0 answered), or -errno. */
int ctty_ioctl_check(const struct session *s, struct file *f, uint32_t request, uint64_t arg);
