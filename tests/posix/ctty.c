/*
 * Controlling terminals, in sessions this test makes with setsid: /dev/tty
 * is ENXIO without one; O_NOCTTY opens take none; TIOCSCTTY by the session
 * leader takes a pseudo-terminal, after which /dev/tty opens it and
 * tcgetsid/tcgetpgrp name the session; members inherit it but cannot take
 * another; another session cannot take it; TIOCNOTTY gives it up; a plain
 * open by a leader without one takes the terminal. Exits with the number of
 * failed checks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>


#define TEST_NAME "ctty"
#include "check.h"
#include "child.h"

#define FAILS(expr, err) CHECK((expr) == -1 && errno == (err), #expr " should fail with " #err)

/* A new pseudo-terminal pair: the master in *m, the slave opened with @flags. */
static int new_pty(int *m, int flags)
{
	*m = posix_openpt(O_RDWR | O_NOCTTY);
	if (*m < 0 || grantpt(*m) || unlockpt(*m))
		return -1;
	const char *name = ptsname(*m);
	return name ? open(name, O_RDWR | flags) : -1;
}

static int m, s;	/* the first session's terminal, in its members */

static void member(void)
{
	int m2, s2 = new_pty(&m2, O_NOCTTY);
	int fd = open("/dev/tty", O_RDWR);

	CHECK(fd >= 0, "a member opens its session's terminal");
	close(fd);
	CHECK(tcgetsid(s) == getppid(), "tcgetsid: the leader's %d", (int)tcgetsid(s));
	CHECK(s2 >= 0, "another pair");
	FAILS(ioctl(s2, TIOCSCTTY, 0), EPERM);
}

static void other_session(void)
{
	CHECK(setsid() == getpid(), "setsid");
	FAILS(open("/dev/tty", O_RDWR), ENXIO);
	FAILS(ioctl(s, TIOCSCTTY, 0), EPERM);	/* another session's terminal */
	FAILS(tcgetsid(s), ENOTTY);
}

static void leader(void)
{
	char buf[64];
	pid_t me = getpid();

	signal(SIGHUP, SIG_IGN);	/* Linux hangs up the foreground group at TIOCNOTTY */
	CHECK(setsid() == me, "setsid");
	FAILS(open("/dev/tty", O_RDWR), ENXIO);
	s = new_pty(&m, O_NOCTTY);
	CHECK(s >= 0, "a pseudo-terminal pair");
	FAILS(open("/dev/tty", O_RDWR), ENXIO);	/* O_NOCTTY took none */
	FAILS(tcgetsid(s), ENOTTY);
	CHECK(ioctl(s, TIOCSCTTY, 0) == 0, "TIOCSCTTY");
	CHECK(tcgetsid(s) == me && tcgetpgrp(s) == me, "tcgetsid %d tcgetpgrp %d", (int)tcgetsid(s),
	      (int)tcgetpgrp(s));
	CHECK(ioctl(s, TIOCSCTTY, 0) == 0, "TIOCSCTTY again: already ours");
	CHECK(tcsetpgrp(s, me) == 0, "tcsetpgrp");
	int t = open("/dev/tty", O_RDWR);
	CHECK(t >= 0 && isatty(t), "/dev/tty opens");
	CHECK(write(t, "via tty\n", 8) == 8, "write to /dev/tty");
	ssize_t n = read(m, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	CHECK(n > 0 && strstr(buf, "via tty"), "the master reads it: '%s'", buf);
	close(t);
	in_child(member);
	in_child(other_session);
	/* A second terminal: a leader with one takes no other. */
	int m2, s2 = new_pty(&m2, 0);
	CHECK(s2 >= 0, "a second pair, without O_NOCTTY");
	FAILS(tcgetsid(s2), ENOTTY);
	FAILS(ioctl(s2, TIOCSCTTY, 0), EPERM);
	/* Giving it up. */
	CHECK(ioctl(s, TIOCNOTTY) == 0, "TIOCNOTTY");
	FAILS(open("/dev/tty", O_RDWR), ENXIO);
	FAILS(tcgetsid(s), ENOTTY);
	FAILS(ioctl(s, TIOCNOTTY), ENOTTY);
	/* A plain open by a leader without one takes it. */
	int again = open(ptsname(m2), O_RDWR);
	CHECK(again >= 0 && tcgetsid(again) == me, "open takes the terminal: %d", (int)tcgetsid(again));
	t = open("/dev/tty", O_RDWR);
	CHECK(t >= 0, "/dev/tty opens the new one");
	CHECK(write(t, "second\n", 7) == 7, "write");
	n = read(m2, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	CHECK(n > 0 && strstr(buf, "second"), "the second master reads it: '%s'", buf);
}

int main(void)
{
	in_child(leader);
	printf("ctty: %s (%d failed)\n", failures ? "FAIL" : "PASS", failures);
	return failures;
}
