/*
 * The descriptor table (fd.h): fd -> struct px_file, with FD_CLOEXEC per
 * descriptor. One lock guards the table; server calls (closing an id) are
 * made after it is dropped. Every change of a slot is also stored in the
 * descriptor map the proc server reads for /proc/<pid>/fd (proto/proc.h).
 */
#include <fcntl.h>
#include <stdlib.h>

#include "fd.h"
#include "ipc.h"
#include "posix.h"
#include "proto/proc.h"
#include "proto/vfs.h"

_Static_assert(PX_FD_MAX == PROC_FDMAP_FDS, "the descriptor map covers the table");

handle_t px_vfs;

static struct slot {
	struct px_file *file;
	bool cloexec;
} table[PX_FD_MAX];
static int lock;
/*
 * The descriptor map, mapped (NULL: not yet, or none); written under the
 * lock. It is mapped at the first change of a slot after start-up (or after
 * a fork), not before: until then the server's own copy is right (it wrote
 * the inherited descriptors, or copied the parent's map), and a program that
 * never changes a descriptor never maps it. map_vmo: not mapped yet (0:
 * none); map_old: a forked child's mapping of its parent's map, never written.
 */
static volatile uint32_t *fdmap, *map_old;
static handle_t map_vmo;
/* Above every descriptor ever open (never lowered): how much of the map a fork copies. */
static int fd_high;

/* What the map says of @f. */
static uint32_t map_word(const struct px_file *f)
{
	if (!f)
		return 0;
	return f->kind == PX_FILE_VFS ? PROC_FDMAP_WORD(f->id) : PROC_FDMAP_CONSOLE;
}

/* Maps map_vmo as the map and writes the whole table there. Caller holds the lock. */
static void map_locked(void)
{
	uint64_t addr = 0;
	handle_t vmo = map_vmo;

	map_vmo = 0;
	if (map_old)
		vr_vm_unmap(0, (uint64_t)(uintptr_t)map_old, PROC_FDMAP_SIZE);
	map_old = NULL;
	/* VR_MAP_SHARED: a fork shares it (no copy) until the child maps its own. */
	if (vr_vm_map(0, vmo, 0, 0, PROC_FDMAP_SIZE, VR_PROT_READ | VR_PROT_WRITE | VR_MAP_SHARED,
		      &addr)) {
		vr_handle_close(vmo);
		return;
	}
	vr_handle_close(vmo);	/* the mapping keeps it */
	fdmap = (volatile uint32_t *)(uintptr_t)addr;
	/* Every word: the server's copy may name descriptors closed since. */
	for (int fd = 0; fd < PX_FD_MAX; fd++)
		fdmap[fd] = map_word(table[fd].file);
}

/* Slot @fd becomes (@f, @cloexec), in the table and the map. Caller holds the lock. */
static void slot_set(int fd, struct px_file *f, bool cloexec)
{
	table[fd] = (struct slot){f, cloexec};
	if (f && fd >= fd_high)
		fd_high = fd + 1;
	if (fdmap)
		fdmap[fd] = map_word(f);
	else if (map_vmo)
		map_locked();
}

static void table_lock(void)
{
	while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE))
		vr_thread_yield();
}

static void table_unlock(void)
{
	__atomic_store_n(&lock, 0, __ATOMIC_RELEASE);
}

void px_fd_map(handle_t vmo)
{
	table_lock();
	map_vmo = vmo;
	table_unlock();
}

int px_fd_high(void)
{
	return __atomic_load_n(&fd_high, __ATOMIC_RELAXED);
}

void px_fd_forked(handle_t map)
{
	lock = 0;
	/* The parent's map is shared with it: never written here (unmapped with our own's mapping). */
	if (fdmap)
		map_old = fdmap;
	fdmap = NULL;
	map_vmo = map;
	/* The files' VMO handles were not copied: each asks again (stores only where one was: copy-on-write). */
	for (int fd = 0, high = px_fd_high(); fd < high; fd++)
		if (table[fd].file && table[fd].file->vmo)
			table[fd].file->vmo = 0;
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
	if (f->vmo)
		vr_handle_close(f->vmo);
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
		slot_set(fd, f, cloexec);
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
		slot_set(nfd, f, cloexec);
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
	slot_set(fd, NULL, false);
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
			slot_set(fd, same, fds[i].fd_flags & FD_CLOEXEC);
			continue;
		}
		struct px_file *f = malloc(sizeof(*f));
		if (!f)
			continue;
		/* The type is learnt when first needed (px_file_type). */
		*f = (struct px_file){.kind = PX_FILE_VFS, .refs = 1, .id = fds[i].vfs_id};
		slot_set(fd, f, fds[i].fd_flags & FD_CLOEXEC);
	}
}
