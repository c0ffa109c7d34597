/*
 * Hard links and the rest of the calls on names and attributes: link/linkat
 * and st_nlink, data kept while a name or an open descriptor remains, rename
 * between directories with POSIX's edge cases, chown/fchown/lchown,
 * utimensat/futimens, truncate growing and shrinking, O_APPEND, fsync,
 * statfs/fstatfs, umask, O_TMPFILE. Everything is made in a fresh directory under /tmp.
 * Exits with the number of failed checks.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#define TMPFS_MAGIC 0x01021994

static char base[64];
static int veridian;

#define TEST_NAME "links"
#include "check.h"

#define FAILS(expr, err) CHECK((expr) == -1 && errno == (err), #expr " should fail with " #err)

static const char *at(const char *name)
{
	static char paths[8][512];
	static int next;
	char *p = paths[next++ % 8];

	snprintf(p, sizeof(paths[0]), "%s/%s", base, name);
	return p;
}

static int make(const char *name, const char *data)
{
	int fd = open(at(name), O_RDWR | O_CREAT | O_EXCL, 0644);

	if (fd >= 0 && data && write(fd, data, strlen(data)) != (ssize_t)strlen(data)) {
		close(fd);
		return -1;
	}
	return fd;
}

static nlink_t links_of(const char *name)
{
	struct stat st;

	return lstat(at(name), &st) == 0 ? st.st_nlink : 0;
}

static void check_hard_links(void)
{
	struct stat sa, sb;
	char buf[32];
	int fd = make("a", "data");

	CHECK(fd >= 0, "create a");
	close(fd);
	CHECK(link(at("a"), at("b")) == 0, "link");
	CHECK(stat(at("a"), &sa) == 0 && stat(at("b"), &sb) == 0 && sa.st_ino == sb.st_ino &&
		  sa.st_nlink == 2 && sb.st_nlink == 2,
	      "one file, two names: nlink %ld/%ld", (long)sa.st_nlink, (long)sb.st_nlink);
	FAILS(link(at("a"), at("b")), EEXIST);
	FAILS(link(at("missing"), at("c")), ENOENT);
	CHECK(mkdir(at("d"), 0755) == 0, "mkdir");
	FAILS(link(at("d"), at("d2")), EPERM);
	FAILS(link(at("a"), at("missing/c")), ENOENT);
	CHECK(link(at("b"), at("d/c")) == 0 && links_of("a") == 3, "a third name in a subdirectory");
	/* Writes through one name are seen through the others; so is chmod. */
	fd = open(at("d/c"), O_WRONLY | O_APPEND);
	CHECK(fd >= 0 && write(fd, "+more", 5) == 5, "append through d/c");
	close(fd);
	fd = open(at("a"), O_RDONLY);
	CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) == 9 && memcmp(buf, "data+more", 9) == 0,
	      "read through a");
	close(fd);
	CHECK(chmod(at("b"), 0600) == 0 && stat(at("a"), &sa) == 0 && (sa.st_mode & 0777) == 0600,
	      "chmod through b");
	/* getdents gives the file's inode number for every name. */
	DIR *dir = opendir(at("d"));
	struct dirent *e;
	int seen = 0;
	while (dir && (e = readdir(dir)))
		if (!strcmp(e->d_name, "c"))
			seen = e->d_ino == sa.st_ino && e->d_type == DT_REG;
	if (dir)
		closedir(dir);
	CHECK(seen, "d/c lists with the file's inode and DT_REG");
	/* Removing the first name keeps the data for the others. */
	CHECK(unlink(at("a")) == 0 && links_of("b") == 2, "unlink a: nlink %ld", (long)links_of("b"));
	FAILS(stat(at("a"), &sa), ENOENT);
	fd = open(at("b"), O_RDONLY);
	CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) == 9, "b still reads");
	/* rename between two names of one file does nothing (POSIX). */
	CHECK(rename(at("b"), at("d/c")) == 0 && links_of("b") == 2 && links_of("d/c") == 2,
	      "rename onto another name of the same file");
	CHECK(unlink(at("b")) == 0 && unlink(at("d/c")) == 0, "unlink the other names");
	CHECK(fstat(fd, &sa) == 0 && sa.st_nlink == 0, "no names left: nlink %ld", (long)sa.st_nlink);
	CHECK(pread(fd, buf, 4, 0) == 4 && memcmp(buf, "data", 4) == 0, "an open fd keeps the data");
	close(fd);
	/* link does not follow a symbolic link; linkat with AT_SYMLINK_FOLLOW does. */
	fd = make("t", "T");
	close(fd);
	CHECK(symlink("t", at("s")) == 0, "symlink");
	CHECK(link(at("s"), at("s2")) == 0 && lstat(at("s2"), &sa) == 0 && S_ISLNK(sa.st_mode),
	      "link of a symlink is a symlink");
	CHECK(linkat(AT_FDCWD, at("s"), AT_FDCWD, at("t2"), AT_SYMLINK_FOLLOW) == 0 &&
		  lstat(at("t2"), &sa) == 0 && S_ISREG(sa.st_mode) && links_of("t") == 2,
	      "AT_SYMLINK_FOLLOW");
	int dfd = open(at("d"), O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0 && linkat(AT_FDCWD, at("t"), dfd, "t3", 0) == 0 && links_of("d/t3") == 3,
	      "linkat into a directory fd");
	close(dfd);
	FAILS(linkat(AT_FDCWD, at("t"), AT_FDCWD, at("t4"), 0x4000 /* not a flag */), EINVAL);
	const char *rm[] = {"t", "t2", "d/t3", "s", "s2"};
	for (unsigned i = 0; i < sizeof(rm) / sizeof(rm[0]); i++)
		CHECK(unlink(at(rm[i])) == 0, "unlink %s", rm[i]);
	CHECK(rmdir(at("d")) == 0, "rmdir");
}

