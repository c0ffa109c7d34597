/*
 * PROC_SPAWN: posix_spawn's work. decode() checks the whole request and may
 * fail without changing anything; then the program is fetched (as the
 * parent's session), the child's session is made sharing the parent's
 * descriptors, the file actions run in that session (so their errors come
 * back to posix_spawn, and the child starts with its final descriptors),
 * and the child starts with its pid, capabilities and descriptors, and
 * copies of the native handles the request carried (whose parents we keep
 * until its end: proc_drop_given).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "fd.h"
#include "ipc.h"
#include "proc.h"
#include "proto/vfs.h"
#include "vr_spawn.h"

#define SPAWN_FLAGS                                                                          \
	(POSIX_SPAWN_RESETIDS | POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |              \
	 POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSCHEDPARAM | POSIX_SPAWN_SETSCHEDULER |     \
	 POSIX_SPAWN_USEVFORK | POSIX_SPAWN_SETSID | PROC_SPAWN_INIT)
#define SPAWN_FDS_MAX (VFS_IO_MAX / 8)	/* the ids VFS_SESSION_NEW shares in one request */
#define SPAWN_ACTIONS_MAX 256
#define NO_ID UINT64_MAX
#define HANDLE_RIGHTS (((uint64_t)VR_RIGHT_MANAGE << 1) - 1)	/* every right there is */

/* A request, decoded: pointers into the copy of the message. */
struct spawn_req {
	const struct proc_spawn *h;
	const struct proc_fd *fds;
	const struct proc_action *actions;
	const char *path;
	const char **argv, **envp;	/* NULL-terminated */
	const char **action_paths;	/* [nactions]: OPEN's and CHDIR's, else NULL */
};

/* The child's descriptors while its file actions run: fd -> id in its session. */
struct child_fds {
	uint64_t id[PX_FD_MAX];
	bool cloexec[PX_FD_MAX];
	handle_t session;	/* the child's session capability */
};

/* The request being decoded: small[] for one from the IPC buffer, else a copy of its VMO's. */
static _Alignas(8) char small[PROC_SPAWN_MAX];
static char *request;
static char exe_path[VFS_IO_MAX];	/* the program's absolute path, as vfs_exec_image found it */
static struct child_fds child;
_Static_assert(PROC_SPAWN_HANDLES == VR_SPAWN_HANDLES_MAX, "the layer's limit is the protocol's");

/*
 * The handles for the child: its stage's, then those the request's message
 * carried (ours: closed after each request, unless a child took them).
 */
static handle_t given[PROC_SPAWN_HANDLES + 3];
static unsigned ngiven;

/* Handles a process sent ahead of its spawn request (proto/proc.h, PROC_SPAWN_STAGE). */
struct stage {
	struct stage *next;
	uint32_t id;
	unsigned n;
	handle_t h[PROC_SPAWN_HANDLES];
};

static void req_finish(struct spawn_req *r)
{
	free(r->argv);
	free(r->action_paths);
}

/* The next NUL-terminated string at *at before @end, or NULL. */
static const char *next_string(const char **at, const char *end)
{
	const char *s = *at, *nul = memchr(s, 0, (size_t)(end - s));

	if (!nul)
		return NULL;
	*at = nul + 1;
	return s;
}

static bool action_ok(const struct proc_action *a)
{
	bool fd_ok = a->fd >= 0 && a->fd < PX_FD_MAX, newfd_ok = a->newfd >= 0 && a->newfd < PX_FD_MAX;

	switch (a->kind) {
	case PROC_ACT_OPEN: return newfd_ok && !(a->mode & ~07777u);
	case PROC_ACT_CLOSE:
	case PROC_ACT_SETCTTY:
	case PROC_ACT_FCHDIR: return fd_ok;
	case PROC_ACT_DUP2: return fd_ok && newfd_ok;
	case PROC_ACT_CHDIR: return true;
	default: return false;
	}
}

