/*
 * mremap as Linux does it: growth in place when the range after is free,
 * moves with MREMAP_MAYMOVE (the data kept, the old range gone), shrinking,
 * MREMAP_FIXED (replacing what was at the new address), for anonymous
 * private and shared memory (a forked child shares a moved shared mapping)
 * and shared and private file mappings (the growth is more of the file);
 * realloc of large blocks; EINVAL, EFAULT and ENOMEM. Exits with the number
 * of failed checks.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define TEST_NAME "mremap"
#include "check.h"
#include "child.h"

#define PAGE 4096UL

static sigjmp_buf fault_jump;

static void on_fault(int sig)
{
	siglongjmp(fault_jump, sig);
}

/*
 * The signal a read of @p raises (0: none). The handlers are installed
 * once, first: a probe must not be the program's first call that maps
 * something (VeridianOS maps a thread's IPC buffer at its first server
 * call), which could land in the range it looks at.
 */
static int probe(const void *p)
{
	volatile int sig = 0;
	int got = sigsetjmp(fault_jump, 1);

	if (got)
		sig = got;
	else
		(void)*(const volatile char *)p;
	return sig;
}

static void fill(char *p, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (char)(seed + i * 7 + i / PAGE);
}

static int same(const char *p, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != (char)(seed + i * 7 + i / PAGE))
			return 0;
	return 1;
}

static int zeros(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return 0;
	return 1;
}

static char *anon(size_t len, int flags)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);

	CHECK(p != MAP_FAILED, "mmap %zu", len);
	return p == MAP_FAILED ? NULL : p;
}

/* Growth that must move: the page after the old range is taken (by the same mapping). */
static void check_move(void)
{
	char *p = anon(2 * PAGE, MAP_PRIVATE);

	if (!p)
		return;
	fill(p, 2 * PAGE, 1);
	CHECK(mremap(p, PAGE, 4 * PAGE, 0) == MAP_FAILED && errno == ENOMEM,
	      "growth into a taken page without MREMAP_MAYMOVE");
	CHECK(same(p, 2 * PAGE, 1), "the failed mremap changed the data");
	char *q = mremap(p, PAGE, 4 * PAGE, MREMAP_MAYMOVE);
	CHECK(q != MAP_FAILED && q != p, "mremap MAYMOVE: %p", (void *)q);
	if (q == MAP_FAILED)
		return;
	CHECK(same(q, PAGE, 1), "the moved page lost its data");
	CHECK(zeros(q + PAGE, 3 * PAGE), "the growth is not zeros");
	fill(q + PAGE, 3 * PAGE, 9);
	CHECK(same(q + PAGE, 3 * PAGE, 9), "the growth does not keep what is written");
	CHECK(probe(p) == SIGSEGV, "the old page is still mapped");
	CHECK(probe(p + PAGE) == 0 && same(p + PAGE, PAGE, 1 + PAGE * 7 + 1),
	      "the page after the old range changed");
	CHECK(munmap(q, 4 * PAGE) == 0 && munmap(p + PAGE, PAGE) == 0, "munmap");
}

/* Growth in place where the range after is free: the same address, the growth zeros. */
static void check_in_place(void)
{
	char *p = anon(8 * PAGE, MAP_PRIVATE);

	if (!p)
		return;
	fill(p, 8 * PAGE, 3);
	CHECK(munmap(p + 2 * PAGE, 6 * PAGE) == 0, "munmap the tail");
	char *q = mremap(p, 2 * PAGE, 6 * PAGE, 0);
	CHECK(q == p, "growth in place: %p, not %p", (void *)q, (void *)p);
	if (q != p)
		return;
	CHECK(same(p, 2 * PAGE, 3), "growth in place lost the data");
	CHECK(zeros(p + 2 * PAGE, 4 * PAGE), "the growth shows old bytes");
	CHECK(probe(p + 6 * PAGE - 1) == 0, "the grown end is not mapped");
	/* Shrinking keeps the address and the head, and unmaps the rest. */
	CHECK(mremap(p, 6 * PAGE, PAGE, 0) == p, "shrink");
	CHECK(same(p, PAGE, 3), "shrinking lost the data");
	CHECK(probe(p + PAGE) == SIGSEGV && probe(p + 5 * PAGE) == SIGSEGV,
	      "the part shrunk away is still mapped");
	/* Grown again, that part is zeros, not what it held. */
	CHECK(mremap(p, PAGE, 3 * PAGE, 0) == p, "growth after a shrink");
	CHECK(same(p, PAGE, 3) && zeros(p + PAGE, 2 * PAGE), "growth after a shrink: the data");
	CHECK(munmap(p, 3 * PAGE) == 0, "munmap");
}

