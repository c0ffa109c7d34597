/*
 * In-kernel tests. KTEST(name) { ... } registers a test that the self test
 * runs at boot; a test returns NULL on success or a message. The tests
 * themselves live under tests/kernel/ (they are not kernel code).
 */
#pragma once

#include <kernel/printk.h>
#include <kernel/types.h>

struct ktest {
	const char *name;
	const char *(*fn)(void);
	const char *broken;	/* a known bug stops it: not run, reported as SKIP with this */
};

#define KTEST_ENTRY(name, why) \
	static const char *ktest_##name(void); \
	__attribute__((used, section(".ktests"), aligned(8))) static const struct ktest \
		ktest_entry_##name = {#name, ktest_##name, why}; \
	static const char *ktest_##name(void)

#define KTEST(name) KTEST_ENTRY(name, NULL)

/* A test a known, open bug stops (it hangs): not run, and every boot log says why. */
#define KTEST_BROKEN(name, why) KTEST_ENTRY(name, why)

/* Formats a failure message into a static buffer and returns it. */
const char *ktest_fail(const char *fmt, ...) __printf(1, 2);

#define KCHECK(cond, ...) \
	do { \
		if (!(cond)) \
			return ktest_fail(__VA_ARGS__); \
	} while (0)