/* Checks the @len bytes of request[] and fills @r; -EINVAL for anything malformed. */
static int decode(size_t len, struct spawn_req *r)
{
	const struct proc_spawn *h = (const void *)request;
	const char *end = request + len;

	*r = (struct spawn_req){.h = h};
	if (len < sizeof(*h) || len > PROC_SPAWN_BIG || (h->flags & ~(uint32_t)SPAWN_FLAGS) ||
	    h->nfds > SPAWN_FDS_MAX || h->nactions > SPAWN_ACTIONS_MAX || h->argc > len ||
	    h->envc > len || (h->name_arg && h->name_arg >= h->argc) || (h->umask & ~0777u) ||
	    h->nhandles != ngiven || h->nhandles > PROC_SPAWN_HANDLES)
		return -EINVAL;
	for (uint32_t i = 0; i < h->nhandles; i++)
		if (h->handle_rights[i] & ~HANDLE_RIGHTS)
			return -EINVAL;
	size_t fixed = sizeof(*h) + h->nfds * sizeof(struct proc_fd) +
		       h->nactions * sizeof(struct proc_action);
	if (fixed > len || ((h->flags & POSIX_SPAWN_SETPGROUP) && h->pgroup < 0))
		return -EINVAL;
	r->fds = (const void *)(request + sizeof(*h));
	r->actions = (const void *)(r->fds + h->nfds);
	for (uint32_t i = 0; i < h->nfds; i++)
		if (r->fds[i].fd < 0 || r->fds[i].fd >= PX_FD_MAX ||
		    (i && r->fds[i].fd <= r->fds[i - 1].fd) || (r->fds[i].fd_flags & ~FD_CLOEXEC) ||
		    r->fds[i].vfs_id == NO_ID)
			return -EINVAL;
	for (uint32_t i = 0; i < h->nactions; i++)
		if (!action_ok(&r->actions[i]))
			return -EINVAL;
	r->argv = calloc(h->argc + h->envc + 2, sizeof(char *));
	r->action_paths = calloc(h->nactions + 1, sizeof(char *));
	if (!r->argv || !r->action_paths)
		return -ENOMEM;
	r->envp = r->argv + h->argc + 1;
	const char *at = request + fixed;
	bool ok = (r->path = next_string(&at, end)) && r->path[0];
	for (uint32_t i = 0; ok && i < h->argc; i++)
		ok = (r->argv[i] = next_string(&at, end));
	for (uint32_t i = 0; ok && i < h->envc; i++)
		ok = (r->envp[i] = next_string(&at, end));
	for (uint32_t i = 0; ok && i < h->nactions; i++)
		if (r->actions[i].kind == PROC_ACT_OPEN || r->actions[i].kind == PROC_ACT_CHDIR)
			ok = (r->action_paths[i] = next_string(&at, end));
	return ok && at == end ? 0 : -EINVAL;
}

/* Whether the parent's descriptor @i goes to the child's session (it may be used before exec). */
static bool shared(const struct spawn_req *r, uint32_t i)
{
	if (!(r->fds[i].fd_flags & FD_CLOEXEC))
		return true;
	for (uint32_t a = 0; a < r->h->nactions; a++)
		if ((r->actions[a].kind == PROC_ACT_DUP2 || r->actions[a].kind == PROC_ACT_FCHDIR) &&
		    r->actions[a].fd == r->fds[i].fd)
			return true;
	return false;
}

static long child_call(uint32_t op, const uint64_t *w, unsigned nw, const char *path)
{
	uint64_t r[8];

	return px_call(child.session, op, w, nw, path, path ? strlen(path) + 1 : 0, r);
}

/* Drops the child's @fd; its id is closed when no other descriptor has it. */
static void child_close(int fd)
{
	uint64_t id = child.id[fd];

	if (id == NO_ID)
		return;
	child.id[fd] = NO_ID;
	for (int i = 0; i < PX_FD_MAX; i++)
		if (child.id[i] == id)
			return;
	child_call(VFS_CLOSE, &id, 1, NULL);
}

