/*
 * The line discipline (see tty.h): what Linux's n_tty does for the flags
 * most programs use. Not done: VLNEXT, VREPRINT, VDISCARD, IUCLC/OLCUC,
 * output delays, and the inter-byte timer of VMIN > 0 with VTIME > 0 (the
 * server's read, ttyops.c, approximates it).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "tty.h"

static void count_signal(int32_t pgrp, int sig)
{
	tty_signals_sent++;
}

void (*tty_kill_pgrp)(int32_t pgrp, int sig) = count_signal;
unsigned tty_signals_sent;

void tty_init(struct tty *t, void (*sink)(const char *s, size_t len))
{
	static const uint8_t cc[] = {
	    [VINTR] = 003,    [VQUIT] = 034,	[VERASE] = 0177, [VKILL] = 025,	 [VEOF] = 004,
	    [VTIME] = 0,      [VMIN] = 1,	[VSTART] = 021,	 [VSTOP] = 023,	 [VSUSP] = 032,
	    [VREPRINT] = 022, [VDISCARD] = 017, [VWERASE] = 027, [VLNEXT] = 026,
	};

	memset(t, 0, sizeof(*t));
	t->t.iflag = ICRNL | IXON;
	t->t.oflag = OPOST | ONLCR;
	t->t.cflag = B38400 | CS8 | CREAD | HUPCL;
	t->t.lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
	memcpy(t->t.cc, cc, sizeof(cc));
	t->sink = sink;
}

/* ---- output ---- */

static void flush_sink(struct tty *t)
{
	if (t->sink && t->outlen) {
		t->sink(t->out, t->outlen);
		t->outlen = 0;
	}
}

/* Queues @n processed bytes; false when they do not fit. */
static bool emit(struct tty *t, const char *s, size_t n)
{
	if (TTY_OUT_MAX - t->outlen < n)
		flush_sink(t);
	if (TTY_OUT_MAX - t->outlen < n)
		return false;
	memcpy(t->out + t->outlen, s, n);
	t->outlen += n;
	return true;
}

/* Output processing (OPOST) of one byte. */
static bool put_char(struct tty *t, char c)
{
	if (t->t.oflag & OPOST) {
		if (c == '\n' && (t->t.oflag & ONLCR))
			return emit(t, "\r\n", 2);
		if (c == '\r' && (t->t.oflag & OCRNL))
			c = '\n';
	}
	return emit(t, &c, 1);
}

static bool control(unsigned char c)
{
	return (c < 32 && c != '\n' && c != '\t') || c == 0177;
}

/* Echoes one input byte; control characters as ^X with ECHOCTL. */
static void echo(struct tty *t, unsigned char c)
{
	if ((t->t.lflag & ECHOCTL) && control(c)) {
		char s[2] = {'^', c == 0177 ? '?' : (char)(c + 64)};
		emit(t, s, 2);
		return;
	}
	put_char(t, (char)c);
}

long tty_write(struct tty *t, const char *buf, size_t len)
{
	size_t i = 0;

	if (!len)
		return 0;
	if (t->stopped && !t->sink)
		return -EAGAIN;
	while (i < len && put_char(t, buf[i]))
		i++;
	flush_sink(t);
	return i ? (long)i : -EAGAIN;
}

size_t tty_take_output(struct tty *t, char *buf, size_t len)
{
	if (len > t->outlen)
		len = t->outlen;
	memcpy(buf, t->out, len);
	memmove(t->out, t->out + len, t->outlen - len);
	t->outlen -= len;
	return len;
}

/* ---- input ---- */

/* Whether @c is the (enabled) control character @idx; 0 disables one, as Linux's _POSIX_VDISABLE.
 */
static bool is_cc(const struct tty *t, unsigned char c, int idx)
{
	return t->t.cc[idx] && c == t->t.cc[idx];
}

static bool line_end(const struct tty *t, unsigned char c)
{
	return c == '\n' || is_cc(t, c, VEOL) || ((t->t.lflag & IEXTEN) && is_cc(t, c, VEOL2));
}

/* Queues a finished canonical line as a record; false without room. */
static bool push_line(struct tty *t, const char *s, size_t n)
{
	if (TTY_IN_MAX - t->inlen < n + 2)
		return false;
	t->in[t->inlen] = (char)(n & 0xff);
	t->in[t->inlen + 1] = (char)(n >> 8);
	memcpy(t->in + t->inlen + 2, s, n);
	t->inlen += n + 2;
	return true;
}

/* Removes the last byte of the line being typed, and from the screen. */
static void rub_out(struct tty *t)
{
	unsigned char c = (unsigned char)t->edit[--t->editlen];

	if (!(t->t.lflag & ECHO))
		return;
	if (!(t->t.lflag & ECHOE)) {
		echo(t, t->t.cc[VERASE]);
		return;
	}
	for (int w = (t->t.lflag & ECHOCTL) && control(c) ? 2 : 1; w; w--)
		emit(t, "\b \b", 3);
}

