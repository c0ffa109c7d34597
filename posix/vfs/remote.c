/*
 * Remote file systems: directories another server serves (proto/vfs.h,
 * "Remote file systems"). Lookups that reach a mounted directory, and the
 * open files they make, are forwarded to the owner as queued requests that
 * the owner takes (VFS_REMOTE_NEXT) and answers (VFS_REMOTE_ANSWER); the
 * clients' replies are saved meanwhile. The server never calls an owner, so
 * an owner that hangs or dies cannot stop it: a dead owner's clients get EIO.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <veridian/vr.h>

#include "file.h"
#include "server.h"
#include "session.h"

#define REMOTE_MAX 64	 /* mounts at once */
#define PENDING_MAX 1024 /* forwarded requests of one mount not yet answered (EAGAIN beyond) */

/* A request queued for the owner (the words of the VFS_REMOTE_NEXT answer). */
struct rmsg {
	struct rmsg *next;
	uint64_t w[8]; /* w[1] .. w[7] as proto/vfs.h lists them */
	size_t len;
	char data[];
};

/* A client waiting for the owner's answer. */
struct pending {
	struct pending *next;
	uint64_t tag;
	uint32_t op;
	handle_t reply;	  /* the client's saved reply */
	uint64_t session; /* the client's session (for VFS_OPEN's new id) */
	struct file *f;	  /* the file of a per-file request (referenced), else NULL */
	int flags;	  /* VFS_OPEN: the O_* flags the file gets */
	size_t len;	  /* VFS_READ: the most asked for; VFS_WRITE: the bytes sent */
	bool positioned;  /* pread/pwrite: the offset does not move */
	bool chdir;	  /* VFS_OPEN for a chdir: the directory becomes the working directory */
	char *path;	  /* VFS_OPEN: the file's path (owned; NULL without memory) */
	char *tail;	  /* a name request's last component, asked about its directory (owned), or NULL */
	char *lexical;	  /* asked about the name before a "..": the path to go on with if it is no link out */
	uint16_t rest;	  /* VFS_OPEN: where in path the part below the mount starts */
	char *frame;	  /* two paths or a socket address: the request around the one asked about (owned) */
	size_t frame_len, at, end; /* that path was frame[at, end) */
	unsigned index;	  /* which of the request's paths (the client counts each one's turns) */
	bool addr;	  /* a socket address: at most VFS_ADDR_MAX bytes */
	long no_link_out; /* the error when the name is the tree's own */
	char *then;	  /* if it is: the directory of the other path, in the tree, to ask about next (owned) */
	bool second;	  /* that question: EXDEV if it leads out, else EROFS */
};

struct remote {
	unsigned refs;	 /* the mount, its files, the waiting clients' files */
	uint64_t number; /* the mount number the owner names it by */
	uint64_t owner;	 /* the owner's session number; 0 once it is gone */
	struct node *at; /* the mounted directory (referenced while mounted) */
	struct rmsg *queue, **tail;
	struct pending *pending;
	unsigned npending;
	uint64_t next_tag;
	struct file *files; /* its open files, through file->remote_next */
};

static struct remote *mounts[REMOTE_MAX];

static void remote_put(struct remote *rm)
{
	if (--rm->refs)
		return;
	mounts[rm->number - 1] = NULL;
	free(rm);
}

/* Queues a request for the owner: 0 or -ENOMEM. */
static int enqueue(struct remote *rm, const uint64_t w[8], const void *data, size_t len)
{
	struct rmsg *m = malloc(sizeof(*m) + len);

	if (!m)
		return -ENOMEM;
	m->next = NULL;
	memcpy(m->w, w, sizeof(m->w));
	m->len = len;
	memcpy(m->data, data, len);
	*rm->tail = m;
	rm->tail = &m->next;
	waiters_wake(WAIT_REMOTE);
	return 0;
}

/* Answers a saved client with @result and @r (words, data, a capability). */
static void answer_client(handle_t reply, const struct reply *r, long result)
{
	uint64_t msg[8];

	reply_encode(r, result, msg);
	vr_ipc_reply_to(reply, msg); /* the client may be gone: nothing to do then */
}

