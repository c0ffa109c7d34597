/*
 * Spawning processes from an ELF image held in a VMO. Read-only segments are
 * loaded once into VMOs that every child maps (code is shared); writable
 * segments get a private copy per child.
 */
#include <veridian/auxv.h>
#include <veridian/vr.h>
#include <uapi/veridian/elf.h>

#define CHILD_STACK_TOP 0x00007ff000000000ull
#define CHILD_STACK_SIZE (64 * 1024)
#define EXEC_STACK_SIZE (256 * 1024)
#define MAX_SEGMENTS 16

/* Whether read-only segments are shared with other children of the same image. */
enum segment_sharing {
	SHARE_READONLY,
	COPY_ALL,
};


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

static int64_t map_segments(const struct vr_image *img, handle_t proc, enum segment_sharing sharing)
{
	struct elf64_ehdr eh;
	struct elf64_phdr ph[MAX_SEGMENTS];
	unsigned n;
	int64_t err = read_headers(img, &eh, ph, &n);

	if (sharing == SHARE_READONLY && shared_image != img->vmo) {
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
		bool keep = !(ph[i].flags & PF_W) && sharing == SHARE_READONLY;
		if (keep && shared[i]) {
			vmo = shared[i];
		} else {
			err = make_segment(img, &ph[i], &vmo);
			if (err)
				break;
			if (keep)
				shared[i] = vmo;
		}
		uint64_t at;
		err = vr_vm_map(proc, vmo, start, 0, len, prot_of(&ph[i]), &at);
		if (!keep)
			vr_handle_close(vmo);
	}
	return err;
}

