/*
 * The riscv64 Linux system call ABI for the benchmark init: numbers, `ecall`,
 * the process entry point and the calibration loop.
 */
#define ARCH_NAME "riscv64"

#include "../generic-unistd.h"

static inline long syscall0(long n)
{
	register long a7 __asm__("a7") = n;
	register long a0 __asm__("a0");

	__asm__ volatile("ecall" : "=r"(a0) : "r"(a7) : "memory");
	return a0;
}

static inline long syscall6(long n, long a, long b, long c, long d, long e, long f)
{
	register long a7 __asm__("a7") = n;
	register long a0 __asm__("a0") = a;
	register long a1 __asm__("a1") = b;
	register long a2 __asm__("a2") = c;
	register long a3 __asm__("a3") = d;
	register long a4 __asm__("a4") = e;
	register long a5 __asm__("a5") = f;

	__asm__ volatile("ecall"
			 : "+r"(a0)
			 : "r"(a7), "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5)
			 : "memory");
	return a0;
}

/*
 * posix_spawn as musl does it: clone(CLONE_VM | CLONE_VFORK | SIGCHLD) on the
 * caller's stack, the parent held until the child has exec'd. The child runs
 * only these instructions (execve, or exit(127) if that fails) and keeps
 * its arguments in registers the system call preserves. Returns the pid or -errno.
 */
static inline long spawn_exec(const char *path, char *const *argv, char *const *envp)
{
	register long a7 __asm__("a7") = NR_clone;
	register long a0 __asm__("a0") = SPAWN_CLONE_FLAGS;
	register long a1 __asm__("a1") = 0;
	register long a2 __asm__("a2") = 0;
	register long a3 __asm__("a3") = 0;
	register long a4 __asm__("a4") = 0;
	register long s1 __asm__("s1") = (long)path;
	register long s2 __asm__("s2") = (long)argv;
	register long s3 __asm__("s3") = (long)envp;

	__asm__ volatile("ecall\n\t"
			 "bnez a0, 1f\n\t"
			 "mv a0, s1\n\t"
			 "mv a1, s2\n\t"
			 "mv a2, s3\n\t"
			 "li a7, %[execve]\n\t"
			 "ecall\n\t"
			 "li a0, 127\n\t"
			 "li a7, %[exit]\n\t"
			 "ecall\n"
			 "1:"
			 : "+r"(a0), "+r"(a7), "+r"(a1), "+r"(a2)
			 : "r"(a3), "r"(a4), "r"(s1), "r"(s2), "r"(s3), [execve] "i"(NR_execve),
			   [exit] "i"(NR_exit)
			 : "memory");
	return a0;
}

/* Two instructions per iteration, written out so that no compiler changes it. */
static inline void calib_loop(unsigned long n)
{
	__asm__ volatile("1: addi %0, %0, -1\n\tbnez %0, 1b" : "+r"(n));
}

/*
 * The kernel enters with sp (16-byte aligned) at argc. The program is linked
 * without relaxation, so gp is never used and needs no set-up.
 */
__asm__(".text\n"
	".global _start\n"
	"_start:\n"
	"	li ra, 0\n"
	"	mv a0, sp\n"
	"	call start\n"
	"1:	j 1b\n");
