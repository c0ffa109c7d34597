/*
 * File mappings and memfds. The vfs server hands a regular file's data as a
 * VMO (VFS_MMAP): tmpfs, /dev/shm and memfd files live in it once mapped, so
 * MAP_SHARED maps that very VMO (VR_MAP_SHARED: a fork shares it too) and
 * sees the file's reads and writes, and other processes' mappings, at once.
 * MAP_PRIVATE maps a copy-on-write view of the same VMO (VR_MAP_COW): the
 * file's pages are shared by every process that maps it (a library's text
 * is in memory once) and a page is copied for this mapping at its first
 * write. Pages not yet written show the file as it is now, later write()s
 * too, as on Linux; a written page keeps its copy. As on Linux, an access to
 * a page wholly past the end of the file is SIGBUS (VR_MAP_FILE: the kernel
 * knows the file's size, which the vfs server tells the VMO, vmo_set_eof),
 * but a page already mapped before the file shrank stays, reading zeros. A
 * shared mapping past what the VMO can hold is ENXIO. A VMO that cannot have
 * a view (an owner's device memory) is copied at mmap time instead.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "fd.h"
#include "file.h"
#include "ipc.h"
#include "posix.h"
#include "proto/vfs.h"

#define PAGE 4096UL

long px_memfd_create(const long *args)
{
	unsigned long flags = (unsigned long)args[1];
	uint64_t r[8], w = flags & MFD_ALLOW_SEALING;

	if (flags & ~(unsigned long)(MFD_CLOEXEC | MFD_ALLOW_SEALING))
		return -EINVAL;
	long len = px_copy_path(0, (const char *)args[0]);
	if (len < 0)
		return len;
	if (len > 250)
		return -EINVAL; /* Linux: the name has at most 249 bytes */
	long id = px_vfs_call(VFS_MEMFD, &w, 1, (size_t)len, r);
	if (id < 0)
		return id;
	int fd = px_fd_new(PX_FILE_VFS, (uint64_t)id, S_IFREG, 0, flags & MFD_CLOEXEC);
	if (fd < 0) {
		uint64_t c = (uint64_t)id;
		px_vfs_close(c);
	}
	return fd;
}

long px_file_seals(int fd, unsigned add)
{
	struct px_file *f = px_fd_file(fd);
	uint64_t r[8], w[2];

	if (!f)
		return -EBADF;
	if (f->kind != PX_FILE_VFS)
		return -EINVAL;
	w[0] = f->id;
	w[1] = add;
	return px_vfs_call(VFS_SEALS, w, 2, 0, r);
}

/* The VMO of @fd's data (VFS_MMAP), its size in *size. */
static long file_vmo(int fd, bool writable, handle_t *vmo, uint64_t *size)
{
	struct px_file *f = px_fd_file(fd);
	uint64_t r[8], w[2];

	if (!f)
		return -EBADF;
	if (f->kind != PX_FILE_VFS)
		return -ENODEV;
	w[0] = f->id;
	w[1] = writable;
	long n = px_vfs_call(VFS_MMAP, w, 2, 0, r);
	if (n < 0)
		return n;
	unsigned words = r[0] & 15, caps = (r[0] >> 4) & 3;
	if (caps != 1 || words < 2)
		return -EIO;
	*vmo = r[1 + words - caps];
	*size = (uint64_t)n;
	return 0;
}

long px_mmap_file(uintptr_t addr, size_t len, uint64_t prot, long flags, int fd, uint64_t off)
{
	bool shared = (flags & MAP_TYPE) == MAP_SHARED || (flags & MAP_TYPE) == MAP_SHARED_VALIDATE;
	handle_t vmo, mine;
	uint64_t size, at;
	long err;

	if (!shared && (flags & MAP_TYPE) != MAP_PRIVATE)
		return -EINVAL;
	if (off & (PAGE - 1))
		return -EINVAL;
	if ((err = file_vmo(fd, shared && (prot & VR_PROT_WRITE), &vmo, &size)))
		return err;
	if (shared && (off > size || len > size - off)) {
		/* Beyond what the file can hold: Linux maps it and faults later; here it fails. */
		vr_handle_close(vmo);
		return -ENXIO;
	}
	if (flags & MAP_FIXED)
		vr_vm_unmap(px_self, addr, len);
	else
		addr = 0;
	if (shared) {
		err = vr_vm_map(px_self, vmo, addr, off, len, prot | VR_MAP_SHARED | VR_MAP_FILE, &at);
		vr_handle_close(vmo);
		return err ? err : (long)at;
	}
	err = off <= size ? vr_vm_map(px_self, vmo, addr, off, len, prot | VR_MAP_COW | VR_MAP_FILE, &at)
			  : -EINVAL;
	if (err != -EINVAL) {
		vr_handle_close(vmo);
		return err ? err : (long)at;
	}
	if (!(err = vr_vmo_create(len, 0, &mine))) {
		err = vr_vm_map(px_self, mine, addr, 0, len, VR_PROT_READ | VR_PROT_WRITE, &at);
		vr_handle_close(mine);
	}
	/*
	 * A private mapping may reach past the file (a dynamic loader reserves a
	 * library's whole span so, bss included): that part stays zero, where
	 * Linux would fault on a touch of a page wholly beyond the end.
	 */
	size_t copy = off >= size ? 0 : len < size - off ? len : size - off;
	if (!err && copy && (err = vr_vmo_read(vmo, (void *)(uintptr_t)at, off, copy)))
		vr_vm_unmap(px_self, at, len);
	if (!err && prot != (VR_PROT_READ | VR_PROT_WRITE) &&
	    (err = vr_vm_protect(px_self, at, len, prot)))
		vr_vm_unmap(px_self, at, len);
	vr_handle_close(vmo);
	return err ? err : (long)at;
}
