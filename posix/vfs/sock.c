/* AF_UNIX sockets: see sock.h. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "lock.h"
#include "sock.h"

#define SOCK_BUF_DEFAULT 212992 /* SO_RCVBUF and SO_SNDBUF, as Linux's default */
#define SOCK_BUF_MIN 4608
#define SOCK_BUF_MAX (4u << 20)
#define SOCK_BACKLOG_MAX 4096

static struct sock *abstract_names; /* sockets bound to abstract names */

static bool known_type(int type)
{
	return type == SOCK_STREAM || type == SOCK_DGRAM || type == SOCK_SEQPACKET;
}

int sock_create(int type, const struct sock_cred *cred, struct sock **out)
{
	if (!known_type(type))
		return -ESOCKTNOSUPPORT;
	struct sock *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->refs = 1;
	s->type = type;
	s->rx_tail = &s->rx;
	s->pending_tail = &s->pending;
	s->rcvbuf = s->sndbuf = SOCK_BUF_DEFAULT;
	s->cred = *cred;
	s->peer_cred = (struct sock_cred){0, (uint32_t)-1, (uint32_t)-1};
	*out = s;
	return 0;
}

static void connect_pair(struct sock *a, struct sock *b)
{
	a->peer = b;
	b->peer = a;
	a->refs++;
	b->refs++;
	a->state = b->state = SOCK_CONNECTED;
}

int sock_pair(int type, const struct sock_cred *cred, struct sock **a, struct sock **b)
{
	int err = sock_create(type, cred, a);

	if (err)
		return err;
	if ((err = sock_create(type, cred, b))) {
		sock_put(*a);
		return err;
	}
	connect_pair(*a, *b);
	(*a)->peer_cred = (*b)->peer_cred = *cred;
	return 0;
}

void sock_msg_free(struct sock_msg *m)
{
	for (unsigned i = 0; i < m->nfiles; i++) {
		sock_inflight_del(m->files[i]);
		file_put(m->files[i]);
	}
	free(m->files);
	free(m);
}

static void unqueue(struct sock *s)
{
	struct sock_msg *m = s->rx;

	s->rx = m->next;
	if (!s->rx)
		s->rx_tail = &s->rx;
	s->rx_bytes -= m->len;
}

struct sock_msg *sock_queue_take(struct sock *s)
{
	struct sock_msg *list = NULL, **tail = &list;

	for (struct sock *q = s; q; q = q == s ? s->pending : q->next_pending) {
		if (!q->rx)
			continue;
		*tail = q->rx;
		tail = q->rx_tail;
		q->rx = NULL;
		q->rx_tail = &q->rx;
		q->rx_bytes = 0;
	}
	return list;
}

void sock_close(struct sock *s)
{
	if (s->closed)
		return;
	s->closed = true;
	/* Linux: the peer of a socket closed with unread data reads ECONNRESET. */
	if (s->peer && s->type != SOCK_DGRAM && s->rx && !s->peer->closed)
		s->peer->error = ECONNRESET;
	while (s->rx) {
		struct sock_msg *m = s->rx;
		unqueue(s);
		sock_msg_free(m);
	}
	while (s->pending) {
		struct sock *p = s->pending;
		s->pending = p->next_pending;
		sock_close(p);
		sock_put(p);
	}
	s->npending = 0;
	if (s->node) {
		s->node->sock = NULL;
		node_put(s->node);
		s->node = NULL;
	}
	for (struct sock **p = &abstract_names; *p; p = &(*p)->next_abstract)
		if (*p == s) {
			*p = s->next_abstract;
			break;
		}
	if (s->peer) {
		struct sock *p = s->peer;
		s->peer = NULL;
		sock_put(p);
	}
}

void sock_put(struct sock *s)
{
	if (!s || --s->refs)
		return;
	sock_close(s);
	lock_free_all(&s->locks);
	free(s);
}

int sock_name_parse(const void *addr, size_t len, struct sock_name *out)
{
	uint16_t family;

	if (len < sizeof(family) || len > VFS_ADDR_MAX)
		return -EINVAL;
	memcpy(&family, addr, sizeof(family));
	if (family != AF_UNIX)
		return -EINVAL;
	const char *path = (const char *)addr + sizeof(family);
	size_t n = len - sizeof(family);
	if (n && path[0])
		n = strnlen(path, n); /* a path ends at its NUL */
	out->len = n;
	memcpy(out->path, path, n);
	return 0;
}

