/* Open files: reads, writes, seeks and attributes, whatever the file is. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../proto/vfs.h"
#include "dev.h"
#include "file.h"
#include "lock.h"
#include "pty.h"

#define PIPE_DEV 0xfe /* st_dev of pipes, sockets and eventfds */

/*
 * Open files come from a list of up to FILE_SPARES spares before malloc: an
 * open and its close are the server's most frequent allocation, and taking
 * one from the list costs the same whatever malloc size class struct file
 * falls in. A spare is linked through remote_next. Only the server's main
 * thread makes and frees open files (the timer thread never does).
 */
#define FILE_SPARES 64
static struct file *spares;
static unsigned nspares;

struct file *file_new(void)
{
	struct file *f = spares;

	if (!f)
		return calloc(1, sizeof(*f));
	spares = f->remote_next;
	nspares--;
	*f = (struct file){0};
	return f;
}

void file_free(struct file *f)
{
	if (!f)
		return;
	if (nspares == FILE_SPARES) {
		free(f);
		return;
	}
	f->remote_next = spares;
	spares = f;
	nspares++;
}

struct file *file_of_node(struct node *n, int flags)
{
	struct file *f = file_new();

	if (!f)
		return NULL;
	f->refs = 1;
	f->kind = FILE_NODE;
	f->node = n;
	f->flags = flags;
	node_get(n);
	return f;
}

int file_open(struct node *n, int flags, const struct cred *c, struct file **out)
{
	if (S_ISCHR(n->mode) && (n->dev == DEV_PTMX || n->dev == DEV_PTS))
		return pty_open(n, flags, c, out);
	if (S_ISFIFO(n->mode))
		return fifo_open(n, flags, out);
	*out = file_of_node(n, flags);
	return *out ? 0 : -ENOMEM;
}

int fifo_open(struct node *n, int flags, struct file **out)
{
	int acc = flags & O_ACCMODE;
	struct pipe *p = n->fifo;

	if (acc == O_WRONLY && (flags & O_NONBLOCK) && (!p || !p->readers))
		return -ENXIO;
	struct file *f = file_new();
	if (!f)
		return -ENOMEM;
	if (!p) {
		if (!(p = pipe_create())) {
			file_free(f);
			return -ENOMEM;
		}
		p->readers = p->writers = 0;
		n->fifo = p;
	}
	*f = (struct file){.refs = 1, .pipe = p, .node = n, .flags = flags};
	f->kind = acc == O_RDONLY ? FILE_PIPE_READ : acc == O_WRONLY ? FILE_PIPE_WRITE : FILE_FIFO_RDWR;
	if (acc != O_WRONLY)
		p->readers++, p->reader_opens++;
	if (acc != O_RDONLY)
		p->writers++, p->writer_opens++;
	f->pos = acc == O_WRONLY ? p->reader_opens : p->writer_opens;	/* the partner's opens so far */
	node_get(n);
	*out = f;
	return 0;
}

bool fifo_ready(const struct file *f)
{
	if (f->kind == FILE_PIPE_READ)
		return f->pipe->writers || f->pipe->writer_opens != f->pos;
	if (f->kind == FILE_PIPE_WRITE)
		return f->pipe->readers || f->pipe->reader_opens != f->pos;
	return true;
}

int file_pipe(int flags, struct file **r, struct file **w)
{
	struct pipe *p = pipe_create();

	*r = p ? file_new() : NULL;
	*w = *r ? file_new() : NULL;
	if (!*w) {
		file_free(*r);
		pipe_destroy(p);
		return -ENOMEM;
	}
	**r = (struct file){.refs = 1, .kind = FILE_PIPE_READ, .pipe = p, .flags = O_RDONLY | flags};
	**w = (struct file){.refs = 1, .kind = FILE_PIPE_WRITE, .pipe = p, .flags = O_WRONLY | flags};
	return 0;
}

struct file *file_of_sock(struct sock *s, int flags)
{
	struct file *f = file_new();

	if (!f)
		return NULL;
	*f = (struct file){.refs = 1, .kind = FILE_SOCKET, .sock = s, .flags = O_RDWR | flags};
	s->file = f;
	return f;
}

struct file *file_of_eventfd(uint64_t count, bool semaphore, int flags)
{
	struct file *f = file_new();

	if (!f || !(f->eventfd = evfd_create(count, semaphore))) {
		file_free(f);
		return NULL;
	}
	f->refs = 1;
	f->kind = FILE_EVENTFD;
	f->flags = O_RDWR | flags;
	return f;
}

