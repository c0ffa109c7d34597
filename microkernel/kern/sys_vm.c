/* System calls on memory objects and address spaces. */
#include <kernel/cap.h>
#include <kernel/errno.h>
#include <kernel/frame.h>
#include <kernel/mm.h>
#include <kernel/process.h>
#include <kernel/slab.h>
#include <kernel/vmo.h>
#include <uapi/veridian/rootinfo.h>

#include "syscall_defs.h"

#define VMO_RIGHTS (RIGHT_READ | RIGHT_WRITE | RIGHT_EXEC | RIGHT_MAP | RIGHT_DUPLICATE | RIGHT_TRANSFER)

static struct cap_table *my_caps(void)
{
	return &process_current()->caps;
}

int64_t sys_vmo_create(uint64_t size, uint64_t flags, uint64_t *handle)
{
	if (flags & ~(uint64_t)VMO_FLAG_CONTIG)
		return -EINVAL;
	struct vmo *v = flags & VMO_FLAG_CONTIG ? vmo_create_contig(size) : vmo_create_anon(size);
	if (!v)
		return size == 0 || size > VMO_MAX_SIZE ? -EINVAL : -ENOMEM;
	/* The creator of a contiguous VMO may learn its physical address (for DMA). */
	uint32_t rights = VMO_RIGHTS | (flags & VMO_FLAG_CONTIG ? RIGHT_MANAGE : 0);
	int err = cap_install(my_caps(), &v->k, rights, handle);
	vmo_put(v);
	return err;
}

int64_t sys_vmo_create_phys(handle_t resource, uint64_t paddr, uint64_t size, uint64_t *handle)
{
	struct kobject *r;
	int err = cap_lookup(my_caps(), resource, KOBJ_RESOURCE, RIGHT_MANAGE, &r, NULL);

	if (err)
		return err;
	kobj_put(r);
	/* Device memory only: RAM the kernel manages is never handed out this way. */
	struct vmo *v = NULL;
	if (size && size <= VMO_MAX_SIZE && !phys_is_ram(paddr, size))
		v = vmo_create_phys(paddr, size);
	if (!v)
		return -EINVAL;
	err = cap_install(my_caps(), &v->k, (VMO_RIGHTS & ~RIGHT_EXEC) | RIGHT_MANAGE, handle);
	vmo_put(v);
	return err;
}

int64_t sys_vmo_phys_addr(handle_t vmo, uint64_t offset, uint64_t *paddr)
{
	struct vmo *v;
	int err = cap_lookup(my_caps(), vmo, KOBJ_VMO, RIGHT_MANAGE, (struct kobject **)&v, NULL);

	if (err)
		return err;
	if (v->kind == VMO_ANON)
		err = -EINVAL;	/* its frames are neither fixed nor contiguous */
	else if (offset >= v->size)
		err = -ERANGE;
	else
		*paddr = v->base + offset;
	vmo_put(v);
	return err;
}

/*
 * Copies between a VMO and the caller's memory, straight between the VMO's
 * frames and the caller's pages (user_copy, through the direct map). The
 * frames stay the VMO's while the reference is held: a VMO a handle names
 * never shares frames (see copy in vmo.c), so no write moves one.
 */
static int64_t vmo_copy(handle_t vmo, vaddr_t buf, uint64_t offset, size_t len, bool write)
{
	struct vmo *v;
	int err = cap_lookup(my_caps(), vmo, KOBJ_VMO, write ? RIGHT_WRITE : RIGHT_READ,
			     (struct kobject **)&v, NULL);
	if (err)
		return err;
	if (v->kind == VMO_PHYS)
		err = -EINVAL;	/* device registers are not memory to copy */
	else if (offset > v->size || len > v->size - offset)
		err = -ERANGE;
	while (!err && len) {
		struct vmo_frame f;
		size_t in_page = offset % PAGE_SIZE, n = MIN(len, PAGE_SIZE - in_page);
		err = vmo_page(v, offset, write ? VMO_WRITE : VMO_COPY_OUT, &f);
		/* No page-table names a frame of a VMO a handle names; should one have moved, let go. */
		if (!err && f.release_old)
			frame_release(f.old);
		if (!err) {
			char *k = (char *)phys_to_virt(f.pa) + in_page;
			err = write ? copy_from_user(k, buf, n) : copy_to_user(buf, k, n);
		}
		buf += n;
		offset += n;
		len -= n;
	}
	vmo_put(v);
	return err;
}

