/* The vfs server's request loop (server.c, sockops.c), its blocked requests (wait.c) and its timer (timer.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../proto/vfs.h"

struct session;
struct node;

/* A request, with its long part copied out of the IPC buffer (NUL-terminated). */
struct request {
	uint64_t badge, tag, w[8];
	uint64_t cap;	/* VFS_REMOTE_ANSWER: the capability it carried (0: none) */
	size_t len;
	char data[VFS_IO_MAX + 1];
};

/* An answer being built: words 2.. (w[2..words]), the long part, capabilities (moved). */
struct reply {
	uint64_t w[8];
	unsigned words, caps;
	size_t len;
	char data[VFS_IO_MAX];
};

/* The request being handled and its answer (server.c). */
extern struct request req;
extern struct reply out;

/* A handler's result meaning "the caller waits; its reply is saved". */
#define REPLY_SAVED (-0x10000L)

/*
 * The current request cannot finish yet: the caller waits (its reply and the
 * request saved, to be performed again after later requests) unless the file
 * is non-blocking (-EAGAIN). @deadline: monotonic ns when it gives up, 0 none.
 * Returns REPLY_SAVED or -errno.
 */
long block(bool nonblocking, int64_t deadline);

/*
 * Requests that wait for one kind of event, possibly for ever (the proc
 * server's VFS_TTY_SIGNAL, an owner's VFS_REMOTE_NEXT), are parked instead:
 * performed again only after waiters_wake(@event), not after every request.
 */
#define WAIT_TTY_SIGNAL 1u
#define WAIT_REMOTE 2u
long block_until(unsigned event);

/* Whether the current request is a saved one performed again; its deadline then. */
extern bool retrying;
extern int64_t retry_deadline;
/* Counts the requests received: a waiter knows which request saved it (wait.c). */
extern uint64_t request_number;

/* A new capability to the server's endpoint with badge @number and @rights; 0 or -errno. */
int64_t session_mint(uint64_t number, uint64_t rights, uint64_t *cap);

/* Monotonic nanoseconds. */
int64_t now_ns(void);

/* Turns @r with @result into the message registers (and the IPC buffer for the long part). */
void reply_encode(const struct reply *r, long result, uint64_t msg[8]);

/* ---- wait.c ---- */

/*
 * Saves the current caller's reply with a copy of @r; 0 or -errno (then
 * answer now). @event 0: performed again after every request; else parked
 * until waiters_wake(@event).
 */
int waiter_add(const struct request *r, int64_t deadline, unsigned event);

/* Something parked waiters of @event wait for happened: they are performed again next. */
void waiters_wake(unsigned event);

/*
 * Performs every saved request again through @redo (which sees it in req,
 * with retrying set) until none makes progress, answering those that finish.
 * Returns the earliest deadline of those left (0: none).
 */
int64_t waiters_retry(long (*redo)(void));

/*
 * Whether the request in req can be taken back after it was performed (a
 * read of a pipe), so that a retry need not first ask whether its caller is
 * still there; request_undo(result) takes it back when the answer found
 * no caller (server.c).
 */
bool request_undoable(void);
void request_undo(long result);

/*
 * Calls @fn with each saved request whose caller still waits, until one
 * returns true; whether one did (lockops.c's deadlock check). @fn must not
 * change the waiters.
 */
bool waiters_find(bool (*fn)(const struct request *r, void *arg), void *arg);

/* Whether any request is to be performed again (a waiter not parked, or a woken event). */
bool waiters_any(void);

/* ---- timer.c ---- */

/* Starts the timer thread, which calls @ep (VFS_TICK) when a deadline passes; 0 or -errno. */
int timer_start(uint64_t ep);
/* The earliest deadline (monotonic ns, 0: none) for the timer thread. */
void timer_set(int64_t deadline);

/* ---- sockops.c: the socket and eventfd requests ---- */
struct file;
/*
 * block() for a socket's request, giving up after @timeo ns (its SO_RCVTIMEO
 * or SO_SNDTIMEO; 0: never, SOCK_TIMEO_NOWAIT: at once) with -EAGAIN.
 */
long sock_block(bool nonblocking, int64_t timeo);
/* VFS_WRITE on socket @f: the session's credentials go with the data (SO_PASSCRED). */
long sock_write(struct session *s, struct file *f);
long op_eventfd(struct session *s);
long op_socket(struct session *s);
long op_socketpair(struct session *s);
long op_bind(struct session *s);
long op_listen(struct session *s);
long op_accept(struct session *s);
long op_connect(struct session *s);
long op_sendmsg(struct session *s);
long op_recvmsg(struct session *s);
long op_shutdown(struct session *s);
long op_sockname(struct session *s);
long op_getsockopt(struct session *s);
long op_setsockopt(struct session *s);

