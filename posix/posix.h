/*
 * The POSIX translation layer's internals. Every Linux system call musl makes
 * arrives in __vr_linux_syscall (syscall.c) and goes to one px_<name>
 * function, which decodes its arguments from args[0..5] and returns a result
 * or -errno, as the Linux kernel would; musl's __syscall_ret is the one place
 * that sets errno. One file per area: io.c, memory.c, thread.c, process.c,
 * time.c, file.c and names.c (files, through the vfs server), fd.c (the descriptor table), signal.c; arch/<arch>/ holds what only one architecture has.
 */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>

#include <uapi/veridian/rootinfo.h>
#include <veridian/auxv.h>
#include <veridian/syscalls.h>

#include "vr_spawn.h"

typedef long (*px_handler)(const long *args);

/* This process's own handle (RIGHT_MANAGE, RIGHT_MAP), from the auxiliary vector (start.c). */
extern handle_t px_self;

/* The program's headers and AT_RANDOM's 16 bytes, from the auxiliary vector (start.c). */
extern const void *px_phdr;
extern unsigned long px_phnum;
extern const unsigned char *px_at_random;

/* The proc server capability (VR_AT_PROC; 0: none, as in the servers themselves). */
extern handle_t px_proc;

/* Takes what the proc server started us with (VR_AT_START; NULL: nothing). */
struct proc_start;
/* Reads the initial stack's auxiliary vector (startup.c): px_self, px_proc, px_vfs, ... */
void px_start_stack(long *sp);
void px_process_init(const struct proc_start *start);

/* The forked child's start (fork.c): its pid from the proc server. */
void px_process_forked(int pid);

/* The placeholder process id until the proc server hands out real ones; also the main thread's id.
 */
#define PX_PID 1

/*
 * Asynchronous signals (signal.c). px_sig_thread: the calling thread is the
 * one the proc server redirects (the first thread, or a forked child's);
 * px_sig_tp is its thread pointer (0: none yet). The dispatcher counts that
 * thread's calls in px_layer_depth (a redirection then only sets
 * px_sig_deferred) and, when a call ends interrupted or deferred, lets
 * px_sig_after run the handlers and restart it (result @r). px_kernel_eintr: set by the layer when a kernel wait of
 * that call ended with -EINTR (a redirection, not the server's answer).
 */
void px_sig_thread(void);
extern uint64_t px_sig_tp;
extern __thread int px_layer_depth;
extern __thread volatile int px_sig_deferred;
/* The calling thread's id for the proc server (PROC_TID_MAIN for the first thread). */
int px_sig_tid(void);
/*
 * Thread ids as programs see them (gettid, clone, set_tid_address, tkill,
 * tgkill), as Linux's: the first thread's is the pid; the others' are the
 * layer's own number + PX_TID_BASE, above every pid, so no thread of any
 * process has another process's pid as its id. px_tid_in turns one back
 * for process @pid (0: none there).
 */
#define PX_TID_BASE 32768
int px_tid_out(int tid);
int px_tid_in(int pid, int tid);
/* A new thread's first C code (clone.c): its id and its mask, its creator's. */
void px_sig_new_thread(int tid, uint64_t mask);
/*
 * The layer's thread-local data that outlives musl's __reset_tls
 * (ports/musl/patches/reset-tls.patch): SIGEV_THREAD's thread resets the
 * program's thread-local data after each notification, but the layer's is
 * the thread's own (its id, mask, IPC and data buffers). __vr_reset_tls
 * (clone.c) has each file with such data copy it out with px_keep, one
 * variable at a time, then (k->back) in again in the same order.
 */
struct px_keep {
	unsigned char bytes[256];
	size_t used;
	bool back;
};
void px_keep(struct px_keep *k, void *var, size_t size);
void px_sig_keep(struct px_keep *k);
void px_ipc_keep(struct px_keep *k);
void px_vfs_buffer_keep(struct px_keep *k);
/* The calling thread's mask, and the ignored signals (what execve and posix_spawn keep). */
uint64_t px_sig_blocked(void);
uint64_t px_sig_ignored(void);
/* A new program's start: the mask and the ignored signals its execve or posix_spawn kept. */
void px_sig_start(uint64_t mask, uint64_t ignored);
/*
 * ppoll and pselect: px_sig_mask_swap makes @mask (NULL: none) the
 * thread's mask for the call (-EINTR: a pending signal's handler ran
 * already); px_sig_mask_restore, after the call's result @r, runs the
 * handlers of the signals that interrupted it under that mask, then puts
 * back @old.
 */
long px_sig_mask_swap(const uint64_t *mask, uint64_t *old);
void px_sig_mask_restore(const uint64_t *mask, uint64_t old, long r);
long px_sig_after(long n, px_handler call, const long *args, long r);

