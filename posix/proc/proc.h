/*
 * The proc server's internals: the process table and the operations of
 * proto/proc.h, one file per area (table.c, group.c, wait.c, kill.c,
 * spawn.c, watch.c). Everything runs on the server's main thread except the
 * watchers (watch.c), which touch nothing here: they report on the
 * server's own endpoint like any client.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <veridian/auxv.h>
#include <veridian/vr.h>

#include "proto/proc.h"

#define PID_MAX 32768	/* pids are 2 .. PID_MAX - 1 */
#define PID_ROOT 0	/* the root task: not a POSIX process, but a parent */
#define PID_INIT 1	/* /sbin/init, or the server standing in for it: orphans' parent */
#define SIG_MAX 64	/* Linux's _NSIG - 1: signals are 1 .. 64 */
#define SIG_BIT(sig) ((uint64_t)1 << ((sig) - 1))
/* The signals whose disposition and mask cannot change: they always take their default action. */
#define SIG_FIXED (SIG_BIT(9) | SIG_BIT(19))	/* SIGKILL, SIGSTOP */

/* A wait status: exit code @code (a signal's is the signal number itself). */
#define WSTATUS_EXIT(code) (((code) & 0xff) << 8)

/* What the main loop answers for an operation whose answer waits (a saved reply) or is not due. */
#define NO_REPLY INT64_MIN
/* What an exception handler answers to have the faulting process stay stopped (it is being killed). */
#define KILL_REPLY (INT64_MIN + 1)
/* ... to have it resume in its signal entry: VR_EXCEPTION_REDIRECT, m[1] the entry, m[2] the flags. */
#define REDIRECT_REPLY (INT64_MIN + 2)

/* Which of a process's ids (struct proc's uid[] and gid[]). */
enum { CRED_REAL, CRED_EFF, CRED_SAVED };

enum proc_state {
	PROC_ALIVE,
	PROC_ZOMBIE,	/* ended, not yet waited for: keeps its pid, group and status */
	PROC_REAPED,	/* waited for, but its kernel process has not gone yet: keeps its pid only */
};

/* A wait that did not find a child that had ended yet: answered later. */
struct waiter {
	struct waiter *next;
	handle_t reply;	/* the saved reply (vr_ipc_reply_save) */
	int64_t pid;	/* as waitpid's */
	uint64_t options;
	int64_t deadline;	/* a PROC_SIGTAKE's with a timeout: answered -EAGAIN then (0: none) */
};

/* A timer of a process (timer.c): PROC_TIMER_REAL's or timer_create's. */
struct ptimer {
	struct ptimer *next;
	int id, sig;	/* id <= 0: an interval timer (PROC_TIMER_REAL...); sig 0: SIGEV_NONE */
	int code;	/* si_code: SI_KERNEL (the interval timers) or SI_TIMER */
	int clock;	/* enum proc_clock */
	int tid;	/* SIGEV_THREAD_ID: the thread it signals (0: the process) */
	int ctid;	/* PROC_CLOCK_THREAD: the thread whose CPU time it counts */
	uint64_t value;	/* si_value */
	int64_t due, interval;	/* ns on its clock when it expires next (0: disarmed); its period (0: once) */
	int overrun;	/* expirations while its signal was still pending, since the last one sent */
};

/* Who sent a pending signal: its pid, si_code and si_value (a timer's; a fault's address). */
struct sig_from {
	int pid, code;
	uint64_t value;
};

/*
 * A thread of a process (thread.c): the signals it blocks (as its
 * PROC_SIGSTATE told) and those sent to it alone, pending.
 */
struct proc_thread {
	struct proc_thread *next;
	int tid;	/* the translation layer's id: PROC_TID_MAIN for the first thread */
	uint64_t kid;	/* the kernel's id (exception messages); 0 until asked */
	handle_t handle;	/* to redirect it: owned, except the first thread's (proc.thread) */
	uint64_t blocked, pending;
	struct sig_from from[SIG_MAX];
	bool alarm;	/* its kernel thread's CPU-time alarm is armed (timer.c) */
};