static int run_action(const struct proc_action *a, const char *path)
{
	uint64_t w[3];
	long id;

	switch (a->kind) {
	case PROC_ACT_OPEN:
		w[0] = VFS_AT_CWD, w[1] = a->oflag, w[2] = a->mode;
		if ((id = child_call(VFS_OPEN, w, 3, path)) < 0)
			return (int)id;
		child_close(a->newfd);
		child.id[a->newfd] = (uint64_t)id;
		child.cloexec[a->newfd] = a->oflag & O_CLOEXEC;
		return 0;
	case PROC_ACT_CLOSE:
		child_close(a->fd);	/* closing a closed descriptor is no error, as in musl */
		return 0;
	case PROC_ACT_DUP2:
		if (child.id[a->fd] == NO_ID)
			return -EBADF;
		if (a->fd != a->newfd) {
			child_close(a->newfd);
			child.id[a->newfd] = child.id[a->fd];
		}
		child.cloexec[a->newfd] = false;
		return 0;
	case PROC_ACT_CHDIR:
		w[0] = VFS_AT_CWD;
		return (int)child_call(VFS_CHDIR, w, 1, path);
	case PROC_ACT_FCHDIR:
		if ((w[0] = child.id[a->fd]) == NO_ID)
			return -EBADF;
		return (int)child_call(VFS_CHDIR, w, 1, "");
	case PROC_ACT_SETCTTY:
		if ((w[0] = child.id[a->fd]) == NO_ID)
			return -EBADF;
		w[1] = TIOCSCTTY, w[2] = 1;	/* 1: taken over from an earlier shell's session */
		return (int)child_call(VFS_IOCTL, w, 3, NULL);
	}
	return -EINVAL;
}

/*
 * Makes the child's session (*session, child.session) from @parent's with
 * the descriptors it inherits, and runs the file actions in it.
 */
static int child_session(const struct spawn_req *r, const struct proc *parent, int pid, int sid,
			 int pgid, uint64_t *session)
{
	static uint64_t ids[SPAWN_FDS_MAX];
	unsigned n = 0;
	int err;

	for (int i = 0; i < PX_FD_MAX; i++)
		child.id[i] = NO_ID, child.cloexec[i] = false;
	/* The parent's ids once each; dup'd descriptors share one. */
	for (uint32_t i = 0; i < r->h->nfds; i++) {
		unsigned k = 0;
		while (k < n && ids[k] != r->fds[i].vfs_id)
			k++;
		if (shared(r, i) && k == n)
			ids[n++] = r->fds[i].vfs_id;
	}
	static uint64_t parent_ids[SPAWN_FDS_MAX];
	memcpy(parent_ids, ids, n * sizeof(*ids));
	if ((err = (int)vfs_session_new(parent->session, pid, (const uint32_t[2]){parent->uid[CRED_EFF], parent->gid[CRED_EFF]},
				      ids, n, session, &child.session)))
		return err;
	/* The session id first: a new session's leader opening a terminal in an action takes it (Linux). */
	err = (int)vfs_session_sid(*session, sid, pgid);
	if (err > 0)
		err = 0;
	for (uint32_t i = 0; i < r->h->nfds; i++)
		for (unsigned k = 0; k < n; k++)
			if (parent_ids[k] == r->fds[i].vfs_id && shared(r, i)) {
				child.id[r->fds[i].fd] = ids[k];
				child.cloexec[r->fds[i].fd] = r->fds[i].fd_flags & FD_CLOEXEC;
			}
	for (uint32_t a = 0; !err && a < r->h->nactions; a++)
		err = run_action(&r->actions[a], r->action_paths[a]);
	for (int i = 0; !err && i < PX_FD_MAX; i++)
		if (child.cloexec[i])
			child_close(i);
	if (err) {
		vfs_session_end(*session);
		vr_handle_close(child.session);
	}
	return err;
}

/* The start block (proto/proc.h) for a child @pid with the descriptors in child.id. */
static void *start_block(uint64_t pid, const struct proc_spawn *h, size_t *len)
{
	uint32_t n = 0;

	for (int i = 0; i < PX_FD_MAX; i++)
		n += child.id[i] != NO_ID;
	struct proc_start *s = malloc(sizeof(*s) + n * sizeof(struct proc_fd));
	if (!s)
		return NULL;
	*s = (struct proc_start){.pid = pid,
				 .sigmask = h->sigmask & ~SIG_FIXED,
				 .sigignore = h->sigignore & ~SIG_FIXED,
				 .nfds = n,
				 .umask = h->umask};
	struct proc_fd *fds = (struct proc_fd *)(s + 1);
	for (int i = 0, k = 0; i < PX_FD_MAX; i++)
		if (child.id[i] != NO_ID)
			fds[k++] = (struct proc_fd){.fd = i, .vfs_id = child.id[i]};
	*len = sizeof(*s) + n * sizeof(struct proc_fd);
	return s;
}

