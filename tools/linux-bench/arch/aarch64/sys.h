/*
 * The aarch64 Linux system call ABI for the benchmark init: numbers, `svc #0`,
 * the process entry point and the calibration loop.
 */
#define ARCH_NAME "aarch64"

#include "../generic-unistd.h"

static inline long syscall0(long n)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0");

	__asm__ volatile("svc #0" : "=r"(x0) : "r"(x8) : "memory");
	return x0;
}

static inline long syscall6(long n, long a, long b, long c, long d, long e, long f)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;

	__asm__ volatile("svc #0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory");
	return x0;
}

/*
 * posix_spawn as musl does it: clone(CLONE_VM | CLONE_VFORK | SIGCHLD) on the
 * caller's stack, the parent held until the child has exec'd. The child runs
 * only these instructions (execve, or exit(127) if that fails) and keeps
 * its arguments in registers the system call preserves. Returns the pid or -errno.
 */
static inline long spawn_exec(const char *path, char *const *argv, char *const *envp)
{
	register long x8 __asm__("x8") = NR_clone;
	register long x0 __asm__("x0") = SPAWN_CLONE_FLAGS;
	register long x1 __asm__("x1") = 0;
	register long x2 __asm__("x2") = 0;
	register long x3 __asm__("x3") = 0;
	register long x4 __asm__("x4") = 0;
	register long x19 __asm__("x19") = (long)path;
	register long x20 __asm__("x20") = (long)argv;
	register long x21 __asm__("x21") = (long)envp;

	__asm__ volatile("svc #0\n\t"
			 "cbnz x0, 1f\n\t"
			 "mov x0, x19\n\t"
			 "mov x1, x20\n\t"
			 "mov x2, x21\n\t"
			 "mov x8, %[execve]\n\t"
			 "svc #0\n\t"
			 "mov x0, #127\n\t"
			 "mov x8, %[exit]\n\t"
			 "svc #0\n"
			 "1:"
			 : "+r"(x0), "+r"(x8), "+r"(x1), "+r"(x2)
			 : "r"(x3), "r"(x4), "r"(x19), "r"(x20), "r"(x21), [execve] "i"(NR_execve),
			   [exit] "i"(NR_exit)
			 : "memory");
	return x0;
}

/* Two instructions per iteration, written out so that no compiler changes it. */
static inline void calib_loop(unsigned long n)
{
	__asm__ volatile("1: subs %0, %0, #1\n\tb.ne 1b" : "+r"(n) : : "cc");
}

/* The kernel enters with sp (16-byte aligned) at argc. */
__asm__(".text\n"
	".global _start\n"
	"_start:\n"
	"	mov x29, #0\n"
	"	mov x30, #0\n"
	"	mov x0, sp\n"
	"	bl start\n"
	"	b .\n");
