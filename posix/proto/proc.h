/*
 * The proc server's protocol: process ids, parents, process groups and
 * sessions, spawning, waiting, exit and signals.
 *
 * Every POSIX process holds a proc capability badged with its pid (SEND and
 * GRANT: PROC_THREAD carries a capability). The root
 * task (pid 0, not a POSIX process) holds one badged PROC_BADGE_ROOT: the
 * processes it spawns have parent pid 0 and it waits for them like a
 * parent. Pid 1 is /sbin/init (PROC_SPAWN_INIT), or while none runs the
 * server itself acting as init: orphans are reparented to pid 1. Badge 0 (the unbadged endpoint) is
 * the server's own (its watcher threads report deaths on it). The server is
 * the exception handler of each process it starts, through a capability
 * badged pid | PROC_BADGE_EXC: a fault ends the process with SIGSEGV (page
 * fault), SIGILL, SIGTRAP, SIGBUS (alignment) or SIGFPE by exception kind.
 *
 * Messages as in proto/vfs.h: label = PROC_* operation, reply label 0 with
 * word 1 = result (>= 0) or -errno, and the further words listed. PROC_WAIT
 * without WNOHANG does not answer until a child changes state (the server
 * saves the reply). Malformed requests get -EINVAL and change nothing.
 */
#pragma once

#include <stdint.h>

#define PROC_BADGE_ROOT ((uint64_t)1 << 40)
#define PROC_BADGE_EXC ((uint64_t)1 << 41)	/* | pid: the kernel's exception messages about pid */
#define PROC_SPAWN_MAX 4096	/* bytes of a spawn request in the message's long part */
/*
 * A longer one (a large environment) travels in a VMO: PROC_SPAWN and
 * PROC_EXECVE with no long part, w1 its length (PROC_SPAWN_MAX <
 * length <= PROC_SPAWN_BIG) and the VMO as the message's one capability
 * (rights READ, TRANSFER), which holds the request from offset 0. As Linux's
 * execve, what does not fit the new program's initial stack is E2BIG.
 */
#define PROC_SPAWN_BIG (512 * 1024)
/*
 * struct proc_spawn's flag for /sbin/init: the child becomes pid 1 (the root
 * task only, while no init runs: else -EPERM). Orphans are reparented to it
 * and it waits for them; it cannot be signalled. When it ends, the server
 * stands in for init again (reaping orphans at once).
 */
#define PROC_SPAWN_INIT ((uint32_t)1 << 31)

