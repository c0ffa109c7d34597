/*
 * Anonymous memory: each mmap is a fresh VMO mapped into this process (the
 * mapping keeps it alive); mremap moves and grows mappings without copying
 * (the kernel's vm_remap); the break (brk) grows above the program. File
 * mappings are mman_file.c's.
 */
#include <stdbool.h>
#include <sys/mman.h>
#include <uapi/veridian/elf.h>

#include "posix.h"

#define PAGE 4096UL

static size_t page_round(unsigned long len)
{
	return (len + PAGE - 1) & ~(PAGE - 1);
}

static uint64_t prot_of(long prot)
{
	return (prot & PROT_READ ? VR_PROT_READ : 0) | (prot & PROT_WRITE ? VR_PROT_WRITE : 0) |
	       (prot & PROT_EXEC ? VR_PROT_EXEC : 0);
}

long px_mmap(const long *args)
{
	uintptr_t addr = (uintptr_t)args[0];
	size_t len = page_round((unsigned long)args[1]);
	long prot = args[2], flags = args[3];
	handle_t vmo;
	uint64_t at;

	if (!len || (addr & (PAGE - 1)) || (prot & ~(long)(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS))
		return px_mmap_file(addr, len, prot_of(prot), flags, (int)args[4], (uint64_t)args[5]);
	int64_t err = vr_vmo_create(len, 0, &vmo);
	if (err)
		return err;
	/* MAP_FIXED replaces whatever was there; without it the address is only a hint, not taken.
	 */
	if (flags & MAP_FIXED)
		vr_vm_unmap(px_self, addr, len);
	else
		addr = 0;
	/* MAP_SHARED: a fork's child shares the pages (VR_MAP_SHARED) rather than copying them. */
	bool shared = (flags & MAP_TYPE) == MAP_SHARED || (flags & MAP_TYPE) == MAP_SHARED_VALIDATE;
	err = vr_vm_map(px_self, vmo, addr, 0, len,
			prot_of(prot) | VR_MAP_ANON | (shared ? VR_MAP_SHARED : 0), &at);
	vr_handle_close(vmo);
	return err ? err : (long)at;
}

long px_munmap(const long *args)
{
	if (args[0] & (PAGE - 1))
		return -EINVAL;
	return vr_vm_unmap(px_self, (uint64_t)args[0], page_round((unsigned long)args[1]));
}

/*
 * mremap: a shrink unmaps the tail; a growth asks the kernel to lengthen
 * the mappings in place, or with MREMAP_MAYMOVE anywhere, moving them (the
 * pages stay in their VMOs, the growth is more of the file or fresh zeroed
 * memory); MREMAP_FIXED moves them to new_address, unmapping what was there.
 * MREMAP_DONTUNMAP and an old_size of 0 (a second mapping of shared memory)
 * are the kernel's vm_remap_keep: the mappings move, and the old range keeps
 * fresh zeroed memory (private anonymous), a fresh view of the file (private
 * file mappings) or the same pages (shared ones: both ranges show them).
 */
long px_mremap(const long *args)
{
	uintptr_t old = (uintptr_t)args[0], want = (uintptr_t)args[4];
	size_t old_len = page_round((unsigned long)args[1]), new_len = page_round((unsigned long)args[2]);
	unsigned long flags = (unsigned long)args[3];
	uint64_t at;
	int64_t err = 0;

	if ((flags & ~(unsigned long)(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)) ||
	    (old & (PAGE - 1)) || !new_len || ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)) ||
	    ((flags & MREMAP_DONTUNMAP) && (!(flags & MREMAP_MAYMOVE) || old_len != new_len)))
		return -EINVAL;
	if (!old_len || (flags & MREMAP_DONTUNMAP)) {
		/* Linux: a copy of shared memory cannot grow in place. */
		if (!(flags & MREMAP_MAYMOVE))
			return -ENOMEM;
		if (flags & MREMAP_FIXED) {
			if ((want & (PAGE - 1)) || (want < old + new_len && old < want + new_len))
				return -EINVAL;
			vr_vm_unmap(px_self, want, new_len);
		}
		err = vr_vm_remap_keep(px_self, old, new_len, flags & MREMAP_FIXED ? want : 0,
				       old_len ? 0 : VR_REMAP_SHARED, &at);
		return err ? err : (long)at;
	}
	if (flags & MREMAP_FIXED) {
		if ((want & (PAGE - 1)) || (want < old + old_len && old < want + new_len))
			return -EINVAL;
		if (new_len < old_len && (err = vr_vm_unmap(px_self, old + new_len, old_len - new_len)))
			return err;
		old_len = new_len < old_len ? new_len : old_len;
		vr_vm_unmap(px_self, want, new_len);
		err = vr_vm_remap(px_self, old, old_len, want, new_len, &at);
		return err ? err : (long)at;
	}
	if (new_len <= old_len) {
		if (new_len < old_len)
			err = vr_vm_unmap(px_self, old + new_len, old_len - new_len);
		return err ? err : (long)old;
	}
	err = vr_vm_remap(px_self, old, old_len, old, new_len, &at);
	if (err == -EEXIST && (flags & MREMAP_MAYMOVE))
		err = vr_vm_remap(px_self, old, old_len, 0, new_len, &at);
	if (err == -EEXIST || err == -ENXIO)
		err = -ENOMEM;	/* Linux: no room to grow there (or no more of the object) */
	return err ? err : (long)at;
}

