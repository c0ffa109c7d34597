/*
 * The vfs server's file-system core: one tree of nodes (directories, regular
 * files, symbolic links, devices) into which the file systems are mounted,
 * path lookup, and the operations on names. It uses only the C library, so
 * the host unit tests (tests/unit/vfs/) build it as it is.
 *
 * A node has one name of its own, so a node knows its parent and its name,
 * which is what getcwd and ".." need. A hard link (fs_link, never to a
 * directory) is an entry of its own in a directory, a node whose `inode`
 * is the node it names: lookup steps through it (entry_node), nlink counts
 * the node's names, and a node whose own name is removed lives on, in no
 * directory, while other names or references remain. A mounted file
 * system's root node stands in for the directory it covers: lookup steps
 * from the covered directory to it, and its parent is the covered one's.
 *
 * Lifetime: a node lives while it has a name (nlink > 0) or a reference
 * (open files, working directories: node_get/node_put). Everything runs on
 * the server's one thread; nothing here locks.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FS_NAME_MAX 255
#define FS_PATH_MAX 4096	/* with the NUL, as Linux's PATH_MAX */
#define FS_SYMLINK_MAX 40	/* symbolic links followed in one lookup (ELOOP beyond) */

/* The devices of devfs. */
enum fs_dev {
	DEV_NONE,
	DEV_NULL,
	DEV_ZERO,
	DEV_FULL,
	DEV_RANDOM,
	DEV_URANDOM,
	DEV_CONSOLE,
	DEV_PTMX,	/* each open makes a pseudo-terminal pair (pty.c) */
	DEV_PTS,	/* /dev/pts/N: a pair's slave */
	DEV_TTY,	/* /dev/tty: opens the caller's controlling terminal (ctty.c) */
};

/* One mounted file system. */
struct fs {
	uint64_t dev;		/* st_dev */
	uint64_t magic;		/* statfs's f_type (Linux's *_MAGIC) */
	bool readonly;		/* the initrd: every change is EROFS */
	bool fixed;		/* devfs: no names can be added or removed (EPERM) */
	uint64_t next_ino;
	size_t used, limit;	/* bytes of file data held, and the most allowed (0: no limit) */
};

struct node {
	struct fs *fs;
	uint64_t ino;
	uint32_t mode;		/* S_IFMT | permission bits */
	uint32_t uid, gid;
	uint32_t nlink;
	uint32_t refs;		/* open files and working directories */
	uint32_t name_key;	/* name_key(name): dir_find compares it before the names */
	int64_t atime, mtime, ctime;	/* seconds */
	uint32_t atime_ns, mtime_ns;	/* as utimensat set them (0 after a change: the clock has seconds) */
	char *name;		/* "" for the root */
	struct node *parent;	/* the root: itself */
	struct node *next;	/* the next entry of the parent directory (in ino order) */
	struct node *children;	/* directories: their entries, by ino (getdents resumes by ino) */
	struct node *covered;	/* a mounted root: the directory it covers */
	struct node *inode;	/* a hard link's entry: the node it names (everything else is that node's) */
	struct node *mounted;	/* a covered directory: the mounted root */
	/* Regular files: the bytes (borrowed from the initrd archive when !owned). */
	char *data;
	size_t size, cap;
	bool owned;
	enum fs_dev dev;	/* device nodes */
	char *target;		/* symbolic links */
	struct sock *sock;	/* socket nodes: the socket bound to it, or NULL (sock.c) */
	struct pty *pty;	/* DEV_PTS nodes: their pair (pty.c) */
	struct pipe *fifo;	/* FIFOs while open: their pipe (file.c), NULL when no end is open */
	/* Regular files once mapped (shm.c): data is the server's mapping of this VMO. */
	uint64_t vmo;		/* its handle, 0: data is malloc'd */
	size_t vmo_size;	/* the most the file holds before it moves into a larger VMO (fs_vmo_grow) */
	uint64_t vmo_gen;	/* which VMO vmo (or image) is: a new number each time the file moves (VFS_READ_VMO) */
	uint32_t seals;		/* F_SEAL_* (memfds) */
	/* Read-only (initrd) files: a VMO with a copy of the bytes, made at the first mmap or exec. */
	uint64_t image;
	bool linkable;		/* an O_TMPFILE file without O_EXCL: linkat may name it while nlink is 0 */
	struct remote *remote;	/* a directory another server serves (remote.c): lookups stop here */
	struct lock *locks;	/* advisory locks (lock.c): fcntl record, OFD and flock locks */
	struct fs_append *appends;	/* O_APPEND writes being filled in (append.c) */
};

