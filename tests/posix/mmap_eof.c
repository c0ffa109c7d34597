/*
 * File mappings past the end of the file, as Linux: the page holding the
 * end is there (zeros after the end), an access to a page wholly past it is
 * SIGBUS (si_code BUS_ADRERR, si_addr the address), for MAP_SHARED and
 * MAP_PRIVATE, reads and writes; a file grown by ftruncate or write makes
 * those pages accessible. Exits with the number of failed checks.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define TEST_NAME "mmap_eof"
#include "check.h"

#define PAGE 4096UL

static sigjmp_buf bus_jump;
static volatile int bus_code;
static void *volatile bus_addr;

static void on_bus(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	bus_code = si->si_code;
	bus_addr = si->si_addr;
	siglongjmp(bus_jump, sig);
}

/* The signal an access (a write when @write) to @p raises (0: none). */
static int touch(char *p, int write)
{
	volatile int sig = 0;

	bus_code = 0;
	bus_addr = NULL;
	int got = sigsetjmp(bus_jump, 1);
	if (got)
		sig = got;
	else if (write)
		*(volatile char *)p = 'w';
	else
		(void)*(volatile char *)p;
	return sig;
}

static void check_bus(char *p, int write, const char *what)
{
	int sig = touch(p, write);

	CHECK(sig == SIGBUS, "%s: %s %p: signal %d, not SIGBUS", what, write ? "write" : "read",
	      (void *)p, sig);
	if (sig == SIGBUS)
		CHECK(bus_code == BUS_ADRERR && bus_addr == p, "%s: si_code %d, si_addr %p", what,
		      bus_code, bus_addr);
}

static void check_mapping(int fd, int flags, const char *what)
{
	char *m = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, flags, fd, 0);

	CHECK(m != MAP_FAILED, "%s: mmap", what);
	if (m == MAP_FAILED)
		return;
	CHECK(m[0] == 'f' && m[PAGE + 99] == 'f', "%s: the file's bytes", what);
	CHECK(touch(m + PAGE + 100, 0) == 0 && m[PAGE + 100] == 0 && m[2 * PAGE - 1] == 0,
	      "%s: the page holding the end is not zeros past it", what);
	check_bus(m + 2 * PAGE, 0, what);
	check_bus(m + 3 * PAGE + 17, 1, what);
	check_bus(m + 2 * PAGE + 5, 1, what);
	CHECK(ftruncate(fd, 3 * PAGE) == 0, "%s: ftruncate", what);
	CHECK(touch(m + 2 * PAGE + 5, 0) == 0 && m[2 * PAGE + 5] == 0, "%s: grown by ftruncate",
	      what);
	check_bus(m + 3 * PAGE, 0, what);
	CHECK(pwrite(fd, "g", 1, 3 * PAGE + 10) == 1, "%s: pwrite", what);
	CHECK(touch(m + 3 * PAGE + 10, 0) == 0 && m[3 * PAGE + 10] == 'g', "%s: grown by a write",
	      what);
	/* Shrunk under pages this mapping has: they go (SIGBUS), as on Linux; grown again: zeros. */
	if (flags & MAP_SHARED)
		m[2 * PAGE + 5] = 's';
	CHECK(touch(m + 2 * PAGE, 0) == 0 && touch(m + 3 * PAGE, 0) == 0, "%s: mapped", what);
	CHECK(ftruncate(fd, PAGE + 100) == 0, "%s: ftruncate down", what);
	check_bus(m + 2 * PAGE + 5, 0, what);
	check_bus(m + 3 * PAGE + 10, 0, what);
	check_bus(m + 3 * PAGE + 11, 1, what);
	CHECK(touch(m + PAGE + 100, 0) == 0 && m[PAGE + 99] == 'f' && m[PAGE + 100] == 0,
	      "%s: the page holding the new end", what);
	CHECK(ftruncate(fd, 4 * PAGE) == 0, "%s: ftruncate up", what);
	CHECK(touch(m + 3 * PAGE + 10, 0) == 0 && m[3 * PAGE + 10] == 0 && m[2 * PAGE + 5] == 0,
	      "%s: grown again, the pages are not zeros", what);
	CHECK(munmap(m, 4 * PAGE) == 0, "%s: munmap", what);
	CHECK(ftruncate(fd, PAGE + 100) == 0, "%s: ftruncate back", what);
}

int main(void)
{
	char path[64];
	static char buf[PAGE + 100];
	struct sigaction sa = {.sa_sigaction = on_bus, .sa_flags = SA_SIGINFO};

	CHECK(sigaction(SIGBUS, &sa, NULL) == 0, "sigaction");
	snprintf(path, sizeof(path), "/tmp/mmap_eof.%d", (int)getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0, "open %s", path);
	if (fd < 0)
		return 1;
	unlink(path);
	memset(buf, 'f', sizeof(buf));
	CHECK(write(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf), "write");
	check_mapping(fd, MAP_SHARED, "MAP_SHARED");
	check_mapping(fd, MAP_PRIVATE, "MAP_PRIVATE");
	close(fd);
	if (!failures)
		printf("mmap_eof: all checks passed\n");
	return failures != 0;
}