struct file *file_of_epoll(void)
{
	struct file *f = file_new();

	if (!f || !(f->epoll = epl_create(f))) {
		file_free(f);
		return NULL;
	}
	f->refs = 1;
	f->kind = FILE_EPOLL;
	f->flags = O_RDWR;
	return f;
}

struct file *file_of_timerfd(int clock, int flags)
{
	struct file *f = file_new();

	if (!f || !(f->timerfd = tfd_create(clock))) {
		file_free(f);
		return NULL;
	}
	f->refs = 1;
	f->kind = FILE_TIMERFD;
	f->flags = O_RDWR | flags;
	return f;
}

struct file *file_of_signalfd(uint64_t pid, uint64_t mask, int flags)
{
	struct file *f = file_new();

	if (!f || !(f->signalfd = sfd_create(pid, mask))) {
		file_free(f);
		return NULL;
	}
	f->refs = 1;
	f->kind = FILE_SIGNALFD;
	f->flags = O_RDWR | flags;
	return f;
}

void (*file_remote_put)(struct file *f);

void file_get(struct file *f)
{
	f->refs++;
}

/* The anonymous files' (eventfd, epoll, timerfd, signalfd): one list, as Linux's one anonymous inode. */
static struct lock *anon_locks;

struct lock **file_locks(struct file *f)
{
	switch (f->kind) {
	case FILE_NODE: return &f->node->locks;
	case FILE_PIPE_READ:
	case FILE_PIPE_WRITE:
	case FILE_FIFO_RDWR: return f->node ? &f->node->locks : &f->pipe->locks;
	case FILE_SOCKET: return &f->sock->locks;
	case FILE_PTY_MASTER:
	case FILE_PTY_SLAVE: return &f->pty->locks;
	case FILE_EVENTFD:
	case FILE_EPOLL:
	case FILE_TIMERFD:
	case FILE_SIGNALFD: return &anon_locks;
	case FILE_REMOTE: break;
	}
	return NULL;
}

void file_put(struct file *f)
{
	if (!f)
		return;
	if (--f->refs) {
		/* Only messages hold it now: it may be in a cycle no id reaches (sockgc.c). */
		if (f->kind == FILE_SOCKET && f->refs == f->sock->inflight)
			sock_gc_wanted = true;
		return;
	}
	struct lock **locks = file_locks(f);
	if (locks && *locks) {
		/* OFD and flock locks belong to the open file: they go with it. */
		lock_release(locks, LK_OFD, (uint64_t)(uintptr_t)f);
		lock_release(locks, LK_FLOCK, (uint64_t)(uintptr_t)f);
	}
	epl_forget(f);
	if (f->kind == FILE_EPOLL) {
		epl_destroy(f->epoll);
	} else if (f->kind == FILE_TIMERFD) {
		tfd_destroy(f->timerfd);
	} else if (f->kind == FILE_NODE) {
		node_put(f->node);
	} else if (f->kind == FILE_SOCKET) {
		f->sock->file = NULL;
		sock_close(f->sock);
		sock_put(f->sock);
	} else if (f->kind == FILE_EVENTFD) {
		evfd_destroy(f->eventfd);
	} else if (f->kind == FILE_SIGNALFD) {
		sfd_destroy(f->signalfd);
	} else if (f->kind == FILE_PTY_MASTER || f->kind == FILE_PTY_SLAVE) {
		pty_close(f->pty, f->kind == FILE_PTY_MASTER ? PTY_MASTER : PTY_SLAVE);
	} else if (f->kind == FILE_REMOTE) {
		if (file_remote_put)
			file_remote_put(f);
		free(f->path);
	} else {
		struct pipe *p = f->pipe;
		if (f->kind != FILE_PIPE_WRITE)
			p->readers--;
		if (f->kind != FILE_PIPE_READ)
			p->writers--;
		if (!p->readers && !p->writers) {
			/* A FIFO's data goes with its last end, as on Linux. */
			if (f->node)
				f->node->fifo = NULL;
			lock_free_all(&p->locks);
			pipe_destroy(p);
		}
		node_put(f->node);
	}
	file_free(f);
}

static bool readable(const struct file *f)
{
	return (f->flags & O_ACCMODE) != O_WRONLY;
}

static bool writable(const struct file *f)
{
	return (f->flags & O_ACCMODE) != O_RDONLY;
}

