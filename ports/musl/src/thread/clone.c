/*
 * VeridianOS: __clone (musl's only way to make a thread) is not a system call
 * that returns twice but a call into the translation layer (posix/clone.c),
 * which creates the thread with the kernel's thread_create.
 */
#include <stdarg.h>
#include "pthread_impl.h"

int __vr_clone(int (*func)(void *), void *stack, int flags, void *arg, int *ptid, void *tls,
	       int *ctid);

int __clone(int (*func)(void *), void *stack, int flags, void *arg, ...)
{
	va_list ap;

	va_start(ap, arg);
	int *ptid = va_arg(ap, int *);
	void *tls = va_arg(ap, void *);
	int *ctid = va_arg(ap, int *);
	va_end(ap);
	return __vr_clone(func, stack, flags, arg, ptid, tls, ctid);
}