static void check_rename(void)
{
	struct stat st;
	char buf[8];
	int fd;

	CHECK(mkdir(at("x"), 0755) == 0 && mkdir(at("y"), 0755) == 0 && mkdir(at("x/sub"), 0755) == 0,
	      "mkdirs");
	fd = make("x/f", "1");
	close(fd);
	fd = make("y/g", "2");
	close(fd);
	CHECK(rename(at("x/f"), at("y/f")) == 0 && stat(at("y/f"), &st) == 0, "across directories");
	FAILS(stat(at("x/f"), &st), ENOENT);
	CHECK(rename(at("y/f"), at("y/g")) == 0, "over an existing file");
	fd = open(at("y/g"), O_RDONLY);
	CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) == 1 && buf[0] == '1', "the replacing file's data");
	close(fd);
	CHECK(rename(at("y/g"), at("y/g")) == 0 && stat(at("y/g"), &st) == 0, "onto itself");
	FAILS(rename(at("x"), at("x/sub/in")), EINVAL);
	FAILS(rename(at("x"), at("x/sub")), EINVAL);
	FAILS(rename(at("y/g"), at("x")), EISDIR);
	FAILS(rename(at("x"), at("y/g")), ENOTDIR);
	FAILS(rename(at("missing"), at("y/h")), ENOENT);
	FAILS(rename(at("y/g"), at("missing/h")), ENOENT);
	FAILS(rename(at("y/g/"), at("y/h")), ENOTDIR);
	/* A directory over an empty one: yes; over a non-empty one: ENOTEMPTY. */
	CHECK(mkdir(at("empty"), 0755) == 0 && rename(at("x/sub"), at("empty")) == 0 &&
		  stat(at("empty"), &st) == 0 && S_ISDIR(st.st_mode),
	      "a directory over an empty one");
	FAILS(stat(at("x/sub"), &st), ENOENT);
	CHECK(rename(at("empty"), at("x/sub")) == 0, "and back");
	FAILS(rename(at("x"), at("y")), ENOTEMPTY);
	/* A directory moved keeps its contents; ".." follows it. */
	fd = make("x/sub/deep", "3");
	close(fd);
	CHECK(rename(at("x/sub"), at("y/moved")) == 0 && stat(at("y/moved/deep"), &st) == 0 &&
		  stat(at("y/moved/.."), &st) == 0,
	      "a directory moved between directories");
	struct stat y;
	CHECK(stat(at("y"), &y) == 0 && y.st_ino == st.st_ino, "'..' of the moved directory is y");
	CHECK(unlink(at("y/moved/deep")) == 0 && rmdir(at("y/moved")) == 0 && unlink(at("y/g")) == 0 &&
		  rmdir(at("y")) == 0 && rmdir(at("x")) == 0,
	      "clean up");
}

