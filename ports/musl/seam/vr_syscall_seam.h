/*
 * VeridianOS's system-call seam, shared by every architecture's
 * syscall_arch.h: each Linux-numbered system call musl makes becomes a plain
 * function call into the POSIX translation layer (posix/syscall.c), which
 * returns a result or -errno just as the Linux kernel would.
 */
long __vr_linux_syscall(long n, long a, long b, long c, long d, long e, long f);

static __inline long __syscall0(long n)
{
	return __vr_linux_syscall(n, 0, 0, 0, 0, 0, 0);
}

static __inline long __syscall1(long n, long a)
{
	return __vr_linux_syscall(n, a, 0, 0, 0, 0, 0);
}

static __inline long __syscall2(long n, long a, long b)
{
	return __vr_linux_syscall(n, a, b, 0, 0, 0, 0);
}

static __inline long __syscall3(long n, long a, long b, long c)
{
	return __vr_linux_syscall(n, a, b, c, 0, 0, 0);
}

static __inline long __syscall4(long n, long a, long b, long c, long d)
{
	return __vr_linux_syscall(n, a, b, c, d, 0, 0);
}

static __inline long __syscall5(long n, long a, long b, long c, long d, long e)
{
	return __vr_linux_syscall(n, a, b, c, d, e, 0);
}

static __inline long __syscall6(long n, long a, long b, long c, long d, long e, long f)
{
	return __vr_linux_syscall(n, a, b, c, d, e, f);
}
