/*
 * Advisory file locks: fcntl's record locks (F_GETLK, F_SETLK, F_SETLKW:
 * ranges, read and write, splitting and merging, SEEK_CUR/SEEK_END and
 * negative lengths, released by any close of the file by the process and by
 * its end, not inherited by fork, EAGAIN, EDEADLK for two processes waiting
 * for each other, EINTR for a wait a signal interrupts), the OFD locks
 * (F_OFD_*: per open file description, inherited across fork and dup,
 * conflicting with record locks) and flock (LOCK_SH/EX/UN/NB), and bad
 * arguments. Processes synchronise through pipes; nothing depends on timing.
 * Exits with the number of failed checks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define TEST_NAME "locks"
#include "check.h"

static char path[64];

static int lk(int fd, int cmd, int type, int whence, off_t start, off_t len)
{
	struct flock fl = {.l_type = (short)type, .l_whence = (short)whence, .l_start = start, .l_len = len};

	return fcntl(fd, cmd, &fl);
}

/* F_GETLK (or F_OFD_GETLK) of a write lock on [start, start + len): what is in the way. */
static struct flock getlk(int fd, int cmd, off_t start, off_t len)
{
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = start, .l_len = len};

	if (fcntl(fd, cmd, &fl) != 0)
		fl.l_type = -1;
	return fl;
}

/* Whether F_GETLK on [start, start + len) finds a lock of @type at [lstart, lstart + llen) of @pid. */
static int sees(int fd, off_t start, off_t len, int type, off_t lstart, off_t llen, pid_t pid)
{
	struct flock fl = getlk(fd, F_GETLK, start, len);

	if (fl.l_type != type)
		return 0;
	return type == F_UNLCK ||
	       (fl.l_whence == SEEK_SET && fl.l_start == lstart && fl.l_len == llen && fl.l_pid == pid);
}

static int open_file(int flags)
{
	return open(path, flags);
}

static void put(int fd, char c)
{
	CHECK(write(fd, &c, 1) == 1, "pipe write");
}

static char get(int fd)
{
	char c = 0;

	CHECK(read(fd, &c, 1) == 1, "pipe read");
	return c;
}

