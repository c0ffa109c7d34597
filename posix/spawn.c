/*
 * posix_spawn and posix_spawnp: one PROC_SPAWN request to the proc server
 * (proto/proc.h) carrying the path, argv, envp, the descriptors the child
 * may inherit, the file actions and the attributes; the server does the
 * rest. Errors come back as error numbers, as POSIX says. execve is the
 * same request without actions or attributes (PROC_EXECVE). A request that
 * does not fit the IPC buffer (a large environment) goes in a VMO instead,
 * up to PROC_SPAWN_BIG bytes. Native handles set with vr_spawnattr_sethandles
 * (spawn_handles.c) travel as the request's capabilities (up to two), or
 * (more) are sent ahead in a stage the request names (proto/proc.h,
 * PROC_SPAWN_STAGE).
 * A script ("#!interpreter [argument]" on its first line), which the server
 * cannot load (ENOEXEC), is run as Linux's execve runs it: the same request
 * again for the interpreter, with argv interpreter, [argument,] path, argv[1]...
 * and the script's path as the command name (name_arg).
 * A path that reaches a remote tree (/proc/self/exe), which the vfs cannot
 * ask its owner about for the server (EREMOTE), is looked up here, where the
 * owner's links that lead out of the tree are followed (px_vfs_follow), and
 * the request is sent again with where it led.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <veridian/vr.h>

#include "fd.h"
#include "file.h"
#include "ipc.h"
#include "posix.h"
#include "proto/vfs.h"
#include "spawn_actions.h"

/* Appends @n bytes of @p at *at in the request @buf (@max bytes); false when full. */
static bool put(char *buf, size_t max, size_t *at, const void *p, size_t n)
{
	if (n > max - *at)
		return false;
	memcpy(buf + *at, p, n);
	*at += n;
	return true;
}

static bool put_strings(char *buf, size_t max, size_t *at, char *const v[], uint32_t *n)
{
	for (*n = 0; v && v[*n]; (*n)++)
		if (!put(buf, max, at, v[*n], strlen(v[*n]) + 1))
			return false;
	return true;
}

/* Builds the request in @buf (@max bytes); returns its length, or 0 when it does not fit. */
static size_t encode(char *buf, size_t max, const char *path, const struct px_spawn_actions *acts,
		     const posix_spawnattr_t *attr, const struct px_spawn_handles *hs,
		     char *const argv[], char *const envp[], uint32_t name_arg)
{
	struct proc_spawn h = {.name_arg = name_arg, .umask = px_umask(), .nhandles = hs->n,
			       .stage = hs->stage};
	size_t at = sizeof(h);
	unsigned nacts = acts ? acts->n : 0;
	int nfds = px_fd_list((struct proc_fd *)(buf + at), (int)((max - at) / sizeof(struct proc_fd)));

	if (nfds < 0)
		return 0;
	at += (size_t)nfds * sizeof(struct proc_fd);
	for (unsigned i = 0; i < nacts; i++)
		if (!put(buf, max, &at, &acts->v[i].a, sizeof(acts->v[i].a)))
			return 0;
	if (!put(buf, max, &at, path, strlen(path) + 1) || !put_strings(buf, max, &at, argv, &h.argc) ||
	    !put_strings(buf, max, &at, envp, &h.envc))
		return 0;
	for (unsigned i = 0; i < nacts; i++)
		if (acts->v[i].path && !put(buf, max, &at, acts->v[i].path, strlen(acts->v[i].path) + 1))
			return 0;
	h.nfds = (uint32_t)nfds;
	h.nactions = nacts;
	/* The program keeps the caller's mask and ignored signals, unless the attributes say. */
	h.sigmask = px_sig_blocked();
	h.sigignore = px_sig_ignored();
	if (attr) {
		h.flags = (uint32_t)attr->__flags;
		h.pgroup = attr->__pgrp;
		memcpy(&h.sigdefault, &attr->__def, sizeof(h.sigdefault));
		if (h.flags & POSIX_SPAWN_SETSIGMASK)
			memcpy(&h.sigmask, &attr->__mask, sizeof(h.sigmask));
		if (h.flags & POSIX_SPAWN_SETSIGDEF)
			h.sigignore &= ~h.sigdefault;
	}
	for (unsigned i = 0; i < hs->n; i++)
		h.handle_rights[i] = hs->h[i].rights;
	memcpy(buf, &h, sizeof(h));
	return at;
}

