/*
 * ioctl: terminal requests, sent to the vfs server (VFS_IOCTL) with the
 * bytes they read and brought back with the bytes they write. Requests that
 * encode a size and direction (_IOC) carry that many bytes; Linux's older
 * terminal requests (TCGETS 0x5401 ...) do not, so a table says theirs.
 * struct termios travels in the kernel's 36-byte layout, which is the start
 * of musl's. isatty (musl: TIOCGWINSZ) is true exactly for the vfs's terminals.
 */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "fd.h"
#include "file.h"
#include "ipc.h"
#include "posix.h"
#include "proto/vfs.h"

/* Bytes a request without _IOC bits reads from (in) and writes to (out) its argument. */
static const struct {
	unsigned long request;
	unsigned short in, out;
} sizes[] = {
    {TCGETS, 0, sizeof(struct vfs_termios)},
    {TCSETS, sizeof(struct vfs_termios), 0},
    {TCSETSW, sizeof(struct vfs_termios), 0},
    {TCSETSF, sizeof(struct vfs_termios), 0},
    {TIOCGWINSZ, 0, sizeof(struct vfs_winsize)},
    {TIOCSWINSZ, sizeof(struct vfs_winsize), 0},
    {TIOCGPGRP, 0, sizeof(int)},
    {TIOCSPGRP, sizeof(int), 0},
    {TIOCGSID, 0, sizeof(int)},
    {FIONREAD, 0, sizeof(int)},
    {TIOCOUTQ, 0, sizeof(int)},
    /* TCSBRK, TCSBRKP, TCXONC, TCFLSH, TIOCSCTTY, TIOCNOTTY: the argument is a value. */
};

#define IOC_WRITE 1u /* _IOC direction bits: the caller's memory is read ... */
#define IOC_READ 2u  /* ... or written */

static void request_sizes(unsigned long request, size_t *in, size_t *out)
{
	*in = *out = 0;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		if (sizes[i].request == request) {
			*in = sizes[i].in;
			*out = sizes[i].out;
			return;
		}
	}
	unsigned dir = (unsigned)(request >> 30) & 3;
	size_t size = (request >> 16) & 0x3fff;
	if (dir & IOC_WRITE)
		*in = size;
	if (dir & IOC_READ)
		*out = size;
}

/* A console descriptor without a vfs session: a fixed 80x24 line-mode terminal. */
static long console_ioctl(unsigned long request, void *arg)
{
	switch (request) {
	case TIOCGWINSZ: {
		const struct winsize ws = {.ws_row = 24, .ws_col = 80};
		memcpy(px_ipc_buffer(), &ws, sizeof(ws));
		return px_copy_out(arg, sizeof(ws));
	}
	case TCGETS: {
		struct vfs_termios t = {.iflag = ICRNL,
					.oflag = OPOST | ONLCR,
					.cflag = CS8 | CREAD | B38400,
					.lflag = ISIG | ICANON | ECHO | ECHOE};
		memcpy(px_ipc_buffer(), &t, sizeof(t));
		return px_copy_out(arg, sizeof(t));
	}
	case TCSETS:
	case TCSETSW:
	case TCSETSF: return 0;
	default: return -ENOTTY;
	}
}

/* FIONBIO, FIOCLEX and FIONCLEX hold for any descriptor: they become fcntl's. */
static long descriptor_ioctl(int fd, struct px_file *f, unsigned long request, const void *arg)
{
	uint64_t r[8], w[2] = {f->id, 0};
	int on;

	if (request == FIOCLEX || request == FIONCLEX)
		return px_fd_set_cloexec(fd, request == FIOCLEX);
	long err = px_copy_in(0, arg, sizeof(on));
	if (err)
		return err;
	memcpy(&on, px_ipc_buffer(), sizeof(on));
	if (f->kind != PX_FILE_VFS)
		return 0;
	long flags = px_vfs_call(VFS_GETFL, w, 1, 0, r);
	if (flags < 0)
		return flags;
	w[1] = on ? (uint64_t)flags | O_NONBLOCK : (uint64_t)flags & ~(uint64_t)O_NONBLOCK;
	return px_vfs_call(VFS_SETFL, w, 2, 0, r);
}

long px_ioctl(const long *args)
{
	int fd = (int)args[0];
	unsigned long request =
	    (uint32_t)args[1]; /* an int in musl: 0x8004... arrives sign-extended */
	void *arg = (void *)args[2];
	struct px_file *f = px_fd_file(fd);
	size_t in, out;
	uint64_t r[8];

	if (!f)
		return -EBADF;
	if (request == FIONBIO || request == FIOCLEX || request == FIONCLEX)
		return descriptor_ioctl(fd, f, request, arg);
	if (f->kind != PX_FILE_VFS)
		return console_ioctl(request, arg);
	request_sizes(request, &in, &out);
	if (in > VFS_IO_MAX || out > VFS_IO_MAX)
		return -ENOTTY;
	long err = in ? px_copy_in(0, arg, in) : 0;
	if (err)
		return err;
	uint64_t w[3] = {f->id, request, (uint64_t)args[2]};
	/* tcsetpgrp's argument word says whether a background caller's SIGTTOU is off. */
	if (request == TIOCSPGRP)
		w[2] = px_sig_off(SIGTTOU) ? VFS_IO_TTOU_OFF : 0;
	long result = px_vfs_call(VFS_IOCTL, w, 3, in, r);
	while (result == -VFS_EBACKGROUND) {
		if ((result = px_tty_background(SIGTTOU)) == 0 && !(result = px_copy_in(0, arg, in)))
			result = px_vfs_call(VFS_IOCTL, w, 3, in, r);
	}
	if (result < 0 || !out)
		return result;
	if (px_reply_len(r[0]) != out)
		return -EIO;
	return (err = px_copy_out(arg, out)) ? err : result;
}