/* Waits for @pid and adds its exit status (its failed checks) to ours; returns that status. */
static int reap(pid_t pid)
{
	int status = 0;

	CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
	CHECK(WIFEXITED(status), "child ended by a signal (status %#x)", status);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* Record locks seen from another process: ranges, types, splitting, merging, conflicts. */
static void check_ranges(void)
{
	int fd = open_file(O_RDWR), to_child[2], to_parent[2];
	pid_t me = getpid();

	CHECK(fd >= 0, "open");
	CHECK(pipe(to_child) == 0 && pipe(to_parent) == 0, "pipe");
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10) == 0, "write lock [0,10)");
	CHECK(lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 20, 10) == 0, "read lock [20,30)");
	/* Merging: two touching read locks become one. */
	CHECK(lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 30, 10) == 0, "read lock [30,40)");
	/* SEEK_CUR, SEEK_END and a negative length. */
	CHECK(lseek(fd, 50, SEEK_SET) == 50, "lseek");
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_CUR, 0, 5) == 0, "write lock SEEK_CUR [50,55)");
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 70, -5) == 0, "write lock [65,70) by a negative length");
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_END, -10, 5) == 0, "write lock SEEK_END [90,95)");
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 1000, 0) == 0, "write lock [1000,EOF)");
	/* Splitting: a read lock in the middle of a write lock. */
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 200, 100) == 0, "write lock [200,300)");
	CHECK(lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 240, 20) == 0, "read lock [240,260) inside it");
	CHECK(lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 280, 10) == 0, "unlock [280,290)");
	/* Our own locks are never in our way. */
	CHECK(sees(fd, 0, 0, F_UNLCK, 0, 0, 0), "F_GETLK ignores the caller's own locks");
	pid_t pid = fork();
	if (pid == 0) {
		failures = 0;
		int cfd = open_file(O_RDWR);
		CHECK(sees(cfd, 5, 1, F_WRLCK, 0, 10, me), "child sees the write lock [0,10)");
		CHECK(sees(cfd, 10, 10, F_UNLCK, 0, 0, 0), "nothing at [10,20)");
		CHECK(sees(cfd, 25, 10, F_RDLCK, 20, 20, me), "the two read locks merged into [20,40)");
		CHECK(sees(cfd, 52, 1, F_WRLCK, 50, 5, me), "SEEK_CUR lock at [50,55)");
		CHECK(sees(cfd, 60, 6, F_WRLCK, 65, 5, me), "negative length: [65,70)");
		CHECK(sees(cfd, 80, 20, F_WRLCK, 90, 5, me), "SEEK_END lock at [90,95)");
		CHECK(sees(cfd, 5000, 1, F_WRLCK, 1000, 0, me), "a lock to the end of the file");
		CHECK(sees(cfd, 200, 1, F_WRLCK, 200, 40, me), "split: [200,240) write");
		CHECK(sees(cfd, 245, 1, F_RDLCK, 240, 20, me), "split: [240,260) read");
		CHECK(sees(cfd, 265, 1, F_WRLCK, 260, 20, me), "split: [260,280) write");
		CHECK(sees(cfd, 280, 10, F_UNLCK, 0, 0, 0), "unlocked hole [280,290)");
		CHECK(sees(cfd, 290, 1, F_WRLCK, 290, 10, me), "split: [290,300) write");
		/* Conflicts: another process's write lock, or a write over a read lock. */
		errno = 0;
		int r = lk(cfd, F_SETLK, F_WRLCK, SEEK_SET, 5, 1);
		CHECK(r == -1 && (errno == EAGAIN || errno == EACCES), "F_SETLK over a write lock fails");
		CHECK(lk(cfd, F_SETLK, F_RDLCK, SEEK_SET, 5, 1) == -1, "read lock over a write lock fails");
		CHECK(lk(cfd, F_SETLK, F_RDLCK, SEEK_SET, 20, 20) == 0, "read locks share");
		r = lk(cfd, F_SETLK, F_WRLCK, SEEK_SET, 245, 1);
		CHECK(r == -1 && (errno == EAGAIN || errno == EACCES), "write over a read lock fails");
		CHECK(lk(cfd, F_SETLK, F_WRLCK, SEEK_SET, 10, 10) == 0, "write lock in the gap");
		CHECK(lk(cfd, F_SETLK, F_WRLCK, SEEK_SET, 280, 10) == 0, "write lock in the hole");
		/* Locks are not inherited by fork: the parent's are another process's to us. */
		close(cfd);	/* releases all of ours */
		int ifd = fd;	/* the inherited descriptor */
		CHECK(lk(ifd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1) == -1, "fork does not pass locks on");
		put(to_parent[1], 'a');
		/* Our close released ours: the parent can now lock [10,20). */
		CHECK(get(to_child[0]) == 'b', "parent's go");
		exit(failures);
	}
	CHECK(get(to_parent[0]) == 'a', "child's go");
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 10, 30) == 0, "the child's close released its locks");
	put(to_child[1], 'b');
	failures += reap(pid);
	/* Our own unlock of everything. */
	CHECK(lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0) == 0, "unlock all");
	close(fd);
	close(to_child[0]), close(to_child[1]), close(to_parent[0]), close(to_parent[1]);
}

