/*
 * The vfs server's file-system core on the host: the initrd from cpio
 * archives (good, and malformed in every way: clear errors, no crash), path
 * lookup with Linux's errors, tmpfs operations, devices, pipes, sessions,
 * sockets (lifetimes under ASan: peers, backlogs, files in flight, the
 * collector of cycles in flight; MSG_WAITALL, SO_PASSCRED) and eventfds.
 */
// UNIT_SRCS: posix/vfs/node.c posix/vfs/path.c posix/vfs/ops.c posix/vfs/cpio.c posix/vfs/initrd.c posix/vfs/dev.c posix/vfs/pipe.c posix/vfs/file.c posix/vfs/session.c posix/vfs/sock.c posix/vfs/sockgc.c posix/vfs/eventfd.c posix/vfs/tty.c posix/vfs/pty.c posix/vfs/epoll.c posix/vfs/timerfd.c posix/vfs/signalfd.c posix/vfs/sysfs.c posix/vfs/lock.c posix/vfs/fdpath.c posix/vfs/append.c
#define UNIT_MAIN
#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../../posix/proto/vfs.h"
#include "../../../posix/vfs/append.h"
#include "../../../posix/vfs/cpio.h"
#include "../../../posix/vfs/dev.h"
#include "../../../posix/vfs/file.h"
#include "../../../posix/vfs/fs.h"
#include "../../../posix/vfs/initrd.h"
#include "../../../posix/vfs/lock.h"
#include "../../../posix/vfs/session.h"
#include "../../../posix/vfs/sysfs.h"

/* ---- a cpio newc writer for the tests ---- */
struct archive {
	char *buf;
	size_t len;
};

