/*
 * MAP_PRIVATE file mappings as Linux keeps them: a write through one is seen
 * neither by the file nor by other mappings and processes; pages the mapping
 * never wrote follow later write()s and MAP_SHARED writes to the file, while
 * a written page keeps its copy; mprotect, fork, munmap of a part, a
 * truncated file (no stale bytes past the end, SIGBUS for a page wholly past
 * it that was not touched before) and a mapping outliving its descriptor.
 * Exits with the number of failed checks.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define TEST_NAME "mmap_private"
#include "check.h"
#include "child.h"

#define PAGE 4096UL
#define PAGES 4

static char path[64];

/* The file's page i is filled with 'a' + i. */
static int make_file(void)
{
	static char buf[PAGE];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

	CHECK(fd >= 0, "open %s", path);
	for (int i = 0; fd >= 0 && i < PAGES; i++) {
		memset(buf, 'a' + i, PAGE);
		CHECK(write(fd, buf, PAGE) == (ssize_t)PAGE, "write page %d", i);
	}
	return fd;
}

static char file_byte(int fd, off_t at)
{
	char c = 0;

	CHECK(pread(fd, &c, 1, at) == 1, "pread at %lld", (long long)at);
	return c;
}

/* Every byte of page @i of @m is @c. */
static int page_is(const char *m, int i, char c)
{
	for (unsigned long j = 0; j < PAGE; j++)
		if (m[i * PAGE + j] != c)
			return 0;
	return 1;
}

static void check_private_writes(int fd)
{
	char *m = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	char *other = mmap(NULL, PAGES * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);

	CHECK(m != MAP_FAILED && other != MAP_FAILED, "mmap");
	if (m == MAP_FAILED || other == MAP_FAILED)
		return;
	for (int i = 0; i < PAGES; i++)
		CHECK(page_is(m, i, 'a' + i), "page %d does not hold the file's bytes", i);
	m[10] = 'X';
	CHECK(m[10] == 'X' && file_byte(fd, 10) == 'a', "a private write reached the file");
	CHECK(other[10] == 'a', "a private write reached another private mapping");

	/* write() after the mapping: seen in pages it never wrote, not in the copied one. */
	CHECK(pwrite(fd, "WW", 2, 20) == 2 && pwrite(fd, "YY", 2, PAGE + 20) == 2, "pwrite");
	CHECK(m[20] == 'a' && m[10] == 'X', "the copied page changed: %c %c", m[20], m[10]);
	CHECK(m[PAGE + 20] == 'Y' && other[PAGE + 20] == 'Y', "an untouched page shows stale data: %c %c",
	      m[PAGE + 20], other[PAGE + 20]);
	CHECK(other[20] == 'W', "the other mapping's untouched page shows stale data: %c", other[20]);

	/* A write through MAP_SHARED reaches untouched private pages too. */
	char *sh = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(sh != MAP_FAILED, "shared mmap");
	if (sh != MAP_FAILED) {
		sh[2 * PAGE + 5] = 'S';
		CHECK(m[2 * PAGE + 5] == 'S' && file_byte(fd, 2 * PAGE + 5) == 'S',
		      "a shared write is not seen: %c", m[2 * PAGE + 5]);
		m[2 * PAGE + 6] = 'P';
		CHECK(sh[2 * PAGE + 6] == 'c', "a private write reached the shared mapping");
		CHECK(munmap(sh, PAGES * PAGE) == 0, "munmap");
	}
	CHECK(munmap(m, PAGES * PAGE) == 0 && munmap(other, PAGES * PAGE) == 0, "munmap");
}

/* Read-only, then writable by mprotect (privately), then read-only again; PROT_EXEC. */
static void check_mprotect(int fd)
{
	char *m = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, PAGE);

	CHECK(m != MAP_FAILED, "mmap read-only");
	if (m == MAP_FAILED)
		return;
	CHECK(m[0] == 'b', "offset %lu", PAGE);
	CHECK(mprotect(m, 2 * PAGE, PROT_READ | PROT_WRITE) == 0, "mprotect writable");
	m[PAGE + 1] = 'M';
	CHECK(mprotect(m, 2 * PAGE, PROT_READ) == 0, "mprotect read-only");
	CHECK(m[PAGE + 1] == 'M' && file_byte(fd, 2 * PAGE + 1) == 'c', "the write after mprotect");
	CHECK(mprotect(m, PAGE, PROT_READ | PROT_EXEC) == 0, "mprotect PROT_EXEC: errno %d", errno);
	CHECK(munmap(m, 2 * PAGE) == 0, "munmap");
	char *x = mmap(NULL, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	CHECK(x != MAP_FAILED && x[0] == 'a', "PROT_EXEC mapping: errno %d", errno);
	if (x != MAP_FAILED)
		munmap(x, PAGE);
}

