/*
 * The vfs server (/sbin/vfs): one thread receiving on its endpoint and
 * answering each request of proto/vfs.h by its label. It serves the initrd
 * read-only at "/", a tmpfs at "/tmp" and devfs at "/dev" (fs.h), pipes,
 * AF_UNIX sockets and eventfds (sockops.c). A request that cannot finish
 * yet waits (wait.c) and is performed again after every later request; a
 * second thread (timer.c) ends polls whose time is up.
 *
 * It starts with two auxiliary-vector entries from whoever spawned it (the
 * root task's posix_boot): VR_AT_VFS_SERVE, the unbadged endpoint (RECV and
 * DUPLICATE, so it can mint session capabilities), and VR_AT_INITRD, a VMO
 * with the cpio archive, which it maps read-only and serves in place. It makes
 * no file calls itself: its stdout and stderr are the kernel's debug console.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <veridian/auxv.h>
#include <veridian/vr.h>

#include "../ipc.h"
#include "../proto/vfs.h"
#include "append.h"
#include "buf.h"
#include "ctty.h"
#include "dev.h"
#include "file.h"
#include "fs.h"
#include "initrd.h"
#include "server.h"
#include "session.h"
#include "tty.h"
#include "sysfs.h"

#define TMPFS_LIMIT (32u << 20) /* bytes of file data in /tmp (ENOSPC beyond) */

static handle_t endpoint;
static char *ipc_buf;
struct request req;
struct reply out;
bool retrying;
int64_t retry_deadline;
uint64_t request_number;
#define RAMFS_MAGIC 0x858458f6
#define TMPFS_MAGIC 0x01021994
static struct fs initrd_fs = {.dev = 1, .magic = RAMFS_MAGIC, .readonly = true},
		 tmp_fs = {.dev = 2, .magic = TMPFS_MAGIC, .limit = TMPFS_LIMIT},
		 dev_fs = {.dev = 3, .magic = TMPFS_MAGIC, .fixed = true};

static int64_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

int64_t now_ns(void)
{
	uint64_t ns = 0;

	vr_clock_get(&ns);
	return (int64_t)ns;
}

long block(bool nonblocking, int64_t deadline)
{
	if (nonblocking)
		return -EAGAIN;
	if (retrying)
		return REPLY_SAVED;
	int err = waiter_add(&req, deadline, 0);
	return err ? err : REPLY_SAVED;
}

long block_until(unsigned event)
{
	if (retrying)
		return REPLY_SAVED;
	int err = waiter_add(&req, 0, event);
	return err ? err : REPLY_SAVED;
}

static void console(const char *s, size_t len)
{
	while (len) {
		size_t n = len < 65536 ? len : 65536;
		vr_debug_write(s, n);
		s += n;
		len -= n;
	}
}

/* The request's path: its long part must be one NUL-terminated string. */
static const char *path_arg(void)
{
	if (!req.len || req.data[req.len - 1] || strlen(req.data) != req.len - 1)
		return NULL;
	return req.data;
}

/* The file of id @id in @s, or NULL. */
static struct file *file_arg(struct session *s, uint64_t id)
{
	return session_file(s, id);
}

/*
 * The directory *@path is resolved from (*@at): the working directory or an
 * open directory. A remote one (after a chdir into a tree another server
 * serves, or an open directory there) resolves a relative path itself
 * (remote_dir_walk): -EREMOTE when its owner is to be asked (fs_remote_at,
 * fs_remote_rest, as fs_walk leaves them), or the directory above the tree
 * in *@at with what follows a ".." out of it in *@path.
 */
static int dir_arg(struct session *s, uint64_t id, const char **path, struct node **at)
{
	struct file *f = id == VFS_AT_CWD ? s->rcwd : session_file(s, id);

	if (id == VFS_AT_CWD && !f) {
		*at = s->cwd;
		return 0;
	}
	if (!f)
		return -EBADF;
	if (f->kind == FILE_REMOTE)
		return remote_dir_walk(f, path, at);
	if (f->kind != FILE_NODE || !S_ISDIR(f->node->mode))
		return -ENOTDIR;
	*at = f->node;
	return 0;
}

/* The request's path (-EINVAL without one) and the directory it is relative to (w1). */
static int path_at(struct session *s, const char **path, struct node **at)
{
	if (!(*path = path_arg()))
		return -EINVAL;
	return dir_arg(s, req.w[1], path, at);
}

int64_t session_mint(uint64_t number, uint64_t rights, uint64_t *cap)
{
	return vr_endpoint_mint(endpoint, number, rights, cap);
}

static long answer_data(const void *p, size_t len)
{
	memcpy(out.data, p, len);
	out.len = len;
	return 0;
}

/* ---- files and directories ---- */

static long op_open(struct session *s)
{
	const char *path = path_arg();
	struct node *at, *n;
	struct file *f;
	int64_t id;
	int err;

	if (retrying && req.w[6]) {
		/* A FIFO's open waiting for its partner: its end is made (and counted) already. */
		id = (int64_t)req.w[6] - 1;
		if (!(f = session_file(s, (uint64_t)id)) || !f->node)
			return -EBADF;
		if (!fifo_ready(f))
			return REPLY_SAVED;
		n = f->node;
	} else {
		if (!path)
			return -EINVAL;
		int flags = (int)req.w[2];
		if ((err = dir_arg(s, req.w[1], &path, &at)) ||
		    (err = fs_open(&s->cred, at, path, flags, (uint32_t)req.w[3], &n)))
			return err == -EREMOTE ? remote_path_op(s, VFS_OPEN) : err;
		if (S_ISCHR(n->mode) && n->dev == DEV_TTY && !ctty_of(s->sid, &n))
			return -ENXIO;	/* /dev/tty: the caller's controlling terminal, if it has one */
		int fflags = flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY | O_CLOEXEC);
		if ((flags & O_TMPFILE) == O_TMPFILE)
			fflags &= ~O_TMPFILE;
		if ((err = file_open(n, fflags, &s->cred, &f))) {
			if (!n->nlink && !n->refs) {
				node_get(n);	/* an O_TMPFILE file nobody got: freed */
				node_put(n);
			}
			return err;
		}
		if ((id = session_add(s, f)) < 0) {
			file_put(f);
			return id;
		}
		if (!(flags & O_NOCTTY))
			ctty_opened(s, f);
		if (S_ISFIFO(n->mode) && !(flags & O_NONBLOCK) && !fifo_ready(f)) {
			req.w[6] = (uint64_t)id + 1;	/* kept in the saved request */
			long r = block(false, 0);
			if (r != REPLY_SAVED)
				session_close(s, (uint64_t)id);
			return r;
		}
	}
	out.w[2] = n->mode & S_IFMT;
	out.words = 2;
	return id;
}

