/*
 * Loading an ELF image's segments into a process (elf_load.h). Read-only
 * segments of the one image spawned with SHARE_READONLY are loaded once into
 * VMOs every such child maps. With COPY_ALL (vr_exec), a read-only segment
 * laid out in the file as in memory (same offset within the page, nothing
 * to zero) is mapped straight from the image VMO through a handle without
 * the WRITE right, so the child can never make it writable (and a fork
 * shares it); a writable one's whole pages of file bytes are a copy-on-write
 * view of the image (VR_MAP_COW: shared until the child writes a page), and
 * its last partial page and bss a private copy, as is everything else.
 */
#include "elf_load.h"

/* The shared read-only segments of the one image spawned from (the caller's own). */
static handle_t shared[MAX_SEGMENTS];
static handle_t shared_image;

int64_t elf_read_headers(const struct vr_image *img, struct elf64_ehdr *eh,
			 struct elf64_phdr ph[MAX_SEGMENTS], unsigned *n)
{
	int64_t err = vr_vmo_read(img->vmo, eh, 0, sizeof(*eh));

	if (err)
		return err;
	if (memcmp(eh->ident, "\177ELF", 4) != 0 || eh->phentsize != sizeof(*ph) ||
	    eh->phnum > MAX_SEGMENTS)
		return -VR_EINVAL;
	*n = eh->phnum;
	return vr_vmo_read(img->vmo, ph, eh->phoff, eh->phnum * sizeof(*ph));
}

/*
 * A VMO holding segment @p's bytes from page @skip of it on (its address
 * rounded down to a page, plus @skip), laid out from its first page.
 */
static int64_t make_segment(const struct vr_image *img, const struct elf64_phdr *p, uint64_t skip,
			    handle_t *vmo)
{
	uint64_t start = (p->vaddr & ~(uint64_t)(VR_PAGE - 1)) + skip;
	uint64_t end = (p->vaddr + p->memsz + VR_PAGE - 1) & ~(uint64_t)(VR_PAGE - 1);
	uint64_t from = p->vaddr > start ? 0 : start - p->vaddr;
	static char bounce[VR_PAGE];
	int64_t err = vr_vmo_create(end - start, 0, vmo);

	for (uint64_t done = from; !err && done < p->filesz;) {
		uint64_t n = p->filesz - done < VR_PAGE ? p->filesz - done : VR_PAGE;
		err = vr_vmo_read(img->vmo, bounce, p->offset + done, n);
		if (!err)
			err = vr_vmo_write(*vmo, bounce, p->vaddr + done - start, n);
		done += n;
	}
	return err;
}

static uint64_t prot_of(const struct elf64_phdr *p)
{
	return (p->flags & PF_R ? VR_PROT_READ : 0) | (p->flags & PF_W ? VR_PROT_WRITE : 0) |
	       (p->flags & PF_X ? VR_PROT_EXEC : 0);
}

int64_t elf_map_segments(const struct vr_image *img, handle_t proc, enum segment_sharing sharing,
			 uint64_t bias)
{
	struct elf64_ehdr eh;
	struct elf64_phdr ph[MAX_SEGMENTS];
	unsigned n;
	int64_t err = elf_read_headers(img, &eh, ph, &n);

	if (sharing == SHARE_READONLY && shared_image != img->vmo) {
		for (unsigned i = 0; i < MAX_SEGMENTS; i++)
			if (shared[i])
				vr_handle_close(shared[i]);
		memset(shared, 0, sizeof(shared));
		shared_image = img->vmo;
	}
	/* COPY_ALL: a handle of the image that can never map it writable, and its size. */
	uint64_t image_size = 0;
	handle_t ro = 0;
	if (!err && sharing == COPY_ALL &&
	    (vr_vmo_size(img->vmo, &image_size) ||
	     vr_handle_derive(img->vmo, VR_RIGHT_READ | VR_RIGHT_EXEC | VR_RIGHT_MAP, &ro)))
		ro = 0;
	for (unsigned i = 0; !err && i < n; i++) {
		if (ph[i].type != PT_LOAD || ph[i].memsz == 0)
			continue;
		uint64_t start = ph[i].vaddr & ~(uint64_t)(VR_PAGE - 1);
		uint64_t len = ((ph[i].vaddr + ph[i].memsz + VR_PAGE - 1) & ~(uint64_t)(VR_PAGE - 1)) - start;
		uint64_t in_file = ph[i].offset - (ph[i].vaddr - start), at;
		handle_t vmo;
		bool keep = !(ph[i].flags & PF_W) && sharing == SHARE_READONLY;
		if (ro && !(ph[i].flags & PF_W) && ph[i].filesz == ph[i].memsz &&
		    ph[i].offset % VR_PAGE == ph[i].vaddr % VR_PAGE && in_file <= image_size &&
		    len <= image_size - in_file) {
			err = vr_vm_map(proc, ro, start + bias, in_file, len, prot_of(&ph[i]), &at);
			continue;
		}
		/* Whole pages of file bytes, shared with the image until written. */
		uint64_t whole = ((ph[i].vaddr + ph[i].filesz) & ~(uint64_t)(VR_PAGE - 1)) - start;
		if (ro && ph[i].vaddr + ph[i].filesz >= start + VR_PAGE &&
		    ph[i].offset % VR_PAGE == ph[i].vaddr % VR_PAGE && in_file <= image_size &&
		    whole <= image_size - in_file) {
			err = vr_vm_map(proc, ro, start + bias, in_file, whole, prot_of(&ph[i]) | VR_MAP_COW,
					&at);
			if (err || whole == len)
				continue;
			if (!(err = make_segment(img, &ph[i], whole, &vmo))) {
				err = vr_vm_map(proc, vmo, start + bias + whole, 0, len - whole, prot_of(&ph[i]),
						&at);
				vr_handle_close(vmo);
			}
			continue;
		}
		if (keep && shared[i]) {
			vmo = shared[i];
		} else {
			err = make_segment(img, &ph[i], 0, &vmo);
			if (err)
				break;
			if (keep)
				shared[i] = vmo;
		}
		err = vr_vm_map(proc, vmo, start + bias, 0, len, prot_of(&ph[i]), &at);
		if (!keep)
			vr_handle_close(vmo);
	}
	if (ro)
		vr_handle_close(ro);
	return err;
}

int64_t vr_image_interp(const struct vr_image *img, char *path, size_t size)
{
	struct elf64_ehdr eh;
	struct elf64_phdr ph[MAX_SEGMENTS];
	unsigned n;
	int64_t err = elf_read_headers(img, &eh, ph, &n);

	for (unsigned i = 0; !err && i < n; i++) {
		if (ph[i].type != PT_INTERP)
			continue;
		/* A NUL-ended path that fits, inside the file. */
		if (ph[i].filesz < 2 || ph[i].filesz > size || ph[i].offset > img->size ||
		    ph[i].filesz > img->size - ph[i].offset)
			return -VR_EINVAL;
		if ((err = vr_vmo_read(img->vmo, path, ph[i].offset, ph[i].filesz)))
			return err;
		if (path[ph[i].filesz - 1] || strlen(path) != ph[i].filesz - 1)
			return -VR_EINVAL;
		return (int64_t)ph[i].filesz - 1;
	}
	return err;
}