/* ---- ttyops.c: terminal requests ---- */
long op_ioctl(struct session *s);
/* A pty slave's read, with VMIN and VTIME. */
long op_tty_read(struct file *f, size_t len, bool nowait);
/* ---- epollops.c, shm.c ---- */
long op_epoll_create(struct session *s);
long op_epoll_ctl(struct session *s);
long op_epoll_wait(struct session *s);
long op_timerfd_create(struct session *s);
long op_timerfd_set(struct session *s);
long op_timerfd_get(struct session *s);
long op_signalfd(struct session *s);
long op_memfd(struct session *s);
long op_mmap(struct session *s);
long op_seals(struct session *s);
/* ---- lockops.c ---- */
long op_lock(struct session *s);
/* Takes back the lock the request just performed (a retried wait) granted: its caller had left. */
void lock_wait_undo(void);
/*
 * A handle (@rights, never write) of a VMO holding read-only file @n's bytes:
 * one copy per file, made on first use and kept.
 */
int shm_image(struct node *n, uint64_t rights, uint64_t *out);
/*
 * For VFS_READ_VMO: the generation of the VMO holding regular file @n's
 * bytes in *gen (a tmpfs file moves into one, sized to it; an initrd file
 * gets its image, shm_image) and, unless the caller's handle is of that
 * generation (@have), a new handle (READ|TRANSFER|DUPLICATE: no MAP, no
 * WRITE) in *out (else 0). 0 or -errno.
 */
int shm_read_handle(struct node *n, uint64_t have, uint64_t *gen, uint64_t *out);
/* Mounts a tmpfs at /dev/shm (shm_open's directory); 0 or -errno. */
int shm_mount(struct node *dev);

/* ---- remote.c: file systems other servers serve (proto/vfs.h, "Remote file systems") ---- */
/*
 * A client's path request that reached a remote directory (fs_remote_at,
 * fs_remote_rest): forwarded. VFS_CHDIR is forwarded as an open of the
 * directory, which becomes the session's working directory.
 */
long remote_path_op(struct session *s, uint32_t op);
/*
 * A name request (mkdir, unlink, mknod, chmod, chown, utimes, statfs) whose
 * path reached a remote tree (fs_remote_at, fs_remote_rest): the owner is
 * asked whether the directory of its last component (REMOTE_NAME_DIR: the
 * name is not followed), or the whole path with a link at its end followed
 * (REMOTE_NAME_FOLLOWED), leads out of the tree (a symbolic link to
 * elsewhere: then the client gets that path, with the name after it,
 * -VFS_EFOLLOW); else -EROFS (or the owner's error), as names there are the
 * owner's.
 */
enum remote_name { REMOTE_NAME_DIR, REMOTE_NAME_FOLLOWED };
/*
 * A request with more than the one path (rename, link, symlink) or a socket
 * address (bind, connect): the client gets its whole long part back, the
 * new path in place of [@at, @end) of @data, and w2 = @index. A name that
 * is the tree's own is @no_link_out (EXDEV when the other path is
 * elsewhere, as Linux's mounts).
 */
struct name_frame {
	const char *data;
	size_t len, at, end;
	unsigned index;
	bool addr;
	long no_link_out;
	struct node *then_at; /* the other path reached this remote directory too: if the first */
	const char *then;     /* is no link out, the owner is asked about this directory of it */
};
/* The directory of the last component of fs_remote_rest, into @dir (FS_PATH_MAX): 0, or -EROFS. */
int remote_name_dir(char *dir);
long remote_name_op(struct session *s, enum remote_name which, const struct name_frame *fr);
/*
 * A path from remote directory @dir (an open one, or the working directory):
 * -EREMOTE with fs_remote_at and fs_remote_rest set for remote_path_op, or
 * 0 with *@at the directory above the tree and *@path what follows a ".."
 * out of it (fs_remote_join); -ENOTDIR for a file, -ENOENT once its owner
 * went (or for an empty path).
 */
int remote_dir_walk(struct file *dir, const char **path, struct node **at);
/* fchdir to remote directory @f. */
long remote_fchdir(struct session *s, struct file *f);
/* A client's request @op on remote file @f: forwarded, or answered here (seek, errors). */
long remote_file_op(struct session *s, struct file *f, uint32_t op);
long op_remote_mount(struct session *s);
long op_remote_next(struct session *s);
/* @cap: the capability the answer carried (0: none); taken. */
long op_remote_answer(struct session *s, uint64_t cap);
long op_remote_ready(struct session *s);
/* Session @number ended: the mounts it served go; their waiting clients get -EIO. */
void remote_session_end(uint64_t number);
