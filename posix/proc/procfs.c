/*
 * /proc, served by the proc server through the vfs server's remote mounts
 * (proto/vfs.h, "Remote file systems"): /proc/self, /proc/<pid>/{stat,
 * cmdline,comm,status,fd/,cwd,exe,root}, /proc/meminfo, /proc/uptime, /proc/stat, /proc/loadavg,
 * and the pids in /proc. /proc/<pid>/fd lists what the process's descriptor
 * map says (proto/proc.h: the translation layer keeps it as descriptors come
 * and go); each entry is a symbolic link whose text the vfs server tells
 * (VFS_FD_PATH), and opening one has the vfs open that file again
 * (VFS_REMOTE_REOPEN). /proc/<pid>/cwd, exe and root are links out of
 * /proc: a path through one is answered with where it leads
 * (VFS_REMOTE_FOLLOW), for the vfs and its client to look up the rest
 * there. CPU times come from the kernel's ticks
 * (process_ticks, system_info), in USER_HZ (100 a second) as Linux tells them.
 *
 * The vfs server never calls us: a second thread (the pump) takes the
 * forwarded requests with VFS_REMOTE_NEXT, hands each to the main thread as
 * PROC_FS on our own endpoint (badge 0, like the watchers' reports), and
 * sends the main thread's answer back with VFS_REMOTE_ANSWER. So the table
 * is only ever read by the main thread, and the main thread never waits for
 * the vfs server on /proc's account.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipc.h"
#include "proc.h"
#include "proto/vfs.h"

#define PROCFS_DEV 16	     /* st_dev of /proc's files (the vfs server's are 1 .. 3) */
#define PROCFS_FILES_MAX 512 /* files open at once (ENFILE beyond) */
#define PUMP_STACK (32 * 1024)

enum kind { K_ROOT = 1, K_SELF, K_MEMINFO, K_UPTIME, K_PID, K_STAT, K_CMDLINE, K_STATUS, K_COMM,
	    K_SYSSTAT, K_LOADAVG, K_FDDIR, K_FD, K_CWD, K_EXE, K_PROOT };

/* resolve: the path goes on through a link that leads out of /proc (the vfs looks up the rest). */
#define LEADS_OUT 1

#define ROOT_FIXED 7u	/* /proc's entries before the pids: ".", "..", self, meminfo, uptime, stat, loadavg */
#define USER_HZ 100	/* Linux's clock ticks (sysconf(_SC_CLK_TCK)) of its time fields */

/* An open file: what it is and, for a regular file, its text as it was at the open. */
struct pfile {
	enum kind kind; /* 0: a free slot */
	int pid, fd;	/* K_FD: the descriptor */
	char *text;
	size_t len;
};

static struct pfile files[PROCFS_FILES_MAX];
static handle_t fs_session; /* our own vfs session, which serves the mount */
static uint64_t fs_mount;

/* ---- names ---- */

static bool is_dir(enum kind k)
{
	return k == K_ROOT || k == K_PID || k == K_FDDIR;
}

static bool is_link(enum kind k)
{
	return k == K_SELF || k == K_FD || k == K_CWD || k == K_EXE || k == K_PROOT;
}

/* The links of /proc/<pid> that lead out of /proc: cwd, exe, root. */
static bool leads_out(enum kind k)
{
	return k == K_CWD || k == K_EXE || k == K_PROOT;
}

/* The descriptor map of process @p (PROC_FDMAP_FDS words; zeros without one) into @map. */
static void fdmap_read(const struct proc *p, uint32_t *map)
{
	if (!p || !p->fdmap || vr_vmo_read(p->fdmap, map, 0, PROC_FDMAP_SIZE))
		memset(map, 0, PROC_FDMAP_SIZE);
}

/* What descriptor @fd of process @pid holds: its map's word (0: not open). */
static uint32_t fd_word(int pid, int fd)
{
	const struct proc *p = proc_find(pid);
	uint32_t w = 0;

	if (!p || !p->fdmap || fd < 0 || fd >= PROC_FDMAP_FDS ||
	    vr_vmo_read(p->fdmap, &w, (uint64_t)fd * 4, 4))
		return 0;
	return w;
}

/* @s (@len bytes) as an open descriptor of @pid, or -1. */
static int fd_of(int pid, const char *s, size_t len)
{
	int fd = 0;

	if (!len || len > 4 || (s[0] == '0' && len > 1))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		fd = fd * 10 + (s[i] - '0');
	}
	return fd < PROC_FDMAP_FDS && fd_word(pid, fd) ? fd : -1;
}