size_t sock_name_put(const struct sock_name *n, void *buf)
{
	uint16_t family = AF_UNIX;
	char *p = buf;

	memcpy(p, &family, sizeof(family));
	memcpy(p + sizeof(family), n->path, n->len);
	size_t len = sizeof(family) + n->len;
	if (n->len && n->path[0] && len < VFS_ADDR_MAX)
		p[len++] = 0;
	return len;
}

static bool abstract(const struct sock_name *n)
{
	return n->len && !n->path[0];
}

static struct sock *abstract_find(const struct sock_name *n)
{
	for (struct sock *s = abstract_names; s; s = s->next_abstract)
		if (s->name.len == n->len && !memcmp(s->name.path, n->path, n->len))
			return s;
	return NULL;
}

/* A path name as a C string. */
static void path_of(const struct sock_name *n, char buf[VFS_ADDR_MAX + 1])
{
	memcpy(buf, n->path, n->len);
	buf[n->len] = 0;
}

int sock_bind(struct sock *s, const struct cred *c, struct node *cwd, const struct sock_name *n,
	      uint32_t mode)
{
	static unsigned autobind;
	struct sock_name name = *n;
	char path[VFS_ADDR_MAX + 1];

	if (s->name.len || s->closed)
		return -EINVAL;
	if (!name.len) {
		/* Linux's autobind: an abstract name of five hex digits. */
		do {
			name.path[0] = 0;
			name.len = 1 + (size_t)snprintf(name.path + 1, sizeof(name.path) - 1,
							"%05x", autobind++ & 0xfffff);
		} while (abstract_find(&name));
	}
	if (abstract(&name)) {
		if (abstract_find(&name))
			return -EADDRINUSE;
		s->next_abstract = abstract_names;
		abstract_names = s;
	} else {
		struct node *node;
		path_of(&name, path);
		int err = fs_mksock(c, cwd, path, mode, &node);
		if (err)
			return err;
		node_get(node);
		node->sock = s;
		s->node = node;
	}
	s->name = name;
	return 0;
}

