/* sysfs: see sysfs.h. Entries are nodes of a read-only struct fs, made here without its checks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sysfs.h"

static struct fs sys_fs = {.dev = 5, .magic = SYSFS_MAGIC, .readonly = true};
static struct node *sys_root;
static const struct cred root_cred = {0, 0};

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
		if (!n || n > FS_NAME_MAX || (n == 1 && p[0] == '.') || (n == 2 && !memcmp(p, "..", 2)))
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

int sysfs_add_device(const char *class_name, const char *name, const char *devpath, uint64_t rdev)
{
	char path[256], text[160];
	int err, depth = 2, len;

	if (snprintf(path, sizeof(path), "devices/%s", devpath) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	if ((err = sysfs_add_dir(path)))
		return err;
	if (rdev) {
		snprintf(path, sizeof(path), "devices/%s/dev", devpath);
		len = snprintf(text, sizeof(text), "%u:%u\n", (unsigned)(rdev >> 8), (unsigned)(rdev & 0xff));
		if ((err = sysfs_add_file(path, text, (size_t)len)))
			return err;
		len = snprintf(text, sizeof(text), "MAJOR=%u\nMINOR=%u\nDEVNAME=%s\n", (unsigned)(rdev >> 8),
			       (unsigned)(rdev & 0xff), name);
	} else {
		len = snprintf(text, sizeof(text), "DEVNAME=%s\n", name);
	}
	snprintf(path, sizeof(path), "devices/%s/uevent", devpath);
	if ((err = sysfs_add_file(path, text, (size_t)len < sizeof(text) ? (size_t)len : sizeof(text) - 1)))
		return err;
	/* /sys/class/<class>/<name> -> ../../devices/<devpath> */
	char target[256] = "";
	while (depth--)
		strcat(target, "../");
	if (snprintf(path, sizeof(path), "class/%s/%s", class_name, name) >= (int)sizeof(path) ||
	    strlen(target) + strlen("devices/") + strlen(devpath) >= sizeof(target))
		return -ENAMETOOLONG;
	strcat(target, "devices/");
	strcat(target, devpath);
	return sysfs_add_link(path, target);
}

static void remove_tree(struct node *n)
{
	while (n->children)
		remove_tree(n->children);
	node_unlink(n);
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
	remove_tree(n);	/* node_free gives the files' bytes back to sys_fs.used */
	return 0;
}

int sysfs_mount(struct node *on)
{
	static const char *const skeleton[] = {"class", "bus", "devices", "devices/virtual"};

	if (!(sys_root = fs_new_root(&sys_fs, 0755)))
		return -ENOMEM;
	for (size_t i = 0; i < sizeof(skeleton) / sizeof(skeleton[0]); i++) {
		int err = sysfs_add_dir(skeleton[i]);
		if (err)
			return err;
	}
	return fs_mount(on, sys_root);
}
