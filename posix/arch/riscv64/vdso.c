/*
 * riscv64: musl's __riscv_flush_icache (src/linux/cache.c) first asks the
 * vDSO for __vdso_flush_icache; VeridianOS has no vDSO, so nothing is found
 * and musl makes the system call. musl's own __vdsosym is compiled only
 * where the architecture's syscall_arch.h says a vDSO is useful; libc.so,
 * linked whole, needs the symbol.
 */
#include <stddef.h>

__attribute__((visibility("hidden"))) void *__vdsosym(const char *vername, const char *name)
{
	return NULL;
}
