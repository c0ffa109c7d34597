/*
 * The vfs server's part of /proc/<pid>/fd (the proc server serves the
 * directory, proto/vfs.h VFS_FD_PATH and VFS_REMOTE_REOPEN): what an open
 * file is called, and opening again what an open file holds.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../proto/vfs.h"
#include "file.h"
#include "pty.h"

/* "<what>:[<ino>]", Linux's name of a file that has no path. */
static int anon(char *buf, size_t size, const char *what, const struct file *f)
{
	struct vfs_stat st;

	file_stat(f, &st);
	int n = snprintf(buf, size, "%s:[%llu]", what, (unsigned long long)st.ino);
	return n < 0 || (size_t)n >= size ? -ERANGE : n;
}

static int text(char *buf, size_t size, const char *s)
{
	size_t n = strlen(s);

	if (n >= size)
		return -ERANGE;
	memcpy(buf, s, n + 1);
	return (int)n;
}

/* The path of node @n, with " (deleted)" when it has no name left, as Linux says it. */
static int node_path(const struct node *n, char *buf, size_t size)
{
	int r = fs_path_of(n, buf, size);

	if (r > 0)
		return r - 1;
	if (r != -ENOENT)
		return r;
	/* Its own name is gone (unlinked, or an O_TMPFILE file): Linux says "/dir/name (deleted)". */
	char name[VFS_IO_MAX];
	int d = n->parent && n->parent != n ? fs_path_of(n->parent, name, sizeof(name)) : -ENOENT;
	int k = d > 0 ? snprintf(buf, size, "%s/%s (deleted)", d > 2 ? name : "", n->name)
		      : snprintf(buf, size, "/%s (deleted)", n->name);
	return k < 0 || (size_t)k >= size ? -ERANGE : k;
}

int file_describe(const struct file *f, char *buf, size_t size)
{
	switch (f->kind) {
	case FILE_NODE: return node_path(f->node, buf, size);
	case FILE_PIPE_READ:
	case FILE_PIPE_WRITE:
	case FILE_FIFO_RDWR: return f->node ? node_path(f->node, buf, size) : anon(buf, size, "pipe", f);
	case FILE_SOCKET: return anon(buf, size, "socket", f);
	case FILE_EVENTFD: return text(buf, size, "anon_inode:[eventfd]");
	case FILE_EPOLL: return text(buf, size, "anon_inode:[eventpoll]");
	case FILE_TIMERFD: return text(buf, size, "anon_inode:[timerfd]");
	case FILE_SIGNALFD: return text(buf, size, "anon_inode:[signalfd]");
	case FILE_PTY_MASTER: return text(buf, size, "/dev/ptmx");
	case FILE_PTY_SLAVE: {
		char name[32];
		snprintf(name, sizeof(name), "/dev/pts/%u", (unsigned)(pty_rdev(f->pty) & 0xff));
		return text(buf, size, name);
	}
	case FILE_REMOTE: return text(buf, size, f->path ? f->path : "anon_inode:[remote]");
	}
	return -EINVAL;
}

/* A new end of @f's pipe (an anonymous pipe has no node to open again). */
static int pipe_end(const struct file *f, int flags, struct file **out)
{
	int acc = flags & O_ACCMODE;
	struct file *n;

	if (acc == O_ACCMODE)
		return -EINVAL;
	if (!(n = calloc(1, sizeof(*n))))
		return -ENOMEM;
	*n = (struct file){.refs = 1, .pipe = f->pipe, .flags = flags};
	n->kind = acc == O_RDONLY ? FILE_PIPE_READ : acc == O_WRONLY ? FILE_PIPE_WRITE : FILE_FIFO_RDWR;
	if (acc != O_WRONLY)
		f->pipe->readers++;
	if (acc != O_RDONLY)
		f->pipe->writers++;
	*out = n;
	return 0;
}

int file_reopen(const struct file *f, int flags, const struct cred *c, struct file **out)
{
	int fflags = flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY | O_CLOEXEC), err;

	switch (f->kind) {
	case FILE_NODE:
		if ((err = fs_open_node(c, f->node, flags & ~O_CREAT, false)))
			return err;
		return file_open(f->node, fflags, c, out);
	case FILE_PIPE_READ:
	case FILE_PIPE_WRITE:
	case FILE_FIFO_RDWR:
		if (f->node) {
			/* A FIFO: opened again by its name's node, without waiting for a partner. */
			if ((err = fs_open_node(c, f->node, flags & ~O_CREAT, false)))
				return err;
			return fifo_open(f->node, fflags, out);
		}
		return pipe_end(f, fflags, out);
	default: return -ENXIO; /* sockets, anonymous files, pseudo-terminal ends, remote files */
	}
}