enum proc_op {
	PROC_SPAWN = 1,	/* long (or a VMO, see PROC_SPAWN_BIG): struct proc_spawn + its data -> w1 the child's pid. The file actions run
			   in the child's session before it starts: their errors are posix_spawn's */
	PROC_WAIT,	/* w1 pid (as waitpid: -1 any, 0 own group, < -1 group), w2 WNOHANG|WUNTRACED|WEXITED|WCONTINUED|WNOWAIT
			   (WEXITED implied without WUNTRACED and WCONTINUED) -> w1 pid (0 with WNOHANG), w2 wait status:
			   an end's, a stop's (WIFSTOPPED) or a continue's (WIFCONTINUED) */
	PROC_EXIT,	/* w1 wait status (W_EXITCODE): ends the caller's process (answered, if it is still there to hear it) */
	PROC_GETPID,	/* -> w1 pid, w2 parent pid */
	PROC_KILL,	/* w1 pid (as kill(): > 0, 0, -1, < -1), w2 signal, w3 si_code (SI_USER, or SI_TKILL:
			   then w1 > 0 and w4 the thread id in that process, tgkill's) */
	PROC_SETPGID,	/* w1 pid (0 = self), w2 pgid (0 = pid). A spawned or exec'd child: EACCES */
	PROC_GETPGID,	/* w1 pid (0 = self) -> w1 pgid */
	PROC_SETSID,	/* -> w1 the new session id */
	PROC_GETSID,	/* w1 pid (0 = self) -> w1 sid */
	PROC_EXECVE,	/* long: as PROC_SPAWN with no actions and no flags: replaces the caller's program (same pid,
			   parent, group, session; the fds without FD_CLOEXEC). No answer on success: the
			   caller's process is gone; an error (ENOENT, EACCES, ENOEXEC, E2BIG...) is answered */
	PROC_FORK,	/* w1 entry, w2 stack pointer (see below), w3 the forking thread's id (its mask is
			   the child's), w4 the words of the caller's descriptor map the child's copy
			   needs (above every descriptor it had open; more: the whole map) -> w1 the
			   child's pid */
	PROC_FORKED,	/* (the forked child, once) -> w1 its pid, w2 its own process handle, w3 its vfs session,
			   w4 its descriptor map (0: none; below) */
	PROC_SIGSTATE,	/* w1 the calling thread's blocked, w2 handled, w3 ignored signals (sets: bit n - 1 =
			   signal n), w4 the redirection entry (0: none), w5 PROC_SIGSTATE_NOCLDSTOP or
			   0 | the calling thread's id << 32, w6 the SA_ONSTACK signals -> w1 the
			   signals pending for that thread or the process (1 .. 63).
			   Pending unblocked signals without a handler take their default
			   action at once */
	PROC_SIGTAKE,	/* w1 the signals wanted, w2 PROC_SIGTAKE_WAIT (| PROC_SIGTAKE_TIMEOUT) or 0, w3 the
			   timeout in ns with PROC_SIGTAKE_TIMEOUT, w4 the calling thread's id -> w1 a
			   pending one of them (the thread's own first), now taken (0: none, without
			   PROC_SIGTAKE_WAIT; -EAGAIN: the timeout passed), w2 the sender's pid, w3 its
			   si_code, w4 its si_value (a timer's; a fault's address) */
	PROC_TIMER_CREATE,	/* w1 signal (0: none, as SIGEV_NONE), w2 si_value (w3 1: the id instead), w4 its
				   clock (PROC_CLOCK_*), w5 the thread it signals (SIGEV_THREAD_ID: a thread id
				   of the caller's, with a signal; 0: the process), w6 PROC_CLOCK_THREAD's thread
				   (a live thread of the caller's, else -EINVAL) -> w1 the new timer's id (>= 1) */
	PROC_TIMER_SET,	/* w1 timer id (PROC_TIMER_REAL, _VIRTUAL, _PROF: the interval timers), w2 ns until it
			   expires (0: disarmed; with PROC_TIMER_ABS the time on its clock), w3 the interval
			   in ns (0: once), w4 PROC_TIMER_GET, PROC_TIMER_ABS or 0 -> w1 the ns that were
			   left (0: disarmed), w2 the interval, w3 the overrun count. A PROC_CLOCK_THREAD
			   timer whose thread ended reads as disarmed; setting it is -ESRCH (Linux's) */
	PROC_TIMER_DELETE,	/* w1 timer id (>= 1) */
	PROC_SIGFD,	/* the caller made a signalfd: from now on (and in its forked children) the server
			   tells the vfs server its pending signals whenever they change (VFS_SIG_PENDING) */
	PROC_THREAD = 71,	/* w1 a new thread's id, w2 its signal mask (its creator's), w3 a capability
			   to it (RIGHT_MANAGE), before it starts: signals can be sent to it (tgkill)
			   and it is redirected for the signals it does not block */
	PROC_TIMES = 173,	/* -> w2 the caller's CPU time, w3 the part of it in the kernel, w4 its
				   reaped children's (theirs with their own children's), w5 the part of it in
				   the kernel, in the kernel's ticks (system_info INFO_TICK_HZ); through execs.
				   w1 a thread id of the caller's (0: none): w2 and w3 are that thread's
				   (process_ticks of it), w4 and w5 0; -EINVAL when it is not there or ended */
	PROC_CRED = 174,	/* w1 PROC_CRED_GET, or a change: PROC_CRED_UID/GID (setuid, setgid: w2),
				   PROC_CRED_REUID/REGID (w2 real, w3 effective), PROC_CRED_RESUID/RESGID
				   (w2 real, w3 effective, w4 saved); (uint32_t)-1 leaves an id as it is
				   -> w2..w4 the real, effective and saved user ids, w5..w7 the group ids.
				   Linux's rules without capabilities: an effective uid 0 may set any id,
				   others only one of their own three (-EPERM); setuid(-1): -EINVAL.
				   Inherited by fork and spawn, kept by execve; the vfs session checks
				   permissions with the effective ids (proc/cred.c) */
	PROC_CHILD_GONE = 100,	/* internal (badge 0): w1 pid, w2 the kernel's exit status, w3 the process handle */
	PROC_TTY_SIGNAL,	/* internal (badge 0): w1 process group, w2 signal: a terminal's ISIG character */
	PROC_FS,		/* internal (badge 0): a /proc request the vfs server forwarded (proc/procfs.c) */
	PROC_TICK,		/* internal (badge 0): the timer thread: a deadline may have passed (proc/timer.c) */
};

