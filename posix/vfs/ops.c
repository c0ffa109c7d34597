/*
 * The operations on names and file contents, with Linux's errors in Linux's
 * order (EEXIST before EROFS before EACCES for creation; EROFS before ENOENT
 * for removal).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"

#define FILE_MAX ((uint64_t)1 << 30) /* the largest regular file (EFBIG beyond) */

/* The entry @l names in its directory, seen through mounts; NULL if none. */
static struct node *last_node(const struct last *l)
{
	struct node *n = entry_node(dir_find(l->dir, l->name, l->len));

	while (n && n->mounted)
		n = n->mounted;
	return n;
}

/* May @c add or remove names in @dir? */
static int may_change_dir(const struct cred *c, struct node *dir)
{
	if (dir->fs->readonly)
		return -EROFS;
	if (dir->fs->fixed)
		return -EPERM;
	if (!may_access(dir, c, W_OK | X_OK))
		return -EACCES;
	if (dir->nlink == 0)
		return -ENOENT;
	return 0;
}

/* The sticky bit (/tmp): only the owner of a name or of the directory (or root) removes it. */
static bool sticky_denies(const struct cred *c, const struct node *dir, const struct node *n)
{
	return (dir->mode & S_ISVTX) && c->uid != 0 && c->uid != n->uid && c->uid != dir->uid;
}

int fs_mkdir(const struct cred *c, struct node *at, const char *path, uint32_t mode)
{
	struct last l;
	int err = fs_walk_parent(c, at, path, &l);

	if (err)
		return err;
	if (l.dot || dir_find(l.dir, l.name, l.len))
		return -EEXIST;
	if ((err = may_change_dir(c, l.dir)))
		return err;
	return node_create(l.dir, l.name, l.len, S_IFDIR | (mode & 07777), c) ? 0 : -ENOSPC;
}

int fs_unlink(const struct cred *c, struct node *at, const char *path, bool rmdir)
{
	struct last l;
	int err = fs_walk_parent(c, at, path, &l);

	if (err)
		return err;
	if (l.dot)
		return !rmdir ? -EISDIR : l.len == 1 ? -EINVAL : -ENOTEMPTY;
	if (l.dir->fs->readonly)
		return -EROFS;
	struct node *e = dir_find(l.dir, l.name, l.len), *n = entry_node(e);
	if (!n)
		return -ENOENT;
	if (rmdir && !S_ISDIR(n->mode))
		return -ENOTDIR;
	if (!rmdir && S_ISDIR(n->mode))
		return -EISDIR;
	if (!rmdir && l.slash)
		return -ENOTDIR;
	if ((err = may_change_dir(c, l.dir)))
		return err;
	if (sticky_denies(c, l.dir, n))
		return -EPERM;
	if (n->mounted || n->remote)
		return -EBUSY;
	if (rmdir && n->children)
		return -ENOTEMPTY;
	if (!S_ISDIR(n->mode))
		n->ctime = fs_now();
	node_unlink(e);
	return 0;
}

/* Whether directory @d is @anc or lies below it. */
static bool within(const struct node *d, const struct node *anc)
{
	for (;; d = d->parent) {
		if (d == anc)
			return true;
		if (d == d->parent || d == fs_root)
			return false;
	}
}

int fs_rename(const struct cred *c, struct node *oat, const char *opath, struct node *nat,
	      const char *npath)
{
	struct last lo, ln;
	int err = fs_walk_parent(c, oat, opath, &lo);

	if (!err)
		err = fs_walk_parent(c, nat, npath, &ln);
	if (err)
		return err;
	if (lo.dot || ln.dot)
		return -EBUSY;
	if (lo.dir->fs != ln.dir->fs)
		return -EXDEV;
	if (lo.dir->fs->readonly)
		return -EROFS;
	struct node *se = dir_find(lo.dir, lo.name, lo.len), *src = entry_node(se);
	if (!src)
		return -ENOENT;
	if ((lo.slash || ln.slash) && !S_ISDIR(src->mode))
		return -ENOTDIR;
	if ((err = may_change_dir(c, lo.dir)) || (err = may_change_dir(c, ln.dir)))
		return err;
	struct node *de = dir_find(ln.dir, ln.name, ln.len), *dst = entry_node(de);
	if (dst == src)
		return 0;	/* the same name, or two names of one file: nothing to do (POSIX) */
	if (sticky_denies(c, lo.dir, src) || (dst && sticky_denies(c, ln.dir, dst)))
		return -EPERM;
	if (src->mounted || src->remote || (dst && (dst->mounted || dst->remote)))
		return -EBUSY;
	if (S_ISDIR(src->mode)) {
		if (dst && !S_ISDIR(dst->mode))
			return -ENOTDIR;
		if (within(ln.dir, src))
			return -EINVAL;
		if (dst && dst->children)
			return -ENOTEMPTY;
	} else if (dst && S_ISDIR(dst->mode)) {
		return -EISDIR;
	}
	char *name = malloc(ln.len + 1);
	if (!name)
		return -ENOMEM;
	memcpy(name, ln.name, ln.len + 1);
	if (de)
		node_unlink(de);
	dir_unlink(se);
	free(se->name);
	se->name = name;
	se->name_key = name_key(name, ln.len);
	dir_link(ln.dir, se);
	src->ctime = fs_now();
	return 0;
}

