/*
 * Starting a separate program (an ELF executable, e.g. a POSIX program built
 * with tools/cc) at its entry point, or at its dynamic linker's (PT_INTERP,
 * an image the caller found by that path) with AT_BASE, AT_PHDR and AT_ENTRY
 * saying where both are, with a Linux-style initial stack:
 * argc, argv, envp and the auxiliary vector, plus what vr_exec_args adds
 * (handles given to the process and a block of bytes, named by auxv keys).
 * Every segment is a private copy (elf_load.c). Self-contained apart from the
 * system calls and string functions, so the proc server (a POSIX program)
 * links it too.
 */
#include <veridian/auxv.h>

#include "elf_load.h"

#define EXEC_STACK_SIZE (256 * 1024)	/* the program's, below what the initial stack holds */
/*
 * The top of the stack, built here first: room for argv and envp as large
 * as Linux's usual ARG_MAX and more (posix_spawn and execve requests carry up
 * to PROC_SPAWN_BIG bytes), at most a quarter of it for the pointers.
 */
#define INIT_SIZE (512 * 1024)
#define INIT_WORDS (INIT_SIZE / 4 / 8)
#define EXEC_HANDLES_MAX 24	/* the proc server's three and a spawn's sixteen (posix/proto/proc.h) */

/*
 * The initial stack, built in a buffer that becomes the top of the
 * program's stack: argc, argv[], NULL, envp[], NULL, the auxiliary vector,
 * then the strings, the blob and AT_RANDOM's bytes above them. Not
 * reentrant: one vr_exec at a time per process. The buffers are mapped at
 * the first vr_exec (pages are taken as they are touched) and kept.
 */
struct exec_stack {
	char *area;	/* INIT_SIZE bytes */
	uint64_t top;	/* the child's address of the end of area[] */
	size_t used;	/* bytes taken from the end of area[] */
	uint64_t *words;	/* INIT_WORDS */
};

static struct exec_stack st;

static int64_t stack_buffers(struct exec_stack *s)
{
	handle_t vmo;
	uint64_t at;

	if (s->area)
		return 0;
	int64_t err = vr_vmo_create(INIT_SIZE + INIT_WORDS * 8, 0, &vmo);
	if (err)
		return err;
	err = vr_vm_map(0, vmo, 0, 0, INIT_SIZE + INIT_WORDS * 8, VR_PROT_READ | VR_PROT_WRITE, &at);
	vr_handle_close(vmo);
	if (err)
		return err;
	s->area = (char *)(uintptr_t)at;
	s->words = (uint64_t *)(uintptr_t)(at + INIT_SIZE);
	return 0;
}