struct proc {
	int pid, ppid, pgid, sid;
	enum proc_state state;
	bool gone;	/* its kernel process has ended (its watcher reported) */
	bool execed;	/* it runs a program of its own (spawned, or execve): its parent may not setpgid it */
	int wstatus;	/* the wait status, once not PROC_ALIVE */
	handle_t process;	/* the kernel process; 0 for the root task and init */
	handle_t cap;	/* the capability minted for it (badge = pid), revoked at its end */
	/*
	 * The native handles its spawner gave it (spawn.c): our copies, whose
	 * descendants its copies are. Revoked at its end, so that they are
	 * gone before its parent hears of it (its kernel process is torn down
	 * later).
	 */
	handle_t given[PROC_SPAWN_HANDLES];
	unsigned ngiven;
	/* Handles it sent ahead of a spawn request (PROC_SPAWN_STAGE; spawn.c): ours, closed with it. */
	struct stage *stages;
	uint32_t stage_ids;	/* the last stage id given */
	uint64_t session;	/* its vfs session */
	/* Its real, effective and saved user and group ids (cred.c): CRED_REAL... */
	uint32_t uid[3], gid[3];
	handle_t fdmap;		/* its descriptor map (proto/proc.h, /proc/<pid>/fd); 0: none */
	struct waiter *waiters;	/* its blocked waits, oldest first */
	/* A forked child's handles, told to it once by PROC_FORKED (0 after). */
	handle_t fork_self, fork_vfs, fork_fdmap;
	/*
	 * Signals (kill.c): as its PROC_SIGSTATE told, sig_blocked being what
	 * every thread blocks; pending ones (for the process, not one thread)
	 * with their sender's pid and si_code.
	 */
	uint64_t sig_blocked, sig_handled, sig_ignored, sig_pending;
	/*
	 * Asynchronous delivery: the process's first thread (started by us) and
	 * the entry its translation layer told (PROC_SIGSTATE w4; 0: none), which
	 * thread_redirect sends it to when a handled signal it does not block comes.
	 */
	handle_t thread;
	uint64_t sig_entry;
	struct waiter *sig_waiters;	/* its blocked PROC_SIGTAKEs (options = the signals wanted) */
	/* It made a signalfd (PROC_SIGFD): the vfs server is told sig_pending as it changes; sig_shown
	 * is what it was told last (SIG_UNTOLD: not yet). */
	bool sig_fd;
	uint64_t sig_shown;
	struct sig_from sig_from[SIG_MAX];
	/* Its threads (thread.c), the first one first; the SA_ONSTACK signals (PROC_SIGSTATE w6). */
	struct proc_thread *threads;
	uint64_t sig_onstack;
	struct ptimer *timers;	/* its timers (timer.c) */
	bool cpu_alarm;	/* its kernel process's CPU-time alarm is armed (timer.c) */
	/*
	 * Job control (stop.c): stopped by a stop signal (its kernel process
	 * too, vr_process_stop); the stop signal a WUNTRACED wait of its parent
	 * has yet to take (0: none), or a continue a WCONTINUED wait has yet to
	 * take; nocldstop as PROC_SIGSTATE w5 told (SA_NOCLDSTOP on SIGCHLD).
	 */
	bool stopped, cont_report, nocldstop;
	int stop_report;
	char *cmdline;	/* argv as /proc/<pid>/cmdline shows it (NUL after each), or NULL; owned */
	char comm[16];	/* the command name (/proc/<pid>/comm): what it exec'd, as Linux's TASK_COMM_LEN */
	char *exe;	/* the absolute path of what it exec'd (/proc/<pid>/exe), or NULL; owned */
	size_t cmdline_len;
	/*
	 * CPU time, in the kernel's ticks (process_ticks): what the programs it
	 * ran before its last exec took, and what its reaped children took
	 * (theirs with their own children's), for /proc/<pid>/stat. start_ns:
	 * when it was made (monotonic, since boot).
	 */
	uint64_t ticks_before, child_ticks, start_ns;
	uint64_t kticks_before, child_kticks;	/* the same, the part the kernel took (its stime) */
	struct proc *next, *prev;	/* every process, in pid order of creation */
};

