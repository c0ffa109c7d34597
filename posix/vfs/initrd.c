/*
 * The initial ramdisk as a read-only file system: a tree of nodes whose file
 * data and link targets point into the cpio archive (mapped by the server,
 * never copied).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cpio.h"
#include "fs.h"
#include "initrd.h"

/* The directory for the first @len bytes of @path under @root, made (0755) as needed. */
static struct node *dir_for(struct node *root, const char *path, size_t len)
{
	struct node *d = root;
	size_t s = 0;

	while (s < len) {
		size_t e = s;
		while (e < len && path[e] != '/')
			e++;
		if (e > s && !(e - s == 1 && path[s] == '.')) {
			if (e - s > FS_NAME_MAX || (e - s == 2 && path[s] == '.' && path[s + 1] == '.'))
				return NULL;
			struct node *n = dir_find(d, path + s, e - s);
			const struct cred c = {0, 0};
			if (!n)
				n = node_create(d, path + s, e - s, S_IFDIR | 0755, &c);
			if (!n || !S_ISDIR(n->mode))
				return NULL;
			d = n;
		}
		s = e + 1;
	}
	return d;
}

static int add(struct node *root, const struct cpio_entry *e)
{
	size_t len = strlen(e->name);

	while (len && e->name[len - 1] == '/')
		len--;
	if (!len || (len == 1 && e->name[0] == '.')) {
		if (S_ISDIR(e->mode))
			root->mode = S_IFDIR | (e->mode & 07777);
		return 0;
	}
	size_t slash = len;
	while (slash && e->name[slash - 1] != '/')
		slash--;
	struct node *dir = dir_for(root, e->name, slash ? slash - 1 : 0);
	const char *name = e->name + slash;
	size_t nlen = len - slash;
	if (!dir || nlen > FS_NAME_MAX || (nlen <= 2 && name[0] == '.' && (nlen == 1 || name[1] == '.')))
		return -EINVAL;
	uint32_t type = e->mode & S_IFMT;
	if (type != S_IFDIR && type != S_IFREG && type != S_IFLNK)
		return 0;	/* devices and fifos: devfs and pipes serve those */
	struct node *n = dir_find(dir, name, nlen);
	if (n) {
		if (type == S_IFDIR && S_ISDIR(n->mode)) {
			n->mode = e->mode;
			return 0;
		}
		return -EINVAL;	/* the same name twice */
	}
	const struct cred c = {e->uid, e->gid};
	char *target = NULL;
	if (type == S_IFLNK) {
		if (!e->size || e->size >= FS_PATH_MAX || memchr(e->data, 0, e->size))
			return -EINVAL;
		if (!(target = malloc(e->size + 1)))
			return -ENOMEM;
		memcpy(target, e->data, e->size);
		target[e->size] = 0;
	}
	n = node_create(dir, name, nlen, e->mode & (S_IFMT | 07777), &c);
	if (!n) {
		free(target);
		return -ENOMEM;
	}
	n->atime = n->mtime = n->ctime = (int64_t)e->mtime;
	if (type == S_IFREG) {
		n->data = (char *)e->data;
		n->size = e->size;
	} else if (type == S_IFLNK) {
		n->target = target;
		n->size = e->size;
	}
	return 0;
}

int initrd_load(struct node *root, const void *archive, size_t size)
{
	struct cpio_entry e;
	size_t off = 0;
	enum cpio_status st;

	/* The whole archive is checked before anything is added. */
	while ((st = cpio_next(archive, size, &off, &e)) == CPIO_ENTRY)
		;
	if (st == CPIO_BAD)
		return -EINVAL;
	off = 0;
	while (cpio_next(archive, size, &off, &e) == CPIO_ENTRY) {
		int err = add(root, &e);
		if (err)
			return err;
	}
	return 0;
}
