/*
 * Pseudo-terminals and termios: openpty and posix_openpt/grantpt/unlockpt/
 * ptsname, canonical lines edited with erase and kill, echo and ONLCR seen
 * on the master, raw reads (VMIN=1/VTIME=0, and VMIN=0/VTIME=2 timing out),
 * the window size, poll on both ends, the ends closing (EIO), isatty.
 * Exits with the number of failed checks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>


#define TEST_NAME "pty"
#include "check.h"

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads what the master has (waiting up to a second for the first byte) into @buf, NUL-terminated.
 */
static ssize_t master_drain(int m, char *buf, size_t size)
{
	struct pollfd p = {m, POLLIN, 0};
	ssize_t got = 0;

	while (got < (ssize_t)size - 1 && poll(&p, 1, got ? 100 : 1000) == 1 &&
	       (p.revents & POLLIN)) {
		ssize_t r = read(m, buf + got, size - 1 - (size_t)got);
		if (r <= 0)
			break;
		got += r;
	}
	buf[got] = 0;
	return got;
}

static void check_open(void)
{
	int m, s;
	char name[64], *pn;

	CHECK(openpty(&m, &s, name, NULL, NULL) == 0, "openpty");
	CHECK(strncmp(name, "/dev/pts/", 9) == 0, "name %s", name);
	CHECK(isatty(s) && isatty(m), "isatty on both ends");
	close(s);
	close(m);

	m = posix_openpt(O_RDWR | O_NOCTTY);
	CHECK(m >= 0, "posix_openpt");
	CHECK(grantpt(m) == 0, "grantpt");
	CHECK(unlockpt(m) == 0, "unlockpt");
	pn = ptsname(m);
	CHECK(pn && strncmp(pn, "/dev/pts/", 9) == 0, "ptsname");
	s = pn ? open(pn, O_RDWR | O_NOCTTY) : -1;
	CHECK(s >= 0, "open the slave %s", pn ? pn : "?");
	CHECK(write(s, "hi", 2) == 2, "slave write");
	char buf[16] = {0};
	CHECK(read(m, buf, sizeof(buf)) == 2 && !memcmp(buf, "hi", 2), "master read %s", buf);
	close(s);
	close(m);
}

static void check_canonical(void)
{
	int m, s;
	char buf[256];
	struct termios t;

	CHECK(openpty(&m, &s, NULL, NULL, NULL) == 0, "openpty");
	CHECK(tcgetattr(s, &t) == 0 && (t.c_lflag & ICANON) && (t.c_lflag & ECHO),
	      "cooked by default");
	t.c_cc[VERASE] = 0x7f;
	t.c_cc[VKILL] = 0x15;
	t.c_lflag |= ECHOE | ECHOK;
	t.c_oflag |= OPOST | ONLCR;
	CHECK(tcsetattr(s, TCSANOW, &t) == 0, "tcsetattr");
	/* "abx<erase>c\n" reads "abc\n"; "junk<kill>ok\n" reads "ok\n". */
	CHECK(write(m,
		    "abx\x7f"
		    "c\n",
		    6) == 6,
	      "type a line");
	CHECK(write(m, "junk\x15ok\n", 8) == 8, "type a killed line");
	ssize_t r = read(s, buf, sizeof(buf));
	CHECK(r == 4 && !memcmp(buf, "abc\n", 4), "first line: %zd", r);
	r = read(s, buf, sizeof(buf));
	CHECK(r == 3 && !memcmp(buf, "ok\n", 3), "second line: %zd", r);
	/* The echo on the master: the typed characters, erasures, and \r\n for \n. */
	r = master_drain(m, buf, sizeof(buf));
	CHECK(r > 0 && strstr(buf, "ab") == buf && strstr(buf, "c\r\n") && strstr(buf, "ok\r\n"),
	      "echo: %zd \"%s\"", r, buf);
	/* A line arrives whole: nothing to read until its end is typed. */
	CHECK(write(m, "par", 3) == 3, "part of a line");
	struct pollfd p = {s, POLLIN, 0};
	CHECK(poll(&p, 1, 50) == 0, "no line yet: %x", p.revents);
	CHECK(write(m, "t\n", 2) == 2, "its end");
	CHECK(poll(&p, 1, 1000) == 1 && (p.revents & POLLIN), "a line: %x", p.revents);
	r = read(s, buf, sizeof(buf));
	CHECK(r == 5 && !memcmp(buf, "part\n", 5), "whole line: %zd", r);
	/* End of file typed at the start of a line: read gives 0. */
	CHECK(write(m, "\x04", 1) == 1, "eof");
	CHECK(read(s, buf, sizeof(buf)) == 0, "eof read");
	master_drain(m, buf, sizeof(buf));
	/* ONLCR: the slave's \n is \r\n at the master. */
	CHECK(write(s, "x\ny\n", 4) == 4, "slave write");
	r = master_drain(m, buf, sizeof(buf));
	CHECK(r == 6 && !memcmp(buf, "x\r\ny\r\n", 6), "onlcr: %zd \"%s\"", r, buf);
	close(s);
	close(m);
}

