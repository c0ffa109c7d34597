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
 * a socket sent through itself is never freed (there is no collector).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../proto/vfs.h"
#include "fs.h"

struct file;

/* Who made a socket (or connected it): SO_PEERCRED. */
struct sock_cred {
	uint64_t pid;
	uint32_t uid, gid;
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
	char data[];
};

enum sock_state { SOCK_FRESH, SOCK_LISTENING, SOCK_CONNECTED };

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
	int opts[4];			/* SO_PASSCRED, SO_KEEPALIVE, SO_REUSEADDR, SO_LINGER.l_onoff: recorded */
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
 * the result is > 0, or 0 for an empty message) to the peer or to @to.
 * Streams take what fits; datagrams all or -EAGAIN.
 */
long sock_send(struct sock *s, const void *buf, size_t len, struct file **files, unsigned nfiles,
	       const struct cred *c, struct node *cwd, const struct sock_name *to);

/* What sock_recv found besides the bytes. */
struct sock_recv_info {
	struct file *files[VFS_SCM_MAX];	/* referenced; the caller owns them */
	unsigned nfiles;
	bool truncated;				/* MSG_TRUNC */
	struct sock_name from;
};

/*
 * Receives up to @len bytes (MSG_PEEK in @flags: leaves them; VFS_MSG_NOFILES:
 * -EAGAIN rather than take data that carries files). @info NULL: files are
 * closed. Returns bytes, 0 at end of file, -EAGAIN when it would wait.
 */
long sock_recv(struct sock *s, void *buf, size_t len, int flags, struct sock_recv_info *info);

/* POLLIN/POLLOUT/POLLHUP/POLLERR. */
short sock_poll(const struct sock *s);

/* SOL_SOCKET options: get into *value (SO_PEERCRED: *cred), set from @value. */
int sock_getopt(struct sock *s, int name, int64_t *value, struct sock_cred *cred);
int sock_setopt(struct sock *s, int name, int64_t value);
