/* What file.c and names.c share: vfs calls from the translation layer. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* px_call to this process's vfs session (-ENOENT without one); @len bytes of the IPC buffer go along. */
long px_vfs_call(uint32_t op, const uint64_t *w, unsigned nw, size_t len, uint64_t r[8]);
/*
 * Where @path leads after the symbolic links of remote trees on it that lead
 * out of them (/proc/self/exe): the number of such turns, the last path into
 * @out (VFS_IO_MAX bytes) when there was one, or -errno (ELOOP after
 * VFS_FOLLOW_MAX).
 */
long px_vfs_follow(const char *path, char *out);

/* In a forked child: the copied data buffer is the parent's (its session's); the next large transfer makes one. */
void px_vfs_buffer_forked(void);

/* Closes vfs id @id; a signal does not stop the request (px_call_sure). */
void px_vfs_close(uint64_t id);

/* The vfs directory id for @dirfd (AT_FDCWD or an absolute @copied_path: VFS_AT_CWD). */
long px_dir_id(long dirfd, const char *copied_path, uint64_t *id);

/* The file-creation mask (umask); a spawned or exec'd program starts with its parent's. */
unsigned px_umask(void);
void px_umask_set(unsigned mask);