/*
 * The signals terminals raise (tty_kill_pgrp), waiting for the proc server's
 * VFS_TTY_SIGNAL, which it keeps asking from a thread of its own: the two
 * one-threaded servers never wait for each other. Beyond TTY_SIGNALS_MAX
 * waiting, new ones are dropped (as a key typed into a full buffer).
 */
#define TTY_SIGNALS_MAX 16
static struct {
	int32_t pgrp;
	int sig;
} tty_signals[TTY_SIGNALS_MAX];
static unsigned tty_signals_first, tty_signals_count;

static void queue_tty_signal(int32_t pgrp, int sig)
{
	tty_signals_sent++;
	if (pgrp <= 0 || tty_signals_count == TTY_SIGNALS_MAX)
		return;	/* no foreground group */
	unsigned i = (tty_signals_first + tty_signals_count++) % TTY_SIGNALS_MAX;
	tty_signals[i].pgrp = pgrp;
	tty_signals[i].sig = sig;
	waiters_wake(WAIT_TTY_SIGNAL);
}

static long op_tty_signal(void)
{
	if (!tty_signals_count)
		return block_until(WAIT_TTY_SIGNAL);
	unsigned i = tty_signals_first;
	tty_signals_first = (i + 1) % TTY_SIGNALS_MAX;
	tty_signals_count--;
	out.w[2] = (uint64_t)tty_signals[i].sig;
	out.words = 2;
	return tty_signals[i].pgrp;
}

/* Bytes typed at the console: through its line discipline (echo, editing); readers are retried after. */
static long op_console_input(void)
{
	char buf[VFS_CONSOLE_INPUT_MAX];
	size_t n = req.w[1];

	if (n > VFS_CONSOLE_INPUT_MAX || (req.tag & 15) < 1 + (n + 7) / 8)
		return -EINVAL;
	memcpy(buf, &req.w[2], n);
	long r = n ? tty_input(dev_console_tty(), buf, n) : 0;
	return r == -EAGAIN ? 0 : r;
}

static long op_close(struct session *s)
{
	return session_close(s, req.w[1]);
}

/*
 * A read or write that would block on a pipe, socket or eventfd waits unless
 * O_NONBLOCK (a socket's read at most its SO_RCVTIMEO; its writes are sock_write's).
 */
static long maybe_block(struct file *f, long r)
{
	if (r != -EAGAIN || f->kind == FILE_NODE)
		return r;
	if (f->kind == FILE_SOCKET)
		return sock_block(f->flags & O_NONBLOCK, f->sock->rcvtimeo);
	return block(f->flags & O_NONBLOCK, 0);
}

static long op_read(struct session *s, bool positioned)
{
	struct file *f = file_arg(s, req.w[1]);
	size_t len = req.w[2];

	if (!f)
		return -EBADF;
	if (len > VFS_IO_MAX)
		return -EINVAL;
	if ((f->kind == FILE_PTY_SLAVE || file_is_console(f)) && !positioned) {
		long c = ctty_job_check(s, f, CTTY_READ, req.w[3]);
		return c ? c : op_tty_read(f, len, req.w[3] & VFS_READ_NOWAIT);
	}
	long r = file_read(f, out.data, len, positioned ? &req.w[3] : NULL);
	if (r > 0 && !positioned && (req.w[3] & VFS_READ_INLINE) && r <= VFS_INLINE_MAX) {
		/* A short read in the reply's words: no long message to deliver and copy. */
		memcpy(&out.w[2], out.data, (size_t)r);
		out.words = 1 + (unsigned)(r + 7) / 8;
	} else if (r > 0) {
		out.len = (size_t)r;
	}
	if (positioned || (req.w[3] & VFS_READ_NOWAIT))
		return r;
	return maybe_block(f, r);
}

static long op_write(struct session *s, bool positioned)
{
	struct file *f = file_arg(s, req.w[1]);

	if (!f)
		return -EBADF;
	/* Terminals only: a background process group's write (TOSTOP). */
	if (!positioned && (f->kind == FILE_PTY_SLAVE || f->kind == FILE_NODE)) {
		long c = ctty_job_check(s, f, CTTY_WRITE, req.w[2]);
		if (c)
			return c;
	}
	if (f->kind == FILE_SOCKET && !positioned)
		return sock_write(s, f);
	long r = file_write(f, req.data, req.len, positioned ? &req.w[2] : NULL);
	return positioned ? r : maybe_block(f, r);
}

/* A buffer's reads and writes (buf.h): regular files only, which never wait. */
static long op_buf_new(struct session *s)
{
	uint64_t vmo;
	long n = buf_new(s, &vmo);

	if (n < 0)
		return n;
	out.w[2] = vmo;
	out.words = 2;
	out.caps = 1;
	return n;
}

static long op_buf_io(struct session *s, bool writing)
{
	struct file *f = file_arg(s, req.w[1]);
	size_t len = req.w[2];
	char *buf = buf_at(s, req.w[4], len);

	if (!f)
		return -EBADF;
	if (!buf || (req.tag & 15) < 4)
		return -EINVAL;
	if (f->kind != FILE_NODE || !S_ISREG(f->node->mode))
		return -EOPNOTSUPP;
	const uint64_t *at = req.w[3] == VFS_BUF_POS ? NULL : &req.w[3];
	uint64_t whole = (req.tag & 15) >= 5 ? req.w[5] : 0, start = f->pos;
	if (!writing)
		return file_read(f, buf, len, at);
	/* O_APPEND writes of several pieces (append.c): the whole at the end at once, then filled in. */
	long r = at && s->appends ? append_piece(s, f, req.w[4], buf, len, *at) : APPEND_NOT_MINE;
	if (r == APPEND_NOT_MINE && whole > len && (f->flags & O_APPEND))
		r = append_begin(s, f, req.w[4], buf, len, whole,
				 at ? APPEND_KEEPS_OFFSET : APPEND_MOVES_OFFSET, &start);
	if (r != APPEND_NOT_MINE) {
		if (r >= 0 && whole > len) {
			out.w[2] = start;
			out.w[3] = 1;
			out.words = 3;
		}
		return r;
	}
	if (at || whole <= len || (f->flags & O_APPEND) || whole > INT64_MAX - start)
		return file_write(f, buf, len, at);
	/* A write of several pieces: the offset moves past all of them now (VFS_POS_UNDO gives back the rest). */
	r = file_write(f, buf, len, &start);
	if (r < 0)
		return r;
	f->pos = start + whole;
	out.w[2] = start;
	out.words = 2;
	return r;
}

/*
 * A regular file's read answered with where its bytes lie in the file's VMO
 * (shm_read_handle): the client copies them itself, the only copy. The file
 * offset moves past the whole read in this one request.
 */
