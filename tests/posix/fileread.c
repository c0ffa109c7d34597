/*
 * Regular files' reads (on VeridianOS copied once, straight from the file's
 * VMO: VFS_READ_VMO) and large reads and writes being atomic with respect to
 * the shared file offset, as on Linux: data at many sizes, buffer alignments
 * and offsets around pages and 16 KiB, threads reading and writing one
 * shared offset, reads racing another process's ftruncate and writes, bad
 * and partly bad buffers (EFAULT, nothing lost), write-only opens, dup'd and
 * forked offsets, a shared mapping's changes, a file growing under open
 * files that read it, and the program's own file (on VeridianOS in the
 * initrd).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define TEST_NAME "fileread"
#include "check.h"

#define SIZE (300 * 1000)	/* bytes of the data file */
#define WORDS (1 << 18)		/* 32-bit words of the threads' file (1 MiB) */
#define PAGE 4096

static char path[64];

/* The byte at @pos of the data file: never 0, so a zero is no byte of the file. */
static unsigned char pattern(size_t pos)
{
	return (unsigned char)(1 + (pos * 131 + pos / 4093) % 255);
}

static int matches(const unsigned char *b, size_t from, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (b[i] != pattern(from + i))
			return 0;
	return 1;
}

static int make_file(void)
{
	unsigned char *b = malloc(SIZE);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

	CHECK(b && fd >= 0, "open %s", path);
	if (!b || fd < 0)
		return -1;
	for (size_t i = 0; i < SIZE; i++)
		b[i] = pattern(i);
	CHECK(write(fd, b, SIZE) == SIZE, "write of the data file");
	free(b);
	return fd;
}

/* pread and read at offsets and sizes around pages and 16 KiB, into buffers at odd alignments. */
static void sizes_and_offsets(int fd)
{
	static const size_t sizes[] = {1000, 1024, 1025, 4095, 4096, 4097, 8191, 12288, 16383, 16384,
				       16385, 32767, 32768, 32769, 65536, 100001, 200000};
	static const size_t offs[] = {0, 1, 4095, 4096, 4097, 16383, 16384, 16385, 65535, 98304,
				      SIZE - 16384, SIZE - 4097, SIZE - 1};
	static const size_t aligns[] = {0, 1, 7, 2048, 4095};
	unsigned char *mem = malloc(200000 + 2 * PAGE + 64);

	CHECK(mem != NULL, "malloc");
	if (!mem)
		return;
	unsigned char *base = (unsigned char *)(((uintptr_t)mem + PAGE - 1) & ~(uintptr_t)(PAGE - 1));
	int bad = 0;
	for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (unsigned o = 0; o < sizeof(offs) / sizeof(offs[0]); o++) {
			size_t len = sizes[s], off = offs[o], expect = len < SIZE - off ? len : SIZE - off;
			unsigned char *b = base + aligns[(s + o) % 5];
			memset(b, 0, len + 1);
			ssize_t got = pread(fd, b, len, (off_t)off);
			if (got != (ssize_t)expect || !matches(b, off, expect) || b[expect] != 0) {
				if (bad++ < 5)
					CHECK(0, "pread of %zu at %zu (buffer +%zu): %zd", len, off,
					      aligns[(s + o) % 5], got);
			}
			/* The same through the offset, which moves by what was read. */
			if (lseek(fd, (off_t)off, SEEK_SET) != (off_t)off)
				bad++;
			memset(b, 0, len + 1);
			got = read(fd, b, len);
			if (got != (ssize_t)expect || !matches(b, off, expect) ||
			    lseek(fd, 0, SEEK_CUR) != (off_t)(off + expect)) {
				if (bad++ < 5)
					CHECK(0, "read of %zu at %zu: %zd", len, off, got);
			}
		}
	CHECK(!bad, "%d reads wrong", bad);
	/* At and past the end: 0, and the offset stays. */
	CHECK(lseek(fd, SIZE, SEEK_SET) == SIZE && read(fd, base, 50000) == 0 && lseek(fd, 0, SEEK_CUR) == SIZE,
	      "read at the end");
	CHECK(pread(fd, base, 50000, SIZE + 100000) == 0, "pread past the end");
	free(mem);
}