static void put(struct archive *a, const void *p, size_t n)
{
	a->buf = realloc(a->buf, a->len + n + 4);
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

static void pad4(struct archive *a)
{
	while (a->len % 4)
		put(a, "", 1);
}

static void entry(struct archive *a, const char *name, uint32_t mode, const void *data, size_t size)
{
	char h[111];

	snprintf(h, sizeof(h), "070701%08x%08x%08x%08x%08x%08x%08zx%08x%08x%08x%08x%08zx%08x", 1,
		 mode, 0, 0, 1, 0, size, 0, 0, 0, 0, strlen(name) + 1, 0);
	put(a, h, 110);
	put(a, name, strlen(name) + 1);
	pad4(a);
	put(a, data, size);
	pad4(a);
}

static struct archive sample(void)
{
	struct archive a = {0};

	entry(&a, ".", S_IFDIR | 0755, "", 0);
	entry(&a, "etc", S_IFDIR | 0755, "", 0);
	entry(&a, "etc/hostname", S_IFREG | 0644, "veridian\n", 9);
	entry(&a, "./sbin/vfs", S_IFREG | 0755, "\177ELF", 4);
	entry(&a, "bin/link", S_IFLNK | 0777, "../etc/hostname", 15);
	entry(&a, "dev", S_IFDIR | 0755, "", 0);
	entry(&a, "tmp", S_IFDIR | 01777, "", 0);
	entry(&a, "TRAILER!!!", 0, "", 0);
	return a;
}

static const struct cred root = {0, 0}, user = {1000, 1000};
static struct fs initrd_fs = {.dev = 1, .readonly = true}, tmp_fs = {.dev = 2, .limit = 1 << 20},
		 dev_fs = {.dev = 3, .fixed = true};
static struct archive the_archive;

/* The tree the server builds: the initrd at /, tmpfs at /tmp, devfs at /dev. */
static void boot(void)
{
	struct node *n;

	if (fs_root)
		return;
	the_archive = sample();
	struct node *r = fs_new_root(&initrd_fs, 0755);
	CHECK(initrd_load(r, the_archive.buf, the_archive.len) == 0);
	struct node *t = fs_new_root(&tmp_fs, 01777), *d = fs_new_root(&dev_fs, 0755);
	CHECK(devfs_populate(d) == 0);
	CHECK(fs_walk(&root, r, "/tmp", WALK_FOLLOW, &n) == 0 && fs_mount(n, t) == 0);
	CHECK(fs_walk(&root, r, "/dev", WALK_FOLLOW, &n) == 0 && fs_mount(n, d) == 0);
}

static int walk(const char *path, struct node **n)
{
	return fs_walk(&root, fs_root, path, WALK_FOLLOW, n);
}

TEST(cpio_reads_sample)
{
	struct archive a = sample();
	struct cpio_entry e;

	CHECK(cpio_find(a.buf, a.len, "sbin/vfs", &e) == CPIO_ENTRY && e.size == 4 &&
	      memcmp(e.data, "\177ELF", 4) == 0 && (e.mode & 0777) == 0755);
	CHECK(cpio_find(a.buf, a.len, "etc/none", &e) == CPIO_END);
	free(a.buf);
}

/* Every truncation, bad magic, huge sizes and random corruption: an error or a sane tree, never a crash. */
TEST(cpio_malformed)
{
	struct archive a = sample();
	struct cpio_entry e;
	size_t off = 0;

	for (size_t n = 0; n < a.len; n++) {
		char *copy = malloc(n + 1);	/* exactly n bytes visible to the parser */
		memcpy(copy, a.buf, n);
		struct fs fs = {.readonly = true};
		struct node *saved = fs_root;
		fs_root = NULL;
		struct node *r = fs_new_root(&fs, 0755);
		int err = initrd_load(r, copy, n);
		tree_destroy(r);
		fs_root = saved;
		CHECK(err == -EINVAL);	/* no trailer in any prefix */
		free(copy);
	}
	char *bad = malloc(a.len);
	memcpy(bad, a.buf, a.len);
	bad[0] = '1';
	CHECK(cpio_next(bad, a.len, &off, &e) == CPIO_BAD);
	/* A file size of 0xffffffff and a name size past the end. */
	memcpy(bad, a.buf, a.len);
	memcpy(bad + 6 + 8 * 6, "ffffffff", 8);
	off = 0;
	CHECK(cpio_next(bad, a.len, &off, &e) == CPIO_BAD);
	memcpy(bad, a.buf, a.len);
	memcpy(bad + 6 + 8 * 11, "7fffffff", 8);
	off = 0;
	CHECK(cpio_next(bad, a.len, &off, &e) == CPIO_BAD);
	memcpy(bad, a.buf, a.len);
	memcpy(bad + 6 + 8 * 11, "0000000g", 8);
	off = 0;
	CHECK(cpio_next(bad, a.len, &off, &e) == CPIO_BAD);
	/* Random bytes changed: whatever loads must be a tree that can be walked. */
	uint32_t seed = 12345;
	for (int round = 0; round < 3000; round++) {
		memcpy(bad, a.buf, a.len);
		for (int k = 0; k < 1 + round % 4; k++) {
			seed = seed * 1103515245 + 12345;
			bad[(seed >> 8) % a.len] = (char)(seed >> 3);
		}
		struct fs fs = {.readonly = true};
		struct node *saved = fs_root, *n;
		fs_root = NULL;
		struct node *r = fs_new_root(&fs, 0755);
		if (initrd_load(r, bad, a.len) == 0)
			fs_walk(&root, r, "/bin/link", WALK_FOLLOW, &n);
		tree_destroy(r);
		fs_root = saved;
	}
	free(bad);
	free(a.buf);
}

TEST(initrd_files)
{
	struct node *n;
	char buf[32];

	boot();
	CHECK(walk("/etc/hostname", &n) == 0 && n->size == 9);
	CHECK(fs_read(n, 0, buf, sizeof(buf)) == 9 && memcmp(buf, "veridian\n", 9) == 0);
	CHECK(n->data >= the_archive.buf && n->data < the_archive.buf + the_archive.len);
	CHECK(walk("/bin/link", &n) == 0 && S_ISREG(n->mode));
	CHECK(fs_walk(&root, fs_root, "/bin/link", WALK_NOFOLLOW, &n) == 0 && S_ISLNK(n->mode));
	CHECK(walk("/sbin/vfs", &n) == 0 && (n->mode & 0777) == 0755);
	CHECK(fs_mkdir(&root, fs_root, "/etc/x", 0755) == -EROFS);
	CHECK(fs_mkdir(&root, fs_root, "/etc", 0755) == -EEXIST);
	CHECK(fs_unlink(&root, fs_root, "/etc/hostname", false) == -EROFS);
	CHECK(fs_open(&root, fs_root, "/etc/hostname", O_WRONLY, 0, &n) == -EROFS);
	CHECK(fs_open(&root, fs_root, "/etc/new", O_WRONLY | O_CREAT, 0644, &n) == -EROFS);
}

TEST(lookup)
{
	struct node *n, *etc;
	struct last l;
	char path[FS_PATH_MAX + 10];

	boot();
	CHECK(walk("/etc", &etc) == 0);
	CHECK(walk("/etc/../etc/./hostname", &n) == 0 && S_ISREG(n->mode));
	CHECK(walk("//etc//hostname", &n) == 0);
	CHECK(walk("/..", &n) == 0 && n == fs_root);
	CHECK(fs_walk(&root, etc, "hostname", WALK_FOLLOW, &n) == 0);
	CHECK(fs_walk(&root, etc, "..", WALK_FOLLOW, &n) == 0 && n == fs_root);
	CHECK(walk("/etc/", &n) == 0 && n == etc);
	CHECK(walk("/etc/hostname/", &n) == -ENOTDIR);
	CHECK(walk("/etc/hostname/x", &n) == -ENOTDIR);
	CHECK(walk("/nope/x", &n) == -ENOENT);
	CHECK(walk("", &n) == -ENOENT);
	CHECK(walk("/tmp/..", &n) == 0 && n == fs_root);
	CHECK(walk("/dev/null", &n) == 0 && S_ISCHR(n->mode) && n->dev == DEV_NULL);
	memset(path, 'a', 300);
	path[0] = '/';
	path[300] = 0;
	CHECK(walk(path, &n) == -ENAMETOOLONG);
	memset(path, 0, sizeof(path));
	for (int i = 0; i < FS_PATH_MAX; i += 2)
		memcpy(path + i, "./", 2);
	CHECK(walk(path, &n) == -ENAMETOOLONG);
	CHECK(fs_walk_parent(&root, fs_root, "/etc/newfile/", &l) == 0 && l.dir == etc &&
	      strcmp(l.name, "newfile") == 0 && l.slash && !l.dot);
	CHECK(fs_walk_parent(&root, fs_root, "/", &l) == 0 && l.dot);
	/* Links: loops, chains of 40 and 41. */
	CHECK(fs_mkdir(&root, fs_root, "/tmp/lk", 0755) == 0);
	CHECK(fs_symlink(&root, fs_root, "loop2", "/tmp/lk/loop1") == 0);
	CHECK(fs_symlink(&root, fs_root, "loop1", "/tmp/lk/loop2") == 0);
	CHECK(walk("/tmp/lk/loop1", &n) == -ELOOP);
	CHECK(fs_walk(&root, fs_root, "/tmp/lk/loop1", WALK_NOFOLLOW, &n) == 0);
	CHECK(fs_symlink(&root, fs_root, "/etc/hostname", "/tmp/lk/c0") == 0);
	for (int i = 1; i <= 40; i++) {
		char t[16], name[32];
		snprintf(t, sizeof(t), "c%d", i - 1);
		snprintf(name, sizeof(name), "/tmp/lk/c%d", i);
		CHECK(fs_symlink(&root, fs_root, t, name) == 0);
	}
	CHECK(walk("/tmp/lk/c39", &n) == 0 && S_ISREG(n->mode));	/* 40 links */
	CHECK(walk("/tmp/lk/c40", &n) == -ELOOP);			/* 41 */
	CHECK(fs_symlink(&root, fs_root, "/etc", "/tmp/lk/dir") == 0);
	CHECK(walk("/tmp/lk/dir/", &n) == 0 && n == etc);
	CHECK(walk("/tmp/lk/dir/hostname", &n) == 0);
	CHECK(fs_symlink(&root, fs_root, "x", "/tmp/lk/dir") == -EEXIST);
	char buf[64];
	CHECK(fs_readlink(&root, fs_root, "/tmp/lk/dir", buf, sizeof(buf)) == 4 &&
	      memcmp(buf, "/etc", 4) == 0);
	CHECK(fs_readlink(&root, fs_root, "/etc", buf, sizeof(buf)) == -EINVAL);
	CHECK(fs_path_of(etc, buf, sizeof(buf)) == 5 && strcmp(buf, "/etc") == 0);
	CHECK(walk("/tmp/lk", &n) == 0 && fs_path_of(n, buf, sizeof(buf)) == 8 &&
	      strcmp(buf, "/tmp/lk") == 0);
	CHECK(fs_path_of(n, buf, 4) == -ERANGE);
}

/*
 * Paths through a remote directory: "." and ".." are taken as names of its
 * tree (the owner never sees them), and a ".." out of it goes on in the vfs.
 */
TEST(remote_paths)
{
	struct node *n, *tmp = NULL, *rm = NULL;
	struct last l;
	char out[FS_PATH_MAX];
	const char *left = NULL;

	boot();
	CHECK(fs_remote_join("", "a/./b/../c", out, &left, NULL) == 0 && strcmp(out, "a/c") == 0);
	CHECK(fs_remote_join("12/fd", "..", out, &left, NULL) == 0 && strcmp(out, "12") == 0);
	CHECK(fs_remote_join("12/fd", "../..", out, &left, NULL) == 0 && strcmp(out, "") == 0);
	CHECK(fs_remote_join("12", "../../tmp//x", out, &left, NULL) == 1 && strcmp(left, "tmp//x") == 0);
	CHECK(fs_remote_join("12", "fd/", out, &left, NULL) == 0 && strcmp(out, "12/fd/") == 0);
	CHECK(fs_remote_join("12/", "stat", out, &left, NULL) == 0 && strcmp(out, "12/stat") == 0);
	CHECK(fs_remote_join("", "..", out, &left, NULL) == 1 && strcmp(left, "") == 0);
	const char *dotdot = NULL;
	CHECK(fs_remote_join("12", "../fd/../x", out, &left, &dotdot) == 2 && strcmp(out, "fd") == 0 &&
	      strcmp(dotdot, "../x") == 0);
	CHECK(fs_remote_join("12/fd", "../..", out, &left, &dotdot) == 0 && strcmp(out, "") == 0);
	memset(out, 'a', 3000);
	out[3000] = 0;
	char base[FS_PATH_MAX];
	memcpy(base, out, 3001);
	CHECK(fs_remote_join(base, base, out, &left, NULL) == -ENAMETOOLONG);
	CHECK(fs_mkdir(&root, fs_root, "/tmp/rm", 0755) == 0);
	CHECK(walk("/tmp", &tmp) == 0 && walk("/tmp/rm", &rm) == 0);
	if (!rm)
		return;
	rm->remote = (struct remote *)1;	/* only looked at as "there is one" */
	/* A ".." after a name of the tree: the owner is asked about the name first (it may be a link out). */
	CHECK(walk("/tmp/rm/./b/.", &n) == -EREMOTE && fs_remote_at == rm &&
	      strcmp(fs_remote_rest, "b") == 0 && fs_remote_after[0] == 0);
	CHECK(walk("/tmp/rm/a/../b/.", &n) == -EREMOTE && fs_remote_at == rm &&
	      strcmp(fs_remote_rest, "a") == 0 && strcmp(fs_remote_after, "../b/.") == 0);
	CHECK(walk("/tmp/rm", &n) == -EREMOTE && fs_remote_rest[0] == 0 && fs_remote_after[0] == 0);
	CHECK(walk("/tmp/rm/..", &n) == 0 && n == tmp);
	CHECK(walk("/tmp/rm/../../etc/hostname", &n) == 0 && S_ISREG(n->mode));
	CHECK(walk("/tmp/rm/a/../../../etc/hostname", &n) == -EREMOTE &&
	      strcmp(fs_remote_after, "../../../etc/hostname") == 0);
	CHECK(fs_walk_parent(&root, fs_root, "/tmp/rm/../new", &l) == 0 && l.dir == tmp &&
	      strcmp(l.name, "new") == 0);
	CHECK(fs_walk_parent(&root, fs_root, "/tmp/rm/x/../../new", &l) == -EREMOTE &&
	      strcmp(fs_remote_rest, "x") == 0);
	CHECK(fs_walk_parent(&root, fs_root, "/tmp/rm/new", &l) == -EREMOTE);
	rm->remote = NULL;
}

TEST(tmpfs_operations)
{
	struct node *n, *d;
	char buf[64];

	boot();
	CHECK(fs_mkdir(&root, fs_root, "/tmp/a", 0755) == 0);
	CHECK(fs_mkdir(&root, fs_root, "/tmp/a", 0755) == -EEXIST);
	CHECK(fs_mkdir(&root, fs_root, "/tmp/a/b/c", 0755) == -ENOENT);
	CHECK(fs_mkdir(&root, fs_root, "/tmp/a/b/", 0755) == 0);
	CHECK(fs_open(&root, fs_root, "/tmp/a/f", O_WRONLY | O_CREAT, 0644, &n) == 0);
	CHECK(fs_open(&root, fs_root, "/tmp/a/f", O_WRONLY | O_CREAT | O_EXCL, 0644, &n) == -EEXIST);
	CHECK(fs_open(&root, fs_root, "/tmp/a/f/", O_RDONLY, 0, &n) == -ENOTDIR);
	CHECK(fs_open(&root, fs_root, "/tmp/a/g/", O_WRONLY | O_CREAT, 0644, &n) == -EISDIR);
	CHECK(fs_open(&root, fs_root, "/tmp/a", O_WRONLY, 0, &n) == -EISDIR);
	CHECK(fs_open(&root, fs_root, "/tmp/a/f", O_RDONLY | O_DIRECTORY, 0, &n) == -ENOTDIR);
	CHECK(fs_open(&root, fs_root, "/tmp/a/f", O_RDWR, 0, &n) == 0);
	CHECK(fs_write(n, 5, "hello", 5) == 5 && n->size == 10);
	CHECK(fs_read(n, 0, buf, sizeof(buf)) == 10 && memcmp(buf, "\0\0\0\0\0hello", 10) == 0);
	CHECK(fs_truncate(n, 2) == 0 && n->size == 2);
	CHECK(fs_truncate(n, 2000) == 0 && n->size == 2000 && n->data[1999] == 0);
	static char huge[(1 << 20) + 1];
	CHECK(fs_write(n, 0, huge, sizeof(huge)) == -ENOSPC);	/* the tmpfs limit */
	CHECK(fs_unlink(&root, fs_root, "/tmp/a", true) == -ENOTEMPTY);
	CHECK(fs_unlink(&root, fs_root, "/tmp/a", false) == -EISDIR);
	CHECK(fs_unlink(&root, fs_root, "/tmp/a/f", true) == -ENOTDIR);
	CHECK(fs_unlink(&root, fs_root, "/tmp/a/f/", false) == -ENOTDIR);
	CHECK(fs_unlink(&root, fs_root, "/tmp/a/.", true) == -EINVAL);
	CHECK(fs_unlink(&root, fs_root, "/tmp/a/..", true) == -ENOTEMPTY);
	CHECK(fs_unlink(&root, fs_root, "/tmp", true) == -EROFS);
	CHECK(fs_unlink(&root, fs_root, "/tmp/zzz", false) == -ENOENT);
	/* Renames. */
	CHECK(fs_rename(&root, fs_root, "/tmp/a/f", fs_root, "/tmp/a/g") == 0);
	CHECK(walk("/tmp/a/f", &n) == -ENOENT && walk("/tmp/a/g", &n) == 0);
	CHECK(fs_rename(&root, fs_root, "/tmp/a/g", fs_root, "/tmp/a/b") == -EISDIR);
	CHECK(fs_rename(&root, fs_root, "/tmp/a/b", fs_root, "/tmp/a/g") == -ENOTDIR);
	CHECK(fs_rename(&root, fs_root, "/tmp/a", fs_root, "/tmp/a/b/x") == -EINVAL);
	CHECK(fs_rename(&root, fs_root, "/tmp/a/g", fs_root, "/etc/g") == -EXDEV);
	CHECK(fs_mkdir(&root, fs_root, "/tmp/a/e", 0755) == 0);
	CHECK(fs_rename(&root, fs_root, "/tmp/a/e", fs_root, "/tmp/a/b") == 0);
	CHECK(walk("/tmp/a/e", &n) == -ENOENT && walk("/tmp/a/b", &d) == 0 && !d->children);
	CHECK(fs_rename(&root, fs_root, "/tmp/a/b", fs_root, "/tmp/b") == 0);
	CHECK(fs_path_of(d, buf, sizeof(buf)) > 0 && strcmp(buf, "/tmp/b") == 0);
	/* A removed file lives on while referenced. */
	CHECK(walk("/tmp/a/g", &n) == 0);
	node_get(n);
	CHECK(fs_unlink(&root, fs_root, "/tmp/a/g", false) == 0);
	CHECK(n->size == 2000);
	node_put(n);
	CHECK(fs_unlink(&root, fs_root, "/tmp/a", true) == 0);
	CHECK(fs_unlink(&root, fs_root, "/tmp/b", true) == 0);
	CHECK(tmp_fs.used == 0);
}

TEST(permissions)
{
	struct node *n;

	boot();
	CHECK(fs_mkdir(&root, fs_root, "/tmp/p", 0700) == 0);
	CHECK(fs_open(&user, fs_root, "/tmp/p/x", O_WRONLY | O_CREAT, 0644, &n) == -EACCES);
	CHECK(fs_open(&root, fs_root, "/tmp/p/x", O_WRONLY | O_CREAT, 0600, &n) == 0);
	CHECK(walk("/tmp/p", &n) == 0 && fs_chmod(&root, n, 0755) == 0);
	CHECK(fs_open(&user, fs_root, "/tmp/p/x", O_RDONLY, 0, &n) == -EACCES);
	CHECK(fs_chmod(&user, n, 0777) == -EPERM);
	CHECK(fs_unlink(&user, fs_root, "/tmp/p/x", false) == -EACCES);
	CHECK(fs_mkdir(&user, fs_root, "/tmp/u", 0755) == 0);
	CHECK(fs_open(&user, fs_root, "/tmp/u/mine", O_RDWR | O_CREAT, 0600, &n) == 0);
	CHECK(fs_unlink(&root, fs_root, "/tmp/u/mine", false) == 0);
	CHECK(walk("/etc/hostname", &n) == 0 && may_access(n, &user, R_OK) &&
	      !may_access(n, &user, W_OK) && !may_access(n, &root, X_OK));
}

TEST(hard_links)
{
	struct node *a, *b;
	char buf[8];

	boot();
	size_t used = tmp_fs.used;
	CHECK(fs_mkdir(&root, fs_root, "/tmp/hl", 0777) == 0);
	CHECK(fs_open(&user, fs_root, "/tmp/hl/a", O_RDWR | O_CREAT, 0644, &a) == 0);
	CHECK(fs_write(a, 0, "abc", 3) == 3);
	CHECK(fs_link(&user, fs_root, "/tmp/hl/a", fs_root, "/tmp/hl/b", false) == 0);
	CHECK(walk("/tmp/hl/b", &b) == 0 && b == a && a->nlink == 2);
	CHECK(fs_link(&user, fs_root, "/tmp/hl/a", fs_root, "/tmp/hl/b", false) == -EEXIST);
	CHECK(fs_link(&user, fs_root, "/tmp/hl", fs_root, "/tmp/hl/d", false) == -EPERM);
	CHECK(fs_link(&user, fs_root, "/tmp/hl/a", fs_root, "/etc/a", false) == -EXDEV);
	CHECK(fs_link(&user, fs_root, "/tmp/hl/a", fs_root, "/tmp/hl/nodir/x", false) == -ENOENT);
	/* The first name goes, the node stays for the second; an open reference outlives both. */
	node_get(a);
	CHECK(fs_unlink(&user, fs_root, "/tmp/hl/a", false) == 0 && a->nlink == 1);
	CHECK(walk("/tmp/hl/b", &b) == 0 && b == a && fs_read(b, 0, buf, 8) == 3);
	CHECK(fs_rename(&user, fs_root, "/tmp/hl/b", fs_root, "/tmp/hl/c") == 0);
	CHECK(walk("/tmp/hl/c", &b) == 0 && b == a);
	CHECK(fs_unlink(&user, fs_root, "/tmp/hl/c", false) == 0 && a->nlink == 0);
	CHECK(fs_read(a, 0, buf, 8) == 3 && memcmp(buf, "abc", 3) == 0);
	node_put(a);
	CHECK(tmp_fs.used == used);
	CHECK(fs_unlink(&root, fs_root, "/tmp/hl", true) == 0);
}

TEST(fifos_and_attributes)
{
	struct node *n;
	struct file *r, *w, *rw;
	char buf[8];

	boot();
	CHECK(fs_mkdir(&root, fs_root, "/tmp/ff", 0777) == 0);
	CHECK(fs_mknod(&user, fs_root, "/tmp/ff/p", S_IFIFO | 0600) == 0);
	CHECK(fs_mknod(&user, fs_root, "/tmp/ff/p", S_IFIFO | 0600) == -EEXIST);
	CHECK(fs_mknod(&user, fs_root, "/tmp/ff/c", S_IFCHR | 0600) == -EPERM);
	CHECK(fs_mknod(&user, fs_root, "/tmp/ff/x", 0170000) == -EINVAL);
	CHECK(fs_mknod(&user, fs_root, "/etc/p", S_IFIFO | 0600) == -EROFS);
	CHECK(walk("/tmp/ff/p", &n) == 0 && S_ISFIFO(n->mode) && !n->fifo);
	CHECK(fifo_open(n, O_WRONLY | O_NONBLOCK, &w) == -ENXIO);
	CHECK(fifo_open(n, O_RDONLY, &r) == 0 && !fifo_ready(r) && n->fifo);
	CHECK(fifo_open(n, O_WRONLY, &w) == 0 && fifo_ready(r) && fifo_ready(w));
	CHECK(file_write(w, "hi", 2, NULL) == 2 && file_read(r, buf, 8, NULL) == 2);
	CHECK(file_read(r, buf, 8, NULL) == -EAGAIN);
	file_put(w);
	CHECK(file_read(r, buf, 8, NULL) == 0 && fifo_ready(r));
	CHECK(fifo_open(n, O_RDWR, &rw) == 0 && file_write(rw, "z", 1, NULL) == 1);
	file_put(r);
	file_put(rw);
	CHECK(!n->fifo);
	/* A waiting writer whose reader came and went is done waiting too (Linux's counters). */
	CHECK(fifo_open(n, O_RDONLY | O_NONBLOCK, &r) == 0 && fifo_open(n, O_RDWR, &rw) == 0);
	file_put(r);
	CHECK(fifo_open(n, O_WRONLY, &w) == 0 && fifo_ready(w));	/* O_RDWR is a reader */
	file_put(w);
	file_put(rw);
	CHECK(fifo_open(n, O_WRONLY, &w) == 0 && !fifo_ready(w));
	CHECK(fifo_open(n, O_RDONLY, &r) == 0 && fifo_ready(w));
	file_put(r);
	CHECK(fifo_ready(w) && file_write(w, "x", 1, NULL) == -EPIPE);
	file_put(w);
	CHECK(!n->fifo);
	/* chown and utimensat: the owner and root; others not. */
	CHECK(fs_chown(&user, n, 1000, 1000) == 0 && fs_chown(&user, n, 0, (uint32_t)-1) == -EPERM);
	CHECK(fs_chown(&user, n, (uint32_t)-1, 5) == -EPERM && fs_chown(&root, n, 7, 8) == 0);
	CHECK(n->uid == 7 && n->gid == 8 && fs_chown(&user, n, (uint32_t)-1, 1000) == -EPERM);
	const int64_t t[4] = {10, 20, 30, 40}, now[4] = {0, UTIME_NOW, 0, UTIME_NOW};
	CHECK(fs_utimes(&user, n, t) == -EPERM && fs_utimes(&user, n, now) == -EACCES);
	CHECK(fs_utimes(&root, n, t) == 0 && n->atime == 10 && n->atime_ns == 20 && n->mtime == 30);
	const int64_t bad[4] = {0, 1000000000, 0, 0};
	CHECK(fs_utimes(&root, n, bad) == -EINVAL);
	CHECK(fs_unlink(&root, fs_root, "/tmp/ff/p", false) == 0);
	CHECK(fs_unlink(&root, fs_root, "/tmp/ff", true) == 0);
}

/* The names directory @path lists (after "." and ".."), space-separated, into @out. */
static void list_dir(const char *path, char *out, size_t size)
{
	struct node *d;
	char buf[4096];
	uint64_t pos = 0;
	long n;

	out[0] = 0;
	CHECK(walk(path, &d) == 0);
	while ((n = fs_getdents(d, &pos, buf, sizeof(buf))) > 0)
		for (long off = 0; off < n;) {
			uint16_t reclen;
			memcpy(&reclen, buf + off + 16, 2);
			if (strcmp(buf + off + 19, ".") && strcmp(buf + off + 19, "..")) {
				strncat(out, buf + off + 19, size - strlen(out) - 2);
				strcat(out, " ");
			}
			off += reclen;
		}
}

TEST(sysfs_registry)
{
	struct node *sys = NULL, *n;
	char names[256], buf[64];

	boot();
	CHECK(fs_mkdir(&root, fs_root, "/tmp/sysmnt", 0755) == 0 && walk("/tmp/sysmnt", &sys) == 0);
	CHECK(sysfs_mount(sys) == 0);
	list_dir("/tmp/sysmnt", names, sizeof(names));
	CHECK(!strcmp(names, "class bus devices dev "));
	CHECK(sysfs_add_device("drm", "card0", "platform/gpu0/drm/card0", 226 << 8 | 0) == 0);
	CHECK(sysfs_add_device("input", "event0", "virtual/input/input0/event0", 13 << 8 | 64) == 0);
	CHECK(sysfs_add_device("drm", "card0", "platform/gpu0/drm/card0", 226 << 8) == -EEXIST);
	CHECK(sysfs_add_file("class/../x", "", 0) == -EINVAL && sysfs_add_dir("") == -EINVAL);
	list_dir("/tmp/sysmnt/class", names, sizeof(names));
	CHECK(!strcmp(names, "drm input "));
	list_dir("/tmp/sysmnt/class/drm/card0", names, sizeof(names));
	CHECK(!strcmp(names, "dev uevent subsystem "));
	CHECK(fs_walk(&root, fs_root, "/tmp/sysmnt/class/input/event0/dev", WALK_FOLLOW, &n) == 0 &&
	      fs_read(n, 0, buf, sizeof(buf)) == 6 && !memcmp(buf, "13:64\n", 6));
	CHECK(fs_readlink(&root, fs_root, "/tmp/sysmnt/class/drm/card0", buf, sizeof(buf)) == 37 &&
	      !memcmp(buf, "../../devices/platform/gpu0/drm/card0", 37));
	/* Read-only to everyone, root included. */
	CHECK(fs_open(&root, fs_root, "/tmp/sysmnt/class/drm/card0/dev", O_WRONLY, 0, &n) == -EROFS);
	CHECK(fs_mkdir(&root, fs_root, "/tmp/sysmnt/class/x", 0755) == -EROFS);
	CHECK(fs_unlink(&root, fs_root, "/tmp/sysmnt/class/drm/card0", false) == -EROFS);
	/* A device going away. */
	CHECK(sysfs_remove("class/drm/card0") == 0 && sysfs_remove("devices/platform/gpu0") == 0);
	CHECK(sysfs_remove("devices/platform/gpu0") == -ENOENT);
	list_dir("/tmp/sysmnt/class/drm", names, sizeof(names));
	CHECK(!strcmp(names, ""));
}

TEST(getdents_survives_removal)
{
	struct node *d;
	char buf[4096];
	uint64_t pos = 0;
	int seen = 0;

	boot();
	CHECK(fs_mkdir(&root, fs_root, "/tmp/ls", 0755) == 0);
	for (int i = 0; i < 50; i++) {
		char name[32];
		snprintf(name, sizeof(name), "/tmp/ls/file%d", i);
		CHECK(fs_open(&root, fs_root, name, O_WRONLY | O_CREAT, 0644, &d) == 0);
	}
	CHECK(walk("/tmp/ls", &d) == 0);
	/* Read a few at a time, removing each entry as it is seen (rm -r does). */
	for (;;) {
		long n = fs_getdents(d, &pos, buf, 100);
		CHECK(n >= 0);
		if (n <= 0)
			break;
		for (long off = 0; off < n;) {
			uint16_t reclen;
			memcpy(&reclen, buf + off + 16, 2);
			const char *name = buf + off + 19;
			if (strcmp(name, ".") && strcmp(name, "..")) {
				char path[64];
				snprintf(path, sizeof(path), "/tmp/ls/%s", name);
				CHECK(fs_unlink(&root, fs_root, path, false) == 0);
			}
			seen++;
			off += reclen;
		}
	}
	CHECK(seen == 52);
	CHECK(d->children == NULL);
	pos = 0;
	CHECK(fs_getdents(d, &pos, buf, 10) == -EINVAL);
	CHECK(fs_unlink(&root, fs_root, "/tmp/ls", true) == 0);
}

TEST(devices)
{
	char buf[16];

	CHECK(dev_read(DEV_ZERO, buf, 16) == 16 && buf[3] == 0);
	CHECK(dev_write(DEV_FULL, buf, 16) == -ENOSPC);
	CHECK(dev_read(DEV_NULL, buf, 16) == 0 && dev_write(DEV_NULL, buf, 16) == 16);
	CHECK(dev_read(DEV_URANDOM, buf, 16) == 16);
	CHECK(dev_is_tty(DEV_CONSOLE) && !dev_is_tty(DEV_NULL) && dev_rdev(DEV_CONSOLE) == (5 << 8 | 1));
}

TEST(pipes)
{
	struct file *r, *w;
	static char big[PIPE_SIZE + 10], out[PIPE_SIZE + 10];

	CHECK(file_pipe(0, &r, &w) == 0);
	CHECK(file_read(r, out, 10, NULL) == -EAGAIN);
	CHECK(file_write(r, "x", 1, NULL) == -EBADF && file_read(w, out, 1, NULL) == -EBADF);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7);
	/* Atomic up to PIPE_ATOMIC, partial beyond it. */
	CHECK(file_write(w, big, PIPE_SIZE - 100, NULL) == PIPE_SIZE - 100);
	CHECK(file_write(w, big, 200, NULL) == -EAGAIN);
	CHECK(file_write(w, big, PIPE_ATOMIC + 1, NULL) == 100);
	CHECK(file_write(w, big, 1, NULL) == -EAGAIN);
	CHECK(file_poll(w, POLLOUT) == 0 && file_poll(r, POLLIN) == POLLIN);
	CHECK(file_read(r, out, 1000, NULL) == 1000 && memcmp(out, big, 1000) == 0);
	CHECK(file_write(w, big + 5000, 1000, NULL) == 1000);
	CHECK(file_read(r, out, sizeof(out), NULL) == PIPE_SIZE);
	CHECK(memcmp(out, big + 1000, PIPE_SIZE - 1100) == 0 &&
	      memcmp(out + PIPE_SIZE - 1100, big, 100) == 0 &&
	      memcmp(out + PIPE_SIZE - 1000, big + 5000, 1000) == 0);
	CHECK(file_read(r, out, sizeof(out), NULL) == -EAGAIN);
	CHECK(file_seek(r, 0, SEEK_SET) == -ESPIPE);
	file_put(w);
	CHECK(file_read(r, out, 10, NULL) == 0);
	CHECK(file_poll(r, POLLIN) == POLLHUP);
	file_put(r);
	CHECK(file_pipe(0, &r, &w) == 0);
	file_put(r);
	CHECK(file_write(w, "x", 1, NULL) == -EPIPE && file_poll(w, POLLOUT) == POLLERR);
	file_put(w);
}

