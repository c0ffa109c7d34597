/*
 * What the translation layer takes from the initial stack before the first
 * system call: VR_AT_SELF (this process's own handle), its proc and vfs
 * capabilities, start block, descriptor map and the handles its spawner gave it, and the program headers and AT_RANDOM for
 * musl. A static program's crt1.o (start.c) calls px_start_stack; a
 * dynamically linked one has the dynamic linker call __vr_dl_start (musl's
 * ldso/dynlink.c, ports/musl/patches/ldso-tls.patch) once it has relocated
 * itself and before it makes a system call.
 */
#include "fd.h"
#include "posix.h"
#include "proto/proc.h"

handle_t px_self;
const void *px_phdr;
unsigned long px_phnum;
const unsigned char *px_at_random;
static const struct proc_start *start_block;
static handle_t start_fdmap;

/*
 * The descriptors a program starts with: those of the start block
 * (VR_AT_START, proto/proc.h), already in our own vfs session (the proc
 * server ran posix_spawn's file actions before we started), or, with none,
 * fds 1 and 2 on the kernel's debug console. A constructor, so that
 * thread-local data works already; it runs before main.
 */
__attribute__((constructor(101))) static void start_files(void)
{
	const struct proc_start *st = start_block;

	if (px_proc)
		px_sig_thread();
	/* What execve or posix_spawn kept: the server knows it already. */
	if (st)
		px_sig_start(st->sigmask, st->sigignore);
	if (!st || !px_vfs) {
		px_fd_new(PX_FILE_CONSOLE, 0, 0, 1, false);
		px_fd_new(PX_FILE_CONSOLE, 0, 0, 2, false);
	} else {
		px_fd_init((const struct proc_fd *)(st + 1), st->nfds);
	}
	px_fd_map(start_fdmap);
}

void px_start_stack(long *sp)
{
	int argc = (int)sp[0];
	char **envp = (char **)(sp + 1) + argc + 1;

	while (*envp)
		envp++;
	for (const unsigned long *aux = (const unsigned long *)(envp + 1); aux[0]; aux += 2)
		switch (aux[0]) {
		case VR_AT_SELF:
			px_self = aux[1];
			break;
		case VR_AT_PHDR:
			px_phdr = (const void *)aux[1];
			break;
		case VR_AT_PHNUM:
			px_phnum = aux[1];
			break;
		case VR_AT_RANDOM:
			px_at_random = (const unsigned char *)aux[1];
			break;
		case VR_AT_PROC:
			px_proc = aux[1];
			break;
		case VR_AT_VFS:
			px_vfs = aux[1];
			break;
		case VR_AT_START:
			start_block = (const struct proc_start *)aux[1];
			break;
		case VR_AT_FDMAP:
			start_fdmap = aux[1];
			break;
		default:
			/* The native handles the spawner gave (vr_spawn.h). */
			if (aux[0] - VR_AT_HANDLE < VR_SPAWN_HANDLES_MAX)
				px_spawn_handles_got[aux[0] - VR_AT_HANDLE] = aux[1];
		}
	px_process_init(start_block);
}

__attribute__((visibility("hidden"))) void __vr_dl_start(long *sp)
{
	px_start_stack(sp);
}
