/*
 * The line discipline (posix/vfs/tty.c) and pseudo-terminal pairs (pty.c) on
 * the host under ASan: canonical editing, echo, output processing, ISIG
 * characters and the signal hook, modes switched with input pending, the
 * ioctls, limits, random input and requests; a pair's lifetime.
 */
// clang-format off
// UNIT_SRCS: posix/vfs/tty.c posix/vfs/pty.c posix/vfs/node.c posix/vfs/path.c posix/vfs/ops.c posix/vfs/dev.c posix/vfs/pipe.c posix/vfs/file.c posix/vfs/sock.c posix/vfs/sockgc.c posix/vfs/eventfd.c posix/vfs/epoll.c posix/vfs/timerfd.c posix/vfs/signalfd.c posix/vfs/lock.c
// clang-format on
#define UNIT_MAIN
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>

#include "../../../posix/vfs/file.h"
#include "../../../posix/vfs/fs.h"
#include "../../../posix/vfs/pty.h"
#include "../../../posix/vfs/tty.h"

static struct tty t;
static int32_t last_pgrp;
static int last_sig, signals;

static void record_signal(int32_t pgrp, int sig)
{
	last_pgrp = pgrp;
	last_sig = sig;
	signals++;
}

static void setup(void)
{
	tty_init(&t, NULL);
	tty_kill_pgrp = record_signal;
	signals = last_sig = 0;
}

static long type(const char *s)
{
	return tty_input(&t, s, strlen(s));
}

/* Takes the output (echo) as a string. */
static const char *output(void)
{
	static char buf[TTY_OUT_MAX + 1];
	size_t n = tty_take_output(&t, buf, TTY_OUT_MAX);
	buf[n] = 0;
	return buf;
}

static long get(char *buf, size_t len)
{
	long r = tty_read(&t, buf, len, 1);
	if (r >= 0)
		buf[r] = 0;
	return r;
}

static void set_lflag(tcflag_t on, tcflag_t off)
{
	struct vfs_termios nt;
	char out[64];
	size_t n;

	CHECK(tty_ioctl(&t, TCGETS, 0, NULL, 0, out, &n, 1) == 0 && n == sizeof(nt));
	memcpy(&nt, out, sizeof(nt));
	nt.lflag = (nt.lflag | on) & ~off;
	CHECK(tty_ioctl(&t, TCSETS, 0, &nt, sizeof(nt), out, &n, 1) == 0);
}

TEST(canonical_editing)
{
	char buf[64];

	setup();
	CHECK(get(buf, sizeof(buf)) == -EAGAIN);
	CHECK(type("abx\x7f"
		   "c") == 5);
	CHECK(get(buf, sizeof(buf)) == -EAGAIN); /* no line yet */
	CHECK(type("\r") == 1);			 /* ICRNL */
	CHECK(get(buf, sizeof(buf)) == 4);
	CHECK_STR(buf, "abc\n");
	CHECK_STR(output(), "abx\b \bc\r\n");
	CHECK(type("junk\x15ok\n") == 8); /* VKILL with ECHOKE: rubbed out */
	CHECK(get(buf, sizeof(buf)) == 3);
	CHECK_STR(buf, "ok\n");
	CHECK_STR(output(), "junk\b \b\b \b\b \b\b \bok\r\n");
	CHECK(type("one two\x17three\n") == 14); /* VWERASE */
	CHECK(get(buf, sizeof(buf)) == 10);
	CHECK_STR(buf, "one three\n");
	output();
	/* VEOF: the line so far, without it; at the start of a line, a read of 0. */
	CHECK(type("xy\x04\x04") == 4);
	CHECK(get(buf, sizeof(buf)) == 2);
	CHECK_STR(buf, "xy");
	CHECK(get(buf, sizeof(buf)) == 0);
	CHECK(get(buf, sizeof(buf)) == -EAGAIN);
	/* A short read takes part of a line; the rest stays one line. */
	CHECK(type("hello\nnext\n") == 11);
	CHECK(get(buf, 2) == 2 && !strcmp(buf, "he"));
	CHECK(get(buf, sizeof(buf)) == 4 && !strcmp(buf, "llo\n"));
	CHECK(tty_readable(&t) == 5);
	CHECK(get(buf, sizeof(buf)) == 5 && !strcmp(buf, "next\n"));
	/* Erase at the start of a line does nothing. */
	CHECK(type("\x7f\x7fz\n") == 4 && get(buf, sizeof(buf)) == 2 && !strcmp(buf, "z\n"));
}