void proc_fdmap_copy(handle_t to, handle_t from, uint64_t words)
{
	static uint32_t map[PROC_FDMAP_FDS];
	uint32_t n = words < PROC_FDMAP_FDS ? (uint32_t)words : PROC_FDMAP_FDS;

	if (!to || !from || !n || vr_vmo_read(from, map, 0, (size_t)n * 4))
		return;
	while (n && !map[n - 1])
		n--;
	if (n)
		vr_vmo_write(to, map, 0, (size_t)n * 4);
}

void proc_fdmap_fill(handle_t to, const struct proc_fd *fds, uint32_t n)
{
	static uint32_t map[PROC_FDMAP_FDS];
	uint32_t len = 0;

	for (uint32_t i = 0; i < n; i++)
		if (fds[i].fd >= 0 && fds[i].fd < PROC_FDMAP_FDS && (uint32_t)fds[i].fd + 1 > len)
			len = (uint32_t)fds[i].fd + 1;
	memset(map, 0, (size_t)len * 4);
	for (uint32_t i = 0; i < n; i++)
		if (fds[i].fd >= 0 && fds[i].fd < PROC_FDMAP_FDS)
			map[fds[i].fd] = PROC_FDMAP_WORD(fds[i].vfs_id);
	if (to && len)
		vr_vmo_write(to, map, 0, (size_t)len * 4);
}

void proc_fdmap_drop(struct proc *p)
{
	if (p->fdmap)
		vr_handle_close(p->fdmap);
	p->fdmap = 0;
}

/* @s (@len bytes) as a pid of a process there is (zombies included), or 0. */
static int pid_of(const char *s, size_t len)
{
	int pid = 0;

	if (!len || len > 5 || s[0] == '0')
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		pid = pid * 10 + (s[i] - '0');
	}
	return pid >= PID_INIT && pid < PID_MAX && proc_find(pid) ? pid : 0;
}

/*
 * Resolves @path (relative to /proc) for a caller with pid @caller: *kind,
 * *pid and (K_FD) *fd. "self" is a link to the caller's pid, followed unless
 * it is the last component and @follow is false. ".." is not served
 * (ENOENT). fd/N is a link the vfs server follows when it is the last. A
 * link that leads out of /proc (<pid>/cwd, exe, root; fd/N with more after
 * it) followed: LEADS_OUT with the link's kind and *rest what follows it
 * (from its slash), for the vfs to look up from the link's target.
 */
static int resolve(const char *path, int caller, bool follow, enum kind *kind, int *pid, int *fd,
		   const char **rest)
{
	*kind = K_ROOT;
	*pid = 0;
	*fd = -1;
	while (*path) {
		const char *end = strchr(path, '/');
		size_t len = end ? (size_t)(end - path) : strlen(path);
		const char *next = path + len;
		while (*next == '/')
			next++;
		bool last = !*next;
		if (len == 0 || (len == 1 && path[0] == '.')) {
			/* "" or ".": here */
		} else if (*kind == K_ROOT) {
			if (len == 4 && !memcmp(path, "self", 4)) {
				if (last && !follow && !end) {
					*kind = K_SELF;
				} else {
					if (!caller || !proc_find(caller))
						return -ENOENT;
					*kind = K_PID;
					*pid = caller;
				}
			} else if (len == 7 && !memcmp(path, "meminfo", 7)) {
				*kind = K_MEMINFO;
			} else if (len == 6 && !memcmp(path, "uptime", 6)) {
				*kind = K_UPTIME;
			} else if (len == 4 && !memcmp(path, "stat", 4)) {
				*kind = K_SYSSTAT;
			} else if (len == 7 && !memcmp(path, "loadavg", 7)) {
				*kind = K_LOADAVG;
			} else if ((*pid = pid_of(path, len))) {
				*kind = K_PID;
			} else {
				return -ENOENT;
			}
		} else if (*kind == K_PID) {
			if (len == 4 && !memcmp(path, "stat", 4))
				*kind = K_STAT;
			else if (len == 7 && !memcmp(path, "cmdline", 7))
				*kind = K_CMDLINE;
			else if (len == 6 && !memcmp(path, "status", 6))
				*kind = K_STATUS;
			else if (len == 4 && !memcmp(path, "comm", 4))
				*kind = K_COMM;
			else if (len == 2 && !memcmp(path, "fd", 2))
				*kind = K_FDDIR;
			else if (len == 3 && !memcmp(path, "cwd", 3))
				*kind = K_CWD;
			else if (len == 3 && !memcmp(path, "exe", 3))
				*kind = K_EXE;
			else if (len == 4 && !memcmp(path, "root", 4))
				*kind = K_PROOT;
			else
				return -ENOENT;
		} else if (*kind == K_FDDIR) {
			if ((*fd = fd_of(*pid, path, len)) < 0)
				return -ENOENT;
			*kind = K_FD;
		} else {
			return -ENOTDIR;
		}
		if ((leads_out(*kind) || *kind == K_FD) && (end || (follow && *kind != K_FD))) {
			*rest = path + len;
			return LEADS_OUT;
		}
		if (end && !is_dir(*kind) && *kind != K_SELF)
			return -ENOTDIR;
		path = next;
	}
	return 0;
}

