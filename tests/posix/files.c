/*
 * Files and directories through the vfs server: open/read/write/seek,
 * attributes, listing, renames, links, the working directory, descriptors
 * (dup, fcntl), devices, and the errors Linux gives. Everything is made in a
 * fresh directory under /tmp; checks of the initrd itself run only on
 * VeridianOS (VERIDIAN_TEST set). Exits with the number of failed checks.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

static char base[64];
static int veridian;

#define TEST_NAME "files"
#include "check.h"

/* Checks that @expr fails with @err. */
#define FAILS(expr, err) CHECK((expr) == -1 && errno == (err), #expr " should fail with " #err)

static const char *at(const char *name)
{
	static char paths[8][512];
	static int next;
	char *p = paths[next++ % 8];

	snprintf(p, sizeof(paths[0]), "%s/%s", base, name);
	return p;
}

static void check_read_write(void)
{
	static char big[20000], back[20000];
	char buf[64];
	int fd = open(at("f"), O_RDWR | O_CREAT | O_EXCL, 0644);

	CHECK(fd >= 0, "create");
	CHECK(write(fd, "hello, world", 12) == 12, "write");
	CHECK(lseek(fd, 0, SEEK_CUR) == 12, "offset after write");
	CHECK(lseek(fd, 7, SEEK_SET) == 7 && read(fd, buf, sizeof(buf)) == 5 &&
		  memcmp(buf, "world", 5) == 0,
	      "seek and read");
	CHECK(read(fd, buf, sizeof(buf)) == 0, "end of file");
	CHECK(pwrite(fd, "W", 1, 7) == 1 && pread(fd, buf, 5, 7) == 5 && memcmp(buf, "World", 5) == 0,
	      "pread/pwrite");
	CHECK(lseek(fd, 0, SEEK_CUR) == 12, "pread/pwrite keep the offset");
	CHECK(lseek(fd, 0, SEEK_END) == 12 && lseek(fd, -20, SEEK_CUR) == -1 && errno == EINVAL,
	      "seek before the start");
	/* More than one request's worth (VFS_IO_MAX) each way. */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 31 + 7);
	CHECK(pwrite(fd, big, sizeof(big), 100) == (ssize_t)sizeof(big), "large write");
	CHECK(pread(fd, back, sizeof(back), 100) == (ssize_t)sizeof(back) &&
		  memcmp(big, back, sizeof(big)) == 0,
	      "large read");
	struct stat st;
	CHECK(fstat(fd, &st) == 0 && st.st_size == 100 + (off_t)sizeof(big) && S_ISREG(st.st_mode) &&
		  (st.st_mode & 0777) == 0644,
	      "fstat size %lld mode %o", (long long)st.st_size, (unsigned)st.st_mode);
	CHECK(pread(fd, buf, 10, 5) == 10 && memcmp(buf, ", World\0\0\0", 10) == 0,
	      "the hole reads as zeros");
	/* readv and writev. */
	struct iovec iov[2] = {{"ab", 2}, {"cde", 3}};
	CHECK(lseek(fd, 0, SEEK_SET) == 0 && writev(fd, iov, 2) == 5, "writev");
	char x[2], y[3];
	struct iovec riov[2] = {{x, 2}, {y, 3}};
	CHECK(lseek(fd, 0, SEEK_SET) == 0 && readv(fd, riov, 2) == 5 && memcmp(x, "ab", 2) == 0 &&
		  memcmp(y, "cde", 3) == 0,
	      "readv");
	/* Truncation. */
	CHECK(ftruncate(fd, 3) == 0 && fstat(fd, &st) == 0 && st.st_size == 3, "ftruncate");
	CHECK(truncate(at("f"), 10) == 0 && stat(at("f"), &st) == 0 && st.st_size == 10, "truncate");
	FAILS(ftruncate(fd, -1), EINVAL);
	CHECK(close(fd) == 0, "close");
	FAILS(close(fd), EBADF);
	/* Access modes, O_APPEND, O_TRUNC, O_EXCL. */
	fd = open(at("f"), O_RDONLY);
	FAILS(write(fd, "x", 1), EBADF);
	FAILS(ftruncate(fd, 0), EINVAL);
	close(fd);
	fd = open(at("f"), O_WRONLY | O_APPEND);
	FAILS(read(fd, buf, 1), EBADF);
	CHECK(write(fd, "Z", 1) == 1 && stat(at("f"), &st) == 0 && st.st_size == 11, "append");
	close(fd);
	fd = open(at("f"), O_WRONLY | O_TRUNC);
	CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0, "O_TRUNC");
	close(fd);
	FAILS(open(at("f"), O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
	CHECK(unlink(at("f")) == 0, "unlink");
}

static void check_errors(void)
{
	char buf[16];
	int fd;

	FAILS(open(at("missing/x"), O_RDONLY), ENOENT);
	FAILS(open(at("missing/x"), O_WRONLY | O_CREAT, 0644), ENOENT);
	FAILS(read(999, buf, 1), EBADF);
	FAILS(write(-1, buf, 1), EBADF);
	FAILS(close(1000), EBADF);
	struct stat st;
	FAILS(fstat(998, &st), EBADF);
	FAILS(lseek(997, 0, SEEK_SET), EBADF);
	CHECK((fd = open(at("file"), O_WRONLY | O_CREAT, 0644)) >= 0, "create file");
	close(fd);
	FAILS(open(at("file/x"), O_RDONLY), ENOTDIR);
	FAILS(mkdir(at("file/x"), 0755), ENOTDIR);
	FAILS(open(at("file/"), O_RDONLY), ENOTDIR);
	FAILS(open(at("file"), O_RDONLY | O_DIRECTORY), ENOTDIR);
	FAILS(rmdir(at("file")), ENOTDIR);
	CHECK(mkdir(at("dir"), 0755) == 0, "mkdir");
	FAILS(mkdir(at("dir"), 0755), EEXIST);
	FAILS(mkdir(at("file"), 0755), EEXIST);
	FAILS(open(at("dir"), O_WRONLY), EISDIR);
	FAILS(open(at("dir"), O_RDWR | O_CREAT, 0644), EISDIR);
	FAILS(unlink(at("dir")), EISDIR);
	CHECK((fd = open(at("dir"), O_RDONLY)) >= 0, "open a directory");
	FAILS(read(fd, buf, sizeof(buf)), EISDIR);
	close(fd);
	CHECK((fd = open(at("dir/inner"), O_WRONLY | O_CREAT, 0644)) >= 0, "create in dir");
	close(fd);
	FAILS(rmdir(at("dir")), ENOTEMPTY);
	FAILS(rmdir(at("dir/.")), EINVAL);
	FAILS(rename(at("dir"), at("dir/inner2")), EINVAL);
	FAILS(rename(at("file"), at("dir")), EISDIR);
	FAILS(rename(at("dir"), at("file")), ENOTDIR);
	char name[300];
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	FAILS(open(at(name), O_RDONLY), ENAMETOOLONG);
	FAILS(open("", O_RDONLY), ENOENT);
	/* A bad buffer: the call fails, nothing crashes. */
	CHECK((fd = open(at("file"), O_RDWR)) >= 0, "reopen");
	FAILS(write(fd, (const void *)16, 8), EFAULT);
	CHECK(write(fd, "abcdefgh", 8) == 8 && lseek(fd, 0, SEEK_SET) == 0, "write, rewind");
	FAILS(read(fd, (void *)16, 8), EFAULT);
	FAILS(open((const char *)16, O_RDONLY), EFAULT);
	close(fd);
	CHECK(unlink(at("dir/inner")) == 0 && rmdir(at("dir")) == 0 && unlink(at("file")) == 0,
	      "clean up");
	FAILS(unlink(at("file")), ENOENT);
	FAILS(rmdir(at("dir")), ENOENT);
}

/* Opening more descriptors than the limit gives EMFILE, and closing them makes room again. */
/*
 * Paths wherever they lie: across a page boundary, longer than one piece of
 * the copy, ending at the last byte before an unreadable page (fine) or
 * running into it (EFAULT), and too long (ENAMETOOLONG).
 */
static void check_path_pages(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, (size_t)page * 3, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	static char huge[6000];
	char name[sizeof(base) + 8];
	int fd;

	CHECK(m != MAP_FAILED && mprotect(m + 2 * page, (size_t)page, PROT_NONE) == 0, "pages");
	if (m == MAP_FAILED)
		return;
	snprintf(name, sizeof(name), "%s/edge", base);
	size_t len = strlen(name) + 1;
	char *edge = m + 2 * page - len;	/* its NUL is the last readable byte */
	memcpy(edge, name, len);
	CHECK((fd = open(edge, O_CREAT | O_RDWR, 0600)) >= 0, "a path ending at an unreadable page");
	close(fd);
	/* 300 bytes across the boundary of the first two pages: "<base>/././.../edge". */
	char *cross = m + page - 100;
	size_t n = (size_t)snprintf(cross, 400, "%s/", base);
	while (n < 290) {
		memcpy(cross + n, "./", 2);
		n += 2;
	}
	memcpy(cross + n, "edge", 5);
	CHECK((fd = open(cross, O_RDONLY)) >= 0, "a path across a page boundary");
	close(fd);
	memset(m + 2 * page - 10, 'a', 10);	/* no NUL before the unreadable page */
	FAILS(open(m + 2 * page - 10, O_RDONLY), EFAULT);
	memset(huge, '/', sizeof(huge) - 1);	/* 5,999 bytes: longer than PATH_MAX */
	FAILS(open(huge, O_RDONLY), ENAMETOOLONG);
	CHECK(unlink(at("edge")) == 0, "unlink edge");
	munmap(m, (size_t)page * 3);
}

static void check_emfile(void)
{
	static int fds[5000];
	int n = 0;

	if (!veridian) {
		struct rlimit rl = {256, 256};
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	for (; n < 5000; n++) {
		fds[n] = open("/dev/null", O_RDONLY);
		if (fds[n] < 0)
			break;
	}
	CHECK(n < 5000 && errno == EMFILE, "EMFILE after %d descriptors", n);
	while (n--)
		close(fds[n]);
	int fd = open("/dev/null", O_RDONLY);
	CHECK(fd >= 0, "open after closing");
	close(fd);
}

static void check_directories(void)
{
	int fd;
	char cwd[256], buf[256];

	CHECK(mkdir(at("d"), 0755) == 0 && mkdir(at("d/sub"), 0700) == 0, "mkdir");
	const char *names[] = {"a", "b", "c"};
	for (int i = 0; i < 3; i++) {
		snprintf(buf, sizeof(buf), "d/%s", names[i]);
		CHECK((fd = open(at(buf), O_WRONLY | O_CREAT, 0600)) >= 0, "create %s", buf);
		close(fd);
	}
	DIR *dir = opendir(at("d"));
	int seen = 0, dots = 0;
	struct dirent *e;
	CHECK(dir != NULL, "opendir");
	while (dir && (e = readdir(dir))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			dots++;
		else if (strlen(e->d_name) == 1 && e->d_name[0] >= 'a' && e->d_name[0] <= 'c') {
			seen |= 1 << (e->d_name[0] - 'a');
			CHECK(e->d_type == DT_REG, "type of %s", e->d_name);
		} else if (!strcmp(e->d_name, "sub")) {
			seen |= 8;
			CHECK(e->d_type == DT_DIR, "type of sub");
		} else {
			CHECK(0, "unexpected entry %s", e->d_name);
		}
	}
	CHECK(seen == 15 && dots == 2, "listing: seen %x dots %d", seen, dots);
	if (dir)
		closedir(dir);
	/* The working directory. */
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL, "getcwd");
	CHECK(chdir(at("d")) == 0 && getcwd(buf, sizeof(buf)) && !strcmp(buf, at("d")),
	      "chdir: now %s", buf);
	CHECK(access("a", F_OK) == 0 && access("a", R_OK | W_OK) == 0, "relative access");
	FAILS(access("zz", F_OK), ENOENT);
	CHECK(chdir("sub") == 0 && chdir("..") == 0 && getcwd(buf, sizeof(buf)) && !strcmp(buf, at("d")),
	      "chdir ..");
	FAILS(chdir("a"), ENOTDIR);
	CHECK(getcwd(buf, 3) == NULL && errno == ERANGE, "getcwd into a small buffer");
	int dfd = open(at("d/sub"), O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0 && fchdir(dfd) == 0 && getcwd(buf, sizeof(buf)) && !strcmp(buf, at("d/sub")),
	      "fchdir");
	CHECK(chdir(cwd) == 0, "back");
	/* The *at calls relative to an open directory. */
	CHECK((fd = openat(dfd, "x", O_WRONLY | O_CREAT, 0644)) >= 0, "openat");
	close(fd);
	CHECK(mkdirat(dfd, "y", 0755) == 0, "mkdirat");
	CHECK(renameat(dfd, "x", dfd, "y/x") == 0, "renameat");
	struct stat st;
	CHECK(fstatat(dfd, "y/x", &st, 0) == 0 && S_ISREG(st.st_mode), "fstatat");
	FAILS(unlinkat(dfd, "y", AT_REMOVEDIR), ENOTEMPTY);
	CHECK(unlinkat(dfd, "y/x", 0) == 0 && unlinkat(dfd, "y", AT_REMOVEDIR) == 0, "unlinkat");
	close(dfd);
	/* rename over an existing file and an empty directory. */
	CHECK(rename(at("d/a"), at("d/b")) == 0, "rename over a file");
	FAILS(stat(at("d/a"), &st), ENOENT);
	CHECK(mkdir(at("d/e"), 0755) == 0 && rename(at("d/sub"), at("d/e")) == 0, "rename over a dir");
	CHECK(stat(at("d/e"), &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700,
	      "the moved directory");
	/* chmod, fchmod, umask. */
	CHECK(chmod(at("d/b"), 0640) == 0 && stat(at("d/b"), &st) == 0 && (st.st_mode & 0777) == 0640,
	      "chmod");
	fd = open(at("d/c"), O_RDONLY);
	CHECK(fchmod(fd, 0604) == 0 && fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0604, "fchmod");
	close(fd);
	mode_t old = umask(077);
	CHECK((fd = open(at("d/m"), O_WRONLY | O_CREAT, 0666)) >= 0 && fstat(fd, &st) == 0 &&
		  (st.st_mode & 0777) == 0600,
	      "umask: mode %o", (unsigned)st.st_mode & 0777);
	close(fd);
	umask(old);
	const char *rm[] = {"d/b", "d/c", "d/m"};
	for (int i = 0; i < 3; i++)
		CHECK(unlink(at(rm[i])) == 0, "unlink %s", rm[i]);
	CHECK(rmdir(at("d/e")) == 0 && rmdir(at("d")) == 0, "rmdir");
}

static void check_links(void)
{
	char buf[256];
	struct stat st;
	int fd;

	CHECK((fd = open(at("target"), O_WRONLY | O_CREAT, 0644)) >= 0 && write(fd, "T", 1) == 1,
	      "target");
	close(fd);
	CHECK(symlink("target", at("link")) == 0, "symlink");
	FAILS(symlink("x", at("link")), EEXIST);
	ssize_t n = readlink(at("link"), buf, sizeof(buf));
	CHECK(n == 6 && memcmp(buf, "target", 6) == 0, "readlink: %zd", n);
	FAILS(readlink(at("target"), buf, sizeof(buf)), EINVAL);
	CHECK(stat(at("link"), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 1, "stat follows");
	CHECK(lstat(at("link"), &st) == 0 && S_ISLNK(st.st_mode), "lstat does not");
	CHECK((fd = open(at("link"), O_RDONLY)) >= 0 && read(fd, buf, 1) == 1 && buf[0] == 'T',
	      "open through a link");
	close(fd);
	FAILS(open(at("link"), O_RDONLY | O_NOFOLLOW), ELOOP);
	CHECK(symlink("loop2", at("loop1")) == 0 && symlink("loop1", at("loop2")) == 0, "loop");
	FAILS(open(at("loop1"), O_RDONLY), ELOOP);
	FAILS(stat(at("loop2/x"), &st), ELOOP);
	CHECK(symlink(base, at("self")) == 0 && stat(at("self/self/self/target"), &st) == 0,
	      "a link to a directory");
	CHECK(symlink("nowhere", at("dangling")) == 0, "dangling link");
	FAILS(stat(at("dangling"), &st), ENOENT);
	CHECK(lstat(at("dangling"), &st) == 0, "lstat of a dangling link");
	const char *rm[] = {"link", "loop1", "loop2", "self", "dangling", "target"};
	for (int i = 0; i < 6; i++)
		CHECK(unlink(at(rm[i])) == 0, "unlink %s", rm[i]);
}

static void check_descriptors(void)
{
	char buf[8];
	int fd = open(at("dups"), O_RDWR | O_CREAT, 0644);

	CHECK(write(fd, "0123456789", 10) == 10, "write");
	int d = dup(fd);
	CHECK(d > fd, "dup");
	CHECK(lseek(d, 2, SEEK_SET) == 2 && read(fd, buf, 2) == 2 && memcmp(buf, "23", 2) == 0,
	      "dup shares the offset");
	CHECK(dup2(fd, 100) == 100 && lseek(100, 0, SEEK_CUR) == 4, "dup2");
	CHECK(dup2(100, 100) == 100, "dup2 onto itself");
	FAILS(dup2(555, 101), EBADF);
	FAILS(dup3(fd, fd, 0), EINVAL);
	CHECK(dup3(fd, 101, O_CLOEXEC) == 101 && fcntl(101, F_GETFD) == FD_CLOEXEC, "dup3 cloexec");
	CHECK(fcntl(fd, F_GETFD) == 0 && fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 &&
		  fcntl(fd, F_GETFD) == FD_CLOEXEC && fcntl(d, F_GETFD) == 0,
	      "FD_CLOEXEC belongs to the descriptor");
	int h = fcntl(fd, F_DUPFD, 50);
	CHECK(h == 50 && fcntl(fd, F_DUPFD_CLOEXEC, 50) == 51 && fcntl(51, F_GETFD) == FD_CLOEXEC,
	      "F_DUPFD");
	CHECK((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR, "F_GETFL");
	CHECK(fcntl(fd, F_SETFL, O_APPEND) == 0 && (fcntl(d, F_GETFL) & O_APPEND), "F_SETFL shared");
	FAILS(fcntl(777, F_GETFD), EBADF);
	close(fd);
	CHECK(read(d, buf, 1) == 1, "the dup lives on after close");
	int all[] = {d, 100, 101, 50, 51};
	for (int i = 0; i < 5; i++)
		CHECK(close(all[i]) == 0, "close %d", all[i]);
	FAILS(close(100), EBADF);
	CHECK(unlink(at("dups")) == 0, "unlink");
	/* An unlinked open file stays readable. */
	fd = open(at("gone"), O_RDWR | O_CREAT, 0644);
	CHECK(write(fd, "abc", 3) == 3 && unlink(at("gone")) == 0, "unlink open file");
	CHECK(pread(fd, buf, 3, 0) == 3 && memcmp(buf, "abc", 3) == 0, "read after unlink");
	close(fd);
}

static void check_devices(void)
{
	char buf[32];
	int fd = open("/dev/null", O_RDWR);

	CHECK(fd >= 0 && write(fd, "x", 1) == 1 && read(fd, buf, sizeof(buf)) == 0, "/dev/null");
	CHECK(!isatty(fd) && errno == ENOTTY, "/dev/null is not a terminal");
	close(fd);
	fd = open("/dev/zero", O_RDONLY);
	memset(buf, 1, sizeof(buf));
	CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) == sizeof(buf) && buf[0] == 0 && buf[31] == 0,
	      "/dev/zero");
	close(fd);
	fd = open("/dev/full", O_WRONLY);
	FAILS(write(fd, "x", 1), ENOSPC);
	close(fd);
	fd = open("/dev/urandom", O_RDONLY);
	CHECK(fd >= 0 && read(fd, buf, 16) == 16, "/dev/urandom");
	close(fd);
	fd = open(at("plain"), O_RDWR | O_CREAT, 0644);
	CHECK(!isatty(fd), "a file is not a terminal");
	struct pollfd p = {fd, POLLIN | POLLOUT, 0};
	CHECK(poll(&p, 1, 0) == 1 && (p.revents & (POLLIN | POLLOUT)) == (POLLIN | POLLOUT),
	      "poll on a file: %x", p.revents);
	close(fd);
	unlink(at("plain"));
	if (veridian)
		CHECK(isatty(1), "fd 1 (the console) is a terminal");
}

/* The initrd: its files read, and it is read-only. */
static void check_initrd(void)
{
	char buf[64];
	int fd = open("/etc/passwd", O_RDONLY);

	CHECK(fd >= 0 && read(fd, buf, 5) == 5 && memcmp(buf, "root:", 5) == 0, "/etc/passwd");
	close(fd);
	if (!veridian)
		return;
	fd = open("/etc/hostname", O_RDONLY);
	CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) == 9 && memcmp(buf, "veridian\n", 9) == 0,
	      "/etc/hostname");
	close(fd);
	FAILS(open("/etc/hostname", O_WRONLY), EROFS);
	FAILS(open("/etc/new", O_WRONLY | O_CREAT, 0644), EROFS);
	FAILS(mkdir("/etc/new", 0755), EROFS);
	FAILS(unlink("/etc/hostname"), EROFS);
	FAILS(mkdir("/etc", 0755), EEXIST);
	FAILS(rename(at("x"), "/etc/x"), EXDEV);
	struct stat st;
	CHECK(stat("/sbin/vfs", &st) == 0 && (st.st_mode & 0111), "/sbin/vfs");
	DIR *d = opendir("/test");
	int n = 0;
	while (d && readdir(d))
		n++;
	CHECK(n >= 4, "/test lists %d entries", n);
	if (d)
		closedir(d);
}

int main(void)
{
	veridian = getenv("VERIDIAN_TEST") != NULL;
	snprintf(base, sizeof(base), "/tmp/files-XXXXXX");
	if (!mkdtemp(base)) {
		printf("files: FAIL: mkdtemp (errno %d)\n", errno);
		return 1;
	}
	check_read_write();
	check_errors();
	check_path_pages();
	check_emfile();
	check_directories();
	check_links();
	check_descriptors();
	check_devices();
	check_initrd();
	CHECK(rmdir(base) == 0, "remove %s", base);
	printf("files: %d checks failed\n", failures);
	return failures;
}
