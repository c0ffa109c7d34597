/*
 * Shared memory of the vfs server: memfds (unnamed tmpfs files), the tmpfs at
 * /dev/shm that musl's shm_open uses, seals, and VFS_MMAP. A tmpfs file that
 * is mapped moves its bytes into a VMO of FILE_VMO_SIZE, which the server
 * maps in place of its malloc'd buffer: reads and writes through the file
 * then touch the very pages the clients map, so both see each other. The
 * VMO's pages are only allocated when touched, so its size is only the most
 * the file can grow to while mapped. Read-only (initrd) files never change:
 * their bytes are copied into a VMO once, at the first mmap or exec, and every
 * mapping or exec after gets a read-only handle of that one copy
 * (shm_image), which the node keeps for the server's life. So each file has
 * one VMO, its page cache: MAP_SHARED maps it, MAP_PRIVATE a copy-on-write
 * view of it (the kernel's VR_MAP_COW), and every process's view reads the
 * same frames until it writes a page.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <veridian/vr.h>

#include "../proto/vfs.h"
#include "file.h"
#include "fs.h"
#include "server.h"
#include "session.h"

#define FILE_VMO_SIZE (32u << 20) /* the most a mapped file holds (the tmpfs limit) */
#define FILE_VMO_MIN (64u << 10)  /* the smallest VMO a file moves into (its first read's) */
#define SHM_LIMIT (32u << 20)	  /* bytes of data in /dev/shm and memfds */
#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

static struct fs shm_fs = {.dev = 4, .magic = 0x01021994 /* TMPFS_MAGIC */, .limit = SHM_LIMIT};
static struct node *shm_root;

static void unmap_node(struct node *n)
{
	vr_vm_unmap(0, (uint64_t)(uintptr_t)n->data, n->vmo_size);
	vr_handle_close(n->vmo);
}

static void tell_eof(struct node *n);
static int grow_vmo(struct node *n, uint64_t size);

int shm_mount(struct node *dev)
{
	static const struct cred c = {0, 0};
	struct node *on = node_create(dev, "shm", 3, S_IFDIR | 01777, &c);

	fs_unmap = unmap_node;
	fs_vmo_resized = tell_eof;
	fs_vmo_grow = grow_vmo;
	if (!on || !(shm_root = fs_new_root(&shm_fs, 01777)))
		return -ENOMEM;
	return fs_mount(on, shm_root);
}

long op_memfd(struct session *s)
{
	static uint64_t serial;
	static const struct cred root = {0, 0};
	char name[32];

	if (req.w[1] & ~(uint64_t)MFD_ALLOW_SEALING)
		return -EINVAL;
	/* A name only the server sees, taken away at once: the file lives while it is open. */
	int len = snprintf(name, sizeof(name), ".memfd.%llu", (unsigned long long)++serial);
	struct node *n = node_create(shm_root, name, (size_t)len, S_IFREG | 0777, &root);
	if (!n)
		return -ENOMEM;
	n->uid = s->cred.uid;
	n->gid = s->cred.gid;
	n->seals = req.w[1] & MFD_ALLOW_SEALING ? 0 : F_SEAL_SEAL;
	struct file *f = file_of_node(n, O_RDWR);
	node_unlink(n);
	if (!f)
		return -ENOMEM;
	int64_t id = session_add(s, f);
	if (id < 0)
		file_put(f);
	return id;
}

/* Tells @n's VMO the file's size: clients' file mappings fault (SIGBUS) past its last page. */
static void tell_eof(struct node *n)
{
	vr_vmo_set_eof(n->vmo, n->size);
}

static uint64_t last_gen;	/* the generation the last VMO made got */

/*
 * Moves @n's bytes into a new VMO of @size bytes mapped in the server (pages
 * allocated on first touch), out of its malloc'd buffer or its smaller VMO.
 * Clients' handles of an old VMO keep it as it was; their next VFS_READ_VMO
 * names the old generation and gets the new VMO.
 */
static int move_to_vmo(struct node *n, size_t size)
{
	handle_t vmo;
	uint64_t at;
	int64_t err;

	if ((err = vr_vmo_create(size, 0, &vmo)))
		return (int)err;
	if ((err = vr_vm_map(0, vmo, 0, 0, size, VR_PROT_READ | VR_PROT_WRITE, &at))) {
		vr_handle_close(vmo);
		return (int)err;
	}
	char *data = (char *)(uintptr_t)at;
	memcpy(data, n->data, n->size);
	if (n->vmo)
		unmap_node(n);
	else if (n->owned)
		free(n->data);
	else
		n->cap = 0;
	n->data = data;
	n->owned = true;
	n->vmo = vmo;
	n->vmo_size = size;
	n->vmo_gen = ++last_gen;
	tell_eof(n);
	return 0;
}

