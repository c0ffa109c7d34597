/*
 * madvise as Linux does it: MADV_DONTNEED gives private anonymous pages
 * back (zeros on the next touch, the length rounded up to pages), makes a
 * MAP_PRIVATE file mapping read the file again, and leaves MAP_SHARED
 * memory (anonymous and a file) as it was; a fork's other side keeps its
 * copy; MADV_FREE'd pages read their old bytes or zeros, and a write after
 * it stays; hints are taken; bad requests are EINVAL or ENOMEM.
 * Exits with the number of failed checks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define TEST_NAME "madvise"
#include "check.h"
#include "child.h"

#define PAGE 4096UL
#define PAGES 4

static char path[64];

/* Every byte of page @i of @m is @c. */
static int page_is(const char *m, int i, char c)
{
	for (unsigned long j = 0; j < PAGE; j++)
		if (m[i * PAGE + j] != c)
			return 0;
	return 1;
}

static void fill(char *m, int pages, char first)
{
	for (int i = 0; i < pages; i++)
		memset(m + i * PAGE, first + i, PAGE);
}

static void check_private_anon(void)
{
	char *m =
	    mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(m != MAP_FAILED, "mmap");
	if (m == MAP_FAILED)
		return;
	fill(m, PAGES, 'a');
	CHECK(madvise(m + PAGE, 2 * PAGE, MADV_DONTNEED) == 0, "MADV_DONTNEED");
	CHECK(page_is(m, 0, 'a') && page_is(m, 3, 'd'), "the pages around the range changed");
	CHECK(page_is(m, 1, 0) && page_is(m, 2, 0), "pages not zeros after MADV_DONTNEED: %d %d",
	      m[PAGE], m[2 * PAGE]);
	m[PAGE + 1] = 'x';
	CHECK(m[PAGE + 1] == 'x' && m[PAGE] == 0, "a write after MADV_DONTNEED");
	/* The length is rounded up to a page. */
	CHECK(madvise(m, 100, MADV_DONTNEED) == 0, "MADV_DONTNEED of 100 bytes");
	CHECK(page_is(m, 0, 0) && page_is(m, 3, 'd'), "MADV_DONTNEED of 100 bytes: %d %d", m[200],
	      m[PAGE * 3]);
	/* MADV_FREE: the old bytes or zeros (Linux keeps them until memory is short); a write
	 * stays. */
	CHECK(madvise(m + 3 * PAGE, PAGE, MADV_FREE) == 0, "MADV_FREE");
	CHECK(page_is(m, 3, 'd') || page_is(m, 3, 0),
	      "MADV_FREE's page is neither its bytes nor zeros");
	m[3 * PAGE + 5] = 'y';
	CHECK(m[3 * PAGE + 5] == 'y', "a write after MADV_FREE");
	CHECK(munmap(m, PAGES * PAGE) == 0, "munmap");
}

static void check_shared_anon(void)
{
	char *m =
	    mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	CHECK(m != MAP_FAILED, "mmap shared");
	if (m == MAP_FAILED)
		return;
	fill(m, PAGES, 'a');
	CHECK(madvise(m, PAGES * PAGE, MADV_DONTNEED) == 0, "MADV_DONTNEED of shared memory");
	for (int i = 0; i < PAGES; i++)
		CHECK(page_is(m, i, 'a' + i), "shared memory's page %d lost its bytes", i);
	CHECK(munmap(m, PAGES * PAGE) == 0, "munmap");
}