static void stat_of(enum kind k, int pid, int fd, struct vfs_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->dev = PROCFS_DEV;
	st->ino = pid ? (uint64_t)pid << 5 | k : k;	/* kinds below 32, pids below 2^15 */
	if (k == K_FD)
		st->ino |= (uint64_t)(fd + 1) << 20;
	st->mode = k == K_FDDIR	 ? S_IFDIR | 0500
		   : is_dir(k)	 ? S_IFDIR | 0555
		   : k == K_FD	 ? S_IFLNK | 0700
		   : is_link(k)	 ? S_IFLNK | 0777
				 : S_IFREG | 0444;
	st->nlink = is_dir(k) ? 2 : 1;
	st->blksize = 1024;
}

/* ---- contents ---- */

/* The state letter ps shows: the caller is running (it is asking), the others wait. */
static char state_of(const struct proc *p, int caller)
{
	return p->state != PROC_ALIVE ? 'Z' : p->pid == caller ? 'R' : 'S';
}

static const char *state_name(char c)
{
	return c == 'R' ? "running" : c == 'Z' ? "zombie" : "sleeping";
}

/* The command name: what it exec'd, at most 15 bytes (Linux's TASK_COMM_LEN - 1). */
static void comm_of(const struct proc *p, char comm[16])
{
	snprintf(comm, 16, "%s", p->comm);
}

/* The system_info item @what (0 if the kernel does not have it). */
static uint64_t info(uint64_t what)
{
	uint64_t v = 0;

	vr_system_info(what, &v);
	return v;
}

/* Kernel ticks in USER_HZ. */
static unsigned long long clk(uint64_t ticks)
{
	uint64_t hz = info(INFO_TICK_HZ);

	return hz ? (unsigned long long)(ticks * USER_HZ / hz) : 0;
}

static int gen_stat(const struct proc *p, int caller, char *buf, size_t size)
{
	char comm[16];

	comm_of(p, comm);
	/*
	 * proc(5)'s 52 fields: what is not kept is 0 (memory, faults). stime is
	 * the ticks the kernel counted as its own (taken as a system call
	 * returned), utime the rest.
	 */
	uint64_t all = proc_ticks(p), kern = proc_kticks(p);
	return snprintf(buf, size,
			"%d (%s) %c %d %d %d 0 -1 0 0 0 0 0 %llu %llu %llu %llu 20 0 1 0 %llu 0 0 %llu 0 0 0 0 0 "
			"%llu %llu %llu %llu 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 %d\n",
			p->pid, comm, state_of(p, caller), p->ppid, p->pgid, p->sid,
			clk(all > kern ? all - kern : 0), clk(kern),
			clk(p->child_ticks > p->child_kticks ? p->child_ticks - p->child_kticks : 0),
			clk(p->child_kticks), (unsigned long long)(p->start_ns / (1000000000 / USER_HZ)),
			(unsigned long long)-1 >> 1, (unsigned long long)p->sig_pending,
			(unsigned long long)p->sig_blocked, (unsigned long long)p->sig_ignored,
			(unsigned long long)p->sig_handled,
			p->state == PROC_ALIVE ? 0 : p->wstatus);
}

static int gen_status(const struct proc *p, int caller, char *buf, size_t size)
{
	char comm[16], st = state_of(p, caller);

	comm_of(p, comm);
	return snprintf(
	    buf, size,
	    "Name:\t%s\nUmask:\t0022\nState:\t%c (%s)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\n"
	    "PPid:\t%d\nTracerPid:\t0\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nFDSize:\t64\n"
	    "Groups:\t\nThreads:\t1\nSigPnd:\t%016llx\nShdPnd:\t0000000000000000\n"
	    "SigBlk:\t%016llx\nSigIgn:\t%016llx\nSigCgt:\t%016llx\n",
	    comm, st, state_name(st), p->pid, p->pid, p->ppid, p->uid[CRED_REAL], p->uid[CRED_EFF],
	    p->uid[CRED_SAVED], p->uid[CRED_EFF], p->gid[CRED_REAL], p->gid[CRED_EFF], p->gid[CRED_SAVED],
	    p->gid[CRED_EFF], (unsigned long long)p->sig_pending,
	    (unsigned long long)p->sig_blocked, (unsigned long long)p->sig_ignored,
	    (unsigned long long)p->sig_handled);
}