#define PROC_TID_MAIN 1	/* the thread id of a process's first thread (the layer's PX_PID) */
#define PROC_THREAD_MAX 1024	/* threads of one process the server knows: more is -EAGAIN */
#define PROC_SIGTAKE_WAIT 1	/* PROC_SIGTAKE does not answer until one of the signals is pending */
#define PROC_SIGTAKE_TIMEOUT 2	/* ... or until w3 ns have passed (-EAGAIN) */
#define PROC_TIMER_REAL 0	/* PROC_TIMER_SET's id of the process's ITIMER_REAL (alarm, setitimer): SIGALRM */
#define PROC_TIMER_VIRTUAL (-1)	/* ... its ITIMER_VIRTUAL (user CPU time): SIGVTALRM */
#define PROC_TIMER_PROF (-2)	/* ... its ITIMER_PROF (all its CPU time): SIGPROF */
#define PROC_TIMER_GET 1	/* PROC_TIMER_SET only tells, changes nothing */
#define PROC_TIMER_ABS 2	/* PROC_TIMER_SET's w2 is a time on the timer's clock (TIMER_ABSTIME) */
/*
 * The clocks of timers: the one clock (CLOCK_REALTIME, _MONOTONIC, _BOOTTIME), the process's user
 * CPU time, all its CPU time, one thread's CPU time (CLOCK_THREAD_CPUTIME_ID, pthread_getcpuclockid).
 */
enum proc_clock { PROC_CLOCK_REAL, PROC_CLOCK_USER, PROC_CLOCK_CPU, PROC_CLOCK_THREAD };
#define PROC_TIMER_MAX 32	/* timers of one process (timer_create): more is -EAGAIN */
/*
 * PROC_KILL's w3 for SIGTTIN/SIGTTOU that the translation layer sends its own
 * group (w1 0) when its terminal says it is in the background: -EIO, and
 * no signal, if the group is orphaned (POSIX); si_code SI_KERNEL.
 */
#define PROC_KILL_JOBCTL 0x4a43	/* never a si_code */
#define PROC_SIGSTATE_NOCLDSTOP 1	/* SIGCHLD's action has SA_NOCLDSTOP: no SIGCHLD for stops and continues */

/*
 * Signals: the server is the signal daemon. Each process tells it (PROC_SIGSTATE) which signals it
 * blocks, handles and ignores. A signal sent (PROC_KILL, or SIGCHLD when a child ends) to a process
 * that ignores it is dropped; one it handles or blocks becomes pending, and a PROC_SIGTAKE that
 * wants it is answered; any other takes its default action (most end the process). A forked child
 * inherits the sets; a spawned or exec'd program starts with none (all default, nothing pending).
 * A parent ignoring SIGCHLD has its children reaped at once (no zombies, as SA_NOCLDWAIT).
 * Masks and pending sets are per thread (the thread ids are the translation layer's: the first
 * thread's is the pid, the others' told by PROC_THREAD), beside the process's pending set. A
 * signal sent to a thread (tgkill, a fault) is pending for it alone; one sent to the process is
 * taken by any thread that does not block it. A handled signal that no PROC_SIGTAKE waits for
 * makes the server redirect a thread that does not block it (for a process signal the first
 * thread if it does not, as Linux prefers the main thread) to the entry w4 of PROC_SIGSTATE
 * named (thread_redirect), on its signal stack for the SA_ONSTACK signals. A fault (the
 * exception message) whose signal the thread handles and does not block is pending for it and
 * sends it there at once (VR_EXCEPTION_REDIRECT); otherwise it ends the process.
 * execve and posix_spawn start the program with struct proc_spawn's sigmask blocked in its first
 * thread and its sigignore ignored (proc_start tells the program).
 *
 * Timers: the server keeps each process's timers (alarm/setitimer's ITIMER_REAL and timer_create's,
 * on the one clock there is: CLOCK_REALTIME counts from boot as CLOCK_MONOTONIC does) and sends
 * their signal when one expires (si_code SI_KERNEL for the interval timers, SI_TIMER with the
 * timer's si_value otherwise), as any other: to the process, or (SIGEV_THREAD_ID) to one thread.
 * ITIMER_VIRTUAL, ITIMER_PROF and CLOCK_PROCESS_CPUTIME_ID timers count the process's CPU time
 * in the kernel's ticks (process_ticks, process_alarm); a thread CPU clock's timers count that
 * thread's (process_ticks of the thread, thread_alarm). A forked child has none; exec and the
 * end drop them.
 */

