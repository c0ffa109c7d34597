/*
 * posix_spawn and posix_spawnp: one PROC_SPAWN request to the proc server
 * (proto/proc.h) carrying the path, argv, envp, the descriptors the child
 * may inherit, the file actions and the attributes; the server does the
 * rest. Errors come back as error numbers, as POSIX says. execve is the
 * same request without actions or attributes (PROC_EXECVE).
 */
#include <errno.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>

#include "fd.h"
#include "ipc.h"
#include "posix.h"
#include "spawn_actions.h"

/* Appends @n bytes of @p at *at in the request @buf (PROC_SPAWN_MAX bytes); false when full. */
static bool put(char *buf, size_t *at, const void *p, size_t n)
{
	if (n > PROC_SPAWN_MAX - *at)
		return false;
	memcpy(buf + *at, p, n);
	*at += n;
	return true;
}

static bool put_strings(char *buf, size_t *at, char *const v[], uint32_t *n)
{
	for (*n = 0; v && v[*n]; (*n)++)
		if (!put(buf, at, v[*n], strlen(v[*n]) + 1))
			return false;
	return true;
}

/* Builds the request in @buf (the IPC buffer); returns its length, or 0 when it does not fit. */
static size_t encode(char *buf, const char *path, const struct px_spawn_actions *acts,
		     const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	struct proc_spawn h = {0};
	size_t at = sizeof(h);
	unsigned nacts = acts ? acts->n : 0;
	int nfds = px_fd_list((struct proc_fd *)(buf + at),
			      (int)((PROC_SPAWN_MAX - at) / sizeof(struct proc_fd)));

	if (nfds < 0)
		return 0;
	at += (size_t)nfds * sizeof(struct proc_fd);
	for (unsigned i = 0; i < nacts; i++)
		if (!put(buf, &at, &acts->v[i].a, sizeof(acts->v[i].a)))
			return 0;
	if (!put(buf, &at, path, strlen(path) + 1) || !put_strings(buf, &at, argv, &h.argc) ||
	    !put_strings(buf, &at, envp, &h.envc))
		return 0;
	for (unsigned i = 0; i < nacts; i++)
		if (acts->v[i].path && !put(buf, &at, acts->v[i].path, strlen(acts->v[i].path) + 1))
			return 0;
	h.nfds = (uint32_t)nfds;
	h.nactions = nacts;
	if (attr) {
		h.flags = (uint32_t)attr->__flags;
		h.pgroup = attr->__pgrp;
		memcpy(&h.sigmask, &attr->__mask, sizeof(h.sigmask));
		memcpy(&h.sigdefault, &attr->__def, sizeof(h.sigdefault));
	}
	memcpy(buf, &h, sizeof(h));
	return at;
}

int posix_spawn(pid_t *restrict pid, const char *restrict path,
		const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *restrict attr,
		char *const argv[restrict], char *const envp[restrict])
{
	char *buf = px_ipc_buffer();
	uint64_t r[8];

	if (!px_proc)
		return ENOSYS;
	if (!buf)
		return ENOMEM;
	size_t len = encode(buf, path, fa ? fa->__actions : NULL, attr, argv, envp);
	if (!len)
		return E2BIG;
	long got = px_call(px_proc, PROC_SPAWN, NULL, 0, buf, len, r);
	if (got < 0)
		return (int)-got;
	if (pid)
		*pid = (pid_t)got;
	return 0;
}

long px_execve(const long *args)
{
	char *buf = px_ipc_buffer();
	uint64_t r[8];

	if (!px_proc)
		return -ENOSYS;
	if (!buf)
		return -ENOMEM;
	size_t len = encode(buf, (const char *)args[0], NULL, NULL, (char *const *)args[1],
			    (char *const *)args[2]);
	if (!len)
		return -E2BIG;
	long err = px_call(px_proc, PROC_EXECVE, NULL, 0, buf, len, r);
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