/* /proc/<pid>/fd's side: what an open file is called, opening it again, and locks on a pipe. */
TEST(fd_paths_and_reopen)
{
	struct file *r, *w, *f, *again;
	struct node *n;
	struct vfs_stat st;
	char buf[128], want[64];

	boot();
	CHECK(fs_open(&root, fs_root, "/tmp/fdp", O_RDWR | O_CREAT, 0600, &n) == 0);
	CHECK((f = file_of_node(n, O_RDWR)) != NULL);
	CHECK(file_describe(f, buf, sizeof(buf)) == 8 && !strcmp(buf, "/tmp/fdp"));
	CHECK(file_write(f, "data", 4, NULL) == 4);
	/* Opened again: its own offset; O_TRUNC truncates; a user without access: EACCES. */
	CHECK(file_reopen(f, O_RDONLY, &root, &again) == 0 && again->kind == FILE_NODE);
	CHECK(file_read(again, buf, sizeof(buf), NULL) == 4 && !memcmp(buf, "data", 4));
	file_put(again);
	CHECK(file_reopen(f, O_RDONLY, &user, &again) == -EACCES);
	CHECK(file_reopen(f, O_WRONLY | O_TRUNC, &root, &again) == 0 && n->size == 0);
	file_put(again);
	CHECK(file_describe(f, buf, 8) == -ERANGE);
	CHECK(fs_unlink(&root, fs_root, "/tmp/fdp", false) == 0);
	CHECK(file_describe(f, buf, sizeof(buf)) > 0 && !strcmp(buf, "/tmp/fdp (deleted)"));
	file_put(f);

	CHECK(file_pipe(0, &r, &w) == 0);
	file_stat(r, &st);
	snprintf(want, sizeof(want), "pipe:[%llu]", (unsigned long long)st.ino);
	CHECK(file_describe(w, buf, sizeof(buf)) > 0 && !strcmp(buf, want));
	/* A second writer: the pipe ends only when both have gone. */
	CHECK(file_reopen(w, O_WRONLY, &root, &again) == 0 && again->kind == FILE_PIPE_WRITE);
	CHECK(file_reopen(r, O_RDWR | O_ACCMODE, &root, &f) == -EINVAL);
	file_put(w);
	CHECK(file_write(again, "x", 1, NULL) == 1 && file_read(r, buf, 8, NULL) == 1);
	CHECK(file_read(r, buf, 8, NULL) == -EAGAIN);
	/* flock and record locks on a pipe: kept on the pipe, gone with the open file. */
	struct lock l = {.start = 0, .end = LOCK_EOF, .owner = (uint64_t)(uintptr_t)r, .pid = -1,
			 .kind = LK_FLOCK, .type = F_WRLCK};
	struct lock other = l;
	other.owner = (uint64_t)(uintptr_t)again;
	CHECK(file_locks(r) == file_locks(again) && lock_set(file_locks(r), &l) == 0);
	CHECK(lock_conflict(file_locks(again), &other) != NULL);
	file_put(r);
	CHECK(lock_conflict(file_locks(again), &other) == NULL);
	file_put(again);

	struct file *e = file_of_eventfd(0, false, 0);
	CHECK(e && file_describe(e, buf, sizeof(buf)) > 0 && !strcmp(buf, "anon_inode:[eventfd]"));
	CHECK(file_reopen(e, O_RDWR, &root, &f) == -ENXIO);
	file_put(e);
}

