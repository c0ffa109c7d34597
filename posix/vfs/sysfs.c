/*
 * sysfs: see sysfs.h. Entries are nodes of a read-only struct fs, made here without its checks;
 * the devices of device servers (VFS_SYSFS_DEVICE) are kept in a table by session.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sysfs.h"

static struct fs sys_fs = {.dev = 5, .magic = SYSFS_MAGIC, .readonly = true};
static struct node *sys_root;
static const struct cred root_cred = {0, 0};

/* A device a session registered: what to remove when it goes. */
struct reg {
	uint64_t session;			      /* 0: a free slot */
	char devpath[VFS_SYSFS_PATH_MAX + 1];	      /* below devices/ */
	char class_link[2 * VFS_SYSFS_NAME_MAX + 16]; /* "" if none */
	char num_link[32];			      /* "dev/char/M:m", "" if none */
};
static struct reg regs[SYSFS_REGS_MAX];

/* The directory holding the last component of @path (made if @make), and that component. */
static int parent_of(const char *path, bool make, struct node **dir, const char **name, size_t *len)
{
	struct node *d = sys_root;
	const char *p = path;

	if (!d)
		return -ENOENT;
	for (;;) {
		while (*p == '/')
			p++;
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (!n || n > FS_NAME_MAX || (n == 1 && p[0] == '.') ||
		    (n == 2 && !memcmp(p, "..", 2)))
			return -EINVAL;
		bool last = !e || !e[1 + strspn(e + 1, "/")];
		if (last) {
			*dir = d, *name = p, *len = n;
			return 0;
		}
		struct node *c = dir_find(d, p, n);
		if (!c) {
			if (!make)
				return -ENOENT;
			if (!(c = node_create(d, p, n, S_IFDIR | 0755, &root_cred)))
				return -ENOMEM;
		}
		if (!S_ISDIR(c->mode))
			return -ENOTDIR;
		d = c;
		p = e;
	}
}

int sysfs_add_dir(const char *path)
{
	struct node *d, *c;
	const char *name;
	size_t len;
	int err = parent_of(path, true, &d, &name, &len);

	if (err)
		return err;
	if ((c = dir_find(d, name, len)))
		return S_ISDIR(c->mode) ? 0 : -EEXIST;
	return node_create(d, name, len, S_IFDIR | 0755, &root_cred) ? 0 : -ENOMEM;
}

/* A new entry @path of @mode; -EEXIST if taken. */
static int add(const char *path, uint32_t mode, struct node **out)
{
	struct node *d;
	const char *name;
	size_t len;
	int err = parent_of(path, true, &d, &name, &len);

	if (err)
		return err;
	if (dir_find(d, name, len))
		return -EEXIST;
	*out = node_create(d, name, len, mode, &root_cred);
	return *out ? 0 : -ENOMEM;
}

int sysfs_add_file(const char *path, const void *data, size_t len)
{
	char *copy = malloc(len ? len : 1);
	struct node *n;
	int err;

	if (!copy)
		return -ENOMEM;
	if ((err = add(path, S_IFREG | 0444, &n))) {
		free(copy);
		return err;
	}
	memcpy(copy, data, len);
	n->data = copy;
	n->size = n->cap = len;
	n->owned = true;
	sys_fs.used += len;
	return 0;
}

int sysfs_add_link(const char *path, const char *target)
{
	char *t = strdup(target);
	struct node *n;
	int err;

	if (!t)
		return -ENOMEM;
	if ((err = add(path, S_IFLNK | 0777, &n))) {
		free(t);
		return err;
	}
	n->target = t;
	n->size = strlen(t);
	return 0;
}

/* The entry @path (relative to /sys, not following links); 0, -ENOENT or -ENOTDIR. */
static int lookup(const char *path, struct node **out)
{
	struct node *d, *n;
	const char *name;
	size_t len;
	int err = parent_of(path, false, &d, &name, &len);

	if (err)
		return err;
	if (!(n = dir_find(d, name, len)))
		return -ENOENT;
	*out = n;
	return 0;
}

static void remove_tree(struct node *n)
{
	while (n->children)
		remove_tree(n->children);
	node_unlink(n);
}

/* The skeleton's directories stay when empty. */
static bool kept(const char *path)
{
	return !strchr(path, '/') || !strcmp(path, "devices/virtual") || !strcmp(path, "dev/char");
}