/* Whether @sig is blocked or ignored (then a terminal's SIGTTIN/SIGTTOU is not sent). */
int px_sig_off(int sig);
/*
 * A terminal answered -VFS_EBACKGROUND: sends our process group @sig
 * (SIGTTIN, SIGTTOU; PROC_KILL_JOBCTL). 0 to try again (its default action
 * stopped us until a SIGCONT), -EINTR (a handler ran), -EIO (an orphaned group).
 */
long px_tty_background(int sig);
extern __thread int px_kernel_eintr;
/* Whether SA_RESTART restarts Linux call @n after a handler (syscall.c; Linux never restarts sleeps,
 * poll, select, epoll_wait, sigsuspend). */
int px_restartable(long n);
/*
 * Whether Linux call @n waits for others and so may fail with EINTR (syscall.c):
 * reads, writes, socket calls, waits, sleeps, polls. The others (stat, close,
 * getpid, open...) are restarted after the handlers whatever their flags: a
 * kernel -EINTR there means the request was still queued at the server, never
 * seen. Of fcntl, F_SETLKW and F_OFD_SETLKW wait, and flock without LOCK_NB. (Unlike Linux, so is an open of a FIFO that waits for its other end.)
 */
int px_interruptible(long n, const long *args);
/*
 * Whether call @n (@args) is a socket call on a socket with a timeout for it
 * (SO_RCVTIMEO for reads and accept, SO_SNDTIMEO for writes and connect):
 * Linux never restarts those (socket.c; asks the vfs).
 */
int px_sock_timed(long n, const long *args);

/* SIGPIPE to the caller's process (a write to a pipe or socket with no reader), as Linux does. */
void px_sigpipe(void);

/* Writes @len bytes to the kernel's debug console (where fds 1 and 2 go for now). */
void px_console(const char *s, size_t len);

#define PX_DECLARE(name) long px_##name(const long *args)