/* Any close of the file by the process releases its locks; so does its end. */
static void check_release(void)
{
	int fd = open_file(O_RDWR), fd2 = open_file(O_RDONLY), to_parent[2], to_child[2];

	CHECK(pipe(to_parent) == 0 && pipe(to_child) == 0, "pipe");
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 0) == 0, "write lock everything");
	pid_t pid = fork();
	if (pid == 0) {
		failures = 0;
		int cfd = open_file(O_RDWR);
		CHECK(lk(cfd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1) == -1, "held by the parent");
		put(to_parent[1], 'a');
		CHECK(get(to_child[0]) == 'b', "parent closed its other descriptor");
		CHECK(lk(cfd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1) == 0, "closing another fd released it");
		/* Held by us now; our end releases it. */
		exit(failures);
	}
	CHECK(get(to_parent[0]) == 'a', "child's go");
	close(fd2);
	put(to_child[1], 'b');
	failures += reap(pid);
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1) == 0, "the child's end released its lock");
	close(fd);
	close(to_child[0]), close(to_child[1]), close(to_parent[0]), close(to_parent[1]);
}

/* F_SETLKW waits for the holder; two processes waiting for each other: one gets EDEADLK. */
static void check_wait(void)
{
	int fd = open_file(O_RDWR), to_parent[2], to_child[2];

	CHECK(pipe(to_parent) == 0 && pipe(to_child) == 0, "pipe");
	pid_t pid = fork();
	if (pid == 0) {
		failures = 0;
		int cfd = open_file(O_RDWR);
		CHECK(lk(cfd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1) == 0, "child locks byte 0");
		put(to_parent[1], 'a');
		CHECK(get(to_child[0]) == 'b', "parent is about to wait");
		/* Whether or not the parent waits already, it gets the lock once we let go. */
		CHECK(lk(cfd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1) == 0, "unlock");
		exit(failures);
	}
	CHECK(get(to_parent[0]) == 'a', "child holds the lock");
	put(to_child[1], 'b');
	CHECK(lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1) == 0, "F_SETLKW gets the lock when it is freed");
	failures += reap(pid);
	CHECK(lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0) == 0, "unlock");

	/* A deadlock: we hold byte 1 and want 2, the child holds 2 and wants 1. */
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 1, 1) == 0, "lock byte 1");
	pid = fork();
	if (pid == 0) {
		failures = 0;
		int cfd = open_file(O_RDWR);
		CHECK(lk(cfd, F_SETLK, F_WRLCK, SEEK_SET, 2, 1) == 0, "child locks byte 2");
		put(to_parent[1], 'a');
		int r = lk(cfd, F_SETLKW, F_WRLCK, SEEK_SET, 1, 1);
		CHECK(r == 0 || errno == EDEADLK, "child's F_SETLKW: locked or EDEADLK");
		/* Our end (EDEADLK) or our lock: 1 if we were refused. Either way, we let go. */
		exit(r == 0 ? failures : (failures ? 100 : 1));
	}
	CHECK(get(to_parent[0]) == 'a', "child holds byte 2");
	int r = lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 2, 1);
	int parent_refused = r == -1 && errno == EDEADLK;
	CHECK(r == 0 || parent_refused, "parent's F_SETLKW: locked or EDEADLK");
	if (parent_refused)
		CHECK(lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 1, 1) == 0, "unlock byte 1 for the child");
	int status = 0;
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status), "waitpid");
	int child_refused = WEXITSTATUS(status) == 1;
	CHECK(WEXITSTATUS(status) <= 1, "child failed (%d)", WEXITSTATUS(status));
	CHECK(parent_refused + child_refused == 1, "exactly one of the two gets EDEADLK (%d, %d)",
	      parent_refused, child_refused);
	CHECK(lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0) == 0, "unlock");
	close(fd);
	close(to_child[0]), close(to_child[1]), close(to_parent[0]), close(to_parent[1]);
}

static volatile sig_atomic_t usr1;

static void on_usr1(int sig)
{
	(void)sig;
	usr1++;
}