static void check_file(void)
{
	char buf[PAGE], c = 0;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

	CHECK(fd >= 0, "open %s", path);
	if (fd < 0)
		return;
	for (int i = 0; i < PAGES; i++) {
		memset(buf, 'a' + i, PAGE);
		CHECK(write(fd, buf, PAGE) == (ssize_t)PAGE, "write page %d", i);
	}
	/* Private: the written copies go, the file's bytes are read again (and its later changes).
	 */
	char *m = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(m != MAP_FAILED, "mmap private");
	if (m != MAP_FAILED) {
		fill(m, PAGES, 'A');
		CHECK(madvise(m, 2 * PAGE, MADV_DONTNEED) == 0,
		      "MADV_DONTNEED of a private file mapping");
		CHECK(page_is(m, 0, 'a') && page_is(m, 1, 'b'), "the private copies stayed: %c %c",
		      m[0], m[PAGE]);
		CHECK(page_is(m, 2, 'C') && page_is(m, 3, 'D'), "the copies past the range went");
		CHECK(pwrite(fd, "W", 1, 10) == 1, "pwrite");
		CHECK(m[10] == 'W', "the page read again does not follow the file: %c", m[10]);
		m[PAGE + 3] = 'Z';
		CHECK(m[PAGE + 3] == 'Z' && pread(fd, &c, 1, PAGE + 3) == 1 && c == 'b',
		      "a write after MADV_DONTNEED reached the file");
		CHECK(munmap(m, PAGES * PAGE) == 0, "munmap");
	}
	/* Shared: the file's pages stay, with what was written through the mapping. */
	m = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED, "mmap shared");
	if (m != MAP_FAILED) {
		m[PAGE + 7] = 'S';
		CHECK(madvise(m, PAGES * PAGE, MADV_DONTNEED) == 0,
		      "MADV_DONTNEED of a shared file mapping");
		CHECK(m[PAGE + 7] == 'S' && m[10] == 'W' && page_is(m, 3, 'd'),
		      "the shared mapping changed");
		CHECK(pread(fd, &c, 1, PAGE + 7) == 1 && c == 'S', "the file lost a shared write");
		CHECK(munmap(m, PAGES * PAGE) == 0, "munmap");
	}
	close(fd);
}

/* A fork's child keeps its copy when the parent discards, and the parent keeps its own. */
static void check_fork(void)
{
	char *m = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int go[2];

	CHECK(m != MAP_FAILED && pipe(go) == 0, "mmap, pipe");
	if (m == MAP_FAILED)
		return;
	fill(m, 2, 'p');
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(3);
		/* The parent has discarded page 0 by now. */
		if (!page_is(m, 0, 'p'))
			_exit(1);
		if (madvise(m + PAGE, PAGE, MADV_DONTNEED) != 0 || !page_is(m, 1, 0))
			_exit(2);
		_exit(0);
	}
	CHECK(pid > 0, "fork");
	close(go[0]);
	CHECK(madvise(m, PAGE, MADV_DONTNEED) == 0 && page_is(m, 0, 0),
	      "the parent's MADV_DONTNEED");
	CHECK(write(go[1], "g", 1) == 1, "write");
	close(go[1]);
	if (pid > 0)
		check_exit(pid, 0,
			   "the child (1: the parent's discard reached it, 2: its own failed)");
	CHECK(page_is(m, 1, 'q'), "the child's MADV_DONTNEED reached the parent");
	CHECK(munmap(m, 2 * PAGE) == 0, "munmap");
}

static void check_errors(void)
{
	char *m = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(m != MAP_FAILED, "mmap");
	if (m == MAP_FAILED)
		return;
	CHECK(madvise(m + 1, PAGE, MADV_DONTNEED) == -1 && errno == EINVAL, "unaligned address");
	CHECK(madvise(m, PAGE, 12345) == -1 && errno == EINVAL, "unknown advice");
	CHECK(madvise(m, 0, MADV_DONTNEED) == 0, "length 0");
	CHECK(madvise(m, PAGE, MADV_WILLNEED) == 0 && madvise(m, PAGE, MADV_NORMAL) == 0 &&
		  madvise(m, PAGE, MADV_RANDOM) == 0 && madvise(m, PAGE, MADV_SEQUENTIAL) == 0,
	      "hints");
	CHECK(posix_madvise(m, PAGE, POSIX_MADV_WILLNEED) == 0 &&
		  posix_madvise(m, PAGE, POSIX_MADV_DONTNEED) == 0,
	      "posix_madvise");
	CHECK(posix_madvise(m, PAGE, 12345) == EINVAL, "posix_madvise of unknown advice");
	CHECK(munmap(m + PAGE, PAGE) == 0, "munmap the middle");
	CHECK(madvise(m, 3 * PAGE, MADV_DONTNEED) == -1 && errno == ENOMEM, "a range with a hole");
	CHECK(madvise(m + PAGE, PAGE, MADV_DONTNEED) == -1 && errno == ENOMEM, "an unmapped range");
	munmap(m, 3 * PAGE);
}

int main(void)
{
	snprintf(path, sizeof(path), "/tmp/madvise.%d", (int)getpid());
	check_private_anon();
	check_shared_anon();
	check_file();
	check_fork();
	check_errors();
	unlink(path);
	return failures != 0;
}