/* Removes @path (if there) and then its parents that it leaves empty, up to the skeleton. */
static void prune(const char *path)
{
	char p[VFS_SYSFS_PATH_MAX + 32];
	struct node *n;
	char *slash;

	if (!*path || snprintf(p, sizeof(p), "%s", path) >= (int)sizeof(p))
		return;
	if (lookup(p, &n) == 0)
		remove_tree(n);
	while ((slash = strrchr(p, '/'))) {
		*slash = 0;
		if (kept(p) || lookup(p, &n) || !S_ISDIR(n->mode) || n->children)
			return;
		node_unlink(n);
	}
}

static bool name_ok(const char *s)
{
	size_t n = strlen(s);

	return n && n <= VFS_SYSFS_NAME_MAX && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

/* A relative path of good names; the number of components, or -1. */
static int path_depth(const char *s)
{
	char c[VFS_SYSFS_NAME_MAX + 1];
	int depth = 0;

	if (!*s || strlen(s) > VFS_SYSFS_PATH_MAX)
		return -1;
	for (;;) {
		size_t n = strcspn(s, "/");
		if (n > VFS_SYSFS_NAME_MAX)
			return -1;
		memcpy(c, s, n);
		c[n] = 0;
		if (!name_ok(c))
			return -1;
		depth++;
		if (!s[n])
			return depth;
		s += n + 1;
	}
}

/*
 * A link's target: relative, "../" a few times then names, never above /sys from a directory
 * @depth below it (".." only first, so that no link on the way can lead it out).
 */
static bool target_ok(const char *t, int depth)
{
	bool down = false;

	if (!*t || *t == '/' || strlen(t) > VFS_SYSFS_PATH_MAX)
		return false;
	for (;;) {
		size_t n = strcspn(t, "/");
		if (n == 2 && !memcmp(t, "..", 2)) {
			if (down || --depth < 0)
				return false;
		} else if (!n || n > VFS_SYSFS_NAME_MAX || (n == 1 && *t == '.')) {
			return false;
		} else {
			down = true;
		}
		if (!t[n])
			return true;
		t += n + 1;
	}
}

/* "../" @n times into @buf (of at least 3 * @n + 1 bytes). */
static char *ups(char *buf, int n)
{
	buf[0] = 0;
	while (n-- > 0)
		strcat(buf, "../");
	return buf;
}

/* The checks of sysfs_device_add that need no tree: 0 or -EINVAL. */
static int device_check(const struct sysfs_device *d, int *depth)
{
	if ((*d->class_name && !name_ok(d->class_name)) || !name_ok(d->name) ||
	    (*d->devname && path_depth(d->devname) < 0) || (*depth = path_depth(d->devpath)) < 0 ||
	    d->major >= 4096 || d->minor >= (1u << 20) || d->nattr > VFS_SYSFS_ATTRS_MAX ||
	    d->nuevent > VFS_SYSFS_ATTRS_MAX || d->nlink > VFS_SYSFS_ATTRS_MAX ||
	    (d->bus && !*d->class_name))
		return -EINVAL;
	for (unsigned i = 0; i < d->nattr; i++)
		if (!name_ok(d->attr[i][0]) || strlen(d->attr[i][1]) > VFS_SYSFS_VALUE_MAX)
			return -EINVAL;
	for (unsigned i = 0; i < d->nuevent; i++) {
		const char *l = d->uevent[i];
		if (!*l || *l == '=' || !strchr(l, '=') || strchr(l, '\n') ||
		    strlen(l) > VFS_SYSFS_VALUE_MAX)
			return -EINVAL;
	}
	/* Links sit in devices/<devpath>/: 1 + depth below /sys. */
	for (unsigned i = 0; i < d->nlink; i++)
		if (!name_ok(d->link[i][0]) || !target_ok(d->link[i][1], 1 + *depth))
			return -EINVAL;
	return 0;
}

static int add_text(const char *dir, const char *name, const char *text, size_t len)
{
	char path[VFS_SYSFS_PATH_MAX + VFS_SYSFS_NAME_MAX + 16];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return sysfs_add_file(path, text, len);
}

/* Makes what sysfs_device_add describes, the checks passed; on an error the caller prunes. */
static int device_make(const struct sysfs_device *d, int depth, const char *dir,
		       const char *class_link, const char *num_link)
{
	char up[3 * (VFS_SYSFS_PATH_MAX / 2 + 4) + 1], text[2 * VFS_SYSFS_PATH_MAX + 64];
	char path[VFS_SYSFS_PATH_MAX + VFS_SYSFS_NAME_MAX + 16];
	int err, len;

	if ((err = sysfs_add_dir(dir)))
		return err;
	if (*num_link) {
		len = snprintf(text, sizeof(text), "%u:%u\n", d->major, d->minor);
		if ((err = add_text(dir, "dev", text, (size_t)len)))
			return err;
	}
	/* uevent: the number and name first, then the extra lines. */
	size_t cap = 64 + VFS_SYSFS_PATH_MAX + (size_t)d->nuevent * (VFS_SYSFS_VALUE_MAX + 1),
	       at = 0;
	char *ue = malloc(cap);
	if (!ue)
		return -ENOMEM;
	if (*num_link)
		at = (size_t)snprintf(ue, cap, "MAJOR=%u\nMINOR=%u\nDEVNAME=%s\n", d->major,
				      d->minor, *d->devname ? d->devname : d->name);
	for (unsigned i = 0; i < d->nuevent; i++)
		at += (size_t)snprintf(ue + at, cap - at, "%s\n", d->uevent[i]);
	err = add_text(dir, "uevent", ue, at);
	free(ue);
	if (err)
		return err;
	for (unsigned i = 0; i < d->nattr; i++)
		if ((err = add_text(dir, d->attr[i][0], d->attr[i][1], strlen(d->attr[i][1]))))
			return err;
	for (unsigned i = 0; i < d->nlink; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, d->link[i][0]);
		if ((err = sysfs_add_link(path, d->link[i][1])))
			return err;
	}
	if (*d->class_name) {
		/* subsystem -> ../(depth + 1 times)class/<class>; the class entry -> the device. */
		snprintf(text, sizeof(text), "%s%s/%s", ups(up, depth + 1),
			 d->bus ? "bus" : "class", d->class_name);
		snprintf(path, sizeof(path), "%s/subsystem", dir);
		if ((err = sysfs_add_link(path, text)))
			return err;
		snprintf(text, sizeof(text), "%s%s", ups(up, d->bus ? 3 : 2), dir);
		if ((err = sysfs_add_link(class_link, text)))
			return err;
	}
	if (*num_link) {
		snprintf(text, sizeof(text), "../../%s", dir);
		if ((err = sysfs_add_link(num_link, text)))
			return err;
	}
	return 0;
}