/* The child's group and session: checked before anything is made. */
static int child_ids(const struct spawn_req *r, const struct proc *parent, int pid, int *pgid,
		     int *sid)
{
	uint32_t flags = r->h->flags;

	/* The root task's children each start a session, as after a login. */
	*sid = parent == proc_root ? pid : parent->sid;
	*pgid = parent == proc_root ? pid : parent->pgid;
	if (flags & POSIX_SPAWN_SETSID)
		*sid = *pgid = pid;
	if (!(flags & POSIX_SPAWN_SETPGROUP))
		return 0;
	/* As setpgid in the child: a session leader cannot move; the group must be in its session. */
	if (*sid == pid)
		return -EPERM;
	if (r->h->pgroup && !proc_group_in_session(r->h->pgroup, *sid))
		return -EPERM;
	*pgid = r->h->pgroup ? r->h->pgroup : pid;
	return 0;
}

/* vr_exec_with's before_start: faults of the new program come to us. */
static int64_t set_handler(handle_t process, void *pid)
{
	return proc_set_handler(process, (int)(intptr_t)pid);
}

/*
 * The dynamic linker @img names (PT_INTERP), looked up as @session: *interp
 * gets its image, or a VMO of 0 for a program without one.
 */
static int64_t open_interp(uint64_t session, const struct vr_image *img, struct vr_image *interp)
{
	char path[256];
	int64_t n = vr_image_interp(img, path, sizeof(path));

	interp->vmo = 0;
	if (n <= 0)
		return n == -EINVAL ? -ENOEXEC : n;
	return vfs_exec_image(session, path, &interp->vmo, &interp->size, NULL);
}

/*
 * Starts the program in @img, with its dynamic linker @interp if that has a
 * VMO, as @c (c->pid): mints c->cap and sets c->process.
 */
static int64_t start(const struct spawn_req *r, struct proc *c, const struct vr_image *img,
		     const struct vr_image *interp)
{
	size_t len;
	void *block = start_block((uint64_t)c->pid, r->h, &len);
	int64_t err = block ? vr_endpoint_mint(proc_ep, (uint64_t)c->pid,
					    VR_RIGHT_SEND | VR_RIGHT_GRANT | VR_RIGHT_DUPLICATE |
						    VR_RIGHT_TRANSFER,
					    &c->cap)
			    : -ENOMEM;

	/* Its descriptor map: without one, /proc/<pid>/fd is empty, nothing worse. */
	handle_t fdmap = 0;
	if (!err && vr_vmo_create(PROC_FDMAP_SIZE, 0, &fdmap))
		fdmap = 0;
	/* What it says until the program changes a descriptor (then its layer maps it). */
	if (fdmap)
		proc_fdmap_fill(fdmap, (const struct proc_fd *)((const struct proc_start *)block + 1),
				((const struct proc_start *)block)->nfds);
	if (!err) {
		struct vr_exec_handle handles[3 + PROC_SPAWN_HANDLES] = {
			/* GRANT: a long spawn or execve request carries a VMO, PROC_THREAD a thread. */
			{VR_AT_PROC, c->cap, VR_RIGHT_SEND | VR_RIGHT_GRANT},
			{VR_AT_VFS, child.session, VR_RIGHT_SEND},
			{VR_AT_FDMAP, fdmap, VR_RIGHT_READ | VR_RIGHT_WRITE | VR_RIGHT_MAP},
		};
		uint32_t n = fdmap ? 3 : 2;

		/* The caller's handles: copies, as vr_exec_with gives each (a failed start frees them). */
		for (uint32_t i = 0; i < r->h->nhandles; i++)
			handles[n++] = (struct vr_exec_handle){VR_AT_HANDLE + i, given[i],
							       r->h->handle_rights[i]};
		const struct vr_exec_args args = {
			.argv = r->argv,
			.envp = r->envp,
			.handles = handles,
			.nhandles = n,
			.blob = block,
			.blob_len = len,
			.blob_key = VR_AT_START,
			.interp = interp->vmo ? interp : NULL,
			.before_start = set_handler,
			.before_start_arg = (void *)(intptr_t)c->pid,
			.thread = &c->thread,
		};
		err = vr_exec_with(img, &args, &c->process);
	}
	if (!err)
		c->fdmap = fdmap;
	else if (fdmap)
		vr_handle_close(fdmap);
	free(block);
	/* A program the loader cannot read is not an executable. */
	return err == -EINVAL ? -ENOEXEC : err == -ERANGE ? -E2BIG : err;
}