int64_t vr_spawn_prepare(const struct vr_image *img, handle_t *process)
{
	int64_t err = vr_process_create(0, process);

	if (err)
		return err;
	err = map_segments(img, *process, SHARE_READONLY);
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

/*
 * The initial stack of a program started with vr_exec, built in one page that
 * becomes the top of its stack: argc, argv[], NULL, envp[], NULL, the
 * auxiliary vector, then the strings and AT_RANDOM's bytes above them.
 */
#define EXEC_INIT (4 * VR_PAGE)	/* the initial stack's data: strings, the blob, then the words */
#define EXEC_WORDS (VR_PAGE / 2)	/* at most this much of it for argc, the pointers and auxv */
#define EXEC_AUX_EXTRA 8		/* auxv entries a caller may add (handles and the blob) */

struct exec_stack {
	char page[EXEC_INIT];
	uint64_t top;	/* the child's address of the end of page[] */
	size_t used;	/* bytes taken from the end of page[] */
};

static uint64_t push_bytes(struct exec_stack *st, const void *p, size_t n)
{
	if (st->used + n > EXEC_INIT - EXEC_WORDS)
		return 0;
	st->used += n;
	memcpy(st->page + EXEC_INIT - st->used, p, n);
	return st->top - st->used;
}

static size_t count(const char *const v[])
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

/* Where the program headers are in the child: in the segment that holds them in the file. */
static uint64_t phdr_addr(const struct elf64_ehdr *eh, const struct elf64_phdr *ph, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (ph[i].type == PT_LOAD && ph[i].offset <= eh->phoff &&
		    eh->phoff + eh->phnum * sizeof(*ph) <= ph[i].offset + ph[i].filesz)
			return ph[i].vaddr + eh->phoff - ph[i].offset;
	return 0;
}

static int64_t build_stack(struct exec_stack *st, const struct vr_image *img, handle_t self,
			   const struct vr_exec_args *a, const uint64_t (*extra)[2], unsigned nextra,
			   uint64_t *sp, uint64_t *entry)
{
	struct elf64_ehdr eh;
	struct elf64_phdr ph[MAX_SEGMENTS];
	unsigned nph;
	size_t argc = count(a->argv), envc = count(a->envp);
	uint64_t words[EXEC_WORDS / 8];
	size_t w = 0;
	int64_t err = read_headers(img, &eh, ph, &nph);

	if (err)
		return err;
	*entry = eh.entry;
	/* Sixteen bytes for AT_RANDOM: not cryptographic, but different every time. */
	uint64_t seed[2] = {vr_cycles(), 0};
	vr_clock_get(&seed[1]);
	seed[0] = (seed[0] ^ seed[1]) * 0x9e3779b97f4a7c15ull;
	seed[1] = (seed[1] ^ (seed[0] >> 29)) * 0xbf58476d1ce4e5b9ull;
	uint64_t random = push_bytes(st, seed, sizeof(seed));
	uint64_t strings[2][EXEC_WORDS / 8];
	if (argc + envc + 2 + 2 * (16 + EXEC_AUX_EXTRA) > sizeof(words) / 8)
		return -VR_ERANGE;
	for (size_t i = 0; i < argc; i++)
		if (!(strings[0][i] = push_bytes(st, a->argv[i], strlen(a->argv[i]) + 1)))
			return -VR_ERANGE;
	for (size_t i = 0; i < envc; i++)
		if (!(strings[1][i] = push_bytes(st, a->envp[i], strlen(a->envp[i]) + 1)))
			return -VR_ERANGE;
	uint64_t blob = 0;
	if (a->blob_len) {
		st->used = (st->used + a->blob_len + 15) & ~(size_t)15;
		st->used -= a->blob_len;
		if (!(blob = push_bytes(st, a->blob, a->blob_len)))
			return -VR_ERANGE;
	}
	words[w++] = argc;
	for (size_t i = 0; i < argc; i++)
		words[w++] = strings[0][i];
	words[w++] = 0;
	for (size_t i = 0; i < envc; i++)
		words[w++] = strings[1][i];
	words[w++] = 0;
	const uint64_t aux[][2] = {
		{VR_AT_PHDR, phdr_addr(&eh, ph, nph)},
		{VR_AT_PHENT, sizeof(struct elf64_phdr)},
		{VR_AT_PHNUM, nph},
		{VR_AT_PAGESZ, VR_PAGE},
		{VR_AT_ENTRY, eh.entry},
		{VR_AT_UID, 0},
		{VR_AT_EUID, 0},
		{VR_AT_GID, 0},
		{VR_AT_EGID, 0},
		{VR_AT_SECURE, 0},
		{VR_AT_RANDOM, random},
		{VR_AT_SELF, self},
	};
	for (size_t i = 0; i < sizeof(aux) / sizeof(aux[0]); i++) {
		words[w++] = aux[i][0];
		words[w++] = aux[i][1];
	}
	for (unsigned i = 0; i < nextra; i++) {
		words[w++] = extra[i][0];
		words[w++] = extra[i][1];
	}
	if (blob) {
		words[w++] = a->blob_key;
		words[w++] = blob;
	}
	words[w++] = VR_AT_NULL;
	words[w++] = 0;
	/* The words end 16-byte aligned, and so does the stack pointer at argc. */
	st->used = (st->used + 15) & ~(size_t)15;
	if (w % 2)
		st->used += 8;
	if (st->used + w * 8 > EXEC_INIT)
		return -VR_ERANGE;
	st->used += w * 8;
	memcpy(st->page + EXEC_INIT - st->used, words, w * 8);
	*sp = st->top - st->used;
	return 0;
}

int64_t vr_exec_with(const struct vr_image *img, const struct vr_exec_args *a, handle_t *process)
{
	static struct exec_stack st;
	uint64_t extra[EXEC_AUX_EXTRA][2];
	handle_t stack, self, thread;
	uint64_t sp, entry, at;

	if (a->nhandles > EXEC_AUX_EXTRA - 1)
		return -VR_EINVAL;
	int64_t err = vr_process_create(0, process);
	if (err)
		return err;
	err = map_segments(img, *process, COPY_ALL);
	if (!err)
		err = vr_process_handle_give(*process, *process, VR_RIGHT_MANAGE | VR_RIGHT_MAP, &self);
	for (unsigned i = 0; !err && i < a->nhandles; i++) {
		extra[i][0] = a->handles[i].key;
		err = vr_process_handle_give(*process, a->handles[i].handle, a->handles[i].rights,
					     &extra[i][1]);
	}
	st.top = CHILD_STACK_TOP;
	st.used = 0;
	if (!err)
		err = build_stack(&st, img, self, a, (const uint64_t(*)[2])extra, a->nhandles, &sp,
				  &entry);
	if (!err)
		err = vr_vmo_create(EXEC_STACK_SIZE, 0, &stack);
	if (err)
		goto err_process;
	err = vr_vmo_write(stack, st.page, EXEC_STACK_SIZE - EXEC_INIT, EXEC_INIT);
	if (!err)
		err = vr_vm_map(*process, stack, CHILD_STACK_TOP - EXEC_STACK_SIZE, 0, EXEC_STACK_SIZE,
				VR_PROT_READ | VR_PROT_WRITE, &at);
	vr_handle_close(stack);
	if (!err)
		err = vr_process_start(*process, entry, sp, 0, &thread);
	if (err)
		goto err_process;
	vr_handle_close(thread);
	return 0;

err_process:
	vr_process_kill(*process, err);
	vr_handle_close(*process);
	return err;
}

int64_t vr_exec(const struct vr_image *img, const char *const argv[], const char *const envp[],
		handle_t *process)
{
	const struct vr_exec_args a = {.argv = argv, .envp = envp};

	return vr_exec_with(img, &a, process);
}
