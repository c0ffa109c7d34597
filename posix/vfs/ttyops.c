/*
 * The vfs server's terminal requests: VFS_IOCTL, and a pty slave's read,
 * whose non-canonical timing (VMIN, VTIME) needs the server's clock and
 * blocking. VMIN > 0 with VTIME > 0 approximates Linux's inter-byte timer:
 * bytes already there (fewer than VMIN) are returned VTIME after the read
 * began; bytes that arrive while it waits with none are returned at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <termios.h>

#include <sys/ioctl.h>

#include "ctty.h"
#include "dev.h"
#include "file.h"
#include "pty.h"
#include "server.h"
#include "session.h"

long op_ioctl(struct session *s)
{
	struct file *f = session_file(s, req.w[1]);
	size_t len = 0;

	if (!f)
		return -EBADF;
	/* The caller as terminals know sessions: its POSIX session's id, else its pid, else its number. */
	int32_t caller = (int32_t)(s->sid ? (uint64_t)s->sid : s->pid ? s->pid : s->number);
	uint32_t request = (uint32_t)req.w[2];
	if (request == TIOCSCTTY || request == TIOCNOTTY || request == TIOCGSID) {
		int c = ctty_ioctl_check(s, f, request, req.w[3]);
		if (c)
			return c < 0 ? c : 0;
	}
	if (request == TIOCSPGRP) {
		int32_t pgrp = -1;
		if (req.len == sizeof(pgrp))
			memcpy(&pgrp, req.data, sizeof(pgrp));
		/* As Linux: the background's SIGTTOU first, then the group's checks. */
		int c = ctty_job_check(s, f, CTTY_SETPGRP, req.w[3]);
		if (!c)
			c = ctty_setpgrp_check(s, f, pgrp);
		if (c)
			return c;
	}
	long r = file_ioctl(f, request, req.w[3], req.data, req.len, out.data, &len, caller);
	if (r >= 0)
		out.len = len;
	return r;
}

long op_tty_read(struct file *f, size_t len, bool nowait)
{
	struct pty *p = f->kind == FILE_PTY_SLAVE ? f->pty : NULL;
	struct tty *tty = p ? &p->tty : dev_console_tty();
	const struct vfs_termios *t = &tty->t;
	bool nonblocking = nowait || (f->flags & O_NONBLOCK);

	if ((f->flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	if (!len)
		return 0;
	if (t->lflag & ICANON) {
		long r = p ? pty_read(p, PTY_SLAVE, out.data, len, 1) : tty_read(tty, out.data, len, 1);
		if (r > 0)
			out.len = (size_t)r;
		return r == -EAGAIN ? block(nonblocking, 0) : r;
	}
	size_t vmin = t->cc[VMIN], have = tty_readable(tty);
	int64_t vtime = (int64_t)t->cc[VTIME] * 100000000, now = now_ns();
	bool expired = retrying && retry_deadline && now >= retry_deadline;
	size_t want = vmin < len ? vmin : len;
	if (vtime && (expired || (retrying && !retry_deadline && have)))
		want = 0; /* the timer ran out (or see above): whatever is there */
	else if (vtime && !vmin)
		want = 1;
	long r = p ? pty_read(p, PTY_SLAVE, out.data, len, want) : tty_read(tty, out.data, len, want);
	if (r > 0)
		out.len = (size_t)r;
	if (r != -EAGAIN)
		return r;
	int64_t deadline = vtime && (!vmin || have) ? now + vtime : 0;
	return block(nonblocking, deadline);
}