static void pending_free(struct remote *rm, struct pending *p)
{
	if (p->f)
		file_put(p->f);
	free(p->path);
	free(p->tail);
	free(p->lexical);
	free(p->frame);
	free(p->then);
	rm->npending--;
	free(p);
}

/* The request header of @s for @op on @f's handle (or a path when @f is NULL). */
static void header(uint64_t w[8], const struct session *s, uint32_t op, int flags, uint64_t tag,
		   uint64_t handle, uint64_t a, uint64_t b)
{
	memset(w, 0, 8 * sizeof(uint64_t));
	w[1] = op | (uint64_t)(uint32_t)flags << 32;
	w[2] = tag;
	w[3] = handle;
	w[4] = a;
	w[5] = b;
	w[6] = s->pid;
	w[7] = s->cred.uid | (uint64_t)s->cred.gid << 32;
}

/*
 * Forwards the current request to @rm's owner and saves the caller's reply:
 * REPLY_SAVED, or -errno to answer at once.
 */
static long forward(struct remote *rm, struct session *s, uint32_t op, struct file *f, int flags,
		    uint64_t a, uint64_t b, const void *data, size_t len, bool positioned)
{
	uint64_t w[8];
	int err;

	if (!rm->owner)
		return -EIO;
	if (rm->npending >= PENDING_MAX)
		return -EAGAIN;
	struct pending *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	*p = (struct pending){.tag = ++rm->next_tag,
			      .op = op,
			      .len = op == VFS_READ ? a : len,
			      .session = s->number,
			      .f = f,
			      .flags = flags,
			      .positioned = positioned};
	header(w, s, op, (f ? f->flags : 0) | flags, p->tag, f ? f->handle : 0, a, b);
	/* Should the save fail, the queued request's answer finds no tag: ignored. */
	if ((err = enqueue(rm, w, data, len)) || (err = (int)vr_ipc_reply_save(&p->reply))) {
		free(p);
		return err;
	}
	if (f)
		file_get(f);
	rm->npending++;
	p->next = rm->pending;
	rm->pending = p;
	return REPLY_SAVED;
}

/* ---- the clients' requests ---- */

/*
 * The path of @rest in @rm's tree, in a new string (/proc/<pid>/fd names it,
 * getcwd tells it), and in *@at where @rest starts in it; NULL without
 * memory, or when too long.
 */
static char *path_in(const struct remote *rm, const char *rest, uint16_t *at)
{
	char mount[VFS_IO_MAX];
	int n = fs_path_of(rm->at, mount, sizeof(mount));

	if (n <= 0)
		return NULL;
	size_t al = (size_t)n - 1, rl = strlen(rest);
	if (al + 1 + rl >= FS_PATH_MAX)
		return NULL;
	char *p = malloc(al + 1 + rl + 1);
	if (!p)
		return NULL;
	memcpy(p, mount, al);
	if (al == 1 && rl)
		al = 0;	/* mounted at "/": no second slash */
	if (rl)
		p[al++] = '/';
	*at = (uint16_t)al;
	memcpy(p + al, rest, rl);
	p[al + rl] = 0;
	return p;
}

int remote_dir_walk(struct file *dir, const char **path, struct node **at)
{
	struct remote *rm = dir->remote;
	const char *left;

	fs_remote_path = *path;
	if (**path == '/') {
		*at = fs_root;	/* absolute: the directory plays no part */
		return 0;
	}
	if (!dir->dir)
		return -ENOTDIR;
	if (!rm->at || !**path)
		return -ENOENT;
	if (!dir->path)
		return -ENOMEM;
	const char *dotdot;
	int r = fs_remote_join(dir->path + dir->rest, *path, fs_remote_rest, &left, &dotdot);
	if (r < 0)
		return r;
	fs_remote_after[0] = 0;
	if (r == 2 && strlen(dotdot) < FS_PATH_MAX)
		memcpy(fs_remote_after, dotdot, strlen(dotdot) + 1);
	else if (r == 2)
		return -ENAMETOOLONG;
	if (r != 1) {
		fs_remote_at = rm->at;
		return -EREMOTE;
	}
	/* ".." out of the tree: on from the directory it is mounted on, in the vfs's tree. */
	*at = rm->at->parent;
	*path = *left ? left : ".";
	return 0;
}