static struct sock_name name_of(const char *path)
{
	struct sock_name n = {strlen(path), {0}};
	memcpy(n.path, path, n.len);
	return n;
}

TEST(sockets)
{
	static const struct sock_cred me = {7, 0, 0};
	struct sock *a, *b, *l, *c, *acc;
	struct sock_recv_info info;
	struct file *r, *w;
	char buf[64];
	struct node *n;

	boot();
	CHECK(sock_pair(SOCK_STREAM, &me, &a, &b) == 0);
	struct file *fa = file_of_sock(a, 0), *fb = file_of_sock(b, 0);
	CHECK(file_write(fa, "hello", 5, NULL) == 5 && file_write(fa, "!", 1, NULL) == 1);
	CHECK(sock_recv(b, buf, 3, MSG_PEEK, NULL) == 3 && file_read(fb, buf, 64, NULL) == 6 &&
	      !memcmp(buf, "hello!", 6));
	CHECK(file_read(fb, buf, 1, NULL) == -EAGAIN);
	/* A pipe's read end in flight, received, then one in flight when the socket closes. */
	CHECK(file_pipe(0, &r, &w) == 0);
	file_get(r);
	struct file *fl[1] = {r};
	CHECK(sock_send(a, "F", 1, fl, 1, &root, fs_root, NULL, NULL) == 1);
	memset(&info, 0, sizeof(info));
	CHECK(sock_recv(b, buf, 64, 0, &info) == 1 && info.nfiles == 1 && info.files[0] == r);
	file_put(info.files[0]);
	file_get(w);
	fl[0] = w;
	CHECK(sock_send(b, "G", 1, fl, 1, &root, fs_root, NULL, NULL) == 1);
	file_put(w);
	CHECK(file_read(r, buf, 1, NULL) == -EAGAIN);	/* the write end is in flight */
	file_put(fa);
	CHECK(file_read(r, buf, 1, NULL) == 0);	/* closed with a's queue */
	CHECK(file_poll(fb, POLLIN | POLLOUT) & POLLHUP);
	CHECK(file_write(fb, "x", 1, NULL) == -EPIPE && file_read(fb, buf, 1, NULL) == -ECONNRESET);
	CHECK(file_read(fb, buf, 1, NULL) == 0);
	file_put(fb);
	file_put(r);

	/* A listener on a path with a connection never accepted, and one accepted. */
	struct sock_name path = name_of("/tmp/sock");
	CHECK(sock_create(SOCK_STREAM, &me, &l) == 0 && sock_bind(l, &root, fs_root, &path, 0755) == 0);
	CHECK(walk("/tmp/sock", &n) == 0 && S_ISSOCK(n->mode) && n->sock == l);
	CHECK(sock_create(SOCK_STREAM, &me, &c) == 0);
	CHECK(sock_connect(c, &root, fs_root, &path, &me) == -ECONNREFUSED);
	CHECK(sock_bind(c, &root, fs_root, &path, 0755) == -EADDRINUSE);
	CHECK(sock_listen(l, 0) == 0 && sock_accept(l, &acc) == -EAGAIN);
	CHECK(sock_connect(c, &root, fs_root, &path, &me) == 0);
	CHECK(sock_send(c, "q", 1, NULL, 0, &root, fs_root, NULL, NULL) == 1);
	CHECK(sock_accept(l, &acc) == 0 && sock_recv(acc, buf, 8, 0, NULL) == 1);
	struct file *facc = file_of_sock(acc, 0);
	struct sock *c2;
	CHECK(sock_create(SOCK_STREAM, &me, &c2) == 0 && sock_connect(c2, &root, fs_root, &path, &me) == 0);
	struct file *fl2 = file_of_sock(l, 0), *fc = file_of_sock(c, 0), *fc2 = file_of_sock(c2, 0);
	file_put(fl2);	/* c2's half in the backlog goes with it */
	CHECK(sock_recv(c2, buf, 1, 0, NULL) == 0);
	CHECK(fs_unlink(&root, fs_root, "/tmp/sock", false) == 0);
	file_put(fc2);
	file_put(facc);
	file_put(fc);

	/* Datagrams keep their boundaries and are cut to the buffer. */
	CHECK(sock_pair(SOCK_DGRAM, &me, &a, &b) == 0);
	fa = file_of_sock(a, 0);
	fb = file_of_sock(b, 0);
	CHECK(file_write(fa, "abc", 3, NULL) == 3 && file_write(fa, "de", 2, NULL) == 2);
	memset(&info, 0, sizeof(info));
	CHECK(sock_recv(b, buf, 2, 0, &info) == 2 && info.truncated);
	CHECK(file_read(fb, buf, 64, NULL) == 2 && !memcmp(buf, "de", 2));
	file_put(fb);
	file_put(fa);

	/* eventfd */
	uint64_t v = 5;
	struct file *e = file_of_eventfd(0, true, 0);
	CHECK(file_read(e, &v, 8, NULL) == -EAGAIN && file_write(e, &v, 8, NULL) == 8);
	CHECK(file_read(e, &v, 8, NULL) == 8 && v == 1 && file_poll(e, POLLIN) == POLLIN);
	v = UINT64_MAX;
	CHECK(file_write(e, &v, 8, NULL) == -EINVAL);
	file_put(e);
}

