/*
 * O_APPEND writes are atomic at any size, as POSIX asks: several processes
 * and threads, each with its own open of one file, append records of 100 to
 * 200,000 bytes (write, pwrite, which appends too on Linux, and writev and
 * pwritev of a record in uneven pieces, each one append as on Linux) at the
 * same time; every record must then lie whole and contiguous in the file,
 * none lost. Also: a write or writev with a bad pointer part-way appends
 * what it copied and nothing more, so the next append follows it without a
 * gap.
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
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define TEST_NAME "append_atomic"
#include "check.h"

#define PROCS 3	  /* writer processes */
#define THREADS 2 /* writer threads in each */
#define WRITERS (PROCS * THREADS)
#define ROUNDS 3
#define MAGIC 0x41504e44u /* "APND" */

static const uint32_t sizes[] = {100, 20000, 70000, 200000, 16384 + 1, 40000};
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))
#define RECORDS (ROUNDS * NSIZES) /* of each writer */

struct header {
	uint32_t magic, writer, seq, len; /* len: the whole record, header included */
};

static char path[64];
static int go[2]; /* the writers wait for its end to close */

/* Byte @i of writer @w's record @seq (after the header): never 0. */
static unsigned char fill(uint32_t w, uint32_t seq, size_t i)
{
	return (unsigned char)(1 + (w * 37 + seq * 11 + i * 7 + i / 251) % 251);
}

static size_t record(unsigned char *b, uint32_t w, uint32_t seq)
{
	uint32_t len = sizes[seq % NSIZES];
	struct header h = {MAGIC, w, seq, len};

	memcpy(b, &h, sizeof(h));
	for (size_t i = sizeof(h); i < len; i++)
		b[i] = fill(w, seq, i);
	return len;
}

struct writer {
	uint32_t id;
	int errors;
};

/* Record @b of @len bytes appended to @fd in the way @how says (0..3: write, pwrite, writev, pwritev). */
static ssize_t append(int fd, unsigned char *b, size_t len, unsigned how)
{
	/* Uneven pieces: the header, a third of the rest, an empty one, the rest. */
	size_t third = (len - sizeof(struct header)) / 3;
	struct iovec iov[4] = {{b, sizeof(struct header)},
			       {b + sizeof(struct header), third},
			       {b, 0},
			       {b + sizeof(struct header) + third, len - sizeof(struct header) - third}};

	switch (how) {
	case 0: return write(fd, b, len);
	/* Linux: pwrite and pwritev on an O_APPEND file append, whatever the offset. */
	case 1: return pwrite(fd, b, len, 0);
	case 2: return writev(fd, iov, 4);
	default: return pwritev(fd, iov, 4, 0);
	}
}

static void *writer(void *arg)
{
	struct writer *me = arg;
	unsigned char *b = malloc(200000);
	int fd = open(path, O_WRONLY | O_APPEND);
	char c;

	if (!b || fd < 0) {
		me->errors++;
		return NULL;
	}
	(void)!read(go[0], &c, 1); /* end of file once the parent lets everyone go */
	for (uint32_t seq = 0; seq < RECORDS; seq++) {
		size_t len = record(b, me->id, seq);
		ssize_t n = append(fd, b, len, (me->id + seq) % 4);
		if (n != (ssize_t)len)
			me->errors++;
	}
	close(fd);
	free(b);
	return NULL;
}

static void writer_process(int p)
{
	pthread_t t[THREADS];
	struct writer w[THREADS];
	int errors = 0;

	close(go[1]);
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct writer){.id = (uint32_t)(p * THREADS + i)};
		if (i && pthread_create(&t[i], NULL, writer, &w[i]))
			errors++;
	}
	writer(&w[0]);
	for (int i = 1; i < THREADS; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < THREADS; i++)
		errors += w[i].errors;
	_exit(errors ? 1 : 0);
}

/* Walks the file record by record: each must be whole, and every one there once. */
static void check_records(void)
{
	static unsigned char seen[WRITERS][RECORDS];
	struct stat st;
	int fd = open(path, O_RDONLY);
	size_t expect = 0;

	for (size_t s = 0; s < RECORDS; s++)
		expect += sizes[s % NSIZES];
	expect *= WRITERS;
	CHECK(fd >= 0 && fstat(fd, &st) == 0, "open %s", path);
	if (fd < 0)
		return;
	CHECK((size_t)st.st_size == expect, "size %lld, %zu written", (long long)st.st_size,
	      expect);
	unsigned char *b = malloc((size_t)st.st_size + 1);
	size_t size = (size_t)st.st_size, pos = 0, got = 0;
	ssize_t n;
	while (b && got < size && (n = read(fd, b + got, size - got)) > 0)
		got += (size_t)n;
	CHECK(b && got == size, "read of the whole file: %zu bytes", got);
	close(fd);
	if (!b || got != size) {
		free(b);
		return;
	}
	int bad = 0;
	while (pos + sizeof(struct header) <= size && !bad) {
		struct header h;
		memcpy(&h, b + pos, sizeof(h));
		if (h.magic != MAGIC || h.writer >= WRITERS || h.seq >= RECORDS ||
		    h.len != sizes[h.seq % NSIZES] || h.len > size - pos) {
			CHECK(0, "no whole record at %zu (magic %#x writer %u seq %u len %u)", pos,
			      h.magic, h.writer, h.seq, h.len);
			bad = 1;
			break;
		}
		for (size_t i = sizeof(h); i < h.len; i++)
			if (b[pos + i] != fill(h.writer, h.seq, i)) {
				CHECK(0, "record of writer %u seq %u at %zu: byte %zu is %u",
				      h.writer, h.seq, pos, i, b[pos + i]);
				bad = 1;
				break;
			}
		CHECK(!seen[h.writer][h.seq], "writer %u's record %u twice", h.writer, h.seq);
		seen[h.writer][h.seq] = 1;
		pos += h.len;
	}
	if (!bad) {
		CHECK(pos == size, "%zu bytes after the last record", size - pos);
		int lost = 0;
		for (int w = 0; w < WRITERS; w++)
			for (size_t s = 0; s < RECORDS; s++)
				lost += !seen[w][s];
		CHECK(!lost, "%d records lost", lost);
	}
	free(b);
}