static int link_to(const struct cred *c, struct node *old, struct node *nat, const char *npath)
{
	struct last l;
	int err = fs_walk_parent(c, nat, npath, &l);

	if (err)
		return err;
	if (l.dot || last_node(&l))
		return -EEXIST;
	if (l.slash)
		return -ENOENT;
	if (old->fs != l.dir->fs)
		return -EXDEV;
	if (S_ISDIR(old->mode))
		return -EPERM;
	if ((err = may_change_dir(c, l.dir)))
		return err;
	if (old->nlink == 0 && !old->linkable)
		return -ENOENT;
	if (!node_link(l.dir, l.name, l.len, old))
		return -ENOSPC;
	old->linkable = false;
	return 0;
}

int fs_link(const struct cred *c, struct node *oat, const char *opath, struct node *nat,
	    const char *npath, bool follow)
{
	struct node *old;
	int err = fs_walk(c, oat, opath, follow ? WALK_FOLLOW : WALK_NOFOLLOW, &old);

	return err ? err : link_to(c, old, nat, npath);
}

int fs_link_node(const struct cred *c, struct node *old, struct node *nat, const char *npath)
{
	return c->uid != 0 ? -ENOENT : link_to(c, old, nat, npath);
}

int fs_symlink(const struct cred *c, struct node *at, const char *target, const char *path)
{
	struct last l;
	size_t tlen = strnlen(target, FS_PATH_MAX);
	int err;

	if (tlen == 0)
		return -ENOENT;
	if (tlen >= FS_PATH_MAX)
		return -ENAMETOOLONG;
	if ((err = fs_walk_parent(c, at, path, &l)))
		return err;
	if (l.dot || dir_find(l.dir, l.name, l.len))
		return -EEXIST;
	if (l.slash)
		return -ENOENT;
	if ((err = may_change_dir(c, l.dir)))
		return err;
	char *t = strdup(target);
	if (!t)
		return -ENOSPC;
	struct node *n = node_create(l.dir, l.name, l.len, S_IFLNK | 0777, c);
	if (!n) {
		free(t);
		return -ENOSPC;
	}
	n->target = t;
	n->size = tlen;
	return 0;
}

int fs_readlink(const struct cred *c, struct node *at, const char *path, char *buf, size_t size)
{
	struct node *n;
	int err = fs_walk(c, at, path, WALK_NOFOLLOW, &n);

	if (err)
		return err;
	if (!S_ISLNK(n->mode))
		return -EINVAL;
	size_t len = strlen(n->target);
	if (len > size)
		len = size;
	memcpy(buf, n->target, len);
	return (int)len;
}

int fs_chmod(const struct cred *c, struct node *n, uint32_t mode)
{
	if (n->fs->readonly)
		return -EROFS;
	if (c->uid != 0 && c->uid != n->uid)
		return -EPERM;
	n->mode = (n->mode & S_IFMT) | (mode & 07777);
	n->ctime = fs_now();
	return 0;
}