/*
 * One PROC_SPAWN or PROC_EXECVE request (label), for @path with @argv and what
 * @sp holds; the command name is argv[@name_arg]'s (0: path's).
 */
struct spawn_call {
	uint32_t op;
	const struct px_spawn_actions *acts;
	const posix_spawnattr_t *attr;
	char *const *envp;
	struct px_spawn_handles hs;	/* the attribute's native handles */
};

#define MSG_HANDLES 2	/* handles a request's message carries; more go in a stage */

/* The handles the request's message carries itself: none when they were staged. */
static unsigned msg_handles(const struct spawn_call *sp)
{
	return sp->hs.stage ? 0 : sp->hs.n;
}

/* Drops stage @stage at the proc server (the request that was to use it never got there). */
static void stage_drop(uint32_t stage)
{
	uint64_t m[8] = {VR_TAG(PROC_SPAWN, 2), PROC_SPAWN_STAGE, stage};

	while (vr_ipc_call(px_proc, m) == -EINTR)
		m[0] = VR_TAG(PROC_SPAWN, 2), m[1] = PROC_SPAWN_STAGE, m[2] = stage;
}

/*
 * Sends @hs's handles to the proc server ahead of the request, three a
 * message, into a new stage: hs->stage. On an error the stage is dropped:
 * the server keeps none of them.
 */
static long stage_handles(struct px_spawn_handles *hs)
{
	uint64_t m[8];
	long err = 0;

	hs->stage = 0;
	for (unsigned i = 0; !err && i < hs->n; i += 3) {
		unsigned k = hs->n - i < 3 ? hs->n - i : 3;
		do {
			/* -EINTR: still queued, never seen (the server holds no stage message). */
			memset(m, 0, sizeof(m));
			m[0] = VR_TAG(PROC_SPAWN, 2 + k) | VR_TAG_CAPS(k);
			m[1] = PROC_SPAWN_STAGE;
			m[2] = hs->stage;
			for (unsigned j = 0; j < k; j++)
				m[3 + j] = hs->h[i + j].handle;
			err = vr_ipc_call(px_proc, m);
		} while (err == -EINTR);
		if (!err)
			err = (long)m[1];
		if (err > 0)
			hs->stage = (uint32_t)err, err = 0;
	}
	if (err && hs->stage)
		stage_drop(hs->stage);
	if (err)
		hs->stage = 0;
	return err == -EPIPE ? -EIO : err;
}

/* Sends @m, whose last capabilities are @sp's message handles, to the proc server: its answer or -errno. */
static long call_with_handles(const struct spawn_call *sp, uint64_t m[8])
{
	unsigned words = m[0] & 15, n = msg_handles(sp);

	for (unsigned i = 0; i < n; i++)
		m[1 + words - n + i] = sp->hs.h[i].handle;
	long err = vr_ipc_call(px_proc, m);
	if (err == -EINTR)
		px_kernel_eintr = 1;
	/* Not delivered: the server never used the stage. */
	if (err < 0 && sp->hs.stage)
		stage_drop(sp->hs.stage);
	if (err < 0)
		return err == -EPIPE ? -EIO : err;
	return (long)m[1];
}

/* The request too long for the IPC buffer, in a VMO (proto/proc.h, PROC_SPAWN_BIG). */
static long call_big(const struct spawn_call *sp, const char *path, char *const argv[],
		     uint32_t name_arg)
{
	char *buf = malloc(PROC_SPAWN_BIG);
	handle_t vmo;
	uint64_t m[8];
	long err = buf ? 0 : -ENOMEM;
	size_t len = buf ? encode(buf, PROC_SPAWN_BIG, path, sp->acts, sp->attr, &sp->hs, argv,
				  sp->envp, name_arg)
			 : 0;

	if (len && !(err = vr_vmo_create(len, 0, &vmo)) && (err = vr_vmo_write(vmo, buf, 0, len)))
		vr_handle_close(vmo);
	free(buf);
	if (!len || err) {
		/* Never sent: its stage is of no use. */
		if (sp->hs.stage)
			stage_drop(sp->hs.stage);
		return err == -ENOMEM ? -ENOMEM : -E2BIG;
	}
	/* The server gets its own handle (copied, not moved): ours is closed whatever happens. */
	m[0] = VR_TAG(sp->op, 2 + msg_handles(sp)) | VR_TAG_CAPS(1 + msg_handles(sp));
	m[1] = len;
	m[2] = vmo;
	for (int i = 3; i < 8; i++)
		m[i] = 0;
	err = call_with_handles(sp, m);
	vr_handle_close(vmo);
	return err;
}