static int gen_meminfo(char *buf, size_t size)
{
	uint64_t total = 0, free_ = 0, page = VR_PAGE;

	vr_system_info(INFO_TOTAL_FRAMES, &total);
	vr_system_info(INFO_FREE_FRAMES, &free_);
	vr_system_info(INFO_PAGE_SIZE, &page);
	unsigned long long kt = total * page / 1024, kf = free_ * page / 1024;
	return snprintf(buf, size,
			"MemTotal:%15llu kB\nMemFree:%16llu kB\nMemAvailable:%11llu kB\n", kt, kf,
			kf);
}

static int gen_uptime(char *buf, size_t size)
{
	uint64_t ns = 0;

	vr_clock_get(&ns);
	unsigned long long idle = clk(info(INFO_IDLE_TICKS));

	/* The second number is the idle time summed over the CPUs. */
	return snprintf(buf, size, "%llu.%02llu %llu.%02llu\n", (unsigned long long)(ns / 1000000000),
			(unsigned long long)(ns / 10000000 % 100), idle / USER_HZ, idle % USER_HZ);
}

/* One "cpu" line of /proc/stat: @name, busy ticks as user time, idle ticks as idle. */
static int cpu_line(char *buf, size_t size, const char *name, uint64_t ticks, uint64_t idle)
{
	return snprintf(buf, size, "%s %llu 0 0 %llu 0 0 0 0 0 0\n", name, clk(ticks - idle), clk(idle));
}

static int gen_sysstat(char *buf, size_t size)
{
	uint64_t ncpus = info(INFO_CPUS), running = info(INFO_ACTIVE);
	int n = cpu_line(buf, size, "cpu ", info(INFO_TICKS), info(INFO_IDLE_TICKS));

	/* Each CPU's: the item with the CPU's index + 1 in its high half. */
	for (uint64_t i = 0; i < ncpus && (size_t)n < size; i++) {
		char name[16];
		snprintf(name, sizeof(name), "cpu%llu", (unsigned long long)i);
		n += cpu_line(buf + n, size - (size_t)n, name, info(INFO_TICKS | (i + 1) << 32),
			      info(INFO_IDLE_TICKS | (i + 1) << 32));
	}
	/* No wall clock: CLOCK_REALTIME counts from boot, so boot was at 0. */
	if ((size_t)n < size)
		n += snprintf(buf + n, size - (size_t)n,
			      "intr 0\nctxt 0\nbtime 0\nprocesses %llu\nprocs_running %llu\n"
			      "procs_blocked 0\n",
			      (unsigned long long)proc_made, (unsigned long long)(running ? running : 1));
	return n;
}

static int gen_loadavg(char *buf, size_t size)
{
	uint64_t l[3] = {info(INFO_LOAD_1), info(INFO_LOAD_5), info(INFO_LOAD_15)};
	unsigned long long running = info(INFO_ACTIVE), threads = info(INFO_THREADS);

	/* Fixed point with 11 fraction bits, as two decimals. */
	for (int i = 0; i < 3; i++)
		l[i] = (l[i] * 100 + 1024) >> 11;
	return snprintf(buf, size, "%llu.%02llu %llu.%02llu %llu.%02llu %llu/%llu %d\n",
			(unsigned long long)l[0] / 100, (unsigned long long)l[0] % 100,
			(unsigned long long)l[1] / 100, (unsigned long long)l[1] % 100,
			(unsigned long long)l[2] / 100, (unsigned long long)l[2] % 100, running ? running : 1,
			threads > running ? threads : running + 1, proc_last_pid);
}