/* Fills in the paths of @d's entries and makes them, all or nothing. */
static int device_add(const struct sysfs_device *d, char *dir, size_t dir_size, char *class_link,
		      size_t class_size, char *num_link, size_t num_size)
{
	struct node *n;
	int depth, err = device_check(d, &depth);

	if (err)
		return err;
	snprintf(dir, dir_size, "devices/%s", d->devpath);
	*class_link = *num_link = 0;
	if (*d->class_name)
		snprintf(class_link, class_size, d->bus ? "bus/%s/devices/%s" : "class/%s/%s",
			 d->class_name, d->name);
	if (d->major || d->minor)
		snprintf(num_link, num_size, "dev/char/%u:%u", d->major, d->minor);
	if ((err = lookup(dir, &n)) != -ENOENT)
		return err ? err : -EEXIST;
	if ((*class_link && (err = lookup(class_link, &n)) != -ENOENT) ||
	    (*num_link && (err = lookup(num_link, &n)) != -ENOENT))
		return err ? err : -EEXIST;
	if ((err = device_make(d, depth, dir, class_link, num_link))) {
		prune(num_link);
		prune(class_link);
		prune(dir);
	}
	return err;
}

int sysfs_device_add(const struct sysfs_device *d)
{
	char dir[VFS_SYSFS_PATH_MAX + 16], class_link[2 * VFS_SYSFS_NAME_MAX + 16], num_link[32];

	return device_add(d, dir, sizeof(dir), class_link, sizeof(class_link), num_link,
			  sizeof(num_link));
}

int sysfs_add_device(const char *class_name, const char *name, const char *devpath, uint64_t rdev)
{
	const struct sysfs_device d = {.class_name = class_name,
				       .name = name,
				       .devname = "",
				       .devpath = devpath,
				       .major = (uint32_t)(rdev >> 8),
				       .minor = (uint32_t)(rdev & 0xff)};

	return sysfs_device_add(&d);
}

/* Removes registration @r and those below it. */
static void reg_remove(struct reg *r)
{
	size_t n = strlen(r->devpath);

	for (size_t i = 0; i < SYSFS_REGS_MAX; i++)
		if (regs[i].session && &regs[i] != r && !strncmp(regs[i].devpath, r->devpath, n) &&
		    regs[i].devpath[n] == '/')
			reg_remove(&regs[i]);
	char dir[VFS_SYSFS_PATH_MAX + 16];
	snprintf(dir, sizeof(dir), "devices/%s", r->devpath);
	prune(r->num_link);
	prune(r->class_link);
	prune(dir);
	r->session = 0;
}