/* F_SETLKW and flock interrupted by a signal (a handler without SA_RESTART): EINTR, no lock taken. */
static void check_eintr(void)
{
	int fd = open_file(O_RDWR), to_parent[2], to_child[2];
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction");
	CHECK(pipe(to_parent) == 0 && pipe(to_child) == 0, "pipe");
	pid_t parent = getpid(), pid = fork();
	if (pid == 0) {
		failures = 0;
		int cfd = open_file(O_RDWR);
		CHECK(lk(cfd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1) == 0, "child locks byte 0");
		CHECK(flock(cfd, LOCK_EX) == 0, "child flocks the file");
		put(to_parent[1], 'a');
		for (int round = 0; round < 2; round++) {
			/* Signals until the parent's wait ends (one sent before it waits is handled before). */
			struct pollfd p = {to_child[0], POLLIN, 0};
			do
				kill(parent, SIGUSR1);
			while (poll(&p, 1, 10) == 0);
			CHECK(get(to_child[0]) == 'b', "parent's wait ended");
		}
		/* The interrupted waits took nothing: we let go and lock again at once. */
		CHECK(lk(cfd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1) == 0, "unlock");
		CHECK(flock(cfd, LOCK_UN) == 0, "flock unlock");
		int other = open_file(O_RDWR);
		CHECK(lk(cfd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1) == 0, "lock again: the parent took none");
		CHECK(flock(other, LOCK_EX | LOCK_NB) == 0, "flock again: the parent took none");
		exit(failures);
	}
	CHECK(get(to_parent[0]) == 'a', "child holds the locks");
	errno = 0;
	CHECK(lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1) == -1 && errno == EINTR, "F_SETLKW: EINTR");
	put(to_child[1], 'b');
	errno = 0;
	CHECK(flock(fd, LOCK_EX) == -1 && errno == EINTR, "flock: EINTR");
	put(to_child[1], 'b');
	CHECK(usr1 > 0, "the handler ran");
	failures += reap(pid);
	signal(SIGUSR1, SIG_DFL);
	close(fd);
	close(to_child[0]), close(to_child[1]), close(to_parent[0]), close(to_parent[1]);
}

/* OFD locks: owned by the open file description, inherited by dup and fork, in the way of others. */
static void check_ofd(void)
{
	int fd = open_file(O_RDWR), fd2 = open_file(O_RDWR);
	struct flock fl;

	CHECK(lk(fd, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10) == 0, "OFD write lock [0,10)");
	int r = lk(fd2, F_OFD_SETLK, F_WRLCK, SEEK_SET, 5, 1);
	CHECK(r == -1 && errno == EAGAIN, "another description of the same process: EAGAIN");
	fl = getlk(fd2, F_OFD_GETLK, 0, 0);
	CHECK(fl.l_type == F_WRLCK && fl.l_start == 0 && fl.l_len == 10 && fl.l_pid == -1,
	      "F_OFD_GETLK: the lock, l_pid -1 (type %d pid %d)", fl.l_type, (int)fl.l_pid);
	fl = getlk(fd2, F_GETLK, 3, 1);
	CHECK(fl.l_type == F_WRLCK && fl.l_pid == -1, "F_GETLK sees OFD locks too");
	r = lk(fd2, F_SETLK, F_RDLCK, SEEK_SET, 0, 1);
	CHECK(r == -1 && (errno == EAGAIN || errno == EACCES), "a record lock conflicts with an OFD lock");
	int dup_fd = dup(fd);
	CHECK(lk(dup_fd, F_OFD_SETLK, F_RDLCK, SEEK_SET, 0, 5) == 0, "dup shares the OFD lock's owner");
	fl = getlk(fd2, F_OFD_GETLK, 0, 1);
	CHECK(fl.l_type == F_RDLCK && fl.l_start == 0 && fl.l_len == 5, "the OFD lock split (type %d)",
	      fl.l_type);
	/* Closing another descriptor of the file does not release OFD locks (unlike record locks). */
	close(fd2);
	fd2 = open_file(O_RDWR);
	CHECK(lk(fd2, F_OFD_SETLK, F_WRLCK, SEEK_SET, 5, 1) == -1, "still held after closing fd2");
	pid_t pid = fork();
	if (pid == 0) {
		failures = 0;
		CHECK(lk(fd, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10) == 0, "fork: the child shares it");
		CHECK(lk(fd2, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 1) == -1, "fork: a third description waits");
		exit(failures);
	}
	failures += reap(pid);
	fl.l_type = F_RDLCK, fl.l_whence = SEEK_SET, fl.l_start = 0, fl.l_len = 1, fl.l_pid = 1;
	errno = 0;
	CHECK(fcntl(fd2, F_OFD_SETLK, &fl) == -1 && errno == EINVAL, "l_pid must be 0: EINVAL");
	/* The last descriptor of the description closing releases them. */
	close(dup_fd);
	CHECK(lk(fd2, F_OFD_SETLK, F_WRLCK, SEEK_SET, 5, 1) == -1, "one descriptor left: still held");
	close(fd);
	CHECK(lk(fd2, F_OFD_SETLKW, F_WRLCK, SEEK_SET, 0, 0) == 0, "released with the description");
	close(fd2);
}