int fs_chown(const struct cred *c, struct node *n, uint32_t uid, uint32_t gid)
{
	const uint32_t keep = (uint32_t)-1;

	if (n->fs->readonly)
		return -EROFS;
	if (c->uid != 0) {
		/* As Linux: the owner may only give the file to a group of its own. */
		if (uid != keep && (c->uid != n->uid || uid != n->uid))
			return -EPERM;
		if (gid != keep && (c->uid != n->uid || (gid != n->gid && gid != c->gid)))
			return -EPERM;
	}
	if (uid != keep)
		n->uid = uid;
	if (gid != keep)
		n->gid = gid;
	if ((uid != keep || gid != keep) && !S_ISDIR(n->mode)) {
		/* A changed owner drops set-user-ID, and set-group-ID if group-executable. */
		n->mode &= ~(uint32_t)S_ISUID;
		if (n->mode & S_IXGRP)
			n->mode &= ~(uint32_t)S_ISGID;
	}
	n->ctime = fs_now();
	return 0;
}

int fs_utimes(const struct cred *c, struct node *n, const int64_t t[4])
{
	bool omit_a = t[1] == UTIME_OMIT, omit_m = t[3] == UTIME_OMIT;
	bool now_a = t[1] == UTIME_NOW, now_m = t[3] == UTIME_NOW;

	for (int i = 1; i < 4; i += 2)
		if (t[i] != UTIME_NOW && t[i] != UTIME_OMIT && (t[i] < 0 || t[i] >= 1000000000))
			return -EINVAL;
	if (omit_a && omit_m)
		return 0;
	if (n->fs->readonly)
		return -EROFS;
	if (c->uid != 0 && c->uid != n->uid) {
		/* Others may only set both to now, and only with write permission. */
		if (!(now_a || omit_a) || !(now_m || omit_m))
			return -EPERM;
		if (!may_access(n, c, W_OK))
			return -EACCES;
	}
	int64_t now = fs_now();
	if (!omit_a) {
		n->atime = now_a ? now : t[0];
		n->atime_ns = now_a ? 0 : (uint32_t)t[1];
	}
	if (!omit_m) {
		n->mtime = now_m ? now : t[2];
		n->mtime_ns = now_m ? 0 : (uint32_t)t[3];
	}
	n->ctime = now;
	return 0;
}

/* Makes room for @size bytes in regular file @n (within its file system's limit). */
static int reserve(struct node *n, uint64_t size)
{
	if (size > FILE_MAX)
		return -EFBIG;
	if (size <= n->cap && n->owned)
		return 0;
	size_t cap = n->cap ? n->cap : 64;
	while (cap < size)
		cap *= 2;
	struct fs *fs = n->fs;
	size_t old = n->owned ? n->cap : 0;
	if (n->vmo && size > n->vmo_size && fs_vmo_grow && fs_vmo_grow(n, size))
		return -ENOSPC;
	if (n->vmo && cap > n->vmo_size)
		cap = size <= n->vmo_size ? n->vmo_size : 0;
	if (!cap || (fs->limit && fs->used - old + cap > fs->limit))
		return -ENOSPC;
	if (n->vmo) {
		/* A mapped file's bytes stay where they are: only the accounting grows. */
		fs->used = fs->used - old + cap;
		n->cap = cap;
		return 0;
	}
	char *data = n->owned ? realloc(n->data, cap) : malloc(cap);
	if (!data)
		return -ENOSPC;
	if (!n->owned && n->size)
		memcpy(data, n->data, n->size);
	fs->used = fs->used - old + cap;
	n->data = data;
	n->cap = cap;
	n->owned = true;
	return 0;
}

static void vmo_resized_nop(struct node *n)
{
	(void)n;
}

void (*fs_vmo_resized)(struct node *n) = vmo_resized_nop;
int (*fs_vmo_grow)(struct node *n, uint64_t size);

int fs_truncate(struct node *n, uint64_t size)
{
	if (S_ISDIR(n->mode))
		return -EISDIR;
	if (!S_ISREG(n->mode))
		return -EINVAL;
	if (n->fs->readonly)
		return -EROFS;
	if ((size < n->size && (n->seals & F_SEAL_SHRINK)) ||
	    (size > n->size && (n->seals & F_SEAL_GROW)))
		return -EPERM;
	uint64_t old = n->size;
	if (size > old) {
		int err = reserve(n, size);
		if (err)
			return err;
		memset(n->data + old, 0, size - old);
	}
	n->size = size;
	if (n->vmo && size != old)
		fs_vmo_resized(n);
	/*
	 * Mapped and shrunk: the pages wholly past the new end left every
	 * mapping just now (they fault: SIGBUS), so no store through one lands
	 * after this; what lies past the end in the page holding it reads as
	 * zeros.
	 */
	if (n->vmo && size < old)
		memset(n->data + size, 0, old - size);
	/* Appends being filled in past the new end keep their pieces out of it. */
	for (struct fs_append *a = n->appends; a; a = a->next)
		if (size < a->end) {
			a->end = size > a->start ? size : a->start;
			a->cut = true;
		}
	node_touch(n);
	return 0;
}