int64_t sys_vmo_read(handle_t vmo, vaddr_t buf, uint64_t offset, size_t len)
{
	return vmo_copy(vmo, buf, offset, len, false);
}

int64_t sys_vmo_write(handle_t vmo, vaddr_t buf, uint64_t offset, size_t len)
{
	return vmo_copy(vmo, buf, offset, len, true);
}

int64_t sys_vmo_size(handle_t vmo, uint64_t *size)
{
	struct vmo *v;
	int err = cap_lookup(my_caps(), vmo, KOBJ_VMO, 0, (struct kobject **)&v, NULL);

	if (err)
		return err;
	*size = v->size;
	vmo_put(v);
	return 0;
}

/*
 * Tells a file's VMO the file's size: its VM_FILE mappings fault past it.
 * When the end moves down a page or more, the pages already mapped past it
 * are dropped from every mapping (vm_file_shrunk), so they fault too.
 */
int64_t sys_vmo_set_eof(handle_t vmo, uint64_t size)
{
	struct vmo *v;
	int err = cap_lookup(my_caps(), vmo, KOBJ_VMO, RIGHT_WRITE, (struct kobject **)&v, NULL);

	if (err)
		return err;
	if (v->kind != VMO_ANON || v->backing) {
		err = -EINVAL;
	} else {
		uint64_t old = __atomic_exchange_n(&v->eof, size, __ATOMIC_SEQ_CST);
		if (ALIGN_UP(MIN(size, v->size), PAGE_SIZE) < ALIGN_UP(MIN(old, v->size), PAGE_SIZE))
			vm_file_shrunk(v);
	}
	vmo_put(v);
	return err;
}

/* The rights a mapping with @prot needs on its VMO. */
static uint32_t rights_for(unsigned prot)
{
	return RIGHT_MAP | (prot & PROT_READ ? RIGHT_READ : 0) | (prot & PROT_WRITE ? RIGHT_WRITE : 0) |
	       (prot & PROT_EXEC ? RIGHT_EXEC : 0);
}

/* The address space a vm_* call acts on: the process @h names, or the caller's own for 0. */
static int target(handle_t h, struct process **p)
{
	if (h == HANDLE_INVALID) {
		*p = process_current();
		kobj_get(&(*p)->k);
		return 0;
	}
	return cap_lookup(my_caps(), h, KOBJ_PROCESS, RIGHT_MAP, (struct kobject **)p, NULL);
}

/*
 * A VM_COW mapping maps a fresh copy-on-write view of @v from @offset, which
 * needs READ and MAP (EXEC for PROT_EXEC) but never WRITE: writes stay in
 * the view. It may reach past @v's end (zeros there).
 */
static int map_cow(struct process *p, struct vmo *v, vaddr_t *va, uint64_t offset, size_t len,
		   unsigned prot, uint32_t rights)
{
	if ((prot & (VM_SHARED | VM_ANON)) || v->kind != VMO_ANON || v->backing || offset % PAGE_SIZE ||
	    offset > v->size || len == 0 || len % PAGE_SIZE || len > VMO_MAX_SIZE)
		return -EINVAL;
	struct vmo *view = vmo_create_cow(v, offset, len);
	if (!view)
		return -ENOMEM;
	unsigned max = PROT_READ | PROT_WRITE | (rights & RIGHT_EXEC ? PROT_EXEC : 0);
	int err = vm_map(p, view, va, 0, len, prot & ~VM_COW, max);
	vmo_put(view);
	return err;
}