/* The parent wrote page 0 before the fork; the child writes page 1 after it. */
static void check_fork(int fd)
{
	char *m = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);

	CHECK(m != MAP_FAILED, "mmap");
	if (m == MAP_FAILED)
		return;
	m[0] = 'F';
	(void)*(volatile char *)(m + 3 * PAGE);	/* read, not written */
	pid_t pid = fork();
	if (pid == 0) {
		int bad = m[0] != 'F' ? 1 : m[PAGE] != 'b' ? 2 : 0;
		m[PAGE] = 'C';
		m[0] = 'G';
		/* A fresh mapping in the child sees the file, not the parent's writes. */
		char *fresh = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
		if (!bad && (fresh == MAP_FAILED || fresh[0] != 'a'))
			bad = 3;
		if (!bad && (m[PAGE] != 'C' || m[0] != 'G'))
			bad = 4;
		_exit(bad);
	}
	check_exit(pid, 0, "the child's view of the forked mapping");
	CHECK(m[0] == 'F' && m[PAGE] == 'b', "the child's writes reached the parent: %c %c", m[0], m[PAGE]);
	CHECK(file_byte(fd, 0) == 'a' && file_byte(fd, PAGE) == 'b', "the writes reached the file");
	CHECK(pwrite(fd, "Z", 1, 3 * PAGE + 9) == 1, "pwrite");
	CHECK(m[3 * PAGE + 9] == 'Z', "after the fork an untouched page shows stale data");
	CHECK(munmap(m, PAGES * PAGE) == 0, "munmap");
}

/* munmap of the middle: the rest stays; a new mapping there is the file again. */
static void check_munmap(int fd)
{
	char *m = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);

	CHECK(m != MAP_FAILED, "mmap");
	if (m == MAP_FAILED)
		return;
	memset(m, 'Q', 3 * PAGE);
	CHECK(munmap(m + PAGE, PAGE) == 0, "munmap of the middle page");
	CHECK(page_is(m, 0, 'Q') && page_is(m, 2, 'Q'), "the pages around the hole changed");
	char *again = mmap(m + PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, PAGE);
	CHECK(again == m + PAGE && page_is(m, 1, 'b'), "the remapped page is not the file's");
	CHECK(munmap(m, 3 * PAGE) == 0, "munmap");
}

/* The mapping outlives the descriptor (and the file's name). */
static void check_after_close(void)
{
	int fd = open(path, O_RDONLY);

	CHECK(fd >= 0, "open");
	char *m = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(m != MAP_FAILED, "mmap");
	CHECK(close(fd) == 0, "close");
	if (m == MAP_FAILED)
		return;
	CHECK(m[PAGE + 100] == 'b', "read after close");
	m[PAGE + 100] = 'K';
	CHECK(m[PAGE + 100] == 'K', "write after close");
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0 && file_byte(fd, PAGE + 100) == 'b', "the write after close reached the file");
	close(fd);
	CHECK(munmap(m, 2 * PAGE) == 0, "munmap");
}

static sigjmp_buf bus_jump;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(bus_jump, 1);
}

/* Truncation: no stale bytes past the new end; SIGBUS for a page wholly past it not touched yet. */
static void check_truncate(int fd)
{
	char *m = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);

	CHECK(m != MAP_FAILED, "mmap");
	if (m == MAP_FAILED)
		return;
	m[0] = 'T';	/* a copied page */
	(void)*(volatile char *)(m + PAGE + 200);
	CHECK(ftruncate(fd, PAGE + PAGE / 2) == 0, "ftruncate");
	CHECK(m[0] == 'T' && m[1] == 'a', "the copied page changed");
	CHECK(m[PAGE + 200] == 'b', "the page holding the end lost its bytes");
	size_t zeros = 0;
	for (unsigned long j = PAGE / 2; j < PAGE; j++)
		zeros += m[PAGE + j] == 0;
	CHECK(zeros == PAGE / 2, "%zu of %lu bytes past the new end are zero", zeros, PAGE / 2);
	struct sigaction sa = {.sa_handler = on_sigbus}, old;
	sigaction(SIGBUS, &sa, &old);
	volatile int bus = 0;
	volatile char c = 0;
	if (sigsetjmp(bus_jump, 1))
		bus = 1;
	else
		c = m[3 * PAGE + 7];
	sigaction(SIGBUS, &old, NULL);
	CHECK(bus, "a page wholly past the end is no SIGBUS (it reads %d)", c);
	/* Grown again, the file reads as zeros there, and so does the mapping. */
	CHECK(ftruncate(fd, PAGES * PAGE) == 0, "ftruncate up");
	CHECK(file_byte(fd, 3 * PAGE + 7) == 0 && m[3 * PAGE + 7] == 0 && m[2 * PAGE] == 0,
	      "the grown part is not zeros");
	CHECK(munmap(m, PAGES * PAGE) == 0, "munmap");
}

int main(void)
{
	snprintf(path, sizeof(path), "/tmp/mmap_private.%d", (int)getpid());
	int fd = make_file();
	if (fd < 0)
		return 1;
	check_private_writes(fd);
	close(fd);
	fd = make_file();
	check_mprotect(fd);
	check_fork(fd);
	close(fd);
	fd = make_file();
	check_munmap(fd);
	close(fd);
	check_after_close();
	fd = make_file();
	check_truncate(fd);
	close(fd);
	unlink(path);
	if (!failures)
		printf("mmap_private: all checks passed\n");
	return failures != 0;
}