long remote_fchdir(struct session *s, struct file *f)
{
	if (!f->dir)
		return -ENOTDIR;
	if (!f->remote->at)
		return -ENOENT;
	session_chdir(s, f->remote->at, f);
	return 0;
}

/* A copy of @fr's request for the pending that asks about its path (*@out NULL without one). */
static int frame_dup(const struct name_frame *fr, char **out)
{
	*out = NULL;
	if (!fr || !fr->data)
		return 0;
	if (!(*out = malloc(fr->len ? fr->len : 1)))
		return -ENOMEM;
	memcpy(*out, fr->data, fr->len);
	return 0;
}

static void frame_set(struct pending *p, const struct name_frame *fr, char *copy)
{
	if (!copy)
		return;
	if (fr->then_at && fr->then_at->remote == fs_remote_at->remote)
		p->then = strdup(fr->then);	/* without memory: EROFS */
	p->frame = copy;
	p->frame_len = fr->len;
	p->at = fr->at;
	p->end = fr->end;
	p->index = fr->index;
	p->addr = fr->addr;
	p->no_link_out = fr->no_link_out;
}

/*
 * A path with a ".." after a name of the tree (fs_remote_after): the owner
 * is asked about the path up to it, which may be a link out of the tree.
 * If it is, the client goes to its target with the ".." and the rest after
 * it (physical, as Linux's "/proc/self/cwd/../x"); else to the path with
 * the name and its ".." taken away, in the tree (-VFS_EFOLLOW either way,
 * so the client counts the turn towards ELOOP).
 */
static long dotdot_first(struct remote *rm, struct session *s, const struct name_frame *fr)
{
	const char *rest = fs_remote_rest, *after = fs_remote_after + 2;
	size_t up = strlen(rest);
	uint16_t at;

	while (up && rest[up - 1] != '/')
		up--;
	while (*after == '/')
		after++;
	/* "a/b" + "../c" -> "a/c"; a ".." at the end leaves "a/", still a directory. */
	size_t al = strlen(after);
	char *lexical = malloc(up + al + 1);
	if (!lexical)
		return -ENOMEM;
	memcpy(lexical, rest, up);
	memcpy(lexical + up, after, al + 1);
	char *path = path_in(rm, lexical, &at), *tail = strdup(fs_remote_after), *frame;
	free(lexical);
	if (!path || !tail || frame_dup(fr, &frame)) {
		free(path);
		free(tail);
		return -ENOMEM;
	}
	long r = forward(rm, s, VFS_ACCESS, NULL, 0, F_OK, 0, rest, strlen(rest) + 1, false);
	if (r == REPLY_SAVED) {
		rm->pending->tail = tail;
		rm->pending->lexical = path;
		frame_set(rm->pending, fr, frame);
	} else {
		free(tail);
		free(path);
		free(frame);
	}
	return r;
}

long remote_path_op(struct session *s, uint32_t op)
{
	struct remote *rm = fs_remote_at->remote;
	const char *rest = fs_remote_rest;
	size_t len = strlen(rest) + 1;

	if (fs_remote_after[0])
		return dotdot_first(rm, s, NULL);
	switch (op) {
	case VFS_OPEN: {
		long r = forward(rm, s, op, NULL, (int)req.w[2] & ~O_CLOEXEC, (uint64_t)(int)req.w[2],
				 req.w[3], rest, len, false);
		if (r == REPLY_SAVED)
			rm->pending->path = path_in(rm, rest, &rm->pending->rest);
		return r;
	}
	case VFS_CHDIR: {
		/* An open of the directory: the owner says whether it is one; it stays open as the cwd. */
		int flags = O_RDONLY | O_DIRECTORY;
		long r = forward(rm, s, VFS_OPEN, NULL, flags, (uint64_t)flags, 0, rest, len, false);
		if (r == REPLY_SAVED) {
			rm->pending->path = path_in(rm, rest, &rm->pending->rest);
			rm->pending->chdir = true;
		}
		return r;
	}
	case VFS_STATAT:
		return forward(rm, s, op, NULL, 0, req.w[2] & AT_SYMLINK_NOFOLLOW, 0, rest, len,
			       false);
	case VFS_READLINK: return forward(rm, s, op, NULL, 0, 0, 0, rest, len, false);
	case VFS_ACCESS: return forward(rm, s, op, NULL, 0, req.w[2], 0, rest, len, false);
	default: return -EROFS; /* names in a remote tree are the owner's to make and remove */
	}
}