static int64_t spawn(const struct spawn_req *r, struct proc *parent)
{
	struct vr_image img, interp = {0};
	bool as_init = r->h->flags & PROC_SPAWN_INIT;
	int pid = as_init ? PID_INIT : proc_pid_alloc(), pgid, sid;
	uint64_t session;
	int64_t err;

	/* Only the root task starts init, and only while pid 1 is the server's. */
	if (as_init &&
	    (parent != proc_root || !proc_is_server(proc_init) || proc_init->state != PROC_ALIVE))
		return -EPERM;
	if (!pid)
		return -EAGAIN;
	if ((err = child_ids(r, parent, pid, &pgid, &sid)))
		return err;
	if ((err = vfs_exec_image(parent->session, r->path, &img.vmo, &img.size, exe_path)))
		return err;
	if ((err = open_interp(parent->session, &img, &interp)))
		goto err_image;
	if ((err = child_session(r, parent, pid, sid, pgid, &session)))
		goto err_image;
	/* Init takes over pid 1's struct, which the server kept for it. */
	struct proc *c = as_init ? proc_init : proc_create(pid, parent);
	if (!c) {
		err = -ENOMEM;
		goto err_session;
	}
	c->pgid = pgid, c->sid = sid, c->session = session;
	c->execed = true;
	c->sig_blocked = r->h->sigmask & ~SIG_FIXED;
	c->sig_ignored = r->h->sigignore & ~SIG_FIXED;
	proc_set_cmdline(c, r->argv, r->h->name_arg ? r->argv[r->h->name_arg] : r->path);
	proc_set_exe(c, exe_path);
	if ((err = start(r, c, &img, &interp)))
		goto err_proc;
	vr_handle_close(child.session);
	vr_handle_close(img.vmo);
	if (interp.vmo)
		vr_handle_close(interp.vmo);
	/* Its handles' parents stay with us until its end (proc_drop_given). */
	memcpy(c->given, given, sizeof(given));
	c->ngiven = ngiven;
	ngiven = 0;
	if ((err = proc_watch(c))) {
		/* Without a watcher nobody would see it go: end it now, and it is gone. */
		proc_end(c, SIGKILL);
		c->gone = true;
		if (c->state == PROC_REAPED)
			proc_destroy(c);
		return err;
	}
	return pid;

err_proc:
	if (c->cap) {
		vr_handle_revoke(c->cap);
		vr_handle_close(c->cap);
		c->cap = 0;
	}
	proc_destroy(c);	/* for init: pid 1 is the server's again */
err_session:
	vfs_session_end(session);
	vr_handle_close(child.session);
err_image:
	vr_handle_close(img.vmo);
	if (interp.vmo)
		vr_handle_close(interp.vmo);
	return err;
}

/*
 * Copies the request of message @m to request[]: from the IPC buffer, or
 * from the VMO it carries (PROC_SPAWN_BIG). Its length, or -errno.
 */
static int64_t take(const uint64_t m[8])
{
	unsigned words = m[0] & 15, caps = (m[0] >> 4) & 3;
	size_t len = px_reply_len(m[0]);
	bool big = !len && caps;	/* the long form: w1 its length, w2 its VMO */
	uint64_t size;

	request = small;
	/* The handles for the child are the message's last capabilities: ours until we close them. */
	ngiven = 0;
	for (unsigned i = big; i < caps && i < words; i++)
		given[ngiven++] = m[1 + words - caps + i];
	if (words != (big ? 1u : 0u) + caps) {
		if (big)
			vr_handle_close(m[1 + words - caps]);
		return -EINVAL;
	}
	if (!big) {
		/* Copied first: calls to the vfs server reuse the IPC buffer. */
		if (len > sizeof(small) || !px_ipc_buffer())
			return -EINVAL;
		memcpy(small, px_ipc_buffer(), len);
		return (int64_t)len;
	}
	handle_t vmo = m[2];
	len = m[1];
	int64_t err = len > PROC_SPAWN_BIG ? -E2BIG : len <= PROC_SPAWN_MAX ? -EINVAL : vr_vmo_size(vmo, &size);
	if (!err && size < len)
		err = -EINVAL;
	if (!err && !(request = malloc(len)))
		err = -ENOMEM;
	/* Not a VMO, or one we may not read: malformed. */
	if (!err && vr_vmo_read(vmo, request, 0, len))
		err = -EINVAL;
	vr_handle_close(vmo);
	return err ? err : (int64_t)len;
}