long fs_write(struct node *n, uint64_t off, const void *buf, size_t len)
{
	if (n->fs->readonly)
		return -EROFS;
	if (off > FILE_MAX || len > FILE_MAX - off)
		return -EFBIG;
	if (!len)
		return 0;
	if ((n->seals & F_SEAL_WRITE) || ((n->seals & F_SEAL_GROW) && off + len > n->size))
		return -EPERM;
	int err = reserve(n, off + len);
	if (err)
		return err;
	if (off > n->size)
		memset(n->data + n->size, 0, off - n->size);
	memcpy(n->data + off, buf, len);
	if (off + len > n->size) {
		n->size = off + len;
		if (n->vmo)
			fs_vmo_resized(n);
	}
	node_touch(n);
	return (long)len;
}

long fs_read(struct node *n, uint64_t off, void *buf, size_t len)
{
	if (off >= n->size)
		return 0;
	if (len > n->size - off)
		len = n->size - off;
	memcpy(buf, n->data + off, len);
	return (long)len;
}

/* Opens with O_CREAT: finds the name or makes a regular file. */
int fs_mksock(const struct cred *c, struct node *at, const char *path, uint32_t mode,
	      struct node **out)
{
	struct last l;
	int err = fs_walk_parent(c, at, path, &l);

	if (err)
		return err;
	if (l.dot || dir_find(l.dir, l.name, l.len))
		return -EADDRINUSE;
	if (l.slash)
		return -ENOENT;
	if ((err = may_change_dir(c, l.dir)))
		return err;
	*out = node_create(l.dir, l.name, l.len, S_IFSOCK | (mode & 07777), c);
	return *out ? 0 : -ENOSPC;
}

int fs_mknod(const struct cred *c, struct node *at, const char *path, uint32_t mode)
{
	uint32_t type = mode & S_IFMT;
	struct last l;
	int err;

	if (type == 0)
		type = S_IFREG;
	if (type == S_IFCHR || type == S_IFBLK || type == S_IFDIR)
		return -EPERM;
	if (type != S_IFREG && type != S_IFIFO && type != S_IFSOCK)
		return -EINVAL;
	if ((err = fs_walk_parent(c, at, path, &l)))
		return err;
	if (l.dot || last_node(&l))
		return -EEXIST;
	if (l.slash)
		return -ENOENT;
	if ((err = may_change_dir(c, l.dir)))
		return err;
	return node_create(l.dir, l.name, l.len, type | (mode & 07777), c) ? 0 : -ENOSPC;
}

static int open_create(const struct cred *c, struct node *at, const char *path, int flags,
		       uint32_t mode, struct node **out, bool *created)
{
	struct last l;
	int err = fs_walk_parent(c, at, path, &l);

	if (err)
		return err;
	if (l.dot)
		return -EISDIR;
	struct node *n = last_node(&l);
	if (n && S_ISLNK(n->mode) && !(flags & (O_EXCL | O_NOFOLLOW))) {
		/* Through the link (a dangling one is not created through: ENOENT). */
		if ((err = fs_walk(c, at, path, WALK_FOLLOW, &n)))
			return err;
	}
	if (n) {
		if (flags & O_EXCL)
			return -EEXIST;
		*out = n;
		return 0;
	}
	if (l.slash)
		return -EISDIR;
	if ((err = may_change_dir(c, l.dir)))
		return err;
	n = node_create(l.dir, l.name, l.len, S_IFREG | (mode & 07777), c);
	if (!n)
		return -ENOSPC;
	*created = true;
	*out = n;
	return 0;
}

