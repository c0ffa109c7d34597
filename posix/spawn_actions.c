/*
 * posix_spawn_file_actions_*: libposix's own (musl's are removed by the
 * port), so that the list is ours to encode into a PROC_SPAWN request
 * (spawn.c). Each returns 0 or an error number, as POSIX says.
 */
#include <errno.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>

#include "fd.h"
#include "spawn_actions.h"

int posix_spawn_file_actions_init(posix_spawn_file_actions_t *fa)
{
	fa->__actions = NULL;
	return 0;
}

int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *fa)
{
	struct px_spawn_actions *l = fa->__actions;

	for (unsigned i = 0; l && i < l->n; i++)
		free(l->v[i].path);
	free(l);
	fa->__actions = NULL;
	return 0;
}

/* Appends @a (taking @path, which may be NULL) to @fa's list. */
static int add(posix_spawn_file_actions_t *fa, struct proc_action a, char *path)
{
	struct px_spawn_actions *l = fa->__actions;

	if (!l || l->n == l->cap) {
		unsigned cap = l ? 2 * l->cap : 4;
		struct px_spawn_actions *more = realloc(l, sizeof(*l) + cap * sizeof(l->v[0]));
		if (!more) {
			free(path);
			return ENOMEM;
		}
		if (!l)
			more->n = 0;
		more->cap = cap;
		fa->__actions = l = more;
	}
	l->v[l->n++] = (struct px_spawn_action){a, path};
	return 0;
}

static bool fd_ok(int fd)
{
	return fd >= 0 && fd < PX_FD_MAX;
}

int posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *restrict fa, int fd,
				     const char *restrict path, int oflag, mode_t mode)
{
	char *copy;

	if (!fd_ok(fd))
		return EBADF;
	if (!(copy = strdup(path)))
		return ENOMEM;
	return add(fa, (struct proc_action){PROC_ACT_OPEN, -1, fd, (uint32_t)oflag, mode & 07777}, copy);
}

int posix_spawn_file_actions_addclose(posix_spawn_file_actions_t *fa, int fd)
{
	return fd_ok(fd) ? add(fa, (struct proc_action){PROC_ACT_CLOSE, fd, -1, 0, 0}, NULL) : EBADF;
}

int posix_spawn_file_actions_adddup2(posix_spawn_file_actions_t *fa, int fd, int newfd)
{
	if (!fd_ok(fd) || !fd_ok(newfd))
		return EBADF;
	return add(fa, (struct proc_action){PROC_ACT_DUP2, fd, newfd, 0, 0}, NULL);
}

int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *restrict fa,
					 const char *restrict path)
{
	char *copy = strdup(path);

	return copy ? add(fa, (struct proc_action){PROC_ACT_CHDIR, -1, -1, 0, 0}, copy) : ENOMEM;
}

int posix_spawn_file_actions_addfchdir_np(posix_spawn_file_actions_t *fa, int fd)
{
	return fd_ok(fd) ? add(fa, (struct proc_action){PROC_ACT_FCHDIR, fd, -1, 0, 0}, NULL) : EBADF;
}