static void erase_word(struct tty *t)
{
	while (t->editlen && (t->edit[t->editlen - 1] == ' ' || t->edit[t->editlen - 1] == '\t'))
		rub_out(t);
	while (t->editlen && t->edit[t->editlen - 1] != ' ' && t->edit[t->editlen - 1] != '\t')
		rub_out(t);
}

static void kill_line(struct tty *t, unsigned char c)
{
	tcflag_t l = t->t.lflag;

	if ((l & ECHO) && (l & ECHOKE) && (l & ECHOE)) {
		while (t->editlen)
			rub_out(t);
		return;
	}
	t->editlen = 0;
	if (l & ECHO) {
		echo(t, c);
		if (l & ECHOK)
			put_char(t, '\n');
	}
}

/* An ISIG character: flush (unless NOFLSH), echo it, signal the foreground group. */
static void send_signal(struct tty *t, unsigned char c, int sig)
{
	if (!(t->t.lflag & NOFLSH))
		tty_flush(t, true, true);
	if (t->t.lflag & ECHO)
		echo(t, c);
	tty_kill_pgrp(t->pgrp, sig);
}

/* One byte typed; false when it cannot be taken now (no room for input). */
static bool input_char(struct tty *t, unsigned char c)
{
	tcflag_t i = t->t.iflag, l = t->t.lflag;

	if (i & ISTRIP)
		c &= 0x7f;
	if (c == '\r') {
		if (i & IGNCR)
			return true;
		if (i & ICRNL)
			c = '\n';
	} else if (c == '\n' && (i & INLCR)) {
		c = '\r';
	}
	if (i & IXON) {
		if (is_cc(t, c, VSTOP) || is_cc(t, c, VSTART)) {
			t->stopped = is_cc(t, c, VSTOP);
			return true;
		}
	}
	if (l & ISIG) {
		int sig = is_cc(t, c, VINTR)   ? SIGINT
			  : is_cc(t, c, VQUIT) ? SIGQUIT
			  : is_cc(t, c, VSUSP) ? SIGTSTP
					       : 0;
		if (sig) {
			send_signal(t, c, sig);
			return true;
		}
	}
	if (!(l & ICANON)) {
		if (t->inlen == TTY_IN_MAX)
			return false;
		t->in[t->inlen++] = (char)c;
		if (l & ECHO)
			echo(t, c);
		else if ((l & ECHONL) && c == '\n')
			put_char(t, '\n');
		return true;
	}
	if (is_cc(t, c, VERASE)) {
		if (t->editlen)
			rub_out(t);
		return true;
	}
	if ((l & IEXTEN) && is_cc(t, c, VWERASE)) {
		erase_word(t);
		return true;
	}
	if (is_cc(t, c, VKILL)) {
		kill_line(t, c);
		return true;
	}
	if (is_cc(t, c, VEOF)) {
		if (!push_line(t, t->edit, t->editlen))
			return false;
		t->editlen = 0;
		return true;
	}
	if (line_end(t, c)) {
		t->edit[t->editlen] = (char)c; /* the buffer keeps room for the terminator */
		if (!push_line(t, t->edit, t->editlen + 1))
			return false;
		t->editlen = 0;
		if (l & ECHO)
			echo(t, c);
		else if ((l & ECHONL) && c == '\n')
			put_char(t, '\n');
		return true;
	}
	/* A full line takes nothing more but its end, as Linux. */
	if (t->editlen < TTY_LINE_MAX - 1) {
		t->edit[t->editlen++] = (char)c;
		if (l & ECHO)
			echo(t, c);
	}
	return true;
}

long tty_input(struct tty *t, const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len && input_char(t, (unsigned char)buf[i]))
		i++;
	flush_sink(t);
	return i || !len ? (long)i : -EAGAIN;
}

static size_t record_len(const struct tty *t, size_t at)
{
	return (size_t)(unsigned char)t->in[at] | (size_t)(unsigned char)t->in[at + 1] << 8;
}

size_t tty_readable(const struct tty *t)
{
	if (!(t->t.lflag & ICANON))
		return t->inlen;
	size_t n = 0;
	for (size_t at = 0; at + 2 <= t->inlen; at += record_len(t, at) + 2)
		n += record_len(t, at);
	return n;
}

bool tty_read_ready(const struct tty *t)
{
	return t->inlen > 0;
}

static void drop_input(struct tty *t, size_t at, size_t n)
{
	memmove(t->in + at, t->in + at + n, t->inlen - at - n);
	t->inlen -= n;
}

