/*
 * The other side of musl's system-call seam: each Linux-numbered system call
 * goes to its px_ function through a table indexed by the number; the rest
 * fail with ENOSYS (and are named on the console once, to show what to do next).
 */
#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <veridian/tls_arch.h>

#include "posix.h"

#define CALL(name) [SYS_##name] = px_##name
#define CALL_AS(nr, name) [SYS_##nr] = px_##name

/* One entry a line, so the table reads as a list of what is implemented. */
// clang-format off
static const px_handler calls[] = {
	CALL(openat),
	CALL(close),
	CALL(read),
	CALL(write),
	CALL(readv),
	CALL(writev),
	CALL(pread64),
	CALL(pwrite64),
	CALL(preadv),
	CALL(pwritev),
	CALL(lseek),
	CALL(fstat),
	CALL(newfstatat),
	CALL(getdents64),
	CALL(ftruncate),
	CALL(truncate),
	CALL(dup),
	CALL(dup3),
	CALL(fcntl),
	CALL(flock),
	CALL(membarrier),
	CALL(pipe2),
	CALL(ioctl),
	CALL(ppoll),
	CALL(pselect6),
	CALL(eventfd2),
	CALL(socket),
	CALL(socketpair),
	CALL(bind),
	CALL(listen),
	CALL(accept),
	CALL(accept4),
	CALL(connect),
	CALL(sendto),
	CALL(recvfrom),
	CALL(sendmsg),
	CALL(recvmsg),
	CALL(shutdown),
	CALL(getsockname),
	CALL(getpeername),
	CALL(getsockopt),
	CALL(setsockopt),
	CALL_AS(umask, umask_call),
	CALL(mkdirat),
	CALL(mknodat),
	CALL(unlinkat),
#ifdef SYS_renameat
	CALL(renameat),
#endif
	CALL(renameat2),
	CALL(symlinkat),
	CALL(readlinkat),
	CALL(chdir),
	CALL(fchdir),
	CALL(getcwd),
	CALL(faccessat),
	CALL(faccessat2),
	CALL(fchmodat),
	CALL(fchmod),
	CALL(linkat),
	CALL(fchownat),
	CALL(fchown),
	CALL(utimensat),
	CALL(statfs),
	CALL(fstatfs),
	CALL(fsync),
	CALL_AS(fdatasync, fsync),
	/* The old calls, where the architecture's Linux has them (x86_64). */
#ifdef SYS_open
	CALL(open),
	CALL(stat),
	CALL(lstat),
	CALL(dup2),
	CALL(pipe),
	CALL(poll),
	CALL(select),
	CALL(mkdir),
	CALL(mknod),
	CALL(unlink),
	CALL(rmdir),
	CALL(rename),
	CALL(symlink),
	CALL(readlink),
	CALL(access),
	CALL(chmod),
	CALL(link),
	CALL(chown),
	CALL(lchown),
#endif
	CALL(mmap),
	CALL(munmap),
	CALL(mremap),
	CALL(mprotect),
	CALL(brk),
	CALL(madvise),
	CALL(memfd_create),
	CALL(epoll_create1),
	CALL(epoll_ctl),
	CALL(epoll_pwait),
#ifdef SYS_epoll_wait
	CALL(epoll_wait),
#endif
	CALL(timerfd_create),
	CALL(timerfd_settime),
	CALL(timerfd_gettime),
	CALL(signalfd4),
#ifdef SYS_signalfd
	CALL(signalfd),
#endif
	CALL(set_tid_address),
	CALL(gettid),
	CALL(times),
	CALL(getrusage),
	CALL(futex),
	CALL(sched_yield),
	CALL(exit),
	CALL(exit_group),
	CALL(getpid),
	CALL(getppid),
	CALL(getpgid),
	CALL(setpgid),
	CALL(getsid),
	CALL(setsid),
	CALL(kill),
	CALL(tkill),
	CALL(tgkill),
	CALL(wait4),
	CALL(waitid),
	CALL(getuid),
	CALL(clone),
#ifdef SYS_fork
	CALL(fork),
#endif
	CALL(execve),
	CALL(geteuid),
	CALL(getgid),
	CALL(getegid),
	CALL(getresuid),
	CALL(getresgid),
	CALL(setuid),
	CALL(setgid),
	CALL(setreuid),
	CALL(setregid),
	CALL(setresuid),
	CALL(setresgid),
	CALL(getgroups),
	CALL(rt_sigaction),
	CALL(rt_sigprocmask),
	CALL(rt_sigpending),
	CALL(rt_sigsuspend),
	CALL(rt_sigtimedwait),
	CALL(sigaltstack),
	CALL(setitimer),
	CALL(getitimer),
	CALL(timer_create),
	CALL(timer_settime),
	CALL(timer_gettime),
	CALL(timer_getoverrun),
	CALL(timer_delete),
	CALL(uname),
	CALL(getrandom),
	CALL(clock_gettime),
	CALL(clock_getres),
	CALL(nanosleep),
	CALL(clock_nanosleep),
	PX_ARCH_CALLS
};
// clang-format on

