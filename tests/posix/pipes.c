/*
 * Pipes within one process: data in order, end of file, EPIPE, O_NONBLOCK
 * and the capacity, a reader thread blocked until a writer comes, a large
 * transfer between two threads (blocking writes and partial ones), poll.
 * Exits with the number of failed checks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


#define TEST_NAME "pipes"
#include "check.h"

#define BIG (1 << 20)

static int p[2];
static unsigned char big[BIG], got[BIG];

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

static void check_basics(void)
{
	char buf[16];

	CHECK(pipe(p) == 0, "pipe");
	CHECK(write(p[1], "hello", 5) == 5 && write(p[1], "!", 1) == 1, "write");
	CHECK(read(p[0], buf, 3) == 3 && memcmp(buf, "hel", 3) == 0, "read part");
	CHECK(read(p[0], buf, sizeof(buf)) == 3 && memcmp(buf, "lo!", 3) == 0, "read the rest");
	CHECK(lseek(p[0], 0, SEEK_CUR) == -1 && errno == ESPIPE, "no seeking");
	CHECK(read(p[1], buf, 1) == -1 && errno == EBADF, "read of the write end");
	CHECK(write(p[0], "x", 1) == -1 && errno == EBADF, "write of the read end");
	struct pollfd pf[2] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}};
	CHECK(poll(pf, 2, 0) == 1 && pf[0].revents == 0 && pf[1].revents == POLLOUT, "poll empty");
	CHECK(write(p[1], "x", 1) == 1 && poll(pf, 1, 0) == 1 && pf[0].revents == POLLIN, "poll data");
	int d = dup(p[1]);
	close(p[1]);
	CHECK(read(p[0], buf, sizeof(buf)) == 1, "a dup keeps the write end open");
	close(d);
	CHECK(read(p[0], buf, sizeof(buf)) == 0, "end of file without writers");
	CHECK(poll(pf, 1, 0) == 1 && (pf[0].revents & POLLHUP), "POLLHUP: %x", pf[0].revents);
	close(p[0]);
	/* Writing with no reader: EPIPE (SIGPIPE ignored, for Linux). */
	CHECK(pipe2(p, O_CLOEXEC) == 0 && fcntl(p[0], F_GETFD) == FD_CLOEXEC, "pipe2");
	close(p[0]);
	CHECK(write(p[1], "x", 1) == -1 && errno == EPIPE, "EPIPE");
	close(p[1]);
}

static void check_nonblocking(void)
{
	static char chunk[1000], buf[8192];
	long total = 0, n;

	CHECK(pipe2(p, O_NONBLOCK) == 0, "pipe2 O_NONBLOCK");
	CHECK(read(p[0], buf, 1) == -1 && errno == EAGAIN, "EAGAIN when empty");
	while ((n = write(p[1], chunk, sizeof(chunk))) > 0)
		total += n;
	CHECK(n == -1 && errno == EAGAIN, "EAGAIN when full");
	CHECK(total >= 60000 && total <= 65536, "capacity %ld", total);
	/* A write larger than PIPE_BUF takes what fits. */
	CHECK(read(p[0], buf, 6000) == 6000, "make room");
	n = write(p[1], buf, sizeof(buf));
	CHECK(n > 0 && n < (long)sizeof(buf), "partial write: %ld", n);
	CHECK((fcntl(p[1], F_GETFL) & O_NONBLOCK) && fcntl(p[0], F_SETFL, 0) == 0 &&
		  !(fcntl(p[0], F_GETFL) & O_NONBLOCK),
	      "F_SETFL clears O_NONBLOCK");
	close(p[0]);
	close(p[1]);
}

static void *late_writer(void *arg)
{
	(void)arg;
	sleep_ms(50);
	if (write(p[1], "late", 4) != 4)
		return (void *)1;
	return NULL;
}

static void *big_writer(void *arg)
{
	size_t done = 0;

	(void)arg;

	while (done < BIG) {
		ssize_t n = write(p[1], big + done, BIG - done);
		if (n <= 0)
			return (void *)1;
		done += (size_t)n;
	}
	close(p[1]);
	return NULL;
}

static void check_threads(void)
{
	pthread_t t;
	void *ret;
	char buf[16];

	/* A read blocks until the writer thread comes. */
	CHECK(pipe(p) == 0, "pipe");
	CHECK(pthread_create(&t, NULL, late_writer, NULL) == 0, "thread");
	CHECK(read(p[0], buf, sizeof(buf)) == 4 && memcmp(buf, "late", 4) == 0, "blocking read");
	pthread_join(t, &ret);
	CHECK(ret == NULL, "late writer");
	close(p[0]);
	close(p[1]);
	/* A megabyte through the 64 KiB pipe: the writer blocks, the reader takes what comes. */
	for (size_t i = 0; i < BIG; i++)
		big[i] = (unsigned char)(i * 131 + (i >> 9));
	CHECK(pipe(p) == 0, "pipe");
	CHECK(pthread_create(&t, NULL, big_writer, NULL) == 0, "thread");
	size_t done = 0;
	ssize_t n;
	while ((n = read(p[0], got + done, BIG - done)) > 0)
		done += (size_t)n;
	pthread_join(t, &ret);
	CHECK(ret == NULL && n == 0 && done == BIG && memcmp(big, got, BIG) == 0,
	      "a megabyte: %zu bytes", done);
	close(p[0]);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	check_basics();
	check_nonblocking();
	check_threads();
	printf("pipes: %d checks failed\n", failures);
	return failures;
}