TEST(line_limit_and_full_input)
{
	static char big[TTY_IN_MAX + 100], buf[TTY_IN_MAX + 100];

	setup();
	memset(big, 'a', sizeof(big));
	CHECK(tty_input(&t, big, 5000) == 5000); /* the line keeps 4095 */
	CHECK(type("\n") == 1);
	CHECK(get(buf, sizeof(buf)) == TTY_LINE_MAX && buf[TTY_LINE_MAX - 1] == '\n');
	set_lflag(0, ICANON | ECHO);
	CHECK(tty_input(&t, big, sizeof(big)) == TTY_IN_MAX);
	CHECK(tty_input(&t, big, 1) == -EAGAIN);
	CHECK(tty_read(&t, buf, sizeof(buf), 1) == TTY_IN_MAX);
	/* Output full: a write takes what fits, then would block. */
	output(); /* the echo of the long line */
	memset(big, 'b', sizeof(big));
	CHECK(tty_write(&t, big, sizeof(big)) == TTY_OUT_MAX);
	CHECK(tty_write(&t, big, 1) == -EAGAIN);
}

TEST(echo_and_output_processing)
{
	char buf[64];

	setup();
	CHECK(type("a\x01\n") == 3);
	CHECK_STR(output(), "a^A\r\n"); /* ECHOCTL */
	CHECK(tty_write(&t, "x\ny", 3) == 3);
	CHECK_STR(output(), "x\r\ny"); /* ONLCR */
	struct vfs_termios nt = t.t;
	nt.oflag &= ~(tcflag_t)OPOST;
	CHECK(tty_ioctl(&t, TCSETS, 0, &nt, sizeof(nt), buf, &(size_t){0}, 1) == 0);
	CHECK(tty_write(&t, "x\n", 2) == 2);
	CHECK_STR(output(), "x\n");
	nt.oflag |= OPOST | OCRNL;
	nt.oflag &= ~(tcflag_t)ONLCR;
	nt.lflag &= ~(tcflag_t)ECHO;
	nt.lflag |= ECHONL;
	CHECK(tty_ioctl(&t, TCSETS, 0, &nt, sizeof(nt), buf, &(size_t){0}, 1) == 0);
	CHECK(tty_write(&t, "\r", 1) == 1);
	CHECK_STR(output(), "\n");
	CHECK(type("secret\n") == 7);
	CHECK_STR(output(), "\n"); /* ECHONL without ECHO */
	/* Input flags. */
	nt.iflag = IGNCR | ISTRIP;
	CHECK(tty_ioctl(&t, TCSETS, 0, &nt, sizeof(nt), buf, &(size_t){0}, 1) == 0);
	tty_flush(&t, true, true);
	CHECK(tty_input(&t, "a\r\xe2\n", 4) == 4);
	CHECK(get(buf, sizeof(buf)) == 3 && !memcmp(buf, "ab\n", 3));
	nt.iflag = INLCR;
	nt.lflag &= ~(tcflag_t)ICANON;
	CHECK(tty_ioctl(&t, TCSETS, 0, &nt, sizeof(nt), buf, &(size_t){0}, 1) == 0);
	CHECK(type("\n") == 1 && tty_read(&t, buf, sizeof(buf), 1) == 1 && buf[0] == '\r');
}

TEST(signals_from_isig)
{
	char buf[64];
	int32_t pg = 42;
	size_t n;

	setup();
	CHECK(tty_ioctl(&t, TIOCSPGRP, 0, &pg, sizeof(pg), buf, &n, 1) == 0);
	CHECK(type("ab\x03") == 3);
	CHECK(signals == 1 && last_sig == SIGINT && last_pgrp == 42);
	CHECK_STR(output(), "^C"); /* flushed, then the echo */
	CHECK(type("c\n") == 2 && get(buf, sizeof(buf)) == 2 && !strcmp(buf, "c\n"));
	CHECK(type("\x1c") == 1 && last_sig == SIGQUIT);
	CHECK(type("\x1a") == 1 && last_sig == SIGTSTP);
	set_lflag(NOFLSH, 0);
	CHECK(type("keep\x03\n") == 6 && get(buf, sizeof(buf)) == 5 && !strcmp(buf, "keep\n"));
	set_lflag(0, ISIG);
	signals = 0;
	CHECK(type("\x03\n") == 2 && signals == 0 && get(buf, sizeof(buf)) == 2 && buf[0] == 3);
	/* The window size: a change signals SIGWINCH, the same size does not. */
	struct vfs_winsize ws = {.row = 10, .col = 20};
	CHECK(tty_ioctl(&t, TIOCSWINSZ, 0, &ws, sizeof(ws), buf, &n, 1) == 0 &&
	      last_sig == SIGWINCH);
	signals = 0;
	CHECK(tty_ioctl(&t, TIOCSWINSZ, 0, &ws, sizeof(ws), buf, &n, 1) == 0 && signals == 0);
	CHECK(tty_ioctl(&t, TIOCGWINSZ, 0, NULL, 0, buf, &n, 1) == 0 && n == sizeof(ws) &&
	      !memcmp(buf, &ws, sizeof(ws)));
}

