/*
 * The first POSIX program on VeridianOS: musl's printf, malloc, thread-local
 * errno and data, clocks and sleeping, through the translation layer. Exits
 * with the number of failed checks (0: all passed); each failure is printed.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>


#define TEST_NAME "hello"
#include "check.h"

static _Thread_local int tls_counter = 5;
static _Thread_local char tls_zeroed[64];

static void check_format(void)
{
	const char *want =
	    "-42|   ab|ff  |0003.142|18446744073709551615|z|%|0x1000|1.235e+04|0.0001";
	char buf[128];
	int n =
	    snprintf(buf, sizeof(buf), "%d|%5s|%-4x|%08.3f|%llu|%c|%%|%p|%.3e|%g", -42, "ab", 255,
		     3.14159, 18446744073709551615ull, 'z', (void *)0x1000, 12345.678, 0.0001);

	CHECK(n == (int)strlen(want) && strcmp(buf, want) == 0, "snprintf gave \"%s\" (%d)", buf,
	      n);
	n = snprintf(buf, 8, "%s", "truncated string");
	CHECK(n == 16 && strcmp(buf, "truncat") == 0, "truncation gave \"%s\" (%d)", buf, n);
	long v = strtol("-12345xyz", NULL, 10);
	CHECK(v == -12345, "strtol gave %ld", v);
}

/* Many sizes, from a few bytes to mmap-sized blocks; every block keeps its own pattern. */
static void check_malloc(void)
{
	enum { N = 300 };
	static unsigned char *blocks[N];
	static size_t sizes[N];

	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < N; i++) {
			if (blocks[i] && (i + round) % 3)
				continue;
			free(blocks[i]);
			sizes[i] = i % 25 == 0 ? 150000 + (size_t)i * 1000
					       : (size_t)(i * 7919 + round * 13) % 6000 + 1;
			blocks[i] = malloc(sizes[i]);
			CHECK(blocks[i] != NULL, "malloc(%zu) failed", sizes[i]);
			if (!blocks[i])
				return;
			memset(blocks[i], (i * 31 + round) & 0xff, sizes[i]);
			blocks[i][0] = (unsigned char)i;
		}
		for (int i = 0; i < N; i++) {
			unsigned char *b = blocks[i];
			size_t s = sizes[i];
			CHECK(b[0] == (unsigned char)i && (s < 2 || b[s - 1] == b[s / 2]),
			      "block %d (%zu bytes) was overwritten", i, s);
		}
	}
	for (int i = 0; i < N; i++) {
		free(blocks[i]);
		blocks[i] = NULL;
	}
	char *p = malloc(10);
	strcpy(p, "123456789");
	p = realloc(p, 100000);
	CHECK(p && strcmp(p, "123456789") == 0, "realloc lost the contents");
	free(p);
	int *z = calloc(50000, sizeof(int));
	int nonzero = 0;
	for (int i = 0; z && i < 50000; i++)
		nonzero += z[i] != 0;
	CHECK(z && !nonzero, "calloc: %d non-zero words", nonzero);
	free(z);
}

/* errno is thread-local (musl keeps it in the thread descriptor at the thread pointer). */
static void check_errno_and_tls(void)
{
	errno = 0;
	CHECK(write(7, "x", 1) == -1 && errno == EBADF, "write to fd 7: errno %d", errno);
	errno = 0;
	CHECK(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 345, 0) == MAP_FAILED && errno == EBADF,
	      "file mmap of a closed fd: errno %d", errno);
	CHECK(tls_counter == 5, "thread-local initial value %d", tls_counter);
	tls_counter++;
	CHECK(tls_counter == 6, "thread-local counter %d", tls_counter);
	int zero = 1;
	for (size_t i = 0; i < sizeof(tls_zeroed); i++)
		zero &= tls_zeroed[i] == 0;
	CHECK(zero, "thread-local bss not zeroed");
	char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(page != MAP_FAILED, "anonymous mmap failed: errno %d", errno);
	if (page != MAP_FAILED) {
		page[0] = page[8191] = 'x';
		CHECK(mprotect(page, 4096, PROT_READ) == 0, "mprotect: errno %d", errno);
		CHECK(munmap(page, 8192) == 0, "munmap: errno %d", errno);
	}
}

/* Threads: each has its own errno and thread-local data; a mutex guards the shared sum. */
enum { THREADS = 4, ADDS = 20000 };
static pthread_mutex_t sum_lock = PTHREAD_MUTEX_INITIALIZER;
static long sum;