/* MREMAP_FIXED: to a given address, replacing what is there, shrinking on the way. */
static void check_fixed(void)
{
	char *p = anon(3 * PAGE, MAP_PRIVATE), *t = anon(4 * PAGE, MAP_PRIVATE);

	if (!p || !t)
		return;
	fill(p, 3 * PAGE, 5);
	fill(t, 4 * PAGE, 6);
	char *q = mremap(p, 3 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, t + PAGE);
	CHECK(q == t + PAGE, "MREMAP_FIXED: %p, not %p", (void *)q, (void *)(t + PAGE));
	CHECK(same(t + PAGE, 2 * PAGE, 5), "MREMAP_FIXED lost the data");
	CHECK(same(t, PAGE, 6) && same(t + 3 * PAGE, PAGE, 6 + 3 * PAGE * 7 + 3),
	      "MREMAP_FIXED changed the pages around the target");
	CHECK(probe(p) == SIGSEGV && probe(p + 2 * PAGE) == SIGSEGV,
	      "the old range is still mapped");
	CHECK(munmap(t, 4 * PAGE) == 0, "munmap");
	/* Growing to a fixed place (a mapping there goes): the growth is zeros. */
	char *r = anon(2 * PAGE, MAP_PRIVATE), *d = anon(4 * PAGE, MAP_PRIVATE);
	if (!r || !d)
		return;
	fill(r, 2 * PAGE, 8);
	fill(d, 4 * PAGE, 9);
	q = mremap(r, 2 * PAGE, 4 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, d);
	CHECK(q == d && same(d, 2 * PAGE, 8) && zeros(d + 2 * PAGE, 2 * PAGE),
	      "MREMAP_FIXED growth");
	CHECK(probe(r) == SIGSEGV, "the old range is still mapped");
	CHECK(munmap(d, 4 * PAGE) == 0, "munmap");
}

static void check_errors(void)
{
	char *p = anon(2 * PAGE, MAP_PRIVATE);

	if (!p)
		return;
	errno = 0;
	CHECK(mremap(p + 1, PAGE, 2 * PAGE, MREMAP_MAYMOVE) == MAP_FAILED && errno == EINVAL,
	      "unaligned old address");
	errno = 0;
	CHECK(mremap(p, PAGE, 0, MREMAP_MAYMOVE) == MAP_FAILED && errno == EINVAL, "new size 0");
	errno = 0;
	CHECK(mremap(p, PAGE, 2 * PAGE, 0x100) == MAP_FAILED && errno == EINVAL, "unknown flag");
	errno = 0;
	CHECK(mremap(p, PAGE, PAGE, MREMAP_FIXED, p + PAGE) == MAP_FAILED && errno == EINVAL,
	      "MREMAP_FIXED without MREMAP_MAYMOVE");
	errno = 0;
	CHECK(mremap(p, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, p + PAGE) ==
		      MAP_FAILED &&
		  errno == EINVAL,
	      "MREMAP_FIXED onto the old range");
	errno = 0;
	CHECK(mremap(p, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, p + 1) == MAP_FAILED &&
		  errno == EINVAL,
	      "MREMAP_FIXED to an unaligned address");
	CHECK(munmap(p, 2 * PAGE) == 0, "munmap");
	errno = 0;
	CHECK(mremap(p, PAGE, 2 * PAGE, MREMAP_MAYMOVE) == MAP_FAILED && errno == EFAULT,
	      "growth of an unmapped range");
}

