/*
 * The x86_64 Linux system call ABI for the benchmark init: numbers, the
 * `syscall` instruction, the process entry point and the calibration loop.
 */
#define ARCH_NAME "x86_64"

enum {
	NR_read = 0,
	NR_write = 1,
	NR_close = 3,
	NR_mmap = 9,
	NR_munmap = 11,
	NR_pread64 = 17,
	NR_sched_yield = 24,
	NR_madvise = 28,
	NR_nanosleep = 35,
	NR_getpid = 39,
	NR_socketpair = 53,
	NR_clone = 56,
	NR_execve = 59,
	NR_exit = 60,
	NR_wait4 = 61,
	NR_uname = 63,
	NR_getppid = 110,
	NR_mount = 165,
	NR_reboot = 169,
	NR_futex = 202,
	NR_sched_setaffinity = 203,
	NR_sched_getaffinity = 204,
	NR_clock_gettime = 228,
	NR_exit_group = 231,
	NR_openat = 257,
	NR_mkdirat = 258,
	NR_unlinkat = 263,
	NR_pipe2 = 293,
};

static inline long syscall0(long n)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(n) : "rcx", "r11", "memory");
	return ret;
}

static inline long syscall6(long n, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

/*
 * posix_spawn as musl does it: clone(CLONE_VM | CLONE_VFORK | SIGCHLD) on the
 * caller's stack, the parent held until the child has exec'd. The child runs
 * only these instructions (execve, or exit(127) if that fails) and keeps
 * its arguments in registers the system call preserves. Returns the pid or -errno.
 */
static inline long spawn_exec(const char *path, char *const *argv, char *const *envp)
{
	register long r12 __asm__("r12") = (long)path;
	register long r13 __asm__("r13") = (long)argv;
	register long r14 __asm__("r14") = (long)envp;
	long ret = NR_clone;

	__asm__ volatile("xor %%esi, %%esi\n\t"
			 "xor %%edx, %%edx\n\t"
			 "xor %%r10d, %%r10d\n\t"
			 "xor %%r8d, %%r8d\n\t"
			 "syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "mov %%r12, %%rdi\n\t"
			 "mov %%r13, %%rsi\n\t"
			 "mov %%r14, %%rdx\n\t"
			 "mov %[execve], %%eax\n\t"
			 "syscall\n\t"
			 "mov $127, %%edi\n\t"
			 "mov %[exit], %%eax\n\t"
			 "syscall\n"
			 "1:"
			 : "+a"(ret)
			 : "D"(SPAWN_CLONE_FLAGS), "r"(r12), "r"(r13), "r"(r14), [execve] "i"(NR_execve),
			   [exit] "i"(NR_exit)
			 : "rcx", "r11", "rsi", "rdx", "r10", "r8", "memory");
	return ret;
}

/* Two instructions per iteration, written out so that no compiler changes it. */
static inline void calib_loop(unsigned long n)
{
	__asm__ volatile("1: dec %0\n\tjnz 1b" : "+r"(n) : : "cc");
}

/* The kernel enters with the stack pointer at argc; main code wants a 16-byte aligned call. */
__asm__(".text\n"
	".global _start\n"
	"_start:\n"
	"	xor %ebp, %ebp\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call start\n"
	"	hlt\n");