/* Bad and partly bad buffers: EFAULT or the bytes up to the bad page; the offset moves only by those. */
static void bad_buffers(int fd)
{
	unsigned char *m = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(m != MAP_FAILED, "mmap");
	if (m == MAP_FAILED)
		return;
	CHECK(mprotect(m + 4 * PAGE, 4 * PAGE, PROT_NONE) == 0, "mprotect");
	CHECK(lseek(fd, 5000, SEEK_SET) == 5000, "seek");
	errno = 0;
	CHECK(read(fd, m + 4 * PAGE, 20000) == -1 && errno == EFAULT, "read into PROT_NONE");
	CHECK(read(fd, NULL, 20000) == -1 && errno == EFAULT, "read into NULL");
	CHECK(lseek(fd, 0, SEEK_CUR) == 5000, "the offset after EFAULT: %lld", (long long)lseek(fd, 0, SEEK_CUR));
	/* 1000 good bytes before the bad page (Linux may stop a little earlier: at most those). */
	ssize_t got = read(fd, m + 4 * PAGE - 1000, 20000);
	CHECK(got > 0 && got <= 1000 && matches(m + 4 * PAGE - 1000, 5000, (size_t)got),
	      "read into a partly bad buffer: %zd", got);
	off_t now = lseek(fd, 0, SEEK_CUR);
	CHECK(got > 0 && now == 5000 + got, "the offset after a short read: %lld", (long long)now);
	/* Nothing lost: the next read goes on from there. */
	got = read(fd, m, 20000);
	CHECK(got > 0 && got <= 16384, "the read after (16384 bytes before the bad page): %zd", got);
	CHECK(got > 0 && matches(m, (size_t)now, (size_t)got), "the bytes after the short read");
	munmap(m, 8 * PAGE);
}

/* Threads reading one shared offset: each read one contiguous piece, none overlapping, all read. */
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
		for (size_t i = 0; i < (size_t)got / 4; i++)
			if (buf[i] >= WORDS || (i && buf[i] != buf[i - 1] + 1) || seen[buf[i]]++)
				thread_errors++;
		if (got % 4)
			thread_errors++;
		pthread_mutex_unlock(&seen_lock);
	}
	free(buf);
	return NULL;
}

/* Threads writing records of RECORD bytes at one shared offset: each record lands whole. */
#define RECORD 40000
#define RECORDS 6

static void *appender(void *arg)
{
	uint32_t *rec = malloc(RECORD);
	unsigned who = (unsigned)(uintptr_t)arg;

	for (unsigned n = 0; n < RECORDS; n++) {
		for (unsigned i = 0; i < RECORD / 4; i++)
			rec[i] = who << 24 | n << 16 | (i & 0xffff);
		if (write(shared_fd, rec, RECORD) != RECORD)
			__atomic_fetch_add(&thread_errors, 1, __ATOMIC_RELAXED);
	}
	free(rec);
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
	static const size_t each[] = {4096, 16384, 20000, 1028, 40000, 65536, 100000, 16388};
	pthread_t t[8];
	for (int i = 0; i < 8; i++)
		CHECK(pthread_create(&t[i], NULL, reader, (void *)(uintptr_t)each[i]) == 0, "reader %d", i);
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	int missing = 0;
	for (int i = 0; i < WORDS; i++)
		missing += seen[i] != 1;
	CHECK(!thread_errors && !missing, "readers sharing an offset: %d errors, %d words not read once",
	      thread_errors, missing);

	/* Writers of 40,000-byte records (three data buffers and a bit) at the shared offset. */
	CHECK(ftruncate(shared_fd, 0) == 0 && lseek(shared_fd, 0, SEEK_SET) == 0, "truncate");
	for (int i = 0; i < 4; i++)
		CHECK(pthread_create(&t[i], NULL, appender, (void *)(uintptr_t)(i + 1)) == 0, "writer %d", i);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK(!thread_errors, "writers: %d errors", thread_errors);
	struct stat st;
	CHECK(fstat(shared_fd, &st) == 0 && st.st_size == 4 * RECORDS * RECORD, "size after the writers: %lld",
	      (long long)st.st_size);
	uint32_t *back = malloc(4 * RECORDS * RECORD);
	CHECK(pread(shared_fd, back, 4 * RECORDS * RECORD, 0) == 4 * RECORDS * RECORD, "read the records");
	int torn = 0, count[5][RECORDS] = {{0}};
	for (unsigned r = 0; r < 4 * RECORDS; r++) {
		const uint32_t *rec = back + r * (RECORD / 4);
		unsigned who = rec[0] >> 24, n = rec[0] >> 16 & 0xff;
		for (unsigned i = 0; i < RECORD / 4; i++)
			if (rec[i] != (who << 24 | n << 16 | (i & 0xffff))) {
				torn++;
				break;
			}
		if (who >= 1 && who <= 4 && n < RECORDS)
			count[who][n]++;
	}
	int once = 1;
	for (unsigned w = 1; w <= 4; w++)
		for (unsigned n = 0; n < RECORDS; n++)
			once &= count[w][n] == 1;
	CHECK(!torn && once, "records at a shared offset: %d torn, each once: %d", torn, once);
	free(back);
	close(shared_fd);
	free(words);
}