/* Takes @p's stage @id off its list: NULL if it has none such. */
static struct stage *stage_take(struct proc *p, uint32_t id)
{
	for (struct stage **at = &p->stages; *at; at = &(*at)->next) {
		struct stage *st = *at;
		if (st->id == id) {
			*at = st->next;
			return st;
		}
	}
	return NULL;
}

static void stage_free(struct stage *st)
{
	while (st && st->n)
		vr_handle_close(st->h[--st->n]);
	free(st);
}

/*
 * Puts the handles of the caller's stage that request[] names before those
 * of its message in given[]; the stage is used up whatever happens.
 */
static int use_stage(struct proc *caller, size_t len)
{
	const struct proc_spawn *h = (const void *)request;

	if (len < sizeof(*h) || !h->stage)
		return 0;
	struct stage *st = stage_take(caller, h->stage);
	if (!st)
		return -EINVAL;
	if (st->n + ngiven > sizeof(given) / sizeof(given[0])) {
		stage_free(st);
		return -EINVAL;
	}
	memmove(given + st->n, given, ngiven * sizeof(given[0]));
	memcpy(given, st->h, st->n * sizeof(given[0]));
	ngiven += st->n;
	st->n = 0;
	stage_free(st);
	return 0;
}

/* Decodes the request in message @m and runs @fn on it for @caller. */
static int64_t with_request(struct proc *caller, const uint64_t m[8],
			    int64_t (*fn)(const struct spawn_req *, struct proc *))
{
	int64_t len = take(m), err = len < 0 ? len : 0;
	struct spawn_req r = {0};

	if (!err)
		err = use_stage(caller, (size_t)len);
	if (!err)
		err = decode((size_t)len, &r);
	if (!err)
		err = fn(&r, caller);
	req_finish(&r);
	if (request != small)
		free(request);
	/* Those of a child that started are its struct's now (proc_drop_given); the rest go. */
	while (ngiven)
		vr_handle_close(given[--ngiven]);
	return err;
}

void proc_drop_given(struct proc *p)
{
	while (p->ngiven) {
		handle_t h = p->given[--p->ngiven];
		vr_handle_revoke(h);
		vr_handle_close(h);
	}
	while (p->stages)
		stage_free(stage_take(p, p->stages->id));
}

/* A stage message (proto/proc.h, PROC_SPAWN_STAGE): handles appended to a stage, or a stage dropped. */
static int64_t op_stage(struct proc *caller, const uint64_t m[8])
{
	unsigned words = m[0] & 15, caps = (m[0] >> 4) & 3, nstages = 0;
	const handle_t *h = &m[1 + words - caps];
	uint32_t id = (uint32_t)m[2];
	struct stage *st = NULL;
	int64_t err = 0;

	for (struct stage *s = caller->stages; s; s = s->next)
		nstages++;
	if (words != 2 + caps || m[2] > UINT32_MAX)
		err = -EINVAL;
	else if (id && !(st = stage_take(caller, id)))
		err = -EINVAL;
	else if (!caps && !id)
		err = -EINVAL;
	else if (!id && nstages >= PROC_SPAWN_STAGES)
		err = -EAGAIN;
	else if (!id && !(st = calloc(1, sizeof(*st))))
		err = -ENOMEM;
	if (err || !caps) {
		/* A drop, or a bad message: the stage (if any) and the handles go. */
		stage_free(st);
		for (unsigned i = 0; i < caps && i < words; i++)
			vr_handle_close(h[i]);
		return err;
	}
	if (st->n + caps > PROC_SPAWN_HANDLES) {
		stage_free(st);
		for (unsigned i = 0; i < caps; i++)
			vr_handle_close(h[i]);
		return -E2BIG;
	}
	if (!st->id) {
		if (!++caller->stage_ids)
			caller->stage_ids = 1;
		st->id = caller->stage_ids;
	}
	for (unsigned i = 0; i < caps; i++)
		st->h[st->n++] = h[i];
	st->next = caller->stages;
	caller->stages = st;
	return st->id;
}

