/*
 * Path lookup as Linux does it: "." and "..", symbolic links anywhere (at
 * most FS_SYMLINK_MAX of them: ELOOP), repeated and trailing slashes (a
 * trailing slash asks for a directory), mount points, search permission on
 * every directory passed, ENAMETOOLONG for a component over NAME_MAX or a
 * path of PATH_MAX bytes or more.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"

struct node *fs_remote_at;
char fs_remote_rest[FS_PATH_MAX];
char fs_remote_after[FS_PATH_MAX];
const char *fs_remote_path;

/* The directory ".." of @n leads to (the root's is itself; a mounted root's is its cover's). */
static struct node *up(struct node *n)
{
	return n == fs_root ? n : n->parent;
}

static bool is_dot(const char *s, size_t len)
{
	return (len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.');
}

/*
 * Replaces the component ending at @end of @buf with the link target @t,
 * keeping the rest of the path after it. Returns 0 or -ENAMETOOLONG.
 */
static int splice(char *buf, size_t end, const char *t)
{
	size_t tlen = strlen(t), rest = strlen(buf + end);

	if (tlen + rest + 1 > FS_PATH_MAX)
		return -ENAMETOOLONG;
	memmove(buf + tlen, buf + end, rest + 1);
	memcpy(buf, t, tlen);
	return 0;
}

int fs_remote_join(const char *base, const char *path, char *out, const char **left,
		   const char **dotdot)
{
	size_t len = strlen(base), from_base;

	if (len >= FS_PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(out, base, len);
	while (len && out[len - 1] == '/')
		len--;
	from_base = len;
	for (const char *p = path; *p;) {
		while (*p == '/')
			p++;
		const char *e = p;
		while (*e && *e != '/')
			e++;
		size_t n = (size_t)(e - p);
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (!len) {
				/* Above the mounted directory: what follows is the vfs's. */
				while (*e == '/')
					e++;
				*left = e;
				return 1;
			}
			if (dotdot && len > from_base) {
				/* After a name of @path, which may be a link out of the tree: the owner is asked first. */
				out[len] = 0;
				*dotdot = p;
				return 2;
			}
			while (len && out[len - 1] != '/')
				len--;
			len -= len > 0;
			if (from_base > len)
				from_base = len;
		} else if (n && !(n == 1 && p[0] == '.')) {
			if (len + 1 + n >= FS_PATH_MAX)
				return -ENAMETOOLONG;
			if (len)
				out[len++] = '/';
			memcpy(out + len, p, n);
			len += n;
		}
		/* A trailing slash still asks for a directory. */
		if (!*e && e > path && e[-1] == '/' && len) {
			if (len + 1 >= FS_PATH_MAX)
				return -ENAMETOOLONG;
			out[len++] = '/';
		}
		p = e;
	}
	out[len] = 0;
	return 0;
}

/*
 * A walk that reached remote directory @cur with @rest of the path left:
 * -EREMOTE with the rest (its "." and ".." taken as names of that tree) for
 * remote.c, or 0 with *@cur the directory above it and *@rest what follows a
 * ".." out of it, for the walk to go on.
 */
static int remote_reached(struct node **cur, const char **rest)
{
	const char *left, *dotdot;
	int r = fs_remote_join("", *rest, fs_remote_rest, &left, &dotdot);

	if (r < 0)
		return r;
	if (r == 2)
		memcpy(fs_remote_after, dotdot, strlen(dotdot) + 1);	/* shorter than the walk's path */
	if (r != 1) {
		fs_remote_at = *cur;
		return -EREMOTE;
	}
	*cur = up(*cur);
	*rest = left;
	return 0;
}

/* The walk behind fs_walk (@l == NULL) and fs_walk_parent (@l: stop before the last component). */
static int walk(const struct cred *c, struct node *at, const char *path, enum walk_flags flags,
		struct node **out, struct last *l)
{
	char buf[FS_PATH_MAX];
	size_t len = strnlen(path, FS_PATH_MAX), p = 0;
	struct node *cur;
	int hops = 0;

	if (len == 0)
		return -ENOENT;
	if (len >= FS_PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	cur = buf[0] == '/' ? fs_root : at;
	fs_remote_after[0] = 0;
	fs_remote_path = path;
	for (;;) {
		while (buf[p] == '/')
			p++;
		if (cur->remote) {
			const char *rest = buf + p;
			int err = remote_reached(&cur, &rest);
			if (err)
				return err;
			p = (size_t)(rest - buf);
			continue;
		}
		if (!buf[p]) {
			/* Only slashes were left: the path names the directory reached ("/", "a/"). */
			if (l) {
				*l = (struct last){.dir = cur, .name = ".", .len = 1, .dot = true};
				return S_ISDIR(cur->mode) ? 0 : -ENOTDIR;
			}
			*out = cur;
			return 0;
		}
		size_t s = p, e = p;
		while (buf[e] && buf[e] != '/')
			e++;
		p = e;
		while (buf[p] == '/')
			p++;
		bool last = !buf[p], slash = last && p > e;
		if (e - s > FS_NAME_MAX)
			return -ENAMETOOLONG;
		if (!S_ISDIR(cur->mode))
			return -ENOTDIR;
		if (!may_access(cur, c, X_OK))
			return -EACCES;
		if (last && l) {
			l->dir = cur;
			memcpy(l->name, buf + s, e - s);
			l->name[e - s] = 0;
			l->len = e - s;
			l->slash = slash;
			l->dot = is_dot(buf + s, e - s);
			return 0;
		}
		if (e - s == 1 && buf[s] == '.') {
			/* "." */
		} else if (e - s == 2 && buf[s] == '.' && buf[s + 1] == '.') {
			cur = up(cur);
		} else {
			struct node *n = entry_node(dir_find(cur, buf + s, e - s));
			if (!n)
				return -ENOENT;
			while (n->mounted)
				n = n->mounted;
			if (S_ISLNK(n->mode) && (!last || slash || flags == WALK_FOLLOW)) {
				if (++hops > FS_SYMLINK_MAX)
					return -ELOOP;
				if (!n->target[0])
					return -ENOENT;
				int err = splice(buf, e, n->target);
				if (err)
					return err;
				if (buf[0] == '/')
					cur = fs_root;
				p = 0;
				continue;
			}
			cur = n;
		}
		if (last) {
			if (slash && !S_ISDIR(cur->mode))
				return -ENOTDIR;
			if (cur->remote) {
				fs_remote_at = cur;
				fs_remote_rest[0] = 0;
				return -EREMOTE;
			}
			*out = cur;
			return 0;
		}
	}
}

int fs_walk(const struct cred *c, struct node *at, const char *path, enum walk_flags flags,
	    struct node **out)
{
	return walk(c, at, path, flags, out, NULL);
}

int fs_walk_parent(const struct cred *c, struct node *at, const char *path, struct last *l)
{
	return walk(c, at, path, WALK_NOFOLLOW, NULL, l);
}

int fs_path_of(const struct node *n, char *buf, size_t size)
{
	size_t len = 0;

	if (n->nlink == 0)
		return -ENOENT;
	if (n == fs_root) {
		if (size < 2)
			return -ERANGE;
		memcpy(buf, "/", 2);
		return 2;
	}
	/* Names from the end backwards, then moved to the front. */
	char *end = buf + size;
	for (; n != fs_root; n = n->parent) {
		size_t nl = strlen(n->name);
		if (len + nl + 2 > size)
			return -ERANGE;
		len += nl + 1;
		memcpy(end - len, "/", 1);
		memcpy(end - len + 1, n->name, nl);
	}
	memmove(buf, end - len, len);
	buf[len] = 0;
	return (int)len + 1;
}