/* O_TMPFILE: a regular file made in directory @path and at once in no directory (nlink 0). */
static int open_tmpfile(const struct cred *c, struct node *at, const char *path, int flags,
			uint32_t mode, struct node **out)
{
	int acc = flags & O_ACCMODE, err;
	char name[40];
	struct node *d, *n;

	if ((acc != O_WRONLY && acc != O_RDWR) || (flags & O_CREAT))
		return -EINVAL;
	if ((err = fs_walk(c, at, path, WALK_FOLLOW, &d)))
		return err;
	if (!S_ISDIR(d->mode))
		return -ENOTDIR;
	if ((err = may_change_dir(c, d)))
		return err;
	int len = snprintf(name, sizeof(name), ".tmpfile.%llu", (unsigned long long)d->fs->next_ino);
	if (dir_find(d, name, (size_t)len))
		return -EEXIST;
	if (!(n = node_create(d, name, (size_t)len, S_IFREG | (mode & 07777), c)))
		return -ENOSPC;
	dir_unlink(n);
	n->nlink = 0;	/* freed when the open file that is made of it goes (fs_open's caller) */
	n->linkable = !(flags & O_EXCL);
	*out = n;
	return 0;
}

int fs_open(const struct cred *c, struct node *at, const char *path, int flags, uint32_t mode,
	    struct node **out)
{
	bool created = false;
	struct node *n;
	int err;

	if ((flags & O_TMPFILE) == O_TMPFILE)
		return open_tmpfile(c, at, path, flags, mode, out);
	if (flags & O_CREAT)
		err = open_create(c, at, path, flags, mode, &n, &created);
	else
		err = fs_walk(c, at, path, flags & O_NOFOLLOW ? WALK_NOFOLLOW : WALK_FOLLOW, &n);
	if (err)
		return err;
	if ((err = fs_open_node(c, n, flags, created)))
		return err;
	*out = n;
	return 0;
}

int fs_open_node(const struct cred *c, struct node *n, int flags, bool created)
{
	int acc = flags & O_ACCMODE, err;

	if (S_ISLNK(n->mode))
		return -ELOOP;
	if (S_ISSOCK(n->mode))
		return -ENXIO;
	if ((flags & O_DIRECTORY) && !S_ISDIR(n->mode))
		return -ENOTDIR;
	if (S_ISDIR(n->mode) && (acc != O_RDONLY || (flags & O_CREAT)))
		return -EISDIR;
	if (acc == O_ACCMODE)
		return -EINVAL;
	if (!created) {
		bool writes = acc != O_RDONLY || (flags & O_TRUNC);
		if (writes && n->fs->readonly && (S_ISREG(n->mode) || S_ISDIR(n->mode)))
			return -EROFS;
		int want = (acc != O_WRONLY ? R_OK : 0) | (acc != O_RDONLY ? W_OK : 0);
		if (!may_access(n, c, want))
			return -EACCES;
		if ((flags & O_TRUNC) && S_ISREG(n->mode) && acc != O_RDONLY &&
		    (err = fs_truncate(n, 0)))
			return err;
	}
	return 0;
}

long fs_getdents(struct node *n, uint64_t *pos, void *buf, size_t size)
{
	size_t used = 0;
	struct node *e = n->children;

	if (!S_ISDIR(n->mode))
		return -ENOTDIR;
	if (n->nlink == 0)
		return 0;
	while (*pos != UINT64_MAX) {
		const char *name;
		uint64_t ino, next;
		unsigned type;
		if (*pos == 0) {
			name = ".", ino = n->ino, type = DT_DIR, next = 1;
		} else if (*pos == 1) {
			const struct node *p = n == fs_root ? n : n->parent;
			name = "..", ino = p->ino, type = DT_DIR, next = 2;
		} else {
			while (e && e->ino < *pos)
				e = e->next;
			if (!e) {
				*pos = UINT64_MAX;
				break;
			}
			name = e->name, ino = entry_node(e)->ino, type = (entry_node(e)->mode >> 12) & 15;
			next = e->next ? e->next->ino : UINT64_MAX;
		}
		size_t nl = strlen(name), reclen = (19 + nl + 1 + 7) & ~(size_t)7;
		if (used + reclen > size)
			break;
		char *r = (char *)buf + used;
		memset(r, 0, reclen);
		memcpy(r, &ino, 8);
		int64_t off = next == UINT64_MAX ? INT64_MAX : (int64_t)next;
		memcpy(r + 8, &off, 8);
		uint16_t rl = (uint16_t)reclen;
		memcpy(r + 16, &rl, 2);
		r[18] = (char)type;
		memcpy(r + 19, name, nl);
		used += reclen;
		*pos = next;
	}
	if (!used && *pos != UINT64_MAX)
		return -EINVAL;
	return (long)used;
}