/* The text of file @k of process @pid as the open sees it, in a new buffer. */
static int generate(enum kind k, int pid, int caller, char **text, size_t *len)
{
	const struct proc *p = pid ? proc_find(pid) : NULL;
	size_t size = 1024;
	char *buf;
	int n;

	if (k == K_CMDLINE && p && p->state == PROC_ALIVE)
		size = p->cmdline_len + 1;
	if (k == K_SYSSTAT)
		size = 256 + 64 * info(INFO_CPUS);
	if (!(buf = malloc(size)))
		return -ENOMEM;
	switch (k) {
	case K_STAT: n = p ? gen_stat(p, caller, buf, size) : -ENOENT; break;
	case K_STATUS: n = p ? gen_status(p, caller, buf, size) : -ENOENT; break;
	case K_COMM: n = p ? snprintf(buf, size, "%s\n", p->comm) : -ENOENT; break;
	case K_CMDLINE:
		/* A zombie's is empty, as on Linux. */
		n = !p ? -ENOENT : p->state == PROC_ALIVE ? (int)p->cmdline_len : 0;
		if (n > 0)
			memcpy(buf, p->cmdline, (size_t)n);
		break;
	case K_MEMINFO: n = gen_meminfo(buf, size); break;
	case K_UPTIME: n = gen_uptime(buf, size); break;
	case K_SYSSTAT: n = gen_sysstat(buf, size); break;
	case K_LOADAVG: n = gen_loadavg(buf, size); break;
	default: n = 0; break;
	}
	if (n < 0) {
		free(buf);
		return n;
	}
	*text = buf;
	*len = (size_t)n < size ? (size_t)n : size - 1;
	return 0;
}

/* ---- directories ---- */

/* Appends one linux_dirent64 record at *used; false when it does not fit. */
static bool dirent(char *buf, size_t size, size_t *used, uint64_t ino, uint64_t next,
		   unsigned char type, const char *name)
{
	size_t nl = strlen(name), reclen = (19 + nl + 1 + 7) & ~(size_t)7;

	if (*used + reclen > size)
		return false;
	char *d = buf + *used;
	memset(d, 0, reclen);
	memcpy(d, &ino, 8);
	memcpy(d + 8, &next, 8);
	uint16_t rl = (uint16_t)reclen;
	memcpy(d + 16, &rl, 2);
	d[18] = (char)type;
	memcpy(d + 19, name, nl);
	*used += reclen;
	return true;
}

/* Records of directory @f from position *pos: "." "..", then its entries in a fixed order. */
static long list_dir(const struct pfile *f, uint64_t *pos, char *buf, size_t size)
{
	static const char *const root[] = {".", "..", "self", "meminfo", "uptime", "stat", "loadavg"};
	static const enum kind root_kind[] = {K_ROOT,	 K_ROOT,    K_SELF,   K_MEMINFO,
					      K_UPTIME, K_SYSSTAT, K_LOADAVG};
	static const char *const piddir[] = {".",    "..",   "stat", "cmdline", "status",
					     "comm", "fd",   "cwd",  "exe",	"root"};
	static const enum kind pid_kind[] = {K_PID,  K_ROOT,  K_STAT, K_CMDLINE, K_STATUS,
					     K_COMM, K_FDDIR, K_CWD,  K_EXE,	 K_PROOT};
	static const char *const fddir[] = {".", ".."};
	static const enum kind fd_kind[] = {K_FDDIR, K_PID};
	const char *const *names = f->kind == K_ROOT ? root : f->kind == K_PID ? piddir : fddir;
	const enum kind *kinds = f->kind == K_ROOT ? root_kind : f->kind == K_PID ? pid_kind : fd_kind;
	unsigned fixed = f->kind == K_ROOT ? ROOT_FIXED : f->kind == K_PID ? 10u : 2u;
	size_t used = 0;
	struct vfs_stat st;

	for (;;) {
		uint64_t at = *pos;
		if (at < fixed) {
			enum kind k = kinds[at];
			stat_of(k, k == K_ROOT ? 0 : f->pid, -1, &st);
			if (!dirent(buf, size, &used, st.ino, at + 1,
				    is_dir(k)	    ? DT_DIR
				    : is_link(k) ? DT_LNK
						    : DT_REG,
				    names[at]))
				break;
			*pos = at + 1;
			continue;
		}
		if (f->kind == K_FDDIR) {
			/* Then the open descriptors, as the map says now: position fixed + fd. */
			static uint32_t map[PROC_FDMAP_FDS];
			int fd = (int)(at - fixed);
			fdmap_read(proc_find(f->pid), map);
			while (fd < PROC_FDMAP_FDS && !map[fd])
				fd++;
			if (fd >= PROC_FDMAP_FDS) {
				*pos = fixed + PROC_FDMAP_FDS;
				break;
			}
			char name[12];
			snprintf(name, sizeof(name), "%d", fd);
			stat_of(K_FD, f->pid, fd, &st);
			if (!dirent(buf, size, &used, st.ino, fixed + (uint64_t)fd + 1, DT_LNK, name))
				break;
			*pos = fixed + (uint64_t)fd + 1;
			continue;
		}
		if (f->kind != K_ROOT)
			break;
		/* Then one entry per process: position ROOT_FIXED + pid. */
		int pid = (int)(at - ROOT_FIXED);
		while (pid < PID_MAX && (pid < PID_INIT || !proc_find(pid)))
			pid++;
		if (pid >= PID_MAX) {
			*pos = ROOT_FIXED + PID_MAX;
			break;
		}
		char name[12];
		snprintf(name, sizeof(name), "%d", pid);
		stat_of(K_PID, pid, -1, &st);
		if (!dirent(buf, size, &used, st.ino, ROOT_FIXED + (uint64_t)pid + 1, DT_DIR, name))
			break;
		*pos = ROOT_FIXED + (uint64_t)pid + 1;
	}
	return used || size >= 32 ? (long)used : -EINVAL;
}