/*
 * PROC_FORK: the server makes a new process, a copy-on-write copy of the
 * caller's memory (process_fork), with a new pid in the caller's group and
 * session and a vfs session with every vfs id of the caller's at the same
 * number (VFS_SESSION_FORK: the fd table in the copied memory stays valid).
 * Its one thread starts at w1 with stack pointer w2 (both in the copied
 * memory) and its proc capability handle as the first argument; it asks
 * PROC_FORKED for the rest, then resumes the forking thread's saved
 * registers. Handles are not copied by process_fork: only these exist in the
 * child.
 */

/*
 * The message of PROC_SPAWN with handles: the short form has words = caps =
 * nhandles (w1.. the handles) and the request in the long part; the long
 * form (PROC_SPAWN_BIG) words 2 + nhandles, caps 1 + nhandles: w1 the
 * length, w2 the VMO, then the handles.
 *
 * A spawn request: this header, then nfds struct proc_fd, then nactions
 * struct proc_action, then argc + envc + the path and open-action paths as
 * NUL-terminated strings (path first, then argv, then envp, then each
 * PROC_ACT_OPEN's path in action order).
 */
struct proc_spawn {
	uint32_t flags;		/* POSIX_SPAWN_SETPGROUP, _SETSID, _SETSIGMASK, _SETSIGDEF, _RESETIDS */
	/* sigmask: the program's first thread's mask (the caller's, or the attribute's with SETSIGMASK) */
	int32_t pgroup;
	uint64_t sigmask, sigdefault;
	uint64_t sigignore;	/* the signals the program starts ignoring (the caller's, less SETSIGDEF's) */
	uint32_t nfds, nactions, argc, envc;
	/*
	 * The command name (/proc/<pid>/comm) is the last component of path (0)
	 * or of argv[name_arg] (< argc): a script's own path, where the
	 * translation layer asks for its interpreter (as Linux names it).
	 */
	uint32_t name_arg;
	uint32_t umask;		/* the child's file mode creation mask (0777 bits), the caller's */
	/*
	 * Native handles for the child (PROC_SPAWN only; see PROC_SPAWN_HANDLES):
	 * those of the caller's stage @stage (0: none; PROC_SPAWN_STAGE), then the
	 * message's capabilities, nhandles in all, copied into the child with
	 * handle_rights[i] (& the handle's own rights) as its VR_AT_HANDLE + i.
	 * The stage is used up by the request whatever its outcome.
	 */
	uint32_t nhandles, stage;
	uint64_t handle_rights[16];	/* PROC_SPAWN_HANDLES */
};

/*
 * The handles one spawn request gives the child: up to 16. One message
 * carries three capabilities at most (VR_TAG_CAPS; the long form's VMO is
 * one of them), so more travel ahead of the request in a *stage*: PROC_SPAWN
 * messages with no long part, w1 PROC_SPAWN_STAGE, w2 the stage (0: a new
 * one), then one to three handles (words = 2 + caps = 2 + n) -> w1 the
 * stage's id (>= 1), its handles appended. The same with no capability
 * drops stage w2 (-EINVAL if the caller has none such). A process has at
 * most PROC_SPAWN_STAGES stages (-EAGAIN), a stage at most
 * PROC_SPAWN_HANDLES handles (more: -E2BIG, and the stage is dropped); the
 * request that names a stage (struct proc_spawn's stage) uses it up,
 * and its end or an execve drops the rest.
 * Each handle must hold RIGHT_TRANSFER and RIGHT_DUPLICATE (a copy: the
 * caller keeps its own); the kernel refuses the call otherwise (-EACCES,
 * -EBADF for a forged one) and nothing moves. The server closes its own
 * copies whatever happens; on any error the child is not started and
 * nothing of them is left anywhere.
 */