TEST(mode_switches_keep_input)
{
	char buf[64];

	setup();
	CHECK(type("l1\npart") == 7);
	set_lflag(0, ICANON);
	CHECK(tty_readable(&t) == 7);
	CHECK(tty_read(&t, buf, sizeof(buf), 8) == -EAGAIN); /* VMIN-like: not enough */
	CHECK(tty_read(&t, buf, sizeof(buf), 1) == 7 && !memcmp(buf, "l1\npart", 7));
	CHECK(tty_read(&t, buf, sizeof(buf), 0) == 0);
	CHECK(type("xy") == 2);
	set_lflag(ICANON, 0);
	CHECK(type("\n") == 1 && get(buf, sizeof(buf)) == 3 && !strcmp(buf, "xy\n"));
}

TEST(ioctls)
{
	char buf[64];
	size_t n;
	int32_t v;

	setup();
	CHECK(tty_ioctl(&t, TCSETS, 0, buf, 10, buf, &n, 1) == -EINVAL);
	CHECK(tty_ioctl(&t, 0x1234, 0, NULL, 0, buf, &n, 1) == -ENOTTY);
	CHECK(tty_ioctl(&t, TIOCGSID, 0, NULL, 0, buf, &n, 7) == -ENOTTY);
	CHECK(tty_ioctl(&t, TIOCSCTTY, 0, NULL, 0, buf, &n, 7) == 0);
	CHECK(tty_ioctl(&t, TIOCGSID, 0, NULL, 0, buf, &n, 7) == 0 && n == 4 &&
	      memcpy(&v, buf, 4) && v == 7);
	CHECK(tty_ioctl(&t, TIOCGPGRP, 0, NULL, 0, buf, &n, 7) == 0 && memcpy(&v, buf, 4) &&
	      v == 7);
	CHECK(tty_ioctl(&t, TIOCSCTTY, 0, NULL, 0, buf, &n, 8) == -EPERM);
	CHECK(tty_ioctl(&t, TIOCNOTTY, 0, NULL, 0, buf, &n, 8) == -ENOTTY);
	CHECK(tty_ioctl(&t, TIOCNOTTY, 0, NULL, 0, buf, &n, 7) == 0);
	v = -1;
	CHECK(tty_ioctl(&t, TIOCSPGRP, 0, &v, 4, buf, &n, 7) == -EINVAL);
	CHECK(tty_ioctl(&t, TCFLSH, 3, NULL, 0, buf, &n, 7) == -EINVAL);
	CHECK(type("abc\n") == 4 && tty_ioctl(&t, FIONREAD, 0, NULL, 0, buf, &n, 7) == 0 &&
	      memcpy(&v, buf, 4) && v == 4);
	CHECK(tty_ioctl(&t, TCFLSH, TCIFLUSH, NULL, 0, buf, &n, 7) == 0 && tty_readable(&t) == 0);
	CHECK(tty_ioctl(&t, TCXONC, TCOOFF, NULL, 0, buf, &n, 7) == 0 &&
	      tty_write(&t, "x", 1) == -EAGAIN);
	CHECK(tty_ioctl(&t, TCXONC, TCOON, NULL, 0, buf, &n, 7) == 0 && tty_write(&t, "x", 1) == 1);
	CHECK(tty_ioctl(&t, TCXONC, 9, NULL, 0, buf, &n, 7) == -EINVAL);
	CHECK(tty_ioctl(&t, TCSBRK, 1, NULL, 0, buf, &n, 7) == 0);
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

TEST(random_input_and_requests)
{
	static const unsigned long reqs[] = {TCGETS,	 TCSETS,    TCSETSW,   TCSETSF,	 TIOCGWINSZ,
					     TIOCSWINSZ, TIOCGPGRP, TIOCSPGRP, TIOCGSID, TIOCSCTTY,
					     TIOCNOTTY,	 FIONREAD,  TIOCOUTQ,  TCFLSH,	 TCSBRK,
					     TCXONC,	 0x5499};
	static char in[512], buf[TTY_IN_MAX];
	uint64_t seed = 0x7777;
	size_t n;

	setup();
	for (int i = 0; i < 20000; i++) {
		for (size_t k = 0; k < sizeof(in); k++)
			in[k] = (char)rnd(&seed);
		switch (rnd(&seed) % 5) {
		case 0: tty_input(&t, in, rnd(&seed) % sizeof(in)); break;
		case 1: tty_write(&t, in, rnd(&seed) % sizeof(in)); break;
		case 2:
			tty_read(&t, buf, rnd(&seed) % sizeof(buf), rnd(&seed) % 4);
			tty_take_output(&t, buf, rnd(&seed) % sizeof(buf));
			break;
		default:
			tty_ioctl(&t, reqs[rnd(&seed) % (sizeof(reqs) / sizeof(reqs[0]))],
				  rnd(&seed) % 4, in, rnd(&seed) % 40, buf, &n, 1);
			CHECK(n <= 64);
		}
		CHECK(t.inlen <= TTY_IN_MAX && t.outlen <= TTY_OUT_MAX && t.editlen < TTY_LINE_MAX);
	}
}

TEST(pty_pairs)
{
	static struct fs dev_fs = {.dev = 3, .fixed = true};
	const struct cred c = {1000, 1000};
	struct node *dev = fs_new_root(&dev_fs, 0755), *ptmx, *n;
	struct file *m = NULL, *s = NULL, *s2 = NULL;
	char buf[64];
	size_t len;
	int32_t v = 0;

	CHECK(dev && pty_populate(dev) == 0);
	ptmx = dir_find(dev, "ptmx", 4);
	CHECK(ptmx && file_open(ptmx, O_RDWR, &c, &m) == 0 && m->kind == FILE_PTY_MASTER);
	CHECK(file_ioctl(m, TIOCGPTN, 0, NULL, 0, buf, &len, 1) == 0 && len == 4);
	n = dir_find(dir_find(dev, "pts", 3), "0", 1);
	CHECK(n && S_ISCHR(n->mode) && n->uid == 1000 && n->pty);
	CHECK(file_open(n, O_RDWR, &c, &s) == -EIO); /* locked */
	CHECK(file_ioctl(m, TIOCSPTLCK, 0, &v, sizeof(v), buf, &len, 1) == 0);
	CHECK(file_open(n, O_RDWR, &c, &s) == 0 && file_open(n, O_RDWR, &c, &s2) == 0);
	CHECK(file_ioctl(s, TIOCGPTN, 0, NULL, 0, buf, &len, 1) == -ENOTTY);
	CHECK(file_poll(m, POLLIN | POLLOUT) == POLLOUT &&
	      file_poll(s, POLLIN | POLLOUT) == POLLOUT);
	CHECK(file_write(m, "hi\n", 3, NULL) == 3);
	CHECK(file_poll(s, POLLIN) == POLLIN && file_read(s, buf, sizeof(buf), NULL) == 3);
	CHECK(file_read(m, buf, sizeof(buf), NULL) == 4 &&
	      !memcmp(buf, "hi\r\n", 4)); /* the echo */
	CHECK(file_read(m, buf, sizeof(buf), NULL) == -EAGAIN);
	file_put(s2);
	CHECK(file_poll(m, POLLIN) == 0); /* one slave is still open */
	/* A second pair takes the next number. */
	struct file *m2 = NULL;
	CHECK(file_open(ptmx, O_RDWR, &c, &m2) == 0 &&
	      file_ioctl(m2, TIOCGPTN, 0, NULL, 0, buf, &len, 1) == 0 && memcpy(&v, buf, 4) &&
	      v == 1);
	file_put(m2);
	CHECK(!dir_find(dir_find(dev, "pts", 3), "1", 1));
	/* The master closes: /dev/pts/0 goes, the slave reads end of file and cannot write. */
	file_put(m);
	CHECK(!dir_find(dir_find(dev, "pts", 3), "0", 1));
	CHECK(file_read(s, buf, sizeof(buf), NULL) == 0 && file_write(s, "x", 1, NULL) == -EIO);
	CHECK(file_poll(s, POLLIN) & POLLHUP);
	CHECK(file_ioctl(s, TCGETS, 0, NULL, 0, buf, &len, 1) == -EIO);
	file_put(s);
	/* Every slave closes: the master reads EIO. */
	CHECK(file_open(ptmx, O_RDWR, &c, &m) == 0);
	CHECK(file_ioctl(m, TIOCSPTLCK, 0, &(int32_t){0}, 4, buf, &len, 1) == 0);
	n = dir_find(dir_find(dev, "pts", 3), "0", 1);
	CHECK(n && file_open(n, O_RDWR, &c, &s) == 0);
	file_put(s);
	CHECK(file_read(m, buf, sizeof(buf), NULL) == -EIO && (file_poll(m, POLLIN) & POLLHUP));
	CHECK(file_write(m, "late\n", 5, NULL) == 5);
	file_put(m);
	tree_destroy(dev);
}