int64_t sys_vm_map(handle_t process, handle_t vmo, uint64_t vaddr, uint64_t offset, size_t len,
		   uint64_t prot, uint64_t *addr)
{
	struct process *p;
	struct vmo *v;
	int err = target(process, &p);

	if (err)
		return err;
	if (prot & ~(uint64_t)(PROT_READ | PROT_WRITE | PROT_EXEC | VM_SHARED | VM_COW | VM_ANON |
			       VM_FILE))
		err = -EINVAL;
	bool cow = prot & VM_COW;
	uint32_t need = cow ? rights_for((unsigned)prot & PROT_EXEC) | RIGHT_READ : rights_for((unsigned)prot);
	struct cap_info info = {0};
	if (!err)
		err = cap_lookup(my_caps(), vmo, KOBJ_VMO, need, (struct kobject **)&v, &info);
	if (!err) {
		vaddr_t va = vaddr;
		uint32_t rights = info.rights;
		/* vm_protect may later grant what the handle's rights allow, and no more. */
		unsigned max = (rights & RIGHT_READ ? PROT_READ : 0) | (rights & RIGHT_WRITE ? PROT_WRITE : 0) |
			       (rights & RIGHT_EXEC ? PROT_EXEC : 0);
		err = cow ? map_cow(p, v, &va, offset, len, (unsigned)prot, rights)
			  : vm_map(p, v, &va, offset, len, (unsigned)prot, max);
		if (!err)
			*addr = va;
		vmo_put(v);
	}
	process_put(p);
	return err;
}

int64_t sys_vm_unmap(handle_t process, uint64_t vaddr, size_t len)
{
	struct process *p;
	int err = target(process, &p);

	if (err)
		return err;
	err = vm_unmap(p, vaddr, len);
	process_put(p);
	return err;
}

int64_t sys_vm_remap(handle_t process, uint64_t from, size_t len, uint64_t to, size_t new_len,
		     uint64_t *addr)
{
	struct process *p;
	int err = target(process, &p);

	if (err)
		return err;
	vaddr_t va = to;
	err = vm_remap(p, from, len, &va, new_len, REMAP_MOVE);
	if (!err)
		*addr = va;
	process_put(p);
	return err;
}

int64_t sys_vm_remap_keep(handle_t process, uint64_t from, size_t len, uint64_t to, uint64_t flags,
			  uint64_t *addr)
{
	struct process *p;
	int err;

	if (flags & ~(uint64_t)VR_REMAP_SHARED)
		return -EINVAL;
	if ((err = target(process, &p)))
		return err;
	vaddr_t va = to;
	err = vm_remap(p, from, len, &va, len, flags ? REMAP_KEEP_SHARED : REMAP_KEEP);
	if (!err)
		*addr = va;
	process_put(p);
	return err;
}

int64_t sys_vm_discard(handle_t process, uint64_t vaddr, size_t len)
{
	struct process *p;
	int err = target(process, &p);

	if (err)
		return err;
	err = vm_discard(p, vaddr, len);
	process_put(p);
	return err;
}

int64_t sys_vm_protect(handle_t process, uint64_t vaddr, size_t len, uint64_t prot)
{
	struct process *p;
	int err = target(process, &p);

	if (err)
		return err;
	/* vm_protect never grants more than the mapping was created with. */
	err = vm_protect(p, vaddr, len, (unsigned)prot);
	process_put(p);
	return err;
}

int64_t sys_process_fork(handle_t from, handle_t to)
{
	struct process *f, *t;
	int err = target(from, &f);

	if (err)
		return err;
	err = cap_lookup(my_caps(), to, KOBJ_PROCESS, RIGHT_MAP, (struct kobject **)&t, NULL);
	if (!err) {
		err = vm_fork(f, t);
		process_put(t);
	}
	process_put(f);
	return err;
}