static long call(const struct spawn_call *req, const char *path, char *const argv[],
		 uint32_t name_arg)
{
	struct spawn_call staged = *req, *sp = &staged;
	char *buf = px_ipc_buffer();
	uint64_t r[8];
	long err;

	if (!px_proc)
		return -ENOSYS;
	if (!buf)
		return -ENOMEM;
	if (!*path)
		return -ENOENT;
	/* Staged first: the request's header names the stage. */
	if (sp->hs.n > MSG_HANDLES && (err = stage_handles(&sp->hs)))
		return err;
	size_t len = encode(buf, PROC_SPAWN_MAX, path, sp->acts, sp->attr, &sp->hs, argv, sp->envp,
			    name_arg);
	if (len && !sp->hs.n)
		return px_call(px_proc, sp->op, NULL, 0, buf, len, r);
	if (!len)
		return call_big(sp, path, argv, name_arg);
	r[0] = VR_TAG(sp->op, msg_handles(sp)) | VR_TAG_CAPS(msg_handles(sp)) | VR_TAG_LONG(len);
	return call_with_handles(sp, r);
}

/*
 * call() for a @path that reached a remote tree: again with where its links
 * out of the tree lead, at most VFS_FOLLOW_MAX times (then ELOOP). A path in
 * such a tree with no link out names none of the vfs's files: EACCES, as
 * Linux's execve of a file that is not executable.
 */
static long call_remote(const struct spawn_call *sp, const char *path, char *const argv[],
			uint32_t name_arg)
{
	char *to = malloc(VFS_IO_MAX);
	long err = -EREMOTE;

	if (!to)
		return -ENOMEM;
	for (int turns = 0; err == -EREMOTE; turns++) {
		long hops = turns == VFS_FOLLOW_MAX ? -ELOOP : px_vfs_follow(path, to);
		if (hops <= 0) {
			err = hops ? hops : -EACCES;
			break;
		}
		path = to;
		err = call(sp, path, argv, name_arg);
	}
	free(to);
	return err;
}

#define SHEBANG_MAX 256	/* bytes of a script's first line, as Linux's BINPRM_BUF_SIZE */
#define SHEBANG_DEPTH 4	/* interpreters that are scripts themselves, then ELOOP */

/*
 * The first line of the script @path, "#!interpreter [argument]", into @line:
 * sets *interp and *arg (NULL without one; the rest of the line is one
 * argument, as on Linux). False if @path is no such script.
 */
static bool shebang(const char *path, char line[SHEBANG_MAX], char **interp, char **arg)
{
	int saved = errno, fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, line, SHEBANG_MAX - 1);

	if (fd >= 0)
		close(fd);
	errno = saved;
	if (n < 2 || line[0] != '#' || line[1] != '!')
		return false;
	line[n] = 0;
	char *end = strchr(line, '\n');
	if (!end && n == SHEBANG_MAX - 1)
		return false;
	if (end)
		*end = 0;
	char *p = line + 2;
	p += strspn(p, " \t");
	if (!*p)
		return false;
	*interp = p;
	p += strcspn(p, " \t");
	*arg = NULL;
	if (*p) {
		*p++ = 0;
		p += strspn(p, " \t");
		size_t len = strlen(p);
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			p[--len] = 0;
		if (len)
			*arg = p;
	}
	return true;
}

/*
 * The request for @path; for a script, the request for its interpreter (see
 * the top). argv[@name_arg] is the first script's path (0: none yet).
 */