#define NCALLS (sizeof(calls) / sizeof(calls[0]))

static long unimplemented(long n)
{
	static uint64_t reported[8];
	char msg[64] = "posix: Linux system call ";
	size_t len = 25;
	char digits[20];
	int nd = 0;

	if (n >= 0 && n < 512) {
		uint64_t bit = (uint64_t)1 << (n % 64);
		if (__atomic_fetch_or(&reported[n / 64], bit, __ATOMIC_RELAXED) & bit)
			return -ENOSYS;
	}
	unsigned long u = n < 0 ? 0 : (unsigned long)n;
	do
		digits[nd++] = (char)('0' + u % 10);
	while ((u /= 10) && nd < 20);
	while (nd)
		msg[len++] = digits[--nd];
	const char tail[] = " not implemented: ENOSYS\n";
	for (size_t i = 0; i < sizeof(tail) - 1; i++)
		msg[len++] = tail[i];
	px_console(msg, len);
	return -ENOSYS;
}

int px_restartable(long n)
{
	switch (n) {
	case SYS_nanosleep:
	case SYS_clock_nanosleep:
	case SYS_ppoll:
	case SYS_pselect6:
	case SYS_epoll_pwait:
	case SYS_rt_sigsuspend:
	case SYS_rt_sigtimedwait:
#ifdef SYS_poll
	case SYS_poll:
#endif
#ifdef SYS_select
	case SYS_select:
#endif
#ifdef SYS_epoll_wait
	case SYS_epoll_wait:
#endif
#ifdef SYS_pause
	case SYS_pause:
#endif
		return 0;
	}
	return 1;
}

int px_interruptible(long n, const long *args)
{
	/* Sleeps, polls and sigsuspend, never restarted, are the first of them. */
	if (!px_restartable(n))
		return 1;
	switch (n) {
	case SYS_read:
	case SYS_readv:
	case SYS_pread64:
	case SYS_preadv:
	case SYS_write:
	case SYS_writev:
	case SYS_pwrite64:
	case SYS_pwritev:
	case SYS_recvfrom:
	case SYS_recvmsg:
	case SYS_sendto:
	case SYS_sendmsg:
	case SYS_accept:
	case SYS_accept4:
	case SYS_connect:
	case SYS_wait4:
	case SYS_waitid:
	case SYS_futex:
		return 1;
	case SYS_fcntl: return args[1] == F_SETLKW || args[1] == F_OFD_SETLKW;
	case SYS_flock: return !(args[1] & LOCK_NB);
	}
	return 0;
}

/* Whether EPIPE from call @n (a write to a pipe or socket nobody reads) also raises SIGPIPE. */
static int raises_sigpipe(long n, const long *args)
{
	switch (n) {
	case SYS_write:
	case SYS_writev:
	case SYS_pwritev:
		return 1;
	case SYS_sendto: return !(args[3] & MSG_NOSIGNAL);
	case SYS_sendmsg: return !(args[2] & MSG_NOSIGNAL);
	}
	return 0;
}

/* Whether call @n unmaps the calling thread's own thread-local data. */
static int unmaps_self(long n, const long *args)
{
	uintptr_t tp = (uintptr_t)vr_tls_self();

	return n == SYS_munmap && tp - (uintptr_t)args[0] < (uintptr_t)args[1];
}

long __vr_linux_syscall(long n, long a, long b, long c, long d, long e, long f)
{
	const long args[6] = {a, b, c, d, e, f};

	if (n < 0 || (unsigned long)n >= NCALLS || !calls[n])
		return unimplemented(n);
	long r;
	/*
	 * An exiting thread unmaps its thread-local data and then exits (musl's
	 * __unmapself): neither call may touch it. Before px_sig_tp is known
	 * there may be none yet.
	 */
	if (px_sig_tp && n != SYS_exit && !unmaps_self(n, args)) {
		/* Handlers may have to run after the call. */
		px_layer_depth++;
		px_kernel_eintr = 0;
		r = calls[n](args);
		if (--px_layer_depth == 0 &&
		    __builtin_expect((r == -EINTR && px_kernel_eintr) || px_sig_deferred, 0))
			r = px_sig_after(n, calls[n], args, r);
	} else {
		r = calls[n](args);
	}
	if (__builtin_expect(r == -EPIPE, 0) && raises_sigpipe(n, args))
		px_sigpipe();
	return r;
}