int64_t op_spawn(struct proc *caller, uint64_t m[8])
{
	if (!px_reply_len(m[0]) && (m[0] & 15) >= 2 && m[1] == PROC_SPAWN_STAGE)
		return op_stage(caller, m);
	return with_request(caller, m, spawn);
}

/*
 * PROC_EXECVE: the new program runs in a new kernel process that takes over
 * the caller's pid, parent, group, session and children; the old process
 * is killed without its parent hearing of it (its watcher's report is
 * recognised by the old process handle and dropped). Until the new program
 * is started nothing of the caller changes, so every error returns to it.
 */
static int64_t execve(const struct spawn_req *r, struct proc *p)
{
	struct vr_image img, interp = {0};
	struct proc next = {.pid = p->pid};
	uint64_t session;
	int64_t err;

	if (r->h->nactions || r->h->flags || r->h->nhandles)
		return -EINVAL;
	if ((err = vfs_exec_image(p->session, r->path, &img.vmo, &img.size, exe_path)))
		return err;
	if ((err = open_interp(p->session, &img, &interp)))
		goto err_image;
	if ((err = child_session(r, p, p->pid, p->sid, p->pgid, &session)))
		goto err_image;
	if ((err = start(r, &next, &img, &interp)))
		goto err_session;
	vr_handle_close(child.session);
	vr_handle_close(img.vmo);
	if (interp.vmo)
		vr_handle_close(interp.vmo);
	/* The old program goes (with the handles it was given); its handle stays open for its watcher's report. */
	handle_t old = p->process;
	vr_process_kill(old, 0);
	proc_drop_given(p);
	vr_handle_revoke(p->cap);
	vr_handle_close(p->cap);
	vfs_session_end(p->session);
	while (p->waiters) {
		struct waiter *w = p->waiters;
		p->waiters = w->next;
		vr_handle_close(w->reply);
		free(w);
	}
	/* The new program keeps the mask and the ignored signals, the rest at default (proto/proc.h). */
	proc_sig_drop(p);
	p->sig_handled = p->sig_pending = p->sig_onstack = 0;
	p->sig_blocked = r->h->sigmask & ~SIG_FIXED;
	p->sig_ignored = r->h->sigignore & ~SIG_FIXED;
	p->sig_entry = 0;
	p->nocldstop = false;
	p->execed = true;
	if (p->thread)
		vr_handle_close(p->thread);
	p->thread = next.thread;
	/* Linux's times go on across exec: the old program's ticks are kept. */
	p->ticks_before = proc_ticks(p);
	p->kticks_before = proc_kticks(p);
	p->process = next.process;
	p->cap = next.cap;
	p->session = session;
	p->fork_self = p->fork_vfs = p->fork_fdmap = 0;
	proc_fdmap_drop(p);
	p->fdmap = next.fdmap;
	proc_set_cmdline(p, r->argv, r->h->name_arg ? r->argv[r->h->name_arg] : r->path);
	proc_set_exe(p, exe_path);
	if ((err = proc_watch(p))) {
		proc_end(p, SIGKILL);
		return NO_REPLY;
	}
	return NO_REPLY;

err_session:
	if (next.fdmap)
		vr_handle_close(next.fdmap);
	if (next.cap) {
		vr_handle_revoke(next.cap);
		vr_handle_close(next.cap);
	}
	vfs_session_end(session);
	vr_handle_close(child.session);
err_image:
	vr_handle_close(img.vmo);
	if (interp.vmo)
		vr_handle_close(interp.vmo);
	return err;
}

int64_t op_execve(struct proc *caller, uint64_t m[8])
{
	return with_request(caller, m, execve);
}