long px_mprotect(const long *args)
{
	if (args[0] & (PAGE - 1))
		return -EINVAL;
	return vr_vm_protect(px_self, (uint64_t)args[0], page_round((unsigned long)args[1]),
			     prot_of(args[2]));
}

/*
 * The program break: anonymous pages from the end of the program's last
 * segment up, each growth one more VMO mapped right above the last. As on
 * Linux, the answer is the new break, or the old one when it cannot move
 * (the pages above are taken, or no memory).
 */
static uintptr_t brk_start, brk_cur;

static uintptr_t image_end(void)
{
	const struct elf64_phdr *ph = px_phdr;
	uintptr_t end = 0, bias = 0;

	/* A position-independent program is at a bias: where its headers are less their address. */
	for (unsigned long i = 0; ph && i < px_phnum; i++)
		if (ph[i].type == PT_PHDR)
			bias = (uintptr_t)ph - ph[i].vaddr;
	for (unsigned long i = 0; ph && i < px_phnum; i++)
		if (ph[i].type == PT_LOAD && ph[i].vaddr + ph[i].memsz > end)
			end = ph[i].vaddr + ph[i].memsz;
	return end ? page_round(bias + end) : 0;
}

long px_brk(const long *args)
{
	uintptr_t want = (uintptr_t)args[0];
	handle_t vmo;
	uint64_t at;

	if (!brk_start)
		brk_start = brk_cur = image_end();
	if (!brk_start || want < brk_start)
		return (long)brk_cur;
	uintptr_t have = page_round(brk_cur), need = page_round(want);
	if (need > have) {
		if (vr_vmo_create(need - have, 0, &vmo))
			return (long)brk_cur;
		int64_t err = vr_vm_map(0, vmo, have, 0, need - have, VR_PROT_READ | VR_PROT_WRITE, &at);
		vr_handle_close(vmo);
		if (err)
			return (long)brk_cur;
	} else if (need < have && vr_vm_unmap(0, need, have - need)) {
		return (long)brk_cur;
	}
	brk_cur = want;
	return (long)brk_cur;
}

/* Linux's newer advice, which musl's header may not name. */
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#define MADV_DONTNEED_LOCKED 24
#define MADV_COLLAPSE 25

/*
 * MADV_DONTNEED and MADV_FREE give the pages back (the kernel's
 * vm_discard): private memory reads zeros again, a private file mapping the
 * file, shared memory keeps its pages (Linux may keep MADV_FREE's pages
 * until memory runs short; letting them go at once is allowed). Other known
 * advice is a hint, taken and ignored, except that which promises what is
 * not done (MADV_WIPEONFORK, MADV_REMOVE's hole); unknown advice is EINVAL.
 */
long px_madvise(const long *args)
{
	uintptr_t addr = (uintptr_t)args[0];
	unsigned long len = (unsigned long)args[1];

	if (addr & (PAGE - 1))
		return -EINVAL;
	switch (args[2]) {
	case MADV_DONTNEED:
	case MADV_DONTNEED_LOCKED:
	case MADV_FREE:
		if (len > -PAGE)
			return -EINVAL; /* rounds past the end of memory */
		return vr_vm_discard(px_self, addr, page_round(len));
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
	case MADV_DONTFORK:
	case MADV_DOFORK:
	case MADV_KEEPONFORK:
	case MADV_MERGEABLE:
	case MADV_UNMERGEABLE:
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE:
	case MADV_DONTDUMP:
	case MADV_DODUMP:
	case MADV_COLD:
	case MADV_PAGEOUT:
	case MADV_POPULATE_READ:
	case MADV_POPULATE_WRITE:
	case MADV_COLLAPSE: return 0;
	case MADV_REMOVE: return -EOPNOTSUPP;
	default: return -EINVAL;
	}
}