/* The endpoint the server serves (unbadged) and its vfs admin capability. */
extern handle_t proc_ep, proc_vfs_admin;

/*
 * Whether @p is not a process of its own: the root task, or pid 1 while no
 * /sbin/init runs (PROC_SPAWN_INIT), when the server stands in for init.
 */
static inline bool proc_is_server(const struct proc *p)
{
	return p->pid == PID_ROOT || (p->pid == PID_INIT && !p->process);
}

/* ---- table.c ---- */
extern struct proc *proc_all;	/* the list of every struct proc */
extern struct proc *proc_root, *proc_init;	/* pids 0 and 1 */

/* The process with @pid that is not yet reaped, or NULL (pids 0 and 1 included). */
struct proc *proc_find(int64_t pid);

/* The process with @pid even if reaped, or NULL. */
struct proc *proc_lookup(int64_t pid);

/* A free pid (not a process, group or session id), or 0 when there is none. */
int proc_pid_alloc(void);

/* The CPU ticks @p took, through every exec (not its children's), and the part the kernel took. */
uint64_t proc_ticks(const struct proc *p);
uint64_t proc_kticks(const struct proc *p);
/* PROC_TIMES (proto/proc.h). */
int64_t op_times(struct proc *caller, uint64_t m[8]);
int64_t op_cred(struct proc *caller, uint64_t m[8]);
/* Whether @caller may send a signal to @p (kill(2)'s rule; cred.c). */
bool proc_may_signal(const struct proc *caller, const struct proc *p, int sig);
/* Processes made since the server started (/proc/stat's "processes") and the last pid given. */
extern uint64_t proc_made;
extern int proc_last_pid;

/* A new process @pid with parent @parent, in @parent's group and session; NULL without memory. */
struct proc *proc_create(int pid, struct proc *parent);

/* Frees @p (reaped and gone, or never started); its pid becomes free (pid 1: the server's again). */
void proc_destroy(struct proc *p);

/* Whether process group @pgid has a member (not reaped) in session @sid. */
bool proc_group_in_session(int pgid, int sid);

void proc_table_init(void);

/* ---- group.c: the ids ---- */
int64_t op_getpid(struct proc *caller, uint64_t m[8]);
int64_t op_setpgid(struct proc *caller, uint64_t m[8]);
int64_t op_getpgid(struct proc *caller, uint64_t m[8]);
int64_t op_setsid(struct proc *caller, uint64_t m[8]);
int64_t op_getsid(struct proc *caller, uint64_t m[8]);

/* ---- wait.c: ends, waits, zombies, orphans ---- */
int64_t op_wait(struct proc *caller, uint64_t m[8]);
int64_t op_exit(struct proc *caller, uint64_t m[8]);
int64_t op_child_gone(uint64_t m[8]);

/*
 * Ends @p with wait status @wstatus (the first end counts): kills its
 * kernel process, revokes its capability, ends its vfs session, gives its
 * children to init and tells its parent.
 */
void proc_end(struct proc *p, int wstatus);

/* @c stopped or continued: its parent's blocked waits that want that take it. */
void proc_wait_event(struct proc *c);

/* Answers @parent's blocked waits that no child can satisfy any more with -ECHILD. */
void proc_waiters_check(struct proc *parent);

/* Whether the caller of a saved reply left (its wait was interrupted): drop it, do nothing for it. */
bool proc_reply_gone(handle_t reply);

/* ---- kill.c: signals ---- */
int64_t op_kill(struct proc *caller, uint64_t m[8]);
int64_t op_sigstate(struct proc *caller, uint64_t m[8]);
int64_t op_sigtake(struct proc *caller, uint64_t m[8]);
int64_t op_sigfd(struct proc *caller, uint64_t m[8]);
/* Tells the vfs server the pending signals that changed of the processes with a signalfd (after
 * every request, before its answer); proc_sig_forget as one is freed. */