long file_read(struct file *f, void *buf, size_t len, const uint64_t *at)
{
	if (!readable(f))
		return -EBADF;
	if (f->kind != FILE_NODE && at)
		return -ESPIPE;
	if (f->kind == FILE_PIPE_READ || f->kind == FILE_FIFO_RDWR)
		return pipe_read(f->pipe, buf, len);
	if (f->kind == FILE_SOCKET)
		return sock_recv(f->sock, buf, len, 0, NULL);
	if (f->kind == FILE_EVENTFD)
		return evfd_read(f->eventfd, buf, len);
	if (f->kind == FILE_PTY_MASTER || f->kind == FILE_PTY_SLAVE)
		return pty_read(f->pty, f->kind == FILE_PTY_MASTER ? PTY_MASTER : PTY_SLAVE, buf, len, 1);
	if (f->kind == FILE_TIMERFD)
		return tfd_read(f->timerfd, buf, len);
	/* A remote file's reads are forwarded (remote.c), a signalfd's done by the reader's layer. */
	if (f->kind == FILE_EPOLL || f->kind == FILE_REMOTE || f->kind == FILE_SIGNALFD)
		return -EINVAL;
	struct node *n = f->node;
	if (S_ISDIR(n->mode))
		return -EISDIR;
	if (S_ISCHR(n->mode))
		return dev_read(n->dev, buf, len);
	long r = fs_read(n, at ? *at : f->pos, buf, len);
	if (r > 0 && !at)
		f->pos += (uint64_t)r;
	return r;
}

long file_write(struct file *f, const void *buf, size_t len, const uint64_t *at)
{
	if (!writable(f))
		return -EBADF;
	if (f->kind != FILE_NODE && at)
		return -ESPIPE;
	if (f->kind == FILE_PIPE_WRITE || f->kind == FILE_FIFO_RDWR)
		return pipe_write(f->pipe, buf, len);
	if (f->kind == FILE_SOCKET)
		return sock_send(f->sock, buf, len, NULL, 0, NULL, NULL, NULL, NULL);
	if (f->kind == FILE_EVENTFD)
		return evfd_write(f->eventfd, buf, len);
	if (f->kind == FILE_PTY_MASTER || f->kind == FILE_PTY_SLAVE)
		return pty_write(f->pty, f->kind == FILE_PTY_MASTER ? PTY_MASTER : PTY_SLAVE, buf, len);
	if (f->kind == FILE_EPOLL || f->kind == FILE_TIMERFD || f->kind == FILE_REMOTE ||
	    f->kind == FILE_SIGNALFD)
		return -EINVAL;
	struct node *n = f->node;
	if (S_ISCHR(n->mode))
		return dev_write(n->dev, buf, len);
	/* Linux: pwrite on an O_APPEND file appends too. */
	uint64_t off = (f->flags & O_APPEND) ? n->size : at ? *at : f->pos;
	long r = fs_write(n, off, buf, len);
	if (r > 0 && !at)
		f->pos = off + (uint64_t)r;
	return r;
}

