/*
 * Where every POSIX program starts (crt1.o): the spawner (libveridian's
 * vr_exec) left a Linux-style initial stack, argc, argv, envp and the
 * auxiliary vector; VR_AT_SELF in the latter is this process's own handle,
 * which the translation layer needs before musl's start-up maps anything.
 */
#include "fd.h"
#include "posix.h"
#include "proto/proc.h"

int main();
void _init(void) __attribute__((weak));
void _fini(void) __attribute__((weak));
int __libc_start_main(int (*main)(), int argc, char **argv, void (*init)(void), void (*fini)(void),
		      void (*ldso_fini)(void));

handle_t px_self;
static const struct proc_start *start_block;

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
	if (!st || !px_vfs) {
		px_fd_new(PX_FILE_CONSOLE, 0, 0, 1, false);
		px_fd_new(PX_FILE_CONSOLE, 0, 0, 2, false);
		return;
	}
	px_fd_init((const struct proc_fd *)(st + 1), st->nfds);
}

const void *px_phdr;
unsigned long px_phnum;
const unsigned char *px_at_random;

__attribute__((noreturn)) void __vr_posix_start(long *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;
	const struct proc_start *start = NULL;

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
			start = (const struct proc_start *)aux[1];
			break;
		}
	start_block = start;
	px_process_init(start);
	__libc_start_main(main, argc, argv, _init, _fini, 0);
	for (;;)
		vr_thread_exit(127);
}
