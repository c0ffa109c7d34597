/* ELF64 loading (System V ABI, chapter 5): headers checked against the file's bounds. */
#include <kernel/arch.h>
#include <kernel/elf.h>
#include <kernel/errno.h>
#include <kernel/mm.h>
#include <kernel/process.h>
#include <kernel/string.h>
#include <kernel/vmo.h>
#include <uapi/veridian/elf.h>


static int load_segment(struct process *p, const uint8_t *image, size_t size,
			const struct elf64_phdr *ph)
{
	if (ph->filesz > ph->memsz || ph->offset > size || ph->filesz > size - ph->offset)
		return -EINVAL;
	vaddr_t start = ALIGN_DOWN(ph->vaddr, PAGE_SIZE);
	if (ph->memsz > VMO_MAX_SIZE || !user_range_ok(ph->vaddr, ph->memsz) || start == 0)
		return -EINVAL;
	vaddr_t end = ALIGN_UP(ph->vaddr + ph->memsz, PAGE_SIZE);
	struct vmo *v = vmo_create_anon(end - start);
	if (!v)
		return -ENOMEM;
	int err = vmo_write_kernel(v, ph->vaddr - start, image + ph->offset, ph->filesz);
	unsigned prot = (ph->flags & PF_R ? PROT_READ : 0) | (ph->flags & PF_W ? PROT_WRITE : 0) |
			(ph->flags & PF_X ? PROT_EXEC : 0);
	vaddr_t va = start;
	if (!err)
		err = vm_map(p, v, &va, 0, end - start, prot, prot);
	vmo_put(v);
	return err;
}

int elf_load(struct process *p, const void *image, size_t size, vaddr_t *entry)
{
	const struct elf64_ehdr *eh = image;

	if (size < sizeof(*eh) || memcmp(eh->ident, "\177ELF", 4) != 0 || eh->ident[4] != 2 ||
	    eh->ident[5] != 1 || eh->type != ET_EXEC || eh->machine != ARCH_ELF_MACHINE ||
	    eh->phentsize != sizeof(struct elf64_phdr) || eh->phoff > size ||
	    (uint64_t)eh->phnum * sizeof(struct elf64_phdr) > size - eh->phoff)
		return -EINVAL;
	const struct elf64_phdr *ph = (const void *)((const uint8_t *)image + eh->phoff);
	int loaded = 0;
	for (unsigned i = 0; i < eh->phnum; i++) {
		if (ph[i].type != PT_LOAD || ph[i].memsz == 0)
			continue;
		int err = load_segment(p, image, size, &ph[i]);
		if (err)
			return err;
		loaded++;
	}
	if (!loaded || !user_range_ok(eh->entry, 1))
		return -EINVAL;
	*entry = eh->entry;
	return 0;
}