/* ---- the requests (main thread) ---- */

/* readlink of /proc/@pid/fd/@fd into @buf (our IPC buffer, where the vfs's answer lands too). */
static long readlink_fd(int pid, int fd, char *buf, size_t *len)
{
	const struct proc *p = proc_find(pid);
	uint32_t w = fd_word(pid, fd);
	long r;

	if (!p || !w)
		return -ENOENT;
	if (w & PROC_FDMAP_CONSOLE)
		r = snprintf(buf, VFS_IO_MAX, "anon_inode:[console]");
	else if ((r = vfs_fd_path(p->session, w - 1)) < 0)
		return r == -EBADF ? -ENOENT : r;	/* closed since (or a map that lies) */
	*len = (size_t)r;
	return r;
}

/*
 * The target of link @k (K_FD, K_CWD, K_EXE, K_PROOT) of @pid into @buf (our
 * IPC buffer): its length (no NUL), or -errno. A zombie has none (ENOENT).
 */
static long link_target(enum kind k, int pid, int fd, char *buf)
{
	const struct proc *p = proc_find(pid);
	size_t len;
	long r;

	if (k == K_FD)
		return readlink_fd(pid, fd, buf, &len);
	if (!p || p->state != PROC_ALIVE)
		return -ENOENT;
	if (k == K_PROOT)
		return snprintf(buf, VFS_IO_MAX, "/");
	if (k == K_EXE)
		return p->exe ? snprintf(buf, VFS_IO_MAX, "%s", p->exe) : -ENOENT;
	/* The working directory is the vfs's: as getcwd says it (its length counts the NUL). */
	r = vfs_session_cwd(p->session);
	return r <= 0 ? -ENOENT : r - 1;
}

/*
 * The path went through link @k (of @pid) that leads out of /proc, with
 * @rest after it: the vfs looks up the link's target followed by @rest
 * instead (VFS_REMOTE_FOLLOW), the new path in @buf.
 */
static long leave(enum kind k, int pid, int fd, const char *rest, char *buf, size_t *len)
{
	long n = link_target(k, pid, fd, buf);
	size_t more = strlen(rest);

	if (n < 0)
		return n;
	if (!n || buf[0] != '/')
		return -ENOTDIR;	/* "pipe:[12]/x" */
	if ((size_t)n + more + 1 > VFS_IO_MAX)
		return -ENAMETOOLONG;
	memcpy(buf + n, rest, more + 1);
	*len = (size_t)n + more + 1;
	return VFS_REMOTE_FOLLOW;
}

static struct pfile *file_of(uint64_t handle)
{
	return handle && handle <= PROCFS_FILES_MAX && files[handle - 1].kind ? &files[handle - 1]
									      : NULL;
}

/*
 * Where a directory of kind @k (of @pid) is in /proc, "self" followed: the
 * vfs keeps it for getcwd and for paths relative to it (proto/vfs.h,
 * VFS_OPEN's answer). Into @buf; its length with the NUL, or 0 for others.
 */
static size_t where(enum kind k, int pid, char *buf)
{
	if (k == K_ROOT)
		return 0;	/* "" is the mount itself: nothing to say */
	if (k == K_PID)
		return (size_t)snprintf(buf, VFS_IO_MAX, "%d", pid) + 1;
	if (k == K_FDDIR)
		return (size_t)snprintf(buf, VFS_IO_MAX, "%d/fd", pid) + 1;
	return 0;
}

