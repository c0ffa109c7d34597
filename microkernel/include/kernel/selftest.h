/* The in-kernel self test and the benchmarks, run from kmain according to the command line. */
#pragma once

#include <kernel/types.h>

/* Runs every self test, printing "ktest <name> PASS|FAIL"; returns the number that failed. */
int selftest_run(void);

/* Runs the benchmarks, printing "bench <name> <arch> <instructions-per-op>". */
void bench_run(void);

/* Deliberate failures, used to prove that the test harness catches them. */
noreturn void crash_test(const char *kind, size_t len);
