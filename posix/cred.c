/*
 * User and group ids: the proc server keeps each process's real, effective
 * and saved ids and enforces the rules for changing them (PROC_CRED,
 * proc/cred.c); here they are asked for once and kept, since only this
 * process changes them (through this layer) and its children start with
 * them. No supplementary groups: getgroups gives none, setgroups is not
 * there (ENOSYS).
 */
#include <errno.h>
#include <string.h>

#include "ipc.h"
#include "posix.h"
#include "proto/proc.h"

/* Real, effective, saved uid, then the same gids; known once asked. */
static uint32_t ids[6];
static int known;

/* PROC_CRED @kind with @a, @b, @c: 0 with ids[] up to date, or -errno. */
static long cred(int kind, long a, long b, long c)
{
	const uint64_t w[4] = {(uint64_t)kind, (uint32_t)a, (uint32_t)b, (uint32_t)c};
	uint64_t r[8];

	if (!px_proc) {
		/* The servers themselves: uid 0, and nothing to change. */
		return kind == PROC_CRED_GET ? 0 : -EPERM;
	}
	long err = px_call(px_proc, PROC_CRED, w, 4, NULL, 0, r);
	if (err < 0)
		return err;
	for (int i = 0; i < 6; i++)
		ids[i] = (uint32_t)r[2 + i];
	__atomic_store_n(&known, 1, __ATOMIC_RELEASE);
	return 0;
}

/* The id @i of ids[] (0 when the server cannot tell). */
static long id(int i)
{
	if (!__atomic_load_n(&known, __ATOMIC_ACQUIRE) && cred(PROC_CRED_GET, 0, 0, 0) < 0)
		return 0;
	return ids[i];
}

long px_getuid(const long *args)
{
	return id(0);
}

long px_geteuid(const long *args)
{
	return id(1);
}

long px_getgid(const long *args)
{
	return id(3);
}

long px_getegid(const long *args)
{
	return id(4);
}

/* getresuid, getresgid: the three ids from ids[@first] out to three pointers. */
static long get_three(const long *args, int first)
{
	for (int i = 0; i < 3; i++)
		if (!args[i])
			return -EFAULT;
	id(0);
	for (int i = 0; i < 3; i++)
		memcpy((void *)args[i], &ids[first + i], sizeof(uint32_t));
	return 0;
}

long px_getresuid(const long *args)
{
	return get_three(args, 0);
}

long px_getresgid(const long *args)
{
	return get_three(args, 3);
}

long px_setuid(const long *args)
{
	return cred(PROC_CRED_UID, args[0], 0, 0);
}

long px_setgid(const long *args)
{
	return cred(PROC_CRED_GID, args[0], 0, 0);
}

long px_setreuid(const long *args)
{
	return cred(PROC_CRED_REUID, args[0], args[1], 0);
}

long px_setregid(const long *args)
{
	return cred(PROC_CRED_REGID, args[0], args[1], 0);
}

long px_setresuid(const long *args)
{
	return cred(PROC_CRED_RESUID, args[0], args[1], args[2]);
}

long px_setresgid(const long *args)
{
	return cred(PROC_CRED_RESGID, args[0], args[1], args[2]);
}

long px_getgroups(const long *args)
{
	return args[0] < 0 ? -EINVAL : 0;
}
