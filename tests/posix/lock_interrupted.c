/*
 * A blocking lock that a signal interrupts leaves no lock behind: a child
 * waits in F_SETLKW, F_OFD_SETLKW or flock for a lock the parent holds, the
 * parent lets it go while a third process signals the child (so the signal
 * and the grant race), and whatever the child's wait answered - 0 (it has
 * the lock: it lets it go) or EINTR (it has none) - the parent can take the
 * lock again at once, round after round. The child keeps every file an
 * interrupted wait was on open, so a lock granted to nobody would stay.
 * Regression test for the stray lock of a signal landing between the vfs
 * server's grant and its answer: a fourth process holds thousands of other
 * locks on the file, which makes each grant slow enough that the signal
 * lands in it in some rounds (without the fix, a stray lock showed within
 * 30 rounds on x86_64). Nothing depends on timing: how often the race is
 * hit does, not what is checked. Exits with the number of failed checks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#define TEST_NAME "lock_interrupted"
#include "check.h"
#include "child.h"

#define ROUNDS 100
#define CROWD 8000

enum kind { RECORD, OFD, FLOCK };

static const char *const kind_name[] = {"F_SETLKW", "F_OFD_SETLKW", "flock"};
static char path[64];
static volatile sig_atomic_t signals;

static void on_usr1(int sig)
{
	(void)sig;
	signals++;
}

/* One byte through a pipe, whatever signals come meanwhile. */
static int put(int fd, char c)
{
	ssize_t n;

	while ((n = write(fd, &c, 1)) < 0 && errno == EINTR)
		;
	return n == 1 ? 0 : -1;
}

static int get(int fd)
{
	char c;
	ssize_t n;

	while ((n = read(fd, &c, 1)) < 0 && errno == EINTR)
		;
	return n == 1 ? (unsigned char)c : -1;
}

/* Takes (F_WRLCK / LOCK_EX) or drops (F_UNLCK / LOCK_UN) the lock of @kind on @fd; 0 or -1 (errno). */
static int lock(int fd, enum kind kind, int type, int wait)
{
	struct flock fl = {.l_type = (short)type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};

	if (kind == FLOCK)
		return flock(fd, (type == F_UNLCK ? LOCK_UN : LOCK_EX) | (wait ? 0 : LOCK_NB));
	if (kind == OFD)
		return fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl);
	return fcntl(fd, wait ? F_SETLKW : F_SETLK, &fl);
}

/*
 * The waiter: each round, on the parent's go, waits for the lock on a file
 * of its own (a new open file for OFD and flock locks; record locks are the
 * process's), lets it go if it got it, and answers 'g' (granted) or 'i'
 * (interrupted); 'e' for anything else. A 'q' ends it.
 */
static void waiter(enum kind kind, int go, int answer)
{
	int record_fd = open(path, O_RDWR);
	int c;

	while ((c = get(go)) == 'r') {
		int fd = kind == RECORD ? record_fd : open(path, O_RDWR);
		char result = 'e';
		if (fd >= 0 && lock(fd, kind, F_WRLCK, 1) == 0) {
			result = lock(fd, kind, F_UNLCK, 0) == 0 ? 'g' : 'e';
			if (kind != RECORD)
				close(fd);
		} else if (fd >= 0 && errno == EINTR) {
			result = 'i';	/* fd stays open: a lock it were left with would stay too */
		}
		if (put(answer, result))
			break;
	}
	_exit(c == 'q' ? 0 : 1);
}

/*
 * Holds CROWD read locks on bytes past the contested ones, apart, until
 * told to go: every lock request on the file then looks through them, which
 * makes the server's grant slow enough for a signal to land in it often.
 */
static void crowd(int ready, int done)
{
	int fd = open(path, O_RDWR);
	int ok = fd >= 0;

	for (int i = 0; i < CROWD && ok; i++) {
		struct flock fl = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 100 + 2 * i, .l_len = 1};
		ok = fcntl(fd, F_SETLK, &fl) == 0;
	}
	put(ready, ok ? 'c' : 'e');
	get(done);
	_exit(0);
}

/* Sends the waiter SIGUSR1 each time the parent says so, until it says stop (or dies). */
static void signaller(pid_t target, int cue)
{
	int c;

	while ((c = get(cue)) == 's')
		kill(target, SIGUSR1);
	_exit(0);
}