/*
 * An O_APPEND write larger than one request (append.c): its whole range
 * [start, start + len) was added to the file's end at once, so every other
 * append goes after it, and its writer fills it in, in order (done bytes so
 * far). A truncate below its end clips it (fs_truncate sets end and cut):
 * the pieces past end are then taken and dropped, as if the truncate had
 * come after the write.
 */
struct fs_append {
	struct node *node;	/* referenced */
	uint64_t start, end, len, done;
	bool cut;		/* a truncate went below start + len */
	struct fs_append *next;	/* the node's others */
};

/* Unmaps and closes a mapped file's VMO as it is freed (shm.c; NULL in the unit tests). */
extern void (*fs_unmap)(struct node *n);

/* Who asks: permission checks use these (uid 0 passes them, as root on Linux). */
struct sock;
struct pty;
struct pipe;

struct cred {
	uint32_t uid, gid;
};

/* The clock the tree stamps changes with (seconds); the server and the tests set it. */
extern int64_t (*fs_now)(void);

/* The tree's root ("/"), once fs_init ran. */
extern struct node *fs_root;

/* A new root directory of file system @fs (NULL without memory); fs_root is set to the first. */
struct node *fs_new_root(struct fs *fs, uint32_t mode);

/* A new node @name in @dir (no checks: the callers did them). NULL without memory. */
struct node *node_create(struct node *dir, const char *name, size_t len, uint32_t mode,
			 const struct cred *c);

/* Stamps a change of @n's contents (mtime and ctime). */
void node_touch(struct node *n);
/*
 * Called after the size of a file whose data is in a VMO (n->vmo) changed:
 * the server tells the VMO (shm.c); a no-op until then, and on the host.
 */
extern void (*fs_vmo_resized)(struct node *n);
/*
 * Called before a file whose data is in a VMO grows past it (@size >
 * n->vmo_size): moves it into a VMO that holds @size (shm.c), 0 or -ENOSPC;
 * NULL on the host.
 */
extern int (*fs_vmo_grow)(struct node *n, uint64_t size);

void node_get(struct node *n);
void node_put(struct node *n);

/* Frees the whole tree under @root, whatever refers to it (a failed initrd load). */
void tree_destroy(struct node *root);

/* Removes entry @n (a node's own name or a hard link's); a node is freed once nothing refers to it. */
void node_unlink(struct node *n);

/* A hard link @name in @dir to @target (not a directory); NULL without memory. */
struct node *node_link(struct node *dir, const char *name, size_t len, struct node *target);

/* The node a directory entry names: itself, or a hard link's node. */
static inline struct node *entry_node(struct node *e)
{
	return e && e->inode ? e->inode : e;
}

/* Puts @n into directory @dir's entries (in ino order) / takes it out of its parent's. */
void dir_link(struct node *dir, struct node *n);
void dir_unlink(struct node *n);

/* The entry @name (@len bytes) of directory @dir, without following mounts. */
struct node *dir_find(struct node *dir, const char *name, size_t len);
/* A hash of @name's @len bytes in the high 24 bits, @len in the low 8 (names are at most FS_NAME_MAX). */
uint32_t name_key(const char *name, size_t len);

/* Mounts @root (a directory of another struct fs) over directory @on. */
int fs_mount(struct node *on, struct node *root);

/* Whether @c may access @n with @want (R_OK|W_OK|X_OK). */
bool may_access(const struct node *n, const struct cred *c, int want);

/* ---- lookup (path.c) ---- */
enum walk_flags {
	WALK_FOLLOW = 0,	/* follow a symbolic link in the last component */
	WALK_NOFOLLOW = 1,
};

/* The last component of a path, for operations that create or remove names. */
struct last {
	struct node *dir;	/* the directory that holds (or would hold) it */
	char name[FS_NAME_MAX + 1];
	size_t len;
	bool slash;		/* the path ended with a slash */
	bool dot;		/* the last component is "." or ".." (or the path is "/") */
};

/*
 * A lookup that reaches a directory with a remote (at the end or with
 * components left) stops there with -EREMOTE, leaving the directory and the
 * rest of the path (without leading slashes; "" for the directory itself)
 * here, for remote.c to forward.
 */
struct remote;
extern struct node *fs_remote_at;
extern char fs_remote_rest[FS_PATH_MAX];
/*
 * A ".." after a name of the path in the tree: the rest from that ".." on
 * ("" when there is none; fs_remote_rest then ends before it). The name
 * may be a link out of the tree, so the ".." is physical only once the
 * owner has said where that leads (remote.c).
 */