static long do_open(const char *path, int flags, int caller, uint64_t out[3], char *buf, size_t *len)
{
	enum kind k;
	int pid, fd, err, acc = flags & O_ACCMODE;
	const char *rest;
	size_t i;

	if ((err = resolve(path, caller, !(flags & O_NOFOLLOW), &k, &pid, &fd, &rest)) == LEADS_OUT)
		return leave(k, pid, fd, rest, buf, len);
	if (err)
		return (flags & O_CREAT) && err == -ENOENT ? -EACCES : err;
	if ((flags & O_CREAT) && (flags & O_EXCL))
		return -EEXIST;
	if (is_link(k) && (k != K_FD || (flags & O_NOFOLLOW)))
		return -ELOOP;
	if (k == K_FD) {
		/*
		 * The vfs opens again what the descriptor holds, as the caller
		 * may (VFS_REMOTE_REOPEN names an id of the caller's own session,
		 * so only the caller's own descriptors: another's are EACCES).
		 */
		uint32_t w = fd_word(pid, fd);
		if (pid != caller)
			return -EACCES;
		if (!w || (w & PROC_FDMAP_CONSOLE))
			return -ENXIO;
		out[0] = w - 1;
		return VFS_REMOTE_REOPEN;
	}
	if ((flags & O_DIRECTORY) && !is_dir(k))
		return -ENOTDIR;
	if (acc != O_RDONLY)
		return is_dir(k) ? -EISDIR : -EACCES;
	for (i = 0; i < PROCFS_FILES_MAX && files[i].kind; i++)
		;
	if (i == PROCFS_FILES_MAX)
		return -ENFILE;
	struct pfile *f = &files[i];
	*f = (struct pfile){.kind = k, .pid = pid, .fd = fd};
	if (!is_dir(k) && (err = generate(k, pid, caller, &f->text, &f->len))) {
		f->kind = 0;
		return err;
	}
	out[0] = i + 1;
	out[1] = is_dir(k) ? S_IFDIR : S_IFREG;
	out[2] = POLLIN | POLLOUT;
	*len = where(k, pid, buf);
	return 0;
}

/*
 * A forwarded request: m[1] op | flags << 32, m[2] handle, m[3] a, m[4] b,
 * m[5] the caller's pid; the long part (a path, or a write's data) in our
 * IPC buffer. Answers with m[2 .. 4] = x1 .. x3 and *len bytes in the buffer.
 */
int64_t op_procfs(uint64_t m[8], size_t *len)
{
	char *buf = px_ipc_buffer(), path[VFS_IO_MAX];
	size_t in = px_reply_len(m[0]);
	uint32_t op = (uint32_t)m[1];
	int caller = (int)m[5];
	uint64_t handle = m[2], a = m[3], b = m[4], x[3] = {0, 0, 0};
	struct pfile *f = file_of(handle);
	struct vfs_stat st;
	enum kind k;
	int pid;
	const char *rest;
	long r;

	*len = 0;
	if (!buf || in > VFS_IO_MAX)
		return -EINVAL;
	int fd;

	if (op == VFS_OPEN || op == VFS_STATAT || op == VFS_READLINK || op == VFS_ACCESS) {
		/* A path: copied out, since the answer is built in the same buffer. */
		if (!in || buf[in - 1] || strlen(buf) != in - 1)
			return -EINVAL;
		memcpy(path, buf, in);
	} else if (!f && op != VFS_CLOSE) {
		return -EBADF;
	}
	switch (op) {
	case VFS_OPEN: r = do_open(path, (int)a, caller, x, buf, len); break;
	case VFS_STATAT:
		/* fd/N followed is the link itself here: its file's attributes are the vfs's. */
		r = resolve(path, caller, !(a & AT_SYMLINK_NOFOLLOW), &k, &pid, &fd, &rest);
		if (r == LEADS_OUT) {
			r = leave(k, pid, fd, rest, buf, len);
		} else if (!r) {
			stat_of(k, pid, fd, &st);
			memcpy(buf, &st, sizeof(st));
			*len = sizeof(st);
		}
		break;
	case VFS_READLINK:
		r = resolve(path, caller, false, &k, &pid, &fd, &rest);
		if (r == LEADS_OUT)
			r = leave(k, pid, fd, rest, buf, len);
		else if (!r && !is_link(k))
			r = -EINVAL;
		else if (!r && k == K_SELF)
			r = snprintf(buf, VFS_IO_MAX, "%d", caller), *len = (size_t)r;
		else if (!r && (r = link_target(k, pid, fd, buf)) >= 0)
			*len = (size_t)r;
		break;
	case VFS_ACCESS:
		r = resolve(path, caller, true, &k, &pid, &fd, &rest);
		if (r == LEADS_OUT)
			r = leave(k, pid, fd, rest, buf, len);
		else if (!r && ((a & W_OK) || ((a & X_OK) && !is_dir(k))))
			r = -EACCES;
		break;
	case VFS_READ:
		if (is_dir(f->kind)) {
			r = -EISDIR;
			break;
		}
		r = 0;
		if (b < f->len) {
			r = (long)(f->len - b < a ? f->len - b : a);
			memcpy(buf, f->text + b, (size_t)r);
			*len = (size_t)r;
		}
		break;
	case VFS_WRITE: r = -EBADF; break;
	case VFS_STAT:
		stat_of(f->kind, f->pid, f->fd, &st);
		memcpy(buf, &st, sizeof(st));
		*len = sizeof(st);
		r = 0;
		break;
	case VFS_GETDENTS:
		if (!is_dir(f->kind)) {
			r = -ENOTDIR;
			break;
		}
		x[0] = b;
		r = list_dir(f, &x[0], buf, a < VFS_IO_MAX ? a : VFS_IO_MAX);
		if (r > 0)
			*len = (size_t)r;
		break;
	case VFS_IOCTL: r = -ENOTTY; break;
	case VFS_MMAP: r = -ENODEV; break;
	case VFS_CLOSE:
		if (f) {
			free(f->text);
			*f = (struct pfile){0};
		}
		r = 0;
		break;
	default: r = -EINVAL; break;
	}
	m[2] = x[0], m[3] = x[1], m[4] = x[2];
	return r;
}

