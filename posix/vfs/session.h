/*
 * Sessions: what one POSIX process holds at the vfs server (proto/vfs.h):
 * its table of ids (small numbers -> open files), its working directory and
 * its credentials. The ids of one session mean nothing in another.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "../proto/vfs.h"
#include "file.h"
#include "fs.h"

#define SESSION_IDS_MAX 1024	/* ids one session may hold (EMFILE beyond) */

struct session {
	uint64_t number;	/* the badge of its capability */
	uint64_t pid;		/* as the proc server said at VFS_SESSION_NEW (0: not told) */
	int32_t sid;		/* the POSIX session it is in (VFS_SESSION_SID, inherited; 0: not told) */
	int32_t pgid;		/* and its process group (the same; 0: not told) */
	struct cred cred;
	struct node *cwd;	/* referenced; with rcwd, rcwd's mounted directory */
	struct file *rcwd;	/* a remote directory (FILE_REMOTE) as the working directory, referenced; or NULL */
	struct file **ids;	/* ids[i]: the file of id i, or NULL */
	uint32_t nids;		/* slots allocated */
	uint64_t bufs[VFS_BUFS_MAX];	/* data buffer n + 1: the server's mapping of it (buf.c), 0: none */
	struct append *appends;	/* O_APPEND writes its threads are filling in (append.c) */
	struct session *next;
};

/* The session numbered @number, or NULL. */
struct session *session_find(uint64_t number);

/* A new session at @cwd (referenced) with @cred; NULL without memory. */
struct session *session_create(const struct cred *cred, struct node *cwd);

/* A new session with @parent's working directory, credentials and every id (the same numbers, the same open files); NULL without memory. */
struct session *session_fork(const struct session *parent);

/* Whether a session other than @except belongs to process @pid (an exec's new program). */
bool session_of_pid(uint64_t pid, const struct session *except);

/* Whether some session of POSIX session @sid (0: any) is in process group @pgid. */
bool session_group_exists(int32_t sid, int32_t pgid);

/*
 * Makes @cwd (and @rcwd, a remote directory below it, or NULL) @s's working
 * directory, referencing them and dropping the old ones.
 */
void session_chdir(struct session *s, struct node *cwd, struct file *rcwd);

/* Closes every id of @s and forgets it. */
void session_destroy(struct session *s);

/* Gives @f (whose reference the session takes) the lowest free id; returns it or -EMFILE/-ENOMEM. */
int64_t session_add(struct session *s, struct file *f);

/* The file of id @id, or NULL. */
struct file *session_file(struct session *s, uint64_t id);

/* The owner of the record locks (F_SETLK) @s's process takes: its pid, or the session while none is told. */
uint64_t session_lock_owner(const struct session *s);

/* Closes id @id: 0 or -EBADF. */
int session_close(struct session *s, uint64_t id);
