/*
 * The socket and eventfd requests of proto/vfs.h: decoding (every malformed
 * request is -EINVAL and changes nothing) and the calls into sock.c and
 * eventfd.c; a request that would block waits (block()), at most the
 * socket's SO_RCVTIMEO or SO_SNDTIMEO (sock_block()).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include "file.h"
#include "server.h"
#include "session.h"
#include "sock.h"

/* The placeholder pid of a session the proc server did not name (what getpid gives until it does).
 */
#define PID_UNKNOWN 1

static struct sock_cred cred_of(const struct session *s)
{
	return (struct sock_cred){s->pid ? s->pid : PID_UNKNOWN, s->cred.uid, s->cred.gid};
}

/*
 * The request waits, with timeout @timeo (SO_RCVTIMEO or SO_SNDTIMEO) from
 * now or until @deadline (a MSG_WAITALL read's, 0: none); -EAGAIN once that
 * passed. A retry keeps the deadline of its first attempt.
 */
static long wait_until(bool nonblocking, int64_t timeo, int64_t deadline)
{
	if (nonblocking || timeo == SOCK_TIMEO_NOWAIT)
		return -EAGAIN;
	if (retrying)
		deadline = retry_deadline;
	else if (!deadline) {
		int64_t now = timeo ? now_ns() : 0;
		return block(false, !timeo || timeo > INT64_MAX - now ? 0 : now + timeo);
	}
	return deadline && now_ns() >= deadline ? -EAGAIN : block(false, deadline);
}

long sock_block(bool nonblocking, int64_t timeo)
{
	return wait_until(nonblocking, timeo, 0);
}

/* The socket of id @id; NULL with *err = -EBADF or -ENOTSOCK. */
static struct sock *sock_arg(struct session *s, uint64_t id, struct file **fp, long *err)
{
	struct file *f = session_file(s, id);

	*err = !f ? -EBADF : f->kind != FILE_SOCKET ? -ENOTSOCK : 0;
	if (*err)
		return NULL;
	if (fp)
		*fp = f;
	return f->sock;
}

/* Gives @f (may be NULL: no memory) an id; on failure it is closed. */
static int64_t add(struct session *s, struct file *f)
{
	if (!f)
		return -ENOMEM;
	int64_t id = session_add(s, f);
	if (id < 0)
		file_put(f);
	return id;
}

/* An open file for @so and an id for it; on failure the socket is closed. */
static int64_t add_sock(struct session *s, struct sock *so, int flags)
{
	struct file *f = file_of_sock(so, flags);

	if (!f) {
		sock_close(so);
		sock_put(so);
		return -ENOMEM;
	}
	return add(s, f);
}

