/*
 * Regular files' larger reads and writes (on VeridianOS through a data
 * buffer per thread, VFS_READ_BUF/VFS_WRITE_BUF): sizes around the buffer's
 * 16 KiB and the IPC buffer's 4 KiB, pread/pwrite offsets, O_APPEND, reads
 * at and past the end, bad pointers, threads sharing one descriptor and its
 * offset, more threads than the server gives buffers to, and a forked
 * child's reads and writes. Everything is made in a fresh directory in /tmp.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define TEST_NAME "filebuf"
#include "check.h"

#define BIG (100 * 1000)	/* bytes of the test file: six buffers and a bit */
#define WORDS 40000		/* 32-bit words of the threads' file (160,000 bytes) */

static char path[64];

/* The byte at @pos of a file written with @seed. */
static unsigned char pattern(size_t pos, unsigned seed)
{
	return (unsigned char)((pos * 131 + pos / 251 + seed) & 0xff);
}

static void fill(unsigned char *b, size_t from, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		b[i] = pattern(from + i, seed);
}

/* Whether @b holds @len bytes of the pattern from @from. */
static int matches(const unsigned char *b, size_t from, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		if (b[i] != pattern(from + i, seed))
			return 0;
	return 1;
}

/* Sizes around the data buffer's 16 KiB, the IPC buffer's 4 KiB and the 1 KiB threshold. */
static const size_t sizes[] = {1, 31, 33, 1023, 1024, 1025, 4095, 4096, 4097, 16383, 16384, 16385, 32768, 40000};
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