int remote_name_dir(char *dir)
{
	const char *rest = fs_remote_rest;
	size_t end = strlen(rest);

	while (end && rest[end - 1] == '/')
		end--;
	if (fs_remote_after[0] || !end)
		return -EROFS;
	while (end && rest[end - 1] != '/')
		end--;
	while (end && rest[end - 1] == '/')
		end--;
	memcpy(dir, rest, end);
	dir[end] = 0;
	return 0;
}

long remote_name_op(struct session *s, enum remote_name which, const struct name_frame *fr)
{
	struct remote *rm = fs_remote_at->remote;
	const char *rest = fs_remote_rest;
	size_t end = strlen(rest), start;
	char dir[FS_PATH_MAX], *frame;

	if (fs_remote_after[0])
		return dotdot_first(rm, s, fr);
	while (end && rest[end - 1] == '/')
		end--;
	if (!end)
		return fr ? fr->no_link_out : -EROFS;	/* the mounted directory itself */
	for (start = end; start && rest[start - 1] != '/'; start--)
		;
	if (which == REMOTE_NAME_FOLLOWED)
		start = strlen(rest);	/* the whole path, its last link followed */
	/* Whether the path (or the directory the name is in) leads out of the tree: the owner's VFS_ACCESS says. */
	size_t dl = start;
	while (dl && rest[dl - 1] == '/' && which == REMOTE_NAME_DIR)
		dl--;
	memcpy(dir, rest, dl);
	dir[dl] = 0;
	char *tail = strdup(rest + start);
	if (!tail || frame_dup(fr, &frame)) {
		free(tail);
		return -ENOMEM;
	}
	long r = forward(rm, s, VFS_ACCESS, NULL, 0, F_OK, 0, dir, dl + 1, false);
	if (r == REPLY_SAVED) {
		rm->pending->tail = tail;
		frame_set(rm->pending, fr, frame);
	} else {
		free(tail);
		free(frame);
	}
	return r;
}

long remote_file_op(struct session *s, struct file *f, uint32_t op)
{
	struct remote *rm = f->remote;
	int acc = f->flags & O_ACCMODE;

	if (!rm->owner)
		return -EIO;
	switch (op) {
	case VFS_READ:
	case VFS_PREAD:
		if (req.w[2] > VFS_IO_MAX)
			return -EINVAL;
		if (acc == O_WRONLY)
			return -EBADF;
		/* The rest of a large read must not wait (VFS_READ_NOWAIT): as O_NONBLOCK. */
		return forward(rm, s, VFS_READ, f,
			       op == VFS_READ && (req.w[3] & VFS_READ_NOWAIT) ? O_NONBLOCK : 0,
			       req.w[2], op == VFS_PREAD ? req.w[3] : f->pos, NULL, 0,
			       op == VFS_PREAD);
	case VFS_WRITE:
	case VFS_PWRITE:
		if (acc == O_RDONLY)
			return -EBADF;
		return forward(rm, s, VFS_WRITE, f, 0, 0, op == VFS_PWRITE ? req.w[2] : f->pos,
			       req.data, req.len, op == VFS_PWRITE);
	case VFS_STAT: return forward(rm, s, op, f, 0, 0, 0, NULL, 0, false);
	case VFS_GETDENTS:
		return forward(rm, s, op, f, 0, req.w[2] < VFS_IO_MAX ? req.w[2] : VFS_IO_MAX,
			       f->pos, NULL, 0, false);
	case VFS_IOCTL:
		return forward(rm, s, op, f, 0, (uint32_t)req.w[2], req.w[3], req.data, req.len,
			       false);
	case VFS_MMAP: return forward(rm, s, op, f, 0, req.w[2] ? 1 : 0, 0, NULL, 0, false);
	case VFS_SEEK: {
		/* The offset is kept here and sent with each read and write; the end is the
		 * owner's. */
		int whence = (int)req.w[3];
		int64_t off = (int64_t)req.w[2], base = whence == SEEK_SET   ? 0
							: whence == SEEK_CUR ? (int64_t)f->pos
									     : -1;
		if (base < 0 || (off > 0 && base > INT64_MAX - off) || base + off < 0)
			return -EINVAL;
		f->pos = (uint64_t)(base + off);
		return (long)f->pos;
	}
	default: return -EINVAL; /* truncate, seals */
	}
}