/*
 * Reads racing another process that shrinks the file and writes it back: a
 * read returns bytes of the file or zeros where it was cut (never an error,
 * never more than the file held).
 */
static void truncate_race(void)
{
	int fd = make_file();
	volatile int *stop = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	CHECK(fd >= 0 && stop != MAP_FAILED, "the file and the flag");
	if (fd < 0 || stop == MAP_FAILED)
		return;
	*stop = 0;
	pid_t pid = fork();
	if (pid == 0) {
		int wfd = open(path, O_WRONLY);
		unsigned char *b = malloc(SIZE);
		for (size_t i = 0; i < SIZE; i++)
			b[i] = pattern(i);
		for (unsigned n = 0; !__atomic_load_n(stop, __ATOMIC_ACQUIRE) && n < 100000; n++) {
			size_t cut = (n * 7919) % SIZE;
			if (ftruncate(wfd, (off_t)cut) || pwrite(wfd, b + cut, SIZE - cut, (off_t)cut) != (ssize_t)(SIZE - cut))
				_exit(2);
		}
		_exit(0);
	}
	CHECK(pid > 0, "fork");
	unsigned char *b = malloc(SIZE + 1);
	int bad = 0;
	for (unsigned n = 0; n < 300; n++) {
		size_t off = (n * 4099) % SIZE, len = 1024 + (n * 12289) % 70000;
		ssize_t got = pread(fd, b, len, (off_t)off);
		if (got < 0 || (size_t)got > len || (size_t)got > SIZE - off) {
			if (bad++ < 5)
				CHECK(0, "pread of %zu at %zu racing truncate: %zd", len, off, got);
			continue;
		}
		for (ssize_t i = 0; i < got; i++)
			if (b[i] && b[i] != pattern(off + (size_t)i)) {
				if (bad++ < 5)
					CHECK(0, "byte %zu of a read racing truncate: %d", off + (size_t)i, b[i]);
				break;
			}
	}
	__atomic_store_n(stop, 1, __ATOMIC_RELEASE);
	int status = -1;
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "the truncating child: %#x", status);
	CHECK(!bad, "%d reads racing truncate wrong", bad);
	/* Cut short for good: past the end is no more, and regrown it reads zeros there. */
	CHECK(ftruncate(fd, 10000) == 0 && pread(fd, b, 50000, 0) == 10000 && matches(b, 0, 10000),
	      "read after a truncate");
	CHECK(ftruncate(fd, 30000) == 0 && pread(fd, b, 50000, 0) == 30000, "read after growing");
	int zeros = 1;
	for (size_t i = 10000; i < 30000; i++)
		zeros &= b[i] == 0;
	CHECK(zeros, "the regrown part reads zeros");
	free(b);
	munmap((void *)stop, PAGE);
	close(fd);
}

