/*
 * AF_UNIX sockets of the vfs server: stream, datagram and seqpacket sockets,
 * bound to a socket node of the tree or to an abstract name, listening,
 * connected in pairs; messages carry open files (SCM_RIGHTS). Pure C like
 * the tree, so the host unit tests build it.
 *
 * Lifetime: a socket is referenced by its open file (one), by the peer
 * connected to it, by the listener whose backlog holds it and by datagram
 * sockets connected to it. Closing the file marks it closed (its peers see
 * end of file, EPIPE or ECONNREFUSED) and frees its queue; the memory goes
 * with the last reference. Files in flight are referenced by their message;
 * sockets whose files are in flight only in each other's queues (a socket
 * sent through itself, two sent through each other) are found by the
 * collector (sockgc.c) once the last id of one goes, and closed.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../proto/vfs.h"
#include "fs.h"

struct file;

/* Who made a socket (or connected it): SO_PEERCRED; who sent a message: SCM_CREDENTIALS. */
struct sock_cred {
	uint64_t pid;
	uint32_t uid, gid;
};

/* The credentials of a message sent without any (as Linux: pid 0, the overflow ids). */
#define SOCK_CRED_NONE ((struct sock_cred){0, 65534, 65534})

/* Who sends a message (sock_send). */
struct sock_sender {
	struct sock_cred cred;	/* the caller's, or the SCM_CREDENTIALS it sent (checked) */
	bool scm;		/* sent with SCM_CREDENTIALS: attached even without SO_PASSCRED */
};

/* A name: sun_path's bytes (a path without its NUL, or a NUL and an abstract name). */
struct sock_name {
	size_t len;	/* 0: unnamed */
	char path[VFS_ADDR_MAX];
};

struct sock_msg {
	struct sock_msg *next;
	size_t len, off;		/* bytes, and bytes already read (streams) */
	struct file **files;		/* SCM_RIGHTS in flight, referenced */
	unsigned nfiles;
	struct sock_name from;		/* datagrams: the sender's name */
	struct sock_cred cred;		/* SCM_CREDENTIALS attached, or SOCK_CRED_NONE */
	char data[];
};

enum sock_state { SOCK_FRESH, SOCK_LISTENING, SOCK_CONNECTED };

/* SO_RCVTIMEO/SO_SNDTIMEO of a negative time: the socket never waits (Linux's 0 jiffies). */
#define SOCK_TIMEO_NOWAIT (-1)

/* Where the collector (sockgc.c) is with a socket while it runs. */
enum sock_gc_mark { SOCK_GC_NONE, SOCK_GC_CANDIDATE, SOCK_GC_REACHABLE };

struct sock {
	unsigned refs;
	struct lock *locks;	/* advisory locks on it (lock.h), freed with it */
	int type;			/* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	enum sock_state state;
	bool closed;			/* its file is gone */
	bool rd_shut, wr_shut;		/* shutdown() of this end */
	struct sock *peer;		/* connected: the other end (referenced) */
	struct sock_msg *rx, **rx_tail;	/* received, oldest first */
	size_t rx_bytes, rcvbuf, sndbuf;
	struct sock *pending, **pending_tail;	/* listening: connections not yet accepted (referenced) */
	struct sock *next_pending;
	unsigned npending, backlog;
	struct sock_cred cred, peer_cred;
	struct sock_name name;
	struct node *node;		/* bound to a path: its socket node (referenced) */
	struct sock *next_abstract;	/* bound to an abstract name: the list of those */
	int error;			/* SO_ERROR */
	bool passcred;			/* SO_PASSCRED: what it receives says who sent it */
	int opts[3];			/* SO_KEEPALIVE, SO_REUSEADDR, SO_LINGER.l_onoff: kept */
	int64_t rcvtimeo, sndtimeo;	/* in ns: 0 none, or SOCK_TIMEO_NOWAIT */
	struct file *file;		/* its open file; NULL before accept and after the close */
	/* The collector (sockgc.c): */
	unsigned inflight;		/* references to its file held by queued messages */
	struct sock *inflight_next, **inflight_prev;	/* the sockets with inflight > 0 */
	enum sock_gc_mark gc_mark;
	unsigned gc_refs;		/* inflight ones from outside the candidates' queues */
	struct sock *gc_next, *gc_work;	/* the candidates; those found reachable, to scan */
};

