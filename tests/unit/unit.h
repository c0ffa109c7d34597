/*
 * A minimal unit-test harness: TEST(name) { ... CHECK(cond); ... }.
 * Each test prints "utest <file>.<name> PASS|FAIL"; the exit status is the
 * number of failures (capped), read by tools/testrun.py.
 */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
};

extern struct unit_test unit_tests[256];
extern int unit_count;
extern int unit_failed_checks;

#define TEST(name) \
	static void test_##name(void); \
	__attribute__((constructor)) static void register_##name(void) \
	{ \
		unit_tests[unit_count++] = (struct unit_test){#name, test_##name}; \
	} \
	static void test_##name(void)

#define CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
			unit_failed_checks++; \
		} \
	} while (0)

#define CHECK_STR(a, b) \
	do { \
		const char *a_ = (a), *b_ = (b); \
		if (strcmp(a_, b_) != 0) { \
			fprintf(stderr, "  %s:%d: \"%s\" != \"%s\"\n", __FILE__, __LINE__, a_, b_); \
			unit_failed_checks++; \
		} \
	} while (0)

/* Defined once, in the file that includes this header with UNIT_MAIN. */
#ifdef UNIT_MAIN
struct unit_test unit_tests[256];
int unit_count;
int unit_failed_checks;

int main(int argc, char **argv)
{
	const char *suite = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	int failed = 0;

	(void)argc;
	for (int i = 0; i < unit_count; i++) {
		int before = unit_failed_checks;
		unit_tests[i].fn();
		int ok = unit_failed_checks == before;
		printf("utest %s.%s %s\n", suite, unit_tests[i].name, ok ? "PASS" : "FAIL");
		failed += !ok;
	}
	return failed > 100 ? 100 : failed;
}
#endif