static long op_read_vmo(struct session *s)
{
	struct file *f = file_arg(s, req.w[1]);
	uint64_t len = req.w[2], off = req.w[3], cap, gen;

	if (!f)
		return -EBADF;
	if ((req.tag & 15) < 4 || (off != VFS_BUF_POS && off > INT64_MAX))
		return -EINVAL;
	if (f->kind != FILE_NODE || !S_ISREG(f->node->mode))
		return -EOPNOTSUPP;
	if ((f->flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	struct node *n = f->node;
	/* No VMO (no memory for one): the client reads through the IPC buffer instead. */
	if (shm_read_handle(n, req.w[4], &gen, &cap))
		return -EOPNOTSUPP;
	if (off == VFS_BUF_POS)
		off = f->pos;
	len = off >= n->size ? 0 : len < n->size - off ? len : n->size - off;
	if (req.w[3] == VFS_BUF_POS)
		f->pos = off + len;
	out.w[2] = off;
	out.w[3] = gen;
	out.words = 3;
	if (cap) {
		out.w[4] = cap;
		out.words = 4;
		out.caps = 1;
	}
	return (long)len;
}

static long op_pos_undo(struct session *s)
{
	struct file *f = file_arg(s, req.w[1]);

	if (!f)
		return -EBADF;
	if ((req.tag & 15) < 3 || req.w[3] > req.w[2] || f->kind != FILE_NODE || !S_ISREG(f->node->mode))
		return -EINVAL;
	if (f->pos != req.w[2])
		return 0;
	f->pos = req.w[3];
	return 1;
}

/* An O_APPEND write gives back what it did not write (append.c). */
static long op_append_end(struct session *s)
{
	if ((req.tag & 15) < 2)
		return -EINVAL;
	return append_end(s, file_arg(s, req.w[1]), req.w[2]);
}

static long op_seek(struct session *s)
{
	struct file *f = file_arg(s, req.w[1]);

	return f ? file_seek(f, (int64_t)req.w[2], (int)req.w[3]) : -EBADF;
}

static long op_stat(struct session *s)
{
	struct file *f = file_arg(s, req.w[1]);
	struct vfs_stat st;

	if (!f)
		return -EBADF;
	file_stat(f, &st);
	return answer_data(&st, sizeof(st));
}

static long op_statat(struct session *s)
{
	const char *path = path_arg();
	struct node *at, *n;
	struct vfs_stat st;
	int err;

	if (!path)
		return -EINVAL;
	if ((err = dir_arg(s, req.w[1], &path, &at)) ||
	    (err = fs_walk(&s->cred, at, path,
			   req.w[2] & AT_SYMLINK_NOFOLLOW ? WALK_NOFOLLOW : WALK_FOLLOW, &n)))
		return err == -EREMOTE ? remote_path_op(s, VFS_STATAT) : err;
	node_stat(n, &st);
	return answer_data(&st, sizeof(st));
}

static long op_getdents(struct session *s)
{
	struct file *f = file_arg(s, req.w[1]);
	size_t len = req.w[2] < VFS_IO_MAX ? req.w[2] : VFS_IO_MAX;

	if (!f)
		return -EBADF;
	if (f->kind != FILE_NODE)
		return -ENOTDIR;
	long r = fs_getdents(f->node, &f->pos, out.data, len);
	if (r > 0)
		out.len = (size_t)r;
	return r;
}

static long op_mkdir(struct session *s)
{
	const char *path;
	struct node *at;
	int err = path_at(s, &path, &at);

	if (err)
		return err;
	return fs_mkdir(&s->cred, at, path, (uint32_t)req.w[2]);
}

static long op_mknod(struct session *s)
{
	const char *path;
	struct node *at;
	int err = path_at(s, &path, &at);

	if (err)
		return err;
	return fs_mknod(&s->cred, at, path, (uint32_t)req.w[2]);
}

static long op_unlink(struct session *s)
{
	const char *path = path_arg();
	struct node *at;
	int err;

	if (!path || (req.w[2] & ~(uint64_t)AT_REMOVEDIR))
		return -EINVAL;
	if ((err = dir_arg(s, req.w[1], &path, &at)))
		return err;
	return fs_unlink(&s->cred, at, path, req.w[2] & AT_REMOVEDIR);
}

/* The two NUL-terminated strings of a long part "a\0b\0". */
static int two_strings(const char **a, const char **b)
{
	size_t la = strnlen(req.data, req.len);

	if (!req.len || la >= req.len || req.data[req.len - 1])
		return -EINVAL;
	*a = req.data;
	*b = req.data + la + 1;
	return strlen(*b) + la + 2 == req.len ? 0 : -EINVAL;
}

static long op_rename(struct session *s)
{
	const char *from, *to;
	struct node *oat, *nat;
	int err;

	if ((err = two_strings(&from, &to)) || (err = dir_arg(s, req.w[1], &from, &oat)) ||
	    (err = dir_arg(s, req.w[2], &to, &nat)))
		return err;
	return fs_rename(&s->cred, oat, from, nat, to);
}

static long op_symlink(struct session *s)
{
	const char *target, *path;
	struct node *at;
	int err;

	if ((err = two_strings(&target, &path)) || (err = dir_arg(s, req.w[1], &path, &at)))
		return err;
	return fs_symlink(&s->cred, at, target, path);
}

static long op_readlink(struct session *s)
{
	const char *path;
	struct node *at;
	int err = path_at(s, &path, &at);

	if (err)
		return err == -EREMOTE ? remote_path_op(s, VFS_READLINK) : err;
	int r = fs_readlink(&s->cred, at, path, out.data, VFS_IO_MAX);
	if (r == -EREMOTE)
		return remote_path_op(s, VFS_READLINK);
	if (r > 0)
		out.len = (size_t)r;
	return r;
}

static long op_truncate(struct session *s)
{
	struct file *f = file_arg(s, req.w[1]);

	if (!f)
		return -EBADF;
	if (f->kind != FILE_NODE || !S_ISREG(f->node->mode) || (f->flags & O_ACCMODE) == O_RDONLY)
		return -EINVAL;
	if ((int64_t)req.w[2] < 0)
		return -EINVAL;
	return fs_truncate(f->node, req.w[2]);
}

static long op_chdir(struct session *s)
{
	const char *path = path_arg();
	struct node *at, *n;
	int err;

	if (!path)
		return -EINVAL;
	if (!path[0] && req.w[1] == VFS_AT_CWD)
		return 0;
	if (!path[0]) {
		/* fchdir: the directory itself (an open remote one needs no question to its owner). */
		struct file *f = session_file(s, req.w[1]);
		if (f && f->kind == FILE_REMOTE)
			return remote_fchdir(s, f);
	}
	if ((err = dir_arg(s, req.w[1], &path, &at)))
		return err == -EREMOTE ? remote_path_op(s, VFS_CHDIR) : err;
	if (!path[0])
		n = at;
	else if ((err = fs_walk(&s->cred, at, path, WALK_FOLLOW, &n)))
		return err == -EREMOTE ? remote_path_op(s, VFS_CHDIR) : err;
	if (!S_ISDIR(n->mode))
		return -ENOTDIR;
	if (!may_access(n, &s->cred, X_OK))
		return -EACCES;
	session_chdir(s, n, NULL);
	return 0;
}

static long op_getcwd(struct session *s)
{
	int r;

	if (s->rcwd) {
		/* A remote directory: the path its owner resolved it to. */
		if (!s->rcwd->path)
			return -ENOMEM;
		r = (int)strlen(s->rcwd->path) + 1;
		if (r > VFS_IO_MAX)
			return -ENAMETOOLONG;
		memcpy(out.data, s->rcwd->path, (size_t)r);
	} else {
		r = fs_path_of(s->cwd, out.data, VFS_IO_MAX);
	}
	if (r > 0)
		out.len = (size_t)r;
	return r;
}

static long op_access(struct session *s)
{
	const char *path = path_arg();
	struct node *at, *n;
	int err, want = (int)req.w[2];

	if (!path || (want & ~(R_OK | W_OK | X_OK)))
		return -EINVAL;
	if ((err = dir_arg(s, req.w[1], &path, &at)) ||
	    (err = fs_walk(&s->cred, at, path,
			   req.w[3] & AT_SYMLINK_NOFOLLOW ? WALK_NOFOLLOW : WALK_FOLLOW, &n)))
		return err == -EREMOTE ? remote_path_op(s, VFS_ACCESS) : err;
	if ((want & W_OK) && n->fs->readonly && (S_ISREG(n->mode) || S_ISDIR(n->mode)))
		return -EROFS;
	return may_access(n, &s->cred, want) ? 0 : -EACCES;
}

/* The node a request names: its path from directory id w[1], or the open file w[1] when the path is "". */
static int node_arg(struct session *s, bool nofollow, struct node **n)
{
	const char *path = path_arg();
	struct node *at;
	int err;

	if (!path)
		return -EINVAL;
	if (!path[0]) {
		struct file *f = file_arg(s, req.w[1]);
		if (!f)
			return -EBADF;
		if (!f->node)
			return -EINVAL;
		*n = f->node;
		return 0;
	}
	if ((err = dir_arg(s, req.w[1], &path, &at)))
		return err;
	return fs_walk(&s->cred, at, path, nofollow ? WALK_NOFOLLOW : WALK_FOLLOW, n);
}

static long op_chmod(struct session *s)
{
	struct node *n;
	int err = node_arg(s, false, &n);

	return err ? err : fs_chmod(&s->cred, n, (uint32_t)req.w[2]);
}

static long op_link(struct session *s)
{
	const char *from, *to;
	struct node *oat, *nat;
	int err;

	if (req.w[3] & ~(uint64_t)(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if ((err = two_strings(&from, &to)) || (err = dir_arg(s, req.w[2], &to, &nat)))
		return err;
	if (!from[0] && (req.w[3] & AT_EMPTY_PATH)) {
		/* The open file w1 itself (an O_TMPFILE file gets its name so). */
		struct file *f = file_arg(s, req.w[1]);
		if (!f)
			return -EBADF;
		if (f->kind != FILE_NODE)
			return -EINVAL;
		return fs_link_node(&s->cred, f->node, nat, to);
	}
	if ((err = dir_arg(s, req.w[1], &from, &oat)))
		return err;
	return fs_link(&s->cred, oat, from, nat, to, req.w[3] & AT_SYMLINK_FOLLOW);
}

static long op_chown(struct session *s)
{
	struct node *n;
	int err;

	if ((req.w[4] & ~(uint64_t)AT_SYMLINK_NOFOLLOW) || req.w[2] > UINT32_MAX || req.w[3] > UINT32_MAX)
		return -EINVAL;
	if ((err = node_arg(s, req.w[4] & AT_SYMLINK_NOFOLLOW, &n)))
		return err;
	return fs_chown(&s->cred, n, (uint32_t)req.w[2], (uint32_t)req.w[3]);
}

static long op_utimes(struct session *s)
{
	const int64_t t[4] = {(int64_t)req.w[3], (int64_t)req.w[4], (int64_t)req.w[5], (int64_t)req.w[6]};
	struct node *n;
	int err;

	if ((req.tag & 15) < 6 || (req.w[2] & ~(uint64_t)AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	if ((err = node_arg(s, req.w[2] & AT_SYMLINK_NOFOLLOW, &n)))
		return err;
	return fs_utimes(&s->cred, n, t);
}

static long op_statfs(struct session *s)
{
	struct node *n;
	int err;

	if ((err = node_arg(s, false, &n)))
		return err;
	const struct fs *fs = n->fs;
	struct vfs_statfs st = {.type = fs->magic, .bsize = 4096, .namelen = FS_NAME_MAX,
				.flags = fs->readonly ? 1 : 0};
	if (fs->limit) {
		st.blocks = fs->limit / 4096;
		st.bfree = (fs->limit - (fs->used < fs->limit ? fs->used : fs->limit)) / 4096;
	}
	return answer_data(&st, sizeof(st));
}

static long op_getfl(struct session *s)
{
	struct file *f = file_arg(s, req.w[1]);

	return f ? f->flags : -EBADF;
}

static long op_setfl(struct session *s)
{
	struct file *f = file_arg(s, req.w[1]);
	int change = O_APPEND | O_NONBLOCK;

	if (!f)
		return -EBADF;
	f->flags = (f->flags & ~change) | ((int)req.w[2] & change);
	return 0;
}

static long op_pipe(struct session *s)
{
	struct file *r, *w;
	int err = file_pipe((int)req.w[1] & O_NONBLOCK, &r, &w);

	if (err)
		return err;
	int64_t rid = session_add(s, r), wid = rid < 0 ? rid : session_add(s, w);
	if (wid < 0) {
		if (rid >= 0)
			session_close(s, (uint64_t)rid);
		else
			file_put(r);
		file_put(w);
		return wid;
	}
	out.w[2] = (uint64_t)rid;
	out.w[3] = (uint64_t)wid;
	out.words = 3;
	return 0;
}

static long op_dup(struct session *s)
{
	struct file *f = file_arg(s, req.w[1]);

	if (!f)
		return -EBADF;
	file_get(f);
	int64_t id = session_add(s, f);
	if (id < 0)
		file_put(f);
	return id;
}

static long op_poll(struct session *s)
{
	struct file *f = file_arg(s, req.w[1]);

	return f ? file_poll(f, (short)req.w[2]) : -EBADF;
}

/* Readiness of every entry; waits (until the deadline) while none has events. */
static long op_poll_wait(struct session *s)
{
	size_t n = req.w[2];
	int64_t timeout = (int64_t)req.w[1], now = now_ns();
	long ready = 0;

	if (n > VFS_POLL_MAX || req.len != n * sizeof(struct vfs_pollfd))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		struct vfs_pollfd p;
		memcpy(&p, req.data + i * sizeof(p), sizeof(p));
		struct file *f = session_file(s, p.id);
		p.revents = f ? file_poll(f, p.events) : POLLNVAL;
		ready += p.revents != 0;
		memcpy(out.data + i * sizeof(p), &p, sizeof(p));
	}
	out.len = n * sizeof(struct vfs_pollfd);
	if (ready || !timeout)
		return ready;
	int64_t deadline = retrying ? retry_deadline : timeout < 0 || timeout > INT64_MAX - now ? 0 : now + timeout;
	if (deadline && now >= deadline)
		return 0;
	return block(false, deadline);
}

/* ---- the proc server's ---- */

static long op_session_new(void)
{
	struct session *parent = NULL;
	size_t n = req.len / 8;
	const struct cred cred = {(uint32_t)req.w[2], (uint32_t)req.w[3]};
	uint64_t pid = (req.tag & 15) >= 4 ? req.w[4] : 0;

	if (req.len % 8 || n > VFS_IO_MAX / 8)
		return -EINVAL;
	if (req.w[1] && !(parent = session_find(req.w[1])))
		return -ESRCH;
	struct session *s = session_create(&cred, parent ? parent->cwd : fs_root);
	if (!s)
		return -ENOMEM;
	if (parent)
		session_chdir(s, parent->cwd, parent->rcwd);
	s->pid = pid;
	s->sid = parent ? parent->sid : 0;
	long err = 0;
	for (size_t i = 0; i < n && !err; i++) {
		uint64_t id;
		memcpy(&id, req.data + 8 * i, 8);
		struct file *f = parent ? session_file(parent, id) : NULL;
		if (!f) {
			err = -EBADF;
			break;
		}
		file_get(f);
		int64_t nid = session_add(s, f);
		if (nid < 0) {
			file_put(f);
			err = nid;
		}
		memcpy(out.data + 8 * i, &nid, 8);
	}
	handle_t cap = 0;
	if (!err)
		err = vr_endpoint_mint(endpoint, s->number,
				       VR_RIGHT_SEND | VR_RIGHT_DUPLICATE | VR_RIGHT_TRANSFER, &cap);
	if (err) {
		session_destroy(s);
		return err;
	}
	out.len = n * 8;
	out.w[2] = n;
	out.w[3] = cap;
	out.words = 3;
	out.caps = 1;
	return (long)s->number;
}

static long op_session_fork(void)
{
	struct session *parent = session_find(req.w[1]);
	struct session *s;
	handle_t cap;

	if (!parent)
		return -ESRCH;
	if (!(s = session_fork(parent)))
		return -ENOMEM;
	if ((req.tag & 15) >= 2 && req.w[2])
		s->pid = req.w[2];
	long err = vr_endpoint_mint(endpoint, s->number,
				    VR_RIGHT_SEND | VR_RIGHT_DUPLICATE | VR_RIGHT_TRANSFER, &cap);
	if (err) {
		session_destroy(s);
		return err;
	}
	out.w[2] = cap;
	out.words = 2;
	out.caps = 1;
	return (long)s->number;
}

static long op_session_end(void)
{
	struct session *s = session_find(req.w[1]);

	if (!s)
		return -ESRCH;
	ctty_session_end(s);
	/*
	 * Its files close with it: a reader waiting on a pipe whose last writer
	 * this session held sees end-of-file when the saved requests are
	 * performed again after this one (wait.c).
	 */
	append_release(s);
	buf_release(s);
	session_destroy(s);
	remote_session_end(req.w[1]);
	sysfs_session_end(req.w[1]);
	return 0;
}

/* VFS_SYSFS_DEVICE: a device server's device in /sys (uid 0, as VFS_REMOTE_MOUNT). */
static long op_sysfs_device(struct session *s)
{
	if (s->cred.uid != 0)
		return -EPERM;
	return sysfs_request(s->number, req.w[1], req.w[2], req.w[3], req.w[4], req.data, req.len);
}

/* The POSIX session a vfs session's process is in (spawn, setsid). */
static long op_session_sid(void)
{
	struct session *s = session_find(req.w[1]);

	if (!s)
		return -ESRCH;
	if ((int64_t)req.w[2] <= 0 || req.w[2] > INT32_MAX)
		return -EINVAL;
	s->sid = (int32_t)req.w[2];
	if (req.w[3] <= INT32_MAX)
		s->pgid = (int32_t)req.w[3];
	return 0;
}

/* VFS_SESSION_CRED: the ids a session's process now has (setuid and the like). */
static long op_session_cred(void)
{
	struct session *s = session_find(req.w[1]);

	if (!s)
		return -ESRCH;
	if (req.w[2] > UINT32_MAX - 1 || req.w[3] > UINT32_MAX - 1)
		return -EINVAL;
	s->cred = (struct cred){(uint32_t)req.w[2], (uint32_t)req.w[3]};
	return 0;
}

/* VFS_FD_PATH: what /proc/<pid>/fd/N names (the proc server asks for a process's own session's ids). */
static long op_fd_path(void)
{
	struct session *s = session_find(req.w[1]);
	struct file *f = s ? session_file(s, req.w[2]) : NULL;

	if (!f)
		return s ? -EBADF : -ESRCH;
	int n = file_describe(f, out.data, VFS_IO_MAX);
	if (n >= 0)
		out.len = (size_t)n;
	return n;
}

/* A session's working directory as getcwd says it (the proc server's /proc/<pid>/cwd). */
static long op_session_cwd(void)
{
	struct session *s = session_find(req.w[1]);

	return s ? op_getcwd(s) : -ESRCH;
}

/*
 * VFS_EXEC_IMAGE. A path that reaches a remote tree is -EREMOTE, passed on
 * to the exec's client, which looks it up itself (posix/spawn.c): the owner
 * of /proc is the proc server that is waiting for this answer.
 */
static long op_exec_image(void)
{
	struct session *s = session_find(req.w[1]);
	const char *path = path_arg();
	struct node *n;
	handle_t vmo;
	int err;

	if (!s)
		return -ESRCH;
	if (!path)
		return -EINVAL;
	if ((err = fs_walk(&s->cred, s->cwd, path, WALK_FOLLOW, &n)))
		return err;
	/* As Linux's execve: anything but a regular file, a directory too, is EACCES. */
	if (!S_ISREG(n->mode))
		return -EACCES;
	if (!may_access(n, &s->cred, X_OK))
		return -EACCES;
	if (!n->size)
		return -ENOEXEC;
	if (n->fs->readonly) {
		/* The initrd's programs: one copy each, shared read-only by every exec. */
		err = shm_image(n, VR_RIGHT_READ | VR_RIGHT_MAP | VR_RIGHT_EXEC | VR_RIGHT_DUPLICATE |
				       VR_RIGHT_TRANSFER, &vmo);
		if (err)
			return err;
	} else if ((err = vr_vmo_create(n->size, 0, &vmo))) {
		return err;
	} else if ((err = vr_vmo_write(vmo, n->data, 0, n->size))) {
		vr_handle_close(vmo);
		return err;
	}
	out.w[2] = vmo;
	out.words = 2;
	out.caps = 1;
	/* Where the program is, as the proc server's /proc/<pid>/exe says it. */
	int len = fs_path_of(n, out.data, VFS_IO_MAX);
	if (len > 0)
		out.len = (size_t)len;
	return (long)n->size;
}

bool request_undoable(void)
{
	struct session *s;
	struct file *f;

	/*
	 * A lock wait: the caller may leave between the retry's look and the
	 * answer, so a granted one must be undoable anyway (lockops.c).
	 */
	if (VR_TAG_LABEL(req.tag) == VFS_LOCK && (req.w[2] & 0xff) == VFS_LOCK_WAIT)
		return true;
	return VR_TAG_LABEL(req.tag) == VFS_READ && req.badge > VFS_BADGE_ADMIN &&
	       (s = session_find(req.badge)) && (f = session_file(s, req.w[1])) &&
	       f->kind == FILE_PIPE_READ;
}

void request_undo(long result)
{
	struct session *s = session_find(req.badge);
	struct file *f = s ? session_file(s, req.w[1]) : NULL;

	if (VR_TAG_LABEL(req.tag) == VFS_LOCK) {
		if (result == 0)
			lock_wait_undo();
		return;
	}
	if (result <= 0 || !f || f->kind != FILE_PIPE_READ)
		return;
	/* op_read left the bytes in out.data, or in its words when short. */
	pipe_unread(f->pipe, out.len ? (const void *)out.data : (const void *)&out.w[2], (size_t)result);
}

/* A request performed, and then what it changed for edge-triggered epoll entries noted. */
static long dispatch_observed(void);

/* Requests on a remote file (w1 its id) go to remote.c; -ENOSYS for every other. */
static long dispatch_remote(struct session *s, uint32_t op)
{
	switch (op) {
	case VFS_READ:
	case VFS_WRITE:
	case VFS_PREAD:
	case VFS_PWRITE:
	case VFS_SEEK:
	case VFS_STAT:
	case VFS_GETDENTS:
	case VFS_TRUNCATE:
	case VFS_IOCTL:
	case VFS_MMAP:
	case VFS_SEALS: break;
	default: return -ENOSYS;
	}
	struct file *f = session_file(s, req.w[1]);
	return f && f->kind == FILE_REMOTE ? remote_file_op(s, f, op) : -ENOSYS;
}

static long dispatch(void)
{
	uint32_t op = VR_TAG_LABEL(req.tag);

	sfd_reader = 0;
	if (req.badge == 0)
		return op == VFS_TICK ? 0 : -EINVAL;	/* the timer thread: the waiters are tried next */
	if (req.badge == VFS_BADGE_ADMIN) {
		switch (op) {
		case VFS_SESSION_NEW: return op_session_new();
		case VFS_SESSION_END: return op_session_end();
		case VFS_SESSION_FORK: return op_session_fork();
		case VFS_EXEC_IMAGE: return op_exec_image();
		case VFS_CONSOLE_INPUT: return op_console_input();
		case VFS_TTY_SIGNAL: return op_tty_signal();
		case VFS_SESSION_SID: return op_session_sid();
		case VFS_SESSION_CRED: return op_session_cred();
		case VFS_SIG_PENDING: return sfd_set_pending(req.w[1], req.w[2]);
		case VFS_FD_PATH: return op_fd_path();
		case VFS_SESSION_CWD: return op_session_cwd();
		default: return -EINVAL;
		}
	}
	struct session *s = session_find(req.badge);
	if (!s)
		return -EINVAL;
	sfd_reader = s->pid;	/* until the next request's dispatch */
	long r = dispatch_remote(s, op);
	if (r != -ENOSYS)
		return r;
	switch (op) {
	case VFS_OPEN: return op_open(s);
	case VFS_CLOSE: return op_close(s);
	case VFS_READ: return op_read(s, false);
	case VFS_WRITE: return op_write(s, false);
	case VFS_PREAD: return op_read(s, true);
	case VFS_PWRITE: return op_write(s, true);
	case VFS_SEEK: return op_seek(s);
	case VFS_BUF_NEW: return op_buf_new(s);
	case VFS_READ_BUF: return op_buf_io(s, false);
	case VFS_WRITE_BUF: return op_buf_io(s, true);
	case VFS_READ_VMO: return op_read_vmo(s);
	case VFS_POS_UNDO: return op_pos_undo(s);
	case VFS_APPEND_END: return op_append_end(s);
	case VFS_STAT: return op_stat(s);
	case VFS_STATAT: return op_statat(s);
	case VFS_GETDENTS: return op_getdents(s);
	case VFS_MKDIR: return op_mkdir(s);
	case VFS_UNLINK: return op_unlink(s);
	case VFS_RENAME: return op_rename(s);
	case VFS_SYMLINK: return op_symlink(s);
	case VFS_READLINK: return op_readlink(s);
	case VFS_TRUNCATE: return op_truncate(s);
	case VFS_CHDIR: return op_chdir(s);
	case VFS_GETCWD: return op_getcwd(s);
	case VFS_ACCESS: return op_access(s);
	case VFS_CHMOD: return op_chmod(s);
	case VFS_GETFL: return op_getfl(s);
	case VFS_SETFL: return op_setfl(s);
	case VFS_PIPE: return op_pipe(s);
	case VFS_DUP: return op_dup(s);
	case VFS_POLL: return op_poll(s);
	case VFS_POLL_WAIT: return op_poll_wait(s);
	case VFS_EVENTFD: return op_eventfd(s);
	case VFS_SOCKET: return op_socket(s);
	case VFS_SOCKETPAIR: return op_socketpair(s);
	case VFS_BIND: return op_bind(s);
	case VFS_LISTEN: return op_listen(s);
	case VFS_ACCEPT: return op_accept(s);
	case VFS_CONNECT: return op_connect(s);
	case VFS_SENDMSG: return op_sendmsg(s);
	case VFS_RECVMSG: return op_recvmsg(s);
	case VFS_SHUTDOWN: return op_shutdown(s);
	case VFS_SOCKNAME: return op_sockname(s);
	case VFS_GETSOCKOPT: return op_getsockopt(s);
	case VFS_SETSOCKOPT: return op_setsockopt(s);
	case VFS_IOCTL: return op_ioctl(s);
	case VFS_EPOLL_CREATE: return op_epoll_create(s);
	case VFS_EPOLL_CTL: return op_epoll_ctl(s);
	case VFS_EPOLL_WAIT: return op_epoll_wait(s);
	case VFS_TIMERFD_CREATE: return op_timerfd_create(s);
	case VFS_TIMERFD_SET: return op_timerfd_set(s);
	case VFS_TIMERFD_GET: return op_timerfd_get(s);
	case VFS_MEMFD: return op_memfd(s);
	case VFS_MMAP: return op_mmap(s);
	case VFS_SEALS: return op_seals(s);
	case VFS_SIGNALFD: return op_signalfd(s);
	case VFS_MKNOD: return op_mknod(s);
	case VFS_LINK: return op_link(s);
	case VFS_CHOWN: return op_chown(s);
	case VFS_UTIMES: return op_utimes(s);
	case VFS_STATFS: return op_statfs(s);
	case VFS_LOCK: return op_lock(s);
	case VFS_REMOTE_MOUNT: return op_remote_mount(s);
	case VFS_SYSFS_DEVICE: return op_sysfs_device(s);
	case VFS_REMOTE_NEXT: return op_remote_next(s);
	case VFS_REMOTE_ANSWER: return op_remote_answer(s, req.cap);
	case VFS_REMOTE_READY: return op_remote_ready(s);
	default: return -EINVAL;
	}
}

/* The name requests of a session that a remote tree's link may send elsewhere (remote_name_op). */
static bool names_follow(uint32_t op)
{
	return req.badge > VFS_BADGE_ADMIN && session_find(req.badge) &&
	       (op == VFS_MKDIR || op == VFS_UNLINK || op == VFS_MKNOD || op == VFS_CHMOD ||
		op == VFS_CHOWN || op == VFS_UTIMES || op == VFS_STATFS || op == VFS_RENAME ||
		op == VFS_LINK || op == VFS_SYMLINK || op == VFS_BIND || op == VFS_CONNECT);
}

/*
 * Whether the name request in req follows a link at the end of its path
 * (chmod, statfs, chown and utimes unless AT_SYMLINK_NOFOLLOW, connect, the
 * old path of a link with AT_SYMLINK_FOLLOW: @index 0).
 */
static enum remote_name name_kind(unsigned index)
{
	uint32_t op = VR_TAG_LABEL(req.tag);
	bool nofollow = (op == VFS_CHOWN && (req.w[4] & AT_SYMLINK_NOFOLLOW)) ||
			(op == VFS_UTIMES && (req.w[2] & AT_SYMLINK_NOFOLLOW));

	if (op == VFS_LINK)
		return !index && (req.w[3] & AT_SYMLINK_FOLLOW) ? REMOTE_NAME_FOLLOWED : REMOTE_NAME_DIR;
	bool follows = op == VFS_CHMOD || op == VFS_STATFS || op == VFS_CHOWN || op == VFS_UTIMES ||
		       op == VFS_CONNECT;
	return follows && !nofollow ? REMOTE_NAME_FOLLOWED : REMOTE_NAME_DIR;
}

/*
 * A rename's or link's old path reached a remote tree: its new path is
 * looked up too (its directory), for what Linux says if the old one is no
 * link out: the new path's error, or EXDEV (another mount). If the new one
 * reaches a remote tree as well, the owner is asked about it then (*@fr's
 * then: EXDEV if it leads out, else EROFS). The old path's fs_remote_* are
 * put back.
 */
static long new_path_error(struct session *s, struct name_frame *fr)
{
	static char rest[FS_PATH_MAX], after[FS_PATH_MAX], then[FS_PATH_MAX];
	struct node *at = fs_remote_at, *nat;
	const char *to = req.data + strlen(req.data) + 1, *path = fs_remote_path;
	struct last l;

	memcpy(rest, fs_remote_rest, sizeof(rest));
	memcpy(after, fs_remote_after, sizeof(after));
	int err = dir_arg(s, req.w[2], &to, &nat);
	if (!err)
		err = fs_walk_parent(&s->cred, nat, to, &l);
	if (err == -EREMOTE && !remote_name_dir(then)) {
		fr->then_at = fs_remote_at;
		fr->then = then;
	}
	fs_remote_at = at;
	fs_remote_path = path;
	memcpy(fs_remote_rest, rest, sizeof(rest));
	memcpy(fs_remote_after, after, sizeof(after));
	return err == -EREMOTE ? -EROFS : err ? err : -EXDEV;
}

/* A name request whose path reached a remote tree (-EREMOTE): its frame for remote_name_op. */
static long remote_name(struct session *s)
{
	static char addr[sizeof(uint16_t) + 1];
	uint32_t op = VR_TAG_LABEL(req.tag);
	struct name_frame fr = {.no_link_out = -EROFS};

	if (op == VFS_RENAME || op == VFS_LINK || op == VFS_SYMLINK) {
		/* "a\0b\0", as two_strings checked it before any lookup. */
		size_t la = strlen(req.data);
		const char *second = req.data + la + 1;
		fr.index = op == VFS_SYMLINK ||
			   (fs_remote_path >= second && fs_remote_path < req.data + req.len);
		if (op != VFS_SYMLINK)
			fr.no_link_out = fr.index ? -EXDEV : new_path_error(s, &fr);
		fr.data = req.data;
		fr.len = req.len;
		fr.at = fr.index ? la + 1 : 0;
		fr.end = fr.index ? req.len - 1 : la;
	} else if (op == VFS_BIND || op == VFS_CONNECT) {
		/* The family, the path, a NUL (sock_name_parse checked the family). */
		memcpy(addr, req.data, sizeof(uint16_t));
		addr[sizeof(uint16_t)] = 0;
		fr.data = addr;
		fr.len = sizeof(addr);
		fr.at = fr.end = sizeof(uint16_t);
		fr.addr = true;
		fr.no_link_out = op == VFS_CONNECT ? -ECONNREFUSED : -EROFS;
	}
	return remote_name_op(s, name_kind(fr.index), fr.data ? &fr : NULL);
}

static long dispatch_observed(void)
{
	long r = dispatch();

	/* A capability no request took (an answer that went to no owner's handler). */
	if (req.cap) {
		vr_handle_close(req.cap);
		req.cap = 0;
	}
	/*
	 * A name operation that reached a remote tree and is not forwarded
	 * (mkdir, unlink, ...): EROFS, unless the tree sends its path elsewhere.
	 * An exec's stays EREMOTE: its client looks the path up (posix/spawn.c).
	 */
	if (r == -EREMOTE && VR_TAG_LABEL(req.tag) != VFS_EXEC_IMAGE)
		r = names_follow(VR_TAG_LABEL(req.tag)) ? remote_name(session_find(req.badge))
							: -EROFS;

	epl_observe();
	return r;
}

/* The earlier of two deadlines (0: none). */
static int64_t earliest(int64_t a, int64_t b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

void reply_encode(const struct reply *r, long result, uint64_t msg[8])
{
	unsigned words = r->words ? r->words : 1;

	memset(msg, 0, 8 * sizeof(uint64_t));
	msg[0] = VR_TAG(0, words) | VR_TAG_CAPS(r->caps) | (r->caps ? VR_TAG_MOVE_CAPS : 0) |
		 (r->len ? VR_TAG_LONG(r->len) : 0);
	msg[1] = (uint64_t)result;
	for (unsigned i = 2; i <= words; i++)
		msg[i] = r->w[i];
	if (r->len)
		memcpy(ipc_buf, r->data, r->len);
}

/* Takes the message just received into req; capabilities sent to the server are closed. */
static bool take_request(int64_t badge, const uint64_t msg[8])
{
	unsigned words = msg[0] & 15, caps = (msg[0] >> 4) & 3;

	request_number++;
	req.badge = (uint64_t)badge;
	req.tag = msg[0];
	memcpy(req.w, msg, sizeof(req.w));
	req.len = px_reply_len(msg[0]);
	if (req.len > VFS_IO_MAX)
		req.len = 0;
	memcpy(req.data, ipc_buf, req.len);
	if (VR_TAG_LABEL(msg[0]) == VFS_WRITE_INLINE && badge > VFS_BADGE_ADMIN) {
		/* Its bytes from the words: from here on an ordinary VFS_WRITE (a bad one stays -EINVAL). */
		uint64_t n = msg[2] & 0xffffffff, flags = msg[2] >> 32;
		if (!req.len && n <= VFS_INLINE_MAX && words >= 2 + (n + 7) / 8 && !caps) {
			memcpy(req.data, &msg[3], n);
			req.len = n;
			req.tag = VR_TAG(VFS_WRITE, words);
			req.w[2] = flags;	/* VFS_WRITE's w2 */
		}
	}
	req.data[req.len] = 0;
	req.cap = 0;
	if (VR_TAG_LABEL(msg[0]) == VFS_REMOTE_ANSWER && caps == 1 && words >= 1 && words < 8) {
		/* An owner's answer to VFS_MMAP carries the VMO for the client (remote.c). */
		req.cap = msg[words];
		return true;
	}
	for (unsigned i = 0; i < caps && words < 8 && caps <= words; i++)
		vr_handle_close(msg[1 + words - caps + i]);
	return caps == 0;
}

static int sysfs_register_devices(void);

/* The tree: the initrd at "/", tmpfs over /tmp, devfs over /dev, sysfs over /sys (made if the archive lacks them). */
static int mount_all(const void *archive, size_t size)
{
	struct node *root = fs_new_root(&initrd_fs, 0755);
	struct node *tmp = fs_new_root(&tmp_fs, 01777), *dev = fs_new_root(&dev_fs, 0755);

	if (!root || !tmp || !dev || devfs_populate(dev))
		return -ENOMEM;
	int err = initrd_load(root, archive, size);
	if (err)
		fprintf(stderr, "vfs: the initrd is malformed (%s): serving an empty root\n",
			strerror(-err));
	static const struct cred c = {0, 0};
	if ((err = shm_mount(dev)))
		return err;
	const char *names[] = {"tmp", "dev", "sys"};
	struct node *on[3];
	for (int i = 0; i < 3; i++) {
		size_t len = strlen(names[i]);
		on[i] = dir_find(root, names[i], len);
		if (!on[i] && !(on[i] = node_create(root, names[i], len, S_IFDIR | 0755, &c)))
			return -ENOMEM;
	}
	if ((err = fs_mount(on[0], tmp)) || (err = fs_mount(on[1], dev)) || (err = sysfs_mount(on[2])))
		return err;
	return sysfs_register_devices();
}

/* The devices the vfs serves itself, in sysfs as Linux shows them (/sys/class/mem/null, ...). */
static int sysfs_register_devices(void)
{
	static const struct {
		const char *class_name, *name;
		enum fs_dev dev;
	} devs[] = {
		{"mem", "null", DEV_NULL},	    {"mem", "zero", DEV_ZERO},
		{"mem", "full", DEV_FULL},	    {"mem", "random", DEV_RANDOM},
		{"mem", "urandom", DEV_URANDOM}, {"tty", "console", DEV_CONSOLE},
		{"tty", "ptmx", DEV_PTMX},
	};
	char devpath[64];

	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		snprintf(devpath, sizeof(devpath), "virtual/%s/%s", devs[i].class_name, devs[i].name);
		int err = sysfs_add_device(devs[i].class_name, devs[i].name, devpath, dev_rdev(devs[i].dev));
		if (err)
			return err;
	}
	return 0;
}

int main(int argc, char **argv)
{
	handle_t initrd = getauxval(VR_AT_INITRD);
	uint64_t size = 0, at = 0, msg[8];

	endpoint = getauxval(VR_AT_VFS_SERVE);
	fs_now = now;
	tfd_now = now_ns;
	dev_console_write = console;
	tty_kill_pgrp = queue_tty_signal;
	ipc_buf = px_ipc_buffer();
	if (!endpoint || !ipc_buf) {
		fprintf(stderr, "vfs: no endpoint or IPC buffer\n");
		return 1;
	}
	if (initrd && !vr_vmo_size(initrd, &size) && size)
		vr_vm_map(0, initrd, 0, 0, (size + VR_PAGE - 1) & ~(uint64_t)(VR_PAGE - 1),
			  VR_PROT_READ, &at);
	if (mount_all((const void *)(uintptr_t)at, at ? size : 0)) {
		fprintf(stderr, "vfs: out of memory at start\n");
		return 1;
	}
	if (timer_start(endpoint))
		fprintf(stderr, "vfs: no timer thread: polls will not time out\n");
	int64_t badge = vr_ipc_recv(endpoint, msg);
	for (;;) {
		if (badge < 0) {
			/* Nothing was received (a caller killed meanwhile): receive again. */
			badge = vr_ipc_recv(endpoint, msg);
			continue;
		}
		memset(&out, 0, offsetof(struct reply, data));
		long result = take_request(badge, msg) ? dispatch_observed() : -EINVAL;
		/* Sockets in flight that no id reaches any more close now, before waiters are tried. */
		if (sock_gc_wanted)
			sock_gc();
		if (waiters_any()) {
			/* This request may let saved ones finish: try them (they use req and out). */
			static struct reply answer;
			if (result != REPLY_SAVED)
				memcpy(&answer, &out, offsetof(struct reply, data) + out.len);
			int64_t next = waiters_retry(dispatch_observed);
			/* Waiters may wait for a timerfd too: wake them when one expires. */
			timer_set(waiters_any() ? earliest(next, tfd_next_deadline()) : 0);
			if (result != REPLY_SAVED)
				memcpy(&out, &answer, offsetof(struct reply, data) + answer.len);
		}
		if (result == REPLY_SAVED) {
			badge = vr_ipc_recv(endpoint, msg);
			continue;
		}
		reply_encode(&out, result, msg);
		badge = vr_ipc_reply_recv(endpoint, msg);
	}
}
