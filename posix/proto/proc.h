/*
 * The proc server's protocol: process ids, parents, process groups and
 * sessions, spawning, waiting, exit and kill.
 *
 * Every POSIX process holds a proc capability badged with its pid. The root
 * task holds one badged PROC_BADGE_ROOT: the processes it spawns have parent
 * pid 0 and it waits for them like a parent. Badge 0 (the unbadged
 * endpoint) is the server's own (its watcher threads report deaths on it).
 *
 * Messages as in proto/vfs.h: label = PROC_* operation, reply label 0 with
 * word 1 = result (>= 0) or -errno. PROC_WAIT without WNOHANG does not
 * answer until a child changes state (the server saves the reply).
 */
#pragma once

#include <stdint.h>

#define PROC_BADGE_ROOT ((uint64_t)1 << 40)
#define PROC_SPAWN_MAX 4096	/* bytes of a spawn request (struct proc_spawn and what follows) */

enum proc_op {
	PROC_SPAWN = 1,	/* long: struct proc_spawn + its data; caps: none -> w1 the child's pid */
	PROC_WAIT,	/* w1 pid (as waitpid: -1 any, 0 own group, < -1 group), w2 WNOHANG|WUNTRACED... -> w1 pid (0 with WNOHANG), w2 wait status */
	PROC_EXIT,	/* w1 wait status (W_EXITCODE): ends the caller's process; no answer */
	PROC_GETPID,	/* -> w1 pid, w2 parent pid */
	PROC_KILL,	/* w1 pid (as kill(): > 0, 0, -1, < -1), w2 signal */
	PROC_SETPGID,	/* w1 pid (0 = self), w2 pgid (0 = pid) */
	PROC_GETPGID,	/* w1 pid (0 = self) -> w1 pgid */
	PROC_SETSID,	/* -> w1 the new session id */
	PROC_GETSID,	/* w1 pid (0 = self) -> w1 sid */
	PROC_EXECVE,	/* long: struct proc_spawn (no file actions): replaces the caller's program; no answer on success */
	PROC_CHILD_GONE = 100,	/* internal (badge 0): w1 pid, w2 the kernel's exit status */
};

/*
 * A spawn request: this header, then nfds struct proc_fd, then nactions
 * struct proc_action, then argc + envc + the path and open-action paths as
 * NUL-terminated strings (path first, then argv, then envp, then each
 * PROC_ACT_OPEN's path in action order).
 */
struct proc_spawn {
	uint32_t flags;		/* POSIX_SPAWN_SETPGROUP, _SETSID, _SETSIGMASK, _SETSIGDEF, _RESETIDS */
	int32_t pgroup;
	uint64_t sigmask, sigdefault;
	uint32_t nfds, nactions, argc, envc;
};

/* One of the parent's descriptors the child starts with: its number and its vfs id in the parent's session. */
struct proc_fd {
	int32_t fd;
	uint32_t fd_flags;	/* FD_CLOEXEC */
	uint64_t vfs_id;
};

enum proc_action_kind { PROC_ACT_OPEN = 1, PROC_ACT_CLOSE, PROC_ACT_DUP2, PROC_ACT_CHDIR, PROC_ACT_FCHDIR };

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
 * this block, on its initial stack): its pid and the descriptors it has,
 * with vfs ids already in its own session (file actions done, FD_CLOEXEC
 * ones closed). A program started without VR_AT_START (the servers
 * themselves) has fds 1 and 2 on the kernel's debug console and no others.
 */
struct proc_start {
	uint64_t pid;
	uint32_t nfds, reserved;
	/* struct proc_fd fds[nfds]; */
};