/* Sets the events of @rm's files with @handle (every file: UINT64_MAX). */
static void mark(struct remote *rm, uint64_t handle, short events)
{
	for (struct file *f = rm->files; f; f = f->remote_next)
		if (handle == UINT64_MAX || f->handle == handle)
			f->ready = events;
}

/* The last reference to a remote file went: tell the owner (no answer). */
static void file_gone(struct file *f)
{
	struct remote *rm = f->remote;
	uint64_t w[8] = {0, VFS_CLOSE, 0, f->handle};
	struct file **fp;

	for (fp = &rm->files; *fp && *fp != f; fp = &(*fp)->remote_next)
		;
	if (*fp)
		*fp = f->remote_next;

	/* Without memory the owner keeps a stale handle: no harm here. */
	if (rm->owner)
		enqueue(rm, w, NULL, 0);
	remote_put(rm);
}

/* ---- the owner's requests ---- */

static struct remote *owned(struct session *s, uint64_t number)
{
	struct remote *rm = number && number <= REMOTE_MAX ? mounts[number - 1] : NULL;

	return rm && rm->owner == s->number ? rm : NULL;
}

long op_remote_mount(struct session *s)
{
	const char *path =
	    req.len && !req.data[req.len - 1] && strlen(req.data) == req.len - 1 ? req.data : NULL;
	struct node *at = s->cwd, *n;
	int err;
	size_t i;

	if (!path)
		return -EINVAL;
	if (s->cred.uid != 0)
		return -EPERM;
	if (req.w[1] != VFS_AT_CWD) {
		struct file *d = session_file(s, req.w[1]);
		if (!d)
			return -EBADF;
		if (d->kind != FILE_NODE || !S_ISDIR(d->node->mode))
			return -ENOTDIR;
		at = d->node;
	}
	if ((err = fs_walk(&s->cred, at, path, WALK_FOLLOW, &n)))
		return err == -EREMOTE ? -EBUSY : err;
	if (!S_ISDIR(n->mode))
		return -ENOTDIR;
	if (n->children || n->mounted)
		return -EBUSY;
	for (i = 0; i < REMOTE_MAX && mounts[i]; i++)
		;
	if (i == REMOTE_MAX)
		return -ENOSPC;
	/* Answers that carry a VMO need GRANT, which session capabilities lack: the owner gets this
	 * one. */
	uint64_t cap;
	if ((err = (int)session_mint(
		 s->number, VR_RIGHT_SEND | VR_RIGHT_GRANT | VR_RIGHT_DUPLICATE | VR_RIGHT_TRANSFER,
		 &cap)))
		return err;
	struct remote *rm = calloc(1, sizeof(*rm));
	if (!rm) {
		vr_handle_close(cap);
		return -ENOMEM;
	}
	*rm = (struct remote){.refs = 1, .number = i + 1, .owner = s->number, .at = n};
	rm->tail = &rm->queue;
	mounts[i] = rm;
	node_get(n);
	n->remote = rm;
	file_remote_put = file_gone;
	out.w[2] = cap;
	out.words = 2;
	out.caps = 1;
	return (long)rm->number;
}