/* A moved and grown MAP_SHARED mapping is still shared with a child forked after. */
static void check_shared_fork(void)
{
	char *p = anon(2 * PAGE, MAP_SHARED);

	if (!p)
		return;
	fill(p, 2 * PAGE, 7);
	char *q = mremap(p, PAGE, 3 * PAGE, MREMAP_MAYMOVE);
	CHECK(q != MAP_FAILED && q != p && same(q, PAGE, 7), "moving a shared mapping");
	if (q == MAP_FAILED)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		int bad = !same(q, PAGE, 7);
		q[10] = 'c';
		_exit(bad);
	}
	check_exit(pid, 0, "the child sees the moved shared page");
	CHECK(q[10] == 'c', "the child's write is not seen: %d", q[10]);
	CHECK(same(p + PAGE, PAGE, 7 + PAGE * 7 + 1), "the shared page left in place changed");
	CHECK(munmap(q, 3 * PAGE) == 0 && munmap(p + PAGE, PAGE) == 0, "munmap");
}

/* File mappings: the growth maps more of the file; a shared one stays the file's. */
static void check_file(void)
{
	char path[64];
	static char buf[4 * PAGE];

	snprintf(path, sizeof(path), "/tmp/mremap.%d", (int)getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0, "open %s", path);
	if (fd < 0)
		return;
	unlink(path);
	fill(buf, sizeof(buf), 11);
	CHECK(write(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf), "write");
	char *s = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	char *g = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(s != MAP_FAILED && g != MAP_FAILED, "mmap the file");
	if (s == MAP_FAILED || g == MAP_FAILED)
		return;
	char *blocker = mmap(s + PAGE, PAGE, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	s = mremap(s, PAGE, 3 * PAGE, MREMAP_MAYMOVE);
	CHECK(s != MAP_FAILED && same(s, 3 * PAGE, 11),
	      "a grown shared file mapping shows the file");
	g = mremap(g, PAGE, 4 * PAGE, MREMAP_MAYMOVE);
	CHECK(g != MAP_FAILED && same(g, 4 * PAGE, 11),
	      "a grown private file mapping shows the file");
	if (s == MAP_FAILED || g == MAP_FAILED)
		return;
	s[2 * PAGE + 5] = 'S';
	char c = 0;
	CHECK(pread(fd, &c, 1, 2 * PAGE + 5) == 1 && c == 'S',
	      "the file misses the shared write: %d", c);
	CHECK(g[2 * PAGE + 5] == 'S', "the private mapping misses the file's change");
	g[3 * PAGE] = 'P';
	CHECK(pread(fd, &c, 1, 3 * PAGE) == 1 && c == buf[3 * PAGE],
	      "a private write reached the file");
	pid_t pid = fork();
	if (pid == 0) {
		s[PAGE] = 'K';
		_exit(0);
	}
	check_exit(pid, 0, "child");
	CHECK(pread(fd, &c, 1, PAGE) == 1 && c == 'K' && s[PAGE] == 'K',
	      "a child's write to the grown shared mapping is not the file's");
	CHECK(munmap(s, 3 * PAGE) == 0 && munmap(g, 4 * PAGE) == 0, "munmap");
	if (blocker != MAP_FAILED)
		munmap(blocker, PAGE);
	close(fd);
}

/* musl's realloc of a large block is an mremap: the data must survive growth and shrinking. */
static void check_realloc(void)
{
	size_t n = 1 << 20;
	char *p = malloc(n);

	CHECK(p != NULL, "malloc");
	if (!p)
		return;
	fill(p, n, 13);
	for (size_t m = 2 * n; m <= 8 * n; m *= 2) {
		char *q = realloc(p, m);
		CHECK(q != NULL, "realloc to %zu", m);
		if (!q)
			break;
		p = q;
		CHECK(same(p, n, 13), "realloc to %zu lost the data", m);
		memset(p + m / 2, 'r', m / 2);
	}
	p = realloc(p, n / 2);
	CHECK(p && same(p, n / 2, 13), "realloc down lost the data");
	free(p);
}

int main(void)
{
	struct sigaction sa = {.sa_handler = on_fault};

	CHECK(sigaction(SIGSEGV, &sa, NULL) == 0 && sigaction(SIGBUS, &sa, NULL) == 0, "sigaction");
	check_move();
	check_in_place();
	check_fixed();
	check_errors();
	check_shared_fork();
	check_file();
	check_realloc();
	if (!failures)
		printf("mremap: all checks passed\n");
	return failures != 0;
}