int sock_listen(struct sock *s, int backlog)
{
	if (s->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	if (s->state == SOCK_CONNECTED)
		return -EINVAL;
	if (!s->name.len)
		return -EINVAL; /* Linux would autobind; an unnamed listener cannot be reached */
	s->state = SOCK_LISTENING;
	s->backlog = backlog < 0		  ? 0
		     : backlog > SOCK_BACKLOG_MAX ? SOCK_BACKLOG_MAX
						  : (unsigned)backlog;
	/* Linux accepts backlog + 1 connections. */
	s->backlog++;
	return 0;
}

int sock_accept(struct sock *s, struct sock **out)
{
	if (s->state != SOCK_LISTENING)
		return -EINVAL;
	struct sock *p = s->pending;
	if (!p)
		return -EAGAIN;
	s->pending = p->next_pending;
	if (!s->pending)
		s->pending_tail = &s->pending;
	s->npending--;
	p->next_pending = NULL;
	/* As Linux's accept: the listener's SO_PASSCRED. */
	p->passcred = s->passcred;
	*out = p; /* the backlog's reference goes to the caller */
	return 0;
}

/* The socket named @n, as connect and sendto find it. */
static int lookup(const struct cred *c, struct node *cwd, const struct sock_name *n,
		  struct sock **out)
{
	char path[VFS_ADDR_MAX + 1];
	struct node *node;

	if (!n->len)
		return -EINVAL;
	if (abstract(n)) {
		*out = abstract_find(n);
		return *out ? 0 : -ECONNREFUSED;
	}
	path_of(n, path);
	int err = fs_walk(c, cwd, path, WALK_FOLLOW, &node);
	if (err)
		return err;
	if (!S_ISSOCK(node->mode))
		return -ECONNREFUSED;
	if (!may_access(node, c, W_OK))
		return -EACCES;
	*out = node->sock;
	return *out ? 0 : -ECONNREFUSED;
}

/* As Linux, a socket with SO_PASSCRED gets a name as it connects or sends: its peer sees one. */
static void autobind(struct sock *s)
{
	static const struct sock_name none;

	if (s->passcred && !s->name.len)
		sock_bind(s, NULL, NULL, &none, 0);
}

int sock_connect(struct sock *s, const struct cred *c, struct node *cwd, const struct sock_name *n,
		 const struct sock_cred *who)
{
	struct sock *t, *a;
	int err = lookup(c, cwd, n, &t);

	if (err)
		return err;
	autobind(s);
	if (t->type != s->type)
		return -EPROTOTYPE;
	if (s->type == SOCK_DGRAM) {
		t->refs++;
		sock_put(s->peer);
		s->peer = t;
		s->state = SOCK_CONNECTED;
		return 0;
	}
	if (s->state == SOCK_CONNECTED)
		return -EISCONN;
	if (s->state == SOCK_LISTENING)
		return -EINVAL;
	if (t->state != SOCK_LISTENING || t->closed)
		return -ECONNREFUSED;
	if (t->npending >= t->backlog)
		return -EAGAIN;
	if ((err = sock_create(s->type, &t->cred, &a)))
		return err;
	a->name = t->name;
	a->passcred = t->passcred;
	connect_pair(s, a);
	s->peer_cred = t->cred;
	a->peer_cred = *who;
	*t->pending_tail = a; /* with a's first reference */
	t->pending_tail = &a->next_pending;
	t->npending++;
	return 0;
}

int sock_shutdown(struct sock *s, int how)
{
	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	if (s->state != SOCK_CONNECTED)
		return -ENOTCONN;
	if (how != SHUT_WR)
		s->rd_shut = true;
	if (how != SHUT_RD)
		s->wr_shut = true;
	return 0;
}

/* The credentials a message from @s to @t carries (Linux's maybe_add_creds). */
static struct sock_cred cred_for(const struct sock *s, const struct sock *t,
				 const struct sock_sender *who)
{
	if (who && who->scm)
		return who->cred;
	if (!s->passcred && !t->passcred)
		return SOCK_CRED_NONE;
	return who ? who->cred : s->cred;
}

static bool cred_eq(const struct sock_cred *a, const struct sock_cred *b)
{
	return a->pid == b->pid && a->uid == b->uid && a->gid == b->gid;
}

static long queue(struct sock *to, const struct sock *from, const void *buf, size_t len,
		  struct file **files, unsigned nfiles, const struct sock_sender *who)
{
	struct sock_msg *m = malloc(sizeof(*m) + len);

	if (!m)
		return -ENOMEM;
	memset(m, 0, sizeof(*m));
	if (nfiles) {
		if (!(m->files = malloc(nfiles * sizeof(*files)))) {
			free(m);
			return -ENOMEM;
		}
		memcpy(m->files, files, nfiles * sizeof(*files));
		m->nfiles = nfiles;
		for (unsigned i = 0; i < nfiles; i++)
			sock_inflight_add(files[i]);
	}
	m->len = len;
	m->from = from->name;
	m->cred = cred_for(from, to, who);
	memcpy(m->data, buf, len);
	*to->rx_tail = m;
	to->rx_tail = &m->next;
	to->rx_bytes += len;
	return (long)len;
}

static long send_to(struct sock *s, const void *buf, size_t len, struct file **files,
		    unsigned nfiles, const struct cred *c, struct node *cwd,
		    const struct sock_name *to, const struct sock_sender *who)
{
	struct sock *t = s->peer;

	if (s->wr_shut)
		return -EPIPE;
	if (s->type != SOCK_STREAM)
		autobind(s);
	if (s->type == SOCK_DGRAM) {
		int err = to && to->len ? lookup(c, cwd, to, &t) : 0;
		if (err)
			return err;
		if (!t)
			return -ENOTCONN;
		if (t->closed || t->type != SOCK_DGRAM)
			return -ECONNREFUSED;
		if (t->peer && t->peer != s)
			return -EPERM;
	} else {
		if (s->state != SOCK_CONNECTED)
			return -ENOTCONN;
		if (!t || t->closed || t->rd_shut)
			return -EPIPE;
	}
	if (s->type == SOCK_STREAM) {
		size_t room = t->rcvbuf > t->rx_bytes ? t->rcvbuf - t->rx_bytes : 0;
		if (!len)
			return 0;
		if (!room)
			return -EAGAIN;
		return queue(t, s, buf, len < room ? len : room, files, nfiles, who);
	}
	if (len > VFS_DGRAM_MAX)
		return -EMSGSIZE;
	if (t->rx && t->rx_bytes + len > t->rcvbuf)
		return -EAGAIN;
	return queue(t, s, buf, len, files, nfiles, who);
}

long sock_send(struct sock *s, const void *buf, size_t len, struct file **files, unsigned nfiles,
	       const struct cred *c, struct node *cwd, const struct sock_name *to,
	       const struct sock_sender *from)
{
	long r = send_to(s, buf, len, files, nfiles, c, cwd, to, from);
	bool taken = r > 0 || (r == 0 && s->type != SOCK_STREAM);

	for (unsigned i = 0; i < nfiles && !taken; i++)
		file_put(files[i]);
	return r;
}

/* Moves (or, peeking, copies) the files of @m to @info (closing them without one). */
static void take_files(struct sock_msg *m, bool peek, struct sock_recv_info *info)
{
	for (unsigned i = 0; i < m->nfiles; i++) {
		struct file *f = m->files[i];
		if (peek)
			file_get(f);
		else
			sock_inflight_del(f);
		if (info && info->nfiles < VFS_SCM_MAX)
			info->files[info->nfiles++] = f;
		else
			file_put(f);
	}
	if (!peek)
		m->nfiles = 0;
}

/* Nothing queued: end of file (0), an error, or -EAGAIN. */
static long recv_empty(struct sock *s)
{
	if (s->error) {
		int e = s->error;
		s->error = 0;
		return -e;
	}
	if (s->rd_shut)
		return 0;
	if (s->type == SOCK_DGRAM)
		return -EAGAIN;
	if (s->state != SOCK_CONNECTED)
		return -ENOTCONN;
	if (!s->peer || s->peer->closed || s->peer->wr_shut)
		return 0;
	return -EAGAIN;
}

/*
 * MSG_WAITALL: whether a stream read of @len bytes is to wait (fewer are
 * there before where a read stops, and more may come).
 */
static bool waitall_short(const struct sock *s, size_t len)
{
	size_t have = 0;

	for (const struct sock_msg *m = s->rx; m; m = m->next) {
		/* A read ends before data that carries files, or (SO_PASSCRED) another sender's. */
		if (m != s->rx && (m->nfiles || (s->passcred && !cred_eq(&m->cred, &s->rx->cred))))
			return false;
		have += m->len - m->off;
		if (have >= len || m->nfiles)
			return false;
	}
	/* A full queue takes no more: waiting would never end (a small SO_RCVBUF). */
	return !s->error && !s->rd_shut && s->peer && !s->peer->closed && !s->peer->wr_shut &&
	       s->rx_bytes < s->rcvbuf;
}

long sock_recv(struct sock *s, void *buf, size_t len, int flags, struct sock_recv_info *info)
{
	bool peek = flags & MSG_PEEK;
	struct sock_msg *m = s->rx;

	if (s->state == SOCK_LISTENING)
		return -ENOTCONN;
	if (!m)
		return recv_empty(s);
	if (info)
		info->cred = m->cred;
	if (s->type != SOCK_STREAM) {
		/* One message, cut to @len. */
		size_t n = m->len < len ? m->len : len;
		if (m->nfiles && (flags & VFS_MSG_NOFILES))
			return -EAGAIN;
		memcpy(buf, m->data, n);
		take_files(m, peek, info);
		if (info) {
			info->truncated = m->len > len;
			info->from = m->from;
		}
		if (!peek) {
			unqueue(s);
			sock_msg_free(m);
		}
		return (long)n;
	}
	if ((flags & MSG_WAITALL) && waitall_short(s, len))
		return -EAGAIN;
	struct sock_cred first = m->cred;
	size_t done = 0, off = m->off;
	while (m && done < len) {
		bool last = false;
		/* As Linux, a read with SO_PASSCRED never joins data of two senders. */
		if (done && s->passcred && !cred_eq(&m->cred, &first))
			break;
		if (m->nfiles) {
			/* Data that carries files starts a read of its own and ends it. */
			if (done)
				break;
			if (flags & VFS_MSG_NOFILES)
				return 0;
			take_files(m, peek, info);
			last = true;
		}
		size_t n = m->len - off < len - done ? m->len - off : len - done;
		memcpy((char *)buf + done, m->data + off, n);
		done += n;
		off += n;
		struct sock_msg *next = m->next;
		bool partial = off < m->len;
		if (!peek) {
			m->off = off;
			if (!partial) {
				unqueue(s);
				sock_msg_free(m);
			}
		}
		if (partial || last)
			break;
		m = next;
		off = m ? m->off : 0;
	}
	return (long)done;
}

short sock_poll(const struct sock *s)
{
	short ev = s->error ? POLLERR : 0;

	if (s->state == SOCK_LISTENING)
		return ev | (s->pending ? POLLIN : 0);
	if (s->type == SOCK_DGRAM) {
		const struct sock *t = s->peer;
		bool room = !t || t->closed || !t->rx || t->rx_bytes < t->rcvbuf;
		return ev | (s->rx || s->rd_shut ? POLLIN : 0) | (room ? POLLOUT : 0);
	}
	if (s->state != SOCK_CONNECTED)
		return ev | POLLOUT | POLLHUP;
	const struct sock *p = s->peer;
	bool gone = !p || p->closed;
	bool rcv_shut = s->rd_shut || gone || p->wr_shut,
	     snd_shut = s->wr_shut || gone || p->rd_shut;
	if (s->rx || rcv_shut)
		ev |= POLLIN;
	if (rcv_shut)
		ev |= 0x2000; /* POLLRDHUP */
	if (rcv_shut && snd_shut)
		ev |= POLLHUP;
	if (snd_shut || p->rx_bytes < p->rcvbuf)
		ev |= POLLOUT;
	return ev;
}

int sock_getopt(struct sock *s, int name, int64_t *value, struct sock_cred *cred)
{
	switch (name) {
	case SO_TYPE: *value = s->type; return 0;
	case SO_ERROR:
		*value = s->error;
		s->error = 0;
		return 0;
	case SO_SNDBUF: *value = (int64_t)s->sndbuf; return 0;
	case SO_RCVBUF: *value = (int64_t)s->rcvbuf; return 0;
	case SO_ACCEPTCONN: *value = s->state == SOCK_LISTENING; return 0;
	case SO_DOMAIN: *value = AF_UNIX; return 0;
	case SO_PROTOCOL: *value = 0; return 0;
	case SO_PASSCRED: *value = s->passcred; return 0;
	case SO_KEEPALIVE: *value = s->opts[0]; return 0;
	case SO_REUSEADDR: *value = s->opts[1]; return 0;
	case SO_LINGER: *value = s->opts[2]; return 0;
	case SO_RCVTIMEO: *value = s->rcvtimeo; return 0;
	case SO_SNDTIMEO: *value = s->sndtimeo; return 0;
	case SO_PEERCRED: *cred = s->peer_cred; return 0;
	default: return -ENOPROTOOPT;
	}
}

int sock_setopt(struct sock *s, int name, int64_t value)
{
	switch (name) {
	case SO_SNDBUF:
	case SO_RCVBUF: {
		/* Linux doubles the value asked for (room for its bookkeeping) and bounds it. */
		uint64_t v = value < 0 ? 0 : (uint64_t)value * 2;
		v = v < SOCK_BUF_MIN ? SOCK_BUF_MIN : v > SOCK_BUF_MAX ? SOCK_BUF_MAX : v;
		*(name == SO_SNDBUF ? &s->sndbuf : &s->rcvbuf) = (size_t)v;
		return 0;
	}
	case SO_PASSCRED: s->passcred = value != 0; return 0;
	case SO_KEEPALIVE: s->opts[0] = value != 0; return 0;
	case SO_REUSEADDR: s->opts[1] = value != 0; return 0;
	case SO_LINGER: s->opts[2] = value != 0; return 0;
	case SO_RCVTIMEO:
	case SO_SNDTIMEO:
		/* Nanoseconds (0: none), or SOCK_TIMEO_NOWAIT. */
		if (value < SOCK_TIMEO_NOWAIT)
			return -EINVAL;
		*(name == SO_RCVTIMEO ? &s->rcvtimeo : &s->sndtimeo) = value;
		return 0;
	default: return -ENOPROTOOPT;
	}
}