/* Offsets shared by dup and fork; write-only opens; a shared mapping's changes. */
static void sharing(void)
{
	int fd = make_file(), two = dup(fd);
	unsigned char *b = malloc(SIZE);

	CHECK(fd >= 0 && two >= 0 && b, "dup");
	CHECK(lseek(fd, 0, SEEK_SET) == 0 && read(fd, b, 20000) == 20000 && read(two, b, 30000) == 30000 &&
		      matches(b, 20000, 30000) && lseek(fd, 0, SEEK_CUR) == 50000,
	      "dup'd descriptors share the offset");
	pid_t pid = fork();
	if (pid == 0) {
		int bad = read(two, b, 40000) != 40000 || !matches(b, 50000, 40000);
		_exit(bad);
	}
	int status = -1;
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status),
	      "the forked child's read: %#x", status);
	CHECK(read(fd, b, 20000) == 20000 && matches(b, 90000, 20000), "the parent reads on after the child");
	close(two);

	int wo = open(path, O_WRONLY);
	CHECK(wo >= 0 && read(wo, b, 20000) == -1 && errno == EBADF, "read of an O_WRONLY open");
	CHECK(pread(wo, b, 5000, 0) == -1 && errno == EBADF, "pread of an O_WRONLY open");
	close(wo);

	/* A shared mapping and reads see each other's changes. */
	unsigned char *map = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(map != MAP_FAILED, "mmap MAP_SHARED");
	if (map != MAP_FAILED) {
		memset(map + 70000, 0xa5, 10000);
		CHECK(pread(fd, b, 20000, 65000) == 20000 && matches(b, 65000, 5000) && b[5000] == 0xa5 &&
			      b[14999] == 0xa5 && matches(b + 15000, 80000, 5000),
		      "a read sees the mapping's writes");
		memset(b, 0x5a, 20000);
		CHECK(pwrite(fd, b, 20000, 100000) == 20000 && map[100000] == 0x5a && map[119999] == 0x5a,
		      "the mapping sees a write");
		munmap(map, SIZE);
	}
	free(b);
	close(fd);
}

/*
 * A file that grows while open files hold what they read of it (on
 * VeridianOS its VMO is sized to it and moves into a larger one): every read
 * sees the file as it is now, through either open file.
 */
static void growing(void)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600), two = open(path, O_RDONLY);
	unsigned char *b = malloc(SIZE), *back = malloc(SIZE);

	CHECK(fd >= 0 && two >= 0 && b && back, "open twice");
	for (size_t i = 0; i < SIZE; i++)
		b[i] = pattern(i);
	size_t size = 0;
	static const size_t steps[] = {3000, 20000, 65536, 65537, 140000, 262144, SIZE};
	int bad = 0;
	for (unsigned i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (pwrite(fd, b + size, steps[i] - size, (off_t)size) != (ssize_t)(steps[i] - size))
			bad++;
		size = steps[i];
		/* Each open file reads all of it, and the last bytes written. */
		for (int which = 0; which < 2; which++) {
			int rd = which ? two : fd;
			memset(back, 0, SIZE);
			if (pread(rd, back, SIZE, 0) != (ssize_t)size || !matches(back, 0, size))
				bad++;
			if (size > 2000 && (pread(rd, back, 2000, (off_t)size - 2000) != 2000 ||
					    !matches(back, size - 2000, 2000)))
				bad++;
		}
	}
	CHECK(!bad, "reads of a growing file: %d wrong", bad);
	/* Shrunk and grown again: zeros where it was cut, through both. */
	CHECK(ftruncate(fd, 5000) == 0 && ftruncate(fd, 100000) == 0, "truncate");
	for (int which = 0; which < 2; which++) {
		int zeros = pread(which ? two : fd, back, SIZE, 0) == 100000 && matches(back, 0, 5000);
		for (size_t i = 5000; zeros && i < 100000; i++)
			zeros = back[i] == 0;
		CHECK(zeros, "open file %d after truncating", which);
	}
	free(b);
	free(back);
	close(two);
	close(fd);
}

/* The program's own file (in the initrd on VeridianOS): large and small reads agree. */
static void own_file(const char *self)
{
	int fd = open(self, O_RDONLY);
	struct stat st;

	CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 20000, "open %s", self);
	if (fd < 0)
		return;
	size_t size = (size_t)st.st_size;
	unsigned char *big = malloc(size + 1), *small = malloc(size + 1);
	CHECK(read(fd, big, size + 1) == (ssize_t)size, "one read of %s", self);
	size_t got = 0;
	ssize_t n;
	while ((n = pread(fd, small + got, 500, (off_t)got)) > 0)
		got += (size_t)n;
	CHECK(got == size && !memcmp(big, small, size), "small reads of %s: %zu bytes", self, got);
	CHECK(pread(fd, big, 50000, (off_t)size - 100) == 100 && !memcmp(big, small + size - 100, 100),
	      "a read across its end");
	free(big);
	free(small);
	close(fd);
}

int main(int argc, char **argv)
{
	snprintf(path, sizeof(path), "/tmp/fileread-%d", (int)getpid());
	int fd = make_file();
	if (fd >= 0) {
		sizes_and_offsets(fd);
		bad_buffers(fd);
		close(fd);
	}
	threads();
	truncate_race();
	sharing();
	growing();
	if (argc > 0)
		own_file(argv[0]);
	unlink(path);
	return failures != 0;
}
