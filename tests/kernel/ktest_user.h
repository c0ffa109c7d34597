/*
 * The harness of the user-mode tests (ktest_user_common.c): each architecture's
 * <arch>/ktest_user_mode.c hand-assembles a program and describes it in user_program.
 */
#pragma once

#include <kernel/mm.h>
#include <kernel/types.h>

/*
 * Where a test process has things: the program at UT_CODE_VA; at UT_DATA_VA a
 * page of slots (one per thread, its arguments and results), then a page of
 * stacks whose lowest word, UT_GO_VA, becomes nonzero once every thread is
 * started. A process lives while a started thread runs: a thread that ended
 * before the others were started could end it, so none may end before then.
 */
#define UT_CODE_VA 0x400000
#define UT_DATA_VA 0x600000
#define UT_GO_VA (UT_DATA_VA + PAGE_SIZE)
#define UT_STACK_SIZE 256
#define UT_STACK_TOP(i) (UT_DATA_VA + 2 * PAGE_SIZE - UT_STACK_SIZE * (i))
#define UT_MAX_THREADS 8
#define UT_SLOT_VA(i, size) (UT_DATA_VA + (i) * (size))

/* An entry of the program that commits one fault, and the status it ends the process with. */
struct user_fault {
	const char *entry, *what;
	int64_t status;
};

/*
 * The program: the code from start to end, copied to UT_CODE_VA. Each thread
 * enters at an entry with its first argument register holding its slot's
 * address and its stack pointer UT_STACK_TOP(i).
 */
struct user_program {
	const char *start, *end;
	/*
	 * The register test: it yields until UT_GO_VA is set, gives its
	 * registers values of its own, checks them through yields, ticks and
	 * moves between CPUs, and exits with 0 if they all survived, 1 if not.
	 */
	const char *main;
	size_t slot_size;	/* PAGE_SIZE / UT_MAX_THREADS at most */
	/* Fills thread @i's slot before it starts; NULL leaves it zero. */
	void (*fill)(void *slot, unsigned i);
	/* Checks thread @i's slot once it exited with 0: NULL, or what is wrong. */
	const char *(*check)(const void *slot, unsigned i);
	const struct user_fault *faults;
	size_t nfaults;
};

/* This architecture's program (<arch>/ktest_user_mode.c). */
extern const struct user_program user_program;