long op_remote_next(struct session *s)
{
	struct remote *rm = owned(s, req.w[1]);

	if (!rm)
		return -EINVAL;
	struct rmsg *m = rm->queue;
	if (!m)
		return req.w[2] & VFS_READ_NOWAIT ? -EAGAIN : block_until(WAIT_REMOTE);
	if (!(rm->queue = m->next))
		rm->tail = &rm->queue;
	for (int i = 2; i < 8; i++)
		out.w[i] = m->w[i];
	out.words = 7;
	memcpy(out.data, m->data, m->len);
	out.len = m->len;
	long op = (long)m->w[1];
	free(m);
	return op;
}

/*
 * The owner answered VFS_REMOTE_REOPEN (/proc/<pid>/fd/N): a new open file
 * of what the client's own id x1 holds, with the client's open flags.
 */
static long reopened(struct pending *p, struct reply *r)
{
	struct session *s = session_find(p->session);
	struct file *old = s ? session_file(s, req.w[4]) : NULL, *f;
	int err;

	if (!old)
		return s ? -ENOENT : -EINVAL;	/* closed since the owner looked */
	if ((err = file_reopen(old, p->flags, &s->cred, &f)))
		return err;
	if (p->chdir) {
		/* chdir to /proc/self/fd/N: the directory N holds. */
		err = f->kind == FILE_NODE && S_ISDIR(f->node->mode) ? 0 : -ENOTDIR;
		if (!err)
			session_chdir(s, f->node, NULL);
		file_put(f);
		return err;
	}
	int64_t id = session_add(s, f);
	if (id < 0) {
		file_put(f);
		return id;
	}
	r->w[2] = f->kind == FILE_NODE ? f->node->mode & S_IFMT : S_IFIFO;
	r->words = 2;
	return id;
}

/*
 * Whether the @len bytes at @d are a path below a mount as an owner may
 * answer it: NUL-terminated, relative, without empty, "." or ".." components.
 */
static bool rest_ok(const char *d, size_t len)
{
	if (!len || len > FS_PATH_MAX || d[len - 1] || strlen(d) != len - 1 || d[0] == '/')
		return false;
	for (const char *p = d; *p;) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (!n || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.') ||
		    n > FS_NAME_MAX)
			return false;
		p += n + (e != NULL);
		if (e && !*p)
			return false;	/* a trailing slash */
	}
	return true;
}

/* A new open file for an answered VFS_OPEN; the client's reply then carries its id. */
static long opened(struct remote *rm, struct pending *p, long result, struct reply *r)
{
	struct session *s = session_find(p->session);
	uint64_t handle = req.w[4];

	if (result == VFS_REMOTE_REOPEN)
		return reopened(p, r);
	struct file *f = file_new();

	if (!f || !s) {
		file_free(f);
		uint64_t w[8] = {0, VFS_CLOSE, 0, handle};
		enqueue(rm, w, NULL, 0);
		return s ? -ENOMEM : -EINVAL;
	}
	*f = (struct file){.refs = 1,
			   .kind = FILE_REMOTE,
			   .remote = rm,
			   .handle = handle,
			   .ready = (short)req.w[6],
			   .dir = S_ISDIR(req.w[5]),
			   .flags = p->flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY),
			   .path = p->path,
			   .rest = p->rest};
	p->path = NULL;
	/* The owner may say where the file is in its tree ("self" followed): its path from now on. */
	char *resolved = rm->at && rest_ok(req.data, req.len) ? path_in(rm, req.data, &f->rest) : NULL;
	if (resolved) {
		free(f->path);
		f->path = resolved;
	}
	rm->refs++;
	f->remote_next = rm->files;
	rm->files = f;
	if (p->chdir) {
		int err = f->dir ? 0 : -ENOTDIR;
		if (!err)
			session_chdir(s, rm->at, f);
		file_put(f);
		return err;
	}
	int64_t id = session_add(s, f);
	if (id < 0) {
		file_put(f);
		return id;
	}
	r->w[2] = req.w[5] & S_IFMT;
	r->words = 2;
	return id;
}