/* file.c: calls on descriptors */
PX_DECLARE(openat);
PX_DECLARE(open);
PX_DECLARE(close);
PX_DECLARE(read);
PX_DECLARE(write);
PX_DECLARE(readv);
PX_DECLARE(writev);
PX_DECLARE(pread64);
PX_DECLARE(pwrite64);
PX_DECLARE(preadv);
PX_DECLARE(pwritev);
PX_DECLARE(lseek);
PX_DECLARE(fstat);
PX_DECLARE(newfstatat);
PX_DECLARE(stat);
PX_DECLARE(lstat);
PX_DECLARE(getdents64);
PX_DECLARE(ftruncate);
PX_DECLARE(truncate);
PX_DECLARE(dup);
PX_DECLARE(dup2);
PX_DECLARE(dup3);
PX_DECLARE(fcntl);
PX_DECLARE(flock);
PX_DECLARE(membarrier);
PX_DECLARE(pipe2);
PX_DECLARE(pipe);
PX_DECLARE(ioctl);
PX_DECLARE(umask_call);
/* poll.c: poll, select, eventfd */
PX_DECLARE(poll);
PX_DECLARE(ppoll);
PX_DECLARE(select);
PX_DECLARE(pselect6);
PX_DECLARE(eventfd2);
/* socket.c: AF_UNIX sockets */
PX_DECLARE(socket);
PX_DECLARE(socketpair);
PX_DECLARE(bind);
PX_DECLARE(listen);
PX_DECLARE(accept);
PX_DECLARE(accept4);
PX_DECLARE(connect);
PX_DECLARE(sendto);
PX_DECLARE(recvfrom);
PX_DECLARE(sendmsg);
PX_DECLARE(recvmsg);
PX_DECLARE(shutdown);
PX_DECLARE(getsockname);
PX_DECLARE(getpeername);
PX_DECLARE(getsockopt);
PX_DECLARE(setsockopt);
/* names.c: calls on names */
PX_DECLARE(mkdirat);
PX_DECLARE(mkdir);
PX_DECLARE(mknodat);
PX_DECLARE(mknod);
PX_DECLARE(linkat);
PX_DECLARE(link);
PX_DECLARE(fchownat);
PX_DECLARE(fchown);
PX_DECLARE(chown);
PX_DECLARE(lchown);
PX_DECLARE(utimensat);
PX_DECLARE(statfs);
PX_DECLARE(fstatfs);
PX_DECLARE(fsync);
PX_DECLARE(unlinkat);
PX_DECLARE(unlink);
PX_DECLARE(rmdir);
PX_DECLARE(renameat2);
PX_DECLARE(renameat);
PX_DECLARE(rename);
PX_DECLARE(symlinkat);
PX_DECLARE(symlink);
PX_DECLARE(readlinkat);
PX_DECLARE(readlink);
PX_DECLARE(chdir);
PX_DECLARE(fchdir);
PX_DECLARE(getcwd);
PX_DECLARE(faccessat2);
PX_DECLARE(faccessat);
PX_DECLARE(access);
PX_DECLARE(fchmodat);
PX_DECLARE(chmod);
PX_DECLARE(fchmod);
/* memory.c */
PX_DECLARE(mmap);
PX_DECLARE(munmap);
PX_DECLARE(mremap);
PX_DECLARE(mprotect);
PX_DECLARE(brk);
PX_DECLARE(madvise);
/* mman_file.c: file mappings, memfd_create, seals */
long px_mmap_file(uintptr_t addr, size_t len, uint64_t prot, long flags, int fd, uint64_t off);
PX_DECLARE(memfd_create);
long px_file_seals(int fd, unsigned add);
/* epoll.c, timerfd.c */
PX_DECLARE(epoll_create1);
PX_DECLARE(epoll_ctl);
PX_DECLARE(epoll_pwait);
PX_DECLARE(epoll_wait);
PX_DECLARE(timerfd_create);
PX_DECLARE(timerfd_settime);
PX_DECLARE(timerfd_gettime);
/* signalfd.c */
PX_DECLARE(signalfd4);
#ifdef SYS_signalfd
PX_DECLARE(signalfd);
#endif
/* thread.c */
PX_DECLARE(set_tid_address);
PX_DECLARE(gettid);
/* times.c: CPU time */
PX_DECLARE(times);
PX_DECLARE(getrusage);
PX_DECLARE(futex);
PX_DECLARE(sched_yield);
PX_DECLARE(exit);
/* process.c */
PX_DECLARE(exit_group);
PX_DECLARE(getpid);
PX_DECLARE(getppid);
PX_DECLARE(getpgid);
PX_DECLARE(setpgid);
PX_DECLARE(getsid);
PX_DECLARE(setsid);
PX_DECLARE(wait4);
PX_DECLARE(waitid);
/* cred.c */
PX_DECLARE(getuid);
PX_DECLARE(geteuid);
PX_DECLARE(getgid);
PX_DECLARE(getegid);
PX_DECLARE(getresuid);
PX_DECLARE(getresgid);
PX_DECLARE(setuid);
PX_DECLARE(setgid);
PX_DECLARE(setreuid);
PX_DECLARE(setregid);
PX_DECLARE(setresuid);
PX_DECLARE(setresgid);
PX_DECLARE(getgroups);
/* signal.c */
PX_DECLARE(rt_sigaction);
PX_DECLARE(rt_sigprocmask);
PX_DECLARE(rt_sigpending);
PX_DECLARE(rt_sigsuspend);
PX_DECLARE(pause);
PX_DECLARE(kill);
PX_DECLARE(rt_sigtimedwait);
PX_DECLARE(sigaltstack);
/* timer.c: timers that send signals */
PX_DECLARE(setitimer);
PX_DECLARE(getitimer);
PX_DECLARE(timer_create);
PX_DECLARE(timer_settime);
PX_DECLARE(timer_gettime);
PX_DECLARE(timer_getoverrun);
PX_DECLARE(timer_delete);
PX_DECLARE(tkill);
PX_DECLARE(tgkill);
/* fork.c */
PX_DECLARE(fork);
PX_DECLARE(clone);
/* spawn.c */
PX_DECLARE(execve);
/* spawn_handles.c: what vr_spawnattr_sethandles keeps in a posix_spawnattr_t (vr_spawn.h). */
struct px_spawn_handles {
	uint32_t n, stage;	/* stage: the proc server's stage holding them (spawn.c), 0 none */
	struct vr_spawn_handle h[VR_SPAWN_HANDLES_MAX];
};
/* @attr's handles (none without @attr) into @hs; EINVAL for an attribute that holds no valid set. */
int px_spawn_handles(const posix_spawnattr_t *attr, struct px_spawn_handles *hs);
/* The handles this program's spawner gave it (startup.c, from its auxiliary vector). */
extern uint64_t px_spawn_handles_got[VR_SPAWN_HANDLES_MAX];
/* system.c */
PX_DECLARE(uname);
PX_DECLARE(getrandom);
/* time.c */
PX_DECLARE(clock_gettime);
PX_DECLARE(clock_getres);
PX_DECLARE(nanosleep);
PX_DECLARE(clock_nanosleep);

/* Nanoseconds in a struct timespec, or -EINVAL. */
struct timespec;
int64_t px_timespec_ns(const struct timespec *ts);
/*
 * CPU-time clocks (time.c): CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID
 * and Linux's encoding of clock_getcpuclockid's and pthread_getcpuclockid's,
 * of the caller's process and its threads only. px_cpu_clock: 1 for one,
 * with its thread (the proc server's id; 0: the process) in *tid and whether
 * it counts user time only (CPUCLOCK_VIRT); 0 for another clock; -EINVAL for
 * a bad one or another process's. px_cpu_ticks: its time in ticks of
 * px_tick_ns nanoseconds (-EINVAL: that thread ended).
 */
int px_cpu_clock(long clock, int *tid, bool *user);
long px_cpu_ticks(int tid, bool user, uint64_t *ticks);
int64_t px_tick_ns(void);

#include "px_arch.h"