/*
 * O_APPEND writes of several pieces (append.c): the whole range at the end at
 * once, so another append goes after it; filled in order; what was not
 * written cut off if nothing followed, else left (zeros); a truncate drops
 * the pieces past it; the session's end gives back a dead writer's rest.
 */
TEST(append_reservations)
{
	struct node *n = NULL;
	uint64_t start, other;
	char buf[64];

	boot();
	struct session *s = session_create(&root, fs_root);
	CHECK(s && fs_open(&root, fs_root, "/tmp/log", O_RDWR | O_CREAT, 0600, &n) == 0);
	struct file *f = file_of_node(n, O_WRONLY | O_APPEND), *g = file_of_node(n, O_WRONLY | O_APPEND);
	CHECK(f && g && file_write(f, "ab", 2, NULL) == 2);
	/* A write of 10 in pieces of 4: the file has all 10 at once. */
	CHECK(append_begin(s, f, 1, "0123", 4, 10, APPEND_MOVES_OFFSET, &start) == 4 && start == 2 && n->size == 12);
	CHECK(f->pos == 12 && n->appends && n->appends->done == 4);
	CHECK(file_write(g, "XY", 2, NULL) == 2 && n->size == 14);	/* another append: after it */
	CHECK(append_piece(s, f, 1, "4567", 4, 7) == APPEND_NOT_MINE);	/* not where it continues */
	CHECK(append_piece(s, f, 2, "4567", 4, 6) == APPEND_NOT_MINE);	/* another buffer's */
	CHECK(append_piece(s, f, 1, "45678", 5, 6) == 5 && fs_read(n, 0, buf, 64) == 14 &&
	      !memcmp(buf, "ab012345678\0XY", 14));
	CHECK(append_piece(s, f, 1, "9", 1, 11) == 1 && !n->appends && !s->appends);
	CHECK(fs_read(n, 0, buf, 64) == 14 && !memcmp(buf, "ab0123456789XY", 14));
	/* Given back with nothing after it: cut off, the offset back to its end. */
	CHECK(append_begin(s, f, 1, "ab", 2, 8, APPEND_MOVES_OFFSET, &start) == 2 && start == 14 && n->size == 22);
	CHECK(append_end(s, f, 1) == 1 && n->size == 16 && f->pos == 16 && !n->appends);
	CHECK(append_end(s, f, 1) == 0);
	/* Given back with another append after it: the zeros stay, nothing else moves. */
	CHECK(append_begin(s, f, 1, "cd", 2, 8, APPEND_MOVES_OFFSET, &start) == 2 && n->size == 24);
	CHECK(file_write(g, "Z", 1, NULL) == 1 && n->size == 25);
	CHECK(append_end(s, f, 1) == 1 && n->size == 25 && f->pos == 18 && fs_read(n, 16, buf, 9) == 9 &&
	      !memcmp(buf, "cd\0\0\0\0\0\0Z", 9));
	/* A truncate into it: the pieces past the new end are taken and dropped. */
	CHECK(append_begin(s, f, 3, "ef", 2, 6, APPEND_KEEPS_OFFSET, &other) == 2 && other == 25 && n->size == 31);
	CHECK(f->pos == 18);	/* back to the end of its bytes; a pwrite does not move it */
	CHECK(fs_truncate(n, 28) == 0 && n->appends->end == 28 && n->appends->cut);
	CHECK(file_write(g, "W", 1, NULL) == 1 && n->size == 29);
	CHECK(append_piece(s, f, 3, "ghij", 4, 27) == 4 && n->size == 29 && !s->appends);
	CHECK(fs_read(n, 25, buf, 4) == 4 && !memcmp(buf, "efgW", 4));
	/* A writer that died: its session's end gives back its rest. */
	CHECK(append_begin(s, f, 1, "kl", 2, 100, APPEND_MOVES_OFFSET, &start) == 2 && n->size == 129);
	append_release(s);
	CHECK(n->size == 31 && !n->appends && !s->appends);
	/* No room for the whole: not reserved (the caller writes the piece alone). */
	CHECK(append_begin(s, f, 1, "mn", 2, (uint64_t)1 << 40, APPEND_MOVES_OFFSET, &start) == APPEND_NOT_MINE &&
	      n->size == 31 && !s->appends);
	/* Read-only opens cannot reserve. */
	struct file *r = file_of_node(n, O_RDONLY);
	CHECK(r && append_begin(s, r, 1, "op", 2, 8, APPEND_MOVES_OFFSET, &start) == -EBADF);
	file_put(r);
	file_put(f);
	file_put(g);
	session_destroy(s);
	CHECK(fs_unlink(&root, fs_root, "/tmp/log", false) == 0);
}