/* A new socket of @type (with SOCK_* flag bits removed) made by @cred; -EINVAL/-ENOMEM. */
int sock_create(int type, const struct sock_cred *cred, struct sock **out);
/* Two connected sockets. */
int sock_pair(int type, const struct sock_cred *cred, struct sock **a, struct sock **b);
/* The file is closing: peers notice, the queue and the name go. */
void sock_close(struct sock *s);
void sock_put(struct sock *s);

/* sockaddr_un bytes (@len of them) -> a name: -EINVAL if malformed. */
int sock_name_parse(const void *addr, size_t len, struct sock_name *out);
/* A name -> sockaddr_un bytes in @buf (VFS_ADDR_MAX); returns their length. */
size_t sock_name_put(const struct sock_name *n, void *buf);

/* Binds to a path (a socket node of mode @mode; -EADDRINUSE if the name exists), an abstract name, or (empty) an abstract one chosen here. */
int sock_bind(struct sock *s, const struct cred *c, struct node *cwd, const struct sock_name *n,
	      uint32_t mode);
int sock_listen(struct sock *s, int backlog);
/* The next pending connection (-EAGAIN: none; -EINVAL: not listening). */
int sock_accept(struct sock *s, struct sock **out);
int sock_connect(struct sock *s, const struct cred *c, struct node *cwd, const struct sock_name *n,
		 const struct sock_cred *who);
int sock_shutdown(struct sock *s, int how);

/*
 * Sends @len bytes and the @nfiles referenced files @files (taken only when
 * the result is > 0, or 0 for an empty message) to the peer or to @to, from
 * @from (NULL: the socket's maker, without SCM_CREDENTIALS), whose
 * credentials the message carries when either end has SO_PASSCRED or
 * @from->scm. Streams take what fits; datagrams all or -EAGAIN.
 */
long sock_send(struct sock *s, const void *buf, size_t len, struct file **files, unsigned nfiles,
	       const struct cred *c, struct node *cwd, const struct sock_name *to,
	       const struct sock_sender *from);

/* What sock_recv found besides the bytes. */
struct sock_recv_info {
	struct file *files[VFS_SCM_MAX];	/* referenced; the caller owns them */
	unsigned nfiles;
	bool truncated;				/* MSG_TRUNC */
	struct sock_name from;
	struct sock_cred cred;			/* the first message's SCM_CREDENTIALS */
};

/*
 * Receives up to @len bytes (MSG_PEEK in @flags: leaves them; VFS_MSG_NOFILES:
 * 0 rather than take data that carries files; MSG_WAITALL, streams only:
 * -EAGAIN while fewer than @len bytes are there before such data or data of
 * another sender, unless at end of file or an error). A stream read with
 * SO_PASSCRED stops before data of other credentials. @info NULL: files are
 * closed. Returns bytes, 0 at end of file, -EAGAIN when it would wait.
 */
long sock_recv(struct sock *s, void *buf, size_t len, int flags, struct sock_recv_info *info);

/* POLLIN/POLLOUT/POLLHUP/POLLERR. */
short sock_poll(const struct sock *s);

/* SOL_SOCKET options: get into *value (SO_PEERCRED: *cred), set from @value. */
int sock_getopt(struct sock *s, int name, int64_t *value, struct sock_cred *cred);
int sock_setopt(struct sock *s, int name, int64_t value);

/* ---- sockgc.c: the collector of sockets in flight ---- */

/* A queued message took (sock_inflight_add) or gives up (sock_inflight_del) its reference to @f. */
void sock_inflight_add(struct file *f);
void sock_inflight_del(struct file *f);
/* Takes every message queued on @s, and on the connections it has not accepted, as one list. */
struct sock_msg *sock_queue_take(struct sock *s);
/* Frees a message taken off its queue, releasing the files in flight in it. */
void sock_msg_free(struct sock_msg *m);
/* Set when a socket's file lost its last reference other than messages' (file_put). */
extern bool sock_gc_wanted;
/*
 * Like Linux's unix_gc: sockets whose files are referenced only by messages
 * queued on sockets that are themselves referenced only so (a cycle no id
 * reaches) lose their queued messages, which closes them and releases the
 * files in flight there. Run by the server after a request set sock_gc_wanted.
 */
void sock_gc(void);