/* The next string of the blob [*p, end): NULL if it has no NUL. */
static const char *next(const char **p, const char *end)
{
	const char *s = *p, *z = memchr(s, 0, (size_t)(end - s));

	if (!z)
		return NULL;
	*p = z + 1;
	return s;
}

long sysfs_request(uint64_t session, uint64_t flags, uint64_t major, uint64_t minor,
		   uint64_t counts, const char *blob, size_t len)
{
	const char *p = blob, *end = blob + len;
	struct sysfs_device d = {.bus = flags & VFS_SYSFS_BUS};
	size_t mine = 0, free_slot = SYSFS_REGS_MAX;

	if (!session || (flags & ~(uint64_t)(VFS_SYSFS_UNREGISTER | VFS_SYSFS_BUS)) || !sys_root)
		return -EINVAL;
	if (flags & VFS_SYSFS_UNREGISTER) {
		const char *devpath = next(&p, end);
		if (!devpath || p != end || major || minor || counts ||
		    flags != VFS_SYSFS_UNREGISTER || path_depth(devpath) < 0)
			return -EINVAL;
		for (size_t i = 0; i < SYSFS_REGS_MAX; i++)
			if (regs[i].session == session && !strcmp(regs[i].devpath, devpath)) {
				reg_remove(&regs[i]);
				return 0;
			}
		return -ENOENT;
	}
	if (major > UINT32_MAX || minor > UINT32_MAX || counts >> 24)
		return -EINVAL;
	d.major = (uint32_t)major, d.minor = (uint32_t)minor;
	d.nattr = counts & 0xff, d.nuevent = (counts >> 8) & 0xff, d.nlink = (counts >> 16) & 0xff;
	if (d.nattr > VFS_SYSFS_ATTRS_MAX || d.nuevent > VFS_SYSFS_ATTRS_MAX ||
	    d.nlink > VFS_SYSFS_ATTRS_MAX)
		return -EINVAL;
	if (!(d.class_name = next(&p, end)) || !(d.name = next(&p, end)) ||
	    !(d.devname = next(&p, end)) || !(d.devpath = next(&p, end)))
		return -EINVAL;
	for (unsigned i = 0; i < d.nattr; i++)
		if (!(d.attr[i][0] = next(&p, end)) || !(d.attr[i][1] = next(&p, end)))
			return -EINVAL;
	for (unsigned i = 0; i < d.nuevent; i++)
		if (!(d.uevent[i] = next(&p, end)))
			return -EINVAL;
	for (unsigned i = 0; i < d.nlink; i++)
		if (!(d.link[i][0] = next(&p, end)) || !(d.link[i][1] = next(&p, end)))
			return -EINVAL;
	if (p != end)
		return -EINVAL;
	for (size_t i = 0; i < SYSFS_REGS_MAX; i++) {
		if (regs[i].session == session)
			mine++;
		else if (!regs[i].session && free_slot == SYSFS_REGS_MAX)
			free_slot = i;
	}
	if (mine >= VFS_SYSFS_SESSION_MAX || free_slot == SYSFS_REGS_MAX)
		return -ENOSPC;
	struct reg *r = &regs[free_slot];
	char dir[VFS_SYSFS_PATH_MAX + 16];
	int err = device_add(&d, dir, sizeof(dir), r->class_link, sizeof(r->class_link),
			     r->num_link, sizeof(r->num_link));
	if (err)
		return err;
	r->session = session;
	snprintf(r->devpath, sizeof(r->devpath), "%s", d.devpath);
	return 0;
}

void sysfs_session_end(uint64_t session)
{
	for (size_t i = SYSFS_REGS_MAX; i-- > 0;)
		if (regs[i].session == session)
			reg_remove(&regs[i]);
}

int sysfs_remove(const char *path)
{
	struct node *d, *n;
	const char *name;
	size_t len;
	int err = parent_of(path, false, &d, &name, &len);

	if (err)
		return err;
	if (!(n = dir_find(d, name, len)))
		return -ENOENT;
	remove_tree(n); /* node_free gives the files' bytes back to sys_fs.used */
	return 0;
}

int sysfs_mount(struct node *on)
{
	static const char *const skeleton[] = {"class",		  "bus", "devices",
					       "devices/virtual", "dev", "dev/char"};

	memset(regs, 0, sizeof(regs));
	if (!(sys_root = fs_new_root(&sys_fs, 0755)))
		return -ENOMEM;
	for (size_t i = 0; i < sizeof(skeleton) / sizeof(skeleton[0]); i++) {
		int err = sysfs_add_dir(skeleton[i]);
		if (err)
			return err;
	}
	return fs_mount(on, sys_root);
}