static uint64_t push_bytes(struct exec_stack *s, const void *p, size_t n)
{
	if (s->used + n > INIT_SIZE - INIT_WORDS * 8)
		return 0;
	s->used += n;
	memcpy(s->area + INIT_SIZE - s->used, p, n);
	return s->top - s->used;
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

/* Pushes the strings of @v, putting their child addresses in words[*w...] and a NULL after. */
static int64_t push_strings(struct exec_stack *s, const char *const v[], size_t n, size_t *w)
{
	for (size_t i = 0; i < n; i++)
		if (!(s->words[(*w)++] = push_bytes(s, v[i], strlen(v[i]) + 1)))
			return -VR_ERANGE;
	s->words[(*w)++] = 0;
	return 0;
}

/* Where the program and its dynamic linker (if any) are: @bias and @interp_bias above their addresses. */
struct exec_layout {
	uint64_t bias, interp_bias, interp_entry;
};

static int64_t build_stack(struct exec_stack *s, const struct vr_image *img, handle_t self,
			   const struct vr_exec_args *a, const handle_t *given,
			   const struct exec_layout *at, uint64_t *sp, uint64_t *entry)
{
	struct elf64_ehdr eh;
	struct elf64_phdr ph[MAX_SEGMENTS];
	unsigned nph;
	size_t argc = count(a->argv), envc = count(a->envp), w = 0;
	int64_t err = elf_read_headers(img, &eh, ph, &nph);

	if (err)
		return err;
	*entry = a->interp ? at->interp_entry : eh.entry + at->bias;
	if (argc + envc + 3 + 2 * (16 + a->nhandles) > INIT_WORDS)
		return -VR_ERANGE;
	/* Sixteen bytes for AT_RANDOM: not cryptographic, but different every time. */
	uint64_t seed[2] = {vr_cycles(), 0};
	vr_clock_get(&seed[1]);
	seed[0] = (seed[0] ^ seed[1]) * 0x9e3779b97f4a7c15ull;
	seed[1] = (seed[1] ^ (seed[0] >> 29)) * 0xbf58476d1ce4e5b9ull;
	uint64_t random = push_bytes(s, seed, sizeof(seed));
	uint64_t blob = 0;
	if (a->blob_len) {
		s->used = (s->used + a->blob_len + 15) & ~(size_t)15;
		s->used -= a->blob_len;	/* so that the blob starts 16-aligned */
		if (!(blob = push_bytes(s, a->blob, a->blob_len)))
			return -VR_ERANGE;
	}
	s->words[w++] = argc;
	if ((err = push_strings(s, a->argv, argc, &w)) || (err = push_strings(s, a->envp, envc, &w)))
		return err;
	const uint64_t aux[][2] = {
		{VR_AT_PHDR, phdr_addr(&eh, ph, nph) + at->bias},
		{VR_AT_PHENT, sizeof(struct elf64_phdr)},
		{VR_AT_PHNUM, nph},
		{VR_AT_PAGESZ, VR_PAGE},
		{VR_AT_BASE, a->interp ? at->interp_bias : 0},
		{VR_AT_ENTRY, eh.entry + at->bias},
		{VR_AT_UID, 0},
		{VR_AT_EUID, 0},
		{VR_AT_GID, 0},
		{VR_AT_EGID, 0},
		{VR_AT_SECURE, 0},
		{VR_AT_RANDOM, random},
		{VR_AT_SELF, self},
	};
	for (size_t i = 0; i < sizeof(aux) / sizeof(aux[0]); i++) {
		s->words[w++] = aux[i][0];
		s->words[w++] = aux[i][1];
	}
	for (unsigned i = 0; i < a->nhandles; i++) {
		s->words[w++] = a->handles[i].key;
		s->words[w++] = given[i];
	}
	if (blob) {
		s->words[w++] = a->blob_key;
		s->words[w++] = blob;
	}
	s->words[w++] = VR_AT_NULL;
	s->words[w++] = 0;
	/* The words end 16-byte aligned, and so does the stack pointer at argc. */
	s->used = (s->used + 15) & ~(size_t)15;
	if (w % 2)
		s->used += 8;
	s->used += w * 8;
	if (s->used > INIT_SIZE)
		return -VR_ERANGE;
	memcpy(s->area + INIT_SIZE - s->used, s->words, w * 8);
	*sp = s->top - s->used;
	return 0;
}

/* How far above its addresses @img is loaded: at @base if position-independent, else not at all. */
static int64_t bias_of(const struct vr_image *img, uint64_t base, uint64_t *bias, uint64_t *entry)
{
	struct elf64_ehdr eh;
	struct elf64_phdr ph[MAX_SEGMENTS];
	unsigned n;
	int64_t err = elf_read_headers(img, &eh, ph, &n);

	if (err)
		return err;
	if (eh.type != ET_EXEC && eh.type != ET_DYN)
		return -VR_EINVAL;
	*bias = eh.type == ET_DYN ? base : 0;
	*entry = eh.entry + *bias;
	return 0;
}

/* Maps the program, and its dynamic linker if it has one, into @proc; *at says where. */
static int64_t map_images(const struct vr_image *img, const struct vr_exec_args *args,
			  handle_t proc, struct exec_layout *at)
{
	uint64_t entry;
	int64_t err = bias_of(img, CHILD_PROGRAM_BIAS, &at->bias, &entry);

	if (!err && args->interp)
		err = bias_of(args->interp, CHILD_INTERP_BIAS, &at->interp_bias, &at->interp_entry);
	if (!err)
		err = elf_map_segments(img, proc, COPY_ALL, at->bias);
	if (!err && args->interp)
		err = elf_map_segments(args->interp, proc, COPY_ALL, at->interp_bias);
	return err;
}

int64_t vr_exec_with(const struct vr_image *img, const struct vr_exec_args *args,
		     handle_t *process)
{
	handle_t stack, self, thread, given[EXEC_HANDLES_MAX];
	struct exec_layout layout = {0};
	uint64_t sp, entry, at, size;
	int64_t err = args->nhandles > EXEC_HANDLES_MAX ? -VR_EINVAL : stack_buffers(&st);

	if (!err)
		err = vr_process_create(0, process);
	if (err)
		return err;
	err = map_images(img, args, *process, &layout);
	if (!err)
		err = vr_process_handle_give(*process, *process, VR_RIGHT_MANAGE | VR_RIGHT_MAP, &self);
	for (unsigned i = 0; !err && i < args->nhandles; i++)
		err = vr_process_handle_give(*process, args->handles[i].handle, args->handles[i].rights,
					     &given[i]);
	st.top = CHILD_STACK_TOP;
	st.used = 0;
	if (!err)
		err = build_stack(&st, img, self, args, given, &layout, &sp, &entry);
	/* The program's own EXEC_STACK_SIZE below what the initial stack takes. */
	size = EXEC_STACK_SIZE + ((st.used + VR_PAGE - 1) & ~(uint64_t)(VR_PAGE - 1));
	if (!err)
		err = vr_vmo_create(size, 0, &stack);
	if (err)
		goto err_process;
	err = vr_vmo_write(stack, st.area + INIT_SIZE - st.used, size - st.used, st.used);
	if (!err)
		err = vr_vm_map(*process, stack, CHILD_STACK_TOP - size, 0, size,
				VR_PROT_READ | VR_PROT_WRITE, &at);
	vr_handle_close(stack);
	if (!err && args->before_start)
		err = args->before_start(*process, args->before_start_arg);
	if (!err)
		err = vr_process_start(*process, entry, sp, 0, &thread);
	if (err)
		goto err_process;
	if (args->thread)
		*args->thread = thread;
	else
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
	const struct vr_exec_args args = {.argv = argv, .envp = envp};

	return vr_exec_with(img, &args, process);
}
