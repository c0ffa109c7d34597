/*
 * Spawning processes from an ELF image held in a VMO. Read-only segments are
 * loaded once into VMOs that every child maps (code is shared); writable
 * segments get a private copy per child.
 */
#include <veridian/vr.h>
#include <uapi/veridian/elf.h>

#define CHILD_STACK_TOP 0x00007ff000000000ull
#define CHILD_STACK_SIZE (64 * 1024)
#define MAX_SEGMENTS 8


struct vr_image vr_self_image;

/* The shared read-only segments of the one image spawned from (the caller's own). */
static handle_t shared[MAX_SEGMENTS];
static handle_t shared_image;

void _vr_thread_start(void);

/* What a new process runs first: learn its own handle, then run the function. */
struct child_start {
	uint64_t (*fn)(uint64_t);
	uint64_t arg;
	handle_t self;
};

static uint64_t child_entry(uint64_t p)
{
	struct child_start *s = (struct child_start *)(uintptr_t)p;

	vr_self = s->self;
	return s->fn(s->arg);
}

static int64_t read_headers(const struct vr_image *img, struct elf64_ehdr *eh,
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

/* A VMO holding segment @p's bytes, laid out from its first page. */
static int64_t make_segment(const struct vr_image *img, const struct elf64_phdr *p, handle_t *vmo)
{
	uint64_t start = p->vaddr & ~(uint64_t)(VR_PAGE - 1);
	uint64_t end = (p->vaddr + p->memsz + VR_PAGE - 1) & ~(uint64_t)(VR_PAGE - 1);
	static char bounce[VR_PAGE];
	int64_t err = vr_vmo_create(end - start, 0, vmo);

	for (uint64_t done = 0; !err && done < p->filesz;) {
		uint64_t n = p->filesz - done < VR_PAGE ? p->filesz - done : VR_PAGE;
		err = vr_vmo_read(img->vmo, bounce, p->offset + done, n);
		if (!err)
			err = vr_vmo_write(*vmo, bounce, p->vaddr - start + done, n);
		done += n;
	}
	return err;
}

static uint64_t prot_of(const struct elf64_phdr *p)
{
	return (p->flags & PF_R ? VR_PROT_READ : 0) | (p->flags & PF_W ? VR_PROT_WRITE : 0) |
	       (p->flags & PF_X ? VR_PROT_EXEC : 0);
}

static int64_t map_segments(const struct vr_image *img, handle_t proc)
{
	struct elf64_ehdr eh;
	struct elf64_phdr ph[MAX_SEGMENTS];
	unsigned n;
	int64_t err = read_headers(img, &eh, ph, &n);

	if (shared_image != img->vmo) {
		for (unsigned i = 0; i < MAX_SEGMENTS; i++)
			if (shared[i])
				vr_handle_close(shared[i]);
		memset(shared, 0, sizeof(shared));
		shared_image = img->vmo;
	}
	for (unsigned i = 0; !err && i < n; i++) {
		if (ph[i].type != PT_LOAD || ph[i].memsz == 0)
			continue;
		uint64_t start = ph[i].vaddr & ~(uint64_t)(VR_PAGE - 1);
		uint64_t len = ((ph[i].vaddr + ph[i].memsz + VR_PAGE - 1) & ~(uint64_t)(VR_PAGE - 1)) - start;
		handle_t vmo;
		bool writable = ph[i].flags & PF_W;
		if (!writable && shared[i]) {
			vmo = shared[i];
		} else {
			err = make_segment(img, &ph[i], &vmo);
			if (err)
				break;
			if (!writable)
				shared[i] = vmo;
		}
		uint64_t at;
		err = vr_vm_map(proc, vmo, start, 0, len, prot_of(&ph[i]), &at);
		if (writable)
			vr_handle_close(vmo);
	}
	return err;
}

int64_t vr_spawn_prepare(const struct vr_image *img, handle_t *process)
{
	int64_t err = vr_process_create(0, process);

	if (err)
		return err;
	err = map_segments(img, *process);
	if (err) {
		vr_handle_close(*process);
		return err;
	}
	return 0;
}

int64_t vr_spawn_start(handle_t process, uint64_t (*fn)(uint64_t), uint64_t arg)
{
	handle_t stack, self;
	uint64_t at;
	struct {
		uint64_t entry, arg;	/* popped by _vr_thread_start */
		struct child_start start;
	} top;
	int64_t err = vr_process_handle_give(process, process, VR_RIGHT_MANAGE | VR_RIGHT_MAP, &self);

	if (err)
		return err;
	err = vr_vmo_create(CHILD_STACK_SIZE, 0, &stack);
	if (err)
		return err;
	uint64_t sp = CHILD_STACK_TOP - sizeof(top);
	top.entry = (uint64_t)(uintptr_t)child_entry;
	top.arg = sp + 16;	/* where top.start lands in the child */
	top.start = (struct child_start){fn, arg, self};
	err = vr_vmo_write(stack, &top, CHILD_STACK_SIZE - sizeof(top), sizeof(top));
	if (!err)
		err = vr_vm_map(process, stack, CHILD_STACK_TOP - CHILD_STACK_SIZE, 0, CHILD_STACK_SIZE,
				VR_PROT_READ | VR_PROT_WRITE, &at);
	vr_handle_close(stack);
	handle_t thread;
	if (!err)
		err = vr_process_start(process, (uint64_t)(uintptr_t)_vr_thread_start, sp, 0, &thread);
	if (!err)
		vr_handle_close(thread);
	return err;
}

int64_t vr_spawn(const struct vr_image *img, uint64_t (*fn)(uint64_t), uint64_t arg,
		 handle_t *process)
{
	int64_t err = vr_spawn_prepare(img, process);

	if (err)
		return err;
	err = vr_spawn_start(*process, fn, arg);
	if (err) {
		vr_process_kill(*process, err);
		vr_handle_close(*process);
	}
	return err;
}