static void concurrent_appends(void)
{
	pid_t pids[PROCS];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

	CHECK(fd >= 0, "create %s", path);
	if (fd < 0)
		return;
	close(fd);
	CHECK(pipe(go) == 0, "pipe");
	for (int p = 0; p < PROCS; p++) {
		pids[p] = fork();
		CHECK(pids[p] >= 0, "fork");
		if (pids[p] == 0)
			writer_process(p);
	}
	close(go[0]);
	close(go[1]); /* go */
	for (int p = 0; p < PROCS; p++) {
		int status;
		CHECK(pids[p] > 0 && waitpid(pids[p], &status, 0) == pids[p] && WIFEXITED(status) &&
			  WEXITSTATUS(status) == 0,
		      "writer process %d", p);
	}
	check_records();
}

/*
 * A write of 64 KiB whose last 16 KiB are not mapped: the 48 KiB before them
 * are appended (and counted), the rest given back, so an append after it
 * follows at once and the offset is the end.
 */
static void bad_pointer(void)
{
	size_t len = 65536, good = 49152;
	unsigned char *m =
	    mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_APPEND, 0600);
	struct stat st;

	CHECK(m != MAP_FAILED && fd >= 0, "mmap and open");
	if (m == MAP_FAILED || fd < 0)
		return;
	memset(m, 'a', len);
	CHECK(write(fd, "start", 5) == 5, "a first append");
	CHECK(munmap(m + good, len - good) == 0, "munmap");
	ssize_t n = write(fd, m, len);
	CHECK(n == (ssize_t)good, "a write with a bad end: %zd", n);
	CHECK(fstat(fd, &st) == 0 && st.st_size == 5 + (off_t)good, "size after it: %lld",
	      (long long)st.st_size);
	CHECK(lseek(fd, 0, SEEK_CUR) == 5 + (off_t)good, "the offset after it");
	errno = 0;
	CHECK(write(fd, m + good, 100) == -1 && errno == EFAULT, "a wholly bad write: EFAULT");
	CHECK(write(fd, "end", 3) == 3, "an append after it");
	CHECK(fstat(fd, &st) == 0 && st.st_size == 8 + (off_t)good, "size at the end: %lld",
	      (long long)st.st_size);
	char tail[4] = {0};
	CHECK(pread(fd, tail, 4, 4 + (off_t)good) == 4 && !memcmp(tail, "aend", 4),
	      "the bytes where they meet");
	close(fd);
	munmap(m, good);
}

/*
 * A writev whose second piece is not mapped: the first piece is appended
 * (and counted), and the next append follows it.
 */
static void bad_piece(void)
{
	size_t good = 20000, bad = 16384;
	unsigned char *m =
	    mmap(NULL, good + bad, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_APPEND, 0600);
	struct stat st;

	CHECK(m != MAP_FAILED && fd >= 0, "mmap and open");
	if (m == MAP_FAILED || fd < 0)
		return;
	memset(m, 'b', good);
	/* The second piece starts on the page after the first piece's last one. */
	size_t at = (good + 4095) / 4096 * 4096;
	CHECK(munmap(m + at, good + bad - at) == 0, "munmap");
	struct iovec iov[2] = {{m, good}, {m + at, bad}};
	CHECK(write(fd, "start", 5) == 5, "a first append");
	ssize_t n = writev(fd, iov, 2);
	CHECK(n == (ssize_t)good, "a writev with a bad second piece: %zd", n);
	CHECK(write(fd, "end", 3) == 3, "an append after it");
	CHECK(fstat(fd, &st) == 0 && st.st_size == 8 + (off_t)good, "size at the end: %lld",
	      (long long)st.st_size);
	char tail[4] = {0};
	CHECK(pread(fd, tail, 4, 4 + (off_t)good) == 4 && !memcmp(tail, "bend", 4),
	      "the bytes where they meet");
	errno = 0;
	CHECK(writev(fd, (struct iovec *)(m + at), 2) == -1 && errno == EFAULT,
	      "a bad iovec array: EFAULT");
	close(fd);
	munmap(m, at);
}

int main(void)
{
	snprintf(path, sizeof(path), "/tmp/append_atomic-%d", (int)getpid());
	concurrent_appends();
	bad_pointer();
	bad_piece();
	unlink(path);
	return failures != 0;
}