/* flock: shared and exclusive, conversion, LOCK_NB, apart from fcntl locks, per open file. */
static void check_flock(void)
{
	int fd = open_file(O_RDWR), fd2 = open_file(O_RDONLY), to_parent[2], to_child[2];

	CHECK(pipe(to_parent) == 0 && pipe(to_child) == 0, "pipe");
	CHECK(flock(fd, LOCK_EX) == 0, "LOCK_EX");
	errno = 0;
	CHECK(flock(fd2, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK, "another open: EWOULDBLOCK");
	CHECK(flock(fd2, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK, "LOCK_SH too");
	CHECK(lk(fd2, F_SETLK, F_RDLCK, SEEK_SET, 0, 0) == 0, "fcntl locks are apart from flock's");
	CHECK(lk(fd2, F_SETLK, F_UNLCK, SEEK_SET, 0, 0) == 0, "unlock");
	CHECK(flock(fd, LOCK_SH) == 0, "convert to LOCK_SH");
	CHECK(flock(fd2, LOCK_SH | LOCK_NB) == 0, "two shared");
	CHECK(flock(fd, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK, "no exclusive over the other shared");
	CHECK(flock(fd2, LOCK_UN) == 0, "LOCK_UN");
	CHECK(flock(fd, LOCK_EX | LOCK_NB) == 0, "exclusive again");
	errno = 0;
	CHECK(flock(fd, LOCK_SH | LOCK_EX) == -1 && errno == EINVAL, "bad operation: EINVAL");
	CHECK(flock(-1, LOCK_SH) == -1 && errno == EBADF, "bad fd: EBADF");
	pid_t pid = fork();
	if (pid == 0) {
		failures = 0;
		/* The same open file: the child holds the same lock. */
		CHECK(flock(fd, LOCK_EX | LOCK_NB) == 0, "inherited description: the same lock");
		int cfd = open_file(O_RDONLY);
		CHECK(flock(cfd, LOCK_SH | LOCK_NB) == -1, "a new description waits");
		put(to_parent[1], 'a');
		CHECK(flock(cfd, LOCK_SH) == 0, "LOCK_SH once the parent lets go");
		exit(failures);
	}
	CHECK(get(to_parent[0]) == 'a', "child's go");
	close(fd2);
	CHECK(flock(fd, LOCK_UN) == 0, "LOCK_UN lets the child through");
	failures += reap(pid);
	close(fd);
	close(to_child[0]), close(to_child[1]), close(to_parent[0]), close(to_parent[1]);
}

static void check_bad(void)
{
	int fd = open_file(O_RDWR), rd = open_file(O_RDONLY);

	errno = 0;
	CHECK(fcntl(fd, F_SETLK, (struct flock *)16) == -1 && errno == EFAULT, "bad pointer: EFAULT");
	CHECK(lk(fd, F_SETLK, 77, SEEK_SET, 0, 1) == -1 && errno == EINVAL, "bad type: EINVAL");
	CHECK(lk(fd, F_SETLK, F_WRLCK, 9, 0, 1) == -1 && errno == EINVAL, "bad whence: EINVAL");
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, -5, 1) == -1 && errno == EINVAL, "negative start: EINVAL");
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 3, -5) == -1 && errno == EINVAL, "before 0: EINVAL");
	CHECK(lk(rd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1) == -1 && errno == EBADF, "write lock, O_RDONLY: EBADF");
	CHECK(lk(-1, F_SETLK, F_RDLCK, SEEK_SET, 0, 1) == -1 && errno == EBADF, "closed fd: EBADF");
	struct flock fl = {.l_type = F_UNLCK, .l_whence = SEEK_SET};
	CHECK(fcntl(fd, F_GETLK, &fl) == -1 && errno == EINVAL, "F_GETLK of F_UNLCK: EINVAL");
	close(fd);
	close(rd);
}

