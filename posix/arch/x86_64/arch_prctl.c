/* arch_prctl: on VeridianOS only the FS base (the thread pointer) can be set or read. */
#include <veridian/tls_arch.h>

#include "posix.h"

#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003

long px_arch_prctl(const long *args)
{
	switch (args[0]) {
	case ARCH_SET_FS: return vr_thread_set_tls(0, (uint64_t)args[1]);
	case ARCH_GET_FS:
		/* The x86_64 TLS ABI keeps the thread pointer at %fs:0. */
		*(uint64_t *)args[1] = vr_tls_self();
		return 0;
	default: return -EINVAL;
	}
}
