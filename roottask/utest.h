/*
 * The in-guest test framework of the root task. UTEST(name) { ... } registers
 * a test; it returns NULL on success or a message (UCHECK builds one).
 * Results print as "ktest user_<name> PASS|FAIL: why", the format the test
 * harness reads from the serial console.
 */
#pragma once

#include <veridian/vr.h>

struct utest {
	const char *name;
	const char *(*fn)(void);
};

#define UTEST_IN(section_, name) \
	static const char *utest_##name(void); \
	__attribute__((used, section(section_), aligned(8))) static const struct utest \
		utest_entry_##name = {#name, utest_##name}; \
	static const char *utest_##name(void)

#define UTEST(name) UTEST_IN("utests", name)

/*
 * A test that needs the POSIX servers. These run after every UTEST, once
 * posix_boot has started the servers: the servers' processes and threads
 * would otherwise change the global counts the native leak tests compare.
 */
#define UTEST_POSIX(name) UTEST_IN("posix_utests", name)

const char *utest_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define UCHECK(cond, ...) \
	do { \
		if (!(cond)) \
			return utest_fail(__VA_ARGS__); \
	} while (0)

/* What the root task was given. */
extern struct rootinfo *root_info;

/* Spawns a child of the root task's own image running fn(arg); returns its handle or 0. */
handle_t spawn(uint64_t (*fn)(uint64_t), uint64_t arg);

/*
 * Forks the caller's address space (process_fork) into a new process that
 * runs fn(arg) on a stack of its own, with handle 0 as its vr_self; returns
 * its handle or 0.
 */
handle_t fork_run(uint64_t (*fn)(uint64_t), uint64_t arg);

/* Waits for a process and closes its handle; returns its exit status. */
int64_t reap(handle_t process);

uint64_t info(uint64_t what);
/*
 * Waits (up to ~400 ms) until the thread and process counts stop changing:
 * processes and threads that ended just before are freed asynchronously, so
 * a leak check takes its baseline after this.
 */
void settle(void);

/* A small deterministic pseudo-random generator for tests. */
uint64_t rnd(uint64_t *state);

/* Runs the benchmarks (bench.c). */
void run_benchmarks(void);
