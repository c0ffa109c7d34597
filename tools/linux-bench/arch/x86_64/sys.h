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
	NR_sched_yield = 24,
	NR_madvise = 28,
	NR_nanosleep = 35,
	NR_clone = 56,
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