static void *adder(void *arg)
{
	long id = (long)arg;

	errno = (int)id + 100;
	tls_counter = (int)id;
	for (int i = 0; i < ADDS; i++) {
		pthread_mutex_lock(&sum_lock);
		sum++;
		pthread_mutex_unlock(&sum_lock);
		if (i % 1000 == 0)
			sched_yield();
	}
	char *p = malloc(1000 + (size_t)id);
	free(p);
	return (void *)(long)(errno == id + 100 && tls_counter == id && p ? id * 10 : -1);
}

static void check_threads(void)
{
	pthread_t t[THREADS];
	int made = 0;

	errno = 0;
	tls_counter = 77;
	for (long i = 0; i < THREADS; i++) {
		int err = pthread_create(&t[i], NULL, adder, (void *)(i + 1));
		CHECK(err == 0, "pthread_create: %d", err);
		if (err)
			break;
		made++;
	}
	for (int i = 0; i < made; i++) {
		void *ret;
		int err = pthread_join(t[i], &ret);
		CHECK(err == 0 && (long)ret == (i + 1) * 10, "thread %d: join %d, result %ld", i,
		      err, (long)ret);
	}
	CHECK(sum == (long)made * ADDS && made == THREADS, "sum %ld from %d threads", sum, made);
	CHECK(errno == 0 && tls_counter == 77, "main thread's errno %d, thread-local %d", errno,
	      tls_counter);
}

/*
 * Detached threads free their own stack and thread-local block as they exit;
 * the thread-list lock they hold is released by the kernel's clearing of the
 * CLONE_CHILD_CLEARTID word, so creating more threads afterwards shows it was.
 */
static int detached_done;

static void *detached(void *arg)
{
	__atomic_fetch_add(&detached_done, 1, __ATOMIC_SEQ_CST);
	return arg;
}

static void check_detached_threads(void)
{
	pthread_attr_t attr;
	const int n = 3;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < n; i++) {
			pthread_t t;
			int err = pthread_create(&t, &attr, detached, NULL);
			CHECK(err == 0, "detached pthread_create: %d", err);
		}
	struct timespec nap = {0, 1000000};
	for (int i = 0; i < 2000 && __atomic_load_n(&detached_done, __ATOMIC_SEQ_CST) < 2 * n; i++)
		nanosleep(&nap, NULL);
	CHECK(detached_done == 2 * n, "%d of %d detached threads ran", detached_done, 2 * n);
	pthread_attr_destroy(&attr);
}

static int64_t ns_of(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static void check_clock(void)
{
	struct timespec a, b, nap = {0, 3000000};

	CHECK(clock_gettime(CLOCK_MONOTONIC, &a) == 0, "clock_gettime: errno %d", errno);
	CHECK(nanosleep(&nap, NULL) == 0, "nanosleep: errno %d", errno);
	CHECK(clock_gettime(CLOCK_MONOTONIC, &b) == 0, "clock_gettime: errno %d", errno);
	CHECK(ns_of(&b) - ns_of(&a) >= 3000000, "slept %lld ns, wanted 3 ms",
	      (long long)(ns_of(&b) - ns_of(&a)));
	CHECK(clock_gettime(12345, &a) == -1 && errno == EINVAL, "bad clock: errno %d", errno);
}

int main(int argc, char **argv)
{
	/* The root task sets VERIDIAN_TEST; on Linux (the reference run) it is unset. */
	const char *env = getenv("VERIDIAN_TEST");
	const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];

	CHECK(argc == 2 && strcmp(base, "hello") == 0 &&
		  strcmp(argv[1], env ? "veridian" : "linux") == 0,
	      "argc %d, argv[0] %s", argc, argv[0]);
	CHECK(!env || strcmp(env, "posix") == 0, "VERIDIAN_TEST is %s", env);
	CHECK(getpid() > 0, "getpid %d", (int)getpid());
	check_format();
	check_malloc();
	check_errno_and_tls();
	check_clock();
	check_threads();
	check_detached_threads();
	int n = printf("hello from musl on VeridianOS: %s, pid %d, %d check%s failed\n", argv[0],
		       (int)getpid(), failures, failures == 1 ? "" : "s");
	CHECK(n > 40, "printf returned %d", n);
	CHECK(fflush(stdout) == 0, "fflush: errno %d", errno);
	return failures > 100 ? 100 : failures;
}