extern char fs_remote_after[FS_PATH_MAX];
/* The path (as the walk was given it) whose lookup last stopped with -EREMOTE: which of a request's
 * two it was. */
extern const char *fs_remote_path;

/*
 * Joins @base (a path below a remote directory without "." or ".."; "" the
 * directory itself) and the relative @path into @out (FS_PATH_MAX bytes),
 * taking "." and ".." as names of that tree: the owner never sees them.
 * Returns 0, 1 when a ".." leaves the tree (*@left: what follows it in
 * @path, without leading slashes), 2 when @dotdot is not NULL and a ".."
 * follows a name of @path (*@dotdot: that ".." and what follows it; @out
 * the path up to it), or -ENAMETOOLONG.
 */
int fs_remote_join(const char *base, const char *path, char *out, const char **left,
		   const char **dotdot);

/* Resolves @path from directory @at. Returns 0 with *out (not referenced) or -errno. */
int fs_walk(const struct cred *c, struct node *at, const char *path, enum walk_flags flags,
	    struct node **out);

/* Resolves all of @path but its last component (following symbolic links on the way). */
int fs_walk_parent(const struct cred *c, struct node *at, const char *path, struct last *l);

/* The absolute path of directory @n into @buf (with its NUL); returns its length + 1 or -errno. */
int fs_path_of(const struct node *n, char *buf, size_t size);

/* ---- operations on names (ops.c): each returns 0 or -errno as Linux would ---- */
int fs_mkdir(const struct cred *c, struct node *at, const char *path, uint32_t mode);
int fs_unlink(const struct cred *c, struct node *at, const char *path, bool rmdir);
/* link(2): a new name @npath for the node at @opath (followed if @follow). */
int fs_link(const struct cred *c, struct node *oat, const char *opath, struct node *nat,
	    const char *npath, bool follow);
/* The same for node @old itself (linkat's AT_EMPTY_PATH: root only, else -ENOENT as Linux). */
int fs_link_node(const struct cred *c, struct node *old, struct node *nat, const char *npath);
int fs_rename(const struct cred *c, struct node *oat, const char *opath, struct node *nat,
	      const char *npath);
int fs_symlink(const struct cred *c, struct node *at, const char *target, const char *path);
/* The target of the link at @path: its length (not NUL-terminated in @buf), or -errno. */
int fs_readlink(const struct cred *c, struct node *at, const char *path, char *buf, size_t size);
int fs_chmod(const struct cred *c, struct node *n, uint32_t mode);
/* chown(2): (uint32_t)-1 leaves an id as it is. */
int fs_chown(const struct cred *c, struct node *n, uint32_t uid, uint32_t gid);
/* utimensat(2): @t = {atime s, ns, mtime s, ns}, ns may be UTIME_NOW or UTIME_OMIT. */
int fs_utimes(const struct cred *c, struct node *n, const int64_t t[4]);
/* A new socket node at @path (bind): -EADDRINUSE if the name exists. */
int fs_mksock(const struct cred *c, struct node *at, const char *path, uint32_t mode,
	      struct node **out);
int fs_truncate(struct node *n, uint64_t size);
/* mknod(2): a FIFO, a regular file or a socket node at @path (S_IFCHR/S_IFBLK: -EPERM, no devices are made). */
int fs_mknod(const struct cred *c, struct node *at, const char *path, uint32_t mode);

/*
 * open(2)'s part on names: finds or creates (O_CREAT) the node for @path with
 * Linux's O_* @flags and checks the access mode and type. *created is true
 * when it made a new file. The caller makes the open file. O_TMPFILE gives a
 * new regular file in no directory (nlink 0, no reference: the caller's open
 * file keeps it; node_get + node_put frees it if that fails).
 */
int fs_open(const struct cred *c, struct node *at, const char *path, int flags, uint32_t mode,
	    struct node **out);
/* fs_open's checks of node @n found (or, if @created, made) for an open with @flags; O_TRUNC truncates. */
int fs_open_node(const struct cred *c, struct node *n, int flags, bool created);

/* Writes @len bytes at @off into regular file @n (growing it); returns @len or -errno. */
long fs_write(struct node *n, uint64_t off, const void *buf, size_t len);
/* Reads up to @len bytes at @off; returns the count. */
long fs_read(struct node *n, uint64_t off, void *buf, size_t len);

/*
 * Fills @buf with Linux struct linux_dirent64 records of directory @n from
 * entry number *pos on ("." and ".." first), as many as fit; advances *pos.
 * Returns the bytes used, 0 at the end, or -EINVAL if not even one fits.
 */
long fs_getdents(struct node *n, uint64_t *pos, void *buf, size_t size);