static void check_attributes(void)
{
	struct stat st;
	char buf[64];
	int fd = make("attr", "0123456789");

	CHECK(fd >= 0, "create");
	/* chown: to one's own ids always; to others' only as root. */
	CHECK(chown(at("attr"), getuid(), getgid()) == 0 && fchown(fd, (uid_t)-1, (gid_t)-1) == 0,
	      "chown to one's own ids");
	CHECK(symlink("attr", at("ln")) == 0 && lchown(at("ln"), getuid(), getgid()) == 0, "lchown");
	if (getuid() == 0) {
		CHECK(fchmod(fd, 04755) == 0 && fchown(fd, 1234, 5678) == 0 && fstat(fd, &st) == 0 &&
			  st.st_uid == 1234 && st.st_gid == 5678 && !(st.st_mode & S_ISUID),
		      "root gives the file away (set-user-ID dropped): mode %o", (unsigned)st.st_mode);
		CHECK(lchown(at("ln"), 42, 43) == 0 && lstat(at("ln"), &st) == 0 && st.st_uid == 42 &&
			  stat(at("ln"), &st) == 0 && st.st_uid == 1234,
		      "lchown changes the link only");
		CHECK(fchownat(AT_FDCWD, at("attr"), 0, 0, 0) == 0, "fchownat back");
	} else {
		FAILS(chown(at("attr"), 0, 0), EPERM);
		FAILS(fchown(fd, 0, (gid_t)-1), EPERM);
	}
	FAILS(chown(at("missing"), 0, 0), ENOENT);
	FAILS(fchown(-1, 0, 0), EBADF);
	/* Timestamps. */
	struct timespec ts[2] = {{1000, 500}, {2000, 999999999}};
	CHECK(utimensat(AT_FDCWD, at("attr"), ts, 0) == 0 && stat(at("attr"), &st) == 0 &&
		  st.st_atim.tv_sec == 1000 && st.st_atim.tv_nsec == 500 && st.st_mtim.tv_sec == 2000 &&
		  st.st_mtim.tv_nsec == 999999999,
	      "utimensat: %lld.%ld %lld.%ld", (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
	      (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	struct timespec omit[2] = {{5, UTIME_OMIT}, {3000, 0}};
	CHECK(futimens(fd, omit) == 0 && fstat(fd, &st) == 0 && st.st_atim.tv_sec == 1000 &&
		  st.st_mtim.tv_sec == 3000 && st.st_mtim.tv_nsec == 0,
	      "futimens with UTIME_OMIT");
	struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
	FAILS(utimensat(AT_FDCWD, at("attr"), bad, 0), EINVAL);
	time_t t0 = time(NULL);
	CHECK(futimens(fd, NULL) == 0 && fstat(fd, &st) == 0 && st.st_mtim.tv_sec >= t0 - 1 &&
		  st.st_mtim.tv_sec <= time(NULL) && st.st_atim.tv_sec == st.st_mtim.tv_sec,
	      "futimens(NULL): now (%lld, %lld)", (long long)st.st_mtim.tv_sec, (long long)t0);
	CHECK(utimensat(AT_FDCWD, at("attr"), ts, 0) == 0 && write(fd, "x", 1) == 1 &&
		  fstat(fd, &st) == 0 && st.st_mtim.tv_sec >= t0 - 1 && st.st_atim.tv_sec == 1000,
	      "a write stamps mtime");
	/* truncate grows with zeros and shrinks; growing again shows no old data. */
	CHECK(ftruncate(fd, 10000) == 0 && fstat(fd, &st) == 0 && st.st_size == 10000, "grow");
	CHECK(pread(fd, buf, 4, 9000) == 4 && !memcmp(buf, "\0\0\0\0", 4), "zeros after growth");
	CHECK(truncate(at("attr"), 3) == 0 && fstat(fd, &st) == 0 && st.st_size == 3, "shrink");
	CHECK(ftruncate(fd, 8) == 0 && pread(fd, buf, 8, 0) == 8 && !memcmp(buf, "012\0\0\0\0\0", 8),
	      "grown again: zeros");
	/* O_APPEND writes at the end whatever the offset. */
	int ap = open(at("attr"), O_WRONLY | O_APPEND);
	CHECK(ap >= 0 && lseek(ap, 0, SEEK_SET) == 0 && write(ap, "END", 3) == 3 &&
		  lseek(ap, 0, SEEK_CUR) == 11 && pread(fd, buf, 3, 8) == 3 && !memcmp(buf, "END", 3),
	      "O_APPEND");
	close(ap);
	CHECK(fsync(fd) == 0 && fdatasync(fd) == 0, "fsync, fdatasync");
	FAILS(fsync(-1), EBADF);
	/* statfs/fstatfs. */
	struct statfs sf, ff;
	CHECK(statfs(at("attr"), &sf) == 0 && fstatfs(fd, &ff) == 0 && sf.f_type == ff.f_type &&
		  sf.f_bsize > 0 && sf.f_namelen == 255 && sf.f_blocks >= sf.f_bfree,
	      "statfs: type %lx", (unsigned long)sf.f_type);
	if (veridian)
		CHECK(sf.f_type == TMPFS_MAGIC && sf.f_blocks > 0, "/tmp is a tmpfs with a size");
	FAILS(statfs(at("missing"), &sf), ENOENT);
	FAILS(fstatfs(-1, &sf), EBADF);
	close(fd);
	CHECK(unlink(at("attr")) == 0 && unlink(at("ln")) == 0, "unlink");
}

/* O_TMPFILE: a file in no directory until it is closed. */
static void check_tmpfile(void)
{
	struct stat st;
	char buf[8];
	int fd = open(base, O_TMPFILE | O_RDWR, 0640);

	CHECK(fd >= 0, "O_TMPFILE");
	CHECK(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 0 &&
		  (st.st_mode & 0777) == 0640,
	      "a regular file with no name: nlink %ld mode %o", (long)st.st_nlink, (unsigned)st.st_mode);
	CHECK(write(fd, "tmp", 3) == 3 && pread(fd, buf, 3, 0) == 3 && !memcmp(buf, "tmp", 3),
	      "write and read it");
	DIR *d = opendir(base);
	struct dirent *e;
	int names = 0;
	while (d && (e = readdir(d)))
		names += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	CHECK(names == 0, "the directory lists %d names", names);
	/* linkat(AT_EMPTY_PATH) names it (root only: Linux wants CAP_DAC_READ_SEARCH). */
	if (getuid() == 0) {
		CHECK(linkat(fd, "", AT_FDCWD, at("named"), AT_EMPTY_PATH) == 0 &&
			  stat(at("named"), &st) == 0 && st.st_nlink == 1 && st.st_size == 3,
		      "linkat(AT_EMPTY_PATH) names it: nlink %ld", (long)st.st_nlink);
		FAILS(linkat(fd, "", AT_FDCWD, at("named"), AT_EMPTY_PATH), EEXIST);
		close(fd);
		fd = open(at("named"), O_RDONLY);
		CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) == 3 && !memcmp(buf, "tmp", 3), "read it back");
		CHECK(unlink(at("named")) == 0, "unlink");
		/* One that is unlinked (not O_TMPFILE) cannot be named again. */
		int g = make("gone", "x");
		CHECK(g >= 0 && unlink(at("gone")) == 0, "create and unlink");
		FAILS(linkat(g, "", AT_FDCWD, at("back"), AT_EMPTY_PATH), ENOENT);
		close(g);
	} else {
		FAILS(linkat(fd, "", AT_FDCWD, at("named"), AT_EMPTY_PATH), ENOENT);
	}
	close(fd);
	FAILS(open(base, O_TMPFILE | O_RDONLY, 0600), EINVAL);
	fd = make("plain", NULL);
	close(fd);
	FAILS(open(at("plain"), O_TMPFILE | O_RDWR, 0600), ENOTDIR);
	FAILS(open(at("missing"), O_TMPFILE | O_RDWR, 0600), ENOENT);
	CHECK(unlink(at("plain")) == 0, "unlink");
}

static void check_umask_access(void)
{
	struct stat st;
	mode_t old = umask(027);

	CHECK(umask(027) == 027, "umask returns the old mask");
	int fd = open(at("m"), O_WRONLY | O_CREAT, 0666);
	CHECK(fd >= 0 && fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0640, "file: %o",
	      (unsigned)st.st_mode & 0777);
	close(fd);
	CHECK(mkdir(at("md"), 0777) == 0 && stat(at("md"), &st) == 0 && (st.st_mode & 0777) == 0750,
	      "directory: %o", (unsigned)st.st_mode & 0777);
	CHECK(mkfifo(at("mf"), 0666) == 0 && stat(at("mf"), &st) == 0 && (st.st_mode & 0777) == 0640,
	      "fifo: %o", (unsigned)st.st_mode & 0777);
	umask(old);
	CHECK(access(at("m"), R_OK | W_OK) == 0 && faccessat(AT_FDCWD, at("md"), X_OK, 0) == 0,
	      "access");
	FAILS(access(at("missing"), F_OK), ENOENT);
	FAILS(access(at("m/x"), F_OK), ENOTDIR);
	FAILS(access(at("m"), 0x100), EINVAL);
	CHECK(unlink(at("m")) == 0 && rmdir(at("md")) == 0 && unlink(at("mf")) == 0, "clean up");
}

int main(void)
{
	veridian = getenv("VERIDIAN_TEST") != NULL;
	snprintf(base, sizeof(base), "/tmp/links.%d", (int)getpid());
	if (mkdir(base, 0755) != 0) {
		printf("links: cannot make %s (errno %d)\n", base, errno);
		return 1;
	}
	check_hard_links();
	check_rename();
	check_attributes();
	check_umask_access();
	check_tmpfile();
	CHECK(rmdir(base) == 0, "remove %s", base);
	printf("links: %s (%d failed)\n", failures ? "FAIL" : "PASS", failures);
	return failures;
}