static long call_script(const struct spawn_call *sp, const char *path, char *const argv[],
			uint32_t name_arg, int depth)
{
	char line[SHEBANG_MAX], *interp, *arg;
	long err = call(sp, path, argv, name_arg);
	size_t argc = 0, k = 0;

	if (err == -EREMOTE)
		err = call_remote(sp, path, argv, name_arg);

	if (err != -ENOEXEC || !shebang(path, line, &interp, &arg))
		return err;
	if (depth == SHEBANG_DEPTH)
		return -ELOOP;
	while (argv && argv[argc])
		argc++;
	/* A request holds PROC_SPAWN_BIG bytes: argv has fewer strings than that. */
	if (argc > PROC_SPAWN_BIG)
		return -E2BIG;
	char **nargv = malloc((argc + 3) * sizeof(char *));
	if (!nargv)
		return -ENOMEM;
	nargv[k++] = interp;
	if (arg)
		nargv[k++] = arg;
	nargv[k++] = (char *)path;
	for (size_t i = 1; i < argc; i++)
		nargv[k++] = argv[i];
	nargv[k] = NULL;
	/* The first script's path: here at k_path, or argv's entry moved along with argv[1]... */
	uint32_t at = arg ? 2 : 1;
	err = call_script(sp, interp, nargv, name_arg ? name_arg + at : at, depth + 1);
	free(nargv);
	return err;
}

/*
 * Checks the attribute's handles before anything is sent, for a clear error
 * (the kernel refuses them the same way): EBADF for one that is no handle,
 * EACCES for one without TRANSFER and DUPLICATE (it can be given only as a
 * copy).
 */
static int handles_ok(const struct px_spawn_handles *hs)
{
	uint64_t info;

	for (unsigned i = 0; i < hs->n; i++) {
		if (vr_handle_info(hs->h[i].handle, &info))
			return EBADF;
		uint64_t need = VR_RIGHT_TRANSFER | VR_RIGHT_DUPLICATE;
		if (((info >> 32) & need) != need)
			return EACCES;
	}
	return 0;
}

int posix_spawn(pid_t *restrict pid, const char *restrict path,
		const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *restrict attr,
		char *const argv[restrict], char *const envp[restrict])
{
	struct spawn_call sp = {PROC_SPAWN, fa ? fa->__actions : NULL, attr, envp, {0}};
	int err = px_spawn_handles(attr, &sp.hs);

	if (!err)
		err = handles_ok(&sp.hs);
	if (err)
		return err;
	long got = call_script(&sp, path, argv, 0, 0);
	if (got < 0)
		return (int)-got;
	/* Moved: the child has its copy. */
	for (unsigned i = 0; i < sp.hs.n; i++)
		if (sp.hs.h[i].flags & VR_SPAWN_MOVE)
			vr_handle_close(sp.hs.h[i].handle);
	if (pid)
		*pid = (pid_t)got;
	return 0;
}

long px_execve(const long *args)
{
	const struct spawn_call sp = {PROC_EXECVE, NULL, NULL, (char *const *)args[2], {0}};
	long err = call_script(&sp, (const char *)args[0], (char *const *)args[1], 0, 0);

	/* Success is never answered: this process is gone by then. */
	return err < 0 ? err : -EIO;
}

/* Tries @file in each directory of $PATH, as execvp does: the first that is not ENOENT counts. */
int posix_spawnp(pid_t *restrict pid, const char *restrict file,
		 const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *restrict attr,
		 char *const argv[restrict], char *const envp[restrict])
{
	const char *dirs = getenv("PATH");
	size_t flen = strlen(file);
	int err = ENOENT;
	bool denied = false;

	if (!*file)
		return ENOENT;
	if (strchr(file, '/'))
		return posix_spawn(pid, file, fa, attr, argv, envp);
	if (!dirs)
		dirs = "/usr/local/bin:/bin:/usr/bin";
	for (const char *d = dirs;; d++) {
		const char *end = strchrnul(d, ':');
		size_t dlen = (size_t)(end - d);
		if (dlen + flen + 2 > PROC_SPAWN_MAX) {
			err = ENAMETOOLONG;
			break;
		}
		char path[dlen + flen + 2];
		memcpy(path, d, dlen);
		path[dlen] = '/';
		memcpy(path + dlen + (dlen > 0), file, flen + 1);
		err = posix_spawn(pid, path, fa, attr, argv, envp);
		if (err == EACCES)
			denied = true;
		else if (err != ENOENT && err != ENOTDIR)
			return err;
		if (!*end)
			break;
		d = end;
	}
	return denied ? EACCES : err == ENOTDIR ? ENOENT : err;
}
