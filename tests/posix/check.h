/*
 * The check of every tests/posix program (each also runs on Linux): define
 * TEST_NAME, include this, and CHECK(cond, "what", ...) counts a failure in
 * `failures` and prints
 *   <TEST_NAME>: FAIL line <n> (pid <p>): <what> (errno <e>)
 * with errno as it was when the check failed. main returns `failures != 0`.
 */
#pragma once

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#ifndef TEST_NAME
#error "define TEST_NAME before including check.h"
#endif

static int failures;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			int check_errno_ = errno;                                                  \
			failures++;                                                                \
			printf(TEST_NAME ": FAIL line %d (pid %d): ", __LINE__, (int)getpid());    \
			printf(__VA_ARGS__);                                                       \
			printf(" (errno %d)\n", check_errno_);                                     \
			fflush(stdout);                                                            \
		}                                                                                  \
	} while (0)
