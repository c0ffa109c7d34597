/*
 * Open files of the vfs server: a node, a pipe end, a socket or an eventfd, with the open flags and
 * the offset, shared by every id that refers to it (dup, inheritance).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "fs.h"
#include "epoll.h"
#include "eventfd.h"
#include "pipe.h"
#include "signalfd.h"
#include "sock.h"
#include "timerfd.h"

struct vfs_stat;

enum file_kind { FILE_NODE, FILE_PIPE_READ, FILE_PIPE_WRITE, FILE_SOCKET, FILE_EVENTFD,
		 FILE_PTY_MASTER, FILE_PTY_SLAVE, FILE_EPOLL, FILE_TIMERFD, FILE_FIFO_RDWR,
		 FILE_REMOTE, FILE_SIGNALFD };

struct remote;

struct file {
	unsigned refs;		/* ids (in any session) and blocked operations */
	enum file_kind kind;
	struct node *node;	/* FILE_NODE, and a FIFO's pipe ends: referenced */
	struct pipe *pipe;	/* the pipe ends (a FIFO's: node->fifo; FILE_FIFO_RDWR is both) */
	struct sock *sock;	/* FILE_SOCKET: its one reference */
	struct eventfd *eventfd;	/* FILE_EVENTFD: owned */
	struct pty *pty;	/* the pseudo-terminal ends (pty.c) */
	struct epoll *epoll;	/* FILE_EPOLL: owned */
	/* One of these by kind (a union: the struct stays in its malloc size class). */
	union {
		struct timerfd *timerfd;	/* FILE_TIMERFD: owned */
		char *path;			/* FILE_REMOTE: its path as opened (owned; NULL if unknown) */
	};
	struct signalfd *signalfd;	/* FILE_SIGNALFD: owned */
	struct remote *remote;	/* FILE_REMOTE: the server that serves it (remote.c), referenced */
	uint64_t handle;	/* FILE_REMOTE: the owner's number for it */
	short ready;		/* FILE_REMOTE: the POLL* events the owner last reported */
	bool dir;		/* FILE_REMOTE: a directory (the owner's answer to the open) */
	uint16_t rest;		/* FILE_REMOTE: where in path its part below the mounted directory starts */
	struct file *remote_next;	/* FILE_REMOTE: the next file of the same remote */
	int flags;		/* O_ACCMODE | O_APPEND | O_NONBLOCK | ... as opened */
	uint64_t pos;		/* offset, getdents position for directories; a FIFO end: its partners' opens at open */
};

/* A zeroed open file (from the spares when there are any) or NULL; file_free takes it back. */
struct file *file_new(void);
void file_free(struct file *f);
/* A new open file of @n (taking a node reference) or NULL without memory. */
struct file *file_of_node(struct node *n, int flags);
/* A new open file of node @n as open(2) makes it (a pseudo-terminal end for /dev/ptmx and
 * /dev/pts/N) in *out; 0 or -errno. */
int file_open(struct node *n, int flags, const struct cred *c, struct file **out);
/*
 * open(2) of a FIFO: a read, write or read-write end of @n's pipe (made with
 * the first end) in *out. -ENXIO for O_WRONLY|O_NONBLOCK without a reader.
 * An O_RDONLY (O_WRONLY) open without O_NONBLOCK waits for a writer (reader):
 * fifo_ready says whether its partner has come since.
 */
int fifo_open(struct node *n, int flags, struct file **out);
bool fifo_ready(const struct file *f);
/* The two ends of a new pipe (*r, *w), or -ENOMEM. */
int file_pipe(int flags, struct file **r, struct file **w);

/* An open file of socket @s (taking its reference) / of a new eventfd; NULL without memory. */
struct file *file_of_sock(struct sock *s, int flags);
struct file *file_of_eventfd(uint64_t count, bool semaphore, int flags);
/* An open file of a new epoll instance / a new timerfd on @clock; NULL without memory. */
struct file *file_of_epoll(void);
struct file *file_of_timerfd(int clock, int flags);
/* An open file of a new signalfd of @pid's signals in @mask; NULL without memory. */
struct file *file_of_signalfd(uint64_t pid, uint64_t mask, int flags);

/* Called as the last reference to a FILE_REMOTE file goes (remote.c; NULL in the unit tests). */
extern void (*file_remote_put)(struct file *f);

/*
 * The list @f's advisory locks are on (lock.h): its node's, or for a file
 * without one, its pipe's, socket's or pseudo-terminal's, or the one list
 * of the anonymous files (Linux's one anonymous inode); NULL for a remote
 * file (its locks would be its owner's business).
 */
struct lock;
struct lock **file_locks(struct file *f);

void file_get(struct file *f);
/* Drops a reference; the last one closes the file (a pipe end: its count). */
void file_put(struct file *f);

/*
 * Reads and writes at the file's offset (@at == NULL) or at *@at (pread,
 * pwrite). Returns bytes or -errno; -EAGAIN from a pipe means "would block",
 * which the server turns into waiting unless the file is O_NONBLOCK.
 */
long file_read(struct file *f, void *buf, size_t len, const uint64_t *at);
long file_write(struct file *f, const void *buf, size_t len, const uint64_t *at);
long file_seek(struct file *f, int64_t off, int whence);
void node_stat(const struct node *n, struct vfs_stat *st);
void file_stat(const struct file *f, struct vfs_stat *st);
/* Ready events among @want (POLLIN/POLLOUT, POLLRDNORM/POLLWRNORM) plus POLLHUP/POLLERR. */
short file_poll(const struct file *f, short want);

/*
 * What readlink of /proc/<pid>/fd/N says of @f (fdpath.c): its path, or
 * "pipe:[ino]", "socket:[ino]", "anon_inode:[eventfd]"... into @buf with
 * a NUL; returns the length without it, or -ERANGE.
 */
int file_describe(const struct file *f, char *buf, size_t size);
/*
 * Opening /proc/<pid>/fd/N: a new open file of what @f holds, with open(2)'s
 * @flags, as a client with @c may open it (fdpath.c): a node opened again
 * (access checked, O_TRUNC), a new end of a pipe; -ENXIO for a socket or
 * an anonymous file.
 */
int file_reopen(const struct file *f, int flags, const struct cred *c, struct file **out);

/* Whether @f is /dev/console (its terminal is dev_console_tty()). */
bool file_is_console(const struct file *f);
/* Terminal ioctls (tty_ioctl) on a terminal's open file; -ENOTTY on any other. */
long file_ioctl(struct file *f, unsigned long request, uint64_t arg, const void *in, size_t inlen,
		void *out, size_t *outlen, int32_t caller);