long file_seek(struct file *f, int64_t off, int whence)
{
	if (f->kind != FILE_NODE)
		return -ESPIPE;
	struct node *n = f->node;
	if (S_ISCHR(n->mode)) {
		f->pos = 0;
		return 0;
	}
	int64_t base = whence == SEEK_SET ? 0
		       : whence == SEEK_CUR ? (int64_t)f->pos
		       : whence == SEEK_END ? (int64_t)n->size
					    : -1;
	if (base < 0)
		return -EINVAL;
	if (S_ISDIR(n->mode)) {
		/* Directories: only back to the start (rewinddir) or to a position getdents gave. */
		if (whence != SEEK_SET || off < 0)
			return -EINVAL;
		f->pos = (uint64_t)off == INT64_MAX ? UINT64_MAX : (uint64_t)off;
		return off;
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	f->pos = (uint64_t)(base + off);
	return base + off;
}

void node_stat(const struct node *n, struct vfs_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->dev = n->fs->dev;
	st->ino = n->ino;
	st->mode = n->mode;
	st->nlink = n->nlink;
	st->uid = n->uid;
	st->gid = n->gid;
	st->rdev = n->pty ? pty_rdev(n->pty) : S_ISCHR(n->mode) ? dev_rdev(n->dev) : 0;
	st->size = S_ISDIR(n->mode) ? 4096 : n->size;
	st->blksize = 4096;
	st->blocks = (n->size + 511) / 512;
	st->atime_sec = n->atime;
	st->atime_nsec = n->atime_ns;
	st->mtime_sec = n->mtime;
	st->mtime_nsec = n->mtime_ns;
	st->ctime_sec = n->ctime;
}

void file_stat(const struct file *f, struct vfs_stat *st)
{
	if (f->kind == FILE_NODE) {
		node_stat(f->node, st);
		return;
	}
	memset(st, 0, sizeof(*st));
	st->dev = PIPE_DEV;
	st->nlink = 1;
	st->blksize = PIPE_ATOMIC;
	if (f->kind == FILE_SOCKET) {
		st->ino = (uint64_t)(uintptr_t)f->sock;
		st->mode = S_IFSOCK | 0777;
	} else if (f->kind == FILE_PTY_MASTER || f->kind == FILE_PTY_SLAVE) {
		st->dev = 3;	/* devfs */
		st->ino = (uint64_t)(uintptr_t)f->pty;
		st->mode = S_IFCHR | 0620;
		st->rdev = f->kind == FILE_PTY_SLAVE ? pty_rdev(f->pty) : dev_rdev(DEV_PTMX);
	} else if (f->kind == FILE_EVENTFD || f->kind == FILE_EPOLL || f->kind == FILE_TIMERFD ||
		   f->kind == FILE_REMOTE || f->kind == FILE_SIGNALFD) {
		st->ino = (uint64_t)(uintptr_t)f;
		st->mode = 0600;	/* Linux's anonymous inodes have no type */
	} else if (f->node) {
		node_stat(f->node, st);	/* a FIFO */
	} else {
		st->ino = (uint64_t)(uintptr_t)f->pipe;
		st->mode = S_IFIFO | 0600;
		st->size = f->pipe->len;
	}
}

bool file_is_console(const struct file *f)
{
	return f->kind == FILE_NODE && S_ISCHR(f->node->mode) && f->node->dev == DEV_CONSOLE;
}

short file_poll(const struct file *f, short want)
{
	short ev;

	/* Files and devices are always ready, as on Linux; the console when a read would not wait. */
	if (file_is_console(f))
		ev = (short)((tty_read_ready(dev_console_tty()) ? POLLIN : 0) | POLLOUT);
	else if (f->kind == FILE_NODE)
		ev = POLLIN | POLLOUT;
	else if (f->kind == FILE_SOCKET)
		ev = sock_poll(f->sock);
	else if (f->kind == FILE_EVENTFD)
		ev = evfd_poll(f->eventfd);
	else if (f->kind == FILE_PTY_MASTER || f->kind == FILE_PTY_SLAVE)
		ev = pty_poll(f->pty, f->kind == FILE_PTY_MASTER ? PTY_MASTER : PTY_SLAVE);
	else if (f->kind == FILE_EPOLL)
		ev = epl_poll(f->epoll);
	else if (f->kind == FILE_TIMERFD)
		ev = tfd_poll(f->timerfd);
	else if (f->kind == FILE_SIGNALFD)
		ev = sfd_poll(f->signalfd);
	else if (f->kind == FILE_FIFO_RDWR)
		ev = (short)(pipe_poll(f->pipe, false) | pipe_poll(f->pipe, true));
	else if (f->kind == FILE_PIPE_READ && f->node && !f->pipe->writers && f->pos == f->pipe->writer_opens)
		ev = (short)(pipe_poll(f->pipe, false) & ~POLLHUP);	/* no writer yet: not a hang-up (Linux) */
	else if (f->kind == FILE_REMOTE)
		ev = f->ready;
	else
		ev = pipe_poll(f->pipe, f->kind == FILE_PIPE_WRITE);
	if (ev & POLLIN)
		ev |= POLLRDNORM;
	if (ev & POLLOUT)
		ev |= POLLWRNORM;
	return ev & (want | POLLHUP | POLLERR);
}

long file_ioctl(struct file *f, unsigned long request, uint64_t arg, const void *in, size_t inlen,
		void *out, size_t *outlen, int32_t caller)
{
	*outlen = 0;
	if (f->kind == FILE_PTY_MASTER || f->kind == FILE_PTY_SLAVE)
		return pty_ioctl(f->pty, f->kind == FILE_PTY_MASTER ? PTY_MASTER : PTY_SLAVE, request, arg,
				 in, inlen, out, outlen, caller);
	if (file_is_console(f))
		return tty_ioctl(dev_console_tty(), request, arg, in, inlen, out, outlen, caller);
	return -ENOTTY;
}
