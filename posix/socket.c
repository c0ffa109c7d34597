/*
 * AF_UNIX sockets through the vfs server (proto/vfs.h, VFS_SOCKET ...):
 * socket, socketpair, bind, listen, accept(4), connect, send/recv in all
 * their forms (a stream message larger than one request goes in
 * VFS_IO_MAX pieces, the ids of SCM_RIGHTS with the first), shutdown,
 * names and SOL_SOCKET options. Descriptors passed with SCM_RIGHTS travel
 * as vfs ids of the sender's session and arrive as new ids of ours;
 * SCM_CREDENTIALS travel as a struct vfs_ucred, which the server checks.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>

#include "fd.h"
#include "file.h"
#include "ipc.h"
#include "posix.h"
#include "proto/vfs.h"

#define CONTROL_MAX 4096 /* bytes of ancillary data looked at */

/* The vfs id of socket descriptor @fd. */
static long sock_id(long fd, uint64_t *id)
{
	struct px_file *f = px_fd_file((int)fd);

	if (!f)
		return -EBADF;
	if (f->kind != PX_FILE_VFS)
		return -ENOTSOCK;
	*id = f->id;
	return 0;
}

/* A new descriptor for vfs id @id of S_IFMT @type, 0: not known (the id is closed on failure). */
static long new_fd_of(long id, uint32_t type, bool cloexec)
{
	uint64_t c = (uint64_t)id;

	if (id < 0)
		return id;
	int fd = px_fd_new(PX_FILE_VFS, (uint64_t)id, type, 0, cloexec);
	if (fd < 0)
		px_vfs_close(c);
	return fd;
}

static long new_fd(long id, bool cloexec)
{
	return new_fd_of(id, S_IFSOCK, cloexec);
}

/* Copies the caller's address (@len bytes) into the IPC buffer at @off. */
static long addr_in(size_t off, const void *addr, unsigned long len)
{
	if (len > VFS_ADDR_MAX)
		return -EINVAL;
	return len ? px_copy_in(off, addr, len) : 0;
}

/* Gives the caller @name (@len bytes, not in the IPC buffer) cut to *ulen, and sets *ulen to @len.
 */
static long addr_out(const void *name, size_t len, void *uaddr, socklen_t *ulen)
{
	socklen_t have;
	char *buf = px_ipc_buffer();

	if (!uaddr || !ulen)
		return 0;
	if (px_copy_in(0, ulen, sizeof(have)))
		return -EFAULT;
	memcpy(&have, buf, sizeof(have));
	if ((int)have < 0)
		return -EINVAL;
	size_t n = len < have ? len : have;
	memcpy(buf, name, n);
	if (n && px_copy_out(uaddr, n))
		return -EFAULT;
	have = (socklen_t)len;
	memcpy(buf, &have, sizeof(have));
	return px_copy_out(ulen, sizeof(have));
}

long px_socket(const long *args)
{
	uint64_t r[8], w = (uint64_t)args[1] & ~(uint64_t)SOCK_CLOEXEC;

	if (args[0] != AF_UNIX)
		return -EAFNOSUPPORT;
	if (args[2] != 0 && args[2] != PF_UNIX)
		return -EPROTONOSUPPORT;
	return new_fd(px_vfs_call(VFS_SOCKET, &w, 1, 0, r), args[1] & SOCK_CLOEXEC);
}

long px_socketpair(const long *args)
{
	uint64_t r[8], w = (uint64_t)args[1] & ~(uint64_t)SOCK_CLOEXEC;
	int fds[2];

	if (args[0] != AF_UNIX)
		return -EAFNOSUPPORT;
	if (args[2] != 0 && args[2] != PF_UNIX)
		return -EPROTONOSUPPORT;
	long err = px_vfs_call(VFS_SOCKETPAIR, &w, 1, 0, r);
	if (err < 0)
		return err;
	uint64_t id1 = r[3];
	fds[0] = (int)new_fd((long)r[2], args[1] & SOCK_CLOEXEC);
	if (fds[0] < 0) {
		px_vfs_close(id1);
		return fds[0];
	}
	if ((fds[1] = (int)new_fd((long)id1, args[1] & SOCK_CLOEXEC)) < 0) {
		px_fd_close(fds[0]);
		return fds[1];
	}
	memcpy(px_ipc_buffer(), fds, sizeof(fds));
	if ((err = px_copy_out((int *)args[3], sizeof(fds)))) {
		px_fd_close(fds[0]);
		px_fd_close(fds[1]);
	}
	return err;
}