static void sequential(unsigned char *buf)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0, "open %s", path);

	/* One write of everything, then the same bytes read back in pieces of every size. */
	fill(buf, 0, BIG, 1);
	CHECK(write(fd, buf, BIG) == BIG, "write of %d bytes", BIG);
	struct stat st;
	CHECK(fstat(fd, &st) == 0 && st.st_size == BIG, "size after the write: %lld", (long long)st.st_size);
	CHECK(lseek(fd, 0, SEEK_SET) == 0, "seek to 0");
	size_t pos = 0;
	for (unsigned i = 0; pos < BIG; i++) {
		size_t want = sizes[i % NSIZES];
		memset(buf, 0xee, want + 1);
		ssize_t got = read(fd, buf, want);
		size_t expect = want < BIG - pos ? want : BIG - pos;
		CHECK(got == (ssize_t)expect, "read of %zu at %zu: %zd", want, pos, got);
		if (got <= 0)
			break;
		CHECK(matches(buf, pos, (size_t)got, 1), "bytes of the read of %zu at %zu", want, pos);
		CHECK(buf[got] == 0xee, "the read of %zu at %zu wrote past its end", want, pos);
		pos += (size_t)got;
	}
	/* At the end: 0, and again; the offset stays. */
	CHECK(read(fd, buf, 20000) == 0, "read at the end");
	CHECK(read(fd, buf, 2000) == 0, "read at the end again");
	CHECK(lseek(fd, 0, SEEK_CUR) == BIG, "offset at the end");

	/* pread: offsets across the buffers, short at the end, nothing past it; the offset does not move. */
	for (unsigned i = 0; i < NSIZES; i++) {
		size_t off = (size_t)(i * 7919) % BIG;
		ssize_t got = pread(fd, buf, sizes[i], (off_t)off);
		size_t expect = sizes[i] < BIG - off ? sizes[i] : BIG - off;
		CHECK(got == (ssize_t)expect && matches(buf, off, expect, 1), "pread of %zu at %zu: %zd",
		      sizes[i], off, got);
	}
	CHECK(pread(fd, buf, 30000, BIG - 5000) == 5000 && matches(buf, BIG - 5000, 5000, 1),
	      "pread across the end");
	CHECK(pread(fd, buf, 30000, BIG) == 0, "pread at the end");
	CHECK(pread(fd, buf, 30000, BIG + 123456) == 0, "pread past the end");
	CHECK(lseek(fd, 0, SEEK_CUR) == BIG, "pread moved the offset");

	/* pwrite of every size at odd offsets, over and past the end; then the whole file again. */
	unsigned char *want = malloc(BIG + 200000);
	CHECK(want != NULL, "malloc");
	if (!want)
		return;
	fill(want, 0, BIG, 1);
	size_t end = BIG;
	for (unsigned i = 0; i < NSIZES; i++) {
		size_t off = 3 + (size_t)i * 9001;
		fill(buf, off, sizes[i], 2);
		CHECK(pwrite(fd, buf, sizes[i], (off_t)off) == (ssize_t)sizes[i], "pwrite of %zu at %zu", sizes[i],
		      off);
		memcpy(want + off, buf, sizes[i]);
		if (off + sizes[i] > end)
			end = off + sizes[i];
	}
	size_t hole = end + 5000;
	fill(buf, 0, 20000, 3);
	CHECK(pwrite(fd, buf, 20000, (off_t)hole) == 20000, "pwrite past the end");
	memset(want + end, 0, hole - end);
	memcpy(want + hole, buf, 20000);
	end = hole + 20000;
	CHECK(lseek(fd, 0, SEEK_CUR) == BIG, "pwrite moved the offset");
	unsigned char *back = malloc(end + 1);
	CHECK(back && pread(fd, back, end + 1, 0) == (ssize_t)end && !memcmp(back, want, end),
	      "the file after the pwrites");
	free(back);

	/* O_APPEND: large writes at the end, whatever the offset or pwrite says (as Linux). */
	int ap = open(path, O_WRONLY | O_APPEND);
	CHECK(ap >= 0, "open O_APPEND");
	fill(buf, 0, 20000, 4);
	CHECK(lseek(ap, 0, SEEK_SET) == 0 && write(ap, buf, 20000) == 20000, "append 20000");
	CHECK(pwrite(ap, buf, 5000, 0) == 5000, "pwrite O_APPEND");
	CHECK(fstat(fd, &st) == 0 && st.st_size == (off_t)(end + 25000), "size after appending: %lld",
	      (long long)st.st_size);
	unsigned char *tail = malloc(25000);
	CHECK(tail && pread(fd, tail, 25000, (off_t)end) == 25000 && matches(tail, 0, 20000, 4) &&
		      matches(tail + 20000, 0, 5000, 4),
	      "the appended bytes");
	CHECK(pread(fd, want, 20000, 0) == 20000, "the start after appending");
	CHECK(matches(want, 0, 3, 1) && matches(want + 3, 3, 1, 2), "pwrite O_APPEND wrote at its offset");
	free(tail);
	close(ap);

	/* Reading a file opened write-only, and writing one opened read-only: EBADF. */
	int wo = open(path, O_WRONLY), ro = open(path, O_RDONLY);
	CHECK(read(wo, buf, 20000) == -1 && errno == EBADF, "large read of O_WRONLY");
	CHECK(write(ro, buf, 20000) == -1 && errno == EBADF, "large write of O_RDONLY");
	close(wo);
	close(ro);

	/* Bad pointers: EFAULT, as on Linux, and the process goes on. */
	char *none = mmap(NULL, 65536, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(none != MAP_FAILED, "mmap PROT_NONE");
	CHECK(pread(fd, none, 20000, 0) == -1 && errno == EFAULT, "pread into PROT_NONE");
	CHECK(pwrite(fd, none, 20000, 0) == -1 && errno == EFAULT, "pwrite from PROT_NONE");
	CHECK(pread(fd, buf, 20000, 0) == 20000 && matches(buf, 0, 3, 1), "the file after the bad pointers");
	munmap(none, 65536);
	/* A read-only page: the read fails there (the bytes before it may be written, as Linux). */
	char *ronly = mmap(NULL, 65536, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(ronly != MAP_FAILED && pread(fd, ronly, 30000, 0) == -1 && errno == EFAULT,
	      "pread into a read-only page");
	munmap(ronly, 65536);
	free(want);
	close(fd);
}

/* Threads reading one descriptor's shared offset: every word read once, in order within a read. */
static int shared_fd;
static unsigned char seen[WORDS];
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static int thread_errors;

static void *reader(void *arg)
{
	size_t size = (size_t)(uintptr_t)arg;
	uint32_t *buf = malloc(size);

	for (;;) {
		ssize_t got = read(shared_fd, buf, size);
		if (got <= 0) {
			if (got < 0)
				__atomic_fetch_add(&thread_errors, 1, __ATOMIC_RELAXED);
			break;
		}
		pthread_mutex_lock(&seen_lock);
		for (size_t i = 0; i < (size_t)got / 4; i++) {
			uint32_t w = buf[i];
			/* In order within each read: a read is one piece of the file, however large. */
			if (w >= WORDS || (i && w != buf[i - 1] + 1) || seen[w]++)
				thread_errors++;
		}
		if (got % 4)
			thread_errors++;
		pthread_mutex_unlock(&seen_lock);
	}
	free(buf);
	return NULL;
}

/* Threads writing and reading back their own regions of one file at the same time. */
struct region {
	int fd;
	unsigned index;
};

static void *writer(void *arg)
{
	const struct region *r = arg;
	size_t len = 24000, off = (size_t)r->index * len;
	unsigned char *buf = malloc(len), *back = malloc(len);

	for (unsigned round = 0; round < 8; round++) {
		fill(buf, off, len, 10 + round + r->index);
		if (pwrite(r->fd, buf, len, (off_t)off) != (ssize_t)len ||
		    pread(r->fd, back, len, (off_t)off) != (ssize_t)len || memcmp(buf, back, len))
			__atomic_fetch_add(&thread_errors, 1, __ATOMIC_RELAXED);
	}
	free(buf);
	free(back);
	return NULL;
}

static void *one_read(void *arg)
{
	unsigned char *buf = malloc(20000);
	ssize_t got = pread(shared_fd, buf, 20000, (off_t)(uintptr_t)arg);

	if (got != 20000 || ((uint32_t *)buf)[0] != (uint32_t)((uintptr_t)arg / 4) ||
	    ((uint32_t *)buf)[4999] != (uint32_t)((uintptr_t)arg / 4 + 4999))
		__atomic_fetch_add(&thread_errors, 1, __ATOMIC_RELAXED);
	free(buf);
	return NULL;
}

static void threads(void)
{
	uint32_t *words = malloc(WORDS * 4);

	for (uint32_t i = 0; i < WORDS; i++)
		words[i] = i;
	shared_fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(shared_fd >= 0 && write(shared_fd, words, WORDS * 4) == WORDS * 4, "the words file");
	CHECK(lseek(shared_fd, 0, SEEK_SET) == 0, "seek");
	static const size_t each[] = {4096, 16384, 20000, 1028, 40000, 8192};
	pthread_t t[6];
	for (int i = 0; i < 6; i++)
		CHECK(pthread_create(&t[i], NULL, reader, (void *)(uintptr_t)each[i]) == 0, "reader %d", i);
	for (int i = 0; i < 6; i++)
		pthread_join(t[i], NULL);
	int missing = 0;
	for (int i = 0; i < WORDS; i++)
		missing += seen[i] != 1;
	CHECK(!thread_errors && !missing, "threads sharing an offset: %d errors, %d words not read once",
	      thread_errors, missing);

	/* Writers of their own regions, all at once. */
	struct region r[4];
	for (unsigned i = 0; i < 4; i++) {
		r[i] = (struct region){shared_fd, i};
		CHECK(pthread_create(&t[i], NULL, writer, &r[i]) == 0, "writer %u", i);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK(!thread_errors, "writers: %d errors", thread_errors);
	unsigned char *back = malloc(4 * 24000);
	int ok = pread(shared_fd, back, 4 * 24000, 0) == 4 * 24000;
	for (unsigned i = 0; ok && i < 4; i++)
		ok = matches(back + i * 24000, i * 24000, 24000, 10 + 7 + i);
	CHECK(ok, "the writers' regions");
	free(back);

	/* More threads, one after another, than the server has buffers for a process (64). */
	CHECK(pwrite(shared_fd, words, WORDS * 4, 0) == WORDS * 4, "the words again");
	for (unsigned i = 0; i < 80; i++) {
		pthread_t one;
		CHECK(pthread_create(&one, NULL, one_read, (void *)(uintptr_t)(i % 35 * 4000)) == 0 &&
			      pthread_join(one, NULL) == 0,
		      "thread %u", i);
	}
	CHECK(!thread_errors, "80 threads' reads: %d errors", thread_errors);
	free(words);
}

/* A forked child reads and writes the shared open file; the parent goes on with it afterwards. */
static void forked(unsigned char *buf)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

	fill(buf, 0, BIG, 5);
	CHECK(fd >= 0 && write(fd, buf, BIG) == BIG, "the file to fork with");
	/* The parent's buffer is made before the fork. */
	CHECK(pread(fd, buf, 20000, 0) == 20000 && matches(buf, 0, 20000, 5), "read before fork");
	CHECK(lseek(fd, 1000, SEEK_SET) == 1000, "seek before fork");
	pid_t pid = fork();
	if (pid == 0) {
		int bad = 0;
		/* The shared offset: 1000. */
		bad |= read(fd, buf, 30000) != 30000 || !matches(buf, 1000, 30000, 5);
		bad |= pread(fd, buf, 50000, 40000) != 50000 || !matches(buf, 40000, 50000, 5);
		fill(buf, 0, 30000, 6);
		bad |= pwrite(fd, buf, 30000, 50000) != 30000;
		bad |= write(fd, buf, 20000) != 20000;	/* at 31000 */
		_exit(bad);
	}
	int status = -1;
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "the child's reads and writes: status %#x", status);
	CHECK(lseek(fd, 0, SEEK_CUR) == 51000, "the offset after the child");
	/* The child's write (31000-51000) went over the start of its pwrite (50000-80000). */
	CHECK(pread(fd, buf, 29000, 51000) == 29000 && matches(buf, 1000, 29000, 6), "the child's pwrite");
	CHECK(pread(fd, buf, 20000, 31000) == 20000 && matches(buf, 0, 20000, 6), "the child's write");
	CHECK(read(fd, buf, 100000) == BIG - 51000 && matches(buf, 1000, 29000, 6) &&
		      matches(buf + 29000, 80000, BIG - 80000, 5),
	      "the parent reads on");
	close(fd);
}

int main(void)
{
	unsigned char *buf = malloc(BIG + 1);

	snprintf(path, sizeof(path), "/tmp/filebuf-%d", (int)getpid());
	CHECK(buf != NULL, "malloc");
	if (!buf)
		return 1;
	sequential(buf);
	threads();
	forked(buf);
	unlink(path);
	free(buf);
	return failures != 0;
}
