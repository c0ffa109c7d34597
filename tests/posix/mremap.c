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

/*
 * An old size of 0: a second mapping of the same shared pages (Linux), which
 * outlives the first; of a private mapping: EINVAL; without MREMAP_MAYMOVE
 * there is no room: ENOMEM.
 */
static void check_old_size_0(void)
{
	char *p = anon(2 * PAGE, MAP_SHARED);

	if (!p)
		return;
	fill(p, 2 * PAGE, 21);
	char *q = mremap(p, 0, 2 * PAGE, MREMAP_MAYMOVE);
	CHECK(q != MAP_FAILED && q != p && same(q, 2 * PAGE, 21), "old size 0: a second mapping");
	if (q == MAP_FAILED)
		return;
	q[5] = 'd';
	p[PAGE + 1] = 'e';
	CHECK(p[5] == 'd' && q[PAGE + 1] == 'e', "old size 0: not the same pages");
	pid_t pid = fork();
	if (pid == 0) {
		q[3] = 'f';
		_exit(p[PAGE + 1] != 'e');
	}
	check_exit(pid, 0, "the child sees both mappings");
	CHECK(p[3] == 'f', "the child's write through the second mapping is not seen");
	CHECK(munmap(p, 2 * PAGE) == 0, "munmap the first");
	CHECK(q[5] == 'd' && q[PAGE + 1] == 'e', "the second mapping went with the first");
	errno = 0;
	CHECK(mremap(q, 0, PAGE, 0) == MAP_FAILED && errno == ENOMEM,
	      "old size 0 without MREMAP_MAYMOVE");
	CHECK(munmap(q, 2 * PAGE) == 0, "munmap the second");
	char *r = anon(PAGE, MAP_PRIVATE);
	if (!r)
		return;
	errno = 0;
	CHECK(mremap(r, 0, PAGE, MREMAP_MAYMOVE) == MAP_FAILED && errno == EINVAL,
	      "old size 0 of a private mapping");
	CHECK(munmap(r, PAGE) == 0, "munmap");
}

/* Whether an mremap that failed did so because the running kernel lacks the feature (Linux only). */
static int lacks(const char *what)
{
	if (errno != EINVAL || getenv("VERIDIAN_TEST"))
		return 0;
	printf("mremap: this kernel has no %s: not checked\n", what);
	return 1;
}

/*
 * MREMAP_DONTUNMAP (Linux 5.7; other than private anonymous memory 5.13):
 * the pages move, and the old range stays mapped: private anonymous memory
 * reads zeros there, shared memory the same pages, a private file mapping
 * the file again. The sizes must match, and MREMAP_MAYMOVE is needed.
 */
static void check_dontunmap(void)
{
	int flags = MREMAP_MAYMOVE | MREMAP_DONTUNMAP;
	char *p = anon(2 * PAGE, MAP_PRIVATE);

	if (!p)
		return;
	fill(p, 2 * PAGE, 31);
	char *q = mremap(p, 2 * PAGE, 2 * PAGE, flags);
	if (q == MAP_FAILED && lacks("MREMAP_DONTUNMAP")) {
		munmap(p, 2 * PAGE);
		return;
	}
	CHECK(q != MAP_FAILED && q != p && same(q, 2 * PAGE, 31), "MREMAP_DONTUNMAP moves the pages");
	CHECK(probe(p) == 0 && probe(p + PAGE) == 0 && zeros(p, 2 * PAGE),
	      "MREMAP_DONTUNMAP: the old range is not mapped, or not zeros");
	p[0] = 'z';
	CHECK(q != MAP_FAILED && q[0] == (char)31, "a write to the old range reached the moved pages");
	errno = 0;
	CHECK(mremap(q, 2 * PAGE, 3 * PAGE, flags) == MAP_FAILED && errno == EINVAL,
	      "MREMAP_DONTUNMAP with another size");
	errno = 0;
	CHECK(mremap(q, PAGE, PAGE, MREMAP_DONTUNMAP) == MAP_FAILED && errno == EINVAL,
	      "MREMAP_DONTUNMAP without MREMAP_MAYMOVE");
	munmap(p, 2 * PAGE);
	if (q != MAP_FAILED)
		munmap(q, 2 * PAGE);

	char *s = anon(PAGE, MAP_SHARED);
	if (!s)
		return;
	fill(s, PAGE, 41);
	char *t = mremap(s, PAGE, PAGE, flags);
	if (t == MAP_FAILED && lacks("MREMAP_DONTUNMAP of shared memory")) {
		munmap(s, PAGE);
		return;
	}
	CHECK(t != MAP_FAILED && same(t, PAGE, 41) && same(s, PAGE, 41),
	      "MREMAP_DONTUNMAP of shared memory: both ranges show its pages");
	if (t != MAP_FAILED) {
		t[7] = 'T';
		CHECK(s[7] == 'T', "MREMAP_DONTUNMAP of shared memory: not the same pages");
		munmap(t, PAGE);
	}
	munmap(s, PAGE);

	char path[64];
	static char buf[PAGE];
	snprintf(path, sizeof(path), "/tmp/mremap_du.%d", (int)getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0, "open %s", path);
	if (fd < 0)
		return;
	unlink(path);
	fill(buf, PAGE, 51);
	CHECK(write(fd, buf, PAGE) == PAGE, "write");
	char *g = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(g != MAP_FAILED, "mmap the file");
	if (g != MAP_FAILED) {
		g[0] = 'P';
		char *h = mremap(g, PAGE, PAGE, flags);
		CHECK(h != MAP_FAILED && h[0] == 'P' && same(h + 1, PAGE - 1, 58),
		      "MREMAP_DONTUNMAP of a private file mapping moves its pages");
		CHECK(g[0] == buf[0] && same(g, PAGE, 51),
		      "MREMAP_DONTUNMAP of a private file mapping: the old range is not the file");
		if (h != MAP_FAILED)
			munmap(h, PAGE);
		munmap(g, PAGE);
	}
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
	check_old_size_0();
	check_dontunmap();
	check_realloc();
	if (!failures)
		printf("mremap: all checks passed\n");
	return failures != 0;
}