void proc_sig_publish(void);
void proc_sig_forget(struct proc *p);
#define SIG_UNTOLD UINT64_MAX
/* Sends @sig (1 .. SIG_MAX) to @p from pid @from with si_code @code: dropped, pending or its default action. */
void proc_signal(struct proc *p, int sig, int from, int code);
/* Forgets @p's blocked PROC_SIGTAKEs and its timers (it is ending, or exec). */
void proc_sig_drop(struct proc *p);
/* Answers @p's PROC_SIGTAKEs whose timeout passed by @now with -EAGAIN: the earliest deadline left, or 0. */
int64_t proc_sig_expire(struct proc *p, int64_t now);

/* ---- timer.c: timers and the deadlines of PROC_SIGTAKE ---- */
int proc_timer_start(void);
int64_t op_timer_create(struct proc *caller, uint64_t m[8]);
int64_t op_timer_set(struct proc *caller, uint64_t m[8]);
int64_t op_timer_delete(struct proc *caller, uint64_t m[8]);
/* PROC_TICK (badge 0, from the timer thread): sends the signals of expired timers, ends timed-out waits. */
int64_t op_tick(uint64_t m[8]);
/* Tells the timer thread the earliest deadline after a timer or a timed wait changed. */
void proc_timer_update(void);
/* Drops @p's timers (exec, end). */
void proc_timers_drop(struct proc *p);
/* The clock, in ns since boot. */
int64_t proc_now(void);
/* kill.c: sends @sig to @p with si_value @value (a timer's). */
void proc_signal_value(struct proc *p, int sig, int from, int code, uint64_t value);
/* kill.c: sends @sig to @p's thread @t alone (@t NULL: to the process). */
void proc_signal_to(struct proc *p, struct proc_thread *t, int sig, int from, int code,
		    uint64_t value);

/* ---- stop.c: job control ---- */
/* Stops @p for stop signal @sig (its parent is told), unless it is stopped already. */
void proc_stop(struct proc *p, int sig);
/* Continues @p if it is stopped (its parent is told). */
void proc_continue(struct proc *p);
/* Whether no member of process group @pgid has a parent in another group of its session. */
bool proc_group_orphaned(int pgid);
/*
 * Around proc_end(@p): notes the groups @p's end leaves orphaned with a
 * stopped member, then sends each member SIGHUP and SIGCONT (POSIX).
 */
void proc_orphans_before_end(struct proc *p);
void proc_orphans_after_end(void);

/* ---- tty.c: the terminals' ISIG signals, from the vfs server ---- */
/* Starts the thread that asks the vfs server for them. */
int proc_tty_start(void);
/* PROC_TTY_SIGNAL (badge 0, from that thread): w1 process group, w2 signal. */
int64_t op_tty_signal(uint64_t m[8]);

/* ---- spawn.c: posix_spawn and execve ---- */
int64_t op_spawn(struct proc *caller, uint64_t m[8]);
/*
 * Revokes and closes the native handles @p was given at its spawn, and closes
 * those it staged for spawns of its own (spawn.c); at its end and its execve.
 */
void proc_drop_given(struct proc *p);
int64_t op_execve(struct proc *caller, uint64_t m[8]);

/* ---- fork.c ---- */
int64_t op_fork(struct proc *caller, uint64_t m[8]);
int64_t op_forked(struct proc *caller, uint64_t m[8]);

/* ---- thread.c: the threads of a process ---- */
/* @p's thread @tid, or NULL; the first thread's (PROC_TID_MAIN) is made on demand. */
struct proc_thread *proc_thread(struct proc *p, int tid);
/* @p's thread whose kernel id is @kid (an exception message's), or NULL. */
struct proc_thread *proc_thread_of_kernel(struct proc *p, uint64_t kid);
/* Redirects @t of @p to its entry for @sig (on its signal stack for SA_ONSTACK); -ESRCH: it ended (@t is freed). */
int64_t proc_thread_redirect(struct proc *p, struct proc_thread *t, int sig);
/* Sets @p's sig_blocked to what every thread blocks. */
void proc_threads_mask(struct proc *p);
/* Forgets @p's threads (exec, the end). */
void proc_threads_drop(struct proc *p);
/* PROC_THREAD: w1 tid, w2 its mask, w3 its capability (owned from here on, whatever the result). */
int64_t op_thread(struct proc *caller, uint64_t m[8]);

