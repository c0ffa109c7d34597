/*
 * Where every statically linked POSIX program starts (crt1.o): the spawner
 * (libveridian's vr_exec) left a Linux-style initial stack, argc, argv, envp
 * and the auxiliary vector, which the translation layer reads first
 * (startup.c), before musl's start-up maps anything. Dynamically linked
 * programs start in musl's dynamic linker instead, with musl's Scrt1.o.
 */
#include "posix.h"

int main();
void _init(void) __attribute__((weak));
void _fini(void) __attribute__((weak));
int __libc_start_main(int (*main)(), int argc, char **argv, void (*init)(void), void (*fini)(void),
		      void (*ldso_fini)(void));

__attribute__((noreturn)) void __vr_posix_start(long *sp)
{
	px_start_stack(sp);
	__libc_start_main(main, (int)sp[0], (char **)(sp + 1), _init, _fini, 0);
	for (;;)
		vr_thread_exit(127);
}