/* SOCK_* type and flag bits: the type and the file's O_NONBLOCK. */
static int type_arg(uint64_t w, int *type, int *flags)
{
	if (w & ~(uint64_t)(0xf | SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	*type = (int)(w & 0xf);
	*flags = (w & SOCK_NONBLOCK) ? O_NONBLOCK : 0;
	return 0;
}

/* The request's address: its first @len bytes (the whole long part if @len is 0). */
static int name_arg(size_t len, struct sock_name *n)
{
	if (len > req.len)
		return -EINVAL;
	return sock_name_parse(req.data, len, n);
}

long op_eventfd(struct session *s)
{
	uint64_t count = req.w[1], flags = req.w[2];

	if (count > UINT32_MAX || (flags & ~(uint64_t)(EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC)))
		return -EINVAL;
	return add(s, file_of_eventfd(count, flags & EFD_SEMAPHORE,
				      (flags & EFD_NONBLOCK) ? O_NONBLOCK : 0));
}

long op_socket(struct session *s)
{
	struct sock_cred cred = cred_of(s);
	struct sock *so;
	int type, flags, err;

	if ((err = type_arg(req.w[1], &type, &flags)) || (err = sock_create(type, &cred, &so)))
		return err;
	return add_sock(s, so, flags);
}

long op_socketpair(struct session *s)
{
	struct sock_cred cred = cred_of(s);
	struct sock *a, *b;
	int type, flags, err;

	if ((err = type_arg(req.w[1], &type, &flags)) || (err = sock_pair(type, &cred, &a, &b)))
		return err;
	int64_t ida = add_sock(s, a, flags);
	if (ida < 0) {
		sock_close(b);
		sock_put(b);
		return ida;
	}
	int64_t idb = add_sock(s, b, flags);
	if (idb < 0) {
		session_close(s, (uint64_t)ida);
		return idb;
	}
	out.w[2] = (uint64_t)ida;
	out.w[3] = (uint64_t)idb;
	out.words = 3;
	return 0;
}

long op_bind(struct session *s)
{
	struct sock_name n;
	long err;
	struct sock *so = sock_arg(s, req.w[1], NULL, &err);

	if (!so)
		return err;
	if ((err = name_arg(req.len, &n)))
		return err;
	return sock_bind(so, &s->cred, s->cwd, &n, (uint32_t)req.w[2] & 0777);
}

long op_listen(struct session *s)
{
	long err;
	struct sock *so = sock_arg(s, req.w[1], NULL, &err);

	return so ? sock_listen(so, (int)(req.w[2] > INT_MAX ? INT_MAX : req.w[2])) : err;
}

long op_accept(struct session *s)
{
	struct file *f;
	struct sock *a;
	long err;
	struct sock *so = sock_arg(s, req.w[1], &f, &err);

	if (!so)
		return err;
	if (req.w[2] & ~(uint64_t)(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	if ((err = sock_accept(so, &a)) == -EAGAIN)
		return sock_block(f->flags & O_NONBLOCK, so->rcvtimeo);
	if (err)
		return err;
	struct sock_name peer = a->peer ? a->peer->name : (struct sock_name){0};
	int64_t id = add_sock(s, a, (req.w[2] & SOCK_NONBLOCK) ? O_NONBLOCK : 0);
	if (id >= 0)
		out.len = sock_name_put(&peer, out.data);
	return id;
}

long op_connect(struct session *s)
{
	struct sock_cred cred = cred_of(s);
	struct sock_name n;
	struct file *f;
	long err;
	struct sock *so = sock_arg(s, req.w[1], &f, &err);

	if (!so)
		return err;
	if ((err = name_arg(req.len, &n)))
		return err;
	/* As Linux's for AF_UNIX, a connect that waited SO_SNDTIMEO in vain is -EAGAIN. */
	if ((err = sock_connect(so, &s->cred, s->cwd, &n, &cred)) == -EAGAIN)
		return sock_block(f->flags & O_NONBLOCK, so->sndtimeo);
	return err;
}

/*
 * SCM_CREDENTIALS @u sent by @s, checked as Linux does: a caller other than
 * root may only send its own pid, uid and gid (-EPERM); ids of -1 are
 * -EINVAL, and a pid no process has -ESRCH.
 */
static int scm_cred(const struct session *s, const struct vfs_ucred *u, struct sock_cred *out)
{
	struct sock_cred me = cred_of(s);
	bool own_pid = u->pid > 0 && (uint64_t)u->pid == me.pid;

	if (u->uid == (uint32_t)-1 || u->gid == (uint32_t)-1)
		return -EINVAL;
	if (s->cred.uid != 0 && (!own_pid || u->uid != me.uid || u->gid != me.gid))
		return -EPERM;
	if (!own_pid && (u->pid <= 0 || !session_of_pid((uint64_t)u->pid, NULL)))
		return -ESRCH;
	*out = (struct sock_cred){(uint64_t)u->pid, u->uid, u->gid};
	return 0;
}

long sock_write(struct session *s, struct file *f)
{
	struct sock_sender from = {cred_of(s), false};

	if ((f->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	long r = sock_send(f->sock, req.data, req.len, NULL, 0, NULL, NULL, NULL, &from);
	return r == -EAGAIN ? sock_block(f->flags & O_NONBLOCK, f->sock->sndtimeo) : r;
}

long op_sendmsg(struct session *s)
{
	uint64_t flags = req.w[2], nids = req.w[3], alen = req.w[4];
	size_t clen = (flags & VFS_MSG_CREDS) ? sizeof(struct vfs_ucred) : 0;
	struct sock_sender from = {cred_of(s), false};
	struct file *files[VFS_SCM_MAX], *f;
	struct sock_name to;
	long err;
	struct sock *so = sock_arg(s, req.w[1], &f, &err);

	if (!so)
		return err;
	if (nids > VFS_SCM_MAX || alen > VFS_ADDR_MAX || alen + 8 * nids + clen > req.len)
		return -EINVAL;
	size_t off = alen + 8 * nids + clen, len = req.len - off;
	/* w5: the bytes of the whole message; a datagram must come in one request. */
	if (so->type != SOCK_STREAM && req.w[5] != len)
		return req.w[5] > len ? -EMSGSIZE : -EINVAL;
	if (alen && (err = name_arg(alen, &to)))
		return err;
	if (alen && so->type != SOCK_DGRAM)
		return so->state == SOCK_CONNECTED ? -EISCONN : -EOPNOTSUPP;
	if (clen) {
		struct vfs_ucred u;
		memcpy(&u, req.data + alen + 8 * nids, sizeof(u));
		if ((err = scm_cred(s, &u, &from.cred)))
			return err;
		from.scm = true;
	}
	for (unsigned i = 0; i < nids; i++) {
		uint64_t id;
		memcpy(&id, req.data + alen + 8 * i, 8);
		if (!(files[i] = session_file(s, id))) {
			while (i--)
				file_put(files[i]);
			return -EBADF;
		}
		file_get(files[i]);
	}
	long r = sock_send(so, req.data + off, len, files, (unsigned)nids, &s->cred, s->cwd,
			   alen ? &to : NULL, &from);
	if (r == -EAGAIN)
		return sock_block((f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT), so->sndtimeo);
	return r;
}

long op_recvmsg(struct session *s)
{
	static struct sock_recv_info info;
	static char data[VFS_IO_MAX];
	uint64_t len = req.w[2], flags = req.w[3], most = req.w[4];
	/* A MSG_WAITALL read's later pieces wait until its first piece's deadline. */
	int64_t given = (req.tag & 15) >= 5 ? (int64_t)req.w[5] : 0;
	const uint64_t known =
	    MSG_PEEK | MSG_DONTWAIT | MSG_WAITALL | MSG_CMSG_CLOEXEC | MSG_TRUNC | VFS_MSG_NOFILES;
	struct file *f;
	long err;
	struct sock *so = sock_arg(s, req.w[1], &f, &err);

	if (!so)
		return err;
	if (len > VFS_IO_MAX || (flags & ~known) || given < 0)
		return -EINVAL;
	if (most > VFS_SCM_MAX)
		most = VFS_SCM_MAX;
	size_t clen = so->passcred ? sizeof(struct vfs_ucred) : 0;
	size_t room = VFS_IO_MAX - 8 * most - (so->type == SOCK_STREAM ? 0 : VFS_ADDR_MAX) - clen;
	bool nonblocking = (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT);
	/* MSG_WAITALL: streams only, as Linux; at the deadline, what there is. */
	bool waitall = (flags & MSG_WAITALL) && so->type == SOCK_STREAM;
	int64_t deadline = retrying ? retry_deadline : given;
	int rflags = (int)(flags & (MSG_PEEK | VFS_MSG_NOFILES));
	if (waitall && !nonblocking && so->rcvtimeo != SOCK_TIMEO_NOWAIT &&
	    !(deadline && now_ns() >= deadline))
		rflags |= MSG_WAITALL;
	/* No message (the end of file): Linux's credentials are zeros. */
	memset(&info, 0, sizeof(info));
	long r = sock_recv(so, data, len < room ? len : room, rflags, &info);
	if (r == -EAGAIN)
		return wait_until(nonblocking, so->rcvtimeo, waitall ? given : 0);
	if (r < 0)
		return r;
	uint64_t n = 0, mflags = info.truncated ? MSG_TRUNC : 0;
	for (unsigned i = 0; i < info.nfiles; i++) {
		int64_t id = n < most ? session_add(s, info.files[i]) : -1;
		if (id < 0) {
			file_put(info.files[i]);
			mflags |= MSG_CTRUNC;
			continue;
		}
		memcpy(out.data + 8 * n++, &id, 8);
	}
	/* As Linux: no address from a stream or an unnamed sender. */
	size_t alen = so->type == SOCK_STREAM || !info.from.len
			  ? 0
			  : sock_name_put(&info.from, out.data + 8 * n);
	size_t at = 8 * n + alen;
	if (clen) {
		/* SO_PASSCRED: every message says who sent it (SOCK_CRED_NONE if nobody said). */
		struct vfs_ucred u = {(int32_t)info.cred.pid, info.cred.uid, info.cred.gid, 0};
		memcpy(out.data + at, &u, sizeof(u));
		at += sizeof(u);
		mflags |= VFS_MSG_CREDS;
	}
	memcpy(out.data + at, data, (size_t)r);
	out.len = at + (size_t)r;
	out.w[2] = mflags;
	out.w[3] = n;
	out.w[4] = alen;
	out.w[5] = (uint64_t)so->type;
	out.words = 5;
	if (waitall) {
		out.w[6] = (uint64_t)deadline;
		out.words = 6;
	}
	return r;
}

long op_shutdown(struct session *s)
{
	long err;
	struct sock *so = sock_arg(s, req.w[1], NULL, &err);

	if (!so)
		return err;
	return req.w[2] > SHUT_RDWR ? -EINVAL : sock_shutdown(so, (int)req.w[2]);
}

long op_sockname(struct session *s)
{
	long err;
	struct sock *so = sock_arg(s, req.w[1], NULL, &err);

	if (!so)
		return err;
	if (req.w[2] > 1)
		return -EINVAL;
	const struct sock_name *n = &so->name;
	if (req.w[2]) {
		if (so->state != SOCK_CONNECTED || !so->peer)
			return -ENOTCONN;
		n = &so->peer->name;
	}
	out.len = sock_name_put(n, out.data);
	return 0;
}

long op_getsockopt(struct session *s)
{
	struct sock_cred cred;
	int64_t value = 0;
	long err;
	struct sock *so = sock_arg(s, req.w[1], NULL, &err);

	if (!so)
		return err;
	if (req.w[2] > INT_MAX)
		return -ENOPROTOOPT;
	if ((err = sock_getopt(so, (int)req.w[2], &value, &cred)))
		return err;
	if (req.w[2] == SO_PEERCRED) {
		out.w[2] = cred.pid;
		out.w[3] = cred.uid;
		out.w[4] = cred.gid;
		out.words = 4;
		return 0;
	}
	out.w[2] = (uint64_t)value;
	out.words = 2;
	return 0;
}

long op_setsockopt(struct session *s)
{
	long err;
	struct sock *so = sock_arg(s, req.w[1], NULL, &err);

	if (!so)
		return err;
	if (req.w[2] > INT_MAX)
		return -ENOPROTOOPT;
	/* An int, but the timeouts' nanoseconds. */
	bool timeo = req.w[2] == SO_RCVTIMEO || req.w[2] == SO_SNDTIMEO;
	return sock_setopt(so, (int)req.w[2], timeo ? (int64_t)req.w[3] : (int)(uint32_t)req.w[3]);
}