static void check_raw(void)
{
	int m, s;
	char buf[64];
	struct termios t;

	CHECK(openpty(&m, &s, NULL, NULL, NULL) == 0, "openpty");
	CHECK(tcgetattr(s, &t) == 0, "tcgetattr");
	cfmakeraw(&t);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	CHECK(tcsetattr(s, TCSANOW, &t) == 0, "raw");
	CHECK(tcgetattr(s, &t) == 0 && !(t.c_lflag & (ICANON | ECHO)), "raw read back");
	CHECK(write(m, "q", 1) == 1, "one key");
	CHECK(read(s, buf, sizeof(buf)) == 1 && buf[0] == 'q', "byte at a time");
	CHECK(write(m, "\r", 1) == 1 && read(s, buf, sizeof(buf)) == 1 && buf[0] == '\r',
	      "no ICRNL");
	/* No echo in raw mode: the master has nothing to read. */
	struct pollfd p = {m, POLLIN, 0};
	CHECK(poll(&p, 1, 50) == 0, "no echo: %x", p.revents);
	/* VMIN=0, VTIME=2: nothing typed, read returns 0 after at least 0.2 s. */
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 2;
	CHECK(tcsetattr(s, TCSANOW, &t) == 0, "vtime");
	int64_t start = now_ms();
	ssize_t r = read(s, buf, sizeof(buf));
	int64_t took = now_ms() - start;
	CHECK(r == 0 && took >= 190, "timeout: %zd after %lld ms", r, (long long)took);
	CHECK(write(m, "zz", 2) == 2, "keys");
	CHECK(read(s, buf, sizeof(buf)) == 2, "data before the timeout");
	close(s);
	close(m);
}

static void check_winsize_poll_hangup(void)
{
	int m, s, p[2];
	char buf[16];
	struct winsize ws = {.ws_row = 33, .ws_col = 101}, got;

	CHECK(openpty(&m, &s, NULL, NULL, NULL) == 0, "openpty");
	CHECK(ioctl(m, TIOCSWINSZ, &ws) == 0, "TIOCSWINSZ");
	memset(&got, 0, sizeof(got));
	CHECK(ioctl(s, TIOCGWINSZ, &got) == 0 && got.ws_row == 33 && got.ws_col == 101,
	      "TIOCGWINSZ %d %d", got.ws_row, got.ws_col);
	int n = -1;
	struct pollfd in = {s, POLLIN, 0};
	/* Linux moves what the master writes to the slave later: wait for it. */
	CHECK(write(m, "ab\n", 3) == 3 && poll(&in, 1, 1000) == 1, "typed");
	CHECK(ioctl(s, FIONREAD, &n) == 0 && n == 3, "FIONREAD %d", n);
	CHECK(tcflush(s, TCIFLUSH) == 0 && ioctl(s, FIONREAD, &n) == 0 && n == 0, "flushed %d", n);
	master_drain(m, buf, sizeof(buf));

	struct pollfd pm = {m, POLLIN | POLLOUT, 0}, ps = {s, POLLIN | POLLOUT, 0};
	CHECK(poll(&pm, 1, 0) == 1 && pm.revents == POLLOUT, "master writable: %x", pm.revents);
	CHECK(poll(&ps, 1, 0) == 1 && ps.revents == POLLOUT, "slave writable: %x", ps.revents);
	CHECK(write(s, "o", 1) == 1 && poll(&pm, 1, 1000) == 1 && (pm.revents & POLLIN),
	      "master readable");
	CHECK(write(m, "i\n", 2) == 2 && poll(&ps, 1, 1000) == 1 && (ps.revents & POLLIN),
	      "slave readable");

	/* The master closes: the slave hangs up (end of file or EIO, EIO on write, POLLHUP). */
	close(m);
	ps.events = POLLIN;
	CHECK(poll(&ps, 1, 1000) == 1 && (ps.revents & POLLHUP), "slave POLLHUP: %x", ps.revents);
	ssize_t r;
	do
		r = read(s, buf, sizeof(buf));
	while (r > 0);
	CHECK(r == 0 || (r < 0 && errno == EIO), "slave read after hangup: %zd", r);
	errno = 0;
	CHECK(write(s, "x", 1) < 0 && errno == EIO, "slave write after hangup");
	close(s);

	/* Every slave closes: the master reads EIO and polls POLLHUP. */
	CHECK(openpty(&m, &s, NULL, NULL, NULL) == 0, "openpty");
	close(s);
	pm.events = POLLIN;
	CHECK(poll(&pm, 1, 1000) == 1 && (pm.revents & POLLHUP), "master POLLHUP: %x", pm.revents);
	errno = 0;
	CHECK(read(m, buf, sizeof(buf)) < 0 && errno == EIO, "master read after the slave closed");
	close(m);

	/* Not terminals. */
	CHECK(pipe(p) == 0, "pipe");
	errno = 0;
	CHECK(!isatty(p[0]) && errno == ENOTTY, "isatty on a pipe");
	errno = 0;
	CHECK(tcgetattr(p[1], &(struct termios){0}) < 0 && errno == ENOTTY, "tcgetattr on a pipe");
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	check_open();
	check_canonical();
	check_raw();
	check_winsize_poll_hangup();
	printf("pty: %d failures\n", failures);
	return failures;
}