long tty_read(struct tty *t, char *buf, size_t len, size_t want)
{
	if (t->t.lflag & ICANON) {
		if (!t->inlen)
			return -EAGAIN;
		size_t n = record_len(t, 0);
		if (len >= n) {
			memcpy(buf, t->in + 2, n);
			drop_input(t, 0, n + 2);
			return (long)n;
		}
		/* Part of the line: the rest stays a shorter record. */
		memcpy(buf, t->in + 2, len);
		drop_input(t, 2, len);
		t->in[0] = (char)((n - len) & 0xff);
		t->in[1] = (char)((n - len) >> 8);
		return (long)len;
	}
	if (t->inlen < want)
		return -EAGAIN;
	size_t n = len < t->inlen ? len : t->inlen;
	memcpy(buf, t->in, n);
	drop_input(t, 0, n);
	return (long)n;
}

void tty_flush(struct tty *t, bool input, bool output)
{
	if (input)
		t->inlen = t->editlen = 0;
	if (output)
		t->outlen = 0;
}

/* New settings; switching ICANON carries the input over. */
static void set_termios(struct tty *t, const struct vfs_termios *nt)
{
	bool was = t->t.lflag & ICANON, is = nt->lflag & ICANON;

	t->t = *nt;
	if (was && !is) {
		/* Lines become bytes, and the line being typed follows them. */
		size_t r = 0, w = 0;
		while (r + 2 <= t->inlen) {
			size_t n = record_len(t, r);
			memmove(t->in + w, t->in + r + 2, n);
			w += n;
			r += n + 2;
		}
		t->inlen = w;
		size_t n = t->editlen < TTY_IN_MAX - w ? t->editlen : TTY_IN_MAX - w;
		memcpy(t->in + w, t->edit, n);
		t->inlen += n;
		t->editlen = 0;
	} else if (!was && is) {
		/* Bytes not yet read start the line being typed. */
		size_t n = t->inlen < TTY_LINE_MAX - 1 ? t->inlen : TTY_LINE_MAX - 1;
		memcpy(t->edit, t->in, n);
		t->editlen = n;
		t->inlen = 0;
	}
}

static long put_int(void *out, size_t *outlen, int32_t v)
{
	memcpy(out, &v, sizeof(v));
	*outlen = sizeof(v);
	return 0;
}

long tty_ioctl(struct tty *t, unsigned long request, uint64_t arg, const void *in, size_t inlen,
	       void *out, size_t *outlen, int32_t caller)
{
	struct vfs_termios nt;
	struct vfs_winsize ws;
	int32_t v;

	*outlen = 0;
	switch (request) {
	case TCGETS:
		memcpy(out, &t->t, sizeof(t->t));
		*outlen = sizeof(t->t);
		return 0;
	case TCSETS:
	case TCSETSW: /* output is never pending for long: nothing to wait for */
	case TCSETSF:
		if (inlen != sizeof(nt))
			return -EINVAL;
		if (request == TCSETSF)
			tty_flush(t, true, false);
		memcpy(&nt, in, sizeof(nt));
		set_termios(t, &nt);
		return 0;
	case TIOCGWINSZ:
		memcpy(out, &t->ws, sizeof(t->ws));
		*outlen = sizeof(t->ws);
		return 0;
	case TIOCSWINSZ:
		if (inlen != sizeof(ws))
			return -EINVAL;
		memcpy(&ws, in, sizeof(ws));
		if (memcmp(&ws, &t->ws, sizeof(ws))) {
			t->ws = ws;
			tty_kill_pgrp(t->pgrp, SIGWINCH);
		}
		return 0;
	case TIOCGPGRP: return put_int(out, outlen, t->pgrp);
	case TIOCSPGRP:
		if (inlen != sizeof(v))
			return -EINVAL;
		memcpy(&v, in, sizeof(v));
		if (v < 0)
			return -EINVAL;
		t->pgrp = v;
		return 0;
	case TIOCGSID: return t->sid ? put_int(out, outlen, t->sid) : -ENOTTY;
	case TIOCSCTTY:
		if (t->sid && t->sid != caller && arg != 1)
			return -EPERM;
		t->sid = t->pgrp = caller;
		return 0;
	case TIOCNOTTY:
		if (!t->sid || t->sid != caller)
			return -ENOTTY;
		t->sid = t->pgrp = 0;
		return 0;
	case FIONREAD: return put_int(out, outlen, (int32_t)tty_readable(t));
	case TIOCOUTQ: return put_int(out, outlen, (int32_t)t->outlen);
	case TCFLSH:
		if (arg > TCIOFLUSH)
			return -EINVAL;
		tty_flush(t, arg != TCOFLUSH, arg != TCIFLUSH);
		return 0;
	case TCSBRK:
	case TCSBRKP: return 0; /* tcdrain, tcsendbreak: output leaves at once */
	case TCXONC:
		if (arg > TCION)
			return -EINVAL;
		if (arg == TCOOFF || arg == TCOON)
			t->stopped = arg == TCOOFF;
		return 0; /* TCIOFF/TCION: no flow control towards the other side */
	default: return -ENOTTY;
	}
}
