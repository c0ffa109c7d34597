/* The tree of nodes: creating, finding, referencing and freeing them, mounts and permissions. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "lock.h"

struct node *fs_root;

static int64_t no_clock(void)
{
	return 0;
}

int64_t (*fs_now)(void) = no_clock;
void (*fs_unmap)(struct node *n);

static struct node *node_alloc(struct fs *fs, const char *name, size_t len, uint32_t mode)
{
	struct node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->name = malloc(len + 1);
	if (!n->name) {
		free(n);
		return NULL;
	}
	memcpy(n->name, name, len);
	n->name[len] = 0;
	n->name_key = name_key(name, len);
	n->fs = fs;
	if (!fs->next_ino)
		fs->next_ino = 1;
	n->ino = fs->next_ino++;
	n->mode = mode;
	n->nlink = S_ISDIR(mode) ? 2 : 1;
	n->atime = n->mtime = n->ctime = fs_now();
	return n;
}

struct node *fs_new_root(struct fs *fs, uint32_t mode)
{
	struct node *root = node_alloc(fs, "", 0, S_IFDIR | (mode & 07777));

	if (!root)
		return NULL;
	root->parent = root;
	root->refs = 1;	/* the mount keeps it */
	if (!fs_root)
		fs_root = root;
	return root;
}

struct node *node_create(struct node *dir, const char *name, size_t len, uint32_t mode,
			 const struct cred *c)
{
	struct node *n = node_alloc(dir->fs, name, len, mode);

	if (!n)
		return NULL;
	n->uid = c->uid;
	n->gid = c->gid;
	dir_link(dir, n);
	return n;
}

void dir_link(struct node *dir, struct node *n)
{
	struct node **p = &dir->children;

	while (*p && (*p)->ino < n->ino)
		p = &(*p)->next;
	n->next = *p;
	*p = n;
	n->parent = dir;
	if (S_ISDIR(n->mode))
		dir->nlink++;
	node_touch(dir);
}

void dir_unlink(struct node *n)
{
	struct node **p = &n->parent->children;

	while (*p != n)
		p = &(*p)->next;
	*p = n->next;
	n->next = NULL;
	if (S_ISDIR(n->mode))
		n->parent->nlink--;
	node_touch(n->parent);
}

static void node_free(struct node *n)
{
	lock_free_all(&n->locks);
	if (n->owned) {
		n->fs->used -= n->cap;
		if (!n->vmo)
			free(n->data);
		else if (fs_unmap)
			fs_unmap(n);
	}
	free(n->target);
	free(n->name);
	free(n);
}

void tree_destroy(struct node *root)
{
	struct node *c = root->children;

	while (c) {
		struct node *next = c->next;
		tree_destroy(c);
		c = next;
	}
	if (fs_root == root)
		fs_root = NULL;
	node_free(root);
}

void node_touch(struct node *n)
{
	n->mtime = n->ctime = fs_now();
	n->mtime_ns = 0;
}

void node_get(struct node *n)
{
	n->refs++;
}

void node_put(struct node *n)
{
	if (n && --n->refs == 0 && n->nlink == 0)
		node_free(n);
}

/* Takes @n out of its parent's entries; it is freed when nothing refers to it any more. */
void node_unlink(struct node *n)
{
	dir_unlink(n);
	if (n->inode) {
		/* A hard link: the entry goes, and the node it names loses a name. */
		struct node *t = n->inode;
		node_free(n);
		if (--t->nlink == 0 && t->refs == 0)
			node_free(t);
		return;
	}
	if (S_ISDIR(n->mode) || --n->nlink == 0) {
		n->nlink = 0;
		if (n->refs == 0)
			node_free(n);
	}
}

struct node *node_link(struct node *dir, const char *name, size_t len, struct node *target)
{
	struct node *n = node_alloc(dir->fs, name, len, target->mode & S_IFMT);

	if (!n)
		return NULL;
	n->inode = target;
	target->nlink++;
	target->ctime = fs_now();
	dir_link(dir, n);
	return n;
}

uint32_t name_key(const char *name, size_t len)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619u;
	return (h & ~0xffu) | (uint32_t)(len & 0xff);
}

/* Whether entry @n is named @name (@len bytes); its key matched, so it almost surely is. */
static bool named(const struct node *n, const char *name, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (n->name[i] != name[i])
			return false;
	return !n->name[len];
}

/* One word compared an entry: a long directory (/bin's links) costs little more than a short one. */
struct node *dir_find(struct node *dir, const char *name, size_t len)
{
	if (len > FS_NAME_MAX)
		return NULL;
	uint32_t key = name_key(name, len);
	for (struct node *n = dir->children; n; n = n->next)
		if (n->name_key == key && named(n, name, len))
			return n;
	return NULL;
}

int fs_mount(struct node *on, struct node *root)
{
	if (!S_ISDIR(on->mode) || !S_ISDIR(root->mode) || on->mounted)
		return -EINVAL;
	on->mounted = root;
	root->covered = on;
	root->parent = on->parent;
	free(root->name);
	root->name = strdup(on->name);
	root->name_key = on->name_key;
	return root->name ? 0 : -ENOMEM;
}

bool may_access(const struct node *n, const struct cred *c, int want)
{
	uint32_t bits;

	if (c->uid == 0) {
		/* Root may do anything, but execute only what someone may execute. */
		return !(want & X_OK) || S_ISDIR(n->mode) || (n->mode & 0111);
	}
	if (c->uid == n->uid)
		bits = n->mode >> 6;
	else if (c->gid == n->gid)
		bits = n->mode >> 3;
	else
		bits = n->mode;
	return ((want & R_OK) == 0 || (bits & 4)) && ((want & W_OK) == 0 || (bits & 2)) &&
	       ((want & X_OK) == 0 || (bits & 1));
}