/*
 * Makes @n's data live in a VMO of at least @size bytes: a power of two from
 * FILE_VMO_MIN (a read's; the kernel keeps a word for every page of a VMO,
 * so a small file's is small), FILE_VMO_SIZE for VFS_MMAP, whose mappings
 * must never see the file move.
 */
static int back_with_vmo(struct node *n, size_t size)
{
	size_t want = FILE_VMO_MIN;

	if (n->vmo && n->vmo_size >= size)
		return 0;
	if (size > FILE_VMO_SIZE || n->size > FILE_VMO_SIZE)
		return n->vmo ? -ENOSPC : -ENOMEM;
	while (want < size || want < n->size)
		want *= 2;
	return move_to_vmo(n, want);
}

static int grow_vmo(struct node *n, uint64_t size)
{
	return back_with_vmo(n, (size_t)size);
}

int shm_image(struct node *n, uint64_t rights, uint64_t *out)
{
	uint64_t size = (n->size + VR_PAGE - 1) & ~(uint64_t)(VR_PAGE - 1);
	handle_t vmo;
	int64_t err;

	if (!n->image) {
		if ((err = vr_vmo_create(size ? size : VR_PAGE, 0, &vmo)))
			return (int)err;
		if (n->size && (err = vr_vmo_write(vmo, n->data, 0, n->size))) {
			vr_handle_close(vmo);
			return (int)err;
		}
		vr_vmo_set_eof(vmo, n->size);
		n->image = vmo;
		n->vmo_gen = ++last_gen;
	}
	return (int)vr_handle_derive(n->image, rights & ~(uint64_t)VR_RIGHT_WRITE, out);
}

int shm_read_handle(struct node *n, uint64_t have, uint64_t *gen, uint64_t *out)
{
	const uint64_t rights = VR_RIGHT_READ | VR_RIGHT_TRANSFER | VR_RIGHT_DUPLICATE; /* moving a capability copies it */
	int err;

	*out = 0;
	if (n->fs->readonly) {
		if ((!have || have != n->vmo_gen) && (err = shm_image(n, rights, out)))
			return err;
		*gen = n->vmo_gen;
		return 0;
	}
	if ((err = back_with_vmo(n, n->size)))
		return err;
	*gen = n->vmo_gen;
	return have && have == n->vmo_gen ? 0 : (int)vr_handle_derive(n->vmo, rights, out);
}

long op_mmap(struct session *s)
{
	struct file *f = session_file(s, req.w[1]);
	bool writable = req.w[2] == 1;
	handle_t cap;
	int64_t err;

	if (!f)
		return -EBADF;
	if (req.w[2] > 1)
		return -EINVAL;
	if (f->kind != FILE_NODE || !S_ISREG(f->node->mode))
		return -ENODEV;
	struct node *n = f->node;
	if ((f->flags & O_ACCMODE) == O_WRONLY || (writable && (f->flags & O_ACCMODE) != O_RDWR))
		return -EACCES;
	if (writable && (n->seals & F_SEAL_WRITE))
		return -EPERM;
	/* EXEC: a private mapping of a library's text is a view of this very VMO. */
	uint64_t rights = VR_RIGHT_READ | VR_RIGHT_MAP | VR_RIGHT_EXEC | VR_RIGHT_TRANSFER |
			  VR_RIGHT_DUPLICATE | (writable ? VR_RIGHT_WRITE : 0);
	if (n->fs->readonly) {
		if ((err = shm_image(n, rights, &cap)))
			return err;
		vr_vmo_size(cap, &out.w[3]);
	} else {
		if ((err = back_with_vmo(n, FILE_VMO_SIZE)))
			return err;
		err = vr_handle_derive(n->vmo, rights, &cap);
		out.w[3] = n->vmo_size;
	}
	if (err)
		return err;
	out.w[2] = cap;
	out.words = 2;
	out.caps = 1;
	return (long)out.w[3];
}

long op_seals(struct session *s)
{
	struct file *f = session_file(s, req.w[1]);
	uint32_t add = (uint32_t)req.w[2];

	if (!f)
		return -EBADF;
	if (f->kind != FILE_NODE || f->node->fs != &shm_fs || (req.w[2] & ~(uint64_t)SEALS))
		return -EINVAL;
	struct node *n = f->node;
	if (add && (n->seals & F_SEAL_SEAL))
		return -EPERM;
	if (add && (f->flags & O_ACCMODE) == O_RDONLY)
		return -EPERM;
	n->seals |= add;
	return n->seals;
}
