/*
 * The line discipline every terminal of the vfs server shares (the console,
 * the pseudo-terminals): termios input processing, canonical line editing,
 * echo, output processing, the window size and the foreground process group.
 * It uses only the C library, so the host unit tests build it as it is.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../proto/vfs.h"

#define TTY_LINE_MAX 4096 /* bytes of one canonical line, with its terminator */
#define TTY_IN_MAX 8192	  /* bytes of input ready to read */
#define TTY_OUT_MAX 8192  /* bytes of output not yet taken (pty: by the master) */

struct tty {
	struct vfs_termios t;
	struct vfs_winsize ws;
	int32_t pgrp, sid; /* the foreground process group and the session it controls (0: none) */
	bool stopped;	   /* output suspended (VSTOP, TCOOFF) */
	/* Canonical mode: the line being typed. */
	char edit[TTY_LINE_MAX];
	size_t editlen;
	/*
	 * Input ready to read. Canonical: records of a 2-byte length and the line
	 * (length 0: end of file typed at the start of a line); otherwise bytes.
	 */
	char in[TTY_IN_MAX];
	size_t inlen;
	/* Output after processing: taken by tty_take_output, or passed to sink at once. */
	char out[TTY_OUT_MAX];
	size_t outlen;
	void (*sink)(const char *s, size_t len); /* may be NULL */
};

/*
 * Where the signals of ISIG characters and window-size changes go: the one
 * hook for signal delivery. The server queues them for the proc server
 * (VFS_TTY_SIGNAL, server.c); by default (unit tests) they are only counted
 * (tty_signals_sent).
 */
extern void (*tty_kill_pgrp)(int32_t pgrp, int sig);
extern unsigned tty_signals_sent;

/* Linux's defaults (cooked mode, echo, ONLCR); @sink may be NULL. */
void tty_init(struct tty *t, void (*sink)(const char *s, size_t len));

/* Input typed at the terminal (a pty master's write): the bytes taken, or -EAGAIN when full. */
long tty_input(struct tty *t, const char *buf, size_t len);

/* Output written to the terminal (a slave's write): the bytes taken, or -EAGAIN when full. */
long tty_write(struct tty *t, const char *buf, size_t len);

/* Takes up to @len bytes of output (a pty master's read): the count (0: none). */
size_t tty_take_output(struct tty *t, char *buf, size_t len);

/* Bytes a read would find (FIONREAD), and whether a read would not wait. */
size_t tty_readable(const struct tty *t);
bool tty_read_ready(const struct tty *t);

/*
 * Reads input. Canonical: one line (or its first @len bytes), 0 for an end of
 * file, -EAGAIN if no line is complete. Otherwise the bytes there if at least
 * @want (> 0) are, 0 if @want is 0 and none are, else -EAGAIN.
 */
long tty_read(struct tty *t, char *buf, size_t len, size_t want);

/* Discards input (TCIFLUSH), output (TCOFLUSH) or both. */
void tty_flush(struct tty *t, bool input, bool output);

/*
 * Linux's terminal ioctls on @t: @in/@inlen the bytes the request reads, @out
 * (room for 64 bytes) and *@outlen what it writes; @caller the session's pid.
 * Returns >= 0 or -errno (-ENOTTY for a request it does not know).
 */
long tty_ioctl(struct tty *t, unsigned long request, uint64_t arg, const void *in, size_t inlen,
	       void *out, size_t *outlen, int32_t caller);