long px_bind(const long *args)
{
	uint64_t r[8], w[2] = {0, 0777 & ~px_umask()};
	long err = sock_id(args[0], &w[0]);

	if (err || (err = addr_in(0, (const void *)args[1], (unsigned long)args[2])))
		return err;
	return px_vfs_call(VFS_BIND, w, 2, (size_t)args[2], r);
}

long px_listen(const long *args)
{
	uint64_t r[8], w[2] = {0, args[1] < 0 ? 0 : (uint64_t)args[1]};
	long err = sock_id(args[0], &w[0]);

	return err ? err : px_vfs_call(VFS_LISTEN, w, 2, 0, r);
}

long px_accept4(const long *args)
{
	uint64_t r[8], w[2] = {0, (uint64_t)args[3] & ~(uint64_t)SOCK_CLOEXEC};
	char name[VFS_ADDR_MAX];
	long err = sock_id(args[0], &w[0]);

	if (err)
		return err;
	if (args[3] & ~(long)(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	long fd = new_fd(px_vfs_call(VFS_ACCEPT, w, 2, 0, r), args[3] & SOCK_CLOEXEC);
	if (fd < 0)
		return fd;
	size_t len = px_reply_len(r[0]) < sizeof(name) ? px_reply_len(r[0]) : sizeof(name);
	memcpy(name, px_ipc_buffer(), len);
	if ((err = addr_out(name, len, (void *)args[1], (socklen_t *)args[2]))) {
		px_fd_close((int)fd);
		return err;
	}
	return fd;
}

long px_accept(const long *args)
{
	const long a[4] = {args[0], args[1], args[2], 0};

	return px_accept4(a);
}

long px_connect(const long *args)
{
	uint64_t r[8], w;
	long err = sock_id(args[0], &w);

	if (err || (err = addr_in(0, (const void *)args[1], (unsigned long)args[2])))
		return err;
	return px_vfs_call(VFS_CONNECT, &w, 1, (size_t)args[2], r);
}

/* The caller's iovec array, copied (NULL with *err on failure); *total gets the bytes. */
static struct iovec *iov_in(const struct iovec *user, long n, size_t *total, long *err)
{
	struct iovec *v;

	*total = 0;
	*err = n < 0 || n > IOV_MAX ? -EMSGSIZE : 0;
	if (*err)
		return NULL;
	if (!(v = malloc((size_t)n * sizeof(*v) + 1))) {
		*err = -ENOMEM;
		return NULL;
	}
	for (long i = 0; i < n; i++) {
		if (px_copy_in(0, user + i, sizeof(*v))) {
			free(v);
			*err = -EFAULT;
			return NULL;
		}
		memcpy(&v[i], px_ipc_buffer(), sizeof(*v));
		if (v[i].iov_len > SSIZE_MAX - *total) {
			free(v);
			*err = -EINVAL;
			return NULL;
		}
		*total += v[i].iov_len;
	}
	return v;
}

/* Copies @len bytes from position @at of the iovecs @v into the IPC buffer at @off. */
static long gather(const struct iovec *v, long n, size_t at, size_t off, size_t len)
{
	for (long i = 0; i < n && len; i++) {
		if (at >= v[i].iov_len) {
			at -= v[i].iov_len;
			continue;
		}
		size_t m = v[i].iov_len - at < len ? v[i].iov_len - at : len;
		if (px_copy_in(off, (const char *)v[i].iov_base + at, m))
			return -EFAULT;
		off += m;
		len -= m;
		at = 0;
	}
	return 0;
}

/* Copies @len bytes of @src to position @at of the iovecs @v (through the IPC buffer). */
static long scatter(const struct iovec *v, long n, size_t at, const char *src, size_t len)
{
	for (long i = 0; i < n && len; i++) {
		if (at >= v[i].iov_len) {
			at -= v[i].iov_len;
			continue;
		}
		size_t m = v[i].iov_len - at < len ? v[i].iov_len - at : len;
		memcpy(px_ipc_buffer(), src, m);
		if (px_copy_out((char *)v[i].iov_base + at, m))
			return -EFAULT;
		src += m;
		len -= m;
		at = 0;
	}
	return 0;
}

/* What a send has besides the data. */
struct send_args {
	const void *addr; /* the caller's; NULL: the peer */
	unsigned long addr_len;
	uint64_t ids[VFS_SCM_MAX];
	unsigned nids;
	bool has_cred; /* SCM_CREDENTIALS: cred */
	struct vfs_ucred cred;
};

/*
 * Sends the iovecs' @total bytes: one request, or for a stream as many as it
 * takes (the ids with the first, the credentials with each, so that a
 * reader with SO_PASSCRED joins them; a piece taken short means
 * non-blocking and full, unless the next piece waits).
 */
static long send_common(long fd, const struct iovec *v, long n, size_t total, long flags,
			const struct send_args *a)
{
	uint64_t r[8], w[5] = {0, (uint64_t)flags & ~(uint64_t)MSG_NOSIGNAL, a->nids, 0, 0};
	size_t done = 0, clen = a->has_cred ? sizeof(a->cred) : 0;
	long err = sock_id(fd, &w[0]);

	if (err)
		return err;
	if (a->addr) {
		if (a->addr_len > VFS_ADDR_MAX)
			return -EINVAL;
		w[3] = a->addr_len;
	}
	if (clen)
		w[1] |= VFS_MSG_CREDS;
	do {
		size_t head = w[3] + 8 * w[2] + clen, m = total - done;
		if (m > VFS_IO_MAX - head)
			m = VFS_IO_MAX - head;
		w[4] = total - done;
		if ((err = addr_in(0, a->addr, w[3])) ||
		    (err = px_copy_in(w[3], a->ids, 8 * w[2])) ||
		    (err = gather(v, n, done, head, m)))
			return done ? (long)done : err;
		if (clen)
			memcpy((char *)px_ipc_buffer() + head - clen, &a->cred, clen);
		long put = px_vfs_call(VFS_SENDMSG, w, 5, head + m, r);
		if (put < 0)
			return done ? (long)done : put;
		done += (size_t)put;
		w[2] = 0;
		if (!put)
			break;
	} while (done < total);
	return (long)done;
}

long px_sendto(const long *args)
{
	struct iovec v = {(void *)args[1], (size_t)args[2]};
	struct send_args a = {.addr = (const void *)args[4], .addr_len = (unsigned long)args[5]};

	if ((size_t)args[2] > SSIZE_MAX)
		return -EINVAL;
	if (!a.addr)
		a.addr_len = 0;
	return send_common(args[0], &v, 1, v.iov_len, args[3], &a);
}

/* SCM_RIGHTS of the caller's control data -> vfs ids in @a; SCM_CREDENTIALS -> a->cred. */
static long control_in(const void *control, size_t len, struct send_args *a)
{
	static __thread char buf[CONTROL_MAX];

	if (!len)
		return 0;
	if (len > CONTROL_MAX)
		return -ENOBUFS;
	if (px_copy_in(0, control, len))
		return -EFAULT;
	memcpy(buf, px_ipc_buffer(), len);
	for (size_t off = 0; off + sizeof(struct cmsghdr) <= len;) {
		struct cmsghdr c;
		memcpy(&c, buf + off, sizeof(c));
		if (c.cmsg_len < CMSG_LEN(0) || c.cmsg_len > len - off)
			return -EINVAL;
		if (c.cmsg_level == SOL_SOCKET && c.cmsg_type == SCM_CREDENTIALS) {
			/* As Linux: exactly one struct ucred; the server checks it. */
			struct ucred u;
			if (c.cmsg_len != CMSG_LEN(sizeof(u)))
				return -EINVAL;
			memcpy(&u, buf + off + CMSG_LEN(0), sizeof(u));
			a->cred = (struct vfs_ucred){u.pid, u.uid, u.gid, 0};
			a->has_cred = true;
			off += CMSG_ALIGN(c.cmsg_len);
			continue;
		}
		if (c.cmsg_level != SOL_SOCKET || c.cmsg_type != SCM_RIGHTS)
			return -EINVAL;
		size_t nfd = (c.cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < nfd; i++) {
			int fd;
			memcpy(&fd, buf + off + CMSG_LEN(0) + i * sizeof(int), sizeof(fd));
			struct px_file *f = px_fd_file(fd);
			if (!f || f->kind != PX_FILE_VFS)
				return -EBADF;
			if (a->nids == VFS_SCM_MAX)
				return -ETOOMANYREFS;
			a->ids[a->nids++] = f->id;
		}
		off += (c.cmsg_len + sizeof(size_t) - 1) & ~(sizeof(size_t) - 1);
	}
	return 0;
}

long px_sendmsg(const long *args)
{
	static __thread struct send_args a;
	struct msghdr m;
	size_t total;
	long err;

	if (px_copy_in(0, (const void *)args[1], sizeof(m)))
		return -EFAULT;
	memcpy(&m, px_ipc_buffer(), sizeof(m));
	a = (struct send_args){.addr = m.msg_name, .addr_len = m.msg_name ? m.msg_namelen : 0};
	if ((err = control_in(m.msg_control, m.msg_controllen, &a)))
		return err;
	struct iovec *v = iov_in(m.msg_iov, (long)m.msg_iovlen, &total, &err);
	if (!v)
		return err;
	err = send_common(args[0], v, (long)m.msg_iovlen, total, args[2], &a);
	free(v);
	return err;
}

/* What a receive gives besides the data. */
struct recv_result {
	char name[VFS_ADDR_MAX];
	size_t name_len;
	uint64_t ids[VFS_SCM_MAX];
	unsigned nids;
	int flags;     /* MSG_TRUNC, MSG_CTRUNC */
	bool has_cred; /* SCM_CREDENTIALS (the socket has SO_PASSCRED): cred */
	struct vfs_ucred cred;
};

/*
 * Receives into the iovecs: one request, or for a stream further pieces of
 * what is already there (never waiting, never past data carrying ids; with
 * MSG_WAITALL waiting, until the first piece's deadline). A signal that
 * ends MSG_WAITALL's wait leaves the caller what is there already, as Linux.
 * @most: the ids the caller's control buffer takes.
 */
static long recv_common(long fd, const struct iovec *v, long n, size_t total, long flags,
			unsigned most, struct recv_result *res)
{
	static __thread char data[VFS_IO_MAX];
	const uint64_t waitall = (uint64_t)flags & MSG_WAITALL;
	uint64_t r[8],
	    w[5] = {0, 0, (uint64_t)flags & (MSG_PEEK | MSG_DONTWAIT | MSG_WAITALL), most, 0};
	unsigned nw = 4;
	size_t done = 0;
	long err = sock_id(fd, &w[0]);

	if (err)
		return err;
	do {
		w[1] = total - done < VFS_IO_MAX ? total - done : VFS_IO_MAX;
		long got = px_vfs_call(VFS_RECVMSG, w, nw, 0, r);
		bool interrupted = got == -EINTR && px_kernel_eintr && (w[2] & MSG_WAITALL);
		if (interrupted) {
			w[2] = (w[2] & ~(uint64_t)MSG_WAITALL) | MSG_DONTWAIT;
			if ((got = px_vfs_call(VFS_RECVMSG, w, nw, 0, r)) == -EAGAIN)
				got = -EINTR;
		}
		if (got < 0)
			return done ? (long)done : got;
		bool cred = r[2] & VFS_MSG_CREDS;
		size_t nids = r[3], alen = r[4], len = px_reply_len(r[0]),
		       clen = cred ? sizeof(res->cred) : 0, at = 8 * nids + alen + clen;
		if ((size_t)got > w[1] || nids > most || alen > VFS_ADDR_MAX ||
		    len != at + (size_t)got)
			return done ? (long)done : -EIO;
		const char *buf = px_ipc_buffer();
		if (!done) {
			memcpy(res->ids, buf, 8 * nids);
			res->nids = (unsigned)nids;
			memcpy(res->name, buf + 8 * nids, alen);
			res->name_len = alen;
			res->flags = (int)r[2] & (MSG_TRUNC | MSG_CTRUNC);
			res->has_cred = cred;
			memcpy(&res->cred, buf + at - clen, clen);
		}
		memcpy(data, buf + at, (size_t)got);
		if ((err = scatter(v, n, done, data, (size_t)got)))
			return done ? (long)done : err;
		done += (size_t)got;
		/* Only a stream continues, with what is there, and never after ids. */
		if (r[5] != SOCK_STREAM || (size_t)got < w[1] || nids || (flags & MSG_PEEK) ||
		    interrupted)
			break;
		if (waitall && !(flags & MSG_DONTWAIT)) {
			w[2] = MSG_WAITALL | VFS_MSG_NOFILES;
			w[4] = r[6];
			nw = 5;
		} else {
			w[2] = MSG_DONTWAIT | VFS_MSG_NOFILES;
		}
		w[3] = 0;
	} while (done < total);
	return (long)done;
}

long px_recvfrom(const long *args)
{
	static __thread struct recv_result res;
	struct iovec v = {(void *)args[1], (size_t)args[2]};

	if ((size_t)args[2] > SSIZE_MAX)
		return -EINVAL;
	long got = recv_common(args[0], &v, 1, v.iov_len, args[3], 0, &res);
	if (got < 0)
		return got;
	long err = addr_out(res.name, res.name_len, (void *)args[4], (socklen_t *)args[5]);
	return err ? err : got;
}

/* The received ids as descriptors in an SCM_RIGHTS message at @control (@*len bytes; set to those
 * used). */
static long control_out(void *control, size_t *len, const struct recv_result *res, bool cloexec,
			int *flags)
{
	static __thread char
	    buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(VFS_SCM_MAX * sizeof(int))];
	size_t have = *len, used = 0;

	*len = 0;
	if (res->has_cred) {
		/* SCM_CREDENTIALS first, as Linux puts them. */
		struct ucred u = {res->cred.pid, res->cred.uid, res->cred.gid};
		struct cmsghdr *c = (struct cmsghdr *)buf;
		/* As Linux's put_cmsg: cut to the buffer, if its header fits. */
		if (have < CMSG_LEN(sizeof(u)))
			*flags |= MSG_CTRUNC;
		if (have >= sizeof(*c)) {
			c->cmsg_len = CMSG_LEN(sizeof(u)) < have ? CMSG_LEN(sizeof(u)) : have;
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_CREDENTIALS;
			memcpy(CMSG_DATA(c), &u, sizeof(u));
			used = CMSG_SPACE(sizeof(u)) < have ? CMSG_SPACE(sizeof(u)) : have;
		}
	}
	struct cmsghdr *c = (struct cmsghdr *)(buf + used);
	int *fds = (int *)CMSG_DATA(c);
	unsigned n = 0;
	for (unsigned i = 0; i < res->nids; i++) {
		uint64_t id = res->ids[i];
		long fd = -EMSGSIZE;
		if (used + CMSG_LEN((n + 1) * sizeof(int)) > have)
			px_vfs_close(id);
		else
			fd = new_fd_of((long)id, 0, cloexec);
		if (fd < 0) {
			*flags |= MSG_CTRUNC;
			continue;
		}
		fds[n++] = (int)fd;
	}
	if (n) {
		c->cmsg_len = CMSG_LEN(n * sizeof(int));
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		used += CMSG_SPACE(n * sizeof(int)) < have - used ? CMSG_SPACE(n * sizeof(int))
								  : have - used;
	}
	if (!used)
		return 0;
	memcpy(px_ipc_buffer(), buf, used);
	if (px_copy_out(control, used))
		return -EFAULT;
	*len = used;
	return 0;
}

long px_recvmsg(const long *args)
{
	static __thread struct recv_result res;
	struct msghdr m;
	size_t total;
	long err;

	if (px_copy_in(0, (const void *)args[1], sizeof(m)))
		return -EFAULT;
	memcpy(&m, px_ipc_buffer(), sizeof(m));
	struct iovec *v = iov_in(m.msg_iov, (long)m.msg_iovlen, &total, &err);
	if (!v)
		return err;
	size_t room =
	    m.msg_control && m.msg_controllen > CMSG_LEN(0) ? m.msg_controllen - CMSG_LEN(0) : 0;
	unsigned most =
	    room / sizeof(int) < VFS_SCM_MAX ? (unsigned)(room / sizeof(int)) : VFS_SCM_MAX;
	long got = recv_common(args[0], v, (long)m.msg_iovlen, total, args[2], most, &res);
	free(v);
	if (got < 0)
		return got;
	size_t clen = m.msg_control ? m.msg_controllen : 0;
	int flags = res.flags;
	if ((err = control_out(m.msg_control, &clen, &res, args[2] & MSG_CMSG_CLOEXEC, &flags)))
		return err;
	if (m.msg_name) {
		size_t n = res.name_len < m.msg_namelen ? res.name_len : m.msg_namelen;
		memcpy(px_ipc_buffer(), res.name, n);
		if (n && px_copy_out(m.msg_name, n))
			return -EFAULT;
		m.msg_namelen = (socklen_t)res.name_len;
	}
	m.msg_controllen = (socklen_t)clen;
	m.msg_flags = flags;
	memcpy(px_ipc_buffer(), &m, sizeof(m));
	return px_copy_out((void *)args[1], sizeof(m)) ? -EFAULT : got;
}

long px_shutdown(const long *args)
{
	uint64_t r[8], w[2] = {0, (uint64_t)args[1]};
	long err = sock_id(args[0], &w[0]);

	return err ? err : px_vfs_call(VFS_SHUTDOWN, w, 2, 0, r);
}

static long name_of(const long *args, uint64_t which)
{
	uint64_t r[8], w[2] = {0, which};
	char name[VFS_ADDR_MAX];
	long err = sock_id(args[0], &w[0]);

	if (err || (err = px_vfs_call(VFS_SOCKNAME, w, 2, 0, r)) < 0)
		return err;
	size_t len = px_reply_len(r[0]) < sizeof(name) ? px_reply_len(r[0]) : sizeof(name);
	memcpy(name, px_ipc_buffer(), len);
	return addr_out(name, len, (void *)args[1], (socklen_t *)args[2]);
}

long px_getsockname(const long *args)
{
	return name_of(args, 0);
}

long px_getpeername(const long *args)
{
	return name_of(args, 1);
}

/* SO_RCVTIMEO and SO_SNDTIMEO: their _OLD numbers, and the _NEW ones (the same on 64 bits). */
#define SO_RCVTIMEO_OLD_ 20
#define SO_SNDTIMEO_OLD_ 21
#define SO_RCVTIMEO_NEW_ 66
#define SO_SNDTIMEO_NEW_ 67

static long opt_name(long name)
{
	return name == SO_RCVTIMEO_NEW_	  ? SO_RCVTIMEO_OLD_
	       : name == SO_SNDTIMEO_NEW_ ? SO_SNDTIMEO_OLD_
					  : name;
}

static bool timeo_opt(long name)
{
	return name == SO_RCVTIMEO_OLD_ || name == SO_SNDTIMEO_OLD_;
}

long px_getsockopt(const long *args)
{
	uint64_t r[8], w[2] = {0, (uint64_t)opt_name(args[2])};
	socklen_t have;
	char val[16];
	size_t len = sizeof(int);
	long err = sock_id(args[0], &w[0]);

	if (err)
		return err;
	if (args[1] != SOL_SOCKET)
		return -ENOPROTOOPT;
	if (px_copy_in(0, (socklen_t *)args[4], sizeof(have)))
		return -EFAULT;
	memcpy(&have, px_ipc_buffer(), sizeof(have));
	if ((int)have < 0)
		return -EINVAL;
	if ((err = px_vfs_call(VFS_GETSOCKOPT, w, 2, 0, r)) < 0)
		return err;
	if (args[2] == SO_PEERCRED) {
		struct ucred c = {(pid_t)r[2], (uid_t)r[3], (gid_t)r[4]};
		memcpy(val, &c, len = sizeof(c));
	} else if (timeo_opt((long)w[1])) {
		/* Nanoseconds (0: none, negative: never waits, which Linux also shows as 0). */
		int64_t ns = (int64_t)r[2] > 0 ? (int64_t)r[2] : 0;
		struct timeval tv = {ns / 1000000000, ns % 1000000000 / 1000};
		memcpy(val, &tv, len = sizeof(tv));
	} else if (args[2] == SO_LINGER) {
		struct linger l = {(int)r[2], 0};
		memcpy(val, &l, len = sizeof(l));
	} else {
		int v = (int)r[2];
		memcpy(val, &v, sizeof(v));
	}
	if (len > have)
		len = have;
	memcpy(px_ipc_buffer(), val, len);
	if (len && px_copy_out((void *)args[3], len))
		return -EFAULT;
	have = (socklen_t)len;
	memcpy(px_ipc_buffer(), &have, sizeof(have));
	return px_copy_out((socklen_t *)args[4], sizeof(have));
}

/*
 * A struct timeval for SO_RCVTIMEO or SO_SNDTIMEO -> nanoseconds, as Linux
 * reads it: -EINVAL if shorter, -EDOM for microseconds out of range, a
 * negative time never waits, 0 or one too large to count waits for ever.
 */
static long timeo_in(const void *user, unsigned long len, uint64_t *ns)
{
	struct timeval tv;

	if (len < sizeof(tv))
		return -EINVAL;
	if (px_copy_in(0, user, sizeof(tv)))
		return -EFAULT;
	memcpy(&tv, px_ipc_buffer(), sizeof(tv));
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return -EDOM;
	if (tv.tv_sec < 0)
		*ns = (uint64_t)-1;
	else if (tv.tv_sec >= INT64_MAX / 1000000000 - 1)
		*ns = 0;
	else
		*ns = (uint64_t)tv.tv_sec * 1000000000 + (uint64_t)tv.tv_usec * 1000;
	return 0;
}

long px_setsockopt(const long *args)
{
	uint64_t r[8], w[3] = {0, (uint64_t)opt_name(args[2]), 0};
	int v;
	long err = sock_id(args[0], &w[0]);

	if (err)
		return err;
	if (args[1] != SOL_SOCKET)
		return -ENOPROTOOPT;
	if (timeo_opt((long)w[1])) {
		if ((err = timeo_in((const void *)args[3], (unsigned long)args[4], &w[2])))
			return err;
		return px_vfs_call(VFS_SETSOCKOPT, w, 3, 0, r);
	}
	/* An int, or struct linger's l_onoff first. */
	if ((unsigned long)args[4] < sizeof(int))
		return -EINVAL;
	if (px_copy_in(0, (const void *)args[3], sizeof(v)))
		return -EFAULT;
	memcpy(&v, px_ipc_buffer(), sizeof(v));
	w[2] = (uint32_t)v;
	return px_vfs_call(VFS_SETSOCKOPT, w, 3, 0, r);
}

int px_sock_timed(long n, const long *args)
{
	uint64_t r[8], w[2] = {0, SO_RCVTIMEO_OLD_};
	struct px_file *f = px_fd_file((int)args[0]);

	switch (n) {
	case SYS_sendto:
	case SYS_sendmsg:
	case SYS_connect:
	case SYS_write:
	case SYS_writev: w[1] = SO_SNDTIMEO_OLD_; break;
	case SYS_recvfrom:
	case SYS_recvmsg:
	case SYS_accept:
	case SYS_accept4:
	case SYS_read:
	case SYS_readv: break;
	default: return 0;
	}
	/* A descriptor received with SCM_RIGHTS has no type here (0): the vfs knows. */
	if (!f || f->kind != PX_FILE_VFS || (f->type && (f->type & S_IFMT) != S_IFSOCK))
		return 0;
	w[0] = f->id;
	/* Only when a handler with SA_RESTART interrupted the call: one more request then. */
	return px_vfs_call(VFS_GETSOCKOPT, w, 2, 0, r) == 0 && r[2] != 0;
}
