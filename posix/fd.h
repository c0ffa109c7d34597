/*
 * The descriptor table of the translation layer: fd -> an open file held by
 * a server (for now always the vfs: its session endpoint and the file's id
 * there). dup'd descriptors share one struct px_file (and so one id and one
 * offset, which the server keeps); the file's id is closed at the server
 * when its last descriptor goes. FD_CLOEXEC belongs to the descriptor.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <veridian/syscalls.h>

#define PX_FD_MAX 1024		/* RLIMIT_NOFILE */

/* Which server side an open file is on; only the vfs for now. */
enum px_file_kind {
	PX_FILE_VFS = 1,
	PX_FILE_CONSOLE,	/* the kernel's debug console: fds 1 and 2 of a program with no vfs session */
};

struct px_file {
	enum px_file_kind kind;
	uint32_t refs;		/* descriptors sharing it */
	uint64_t id;		/* the vfs id */
	uint32_t type;		/* S_IFMT of the file, from open; PX_TYPE_SIGNALFD for a signalfd made here */
	bool unbuffered;	/* a regular file the vfs does not serve through data buffers (a remote one) */
	handle_t vmo;		/* read-only handle of the file's VMO (VFS_READ_VMO), 0: none yet; closed with the file */
	uint64_t vmo_gen;	/* its generation */
};

/* px_file.type of a signalfd (not an S_IFMT value): reads are the layer's (signalfd.c). */
#define PX_TYPE_SIGNALFD 0x80000000u

/* read() of a signalfd: takes the pending signals of its mask (signalfd.c). */
long px_signalfd_read(struct px_file *f, char *buf, size_t len);
/* Whether @f is a signalfd (asked of the vfs; then its type says so). */
bool px_signalfd_is(struct px_file *f);

/* The session capability (0: none; then only console descriptors exist). */
extern handle_t px_vfs;

/* The file behind @fd (NULL: not open), without taking a reference. */
struct px_file *px_fd_file(int fd);

/*
 * Puts a new struct px_file for (@kind, @id, @type) at the lowest free fd >=
 * @min, with FD_CLOEXEC if @cloexec. Returns the fd or -EMFILE (-ENOMEM);
 * on failure the caller still owns @id.
 */
int px_fd_new(enum px_file_kind kind, uint64_t id, uint32_t type, int min, bool cloexec);

/* dup semantics: @fd's file at the lowest free fd >= @min (or at exactly @min if @exact, closing what was there). */
int px_fd_dup(int fd, int min, bool exact, bool cloexec);

/* Closes @fd; the file's id is closed at its server when the last descriptor goes. */
int px_fd_close(int fd);

int px_fd_get_cloexec(int fd);		/* 0/1 or -EBADF */
int px_fd_set_cloexec(int fd, bool on);

/* Fills @out[] with every open fd (in order) for a spawn; returns how many, at most @max. */
struct proc_fd;
int px_fd_list(struct proc_fd *out, int max);

/* Called by the start-up code with the inherited descriptors (ids in our own session). */
void px_fd_init(const struct proc_fd *fds, uint32_t n);

/*
 * In a forked child: the table (copied, ids valid in our session) is
 * unlocked; the thread that held it is not here. @fdmap is the child's own
 * descriptor map from PROC_FORKED (0: none), which replaces the parent's.
 */
void px_fd_forked(handle_t fdmap);

/* Above every descriptor that was ever open: the words of the map a fork copies (PROC_FORK's w4). */
int px_fd_high(void);

/*
 * The descriptor map (proto/proc.h, VR_AT_FDMAP): a VMO the proc server made
 * and reads for /proc/<pid>/fd, in which word fd holds PROC_FDMAP_WORD of
 * what the table holds there. Written as descriptors come and go: a store,
 * never a request. Keeps @vmo (0: none), mapped and filled from the table
 * at the first change of a descriptor (the server fills it until then).
 */
void px_fd_map(handle_t vmo);