/*
 * Files that are not regular, as Linux allows: flock and record locks on a
 * pipe (its two ends are two open files of one pipe), on a socket and on
 * /dev/null, seen from a child.
 */
static void check_special(void)
{
	int p[2], sv[2], null = open("/dev/null", O_RDWR);
	char c;

	CHECK(pipe(p) == 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 && null >= 0, "pipe, socketpair, /dev/null");
	CHECK(flock(p[0], LOCK_EX | LOCK_NB) == 0, "flock of a pipe's read end: errno %d", errno);
	CHECK(flock(p[1], LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK,
	      "flock of its write end, another open file: errno %d", errno);
	CHECK(flock(p[0], LOCK_UN) == 0 && flock(p[1], LOCK_SH | LOCK_NB) == 0, "unlock, then the other");
	CHECK(flock(sv[0], LOCK_EX | LOCK_NB) == 0 && flock(sv[0], LOCK_UN) == 0, "flock of a socket");
	CHECK(lk(p[1], F_SETLK, F_WRLCK, SEEK_SET, 0, 0) == 0, "record lock on a pipe: errno %d", errno);
	CHECK(lk(null, F_SETLK, F_WRLCK, SEEK_SET, 0, 10) == 0, "record lock on /dev/null: errno %d", errno);
	int go[2];
	CHECK(pipe(go) == 0, "pipe");
	pid_t pid = fork();
	if (pid == 0) {
		struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
		int bad = 0;
		if (fcntl(p[1], F_GETLK, &fl) != 0 || fl.l_type != F_WRLCK || fl.l_pid != getppid())
			bad |= 1;
		if (lk(p[1], F_SETLK, F_WRLCK, SEEK_SET, 0, 1) != -1 || (errno != EAGAIN && errno != EACCES))
			bad |= 2;
		fl = (struct flock){.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 5, .l_len = 1};
		if (fcntl(null, F_GETLK, &fl) != 0 || fl.l_type != F_WRLCK || fl.l_pid != getppid())
			bad |= 4;
		/* The parent's flock of the write end keeps out the read end's, another open file. */
		if (flock(p[0], LOCK_EX | LOCK_NB) != -1 || errno != EWOULDBLOCK)
			bad |= 8;
		(void)!write(go[1], "c", 1);
		_exit(bad);
	}
	CHECK(pid > 0 && read(go[0], &c, 1) == 1, "the child looked");
	int st = 0;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "the child saw the locks (status %#x)", st);
	close(p[0]), close(p[1]), close(sv[0]), close(sv[1]), close(null), close(go[0]), close(go[1]);
}

int main(void)
{
	char buf[100];

	snprintf(path, sizeof(path), "/tmp/locks.%d", (int)getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
	if (fd < 0) {
		printf("locks: cannot make %s (errno %d)\n", path, errno);
		return 1;
	}
	memset(buf, 'x', sizeof(buf));
	CHECK(write(fd, buf, sizeof(buf)) == sizeof(buf), "write 100 bytes");
	close(fd);
	check_ranges();
	check_release();
	check_wait();
	check_eintr();
	check_ofd();
	check_flock();
	check_bad();
	check_special();
	CHECK(unlink(path) == 0, "unlink");
	printf("locks: %s (%d failed)\n", failures ? "FAIL" : "PASS", failures);
	return failures;
}