/* Sends @f (a reference taken here) through @s with one byte. */
static long send_file(struct sock *s, struct file *f)
{
	struct file *fl[1] = {f};

	file_get(f);
	return sock_send(s, "x", 1, fl, 1, &root, fs_root, NULL, NULL);
}

TEST(sockets_collector)
{
	static const struct sock_cred me = {7, 0, 0};
	struct sock *a = NULL, *b = NULL, *c = NULL, *d = NULL, *l = NULL, *x = NULL;
	struct file *r, *w;
	char buf[8];

	boot();
	/* A socket sent through itself, and a pipe's write end with it, then closed. */
	r = w = NULL;
	CHECK(sock_pair(SOCK_STREAM, &me, &a, &b) == 0 && file_pipe(0, &r, &w) == 0);
	struct file *fa = file_of_sock(a, 0), *fb = file_of_sock(b, 0);
	CHECK(send_file(b, fa) == 1 && send_file(b, w) == 1);
	file_put(w);
	CHECK(!sock_gc_wanted);
	file_put(fa);
	CHECK(sock_gc_wanted);
	sock_gc();
	CHECK(!sock_gc_wanted && file_read(fb, buf, 1, NULL) == 0 && file_read(r, buf, 1, NULL) == 0);
	file_put(fb);
	file_put(r);

	/* Two sent through each other: kept while one has an id, collected when neither has. */
	CHECK(sock_pair(SOCK_STREAM, &me, &a, &b) == 0 && sock_pair(SOCK_STREAM, &me, &c, &d) == 0);
	fa = file_of_sock(a, 0), fb = file_of_sock(b, 0);
	struct file *fc = file_of_sock(c, 0), *fd = file_of_sock(d, 0);
	CHECK(send_file(b, fc) == 1 && send_file(d, fa) == 1);
	file_put(fa);
	sock_gc();
	CHECK(file_read(fb, buf, 1, NULL) == -EAGAIN && file_read(fd, buf, 1, NULL) == -EAGAIN);
	file_put(fc);
	sock_gc();
	CHECK(file_read(fb, buf, 1, NULL) == 0 && file_read(fd, buf, 1, NULL) == 0);
	file_put(fb);
	file_put(fd);

	/* One reached through a socket with an id is received again, and works. */
	struct sock_recv_info info;
	CHECK(sock_pair(SOCK_STREAM, &me, &a, &b) == 0 && sock_pair(SOCK_STREAM, &me, &c, &d) == 0);
	fa = file_of_sock(a, 0), fb = file_of_sock(b, 0), fc = file_of_sock(c, 0), fd = file_of_sock(d, 0);
	CHECK(send_file(d, fa) == 1 && send_file(b, fa) == 1);
	file_put(fa);
	sock_gc();
	memset(&info, 0, sizeof(info));
	CHECK(sock_recv(c, buf, 8, 0, &info) == 1 && info.nfiles == 1 && info.files[0] == fa);
	/* Its own queue's message (which carries it) first, then new data. */
	CHECK(file_write(fb, "y", 1, NULL) == 1 && file_read(fa, buf, 8, NULL) == 1);
	CHECK(file_read(fa, buf, 8, NULL) == 1 && buf[0] == 'y');
	file_put(fa);
	file_put(fb);
	file_put(fc);
	file_put(fd);

	/* A listener sent through a connection it has not accepted. */
	struct sock_name path = name_of("/tmp/gc");
	CHECK(sock_create(SOCK_STREAM, &me, &l) == 0 && sock_bind(l, &root, fs_root, &path, 0755) == 0);
	CHECK(sock_listen(l, 1) == 0 && sock_create(SOCK_STREAM, &me, &x) == 0);
	struct file *fl = file_of_sock(l, 0), *fx = file_of_sock(x, 0);
	CHECK(sock_connect(x, &root, fs_root, &path, &me) == 0 && send_file(x, fl) == 1);
	file_put(fl);
	sock_gc();
	CHECK(file_read(fx, buf, 1, NULL) == 0);
	CHECK(fs_unlink(&root, fs_root, "/tmp/gc", false) == 0);
	file_put(fx);
}

