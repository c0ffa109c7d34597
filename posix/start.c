/*
 * Where every POSIX program starts (crt1.o): the spawner (libveridian's
 * vr_exec) left a Linux-style initial stack, argc, argv, envp and the
 * auxiliary vector; VR_AT_SELF in the latter is this process's own handle,
 * which the translation layer needs before musl's start-up maps anything.
 */
#include "posix.h"

int main();
void _init(void) __attribute__((weak));
void _fini(void) __attribute__((weak));
int __libc_start_main(int (*main)(), int argc, char **argv, void (*init)(void), void (*fini)(void),
		      void (*ldso_fini)(void));

handle_t px_self;
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
		case VR_AT_START:
			start = (const struct proc_start *)aux[1];
			break;
		}
	px_process_init(start);
	__libc_start_main(main, argc, argv, _init, _fini, 0);
	for (;;)
		vr_thread_exit(127);
}