/* ---- fault.c ---- */
/* Makes the server @process's exception handler, badged with @pid | PROC_BADGE_EXC. */
int64_t proc_set_handler(handle_t process, int pid);
/* An exception message about process @pid: it ends with the fault's signal. */
int64_t op_fault(int64_t pid, uint64_t m[8]);

/* ---- procfs.c: /proc ---- */
/* Mounts /proc (a session of our own) and starts the thread that takes its requests; 0 or -errno. */
int procfs_start(void);
/* A PROC_FS request (badge 0): answered in m[1 .. 4] and *len bytes of the IPC buffer. */
int64_t op_procfs(uint64_t m[8], size_t *len);
/* Closes @p's descriptor map (an end, an exec's old program); nothing without one. */
void proc_fdmap_drop(struct proc *p);
/*
 * What a program's descriptor map says until it changes a descriptor (its
 * layer maps the map only then, posix/fd.c): a forked child's, the parent's
 * map copied (its first @words words); a spawned or exec'd program's, its @n descriptors @fds.
 */
void proc_fdmap_copy(handle_t to, handle_t from, uint64_t words);
void proc_fdmap_fill(handle_t to, const struct proc_fd *fds, uint32_t n);
/*
 * Sets @p's command line to @argv (NULL-terminated; kept as it was without
 * memory) and its command name to @name's last component.
 */
void proc_set_cmdline(struct proc *p, const char *const *argv, const char *name);
/* Sets what /proc/<pid>/exe names: @path (absolute; "" or no memory: nothing). */
void proc_set_exe(struct proc *p, const char *path);

/* ---- watch.c ---- */
/*
 * Starts a thread that reports PROC_CHILD_GONE for @p's kernel process when
 * it ends (w3 the process handle: after an execve, the old process's report
 * is told apart by it).
 */
int proc_watch(struct proc *p);

/* ---- vfs.c: calls to the vfs server ---- */
/* A new session for a child of @parent_session sharing @n ids (@ids) of it; *ids gets the child's. */
/* A new vfs session (@cred: its uid and gid, NULL: 0 and 0). */
int64_t vfs_session_new(uint64_t parent_session, int pid, const uint32_t cred[2], uint64_t *ids,
			unsigned n, uint64_t *session, handle_t *cap);
int64_t vfs_session_cred(uint64_t session, uint32_t uid, uint32_t gid);
void vfs_session_end(uint64_t session);
/* A new session with every id of @parent_session at the same number (VFS_SESSION_FORK). */
/* Tells the vfs the POSIX session @sid and process group @pgid of @session's process (its terminals go by them). */
int64_t vfs_session_sid(uint64_t session, int sid, int pgid);
/* Tells the vfs the signals pending for @pid (VFS_SIG_PENDING; 0: none, or it is gone). */
int64_t vfs_sig_pending(int pid, uint64_t set);
/* VFS_FD_PATH: the length of what /proc/<pid>/fd/N names for @session's @id; the text in our IPC buffer. */
int64_t vfs_fd_path(uint64_t session, uint64_t id);
int64_t vfs_session_fork(uint64_t parent_session, int pid, uint64_t *session, handle_t *cap);
/*
 * The executable at @path resolved as @session: *vmo a VMO with the file,
 * *size its size; @exe (VFS_IO_MAX bytes, or NULL) gets its absolute path
 * ("" when the vfs did not say).
 */
int64_t vfs_exec_image(uint64_t session, const char *path, handle_t *vmo, uint64_t *size, char *exe);
/* VFS_SESSION_CWD: the length (with the NUL) of @session's working directory's path; the text in our IPC buffer. */
int64_t vfs_session_cwd(uint64_t session);