#define PROC_SPAWN_HANDLES 16
#define PROC_SPAWN_STAGE 0	/* w1 of a stage message: a length no long request has */
#define PROC_SPAWN_STAGES 4

/* One of the parent's descriptors the child starts with: its number and its vfs id in the parent's session. */
struct proc_fd {
	int32_t fd;
	uint32_t fd_flags;	/* FD_CLOEXEC */
	uint64_t vfs_id;
};

/* PROC_ACT_SETCTTY (not posix_spawn's): fd's terminal becomes the child's controlling one (TIOCSCTTY, taken
 * over from any other session), its foreground group the child's: for the root task's console shell. */
enum proc_action_kind {
	PROC_ACT_OPEN = 1,
	PROC_ACT_CLOSE,
	PROC_ACT_DUP2,
	PROC_ACT_CHDIR,
	PROC_ACT_FCHDIR,
	PROC_ACT_SETCTTY,
};

/*
 * A file action of posix_spawn. The proc server runs them in order in the
 * child's vfs session before the child starts (their errors are
 * posix_spawn's), then closes the FD_CLOEXEC descriptors.
 */
struct proc_action {
	uint32_t kind;
	int32_t fd, newfd;	/* CLOSE: fd; DUP2: fd -> newfd; OPEN: newfd; FCHDIR: fd */
	uint32_t oflag, mode;
};

/*
 * What a program started by the proc server gets besides argv and envp:
 * auxiliary vector entries VR_AT_PROC (its proc capability, badge = pid),
 * VR_AT_VFS (its vfs session capability) and VR_AT_START (the address of
 * this block, on its initial stack): its pid, its umask and the descriptors it has,
 * with vfs ids already in its own session (file actions done, FD_CLOEXEC
 * ones closed). A program started without VR_AT_START (the servers
 * themselves) has fds 1 and 2 on the kernel's debug console and no others.
 */
/*
 * The descriptor map: a VMO of PROC_FDMAP_SIZE bytes the server makes for
 * each process (VR_AT_FDMAP at a spawn or exec, PROC_FORKED's w4 in a forked
 * child) and reads for /proc/<pid>/fd. The translation layer keeps word fd of
 * it equal to PROC_FDMAP_WORD of the vfs id its descriptor fd holds (0:
 * closed) as descriptors come and go: plain stores, no request. It maps the
 * map at its first change of a descriptor (and then writes every word);
 * until then the server's own writes hold: the start block's descriptors
 * at a spawn or exec, the parent's map (PROC_FORK's w4 words) at a fork. What a
 * process writes there only misleads the server about itself: the ids are
 * taken as the process's own session's.
 */
#define PROC_FDMAP_FDS 1024	/* descriptors it covers (the layer's PX_FD_MAX) */
#define PROC_FDMAP_SIZE (PROC_FDMAP_FDS * 4)	/* one page: 32-bit words (vfs ids are below 1024) */
#define PROC_FDMAP_WORD(id) ((uint32_t)(id) + 1)
#define PROC_FDMAP_CONSOLE (UINT32_C(1) << 31)	/* the kernel's debug console (no vfs session) */

struct proc_start {
	uint64_t pid;
	uint64_t sigmask, sigignore;	/* the request's: the blocked and the ignored signals */
	uint32_t nfds, umask;	/* umask: the spawn or execve request's */
	/* struct proc_fd fds[nfds]; */
};

/* PROC_CRED's w1. */
enum { PROC_CRED_GET, PROC_CRED_UID, PROC_CRED_REUID, PROC_CRED_RESUID, PROC_CRED_GID, PROC_CRED_REGID,
       PROC_CRED_RESGID };
