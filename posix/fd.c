/*
 * The descriptor table (fd.h): fd -> struct px_file, with FD_CLOEXEC per
 * descriptor. One lock guards the table; server calls (closing an id) are
 * made after it is dropped.
 */
#include <fcntl.h>
#include <stdlib.h>

#include "fd.h"
#include "ipc.h"
#include "posix.h"
#include "proto/proc.h"
#include "proto/vfs.h"

handle_t px_vfs;

static struct slot {
	struct px_file *file;
	bool cloexec;
} table[PX_FD_MAX];
static int lock;

static void table_lock(void)
{
	while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE))
		vr_thread_yield();
}

static void table_unlock(void)
{
	__atomic_store_n(&lock, 0, __ATOMIC_RELEASE);
}

void px_fd_forked(void)
{
	lock = 0;
}

struct px_file *px_fd_file(int fd)
{
	if (fd < 0 || fd >= PX_FD_MAX)
		return NULL;
	return __atomic_load_n(&table[fd].file, __ATOMIC_ACQUIRE);
}

/*
 * Up to SPARES freed px_files are kept for the next ones (the table lock
 * guards them): an open and its close then cost no malloc and free.
 */
#define SPARES 16
static struct px_file *spares[SPARES];
static unsigned nspares;

static struct px_file *file_alloc(void)
{
	table_lock();
	struct px_file *f = nspares ? spares[--nspares] : NULL;
	table_unlock();
	return f ? f : malloc(sizeof(*f));
}

static void file_free(struct px_file *f)
{
	table_lock();
	bool kept = nspares < SPARES;
	if (kept)
		spares[nspares++] = f;
	table_unlock();
	if (!kept)
		free(f);
}

/* Drops a reference to @f; the last one closes its id at the server. */
static void file_put(struct px_file *f)
{
	if (!f || __atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL))
		return;
	if (f->kind == PX_FILE_VFS && px_vfs) {
		uint64_t r[8], w = f->id;
		px_call_sure(px_vfs, VFS_CLOSE, &w, 1, r);
	}
	file_free(f);
}

/* The lowest free fd >= @min, or -EMFILE. Caller holds the lock. */
static int lowest_free(int min)
{
	for (int fd = min; fd < PX_FD_MAX; fd++)
		if (!table[fd].file)
			return fd;
	return -EMFILE;
}

int px_fd_new(enum px_file_kind kind, uint64_t id, uint32_t type, int min, bool cloexec)
{
	struct px_file *f = file_alloc();

	if (!f)
		return -ENOMEM;
	*f = (struct px_file){.kind = kind, .refs = 1, .id = id, .type = type};
	table_lock();
	int fd = lowest_free(min < 0 ? 0 : min);
	if (fd >= 0)
		table[fd] = (struct slot){f, cloexec};
	table_unlock();
	if (fd < 0)
		file_free(f);
	return fd;
}

int px_fd_dup(int fd, int min, bool exact, bool cloexec)
{
	struct px_file *old = NULL;

	if (min < 0 || min >= PX_FD_MAX)
		return exact ? -EBADF : -EINVAL;
	table_lock();
	struct px_file *f = px_fd_file(fd);
	int nfd = !f ? -EBADF : exact ? min : lowest_free(min);
	if (nfd >= 0) {
		__atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
		old = table[nfd].file;
		table[nfd] = (struct slot){f, cloexec};
	}
	table_unlock();
	file_put(old);
	return nfd;
}

int px_fd_close(int fd)
{
	if (fd < 0 || fd >= PX_FD_MAX)
		return -EBADF;
	table_lock();
	struct px_file *f = table[fd].file;
	table[fd].file = NULL;
	table_unlock();
	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}

int px_fd_get_cloexec(int fd)
{
	if (!px_fd_file(fd))
		return -EBADF;
	return table[fd].cloexec;
}

int px_fd_set_cloexec(int fd, bool on)
{
	if (!px_fd_file(fd))
		return -EBADF;
	table[fd].cloexec = on;
	return 0;
}

int px_fd_list(struct proc_fd *out, int max)
{
	int n = 0;

	table_lock();
	for (int fd = 0; fd < PX_FD_MAX && n < max; fd++) {
		struct px_file *f = table[fd].file;
		if (f && f->kind == PX_FILE_VFS)
			out[n++] = (struct proc_fd){fd, table[fd].cloexec ? FD_CLOEXEC : 0, f->id};
	}
	table_unlock();
	return n;
}

void px_fd_init(const struct proc_fd *fds, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		int fd = fds[i].fd;
		if (fd < 0 || fd >= PX_FD_MAX || table[fd].file)
			continue;
		/* Two inherited fds may name one id: they share one open file. */
		struct px_file *same = NULL;
		for (uint32_t j = 0; j < i && !same; j++)
			if (fds[j].vfs_id == fds[i].vfs_id && px_fd_file(fds[j].fd))
				same = px_fd_file(fds[j].fd);
		if (same) {
			same->refs++;
			table[fd] = (struct slot){same, fds[i].fd_flags & FD_CLOEXEC};
			continue;
		}
		struct px_file *f = malloc(sizeof(*f));
		if (!f)
			continue;
		/* The type is learnt when first needed (px_file_type). */
		*f = (struct px_file){.kind = PX_FILE_VFS, .refs = 1, .id = fds[i].vfs_id};
		table[fd] = (struct slot){f, fds[i].fd_flags & FD_CLOEXEC};
	}
}