/* Whether @len bytes at @d are whole linux_dirent64 records, each name NUL-terminated in it. */
static bool dirents_ok(const char *d, size_t len)
{
	for (size_t off = 0; off < len;) {
		uint16_t reclen;
		if (len - off < 24)
			return false;
		memcpy(&reclen, d + off + 16, 2);
		if (reclen < 24 || reclen % 8 || reclen > len - off ||
		    !memchr(d + off + 19, 0, reclen - 19))
			return false;
		off += reclen;
	}
	return true;
}

/*
 * The owner says a path request's path leads out of its tree (a symbolic
 * link to elsewhere): the client gets the absolute path to look up instead
 * (-VFS_EFOLLOW) and sends its request again with it.
 */
static long follow(struct reply *r, const char *tail)
{
	size_t len = req.len, more = tail ? strlen(tail) : 0;

	if (!len || len > FS_PATH_MAX || req.data[0] != '/' || req.data[len - 1] ||
	    strlen(req.data) != len - 1)
		return -EIO;
	if (len + 1 + more > FS_PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(r->data, req.data, len);
	if (tail && *tail) {
		/* A name request asked about its directory: the name after it. */
		r->data[len - 1] = '/';
		memcpy(r->data + len, tail, more + 1);
		len += 1 + more;
	}
	r->len = len;
	return -VFS_EFOLLOW;
}

/*
 * A new path (-VFS_EFOLLOW, in *@r) for a request of two paths or a socket
 * address (@p->frame): the request's long part again with that path where
 * the one asked about was; the client's reply says which (w2), to count
 * each path's turns.
 */
static long reframe(const struct pending *p, struct reply *r, long got)
{
	static char buf[VFS_IO_MAX];

	if (got != -VFS_EFOLLOW || !p->frame)
		return got;
	size_t n = r->len - 1, tail = p->frame_len - p->end, len = p->at + n + tail;
	size_t max = p->addr ? VFS_ADDR_MAX : VFS_IO_MAX;
	if (p->addr && len == max + 1)
		len--, tail--; /* sun_path may be full, without its NUL */
	if (len > max)
		return -ENAMETOOLONG;
	memcpy(buf, p->frame, p->at);
	memcpy(buf + p->at, r->data, n);
	memcpy(buf + p->at + n, p->frame + p->end, tail);
	memcpy(r->data, buf, len);
	r->len = len;
	r->w[2] = p->index;
	r->words = 2;
	return got;
}

/*
 * @p's name is the tree's own, and the request's other path reached the
 * tree too: the owner is asked about that one's directory now (p->then),
 * for the same client (its reply moves to the new question). REPLY_SAVED,
 * or -errno to answer at once.
 */
static long ask_then(struct remote *rm, struct pending *p)
{
	struct session *s = session_find(p->session);
	uint64_t w[8];
	struct pending *q;

	if (!s || !rm->owner)
		return -EIO;
	if (rm->npending >= PENDING_MAX || !(q = calloc(1, sizeof(*q))))
		return -EAGAIN;
	*q = (struct pending){.tag = ++rm->next_tag,
			      .op = VFS_ACCESS,
			      .reply = p->reply,
			      .session = p->session,
			      .second = true};
	header(w, s, VFS_ACCESS, 0, q->tag, 0, F_OK, 0);
	if (enqueue(rm, w, p->then, strlen(p->then) + 1)) {
		free(q);
		return -ENOMEM;
	}
	rm->npending++;
	q->next = rm->pending;
	rm->pending = q;
	return REPLY_SAVED;
}

/* Checks and turns the owner's answer to @p into the client's reply *r; the client's result. */
static long translate(struct remote *rm, struct pending *p, long result, handle_t cap,
		      struct reply *r)
{
	size_t len = req.len;

	if (result < 0)
		return result < -4095 ? -EIO : result;
	if (p->second)
		return result == VFS_REMOTE_FOLLOW ? -EXDEV : -EROFS;	/* as Linux's mounts */
	if (result == VFS_REMOTE_FOLLOW && !p->f)
		return reframe(p, r, follow(r, p->tail));	/* a path request's (a file's have their file) */
	if (p->lexical) {
		/* The name before a ".." is no link out: the path without them (dotdot_first). */
		size_t n = strlen(p->lexical) + 1;
		if (n > VFS_IO_MAX)
			return -ENAMETOOLONG;
		memcpy(r->data, p->lexical, n);
		r->len = n;
		return reframe(p, r, -VFS_EFOLLOW);
	}
	if (p->tail && p->then && !p->lexical)
		return ask_then(rm, p);
	if (p->tail)
		return p->frame ? p->no_link_out : -EROFS;	/* a name in the tree: the owner's to make and remove */
	switch (p->op) {
	case VFS_OPEN: return opened(rm, p, result, r);
	case VFS_STAT:
	case VFS_STATAT:
		if (len != sizeof(struct vfs_stat))
			return -EIO;
		break;
	case VFS_READ:
	case VFS_GETDENTS:
		if ((size_t)result != len || (p->op == VFS_READ && len > p->len) ||
		    (p->op == VFS_GETDENTS && !dirents_ok(req.data, len)))
			return -EIO;
		if (p->op == VFS_GETDENTS)
			p->f->pos = req.w[4];
		else if (!p->positioned)
			p->f->pos += len;
		break;
	case VFS_READLINK:
		if ((size_t)result != len)
			return -EIO;
		break;
	case VFS_WRITE:
		if (len || (uint64_t)result > p->len)
			return -EIO;
		if (!p->positioned)
			p->f->pos += (uint64_t)result;
		break;
	case VFS_MMAP:
		if (!cap)
			return -EIO;
		r->w[2] = cap;
		r->words = 2;
		r->caps = 1;
		break;
	default: break;
	}
	memcpy(r->data, req.data, len);
	r->len = len;
	return result;
}

long op_remote_answer(struct session *s, handle_t cap)
{
	static struct reply r;
	struct remote *rm = owned(s, req.w[1]);
	struct pending **pp;

	req.cap = 0; /* taken: closed or passed on here */
	if (!rm)
		goto bad;
	for (pp = &rm->pending; *pp && (*pp)->tag != req.w[2]; pp = &(*pp)->next)
		;
	if (!*pp)
		goto bad;
	struct pending *p = *pp;
	*pp = p->next;
	/* A write's data went one way only: the answer carries none. */
	if (p->op == VFS_WRITE && req.len)
		req.len = 0, req.w[3] = (uint64_t)-EIO;
	memset(&r, 0, offsetof(struct reply, data));
	long result = translate(rm, p, (long)req.w[3], p->op == VFS_MMAP ? cap : 0, &r);
	if (r.caps)
		cap = 0;
	if (result != REPLY_SAVED)
		answer_client(p->reply, &r, result);
	pending_free(rm, p);
	if (cap)
		vr_handle_close(cap);
	return 0;
bad:
	if (cap)
		vr_handle_close(cap);
	return -EINVAL;
}

/* The owner's files with @handle now have @events: poll and epoll look at these. */
long op_remote_ready(struct session *s)
{
	struct remote *rm = owned(s, req.w[1]);

	if (!rm)
		return -EINVAL;
	mark(rm, req.w[2], (short)req.w[3]);
	return 0;
}

/* The session @number ended: the mounts it served go, their clients get EIO. */
void remote_session_end(uint64_t number)
{
	for (size_t i = 0; i < REMOTE_MAX; i++) {
		struct remote *rm = mounts[i];
		if (!rm || rm->owner != number)
			continue;
		rm->owner = 0;
		waiters_wake(WAIT_REMOTE);	/* its VFS_REMOTE_NEXT, if one waits, now fails */
		while (rm->queue) {
			struct rmsg *m = rm->queue;
			rm->queue = m->next;
			free(m);
		}
		rm->tail = &rm->queue;
		while (rm->pending) {
			struct pending *p = rm->pending;
			static struct reply none;
			rm->pending = p->next;
			answer_client(p->reply, &none, -EIO);
			pending_free(rm, p);
		}
		mark(rm, UINT64_MAX, POLLERR | POLLHUP);
		rm->at->remote = NULL;
		node_put(rm->at);
		rm->at = NULL;
		remote_put(rm);
	}
}