static void rounds(enum kind kind)
{
	int go[2], answer[2], cue[2];
	unsigned granted = 0, interrupted = 0;
	int fd = open(path, O_RDWR);

	CHECK(fd >= 0 && pipe(go) == 0 && pipe(answer) == 0 && pipe(cue) == 0, "open and pipes");
	pid_t w = fork();
	if (w == 0) {
		close(go[1]);
		close(answer[0]);
		close(cue[0]);
		close(cue[1]);
		waiter(kind, go[0], answer[1]);
	}
	CHECK(w > 0, "fork the waiter");
	pid_t s = fork();
	if (s == 0) {
		close(go[0]);
		close(go[1]);
		close(answer[0]);
		close(answer[1]);
		close(cue[1]);
		signaller(w, cue[0]);
	}
	CHECK(s > 0, "fork the signaller");
	close(go[0]);
	close(answer[1]);
	close(cue[0]);
	int stray = 0;
	for (int i = 0; i < ROUNDS && w > 0 && s > 0; i++) {
		/* Whatever the last round's wait answered, no lock of the waiter's is left. */
		stray = lock(fd, kind, F_WRLCK, 0) != 0;
		CHECK(!stray, "%s round %d: the lock is free again", kind_name[kind], i);
		if (stray)
			break;	/* the waiter could wait for ever now */
		CHECK(put(go[1], 'r') == 0, "go");
		/* Most rounds give the waiter time to start waiting: the grant then races the signal. */
		for (int y = 0; y < i % 4; y++)
			sched_yield();
		CHECK(put(cue[1], 's') == 0, "cue");
		/* The signal's way is longer than the unlock's: a little (more each round) of it first. */
		for (volatile int spin = 0; spin < (i % 8) * 2000; spin++)
			;
		CHECK(lock(fd, kind, F_UNLCK, 0) == 0, "unlock");
		int r = get(answer[0]);
		CHECK(r == 'g' || r == 'i', "%s round %d: the waiter answered %c", kind_name[kind], i, r);
		granted += r == 'g';
		interrupted += r == 'i';
	}
	if (stray) {
		kill(w, SIGKILL);
		kill(s, SIGKILL);
		waitpid(w, NULL, 0);
		waitpid(s, NULL, 0);
		close(go[1]);
		close(answer[0]);
		close(cue[1]);
		close(fd);
		return;
	}
	CHECK(lock(fd, kind, F_WRLCK, 0) == 0, "%s: the lock is free at the end", kind_name[kind]);
	/* Another process can take it too (a record lock's owner is the process). */
	pid_t other = fork();
	if (other == 0) {
		int ofd = open(path, O_RDWR);
		_exit(ofd >= 0 && lock(ofd, kind, F_WRLCK, 0) == -1 ? 0 : 2);
	}
	/* The parent still holds it: another process is refused, so the check above can fail. */
	check_exit(other, 0, "another process is refused while the parent holds it");
	CHECK(lock(fd, kind, F_UNLCK, 0) == 0, "unlock");
	other = fork();
	if (other == 0) {
		int ofd = open(path, O_RDWR);
		_exit(ofd >= 0 && lock(ofd, kind, F_WRLCK, 0) == 0 ? 0 : 3);
	}
	check_exit(other, 0, "another process takes the lock after the rounds");
	put(cue[1], 'x');
	put(go[1], 'q');
	check_exit(s, 0, "signaller");
	check_exit(w, 0, "waiter");
	close(go[1]);
	close(answer[0]);
	close(cue[1]);
	close(fd);
	printf("lock_interrupted: %s: %u granted, %u interrupted\n", kind_name[kind], granted, interrupted);
}

int main(void)
{
	struct sigaction sa = {.sa_handler = on_usr1};	/* no SA_RESTART: a wait ends with EINTR */

	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction");
	snprintf(path, sizeof(path), "/tmp/lock_interrupted.%d", (int)getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && write(fd, "0123456789", 10) == 10, "create %s", path);
	close(fd);
	int ready[2], done[2];
	CHECK(pipe(ready) == 0 && pipe(done) == 0, "pipe");
	pid_t c = fork();
	if (c == 0) {
		close(ready[0]);
		close(done[1]);
		crowd(ready[1], done[0]);
	}
	close(ready[1]);
	close(done[0]);
	CHECK(c > 0 && get(ready[0]) == 'c', "the crowd of locks");
	rounds(RECORD);
	rounds(OFD);
	rounds(FLOCK);
	put(done[1], 'q');
	check_exit(c, 0, "crowd");
	unlink(path);
	if (!failures)
		printf("lock_interrupted: all checks passed\n");
	return failures != 0;
}