/* ---- the pump thread ---- */

static void *pump(void *arg)
{
	uint64_t r[8];
	char *buf = px_ipc_buffer();

	(void)arg;
	if (!buf)
		return NULL;
	for (;;) {
		const uint64_t next[2] = {fs_mount, 0};
		long op = px_call(fs_session, VFS_REMOTE_NEXT, next, 2, NULL, 0, r);
		if (op < 0) {
			/* The vfs server or our mount is gone: nothing more will come. */
			fprintf(stderr, "proc: /proc is no longer served (%ld)\n", op);
			return NULL;
		}
		uint64_t tag = r[2];
		const uint64_t w[6] = {r[1], r[3], r[4], r[5], r[6], r[7]};
		px_call(proc_ep, PROC_FS, w, 6, buf, px_reply_len(r[0]), r);
		if (!tag)
			continue; /* a close: not answered */
		const uint64_t ans[6] = {fs_mount, tag, r[1], r[2], r[3], r[4]};
		px_call(fs_session, VFS_REMOTE_ANSWER, ans, 6, buf, px_reply_len(r[0]), r);
	}
}

int procfs_start(void)
{
	uint64_t session, r[8];
	pthread_attr_t attr;
	pthread_t t;
	int err;

	if ((err = (int)vfs_session_new(0, PID_INIT, NULL, NULL, 0, &session, &fs_session)))
		return err;
	long n =
	    px_call(fs_session, VFS_REMOTE_MOUNT, (const uint64_t[]){VFS_AT_CWD}, 1, "/proc", 6, r);
	if (n < 0)
		return (int)n;
	/* The capability for answers with a VMO: /proc has none to give. */
	unsigned words = r[0] & 15, caps = (r[0] >> 4) & 3;
	if (caps == 1 && words >= 2)
		vr_handle_close(r[words]);
	fs_mount = (uint64_t)n;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, PUMP_STACK);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&t, &attr, pump, NULL);
	pthread_attr_destroy(&attr);
	return -err;
}

void proc_set_exe(struct proc *p, const char *path)
{
	char *e = path[0] ? strdup(path) : NULL;

	if (!path[0] || e) {
		free(p->exe);
		p->exe = e;
	}
}

void proc_set_cmdline(struct proc *p, const char *const *argv, const char *name)
{
	const char *slash = strrchr(name, '/');
	size_t len = 0;

	snprintf(p->comm, sizeof(p->comm), "%s", slash ? slash + 1 : name);

	for (size_t i = 0; argv && argv[i]; i++)
		len += strlen(argv[i]) + 1;
	char *c = malloc(len + 1);
	if (!c)
		return; /* the old one stays */
	len = 0;
	for (size_t i = 0; argv && argv[i]; i++) {
		size_t l = strlen(argv[i]) + 1;
		memcpy(c + len, argv[i], l);
		len += l;
	}
	c[len] = 0;
	free(p->cmdline);
	p->cmdline = c;
	p->cmdline_len = len;
}