TEST(sockets_waitall_passcred)
{
	static const struct sock_cred me = {7, 0, 0};
	const struct sock_sender one = {{8, 1, 1}, true}, two = {{9, 2, 2}, true};
	struct sock_recv_info info;
	struct sock *a, *b;
	char buf[16];

	boot();
	CHECK(sock_pair(SOCK_STREAM, &me, &a, &b) == 0);
	struct file *fa = file_of_sock(a, 0), *fb = file_of_sock(b, 0);
	CHECK(file_write(fa, "abc", 3, NULL) == 3);
	CHECK(sock_recv(b, buf, 6, MSG_WAITALL, NULL) == -EAGAIN);
	CHECK(sock_recv(b, buf, 3, MSG_WAITALL | MSG_PEEK, NULL) == 3);
	CHECK(file_write(fa, "def", 3, NULL) == 3 && sock_recv(b, buf, 6, MSG_WAITALL, NULL) == 6);
	/* With SO_PASSCRED, a read joins no data of two senders; without, it does. */
	CHECK(sock_send(a, "gh", 2, NULL, 0, NULL, NULL, NULL, &one) == 2);
	CHECK(sock_send(a, "ij", 2, NULL, 0, NULL, NULL, NULL, &two) == 2);
	CHECK(sock_setopt(b, SO_PASSCRED, 1) == 0);
	CHECK(sock_recv(b, buf, 6, MSG_WAITALL, NULL) == 2);
	memset(&info, 0, sizeof(info));
	CHECK(sock_recv(b, buf, 6, 0, &info) == 2 && info.cred.pid == 9 && info.cred.uid == 2);
	CHECK(sock_send(a, "kl", 2, NULL, 0, NULL, NULL, NULL, &one) == 2);
	CHECK(sock_send(a, "mn", 2, NULL, 0, NULL, NULL, NULL, &two) == 2);
	CHECK(sock_setopt(b, SO_PASSCRED, 0) == 0 && sock_recv(b, buf, 6, 0, NULL) == 4);
	/* The end of file ends a MSG_WAITALL wait. */
	CHECK(file_write(fa, "o", 1, NULL) == 1);
	file_put(fa);
	CHECK(sock_recv(b, buf, 6, MSG_WAITALL, NULL) == 1);
	file_put(fb);
}

TEST(sessions)
{
	struct node *n;

	boot();
	struct session *a = session_create(&root, fs_root), *b = session_create(&user, fs_root);
	CHECK(a && b && a->number != b->number && session_find(a->number) == a);
	CHECK(walk("/etc/hostname", &n) == 0);
	struct file *f = file_of_node(n, O_RDONLY);
	int64_t id = session_add(a, f);
	CHECK(id == 0 && session_file(a, 0) == f && session_file(b, 0) == NULL);
	CHECK(session_close(b, 0) == -EBADF && session_close(a, 12345) == -EBADF);
	int64_t last = 0;
	for (int i = 1; i < SESSION_IDS_MAX; i++) {
		file_get(f);
		last = session_add(a, f);
	}
	CHECK(last == SESSION_IDS_MAX - 1);
	file_get(f);
	CHECK(session_add(a, f) == -EMFILE);
	file_put(f);
	CHECK(f->refs == SESSION_IDS_MAX && session_close(a, 7) == 0 && session_file(a, 7) == NULL);
	session_destroy(a);
	CHECK(session_find(a == b ? 0 : b->number) == b);
	session_destroy(b);
	session_destroy(NULL);
}
